/* Unit tests for harness/record/results_load.c: what is accepted, what is refused
 * and with which message, and the fallback label of files without one. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "results_fixture.h"
#include "results_json.h"
#include "stats.h"

static void test_reads_what_run_writes(void **state)
{
	(void)state;
	/* A tripwire: a new results format needs a loader that knows it. */
	assert_int_equal(CVB_RESULTS_SCHEMA_READ, CVB_SCHEMA_VERSION);
}

static void test_fallback_label(void **state)
{
	cJSON *params = cJSON_CreateObject();
	char *label;

	(void)state;
	label = cvb_cell_label_fallback("native", "ready", params);
	assert_string_equal(label, "native/ready");
	free(label);
	cJSON_AddNumberToObject(params, "max_s", 600);
	cJSON_AddNumberToObject(params, "instances", 4);
	cJSON_AddNumberToObject(params, "ratio", 0.5);
	label = cvb_cell_label_fallback("vm", "idle", params);
	assert_string_equal(label, "vm/idle instances=4 max_s=600 ratio=0.5");
	free(label);
	label = cvb_cell_params_text(params);
	assert_string_equal(label, "instances=4;max_s=600;ratio=0.5");
	free(label);
	label = cvb_cell_label_fallback("vm", "idle", NULL);
	assert_string_equal(label, "vm/idle");
	free(label);
	cJSON_Delete(params);
}

static void test_load_indexes_cells(void **state)
{
	static const double v[] = {3, 1, 2};
	struct cvb_results_file f;
	cJSON *doc = fx_doc("20260101T000000-1", "h");
	const struct cvb_loaded_cell *c;

	(void)state;
	fx_metric(fx_cell(doc, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 3);
	fx_metric(fx_cell(doc, "vm", "idle", "vm/idle instances=4"), "ops", "1/s", "higher", v, 2);
	fx_load(doc, "r.json", &f);
	assert_string_equal(f.run_id, "20260101T000000-1");
	assert_int_equal(f.schema_version, 1);
	assert_int_equal(f.n_cells, 2);
	assert_true(f.seed == 12345);
	assert_int_equal(f.resamples, 500);
	c = cvb_results_find_cell(&f, "native/ready");
	assert_non_null(c);
	assert_true(c->label_derived);
	assert_int_equal(c->n_metrics, 1);
	assert_true(c->metrics[0].samples[0] == 3 && c->metrics[0].n == 3);
	assert_true(c->metrics[0].lower_is_better);
	c = cvb_results_find_cell(&f, "vm/idle instances=4");
	assert_non_null(c);
	assert_false(c->label_derived);
	assert_false(cvb_cell_find_metric(c, "ops")->lower_is_better);
	assert_null(cvb_cell_find_metric(c, "nosuch"));
	assert_null(cvb_results_find_cell(&f, "vm/idle"));
	assert_string_equal(
	    cJSON_GetObjectItem(cvb_results_cell_host(&f, c), "hostname")->valuestring, "h");
	assert_string_equal(cvb_results_launch_run_id(&f, c, 0), "20260101T000000-1");
	cvb_results_free(&f);
	cJSON_Delete(doc);
}

static void expect_error(cJSON *doc, const char *fragment)
{
	struct cvb_error err = {0};
	const char *msg = fx_load_error(doc, &err);

	if (!strstr(msg, fragment))
		fail_msg("message '%s' lacks '%s'", msg, fragment);
	/* every message names the file and says what to do */
	assert_non_null(strstr(msg, "bad.json"));
	cJSON_Delete(doc);
}

static void test_refuses(void **state)
{
	static const double v[] = {1, 2};
	cJSON *doc, *c;

	(void)state;
	doc = fx_doc("20260101T000000-1", "h");
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(doc, "tool"), "name",
	                          cJSON_CreateString("fio"));
	expect_error(doc, "not a cvbench results file");

	doc = cJSON_CreateArray();
	expect_error(doc, "not a cvbench results file");

	doc = fx_doc("20260101T000000-1", "h");
	cJSON_DeleteItemFromObject(doc, "schema_version");
	expect_error(doc, "no schema_version");

	doc = fx_doc("20260101T000000-1", "h");
	cJSON_ReplaceItemInObject(doc, "schema_version", cJSON_CreateNumber(9));
	expect_error(doc, "schema_version 9, this cvbench reads up to 1");

	doc = fx_doc("20260101T000000-1", "h");
	cJSON_DeleteItemFromObject(doc, "cells");
	expect_error(doc, "cells array");

	doc = fx_doc("20260101T000000-1", "h");
	c = fx_cell(doc, "native", "ready", NULL);
	fx_metric(c, "startup_ns", "ns", "lower", v, 2);
	cJSON_ReplaceItemInArray(
	    cJSON_GetObjectItem(
	        cJSON_GetObjectItem(cJSON_GetObjectItem(c, "metrics"), "startup_ns"), "samples"),
	    1, cJSON_CreateString("12"));
	expect_error(doc, "cells[0].metrics.startup_ns.samples[1] is not a number");

	doc = fx_doc("20260101T000000-1", "h");
	fx_metric(fx_cell(doc, "native", "ready", NULL), "x", "ns", "sideways", v, 2);
	expect_error(doc, "better");

	doc = fx_doc("20260101T000000-1", "h");
	fx_cell(doc, "native", "ready", NULL);
	fx_cell(doc, "native", "idle", "native/ready");
	expect_error(doc, "cells[0] and cells[1] have the same label 'native/ready'");

	doc = fx_doc("20260101T000000-1", "h");
	cJSON_AddNumberToObject(fx_cell(doc, "native", "ready", NULL), "host_ref", 0);
	expect_error(doc, "host_ref");

	/* A billion resamples would allocate 8 GB per comparison: what
	 * --resamples takes, or the file is refused. */
	static const double bad_resamples[] = {1e9, 1000001, 99, 0, -5, 2000.5};
	for (size_t i = 0; i < sizeof(bad_resamples) / sizeof(bad_resamples[0]); i++) {
		doc = fx_doc("20260101T000000-1", "h");
		cJSON *st = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "config"), "statistics");
		cJSON_ReplaceItemInObject(st, "bootstrap_resamples",
		                          cJSON_CreateNumber(bad_resamples[i]));
		expect_error(doc, "bootstrap_resamples is not a whole number from 100 to 1000000");
	}
	doc = fx_doc("20260101T000000-1", "h");
	cJSON_ReplaceItemInObject(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "config"), "statistics"),
	    "bootstrap_resamples", cJSON_CreateString("2000"));
	expect_error(doc, "bootstrap_resamples");
}

