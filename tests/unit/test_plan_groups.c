/* Grouped cells in `cvbench run` options (harness/plan/plan_parse.c): --scenario
 * (aggressor, its limits and parameters), --instances, --placement, --ksm,
 * what may be combined, and the error message for each bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "args_fixture.h"

static void assert_no_limits(const struct cvb_limits *l)
{
	assert_int_equal(l->cpu_quota_us, -1);
	assert_int_equal(l->cpu_period_us, -1);
	assert_int_equal(l->cpu_weight, -1);
	assert_null(l->cpuset_cpus);
	assert_null(l->cpuset_mems);
	assert_int_equal(l->memory_max_bytes, -1);
	assert_int_equal(l->swap_max_bytes, -1);
	assert_int_equal(l->pids_max, -1);
	assert_int_equal(l->io_weight, -1);
}

/* No group options: nothing grouped, ksm left alone. */
static void test_defaults(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, NULL);
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, 0);
	assert_int_equal(plan.n_instances, 0);
	assert_int_equal(plan.n_placements, 0);
	assert_int_equal(plan.ksm, -1);
	assert_true(plan.drop_caches);
	assert_false(cvb_plan_grouped(&plan));
}

/* alone + an aggressor with limits: the limits are the aggressor's, the
 * quota in microseconds per the default period. */
static void test_two_scenarios(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "alone", "--scenario",
	     "cpu-hog:cpu-quota=20:cpu-weight=10");
	parse_ok(&a, &plan);
	assert_true(cvb_plan_grouped(&plan));
	assert_int_equal(plan.n_scenarios, 2);

	const struct cvb_scenario *s0 = &plan.scenarios[0];
	assert_string_equal(s0->name, "alone");
	assert_null(s0->aggressor);
	assert_no_limits(&s0->limits);

	const struct cvb_scenario *s1 = &plan.scenarios[1];
	assert_string_equal(s1->name, "cpu-hog:cpu-quota=20:cpu-weight=10");
	assert_non_null(s1->aggressor);
	assert_ptr_equal(s1->aggressor, cvb_workload_find("cpu-hog"));
	assert_string_equal(s1->aggressor->name, "cpu-hog");
	assert_int_equal(s1->limits.cpu_quota_us, 20000);
	assert_int_equal(s1->limits.cpu_period_us, 100000);
	assert_int_equal(s1->limits.cpu_weight, 10);
	assert_int_equal(s1->limits.memory_max_bytes, -1);
	assert_null(s1->limits.cpuset_cpus);
	/* aggressor parameters at their defaults */
	assert_int_equal(s1->aggressor_params[param_idx("cpu-hog", "duration_ms")], 2000);

	/* The victim's own limits are untouched. */
	assert_no_limits(&plan.config.limits);
	/* Without --placement: the one placement 'none'. */
	assert_int_equal(plan.n_placements, 1);
	assert_int_equal(plan.placements[0].kind, CVB_PLACE_NONE);
	assert_string_equal(cvb_placement_name(plan.placements[0].kind), "none");
	assert_string_equal(plan.placements[0].victim_cpus, "");
	assert_string_equal(plan.placements[0].aggressor_cpus, "");
}

/* Every limit key a scenario takes; storage for the cpuset lives in the
 * scenario (not in a scratch plan that is gone). */
static void test_scenario_limits(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario",
	     "mem-hog:cpu-quota=50:cpu-period-us=20000:cpuset-cpus=1:memory-max=64M:swap-max=0:"
	     "pids-max=32:io-weight=300");
	parse_ok(&a, &plan);
	const struct cvb_scenario *s = &plan.scenarios[0];
	assert_ptr_equal(s->aggressor, cvb_workload_find("mem-hog"));
	assert_int_equal(s->limits.cpu_quota_us, 10000); /* 50% of 20000 us */
	assert_int_equal(s->limits.cpu_period_us, 20000);
	assert_non_null(s->limits.cpuset_cpus);
	assert_ptr_equal(s->limits.cpuset_cpus, s->cpuset_cpus);
	assert_string_equal(s->limits.cpuset_cpus, "1");
	assert_null(s->limits.cpuset_mems);
	assert_int_equal(s->limits.memory_max_bytes, 64 << 20);
	assert_int_equal(s->limits.swap_max_bytes, 0);
	assert_int_equal(s->limits.pids_max, 32);
	assert_int_equal(s->limits.io_weight, 300);
	assert_no_limits(&plan.config.limits);
}

