/* Unit tests for harness/report/compare.c and compare_report.c: the verdict rule,
 * A/A and shifted synthetic samples, thresholds, pairing of files by label,
 * bad input, the report formats (github-action-benchmark's shape), and on
 * fixture samples written here: the MDE per pair, the "too few samples to
 * tell" wording, the same-run warning, the geometric-mean row and the
 * humanised units. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "compare_mde.h"
#include "compare_report.h"
#include "double_asserts.h"
#include "results_fixture.h"
#include "stats.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* n normal samples with the given mean and coefficient of variation
 * (Box-Muller on cvb_rng, so every run draws the same numbers). */
static void normal_samples(double *x, size_t n, double mean, double cov, uint64_t seed)
{
	struct cvb_rng rng;

	cvb_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		double u1 = ((double)(cvb_rng_next(&rng) >> 11) + 1.0) / 9007199254740993.0;
		double u2 = (double)(cvb_rng_next(&rng) >> 11) / 9007199254740992.0;
		x[i] = mean * (1.0 + cov * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
	}
}

static struct cvb_pair pair_of(const double *b, size_t nb, const double *n, size_t nn,
                               bool lower_is_better, double threshold)
{
	struct cvb_pair p;
	struct cvb_error err = {0};

	if (cvb_compare_samples(b, nb, n, nn, lower_is_better, threshold, 0.01, 7, 2000, &p,
	                        &err) != 0)
		fail_msg("cvb_compare_samples: %s", err.msg);
	return p;
}

static void test_verdict_rule(void **state)
{
	struct cvb_rank_test up = {.p = 0.001, .direction = 1},
	                     down = {.p = 0.001, .direction = -1};
	struct cvb_rank_test weak = {.p = 0.2, .direction = 1};

	(void)state;
	/* lower is better: up is worse */
	assert_int_equal(cvb_verdict_decide(10, &up, true, 0.01, 5), CVB_VERDICT_REGRESSION);
	assert_int_equal(cvb_verdict_decide(-10, &down, true, 0.01, 5), CVB_VERDICT_IMPROVEMENT);
	/* higher is better: symmetric */
	assert_int_equal(cvb_verdict_decide(10, &up, false, 0.01, 5), CVB_VERDICT_IMPROVEMENT);
	assert_int_equal(cvb_verdict_decide(-10, &down, false, 0.01, 5), CVB_VERDICT_REGRESSION);
	/* within the threshold: same, however significant */
	assert_int_equal(cvb_verdict_decide(4.9, &up, true, 0.01, 5), CVB_VERDICT_SAME);
	assert_int_equal(cvb_verdict_decide(5.0, &up, true, 0.01, 5), CVB_VERDICT_SAME);
	/* beyond it but not significant, or the ranks disagree: noise */
	assert_int_equal(cvb_verdict_decide(10, &weak, true, 0.01, 5), CVB_VERDICT_NOISE);
	assert_int_equal(cvb_verdict_decide(10, &down, true, 0.01, 5), CVB_VERDICT_NOISE);
	/* alpha is strict: p == alpha is not significant */
	struct cvb_rank_test edge = {.p = 0.01, .direction = 1};
	assert_int_equal(cvb_verdict_decide(10, &edge, true, 0.01, 5), CVB_VERDICT_NOISE);
	assert_int_equal(cvb_verdict_decide(NAN, &up, true, 0.01, 5), CVB_VERDICT_SAME);
	assert_string_equal(cvb_verdict_name(CVB_VERDICT_REGRESSION), "regression");
}

/* Same distribution, different seeds, n = 30: never a verdict. */
static void test_aa_not_flagged(void **state)
{
	double a[30], b[30];

	(void)state;
	for (uint64_t s = 0; s < 50; s++) {
		normal_samples(a, 30, 1e6, 0.05, 1000 + s);
		normal_samples(b, 30, 1e6, 0.05, 2000 + s);
		struct cvb_pair p = pair_of(a, 30, b, 30, true, 5.0);
		if (p.verdict == CVB_VERDICT_REGRESSION || p.verdict == CVB_VERDICT_IMPROVEMENT)
			fail_msg("A/A seed %llu flagged: change %.2f%% p %.3g",
			         (unsigned long long)s, p.change_pct, p.test.p);
	}
}