/* The largest count --resamples takes loads; none at all is the default. */
static void test_resamples_bounds(void **state)
{
	struct cvb_results_file f;
	cJSON *doc = fx_doc("20260101T000000-1", "h");
	cJSON *st = cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "config"), "statistics");

	(void)state;
	cJSON_ReplaceItemInObject(st, "bootstrap_resamples", cJSON_CreateNumber(1000000));
	fx_load(doc, "r.json", &f);
	assert_int_equal(f.resamples, 1000000);
	cvb_results_free(&f);
	cJSON_DeleteItemFromObject(st, "bootstrap_resamples");
	fx_load(doc, "r.json", &f);
	assert_int_equal(f.resamples, CVB_BOOTSTRAP_RESAMPLES_DEFAULT);
	cvb_results_free(&f);
	cJSON_Delete(doc);
}

static void test_load_errors(void **state)
{
	struct cvb_results_file f;
	struct cvb_error err = {0};
	char path[] = "/tmp/cvb-test-load-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(cvb_results_load("/nonexistent/r.json", &f, &err), -1);
	assert_non_null(strstr(err.msg, "cannot read '/nonexistent/r.json'"));
	assert_int_equal(err.code, ENOENT);
	assert_int_equal(cvb_results_load("/tmp", &f, &err), -1);
	assert_non_null(strstr(err.msg, "is a directory"));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"schema_version\": 1,", 21), 21);
	close(fd);
	assert_int_equal(cvb_results_load(path, &f, &err), -1);
	assert_non_null(strstr(err.msg, "is not valid JSON"));
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	assert_int_equal(cvb_results_load(path, &f, &err), -1);
	assert_non_null(strstr(err.msg, "is empty"));
	unlink(path);
	cvb_results_free(&f); /* safe after a failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reads_what_run_writes), cmocka_unit_test(test_fallback_label),
	    cmocka_unit_test(test_load_indexes_cells),    cmocka_unit_test(test_refuses),
	    cmocka_unit_test(test_load_errors),           cmocka_unit_test(test_resamples_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
