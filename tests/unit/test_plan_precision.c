/* `cvbench run` repetition options (harness/plan/plan_parse.c): --precision,
 * --precision-metric, --max-reps and --time-budget, their defaults, and the
 * one-line messages for what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "double_asserts.h"

#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "args_fixture.h"

/* "5%", "5" and "0.5%" are percentages; the plan holds fractions. */
static void test_precision_accepted(void **state)
{
	static const struct {
		const char *arg;
		double want;
	} cases[] = {
	    {"5%", 0.05},    {"5", 0.05},  {"0.5%", 0.005},
	    {"0.1%", 0.001}, {"50%", 0.5}, {"2.5", 0.025},
	};
	struct args a;
	struct cvb_plan plan;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ARGS(&a, "--precision", cases[i].arg);
		parse_ok(&a, &plan);
		assert_near(plan.precision, cases[i].want, 1e-15);
	}
	/* The --opt=value spelling too. */
	ARGS(&a, "--precision=5%");
	parse_ok(&a, &plan);
	assert_near(plan.precision, 0.05, 1e-15);
}

/* Out of range or not a percentage: refused, naming --precision. */
static void test_precision_refused(void **state)
{
	static const char *const bad[] = {"0",     "70", "abc", "5%%", "",    "%",   "-5",
	                                  "0.05%", "51", "5x",  "nan", "inf", "5% ", "1e9"};
	struct args a;
	struct cvb_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ARGS(&a, "--precision", bad[i]);
		parse_err(&a, &err);
		assert_msg_has(err, "--precision");
		assert_msg_has(err, "percentage");
	}
	ARGS(&a, "--precision");
	parse_err(&a, &err);
	assert_msg_has(err, "--precision");
}

/* The companions need --precision; --time-budget does not. */
static void test_companions_need_precision(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--max-reps", "100");
	parse_err(&a, &err);
	assert_msg_has(err, "--max-reps");
	assert_msg_has(err, "need --precision");

	ARGS(&a, "--precision-metric", "startup_ns");
	parse_err(&a, &err);
	assert_msg_has(err, "--precision-metric");
	assert_msg_has(err, "need --precision");

	ARGS(&a, "--time-budget", "60");
	parse_ok(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 60000);
	assert_true(plan.precision == 0);
	assert_int_equal(plan.max_reps, 0);

	/* Order does not matter: the check runs after every option. */
	ARGS(&a, "--max-reps", "100", "--precision", "5%");
	parse_ok(&a, &plan);
	assert_int_equal(plan.max_reps, 100);
}

/* --max-reps is at least --reps, which is the minimum. */
static void test_max_reps_bounds(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "29");
	parse_err(&a, &err);
	assert_msg_has(err, "--max-reps 29");
	assert_msg_has(err, "--reps 30");

	ARGS(&a, "--precision", "5%", "--reps", "10", "--max-reps", "9");
	parse_err(&a, &err);
	assert_msg_has(err, "--max-reps");

	ARGS(&a, "--precision", "5%", "--reps", "10", "--max-reps", "10");
	parse_ok(&a, &plan);
	assert_int_equal(plan.max_reps, 10);

	static const char *const bad[] = {"0", "-1", "abc", "1000001"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ARGS(&a, "--precision", "5%", "--max-reps", bad[i]);
		parse_err(&a, &err);
		assert_msg_has(err, "--max-reps");
	}
}

/* Defaults with --precision: max_reps 10 x reps, startup_ns watched. */
static void test_defaults(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--precision", "5%");
	parse_ok(&a, &plan);
	assert_int_equal(plan.reps, 30);
	assert_int_equal(plan.max_reps, 300);
	assert_int_equal(plan.n_precision_metrics, 1);
	assert_string_equal(plan.precision_metrics[0], "startup_ns");
	assert_int_equal(plan.time_budget_ms, 0);

	ARGS(&a, "--precision", "5%", "--reps", "7");
	parse_ok(&a, &plan);
	assert_int_equal(plan.max_reps, 70);

	/* Capped at the largest --max-reps accepted. */
	ARGS(&a, "--precision", "5%", "--reps", "200000");
	parse_ok(&a, &plan);
	assert_int_equal(plan.max_reps, 1000000);

	/* No --precision: nothing filled in. */
	ARGS(&a, NULL);
	parse_ok(&a, &plan);
	assert_true(plan.precision == 0);
	assert_int_equal(plan.max_reps, 0);
	assert_int_equal(plan.n_precision_metrics, 0);
	assert_int_equal(plan.time_budget_ms, 0);
}

