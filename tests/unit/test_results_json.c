/* The results document: shape, summaries from raw samples, failed and
 * skipped cells, and validity against results/cvbench-results.schema.json
 * (checked with an independent validator, python3-jsonschema). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atomic_file.h"
#include "cvb_spawn.h"
#include "hostfacts.h"
#include "plan.h"
#include "results_json.h"
#include "runner.h"
#include "versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCHEMA "results/cvbench-results.schema.json"
#define VALIDATOR "/usr/bin/python3"

struct fixture {
	struct cvb_plan plan;
	struct cvb_matrix matrix;
	struct cvb_run run;
	char dir[64];
};

/* Three cells: native/ready ok with 5 samples (one failed warm-up aside),
 * native/idle failed, and one skipped. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	/* static: the run keeps pointers to its command line */
	static char a0[] = "run", a1[] = "--workload", a2[] = "ready,idle", a3[] = "--reps",
	            a4[] = "5", a5[] = "--warmup", a6[] = "1";
	static char *argv[] = {a0, a1, a2, a3, a4, a5, a6, NULL};
	struct cvb_error err = {0};
	assert_int_equal(cvb_plan_parse(7, argv, &f->plan, &err), CVB_PARSE_OK);
	cvb_run_init(&f->run, 7, argv);
	snprintf(f->run.agent_path, sizeof(f->run.agent_path), "/nonexistent/cvb-agent");
	f->matrix.blocks[0] = &f->plan;
	f->matrix.n_blocks = 1;
	assert_int_equal(cvb_run_prepare(&f->matrix, &f->run, &err), 0);
	f->run.host = cvb_host_facts_collect("/", &err);
	assert_non_null(f->run.host);
	cvb_versions_add(f->run.host);

	struct cvb_cell *ok = &f->run.cells[0];
	static const double startup[] = {500, 400, 300, 200, 100};
	struct cvb_sample *w = cvb_cell_add_sample(ok);
	w->warmup = true;
	w->status = CVB_SAMPLE_FAILED;
	snprintf(w->reason, sizeof(w->reason), "agent ended without READY (exit status 3)");
	for (unsigned i = 0; i < 5; i++) {
		struct cvb_sample *s = cvb_cell_add_sample(ok);
		s->index = i + 1;
		s->startup_ns = (int64_t)startup[i];
		s->done_seen = true;
		s->exit.exited = true;
		s->phases[s->n_phases++] = (struct cvb_phase){"spawned", 50};
		cvb_series_add(cvb_cell_series(ok, "startup_ns", "ns", CVB_LOWER_IS_BETTER),
		               startup[i], s->index);
		ok->measured_ok++;
	}
	ok->status = CVB_CELL_OK;

	struct cvb_cell *bad = &f->run.cells[1];
	struct cvb_sample *s = cvb_cell_add_sample(bad);
	s->status = CVB_SAMPLE_FAILED;
	s->exit.signal = 11;
	snprintf(s->reason, sizeof(s->reason), "agent ended without DONE (killed by signal 11)");
	bad->status = CVB_CELL_FAILED;
	snprintf(bad->reason, sizeof(bad->reason), "1 of 1 launches failed");
	snprintf(f->dir, sizeof(f->dir), "/tmp/cvb-test-results-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[128];
	snprintf(path, sizeof(path), "%s/doc.json", f->dir);
	unlink(path);
	rmdir(f->dir);
	cvb_run_free(&f->run);
	free(f);
	return 0;
}

