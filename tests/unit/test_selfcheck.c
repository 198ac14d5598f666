/* Self-checks of a results document: create-dominated launches, unstable
 * metrics, a cold first launch, wide intervals, load on the host during the
 * run, and that checking a document again replaces what the last check wrote.
 * Every document is built here with cJSON, in the shape harness/run/selfcheck.c
 * reads (cells[].label, metrics{name:{unit, role, samples[], summary{p50, cov,
 * ci95, outliers}}}, launches[]{startup_ns, phases_ns{}}, host_load.samples[]). */
#include "preflight.h"
#include "selfcheck.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- building documents ---- */

static cJSON *new_doc(void)
{
	cJSON *doc = cJSON_CreateObject();
	assert_non_null(doc);
	assert_non_null(cJSON_AddArrayToObject(doc, "cells"));
	return doc;
}

static cJSON *add_cell(cJSON *doc, const char *label)
{
	cJSON *cell = cJSON_CreateObject();
	assert_non_null(cell);
	assert_true(cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(doc, "cells"), cell));
	assert_non_null(cJSON_AddStringToObject(cell, "label", label));
	assert_non_null(cJSON_AddObjectToObject(cell, "metrics"));
	assert_non_null(cJSON_AddArrayToObject(cell, "launches"));
	return cell;
}

/* A launch; create_ns < 0 leaves phases_ns out. */
static cJSON *add_launch(cJSON *cell, double startup_ns, double create_ns)
{
	cJSON *l = cJSON_CreateObject();
	assert_non_null(l);
	assert_true(cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(cell, "launches"), l));
	assert_non_null(cJSON_AddNumberToObject(l, "startup_ns", startup_ns));
	if (create_ns >= 0) {
		cJSON *ph = cJSON_AddObjectToObject(l, "phases_ns");
		assert_non_null(ph);
		assert_non_null(cJSON_AddNumberToObject(ph, "launch_called", 0));
		assert_non_null(cJSON_AddNumberToObject(ph, "create_returned", create_ns));
	}
	return l;
}

struct metric_spec {
	const char *unit, *role; /* role NULL: none */
	const double *samples;
	size_t n;
	double p50, cov, ci_lo, ci_hi;
	size_t outliers;
};

static cJSON *add_metric(cJSON *cell, const char *name, const struct metric_spec *s)
{
	cJSON *m = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(cell, "metrics"), name);
	assert_non_null(m);
	assert_non_null(cJSON_AddStringToObject(m, "unit", s->unit));
	if (s->role)
		assert_non_null(cJSON_AddStringToObject(m, "role", s->role));
	cJSON *arr = cJSON_AddArrayToObject(m, "samples");
	assert_non_null(arr);
	for (size_t i = 0; i < s->n; i++)
		assert_true(cJSON_AddItemToArray(arr, cJSON_CreateNumber(s->samples[i])));
	cJSON *sum = cJSON_AddObjectToObject(m, "summary");
	assert_non_null(sum);
	assert_non_null(cJSON_AddNumberToObject(sum, "n", (double)s->n));
	assert_non_null(cJSON_AddNumberToObject(sum, "p50", s->p50));
	assert_non_null(cJSON_AddNumberToObject(sum, "cov", s->cov));
	cJSON *ci = cJSON_AddArrayToObject(sum, "ci95");
	assert_non_null(ci);
	assert_true(cJSON_AddItemToArray(ci, cJSON_CreateNumber(s->ci_lo)));
	assert_true(cJSON_AddItemToArray(ci, cJSON_CreateNumber(s->ci_hi)));
	cJSON *out = cJSON_AddArrayToObject(sum, "outliers");
	assert_non_null(out);
	for (size_t i = 0; i < s->outliers; i++)
		assert_true(cJSON_AddItemToArray(out, cJSON_CreateNumber((double)i)));
	return m;
}

/* Steady samples that trip nothing. */
static const double steady[] = {100, 101, 102, 99, 100, 101};
#define N_STEADY (sizeof(steady) / sizeof(steady[0]))