/* 10% slower with 1% noise: a regression, with an interval around +10%. */
static void test_shift_low_noise_flagged(void **state)
{
	double a[30], b[30];
	struct cvb_pair p;

	(void)state;
	normal_samples(a, 30, 1e6, 0.01, 1);
	normal_samples(b, 30, 1.1e6, 0.01, 2);
	p = pair_of(a, 30, b, 30, true, 5.0);
	assert_int_equal(p.verdict, CVB_VERDICT_REGRESSION);
	assert_true(p.test.p < 1e-6);
	assert_true(p.change_pct > 8 && p.change_pct < 12);
	assert_true(p.change_lo > 5 && p.change_lo < p.change_pct);
	assert_true(p.change_hi > p.change_pct && p.change_hi < 15);
	assert_true(p.new_ci_lo < p.new_median && p.new_median < p.new_ci_hi);
	/* for a higher-is-better metric the same shift is an improvement */
	p = pair_of(a, 30, b, 30, false, 5.0);
	assert_int_equal(p.verdict, CVB_VERDICT_IMPROVEMENT);
	/* and reversed, a regression again */
	p = pair_of(b, 30, a, 30, false, 5.0);
	assert_int_equal(p.verdict, CVB_VERDICT_REGRESSION);
	assert_true(p.change_pct < -5);
}

/* 10% slower inside 50% noise with n = 10: not a regression. */
static void test_shift_in_large_noise_not_flagged(void **state)
{
	double a[10], b[10];

	(void)state;
	for (uint64_t s = 0; s < 20; s++) {
		normal_samples(a, 10, 1e6, 0.5, 300 + s);
		normal_samples(b, 10, 1.1e6, 0.5, 400 + s);
		struct cvb_pair p = pair_of(a, 10, b, 10, true, 5.0);
		assert_int_not_equal(p.verdict, CVB_VERDICT_REGRESSION);
		assert_int_not_equal(p.verdict, CVB_VERDICT_IMPROVEMENT);
	}
}

/* The same inputs and seed give the very same interval. */
static void test_bootstrap_deterministic(void **state)
{
	double a[20], b[25];
	struct cvb_pair p, q;

	(void)state;
	normal_samples(a, 20, 100, 0.2, 5);
	normal_samples(b, 25, 110, 0.2, 6);
	p = pair_of(a, 20, b, 25, true, 5);
	q = pair_of(a, 20, b, 25, true, 5);
	assert_memory_equal(&p.change_lo, &q.change_lo, sizeof(double));
	assert_memory_equal(&p.change_hi, &q.change_hi, sizeof(double));
	assert_memory_equal(&p.new_ci_lo, &q.new_ci_lo, sizeof(double));
}