/* --precision-metric: harness metrics always, a workload's when that
 * workload is selected, nothing unknown. */
static void test_precision_metric(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--precision", "5%", "--precision-metric", "startup_ns");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_precision_metrics, 1);
	assert_string_equal(plan.precision_metrics[0], "startup_ns");

	ARGS(&a, "--precision", "5%", "--workload", "syscall", "--precision-metric",
	     "syscall_getppid_ns");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_precision_metrics, 1);
	assert_string_equal(plan.precision_metrics[0], "syscall_getppid_ns");

	ARGS(&a, "--precision", "5%", "--workload", "syscall", "--precision-metric",
	     "startup_ns,syscall_getppid_ns");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_precision_metrics, 2);
	assert_string_equal(plan.precision_metrics[0], "startup_ns");
	assert_string_equal(plan.precision_metrics[1], "syscall_getppid_ns");

	ARGS(&a, "--precision", "5%", "--precision-metric", "no_such_metric");
	parse_err(&a, &err);
	assert_msg_has(err, "--precision-metric 'no_such_metric'");

	/* A workload's metric without that workload selected (default: ready). */
	ARGS(&a, "--precision", "5%", "--precision-metric", "syscall_getppid_ns");
	parse_err(&a, &err);
	assert_msg_has(err, "--precision-metric 'syscall_getppid_ns'");

	/* A metric only one of the block's workloads reports: the other's cells
	 * would never close. */
	ARGS(&a, "--workload", "ready,syscall", "--precision", "5%", "--precision-metric",
	     "syscall_getppid_ns");
	parse_err(&a, &err);
	assert_msg_has(err, "workload ready does not report it");

	/* One unknown name in a list is enough to refuse it. */
	ARGS(&a, "--precision", "5%", "--precision-metric", "startup_ns,bogus_ns");
	parse_err(&a, &err);
	assert_msg_has(err, "'bogus_ns'");

	ARGS(&a, "--precision", "5%", "--precision-metric", ",");
	parse_err(&a, &err);
	assert_msg_has(err, "--precision-metric");

	ARGS(&a, "--precision", "5%", "--precision-metric",
	     "startup_ns,startup_ns,startup_ns,startup_ns,startup_ns,startup_ns,startup_ns,"
	     "startup_ns,startup_ns");
	parse_err(&a, &err);
	assert_msg_has(err, "at most 8");
}

/* --time-budget: seconds, at least 1. */
static void test_time_budget(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--precision", "5%", "--time-budget", "240");
	parse_ok(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 240000);
	ARGS(&a, "--precision", "5%", "--time-budget", "1.5");
	parse_ok(&a, &plan);
	assert_int_equal(plan.time_budget_ms, 1500);

	static const char *const bad[] = {"0", "0.5", "-1", "abc", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ARGS(&a, "--time-budget", bad[i]);
		parse_err(&a, &err);
		assert_msg_has(err, "--time-budget");
	}
}

/* Parsing again starts from scratch: nothing of a --precision run leaks
 * into the next plan. */
static void test_parse_twice(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--precision", "5%", "--max-reps", "50", "--time-budget", "9",
	     "--precision-metric", "agent_cpu_ns");
	parse_ok(&a, &plan);
	assert_int_equal(plan.max_reps, 50);
	assert_string_equal(plan.precision_metrics[0], "agent_cpu_ns");
	ARGS(&a, "--reps", "4");
	parse_ok(&a, &plan);
	assert_true(plan.precision == 0);
	assert_int_equal(plan.max_reps, 0);
	assert_int_equal(plan.n_precision_metrics, 0);
	assert_int_equal(plan.time_budget_ms, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_precision_accepted),
	    cmocka_unit_test(test_precision_refused),
	    cmocka_unit_test(test_companions_need_precision),
	    cmocka_unit_test(test_max_reps_bounds),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_precision_metric),
	    cmocka_unit_test(test_time_budget),
	    cmocka_unit_test(test_parse_twice),
	};
	return cmocka_run_group_tests_name("plan_precision", tests, NULL, NULL);
}
