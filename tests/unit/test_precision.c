/* Adaptive repetition (harness/run/precision.c): when a --precision cell closes
 * and why, what cvb_precision_rounds gives the runner, and the cell's
 * "repetition" record. Cells are built by hand with fixture samples (a
 * fixed PRNG seed for the wide ones), so nothing depends on the host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "double_asserts.h"

#include "plan.h"
#include "precision.h"
#include "results.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "args_fixture.h"

#define FIXTURE_SEED 20240611u

/* Which samples a series gets. */
enum spread { TIGHT, WIDE };

/* One value: TIGHT is 1000 +- 1% (uniform), WIDE is lognormal with
 * median 1000 and sigma 1 (Box-Muller on the harness's own PRNG). */
static double draw(struct cvb_rng *rng, enum spread kind)
{
	double u1 = ((double)(cvb_rng_next(rng) >> 11) + 1.0) / 9007199254740993.0; /* (0, 1] */
	double u2 = (double)(cvb_rng_next(rng) >> 11) / 9007199254740992.0;         /* [0, 1) */
	if (kind == TIGHT)
		return 1000.0 * (0.99 + 0.02 * u2);
	double z = sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
	return 1000.0 * exp(z);
}

/* Appends n values of `kind` to the cell's series `name`. */
static void add_values(struct cvb_cell *c, const char *name, enum spread kind, size_t n,
                       struct cvb_rng *rng)
{
	struct cvb_series *s = cvb_cell_series(c, name, "ns", CVB_LOWER_IS_BETTER);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(cvb_series_add(s, draw(rng, kind), (unsigned)s->n), 0);
}

/* Sets the counters as the runner would after `measured` measured rounds
 * (all ok) on top of the plan's warm-up. */
static void set_measured(struct cvb_cell *c, unsigned measured)
{
	c->rounds_run = c->plan->warmup + measured;
	c->warmup_done = c->plan->warmup;
	c->measured_ok = measured;
}

/* A fresh cell of `plan` with `measured` launches of `kind` in startup_ns. */
static void cell_with(struct cvb_cell *c, const struct cvb_plan *plan, enum spread kind,
                      unsigned measured, struct cvb_rng *rng)
{
	memset(c, 0, sizeof(*c));
	c->plan = plan;
	add_values(c, "startup_ns", kind, measured, rng);
	set_measured(c, measured);
}

static void assert_starts_with(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0)
		fail_msg("\"%s\" does not start with \"%s\"", s, prefix);
}

static void assert_has(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("\"%s\" lacks \"%s\"", s, needle);
}

/* --precision 5% --max-reps 40 with the default --reps 30, --warmup 3. */
static void precision_plan(struct args *a, struct cvb_plan *plan)
{
	ARGS(a, "--precision", "5%", "--max-reps", "40");
	parse_ok(a, plan);
	assert_near(plan->precision, 0.05, 1e-15);
	assert_int_equal(plan->reps, 30);
	assert_int_equal(plan->warmup, 3);
	assert_int_equal(plan->max_reps, 40);
}

/* Tight samples: the target is met as soon as the minimum is there. */
static void test_tight_closes_at_reps(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	precision_plan(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 30, &rng);
	assert_int_equal(cvb_precision_rounds(&c), 3 + 40); /* open: up to --max-reps */
	assert_true(cvb_precision_check(&c, 0));
	assert_true(c.closed);
	assert_int_equal(c.closed_rounds, 3 + 30);
	assert_int_equal(cvb_precision_rounds(&c), 33);
	assert_starts_with(c.stop_reason, "precision +-5% reached");
	assert_has(c.stop_reason, "after 30 measured launches");
	assert_has(c.stop_reason, "startup_ns +-");
	assert_true(c.half_width[0] >= 0 && c.half_width[0] <= 0.05);
	/* Every sample is in [990, 1010], so are the median and its interval. */
	assert_true(c.half_width[0] <= 20.0 / 990.0);

	/* The very interval the results file reports (cvb_summarize) is within. */
	struct cvb_summary sum;
	assert_int_equal(
	    cvb_summarize(c.series[0].values, c.series[0].n, plan.seed, plan.resamples, &sum), 0);
	assert_true(sum.ci95_lo >= sum.p50 * (1 - 0.05) && sum.ci95_hi <= sum.p50 * (1 + 0.05));
	assert_near(c.half_width[0], fmax(sum.ci95_hi - sum.p50, sum.p50 - sum.ci95_lo) / sum.p50,
	            1e-12);
	cvb_summary_free(&sum);

	/* Closed stays closed: a second check changes nothing. */
	char reason[sizeof(c.stop_reason)];
	memcpy(reason, c.stop_reason, sizeof(reason));
	assert_false(cvb_precision_check(&c, 1000000));
	assert_string_equal(c.stop_reason, reason);
	assert_int_equal(c.closed_rounds, 33);
	cvb_cell_free(&c);
}