static void test_zero_base_median(void **state)
{
	static const double zeros[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	static const double ones[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
	struct cvb_pair p;

	(void)state;
	p = pair_of(zeros, 10, zeros, 10, true, 5);
	assert_true(p.change_pct == 0.0);
	assert_int_equal(p.verdict, CVB_VERDICT_SAME);
	p = pair_of(zeros, 10, ones, 10, true, 5);
	assert_true(isinf(p.change_pct) && p.change_pct > 0);
	assert_int_equal(p.verdict, CVB_VERDICT_REGRESSION);
}

static void test_threshold_overrides(void **state)
{
	struct cvb_compare_options o;
	const struct cvb_metric_threshold t[] = {
	    {"startup_ns", 15}, {"host_*_bytes", 1}, {"host_pss_bytes", 2}};

	(void)state;
	cvb_compare_options_init(&o);
	o.threshold_pct = 7;
	o.thresholds = t;
	o.n_thresholds = LEN(t);
	assert_true(cvb_compare_threshold_for(&o, "startup_ns") == 15);
	assert_true(cvb_compare_threshold_for(&o, "host_rss_bytes") == 1);
	assert_true(cvb_compare_threshold_for(&o, "host_pss_bytes") == 2); /* last match wins */
	assert_true(cvb_compare_threshold_for(&o, "agent_cpu_ns") == 7);
}

/* Two files: base and a new one where startup_ns is 10% slower and
 * agent_cpu_ns unchanged, plus cells on one side only. */
static void make_files(struct cvb_results_file *base, struct cvb_results_file *cur,
                       double slow_factor)
{
	double a[30], b[30], c[30];
	cJSON *db = fx_doc("20260101T000000-1", "h"), *dn = fx_doc("20260101T000100-2", "h");
	cJSON *cb, *cn;

	normal_samples(a, 30, 1e6, 0.01, 11);
	normal_samples(b, 30, 1e6 * slow_factor, 0.01, 12);
	normal_samples(c, 30, 5e5, 0.01, 13);
	/* base: no labels (old file); new: explicit labels as run writes them */
	cb = fx_cell(db, "native", "ready", NULL);
	fx_metric(cb, "startup_ns", "ns", "lower", a, 30);
	fx_metric(cb, "agent_cpu_ns", "ns", "lower", c, 30);
	fx_metric(cb, "ops_per_s", "ops/s", "higher", c, 30);
	fx_metric(fx_cell(db, "container", "ready", NULL), "startup_ns", "ns", "lower", a, 30);
	cn = fx_cell(dn, "native", "ready", "native/ready");
	fx_metric(cn, "startup_ns", "ns", "lower", b, 30);
	fx_metric(cn, "agent_cpu_ns", "ns", "lower", c, 30);
	fx_metric(cn, "ops_per_s", "ops/s", "higher", c, 30);
	fx_metric(cn, "host_rss_bytes", "bytes", "lower", c, 30);
	fx_metric(fx_cell(dn, "vm", "ready", "vm/ready"), "startup_ns", "ns", "lower", b, 30);
	fx_load(db, "base.json", base);
	fx_load(dn, "new.json", cur);
	cJSON_Delete(db);
	cJSON_Delete(dn);
}

static void test_compare_files(void **state)
{
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};

	(void)state;
	make_files(&base, &cur, 1.1);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.n_pairs, 3);
	assert_string_equal(c.pairs[0].label, "native/ready");
	assert_string_equal(c.pairs[0].metric, "startup_ns");
	assert_int_equal(c.pairs[0].verdict, CVB_VERDICT_REGRESSION);
	assert_string_equal(c.pairs[1].metric, "agent_cpu_ns");
	assert_int_equal(c.pairs[1].verdict, CVB_VERDICT_SAME);
	assert_true(c.pairs[1].change_pct == 0.0);
	assert_int_equal(c.count[CVB_VERDICT_REGRESSION], 1);
	assert_int_equal(c.n_only_base, 1);
	assert_string_equal(c.only_base[0], "container/ready");
	assert_int_equal(c.n_only_new, 1);
	assert_string_equal(c.only_new[0], "vm/ready");
	assert_int_equal(c.n_skipped, 1);
	assert_string_equal(c.skipped[0].metric, "host_rss_bytes");
	assert_string_equal(c.skipped[0].reason, "not in the base file");
	assert_false(c.hosts_differ);
	cvb_comparison_free(&c);

	/* a per-metric threshold above the shift turns it into "same" */
	const struct cvb_metric_threshold t[] = {{"startup_ns", 15}};
	o.thresholds = t;
	o.n_thresholds = 1;
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.pairs[0].verdict, CVB_VERDICT_SAME);
	assert_true(c.pairs[0].threshold_pct == 15);
	assert_int_equal(c.count[CVB_VERDICT_REGRESSION], 0);
	cvb_comparison_free(&c);

	/* --metric selects */
	const char *globs[] = {"agent_*"};
	o.n_thresholds = 0;
	o.metric_globs = globs;
	o.n_metric_globs = 1;
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.n_pairs, 1);
	assert_string_equal(c.pairs[0].metric, "agent_cpu_ns");
	cvb_comparison_free(&c);

	/* ... and a glob that selects nothing is bad input */
	globs[0] = "nosuch_*";
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "--metric"));
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

/* The pair's interval does not depend on what else is selected. */
static void test_pair_seed_independent_of_selection(void **state)
{
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison all, one;
	struct cvb_error err = {0};
	const char *globs[] = {"ops_per_s"};

	(void)state;
	make_files(&base, &cur, 1.1);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&base, &cur, &o, &all, &err), 0);
	o.metric_globs = globs;
	o.n_metric_globs = 1;
	assert_int_equal(cvb_compare(&base, &cur, &o, &one, &err), 0);
	assert_memory_equal(&all.pairs[2].change_lo, &one.pairs[0].change_lo, sizeof(double));
	assert_memory_equal(&all.pairs[2].new_ci_hi, &one.pairs[0].new_ci_hi, sizeof(double));
	cvb_comparison_free(&all);
	cvb_comparison_free(&one);
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