/* KEY=VALUE that names an aggressor parameter sets it; limits and
 * parameters mix. */
static void test_aggressor_param_override(void **state)
{
	struct args a;
	struct cvb_plan plan;
	int dur = param_idx("cpu-hog", "duration_ms");

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:duration_ms=500");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, 1);
	assert_int_equal(plan.scenarios[0].aggressor_params[dur], 500);
	assert_no_limits(&plan.scenarios[0].limits);

	ARGS(&a, "--workload", "cpu-victim", "--scenario", "mem-hog:mib=16:cpu-weight=5",
	     "--scenario", "mem-hog");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, 2);
	assert_int_equal(plan.scenarios[0].aggressor_params[param_idx("mem-hog", "mib")], 16);
	assert_int_equal(plan.scenarios[0].limits.cpu_weight, 5);
	assert_int_equal(plan.scenarios[1].aggressor_params[param_idx("mem-hog", "mib")], 64);

	/* The victim's --param does not reach the aggressor, nor the reverse. */
	ARGS(&a, "--workload", "cpu-victim", "--param", "units=7", "--scenario",
	     "cpu-hog:duration_ms=900");
	parse_ok(&a, &plan);
	assert_int_equal(plan.params[0][param_idx("cpu-victim", "units")], 7);
	assert_int_equal(plan.scenarios[0].aggressor_params[dur], 900);

	/* Holding workloads can be stopped, so they may be aggressors. */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "idle", "--scenario", "io-hog");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, 2);
	assert_string_equal(plan.scenarios[0].aggressor->name, "idle");

	/* Out of the parameter's range. */
	struct cvb_error err;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:duration_ms=0");
	parse_err(&a, &err);
	assert_msg_has(err, "cpu-hog:duration_ms=0");
	assert_msg_has(err, "duration_ms");
	assert_msg_has(err, "out of range");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:duration_ms=fast");
	parse_err(&a, &err);
	assert_msg_has(err, "fast");
}