static struct metric_spec quiet_metric(void)
{
	return (struct metric_spec){.unit = "ms",
	                            .samples = steady,
	                            .n = N_STEADY,
	                            .p50 = 100.5,
	                            .cov = 0.01,
	                            .ci_lo = 99.5,
	                            .ci_hi = 101.5,
	                            .outliers = 0};
}

/* ---- looking at the results ---- */

static size_t count_check(const struct cvb_findings *f, const char *check)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].check, check) == 0;
	return n;
}

static const struct cvb_finding *find_check(const struct cvb_findings *f, const char *check,
                                            const char *subject)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].check, check) == 0 && strcmp(f->v[i].subject, subject) == 0)
			return &f->v[i];
	return NULL;
}

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		if (!strstr(h_, n_))                                                               \
			fail_msg("'%s' does not contain '%s'", h_, n_);                            \
	} while (0)

#define assert_not_contains(hay, needle)                                                           \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		if (strstr(h_, n_))                                                                \
			fail_msg("'%s' contains '%s'", h_, n_);                                    \
	} while (0)

static cJSON *cell_at(cJSON *doc, int i)
{
	cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "cells"), i);
	assert_non_null(c);
	return c;
}

static cJSON *launch_at(cJSON *cell, int i)
{
	cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cell, "launches"), i);
	assert_non_null(l);
	return l;
}

/* The "check" names of a findings array, in order, as "a,b,c". */
static void check_names(const cJSON *arr, char *buf, size_t len)
{
	const cJSON *o;
	buf[0] = '\0';
	assert_true(cJSON_IsArray(arr));
	cJSON_ArrayForEach(o, arr)
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "check");
		assert_true(cJSON_IsString(c));
		size_t off = strlen(buf);
		snprintf(buf + off, len - off, "%s%s", off ? "," : "", c->valuestring);
	}
}

static void assert_doc_checks(const cJSON *doc, const char *want)
{
	char names[512];
	check_names(cJSON_GetObjectItemCaseSensitive(doc, "checks"), names, sizeof(names));
	assert_string_equal(names, want);
}

static void assert_cell_checks(const cJSON *cell, const char *want)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(cell, "checks");
	if (!want) {
		if (arr)
			fail_msg("cell %s has checks but should not",
			         cJSON_GetObjectItemCaseSensitive(cell, "label")->valuestring);
		return;
	}
	char names[512];
	check_names(arr, names, sizeof(names));
	assert_string_equal(names, want);
}

/* ---- (a) the create call dominating startup ---- */

static void test_create_dominated(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	cJSON *slow = add_cell(doc, "startup/vm/slow");
	add_launch(slow, 55e9, 52e9);
	add_launch(slow, 54e9, 51e9);
	add_launch(slow, 56e9, 53e9);
	add_launch(slow, 5.3e9, 0.7e9); /* a healthy one in the same cell */
	add_launch(slow, 2e9, -1);      /* no phases: not counted */
	cJSON *healthy = add_cell(doc, "startup/vm/healthy");
	add_launch(healthy, 5.3e9, 0.7e9);
	add_launch(healthy, 5.2e9, 0.7e9);
	cJSON *kvm = add_cell(doc, "startup/vm/kvm"); /* most of startup, but fast */
	add_launch(kvm, 0.6e9, 0.4e9);
	add_launch(kvm, 0.6e9, 0.4e9);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);

	assert_int_equal(f.n, 1);
	const struct cvb_finding *x = find_check(&f, "launch.create_dominated", "startup/vm/slow");
	assert_non_null(x);
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_contains(x->evidence, "in 3 of 4 launches");
	assert_contains(x->evidence, "create_returned p50 52.0 s of startup p50 55.0 s (95%)");
	assert_contains(x->fix, "cvbench doctor");

	/* The flagged launches say so; the others carry no note. */
	for (int i = 0; i < 3; i++) {
		const cJSON *notes = cJSON_GetObjectItemCaseSensitive(launch_at(slow, i), "checks");
		assert_true(cJSON_IsArray(notes));
		assert_int_equal(cJSON_GetArraySize(notes), 1);
		const cJSON *note = cJSON_GetArrayItem(notes, 0);
		assert_true(cJSON_IsString(note));
		assert_contains(note->valuestring, "create_returned");
		assert_contains(note->valuestring, "the toolstack, not the guest, dominated");
	}
	assert_contains(
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(launch_at(slow, 0), "checks"), 0)
	        ->valuestring,
	    "create_returned 52.0 s of a 55.0 s startup (95%)");
	assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(slow, 3), "checks"));
	assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(slow, 4), "checks"));
	for (int i = 0; i < 2; i++) {
		assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(healthy, i), "checks"));
		assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(kvm, i), "checks"));
	}

	/* The cell's own checks, and the document's. */
	assert_cell_checks(slow, "launch.create_dominated");
	const cJSON *cc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(slow, "checks"), 0);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cc, "subject")->valuestring,
	                    "startup/vm/slow");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cc, "verdict")->valuestring, "warn");
	assert_cell_checks(healthy, NULL);
	assert_cell_checks(kvm, NULL);
	assert_doc_checks(doc, "launch.create_dominated");

	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* The bounds: half of startup and CVB_CHECK_CREATE_MIN_NS, both reached. */