static void test_nothing_comparable(void **state)
{
	struct cvb_results_file a, b;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	static const double v[] = {1, 2, 3};
	cJSON *da = fx_doc("20260101T000000-1", "h"), *db = fx_doc("20260101T000000-2", "h");

	(void)state;
	fx_metric(fx_cell(da, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 3);
	fx_metric(fx_cell(db, "native", "idle", NULL), "startup_ns", "ns", "lower", v, 3);
	fx_load(da, "a.json", &a);
	fx_load(db, "b.json", &b);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&a, &b, &o, &c, &err), -1);
	assert_non_null(strstr(err.msg, "share no cell"));
	cvb_results_free(&b);

	/* shared cell, but the new side has no samples */
	cJSON_Delete(db);
	db = fx_doc("20260101T000000-2", "h");
	fx_metric(fx_cell(db, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 0);
	fx_load(db, "b.json", &b);
	assert_int_equal(cvb_compare(&a, &b, &o, &c, &err), -1);
	assert_non_null(strstr(err.msg, "no samples in the new file"));

	/* different schema versions */
	b.schema_version = 2;
	assert_int_equal(cvb_compare(&a, &b, &o, &c, &err), -1);
	assert_non_null(strstr(err.msg, "schema_version"));
	cvb_results_free(&a);
	cvb_results_free(&b);
	cJSON_Delete(da);
	cJSON_Delete(db);
}

static char *render(const struct cvb_compare_report *r, enum cvb_compare_format fmt)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct cvb_error err = {0};

	assert_non_null(mem);
	assert_int_equal(cvb_compare_report_write(mem, fmt, r, &err), 0);
	fclose(mem);
	return text;
}

static void test_report_formats(void **state)
{
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	struct cvb_compare_report r = {.base = &base, .cur = &cur, .options = &o, .comparison = &c};
	char *text;
	cJSON *doc, *e;

	(void)state;
	make_files(&base, &cur, 1.1);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);

	/* github: an array of {name, unit, value, range, extra}, smaller-is-better only */
	text = render(&r, CVB_COMPARE_GITHUB);
	doc = cJSON_Parse(text);
	assert_true(cJSON_IsArray(doc));
	assert_int_equal(cJSON_GetArraySize(doc), 2);
	cJSON_ArrayForEach(e, doc)
	{
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "name")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "unit")));
		assert_true(cJSON_IsNumber(cJSON_GetObjectItem(e, "value")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "range")));
		assert_true(cJSON_IsString(cJSON_GetObjectItem(e, "extra")));
		assert_int_equal(cJSON_GetArraySize(e), 5);
	}
	e = cJSON_GetArrayItem(doc, 0);
	assert_string_equal(cJSON_GetObjectItem(e, "name")->valuestring, "native/ready startup_ns");
	assert_string_equal(cJSON_GetObjectItem(e, "unit")->valuestring, "ns");
	assert_true(cJSON_GetObjectItem(e, "value")->valuedouble == c.pairs[0].new_median);
	assert_true(strncmp(cJSON_GetObjectItem(e, "range")->valuestring, "± ", 3) == 0);
	assert_non_null(strstr(cJSON_GetObjectItem(e, "extra")->valuestring, "p="));
	assert_non_null(strstr(cJSON_GetObjectItem(e, "extra")->valuestring, "regression"));
	cJSON_Delete(doc);
	free(text);

	/* bigger: only the higher-is-better metric */
	r.github_bigger = true;
	text = render(&r, CVB_COMPARE_GITHUB);
	doc = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(doc), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 0), "name")->valuestring,
	                    "native/ready ops_per_s");
	cJSON_Delete(doc);
	free(text);

	/* json: every pair with its numbers, the one-sided cells, a summary */
	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "comparisons")), 3);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "comparisons"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "verdict")->valuestring, "regression");
	assert_string_equal(cJSON_GetObjectItem(e, "p_method")->valuestring, "normal");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(e, "change_pct_ci95")), 2);
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "only_in_base"), 0)->valuestring,
	    "container/ready");
	assert_int_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "summary"), "regression")->valueint, 1);
	cJSON_Delete(doc);
	free(text);

	/* markdown: a table; text: aligned columns and the summary line */
	text = render(&r, CVB_COMPARE_MARKDOWN);
	assert_non_null(strstr(text, "| cell | metric | unit |"));
	assert_non_null(strstr(text, "**REGRESSION**"));
	free(text);
	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "REGRESSION"));
	assert_non_null(strstr(text, "only in base: container/ready"));
	assert_non_null(strstr(text, "3 compared: 1 regression, 0 improvements, 2 same, 0 noise"));
	free(text);

	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