/* The contract later tools rely on: names, statuses, samples, summary. */
static void test_document_shape(void **state)
{
	struct fixture *f = *state;
	f->run.finished_at[0] = '\0';
	cJSON *doc = cvb_results_to_json(&f->run);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetObjectItem(doc, "schema_version")->valueint, 1);
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "tool"), "name")->valuestring, "cvbench");
	assert_string_equal(cJSON_GetObjectItem(doc, "status")->valuestring, "failed");
	cJSON *cells = cJSON_GetObjectItem(doc, "cells");
	assert_int_equal(cJSON_GetArraySize(cells), 2);

	cJSON *ok = cJSON_GetArrayItem(cells, 0);
	assert_string_equal(cJSON_GetObjectItem(ok, "status")->valuestring, "ok");
	assert_null(cJSON_GetObjectItem(ok, "reason"));
	cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(ok, "metrics"), "startup_ns");
	assert_string_equal(cJSON_GetObjectItem(m, "unit")->valuestring, "ns");
	assert_string_equal(cJSON_GetObjectItem(m, "better")->valuestring, "lower");
	cJSON *samples = cJSON_GetObjectItem(m, "samples");
	assert_int_equal(cJSON_GetArraySize(samples), 5);
	assert_true(cJSON_GetArrayItem(samples, 0)->valuedouble == 500);
	cJSON *sum = cJSON_GetObjectItem(m, "summary");
	assert_int_equal(cJSON_GetObjectItem(sum, "n")->valueint, 5);
	assert_true(cJSON_GetObjectItem(sum, "p50")->valuedouble == 300);
	assert_true(cJSON_GetObjectItem(sum, "min")->valuedouble == 100);
	/* type 7: p90 of 100..500 step 100 = 100 + 0.9 * 4 * 100 = 460 */
	assert_true(cJSON_GetObjectItem(sum, "p90")->valuedouble == 460);
	cJSON *counts = cJSON_GetObjectItem(ok, "launch_counts");
	assert_int_equal(cJSON_GetObjectItem(counts, "total")->valueint, 6);
	assert_int_equal(cJSON_GetObjectItem(counts, "warmup")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(counts, "failed")->valueint, 1);
	cJSON *l0 = cJSON_GetArrayItem(cJSON_GetObjectItem(ok, "launches"), 0);
	assert_string_equal(cJSON_GetObjectItem(l0, "status")->valuestring, "failed");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(l0, "startup_ns")));

	cJSON *bad = cJSON_GetArrayItem(cells, 1);
	assert_string_equal(cJSON_GetObjectItem(bad, "status")->valuestring, "failed");
	assert_string_equal(cJSON_GetObjectItem(bad, "reason")->valuestring,
	                    "1 of 1 launches failed");
	cJSON_Delete(doc);
}

/* Same samples and seed: byte-identical summaries (reproducible output). */
static void test_summary_reproducible(void **state)
{
	(void)state;
	const double v[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
	cJSON *a = cvb_summary_to_json(v, 11, 42, 1000);
	cJSON *b = cvb_summary_to_json(v, 11, 42, 1000);
	char *sa = cJSON_PrintUnformatted(a), *sb = cJSON_PrintUnformatted(b);
	assert_string_equal(sa, sb);
	cJSON *empty = cvb_summary_to_json(v, 0, 42, 1000);
	assert_true(cJSON_IsNull(empty));
	free(sa);
	free(sb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(empty);
}

/* Runs the independent validator on a file; returns its exit status. */
static int validate(const char *path, char *out, size_t outlen)
{
	char *argv[] = {VALIDATOR, "-m", "jsonschema", "-i", (char *)path, SCHEMA, NULL};
	struct cvb_error err = {0};
	return cvb_spawn_capture(argv, out, outlen, 60000, &err);
}

static int validator_available(void)
{
	char out[256];
	char *argv[] = {VALIDATOR, "-c", "import jsonschema", NULL};
	struct cvb_error err = {0};
	return access(VALIDATOR, X_OK) == 0 &&
	       cvb_spawn_capture(argv, out, sizeof(out), 60000, &err) == 0;
}

/* The document validates; a document missing a required field does not
 * (so the check can fail). */
static void test_schema_validation(void **state)
{
	struct fixture *f = *state;
	if (!validator_available()) {
		fprintf(stderr,
		        "SKIP: %s with the jsonschema module is not installed "
		        "(scripts/setup.sh installs python3-jsonschema)\n",
		        VALIDATOR);
		skip();
	}
	char path[128], out[4096];
	struct cvb_error err = {0};
	snprintf(path, sizeof(path), "%s/doc.json", f->dir);
	snprintf(f->run.finished_at, sizeof(f->run.finished_at), "2026-11-27T10:00:00Z");
	cJSON *doc = cvb_results_to_json(&f->run);
	char *text = cJSON_Print(doc);
	assert_int_equal(cvb_atomic_write(path, text, strlen(text), &err), 0);
	free(text);
	int rc = validate(path, out, sizeof(out));
	if (rc != 0)
		fprintf(stderr, "validator said: %s\n", out);
	assert_int_equal(rc, 0);

	cJSON_DeleteItemFromObject(cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "cells"), 1),
	                           "reason");
	text = cJSON_Print(doc);
	assert_int_equal(cvb_atomic_write(path, text, strlen(text), &err), 0);
	free(text);
	assert_int_not_equal(validate(path, out, sizeof(out)), 0);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_document_shape),
	    cmocka_unit_test(test_summary_reproducible),
	    cmocka_unit_test(test_schema_validation),
	};
	return cmocka_run_group_tests_name("results_json", tests, setup, teardown);
}