static void test_scenario_errors(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	/* unknown aggressor */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "stress-ng");
	parse_err(&a, &err);
	assert_msg_has(err, "'stress-ng'");
	assert_msg_has(err, "alone");
	assert_msg_has(err, "cpu-hog"); /* the known workloads */

	/* an aggressor that cannot be stopped on request */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "syscall");
	parse_err(&a, &err);
	assert_msg_has(err, "--scenario 'syscall'");
	assert_msg_has(err, "cannot be stopped");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-victim");
	parse_err(&a, &err);
	assert_msg_has(err, "cannot be stopped");

	/* a key that is neither a limit nor a parameter */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:bogus=1");
	parse_err(&a, &err);
	assert_msg_has(err, "'bogus' is neither a limit");
	assert_msg_has(err, "cpu-hog");
	/* container options that are not aggressor limits */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpuset-mems=0");
	parse_err(&a, &err);
	assert_msg_has(err, "'cpuset-mems' is neither");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:harden=caps");
	parse_err(&a, &err);
	assert_msg_has(err, "'harden' is neither");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:ns=pid");
	parse_err(&a, &err);
	assert_msg_has(err, "'ns' is neither");

	/* not KEY=VALUE */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpu-quota");
	parse_err(&a, &err);
	assert_msg_has(err, "expected KEY=VALUE");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:=20");
	parse_err(&a, &err);
	assert_msg_has(err, "expected KEY=VALUE");

	/* bad limit values and combinations, named with the scenario */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpu-quota=0");
	parse_err(&a, &err);
	assert_msg_has(err, "--cpu-quota");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpu-period-us=50000");
	parse_err(&a, &err);
	assert_msg_has(err, "--scenario 'cpu-hog:cpu-period-us=50000'");
	assert_msg_has(err, "cpu-period-us needs a cpu-quota");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:swap-max=1M");
	parse_err(&a, &err);
	assert_msg_has(err, "swap-max needs a memory-max");
	ARGS(&a, "--workload", "cpu-victim", "--scenario",
	     "cpu-hog:cpu-quota=1:cpu-period-us=1000");
	parse_err(&a, &err);
	assert_msg_has(err, "at least 1000 us");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpuset-cpus=x");
	parse_err(&a, &err);
	assert_msg_has(err, "--cpuset-cpus");

	/* a victim that runs until stopped has no time to slow down */
	ARGS(&a, "--workload", "idle", "--scenario", "alone");
	parse_err(&a, &err);
	assert_msg_has(err, "workload idle runs until stopped");
	ARGS(&a, "--workload", "cpu-victim,io-hog", "--scenario", "alone");
	parse_err(&a, &err);
	assert_msg_has(err, "workload io-hog runs until stopped");

	/* the same scenario twice */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "alone", "--scenario", "alone");
	parse_err(&a, &err);
	assert_msg_has(err, "--scenario 'alone' given twice");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog:cpu-quota=20", "--scenario",
	     "cpu-hog:cpu-quota=20");
	parse_err(&a, &err);
	assert_msg_has(err, "given twice");

	/* too many, too long */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "alone", "--scenario", "cpu-hog",
	     "--scenario", "mem-hog", "--scenario", "fork-hog", "--scenario", "idle", "--scenario",
	     "io-hog", "--scenario", "cpu-hog:cpu-quota=10", "--scenario", "cpu-hog:cpu-quota=20",
	     "--scenario", "cpu-hog:cpu-quota=30");
	parse_err(&a, &err);
	assert_msg_has(err, "at most 8 scenarios");
	char longname[180];
	memset(longname, 0, sizeof(longname));
	snprintf(longname, sizeof(longname), "cpu-hog");
	for (size_t i = strlen(longname); i < 150; i += 12)
		memcpy(longname + i, ":cpu-weight=", 12);
	ARGS(&a, "--workload", "cpu-victim", "--scenario", longname);
	parse_err(&a, &err);
	assert_msg_has(err, "too long");
}

/* Exactly eight scenarios is allowed. */
static void test_eight_scenarios(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "alone", "--scenario", "cpu-hog",
	     "--scenario", "mem-hog", "--scenario", "fork-hog", "--scenario", "idle", "--scenario",
	     "io-hog", "--scenario", "cpu-hog:cpu-quota=10", "--scenario", "cpu-hog:cpu-quota=20");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, CVB_PLAN_MAX_SCENARIOS);
	assert_string_equal(plan.scenarios[7].name, "cpu-hog:cpu-quota=20");
	assert_int_equal(plan.scenarios[7].limits.cpu_quota_us, 20000);
	assert_int_equal(plan.scenarios[6].limits.cpu_quota_us, 10000);
}

static void test_instances(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "idle", "--instances", "1,2,4");
	parse_ok(&a, &plan);
	assert_true(cvb_plan_grouped(&plan));
	assert_int_equal(plan.n_instances, 3);
	assert_int_equal(plan.instances[0], 1);
	assert_int_equal(plan.instances[1], 2);
	assert_int_equal(plan.instances[2], 4);
	assert_int_equal(plan.n_scenarios, 0);
	assert_int_equal(plan.n_placements, 0); /* placement is for scenarios only */

	/* repeated options add up */
	ARGS(&a, "--workload", "idle", "--instances", "8", "--instances", "16");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_instances, 2);
	assert_int_equal(plan.instances[1], 16);

	ARGS(&a, "--instances", "0");
	parse_err(&a, &err);
	assert_msg_has(err, "--instances");
	assert_msg_has(err, "out of range");
	ARGS(&a, "--instances", "257");
	parse_err(&a, &err);
	assert_msg_has(err, "--instances");
	ARGS(&a, "--instances", "1,1");
	parse_err(&a, &err);
	assert_msg_has(err, "--instances: 1 given twice");
	ARGS(&a, "--instances", "2", "--instances", "2");
	parse_err(&a, &err);
	assert_msg_has(err, "given twice");
	ARGS(&a, "--instances", "two");
	parse_err(&a, &err);
	assert_msg_has(err, "two");
	ARGS(&a, "--instances", ",");
	parse_err(&a, &err);
	assert_msg_has(err, "--instances: empty list");
	ARGS(&a, "--instances", "1,2,3,4,5,6,7,8,9");
	parse_err(&a, &err);
	assert_msg_has(err, "at most 8");

	/* density and noisy neighbours are separate blocks */
	ARGS(&a, "--workload", "cpu-victim", "--instances", "2", "--scenario", "alone");
	parse_err(&a, &err);
	assert_msg_has(err, "--instances and --scenario cannot be combined");
}