/* Files from different hosts compare, with a note saying so. */
static void test_hosts_differ_noted(void **state)
{
	static const double v[] = {1, 2, 3, 4, 5, 6, 7, 8};
	struct cvb_results_file a, b;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	struct cvb_compare_report r = {.base = &a, .cur = &b, .options = &o, .comparison = &c};
	cJSON *da = fx_doc("20260101T000000-1", "alpha"), *db = fx_doc("20260101T000000-2", "beta");
	char *text;

	(void)state;
	fx_metric(fx_cell(da, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 8);
	fx_metric(fx_cell(db, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 8);
	fx_load(da, "a.json", &a);
	fx_load(db, "b.json", &b);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&a, &b, &o, &c, &err), 0);
	assert_true(c.hosts_differ);
	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "note: measured on different hosts"));
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&a);
	cvb_results_free(&b);
	cJSON_Delete(da);
	cJSON_Delete(db);
}

/* n values 1e6 * (1 + spread * i / n) * scale: set_samples.py's shape. */
static void even_samples(double *x, size_t n, double spread, double scale)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 1e6 * (1.0 + spread * (double)i / (double)n) * scale;
}

/* A base and a new file with one cell, native/ready, and one metric. */
static void one_metric_files(struct cvb_results_file *base, struct cvb_results_file *cur,
                             const char *run_base, const char *run_new, const char *metric,
                             const char *unit, const double *b, size_t nb, const double *n,
                             size_t nn)
{
	cJSON *db = fx_doc(run_base, "h"), *dn = fx_doc(run_new, "h");

	fx_metric(fx_cell(db, "native", "ready", "native/ready"), metric, unit, "lower", b, nb);
	fx_metric(fx_cell(dn, "native", "ready", "native/ready"), metric, unit, "lower", n, nn);
	fx_load(db, "base.json", base);
	fx_load(dn, "new.json", cur);
	cJSON_Delete(db);
	cJSON_Delete(dn);
}

/* Every pair gets an MDE: tight samples a small one, 5 wide ones a large
 * one; the gate cannot flag a change below it. */
static void test_pair_mde(void **state)
{
	double tight[30], wide[5], wide6[5];
	struct cvb_pair p;

	(void)state;
	even_samples(tight, 30, 0.001, 1.0);
	p = pair_of(tight, 30, tight, 30, true, 5.0);
	assert_true(p.mde_pct > 0.0 && p.mde_pct < 0.1);
	assert_false(p.too_few);
	assert_true(p.base_ci_lo <= p.base_median && p.base_median <= p.base_ci_hi);
	even_samples(wide, 5, 1.0, 1.0);
	even_samples(wide6, 5, 1.0, 1.06);
	p = pair_of(wide, 5, wide6, 5, true, 5.0);
	assert_true(p.mde_pct > 50.0);
	/* 3 + 3 samples: nothing is detectable at 0.01 */
	p = pair_of(wide, 3, wide6, 3, true, 5.0);
	assert_true(isinf(p.mde_pct));
}

/* The noise fixture of test_compare.sh (spread 100%, +6%), with 5 and 15
 * samples: "noise" that means "too few samples to tell", with what could
 * have been detected and the --reps that would tell. */