/* Wide samples never reach +-5% in 40 launches: the cell runs to --max-reps
 * and says so; until then every check leaves it open. */
static void test_wide_runs_to_max_reps(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	precision_plan(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, WIDE, 30, &rng);
	for (unsigned n = 30; n < 40; n++) {
		assert_false(cvb_precision_check(&c, 0));
		assert_false(c.closed);
		assert_string_equal(c.stop_reason, "");
		assert_true(c.half_width[0] > 0.05);
		assert_int_equal(cvb_precision_rounds(&c), 43);
		add_values(&c, "startup_ns", WIDE, 1, &rng);
		set_measured(&c, n + 1);
	}
	assert_true(cvb_precision_check(&c, 0));
	assert_true(c.closed);
	assert_int_equal(c.closed_rounds, 43);
	assert_int_equal(cvb_precision_rounds(&c), 43);
	assert_starts_with(c.stop_reason, "--max-reps 40 reached");
	assert_has(c.stop_reason, "after 40 measured launches");
	assert_true(c.half_width[0] > 0.05 && isfinite(c.half_width[0]));
	cvb_cell_free(&c);
}

/* Below --reps nothing closes a cell: not a met target, not a spent budget. */
static void test_below_reps_never_closes(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "40", "--time-budget", "1");
	parse_ok(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 1000);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 0, &rng);
	for (unsigned n = 0; n < 30; n++) {
		add_values(&c, "startup_ns", TIGHT, 1, &rng);
		set_measured(&c, n); /* n < --reps measured rounds so far */
		assert_false(cvb_precision_check(&c, INT64_MAX / 2));
		assert_false(c.closed);
		assert_string_equal(c.stop_reason, "");
	}
	/* Warm-up rounds do not count towards the minimum either. */
	c.rounds_run = 30;
	assert_false(cvb_precision_check(&c, INT64_MAX / 2));
	c.rounds_run = 33;
	assert_true(cvb_precision_check(&c, INT64_MAX / 2));
	assert_starts_with(c.stop_reason, "precision +-5% reached");
	cvb_cell_free(&c);
}

/* The run's budget closes an open cell once it has its --reps, and not
 * before the budget is spent. */
static void test_time_budget_closes_open_cell(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "40", "--time-budget", "10");
	parse_ok(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 10000);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, WIDE, 31, &rng);
	assert_false(cvb_precision_check(&c, 9999));
	assert_false(c.closed);
	assert_true(cvb_precision_check(&c, 10000));
	assert_true(c.closed);
	assert_int_equal(c.closed_rounds, 34);
	assert_int_equal(cvb_precision_rounds(&c), 34);
	assert_starts_with(c.stop_reason, "--time-budget 10 s spent");
	assert_has(c.stop_reason, "after 31 measured launches");
	cvb_cell_free(&c);

	/* A met target wins over a spent budget in the reason. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	assert_true(cvb_precision_check(&c, 20000));
	assert_starts_with(c.stop_reason, "precision +-5% reached");
	cvb_cell_free(&c);

	/* A fractional budget is reported as given, not rounded. */
	ARGS(&a, "--precision", "5%", "--max-reps", "40", "--time-budget", "1.5");
	parse_ok(&a, &plan);
	cell_with(&c, &plan, WIDE, 30, &rng);
	assert_false(cvb_precision_check(&c, 1499));
	assert_true(cvb_precision_check(&c, 1500));
	assert_starts_with(c.stop_reason, "--time-budget 1.5 s spent");
	cvb_cell_free(&c);

	/* Without --time-budget no elapsed time closes it. */
	precision_plan(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 0);
	cell_with(&c, &plan, WIDE, 31, &rng);
	assert_false(cvb_precision_check(&c, INT64_MAX / 2));
	cvb_cell_free(&c);
}