static void test_placement(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog", "--placement",
	     "same-pu,sibling", "--placement", "other-core");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_placements, 3);
	assert_int_equal(plan.placements[0].kind, CVB_PLACE_SAME_PU);
	assert_int_equal(plan.placements[1].kind, CVB_PLACE_SIBLING);
	assert_int_equal(plan.placements[2].kind, CVB_PLACE_OTHER_CORE);
	assert_string_equal(cvb_placement_name(CVB_PLACE_SAME_PU), "same-pu");
	assert_string_equal(cvb_placement_name(CVB_PLACE_SIBLING), "sibling");
	assert_string_equal(cvb_placement_name(CVB_PLACE_OTHER_CORE), "other-core");

	/* An explicit 'none' is kept, not doubled. */
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog", "--placement", "none");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_placements, 1);
	assert_int_equal(plan.placements[0].kind, CVB_PLACE_NONE);

	ARGS(&a, "--workload", "cpu-victim", "--placement", "same-pu");
	parse_err(&a, &err);
	assert_msg_has(err, "--placement");
	assert_msg_has(err, "needs --scenario");
	ARGS(&a, "--workload", "idle", "--instances", "2", "--placement", "same-pu");
	parse_err(&a, &err);
	assert_msg_has(err, "needs --scenario");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog", "--placement", "numa");
	parse_err(&a, &err);
	assert_msg_has(err, "--placement: unknown 'numa'");
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog", "--placement",
	     "sibling,sibling");
	parse_err(&a, &err);
	assert_msg_has(err, "--placement: 'sibling' given twice");
}

static void test_ksm(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--backend", "vm", "--workload", "idle", "--instances", "4", "--ksm", "on");
	parse_ok(&a, &plan);
	assert_int_equal(plan.ksm, 1);
	ARGS(&a, "--ksm", "off");
	parse_ok(&a, &plan);
	assert_int_equal(plan.ksm, 0);
	ARGS(&a, "--ksm=on", "--ksm=off");
	parse_ok(&a, &plan);
	assert_int_equal(plan.ksm, 0); /* the last one counts */
	ARGS(&a, "--ksm", "yes");
	parse_err(&a, &err);
	assert_msg_has(err, "--ksm: expected on or off, got 'yes'");
	ARGS(&a, "--no-drop-caches");
	parse_ok(&a, &plan);
	assert_false(plan.drop_caches);
}

/* A failed scenario parse leaves nothing half-counted for the next parse. */
static void test_parse_again_after_error(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "alone", "--scenario", "cpu-hog:x=1");
	parse_err(&a, &err);
	ARGS(&a, "--workload", "cpu-victim", "--scenario", "cpu-hog");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_scenarios, 1);
	assert_string_equal(plan.scenarios[0].name, "cpu-hog");
	assert_int_equal(plan.n_placements, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_two_scenarios),
	    cmocka_unit_test(test_scenario_limits),
	    cmocka_unit_test(test_aggressor_param_override),
	    cmocka_unit_test(test_scenario_errors),
	    cmocka_unit_test(test_eight_scenarios),
	    cmocka_unit_test(test_instances),
	    cmocka_unit_test(test_placement),
	    cmocka_unit_test(test_ksm),
	    cmocka_unit_test(test_parse_again_after_error),
	};

	return cmocka_run_group_tests_name("plan_groups", tests, NULL, NULL);
}