static void test_too_few_samples_wording(void **state)
{
	double b[15], n[15];
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	struct cvb_compare_report r = {.base = &base, .cur = &cur, .options = &o, .comparison = &c};
	char *text;
	cJSON *doc, *e;

	(void)state;
	even_samples(b, 15, 1.0, 1.0);
	even_samples(n, 15, 1.0, 1.06);
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "startup_ns", "ns",
	                 b, 15, n, 15);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	const struct cvb_pair *p = &c.pairs[0];
	assert_int_equal(p->verdict, CVB_VERDICT_NOISE);
	assert_true(p->mde_pct > 5.0 && p->mde_pct < 100.0);
	assert_true(p->too_few);
	assert_true(p->reps_needed > 15 && p->reps_needed <= CVB_MDE_REPS_MAX);

	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "noise: too few samples to tell"));
	assert_non_null(
	    strstr(text, "~ too few samples to tell: could detect only changes above "));
	assert_non_null(strstr(text, "raise --reps to about "));
	assert_non_null(strstr(text, "to tell a +6.0% change (80% power)"));
	assert_non_null(strstr(text, "~ +6.0%")); /* not significant */
	free(text);

	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "comparisons"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "verdict")->valuestring, "noise");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(e, "too_few_samples")));
	assert_true(cJSON_GetObjectItem(e, "mde_pct")->valuedouble == p->mde_pct);
	assert_string_equal(cJSON_GetObjectItem(e, "mde_status")->valuestring, "ok");
	assert_true(cJSON_GetObjectItem(e, "reps_needed")->valuedouble == (double)p->reps_needed);
	assert_non_null(
	    strstr(cJSON_GetObjectItem(e, "verdict_note")->valuestring, "too few samples to tell"));
	cJSON_Delete(doc);
	free(text);

	text = render(&r, CVB_COMPARE_MARKDOWN);
	assert_non_null(strstr(text, "| n | MDE | thr | verdict |"));
	assert_non_null(strstr(text, "- native/ready startup_ns: too few samples to tell"));
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);

	/* 3 + 3: no change could reach p < 0.01; the note says how many would */
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "startup_ns", "ns",
	                 b, 3, n, 3);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_true(isinf(c.pairs[0].mde_pct));
	assert_true(c.pairs[0].too_few);
	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(
	    strstr(text, "with n=3 no change can reach p < 0.01 (5 per side at least)"));
	assert_non_null(strstr(text, "none"));
	free(text);
	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "comparisons"), 0);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(e, "mde_pct")));
	assert_string_equal(cJSON_GetObjectItem(e, "mde_status")->valuestring, "unbounded");
	cJSON_Delete(doc);
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);

	/* a real 30% slowdown of tight samples is flagged and says nothing of
	 * samples; an A/A of them is "same" */
	even_samples(b, 15, 0.1, 1.0);
	even_samples(n, 15, 0.1, 1.3);
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "startup_ns", "ns",
	                 b, 15, n, 15);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.pairs[0].verdict, CVB_VERDICT_REGRESSION);
	assert_false(c.pairs[0].too_few);
	assert_true(c.pairs[0].mde_pct < 30.0);
	text = render(&r, CVB_COMPARE_TEXT);
	assert_null(strstr(text, "too few"));
	assert_non_null(strstr(text, " +30.0%"));
	assert_null(strstr(text, "~ +30.0%"));
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

/* One run_id on both sides, or identical samples: a warning. */
static void test_same_run_warned(void **state)
{
	double b[15], n[15];
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	struct cvb_compare_report r = {.base = &base, .cur = &cur, .options = &o, .comparison = &c};
	char *text, buf[1024];
	cJSON *doc;

	(void)state;
	even_samples(b, 15, 0.1, 1.0);
	even_samples(n, 15, 0.1, 1.3);
	cvb_compare_options_init(&o);

	/* the same run_id, other samples (a fixture made from one run) */
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000000-1", "startup_ns", "ns",
	                 b, 15, n, 15);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.same_run, CVB_SAME_RUN_ID);
	assert_non_null(strstr(cvb_compare_same_run_text(&base, &cur, &c, buf, sizeof(buf)),
	                       "are the same run (run_id 20260101T000000-1)"));
	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "\nwarning: 'base.json' and 'new.json' are the same run"));
	free(text);
	text = render(&r, CVB_COMPARE_MARKDOWN);
	assert_non_null(strstr(text, "- **warning**: 'base.json' and 'new.json' are the same run"));
	free(text);
	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "same_run")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "warnings")), 1);
	cJSON_Delete(doc);
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);

	/* two run_ids, identical samples: a copy of one run */
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "startup_ns", "ns",
	                 b, 15, b, 15);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.same_run, CVB_SAME_RUN_SAMPLES);
	assert_int_equal(c.n_identical, 1);
	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "warning: 'base.json' and 'new.json' hold identical samples"));
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);

	/* two runs: no warning */
	one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "startup_ns", "ns",
	                 b, 15, n, 15);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	assert_int_equal(c.same_run, CVB_SAME_RUN_NO);
	assert_string_equal(cvb_compare_same_run_text(&base, &cur, &c, buf, sizeof(buf)), "");
	text = render(&r, CVB_COMPARE_TEXT);
	assert_null(strstr(text, "warning"));
	free(text);
	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "same_run")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "warnings")), 0);
	cJSON_Delete(doc);
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