/* Two watched metrics: closed only when both are within. */
static void test_two_metrics_need_both(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "40", "--precision-metric",
	     "startup_ns,agent_cpu_ns");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_precision_metrics, 2);
	assert_string_equal(plan.precision_metrics[0], "startup_ns");
	assert_string_equal(plan.precision_metrics[1], "agent_cpu_ns");
	cvb_rng_seed(&rng, FIXTURE_SEED);

	/* startup_ns tight, agent_cpu_ns wide: open. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	add_values(&c, "agent_cpu_ns", WIDE, 30, &rng);
	assert_false(cvb_precision_check(&c, 0));
	assert_false(c.closed);
	assert_true(c.half_width[0] <= 0.05);
	assert_true(c.half_width[1] > 0.05);
	cvb_cell_free(&c);

	/* The other way round: open too. */
	cell_with(&c, &plan, WIDE, 30, &rng);
	add_values(&c, "agent_cpu_ns", TIGHT, 30, &rng);
	assert_false(cvb_precision_check(&c, 0));
	assert_true(c.half_width[0] > 0.05);
	assert_true(c.half_width[1] <= 0.05);
	cvb_cell_free(&c);

	/* Both tight: closed, and the reason names both widths. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	add_values(&c, "agent_cpu_ns", TIGHT, 30, &rng);
	assert_true(cvb_precision_check(&c, 0));
	assert_starts_with(c.stop_reason, "precision +-5% reached");
	assert_has(c.stop_reason, "startup_ns +-");
	assert_has(c.stop_reason, ", agent_cpu_ns +-");
	assert_true(c.half_width[0] <= 0.05 && c.half_width[1] <= 0.05);
	cvb_cell_free(&c);
}

/* A metric the cell has no (usable) series of never counts as reached. */
static void test_missing_metric_never_reached(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "40", "--precision-metric",
	     "startup_ns,agent_cpu_ns");
	parse_ok(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);

	/* No agent_cpu_ns series at all. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	for (unsigned n = 30; n < 40; n++) {
		assert_false(cvb_precision_check(&c, 0));
		assert_true(c.half_width[0] <= 0.05);
		assert_true(isinf(c.half_width[1]));
		add_values(&c, "startup_ns", TIGHT, 1, &rng);
		set_measured(&c, n + 1);
	}
	assert_true(cvb_precision_check(&c, 0));
	assert_starts_with(c.stop_reason, "--max-reps 40 reached");
	assert_has(c.stop_reason, "agent_cpu_ns not measured");
	/* The record says null for what could not be told, never a number. */
	cJSON *j = cvb_precision_to_json(&c);
	cJSON *hw = cJSON_GetObjectItemCaseSensitive(j, "half_widths");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(hw, "startup_ns")));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(hw, "agent_cpu_ns")));
	cJSON_Delete(j);
	cvb_cell_free(&c);

	/* Only an aggressor's series of that name: not the cell's metric. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	add_values(&c, "agent_cpu_ns", TIGHT, 30, &rng);
	c.series[1].role = "aggressor";
	assert_false(cvb_precision_check(&c, 0));
	assert_true(isinf(c.half_width[1]));
	cvb_cell_free(&c);

	/* A series with one value, or with median 0, cannot tell a width. */
	cell_with(&c, &plan, TIGHT, 30, &rng);
	add_values(&c, "agent_cpu_ns", TIGHT, 1, &rng);
	assert_false(cvb_precision_check(&c, 0));
	assert_true(isinf(c.half_width[1]));
	cvb_cell_free(&c);

	cell_with(&c, &plan, TIGHT, 30, &rng);
	struct cvb_series *z = cvb_cell_series(&c, "agent_cpu_ns", "ns", CVB_LOWER_IS_BETTER);
	assert_non_null(z);
	for (unsigned i = 0; i < 30; i++)
		assert_int_equal(cvb_series_add(z, 0.0, i), 0);
	assert_false(cvb_precision_check(&c, 0));
	assert_true(isinf(c.half_width[1]));
	cvb_cell_free(&c);

	/* A cell with no series at all under the default metric. */
	precision_plan(&a, &plan);
	memset(&c, 0, sizeof(c));
	c.plan = &plan;
	set_measured(&c, 30);
	assert_false(cvb_precision_check(&c, 0));
	assert_true(isinf(c.half_width[0]));
	cvb_cell_free(&c);
}

/* Skipped and failed cells are left alone. */
static void test_skipped_failed_left_alone(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	precision_plan(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 30, &rng);
	c.status = CVB_CELL_SKIPPED;
	assert_false(cvb_precision_check(&c, 0));
	c.status = CVB_CELL_FAILED;
	assert_false(cvb_precision_check(&c, 0));
	assert_false(c.closed);
	c.status = CVB_CELL_OK;
	assert_true(cvb_precision_check(&c, 0));
	cvb_cell_free(&c);
}

