/* Unit tests for harness/record/merge.c: joining shards, hosts and run
 * provenance, refusing duplicates, pooling them when asked, merging a
 * merged file again. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "merge.h"
#include "results_fixture.h"

static const double A[] = {10, 11, 12}, B[] = {20, 21};

static cJSON *item(const cJSON *o, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save)) {
		if (k[0] >= '0' && k[0] <= '9')
			o = cJSON_GetArrayItem(o, atoi(k));
		else
			o = cJSON_GetObjectItemCaseSensitive(o, k);
	}
	return (cJSON *)o;
}

static double num(const cJSON *o, const char *path)
{
	const cJSON *v = item(o, path);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", path);
	return v->valuedouble;
}

static const char *str(const cJSON *o, const char *path)
{
	const cJSON *v = item(o, path);

	if (!cJSON_IsString(v))
		fail_msg("%s is not a string", path);
	return v->valuestring;
}

/* Two shards on two hosts: native/ready on one, container/ready on the
 * other; the second failed and started earlier. */
static void two_shards(struct cvb_results_file in[2], const char *host2, const char *label2)
{
	cJSON *a = fx_doc("20260101T000000-a", "alpha"), *b = fx_doc("20260101T000100-b", host2);

	fx_metric(fx_cell(a, "native", "ready", NULL), "startup_ns", "ns", "lower", A, 3);
	fx_metric(fx_cell(b, "container", "ready", label2), "startup_ns", "ns", "lower", B, 2);
	cJSON_ReplaceItemInObject(b, "status", cJSON_CreateString("failed"));
	cJSON_ReplaceItemInObject(b, "started_at", cJSON_CreateString("2026-01-01T23:00:00Z"));
	cJSON_ReplaceItemInObject(b, "finished_at",
	                          cJSON_CreateString("2026-01-02T05:00:00+01:00"));
	cJSON_ReplaceItemInArray(item(b, "config.backends"), 0, cJSON_CreateString("container"));
	fx_load(a, "a.json", &in[0]);
	fx_load(b, "b.json", &in[1]);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static cJSON *merge_ok(const struct cvb_results_file *in, size_t n, bool allow,
                       struct cvb_merge_info *info)
{
	struct cvb_merge_options o = {.allow_duplicates = allow, .run_id = "20260301T000000-f"};
	struct cvb_error err = {0};
	cJSON *doc = cvb_results_merge(in, n, &o, info, &err);

	if (!doc)
		fail_msg("merge failed: %s", err.msg);
	return doc;
}

static void test_merge_two_hosts(void **state)
{
	struct cvb_results_file in[2], back;
	cJSON *doc;

	(void)state;
	two_shards(in, "beta", NULL);
	doc = merge_ok(in, 2, false, NULL);
	assert_string_equal(str(doc, "run_id"), "20260301T000000-f");
	assert_string_equal(str(doc, "status"), "failed");
	assert_string_equal(str(doc, "started_at"), "2026-01-01T23:00:00Z");
	/* 05:00+01:00 is 04:00Z, later than a's 03:05Z */
	assert_string_equal(str(doc, "finished_at"), "2026-01-02T05:00:00+01:00");
	assert_string_equal(str(doc, "host.hostname"), "alpha");
	assert_int_equal(cJSON_GetArraySize(item(doc, "hosts")), 2);
	assert_string_equal(str(doc, "hosts.1.hostname"), "beta");
	assert_string_equal(str(doc, "merged_from.0"), "20260101T000000-a");
	assert_string_equal(str(doc, "merged_from.1"), "20260101T000100-b");
	assert_int_equal(cJSON_GetArraySize(item(doc, "cells")), 2);
	assert_string_equal(str(doc, "cells.0.label"), "native/ready");
	assert_true(num(doc, "cells.0.host_ref") == 0);
	assert_true(num(doc, "cells.1.host_ref") == 1);
	assert_true(num(doc, "cells.0.launches.2.run_ref") == 0);
	assert_true(num(doc, "cells.1.launches.0.run_ref") == 1);
	assert_int_equal(cJSON_GetArraySize(item(doc, "config.backends")), 2);
	assert_string_equal(str(doc, "config.backends.1"), "container");
	assert_null(item(doc, "derived"));

	/* it loads back, and the loader resolves hosts and runs */
	fx_load(doc, "m.json", &back);
	assert_string_equal(
	    cJSON_GetObjectItem(cvb_results_cell_host(&back, &back.cells[1]), "hostname")
	        ->valuestring,
	    "beta");
	assert_string_equal(cvb_results_launch_run_id(&back, &back.cells[1], 0),
	                    "20260101T000100-b");
	cvb_results_free(&back);
	cJSON_Delete(doc);
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

static void test_same_host_once(void **state)
{
	struct cvb_results_file in[2];
	cJSON *doc;

	(void)state;
	two_shards(in, "alpha", NULL);
	doc = merge_ok(in, 2, false, NULL);
	assert_int_equal(cJSON_GetArraySize(item(doc, "hosts")), 1);
	assert_true(num(doc, "cells.1.host_ref") == 0);
	cJSON_Delete(doc);
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

static void test_duplicates_refused(void **state)
{
	struct cvb_results_file in[2];
	struct cvb_merge_options o = {.run_id = "20260301T000000-f"};
	struct cvb_error err = {0};

	(void)state;
	/* b's container cell claims a's label */
	two_shards(in, "alpha", "native/ready");
	assert_null(cvb_results_merge(in, 2, &o, NULL, &err));
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "--allow-duplicates"));
	/* allowed, but the cells differ (backend): still refused */
	o.allow_duplicates = true;
	assert_null(cvb_results_merge(in, 2, &o, NULL, &err));
	assert_non_null(strstr(err.msg, "another backend"));
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

static void two_repeats(struct cvb_results_file in[2], const char *host2)
{
	cJSON *a = fx_doc("20260101T000000-a", "alpha"), *b = fx_doc("20260101T000100-b", host2);
	cJSON *derived = cJSON_AddObjectToObject(a, "derived");

	cJSON_AddItemToArray(cJSON_AddArrayToObject(derived, "ratios_to_native"),
	                     cJSON_CreateObject());
	fx_metric(fx_cell(a, "native", "ready", NULL), "startup_ns", "ns", "lower", A, 3);
	fx_metric(fx_cell(b, "native", "ready", NULL), "startup_ns", "ns", "lower", B, 2);
	fx_load(a, "a.json", &in[0]);
	fx_load(b, "b.json", &in[1]);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_duplicates_pooled(void **state)
{
	struct cvb_results_file in[2];
	struct cvb_merge_info info = {0};
	cJSON *doc, *m;

	(void)state;
	two_repeats(in, "alpha");
	doc = merge_ok(in, 2, true, &info);
	assert_int_equal(info.pooled_cells, 1);
	assert_true(info.derived_dropped);
	assert_null(item(doc, "derived"));
	assert_int_equal(cJSON_GetArraySize(item(doc, "cells")), 1);
	m = item(doc, "cells.0.metrics.startup_ns");
	assert_int_equal(cJSON_GetArraySize(item(m, "samples")), 5);
	assert_true(num(m, "samples.3") == 20);
	assert_true(num(m, "launch_index.3") == 3); /* b's launch 0, after a's three */
	assert_true(num(m, "launch_index.4") == 4);
	assert_true(num(m, "summary.n") == 5);
	assert_true(num(m, "summary.p50") == 12);
	assert_int_equal(cJSON_GetArraySize(item(doc, "cells.0.launches")), 5);
	assert_true(num(doc, "cells.0.launches.4.index") == 4);
	assert_true(num(doc, "cells.0.launches.4.run_ref") == 1);
	assert_true(num(doc, "cells.0.launches.0.run_ref") == 0);
	assert_true(num(doc, "cells.0.launch_counts.total") == 5);
	assert_true(num(doc, "cells.0.launch_counts.measured_ok") == 5);
	cJSON_Delete(doc);
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

static void test_no_pooling_across_hosts(void **state)
{
	struct cvb_results_file in[2];
	struct cvb_merge_options o = {.allow_duplicates = true, .run_id = "20260301T000000-f"};
	struct cvb_error err = {0};

	(void)state;
	two_repeats(in, "beta");
	assert_null(cvb_results_merge(in, 2, &o, NULL, &err));
	assert_non_null(strstr(err.msg, "another host"));
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

static void test_same_run_twice_refused(void **state)
{
	struct cvb_results_file in[2];
	struct cvb_merge_options o = {.allow_duplicates = true, .run_id = "20260301T000000-f"};
	struct cvb_error err = {0};
	cJSON *a = fx_doc("20260101T000000-a", "alpha");

	(void)state;
	fx_metric(fx_cell(a, "native", "ready", NULL), "startup_ns", "ns", "lower", A, 3);
	fx_load(a, "a.json", &in[0]);
	fx_load(a, "a-copy.json", &in[1]);
	assert_null(cvb_results_merge(in, 2, &o, NULL, &err));
	assert_non_null(strstr(err.msg, "both hold run 20260101T000000-a"));
	in[1].schema_version = 2;
	assert_null(cvb_results_merge(in, 2, &o, NULL, &err));
	assert_non_null(strstr(err.msg, "schema_version"));
	cJSON_Delete(a);
	cvb_results_free(&in[0]);
	cvb_results_free(&in[1]);
}

/* A merged file merged again: runs flattened, hosts and run_refs remapped. */
static void test_merge_merged(void **state)
{
	struct cvb_results_file in[2], again[2];
	cJSON *first, *c = fx_doc("20260101T000200-c", "beta"), *doc;

	(void)state;
	two_shards(in, "beta", NULL);
	first = merge_ok(in, 2, false, NULL);
	fx_metric(fx_cell(c, "vm", "ready", NULL), "startup_ns", "ns", "lower", B, 2);
	fx_load(c, "c.json", &again[0]);
	fx_load(first, "ab.json", &again[1]);
	doc = merge_ok(again, 2, false, NULL);
	assert_int_equal(cJSON_GetArraySize(item(doc, "merged_from")), 3);
	assert_string_equal(str(doc, "merged_from.0"), "20260101T000200-c");
	assert_string_equal(str(doc, "merged_from.2"), "20260101T000100-b");
	assert_int_equal(cJSON_GetArraySize(item(doc, "hosts")), 2);
	assert_string_equal(str(doc, "cells.1.label"), "native/ready");
	assert_true(num(doc, "cells.1.host_ref") == 1); /* alpha, after c's beta */
	assert_true(num(doc, "cells.2.host_ref") == 0); /* beta */
	assert_true(num(doc, "cells.1.launches.0.run_ref") == 1);
	assert_true(num(doc, "cells.2.launches.0.run_ref") == 2);
	cJSON_Delete(doc);
	cJSON_Delete(first);
	cJSON_Delete(c);
	for (int i = 0; i < 2; i++) {
		cvb_results_free(&in[i]);
		cvb_results_free(&again[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge_two_hosts),
	    cmocka_unit_test(test_same_host_once),
	    cmocka_unit_test(test_duplicates_refused),
	    cmocka_unit_test(test_duplicates_pooled),
	    cmocka_unit_test(test_no_pooling_across_hosts),
	    cmocka_unit_test(test_same_run_twice_refused),
	    cmocka_unit_test(test_merge_merged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