/* Three cells of startup_ns: medians 1 ms -> 2 ms, 4 ms -> 8 ms, and a
 * zero base median (left out): geometric means 2 ms -> 4 ms, +100%. */
static void test_geomean_row(void **state)
{
	double b1[5], n1[5], b2[5], n2[5];
	static const double zeros[5] = {0, 0, 0, 0, 0};
	struct cvb_results_file base, cur;
	struct cvb_compare_options o;
	struct cvb_comparison c;
	struct cvb_error err = {0};
	struct cvb_compare_report r = {.base = &base, .cur = &cur, .options = &o, .comparison = &c};
	struct cvb_geomean g;
	cJSON *db = fx_doc("20260101T000000-1", "h"), *dn = fx_doc("20260101T000100-2", "h");
	char *text;
	cJSON *doc, *e;

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		b1[i] = 1e6 + (double)i - 2.0;
		n1[i] = 2e6 + (double)i - 2.0;
		b2[i] = 4e6 + (double)i - 2.0;
		n2[i] = 8e6 + (double)i - 2.0;
	}
	fx_metric(fx_cell(db, "native", "ready", "native/ready"), "startup_ns", "ns", "lower", b1,
	          5);
	fx_metric(fx_cell(dn, "native", "ready", "native/ready"), "startup_ns", "ns", "lower", n1,
	          5);
	fx_metric(fx_cell(db, "container", "ready", "container/ready"), "startup_ns", "ns", "lower",
	          b2, 5);
	fx_metric(fx_cell(dn, "container", "ready", "container/ready"), "startup_ns", "ns", "lower",
	          n2, 5);
	fx_metric(fx_cell(db, "vm", "ready", "vm/ready"), "startup_ns", "ns", "lower", zeros, 5);
	fx_metric(fx_cell(dn, "vm", "ready", "vm/ready"), "startup_ns", "ns", "lower", n2, 5);
	fx_load(db, "base.json", &base);
	fx_load(dn, "new.json", &cur);
	cJSON_Delete(db);
	cJSON_Delete(dn);
	cvb_compare_options_init(&o);
	assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
	cvb_comparison_geomean(&c, "startup_ns", &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.n_skipped, 1);
	assert_near(g.base, 2e6, 1e-3);
	assert_near(g.cur, 4e6, 1e-3);
	assert_near(g.change_pct, 100.0, 1e-9);
	cvb_comparison_geomean(&c, "nosuch", &g);
	assert_int_equal(g.n, 0);
	assert_true(isnan(g.base));

	text = render(&r, CVB_COMPARE_TEXT);
	assert_non_null(strstr(text, "\nstartup_ns (ns, lower is better)\n"));
	const char *row = strstr(text, "\ngeomean (2 of 3)");
	assert_non_null(row);
	const char *eol = strchr(row + 1, '\n');
	char line[256];
	snprintf(line, sizeof(line), "%.*s", (int)(eol - row - 1), row + 1);
	assert_non_null(strstr(line, "2.000 ms"));
	assert_non_null(strstr(line, "4.000 ms"));
	assert_non_null(strstr(line, "+100.0%"));
	assert_true(line[strlen(line) - 1] != ' '); /* no trailing blanks */
	free(text);
	text = render(&r, CVB_COMPARE_JSON);
	doc = cJSON_Parse(text);
	e = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "geomeans"), 0);
	assert_string_equal(cJSON_GetObjectItem(e, "metric")->valuestring, "startup_ns");
	assert_int_equal(cJSON_GetObjectItem(e, "pairs")->valueint, 2);
	assert_near(cJSON_GetObjectItem(e, "change_pct")->valuedouble, 100.0, 1e-9);
	cJSON_Delete(doc);
	free(text);
	text = render(&r, CVB_COMPARE_MARKDOWN);
	assert_non_null(strstr(text, "| metric | cells | base geomean | new geomean | change |"));
	assert_non_null(strstr(text, "| startup_ns | 2 | 2.000 ms | 4.000 ms | +100.0% |"));
	free(text);
	cvb_comparison_free(&c);
	cvb_results_free(&base);
	cvb_results_free(&cur);
}