static void test_create_bounds(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	cJSON *at = add_cell(doc, "at");
	add_launch(at, 2.0 * CVB_CHECK_CREATE_MIN_NS, (double)CVB_CHECK_CREATE_MIN_NS);
	cJSON *below_share = add_cell(doc, "below-share");
	add_launch(below_share, 20e9, 9.9e9);
	cJSON *below_abs = add_cell(doc, "below-abs");
	add_launch(below_abs, 3.0e9, CVB_CHECK_CREATE_MIN_NS - 1.0);
	cJSON *bad = add_cell(doc, "bad-startup"); /* startup 0 or missing: skipped */
	add_launch(bad, 0, 52e9);
	cJSON *odd = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(bad, "launches"), odd);
	cJSON_AddObjectToObject(odd, "phases_ns");

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	assert_non_null(find_check(&f, "launch.create_dominated", "at"));
	assert_contains(f.v[0].evidence, "in 1 of 1 launches");
	assert_cell_checks(below_share, NULL);
	assert_cell_checks(below_abs, NULL);
	assert_cell_checks(bad, NULL);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (b) unstable samples ---- */

static void test_unstable_cov(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	cJSON *noisy = add_cell(doc, "noisy");
	struct metric_spec s = quiet_metric();
	s.cov = 0.5;
	add_metric(noisy, "startup", &s);
	cJSON *calm = add_cell(doc, "calm");
	s.cov = 0.05;
	add_metric(calm, "startup", &s);
	cJSON *edge = add_cell(doc, "edge"); /* exactly at the bound: not above it */
	s.cov = CVB_CHECK_COV;
	add_metric(edge, "startup", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	const struct cvb_finding *x = find_check(&f, "cell.unstable", "noisy");
	assert_non_null(x);
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_contains(x->evidence, "startup (CoV 0.50, 0 of 6 outliers)");
	assert_contains(x->fix, "--reps");
	assert_cell_checks(noisy, "cell.unstable");
	assert_cell_checks(calm, NULL);
	assert_cell_checks(edge, NULL);
	assert_doc_checks(doc, "cell.unstable");
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

static void test_unstable_outliers(void **state)
{
	(void)state;
	static const double ten[] = {100, 101, 102, 99, 100, 101, 100, 99, 101, 100};
	cJSON *doc = new_doc();
	struct metric_spec s = quiet_metric();
	s.samples = ten;
	s.n = 10;
	s.outliers = 2; /* 20% of the samples, in a metric that varies (CoV 0.10) */
	s.cov = 0.10;
	cJSON *many = add_cell(doc, "many-outliers");
	add_metric(many, "rss", &s);
	s.outliers = 1; /* 10%: not more than the share */
	cJSON *one = add_cell(doc, "one-outlier");
	add_metric(one, "rss", &s);
	s.outliers = 2; /* many, but the metric is tight (CoV 0.01): harmless */
	s.cov = 0.01;
	cJSON *tight = add_cell(doc, "tight");
	add_metric(tight, "rss", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	const struct cvb_finding *x = find_check(&f, "cell.unstable", "many-outliers");
	assert_non_null(x);
	assert_contains(x->evidence, "rss (CoV 0.10, 2 of 10 outliers)");
	assert_cell_checks(one, NULL);
	assert_cell_checks(tight, NULL);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* Several unstable metrics of a cell make one finding naming them all. */
static void test_unstable_several(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	cJSON *cell = add_cell(doc, "both");
	struct metric_spec s = quiet_metric();
	s.cov = 0.4;
	add_metric(cell, "startup", &s);
	s = quiet_metric();
	add_metric(cell, "steady", &s);
	s.cov = 0.3;
	add_metric(cell, "rss", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	assert_contains(f.v[0].evidence,
	                "startup (CoV 0.40, 0 of 6 outliers), rss (CoV 0.30, 0 of 6 outliers)");
	assert_not_contains(f.v[0].evidence, "steady");
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (c) the first measured launch ---- */

static void test_first_launch(void **state)
{
	(void)state;
	static const double cold[] = {900, 100, 101, 102, 99, 100, 101};
	static const double cold_low[] = {10, 100, 101, 102, 99, 100, 101};
	/* Far from the median in MADs, but inside the rest's range. */
	static const double inside[] = {200, 100, 100.5, 101, 100, 99.5, 300};
	/* All the rest equal: MAD 0, nothing to judge by. */
	static const double flat[] = {900, 100, 100, 100, 100, 100};
	cJSON *doc = new_doc();
	struct metric_spec s = quiet_metric();
	s.samples = cold;
	s.n = 7;
	s.p50 = 100.5;
	s.ci_lo = 99;
	s.ci_hi = 150; /* narrower than the median */
	cJSON *c_cold = add_cell(doc, "cold");
	add_metric(c_cold, "startup", &s);
	s.samples = cold_low;
	cJSON *c_low = add_cell(doc, "cold-low");
	add_metric(c_low, "startup", &s);
	s.samples = steady;
	s.n = N_STEADY;
	cJSON *c_warm = add_cell(doc, "warm");
	add_metric(c_warm, "startup", &s);
	s.samples = inside;
	s.n = 7;
	cJSON *c_inside = add_cell(doc, "inside");
	add_metric(c_inside, "startup", &s);
	s.samples = flat;
	s.n = 6;
	cJSON *c_flat = add_cell(doc, "flat");
	add_metric(c_flat, "startup", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(count_check(&f, "cell.first_launch"), 2);
	assert_int_equal(f.n, 2);
	const struct cvb_finding *x = find_check(&f, "cell.first_launch", "cold");
	assert_non_null(x);
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_contains(x->evidence, "startup (first 900 ms, the rest's median 100.5 ms)");
	assert_contains(x->fix, "--warmup");
	x = find_check(&f, "cell.first_launch", "cold-low");
	assert_non_null(x);
	assert_contains(x->evidence, "first 10 ms");
	assert_cell_checks(c_cold, "cell.first_launch");
	assert_cell_checks(c_warm, NULL);
	assert_cell_checks(c_inside, NULL);
	assert_cell_checks(c_flat, NULL);

	/* The samples in the document stay in their order. */
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(c_cold, "metrics"),
	                                     "startup"),
	    "samples");
	assert_int_equal(cJSON_GetArraySize(arr), 7);
	for (int i = 0; i < 7; i++)
		assert_true(cJSON_GetArrayItem(arr, i)->valuedouble == cold[i]);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (d) an interval wider than its median ---- */

static void test_wide_interval(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	struct metric_spec s = quiet_metric();
	s.unit = "ns";
	s.p50 = 100;
	s.ci_lo = 10;
	s.ci_hi = 200;
	cJSON *wide = add_cell(doc, "wide");
	add_metric(wide, "syscall", &s);
	s.ci_lo = 50;
	s.ci_hi = 140;
	cJSON *narrow = add_cell(doc, "narrow");
	add_metric(narrow, "syscall", &s);
	s.p50 = -100; /* a negative median: its size counts */
	s.ci_lo = -150;
	s.ci_hi = -60;
	cJSON *neg = add_cell(doc, "negative");
	add_metric(neg, "delta", &s);
	s.ci_lo = -250;
	s.ci_hi = -20;
	cJSON *neg_wide = add_cell(doc, "negative-wide");
	add_metric(neg_wide, "delta", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 2);
	const struct cvb_finding *x = find_check(&f, "cell.wide_interval", "wide");
	assert_non_null(x);
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_contains(x->evidence,
	                "95% interval wider than the median: syscall ([10 ns, 200 ns], n=6)");
	assert_contains(x->fix, "--reps");
	assert_non_null(find_check(&f, "cell.wide_interval", "negative-wide"));
	assert_cell_checks(wide, "cell.wide_interval");
	assert_cell_checks(narrow, NULL);
	assert_cell_checks(neg, NULL);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* A malformed interval or a missing median is not judged. */
static void test_wide_interval_malformed(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	struct metric_spec s = quiet_metric();
	s.ci_lo = 0;
	s.ci_hi = 1e9;
	cJSON *one = add_cell(doc, "one-bound");
	cJSON *m = add_metric(one, "x", &s);
	cJSON *ci = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "summary"),
	                                             "ci95");
	cJSON_DeleteItemFromArray(ci, 1);
	cJSON *no_p50 = add_cell(doc, "no-p50");
	m = add_metric(no_p50, "x", &s);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItemCaseSensitive(m, "summary"), "p50");

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_doc_checks(doc, "");
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (e) what is never judged ---- */

static void test_not_judged(void **state)
{
	(void)state;
	static const double cold[] = {900, 100, 101, 102, 99, 100, 101};
	static const double few[] = {900, 100, 101, 102};
	static const double five[] = {900, 100, 101, 102, 99};
	cJSON *doc = new_doc();
	/* Everything wrong at once. */
	struct metric_spec s = {.unit = "ms",
	                        .samples = cold,
	                        .n = 7,
	                        .p50 = 100,
	                        .cov = 0.9,
	                        .ci_lo = 0,
	                        .ci_hi = 1000,
	                        .outliers = 3};
	cJSON *aggr = add_cell(doc, "noisy-neighbour");
	s.role = "aggressor";
	add_metric(aggr, "aggressor_ops", &s);
	s.role = NULL;
	s.samples = few;
	s.n = CVB_CHECK_MIN_N - 1;
	s.outliers = 1;
	cJSON *short_cell = add_cell(doc, "too-few");
	add_metric(short_cell, "startup", &s);
	cJSON *empty = add_cell(doc, "no-samples");
	s.n = 0;
	add_metric(empty, "startup", &s);

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_cell_checks(aggr, NULL);
	assert_cell_checks(short_cell, NULL);
	assert_cell_checks(empty, NULL);
	assert_doc_checks(doc, "");
	cvb_findings_free(&f);

	/* A victim role is judged; and CVB_CHECK_MIN_N samples are enough. */
	cJSON *victim = add_cell(doc, "victim");
	s.role = "victim";
	s.samples = five;
	s.n = CVB_CHECK_MIN_N;
	add_metric(victim, "startup", &s);
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(count_check(&f, "cell.unstable"), 1);
	assert_int_equal(count_check(&f, "cell.first_launch"), 1);
	assert_int_equal(count_check(&f, "cell.wide_interval"), 1);
	assert_int_equal(f.n, 3);
	for (size_t i = 0; i < f.n; i++)
		assert_string_equal(f.v[i].subject, "victim");
	assert_cell_checks(victim, "cell.unstable,cell.first_launch,cell.wide_interval");
	assert_cell_checks(aggr, NULL);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (f) load on the host during the run ---- */

static void add_load_sample(cJSON *doc, double t_s, double seconds, double foreign,
                            const char *busiest)
{
	cJSON *load = cJSON_GetObjectItemCaseSensitive(doc, "host_load");
	if (!load) {
		load = cJSON_AddObjectToObject(doc, "host_load");
		assert_non_null(load);
		assert_non_null(cJSON_AddNumberToObject(load, "interval_s", 1));
		assert_non_null(cJSON_AddArrayToObject(load, "samples"));
	}
	cJSON *s = cJSON_CreateObject();
	assert_non_null(s);
	assert_true(cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(load, "samples"), s));
	cJSON_AddNumberToObject(s, "t_s", t_s);
	cJSON_AddNumberToObject(s, "seconds", seconds);
	cJSON_AddNumberToObject(s, "foreign_cpus", foreign);
	cJSON_AddNumberToObject(s, "host_cpus", foreign + 0.5);
	cJSON_AddStringToObject(s, "busiest", busiest);
}

static void test_host_load(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	cJSON *cell = add_cell(doc, "startup/native");
	struct metric_spec s = quiet_metric();
	add_metric(cell, "startup", &s);
	add_load_sample(doc, 1, 1, 0.02, "none");
	add_load_sample(doc, 2, 1, 0.1, "make (pid 77) 0.10 CPU");
	add_load_sample(doc, 3, 1, 1.0, "stress-ng (pid 812) 1.00 CPU");
	add_load_sample(doc, 4, 1, 0.05, "none");

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	const struct cvb_finding *x = find_check(&f, "host.load_during_run", "");
	assert_non_null(x);
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_string_equal(x->evidence,
	                    "other processes loaded the host during 1 s of the 4 s run; worst "
	                    "1.00 CPUs from 2 s to 3 s (stress-ng (pid 812) 1.00 CPU)");
	assert_contains(x->fix, "quiet host");
	assert_doc_checks(doc, "host.load_during_run");
	assert_cell_checks(cell, NULL); /* about the run, not a cell */
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

static void test_host_load_worst_of_several(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	add_load_sample(doc, 1.5, 1.5, 0.5, "make (pid 77) 0.50 CPU");
	add_load_sample(doc, 3, 1.5, 1.8, "stress-ng (pid 812) 1.80 CPU");
	add_load_sample(doc, 4, 1, CVB_BUSY_CPUS_WARN, "cc1 (pid 90) 0.25 CPU");
	add_load_sample(doc, 5, 1, 0.0, "none");

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.v[0].evidence,
	                    "other processes loaded the host during 4 s of the 5 s run; worst "
	                    "1.80 CPUs from 2 s to 3 s (stress-ng (pid 812) 1.80 CPU)");
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

static void test_host_quiet(void **state)
{
	(void)state;
	cJSON *doc = new_doc();
	add_load_sample(doc, 1, 1, 0.02, "none");
	add_load_sample(doc, 2, 1, CVB_BUSY_CPUS_WARN - 0.01, "make (pid 77) 0.24 CPU");
	add_load_sample(doc, 3, 1, 0.1, "make (pid 77) 0.10 CPU");

	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_doc_checks(doc, "");
	cvb_findings_free(&f);

	/* No host_load at all, or an odd one: nothing either. */
	cJSON_DeleteItemFromObject(doc, "host_load");
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_non_null(cJSON_AddStringToObject(doc, "host_load", "garbage"));
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* ---- (g) checking again ---- */

static cJSON *troubled_doc(void)
{
	static const double cold[] = {900, 100, 101, 102, 99, 100, 101};
	cJSON *doc = new_doc();
	cJSON *vm = add_cell(doc, "startup/vm");
	add_launch(vm, 55e9, 52e9);
	add_launch(vm, 5.3e9, 0.7e9);
	struct metric_spec s = quiet_metric();
	s.samples = cold;
	s.n = 7;
	s.cov = 0.5;
	add_metric(vm, "startup", &s);
	cJSON *native = add_cell(doc, "startup/native");
	add_launch(native, 1e6, -1);
	s = quiet_metric();
	add_metric(native, "startup", &s);
	add_load_sample(doc, 1, 1, 1.0, "stress-ng (pid 812) 1.00 CPU");
	return doc;
}

static void test_rerun_replaces(void **state)
{
	(void)state;
	cJSON *doc = troubled_doc();
	struct cvb_findings f = {0};
	const char *want_doc =
	    "host.load_during_run,launch.create_dominated,cell.unstable,cell.first_launch";
	const char *want_vm = "launch.create_dominated,cell.unstable,cell.first_launch";

	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 4);
	assert_doc_checks(doc, want_doc);
	char *first = cJSON_PrintUnformatted(doc);
	assert_non_null(first);

	/* Twice more, with fresh lists and with the same one. */
	struct cvb_findings g = {0};
	cvb_selfcheck_results(doc, &g);
	assert_int_equal(g.n, 4);
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 8);         /* out is appended to... */
	assert_doc_checks(doc, want_doc); /* ...the document's checks replaced */
	assert_cell_checks(cell_at(doc, 0), want_vm);
	assert_cell_checks(cell_at(doc, 1), NULL);
	const cJSON *notes =
	    cJSON_GetObjectItemCaseSensitive(launch_at(cell_at(doc, 0), 0), "checks");
	assert_true(cJSON_IsArray(notes));
	assert_int_equal(cJSON_GetArraySize(notes), 1);
	assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(cell_at(doc, 0), 1), "checks"));

	/* The very same document as after the first check. */
	char *again = cJSON_PrintUnformatted(doc);
	assert_non_null(again);
	assert_string_equal(again, first);
	free(first);
	free(again);

	/* Findings already in `out` before the call stay out of the document. */
	struct cvb_findings h = {0};
	cvb_findings_add(&h, "host.governor", NULL, CVB_LEVEL_WARN, NULL, "preflight");
	cvb_findings_add(&h, "other", "startup/vm", CVB_LEVEL_WARN, NULL, "same subject");
	cvb_selfcheck_results(doc, &h);
	assert_int_equal(h.n, 6);
	assert_doc_checks(doc, want_doc);
	assert_cell_checks(cell_at(doc, 0), want_vm);

	cvb_findings_free(&f);
	cvb_findings_free(&g);
	cvb_findings_free(&h);
	cJSON_Delete(doc);
}

/* Once the trouble is gone (or the data fixed), checking again clears it. */
static void test_rerun_clears_stale(void **state)
{
	(void)state;
	cJSON *doc = troubled_doc();
	struct cvb_findings f = {0};
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 4);
	cvb_findings_free(&f);

	/* Make everything healthy. */
	cJSON *vm = cell_at(doc, 0);
	cJSON_DeleteItemFromObject(vm, "metrics");
	cJSON_DeleteItemFromObject(vm, "launches");
	cJSON_AddObjectToObject(vm, "metrics");
	cJSON_AddArrayToObject(vm, "launches");
	add_launch(vm, 5.3e9, 0.7e9);
	cJSON_DeleteItemFromObject(doc, "host_load");
	/* A launch note left from an earlier check of this launch's data. */
	cJSON *native_launch = launch_at(cell_at(doc, 1), 0);
	cJSON *stale = cJSON_AddArrayToObject(native_launch, "checks");
	cJSON_AddItemToArray(stale, cJSON_CreateString("stale"));

	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_doc_checks(doc, "");
	assert_cell_checks(vm, NULL);
	assert_cell_checks(cell_at(doc, 1), NULL);
	assert_null(cJSON_GetObjectItemCaseSensitive(launch_at(vm, 0), "checks"));
	assert_null(cJSON_GetObjectItemCaseSensitive(native_launch, "checks"));
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

/* An empty document or one without cells: an empty checks array. */
static void test_empty_doc(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	cJSON *doc = cJSON_CreateObject();
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_doc_checks(doc, "");
	cJSON_Delete(doc);

	doc = cJSON_Parse("{\"cells\":[{\"metrics\":{},\"launches\":[]},{}],"
	                  "\"checks\":[{\"check\":\"old\"}]}");
	assert_non_null(doc);
	cvb_selfcheck_results(doc, &f);
	assert_int_equal(f.n, 0);
	assert_doc_checks(doc, "");
	cvb_findings_free(&f);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_create_dominated),
	    cmocka_unit_test(test_create_bounds),
	    cmocka_unit_test(test_unstable_cov),
	    cmocka_unit_test(test_unstable_outliers),
	    cmocka_unit_test(test_unstable_several),
	    cmocka_unit_test(test_first_launch),
	    cmocka_unit_test(test_wide_interval),
	    cmocka_unit_test(test_wide_interval_malformed),
	    cmocka_unit_test(test_not_judged),
	    cmocka_unit_test(test_host_load),
	    cmocka_unit_test(test_host_load_worst_of_several),
	    cmocka_unit_test(test_host_quiet),
	    cmocka_unit_test(test_rerun_replaces),
	    cmocka_unit_test(test_rerun_clears_stale),
	    cmocka_unit_test(test_empty_doc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