/* Without --precision: never closed, --reps rounds after the warm-up. */
static void test_fixed_reps_plan(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	ARGS(&a, NULL);
	parse_ok(&a, &plan);
	assert_true(plan.precision == 0);
	assert_int_equal(plan.max_reps, 0);
	assert_int_equal(plan.n_precision_metrics, 0);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 30, &rng);
	assert_int_equal(cvb_precision_rounds(&c), 3 + 30);
	assert_false(cvb_precision_check(&c, 0));
	assert_false(cvb_precision_check(&c, INT64_MAX / 2));
	assert_false(c.closed);
	assert_string_equal(c.stop_reason, "");
	assert_int_equal(cvb_precision_rounds(&c), 33);
	cvb_cell_free(&c);

	/* --time-budget alone changes nothing for such a cell. */
	ARGS(&a, "--reps", "5", "--warmup", "1", "--time-budget", "1");
	parse_ok(&a, &plan);
	cell_with(&c, &plan, WIDE, 5, &rng);
	assert_int_equal(cvb_precision_rounds(&c), 6);
	assert_false(cvb_precision_check(&c, 1000000));
	assert_false(c.closed);
	assert_int_equal(cvb_precision_rounds(&c), 6);

	cJSON *j = cvb_precision_to_json(&c);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "mode")->valuestring, "fixed");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "reps")));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "reps")->valueint, 5);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "target"));
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "stopped_because"));
	cJSON_Delete(j);
	cvb_cell_free(&c);
}

/* A closed cell's round count is what it had when it closed, whatever the
 * plan's bounds. */
static void test_closed_rounds_rule(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	precision_plan(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 36, &rng); /* closes late, e.g. after a budget */
	c.rounds_done = 2;                     /* a resumed cell: rounds from before count */
	c.rounds_run = 37;
	assert_true(cvb_precision_check(&c, 0));
	assert_int_equal(c.closed_rounds, 39);
	assert_int_equal(cvb_precision_rounds(&c), 39);
	c.closed_rounds = 7; /* whatever it says, it is what the runner gets */
	assert_int_equal(cvb_precision_rounds(&c), 7);
	cvb_cell_free(&c);
}

/* The cell's "repetition" record, open and closed. */
static void test_to_json_shape(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_cell c;
	struct cvb_rng rng;

	(void)state;
	precision_plan(&a, &plan);
	cvb_rng_seed(&rng, FIXTURE_SEED);
	cell_with(&c, &plan, TIGHT, 30, &rng);

	/* Open (an interrupted run's record): no widths, no reason yet. */
	cJSON *j = cvb_precision_to_json(&c);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "mode")->valuestring, "precision");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "stopped_because")));
	cJSON *hw = cJSON_GetObjectItemCaseSensitive(j, "half_widths");
	assert_true(cJSON_IsObject(hw));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(hw, "startup_ns")));
	cJSON_Delete(j);

	assert_true(cvb_precision_check(&c, 0));
	j = cvb_precision_to_json(&c);
	assert_true(cJSON_IsObject(j));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "mode")->valuestring, "precision");
	cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "target");
	assert_true(cJSON_IsNumber(t));
	assert_near(t->valuedouble, 0.05, 1e-15);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "min_reps")->valueint, 30);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "max_reps")->valueint, 40);
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "reps"));
	cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "metrics");
	assert_true(cJSON_IsArray(m));
	assert_int_equal(cJSON_GetArraySize(m), 1);
	assert_string_equal(cJSON_GetArrayItem(m, 0)->valuestring, "startup_ns");
	hw = cJSON_GetObjectItemCaseSensitive(j, "half_widths");
	assert_true(cJSON_IsObject(hw));
	assert_int_equal(cJSON_GetArraySize(hw), 1);
	cJSON *w = cJSON_GetObjectItemCaseSensitive(hw, "startup_ns");
	assert_true(cJSON_IsNumber(w));
	assert_same_double(w->valuedouble, c.half_width[0]);
	cJSON *why = cJSON_GetObjectItemCaseSensitive(j, "stopped_because");
	assert_true(cJSON_IsString(why));
	assert_string_equal(why->valuestring, c.stop_reason);
	/* Nothing else: the schema's properties and no more. */
	assert_int_equal(cJSON_GetArraySize(j), 7);
	cJSON_Delete(j);
	cvb_cell_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tight_closes_at_reps),
	    cmocka_unit_test(test_wide_runs_to_max_reps),
	    cmocka_unit_test(test_below_reps_never_closes),
	    cmocka_unit_test(test_time_budget_closes_open_cell),
	    cmocka_unit_test(test_two_metrics_need_both),
	    cmocka_unit_test(test_missing_metric_never_reached),
	    cmocka_unit_test(test_skipped_failed_left_alone),
	    cmocka_unit_test(test_fixed_reps_plan),
	    cmocka_unit_test(test_closed_rounds_rule),
	    cmocka_unit_test(test_to_json_shape),
	};
	return cmocka_run_group_tests_name("precision", tests, NULL, NULL);
}