/* ns as ns/us/ms/s and bytes as B/KiB/MiB/GiB, with half the median's
 * interval beside them. */
static void test_humanised_units(void **state)
{
	static const struct {
		const char *unit;
		double v;
		const char *text;
	} cases[] = {
	    {"ns", 145.2, "145.2 ns"},
	    {"ns", 12345.0, "12.35 us"},
	    {"ns", 2.5e6, "2.500 ms"},
	    {"ns", 1.5e9, "1.500 s"},
	    {"bytes", 512, "512 B"},
	    {"bytes", 1536, "1.500 KiB"},
	    {"bytes", 3145728, "3.000 MiB"},
	    {"bytes", 2.5 * 1073741824.0, "2.500 GiB"},
	    {"bytes/s", 1048576, "1.000 MiB/s"},
	    {"ops/s", 123456, "123.5k"},
	};
	struct cvb_compare_options o;

	(void)state;
	cvb_compare_options_init(&o);
	for (size_t k = 0; k < LEN(cases); k++) {
		double v[8];
		struct cvb_results_file base, cur;
		struct cvb_comparison c;
		struct cvb_error err = {0};
		struct cvb_compare_report r = {
		    .base = &base, .cur = &cur, .options = &o, .comparison = &c};
		char want[64], *text;

		for (size_t i = 0; i < 8; i++)
			v[i] = cases[k].v;
		one_metric_files(&base, &cur, "20260101T000000-1", "20260101T000100-2", "m",
		                 cases[k].unit, v, 8, v, 8);
		assert_int_equal(cvb_compare(&base, &cur, &o, &c, &err), 0);
		text = render(&r, CVB_COMPARE_TEXT);
		snprintf(want, sizeof(want), "  %s ± 0.0%%  ", cases[k].text);
		if (!strstr(text, want))
			fail_msg("%s %g: no '%s' in\n%s", cases[k].unit, cases[k].v, want, text);
		free(text);
		cvb_comparison_free(&c);
		cvb_results_free(&base);
		cvb_results_free(&cur);
	}
}

static void test_format_names(void **state)
{
	enum cvb_compare_format f;

	(void)state;
	assert_int_equal(cvb_compare_format_parse("github", &f), 0);
	assert_int_equal(f, CVB_COMPARE_GITHUB);
	assert_int_equal(cvb_compare_format_parse("markdown", &f), 0);
	assert_int_equal(f, CVB_COMPARE_MARKDOWN);
	assert_int_equal(cvb_compare_format_parse("csv", &f), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_verdict_rule),
	    cmocka_unit_test(test_aa_not_flagged),
	    cmocka_unit_test(test_shift_low_noise_flagged),
	    cmocka_unit_test(test_shift_in_large_noise_not_flagged),
	    cmocka_unit_test(test_bootstrap_deterministic),
	    cmocka_unit_test(test_zero_base_median),
	    cmocka_unit_test(test_threshold_overrides),
	    cmocka_unit_test(test_compare_files),
	    cmocka_unit_test(test_pair_seed_independent_of_selection),
	    cmocka_unit_test(test_nothing_comparable),
	    cmocka_unit_test(test_report_formats),
	    cmocka_unit_test(test_hosts_differ_noted),
	    cmocka_unit_test(test_format_names),
	    cmocka_unit_test(test_pair_mde),
	    cmocka_unit_test(test_too_few_samples_wording),
	    cmocka_unit_test(test_same_run_warned),
	    cmocka_unit_test(test_geomean_row),
	    cmocka_unit_test(test_humanised_units),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
