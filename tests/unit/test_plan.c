/* `cvbench run` option parsing (harness/plan/plan_parse.c): defaults, every option, list
 * parsing, --param resolution against the selected workloads, the error
 * messages for bad input, and that the parser can run twice in one process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"
#include "seccomp_profile.h"
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args_fixture.h"

/* No options: native x ready with the documented defaults. */
static void test_defaults(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, NULL);
	assert_int_equal(a.argc, 1);
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_backends, 1);
	assert_ptr_equal(plan.backends[0], cvb_backend_find("native"));
	assert_string_equal(plan.backends[0]->name, "native");
	assert_int_equal(plan.n_workloads, 1);
	assert_ptr_equal(plan.workloads[0], cvb_workload_find("ready"));
	assert_string_equal(plan.workloads[0]->name, "ready");
	assert_int_equal(plan.reps, 30);
	assert_int_equal(plan.reps, CVB_DEFAULT_REPS);
	assert_int_equal(plan.warmup, 3);
	assert_int_equal(plan.warmup, CVB_DEFAULT_WARMUP);
	assert_int_equal(plan.settle_ms, 100);
	assert_int_equal(plan.settle_ms, CVB_DEFAULT_SETTLE_MS);
	assert_int_equal(plan.gap_ms, 20);
	assert_int_equal(plan.timeout_ms, 0);
	assert_true(plan.seed == CVB_BOOTSTRAP_SEED_DEFAULT);
	assert_int_equal(plan.resamples, CVB_BOOTSTRAP_RESAMPLES_DEFAULT);
	assert_int_equal(plan.pin_mode, CVB_PIN_NONE);
	assert_string_equal(plan.pin_cpus, "");
	assert_null(plan.out_path);
	assert_null(plan.agent_path);
	assert_false(plan.dry_run);
	assert_false(plan.quiet);
}

/* Every option lands in its own field. */
static void test_every_option(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--backend", "native", "--workload", "idle", "--reps", "7", "--warmup", "0",
	     "--timeout", "2", "--settle-ms", "250", "--gap-ms", "0", "--pin", "3", "--out",
	     "/tmp/r.json", "--seed", "42", "--resamples", "500", "--agent", "/opt/cvb-agent",
	     "--dry-run", "--quiet");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_backends, 1);
	assert_string_equal(plan.backends[0]->name, "native");
	assert_int_equal(plan.n_workloads, 1);
	assert_string_equal(plan.workloads[0]->name, "idle");
	assert_int_equal(plan.reps, 7);
	assert_int_equal(plan.warmup, 0);
	assert_int_equal(plan.timeout_ms, 2000);
	assert_int_equal(plan.settle_ms, 250);
	assert_int_equal(plan.gap_ms, 0);
	assert_int_equal(plan.pin_mode, CVB_PIN_LIST);
	assert_string_equal(plan.pin_cpus, "3");
	assert_non_null(plan.out_path);
	assert_string_equal(plan.out_path, "/tmp/r.json");
	assert_true(plan.seed == 42);
	assert_int_equal(plan.resamples, 500);
	assert_non_null(plan.agent_path);
	assert_string_equal(plan.agent_path, "/opt/cvb-agent");
	assert_true(plan.dry_run);
	assert_true(plan.quiet);
	/* idle's parameters start at their defaults. */
	assert_int_equal(plan.params[0][param_idx("idle", "max_s")], 600);
}

/* --opt=value works like --opt value; the largest seed is accepted. */
static void test_equals_form_and_limits(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--reps=1000000", "--warmup=100000", "--settle-ms=0", "--seed=9223372036854775807",
	     "--resamples=100");
	parse_ok(&a, &plan);
	assert_int_equal(plan.reps, 1000000);
	assert_int_equal(plan.warmup, 100000);
	assert_int_equal(plan.settle_ms, 0);
	assert_true(plan.seed == (uint64_t)INT64_MAX);
	assert_int_equal(plan.resamples, 100);
}

/* Comma lists keep their order; the later of two --workload wins. */
static void test_workload_list(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--workload", "ready,idle");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_workloads, 2);
	assert_string_equal(plan.workloads[0]->name, "ready");
	assert_string_equal(plan.workloads[1]->name, "idle");
	assert_int_equal(plan.params[1][param_idx("idle", "max_s")], 600);

	ARGS(&a, "--workload", "idle,ready");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_workloads, 2);
	assert_string_equal(plan.workloads[0]->name, "idle");
	assert_string_equal(plan.workloads[1]->name, "ready");

	ARGS(&a, "--workload", "idle", "--workload", "ready");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_workloads, 1);
	assert_string_equal(plan.workloads[0]->name, "ready");
}

/* An unknown backend is named, with the list of known ones. */
static void test_unknown_backend(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--backend", "native,dockr");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "unknown backend 'dockr'");
	assert_msg_has(err, "known: native");
}

/* An unknown workload is named, with the list of known ones. */
static void test_unknown_workload(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "ready,nope");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "unknown workload 'nope'");
	assert_msg_has(err, "known: ready, idle");
}

/* A name given twice in one list is refused; so is an empty list. */
static void test_duplicates_and_empty_lists(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--backend", "native,native");
	parse_err(&a, &err);
	assert_msg_has(err, "backend 'native' given twice");

	ARGS(&a, "--workload", "idle,ready,idle");
	parse_err(&a, &err);
	assert_msg_has(err, "workload 'idle' given twice");

	ARGS(&a, "--backend", ",");
	parse_err(&a, &err);
	assert_msg_has(err, "--backend");
	assert_msg_has(err, "empty list");

	ARGS(&a, "--workload", "");
	parse_err(&a, &err);
	assert_msg_has(err, "--workload");
	assert_msg_has(err, "empty list");
}

/* --reps must be a whole number in 1..1000000; the message names the value. */
static void test_reps_errors(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--reps", "0");
	parse_err(&a, &err);
	assert_int_equal(err.code, ERANGE);
	assert_msg_has(err, "--reps");
	assert_msg_has(err, "'0'");
	assert_msg_has(err, "out of range (1..1000000)");

	ARGS(&a, "--reps", "-1");
	parse_err(&a, &err);
	assert_msg_has(err, "--reps");
	assert_msg_has(err, "'-1'");
	assert_msg_has(err, "out of range");

	ARGS(&a, "--reps", "1000001");
	parse_err(&a, &err);
	assert_msg_has(err, "'1000001'");
	assert_msg_has(err, "out of range");

	ARGS(&a, "--reps", "99999999999999999999");
	parse_err(&a, &err);
	assert_int_equal(err.code, ERANGE);
	assert_msg_has(err, "--reps");
	assert_msg_has(err, "'99999999999999999999'");
	assert_msg_has(err, "out of range");

	ARGS(&a, "--reps", "abc");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "--reps");
	assert_msg_has(err, "whole number");
	assert_msg_has(err, "'abc'");

	ARGS(&a, "--reps", "12abc");
	parse_err(&a, &err);
	assert_msg_has(err, "whole number");
	assert_msg_has(err, "'12abc'");

	ARGS(&a, "--reps", " 5");
	parse_err(&a, &err);
	assert_msg_has(err, "whole number");

	ARGS(&a, "--reps", "");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "--reps");
	assert_msg_has(err, "whole number");
	assert_msg_has(err, "''");
}

/* --warmup may be 0 but not negative; --settle-ms and the bootstrap
 * options are range checked too. */
static void test_other_number_errors(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--warmup", "-1");
	parse_err(&a, &err);
	assert_msg_has(err, "--warmup");
	assert_msg_has(err, "'-1'");
	assert_msg_has(err, "out of range (0..100000)");

	ARGS(&a, "--settle-ms", "-5");
	parse_err(&a, &err);
	assert_msg_has(err, "--settle-ms");
	assert_msg_has(err, "'-5'");

	ARGS(&a, "--resamples", "99");
	parse_err(&a, &err);
	assert_msg_has(err, "--resamples");
	assert_msg_has(err, "'99'");

	ARGS(&a, "--seed", "-1");
	parse_err(&a, &err);
	assert_msg_has(err, "--seed");
	assert_msg_has(err, "'-1'");
}

/* --timeout takes decimal seconds, stored in ms; 0 and non-numbers fail. */
static void test_timeout(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--timeout", "1.5");
	parse_ok(&a, &plan);
	assert_int_equal(plan.timeout_ms, 1500);

	ARGS(&a, "--timeout", "0.001");
	parse_ok(&a, &plan);
	assert_int_equal(plan.timeout_ms, 1);

	ARGS(&a, "--timeout", "86400");
	parse_ok(&a, &plan);
	assert_int_equal(plan.timeout_ms, 86400000);

	ARGS(&a, "--timeout", "0");
	parse_err(&a, &err);
	assert_int_equal(err.code, ERANGE);
	assert_msg_has(err, "--timeout");
	assert_msg_has(err, "'0'");
	assert_msg_has(err, "out of range");

	ARGS(&a, "--timeout", "86401");
	parse_err(&a, &err);
	assert_msg_has(err, "'86401'");
	assert_msg_has(err, "out of range");

	ARGS(&a, "--timeout", "abc");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "--timeout");
	assert_msg_has(err, "'abc'");

	ARGS(&a, "--timeout", "nan");
	parse_err(&a, &err);
	assert_msg_has(err, "'nan'");

	ARGS(&a, "--timeout", "");
	parse_err(&a, &err);
	assert_msg_has(err, "--timeout");
}

/* Unknown options, a missing value and stray arguments are named. */
static void test_bad_command_line(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--quiet", "--bogus", "--dry-run");
	parse_err(&a, &err);
	assert_msg_has(err, "unknown option '--bogus'");

	ARGS(&a, "-x");
	parse_err(&a, &err);
	assert_msg_has(err, "unknown option '-x'");

	ARGS(&a, "--reps");
	parse_err(&a, &err);
	assert_msg_has(err, "'--reps'");
	assert_msg_has(err, "needs a value");

	ARGS(&a, "--quiet", "--out");
	parse_err(&a, &err);
	assert_msg_has(err, "'--out'");
	assert_msg_has(err, "needs a value");

	ARGS(&a, "extra");
	parse_err(&a, &err);
	assert_msg_has(err, "unexpected argument 'extra'");

	/* Parsing stops at the first non-option: nothing after it is taken. */
	ARGS(&a, "--reps", "5", "stray", "--quiet");
	parse_err(&a, &err);
	assert_msg_has(err, "unexpected argument 'stray'");
}

/* --param applies to the selected workload that has the parameter. */
static void test_param_sets_value(void **state)
{
	struct args a;
	struct cvb_plan plan;
	int idx = param_idx("idle", "max_s");

	(void)state;
	ARGS(&a, "--workload", "idle", "--param", "max_s=5");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_workloads, 1);
	assert_int_equal(plan.params[0][idx], 5);

	/* Order of --param and --workload does not matter; ready is skipped. */
	ARGS(&a, "--param", "max_s=86400", "--workload", "ready,idle");
	parse_ok(&a, &plan);
	assert_int_equal(plan.n_workloads, 2);
	assert_string_equal(plan.workloads[1]->name, "idle");
	assert_int_equal(plan.params[1][idx], 86400);

	/* The last of repeated --param wins. */
	ARGS(&a, "--workload", "idle", "--param", "max_s=5", "--param", "max_s=7");
	parse_ok(&a, &plan);
	assert_int_equal(plan.params[0][idx], 7);
}

/* Bad --param values, names and forms are refused and named. */
static void test_param_errors(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "idle", "--param", "max_s=0");
	parse_err(&a, &err);
	assert_int_equal(err.code, ERANGE);
	assert_msg_has(err, "max_s");
	assert_msg_has(err, "idle");
	assert_msg_has(err, "'0'");
	assert_msg_has(err, "out of range (1..86400)");

	ARGS(&a, "--workload", "idle", "--param", "max_s=x");
	parse_err(&a, &err);
	assert_msg_has(err, "max_s");
	assert_msg_has(err, "'x'");

	ARGS(&a, "--workload", "idle", "--param", "nosuch=1");
	parse_err(&a, &err);
	assert_msg_has(err, "no selected workload has a parameter 'nosuch'");

	ARGS(&a, "--workload", "idle", "--param", "noequals");
	parse_err(&a, &err);
	assert_msg_has(err, "NAME=VALUE");
	assert_msg_has(err, "'noequals'");

	ARGS(&a, "--workload", "idle", "--param", "=5");
	parse_err(&a, &err);
	assert_msg_has(err, "NAME=VALUE");
	assert_msg_has(err, "'=5'");

	/* Only ready is selected (the default): nobody has max_s. */
	ARGS(&a, "--param", "max_s=5");
	parse_err(&a, &err);
	assert_msg_has(err, "no selected workload has a parameter 'max_s'");
}

/* --pin: none, auto, or a CPU list kept as given; anything else fails. */
static void test_pin(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--pin", "auto");
	parse_ok(&a, &plan);
	assert_int_equal(plan.pin_mode, CVB_PIN_AUTO);

	ARGS(&a, "--pin", "none");
	parse_ok(&a, &plan);
	assert_int_equal(plan.pin_mode, CVB_PIN_NONE);

	ARGS(&a, "--pin", "0,1");
	parse_ok(&a, &plan);
	assert_int_equal(plan.pin_mode, CVB_PIN_LIST);
	assert_string_equal(plan.pin_cpus, "0,1");

	ARGS(&a, "--pin", "0,2-3");
	parse_ok(&a, &plan);
	assert_int_equal(plan.pin_mode, CVB_PIN_LIST);
	assert_string_equal(plan.pin_cpus, "0,2-3");

	ARGS(&a, "--pin", "x-y");
	parse_err(&a, &err);
	assert_msg_has(err, "--pin");
	assert_msg_has(err, "'x-y'");

	ARGS(&a, "--pin", "");
	parse_err(&a, &err);
	assert_msg_has(err, "--pin");
}

/* --out '' is refused. */
static void test_out_empty(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--out", "");
	parse_err(&a, &err);
	assert_int_equal(err.code, EINVAL);
	assert_msg_has(err, "--out");
	assert_msg_has(err, "empty");
}

/* --help asks for the help text, whatever else is given. */
static void test_help(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--help");
	assert_int_equal(parse(&a, &plan, &err), CVB_PARSE_HELP);

	ARGS(&a, "--reps", "5", "--help", "--backend", "nosuch");
	assert_int_equal(parse(&a, &plan, &err), CVB_PARSE_HELP);
}

/* Parsing twice gives the same plan, also after a parse that stopped
 * midway through argv (getopt's state is reset each time). */
static void test_parse_twice(void **state)
{
	struct args a, b;
	struct cvb_plan p1, p2;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--workload", "ready,idle", "--reps", "9", "--timeout", "3", "--param", "max_s=11",
	     "--quiet");
	parse_ok(&a, &p1);
	parse_ok(&a, &p2);
	assert_int_equal(p1.n_backends, p2.n_backends);
	assert_ptr_equal(p1.backends[0], p2.backends[0]);
	assert_int_equal(p1.n_workloads, 2);
	assert_int_equal(p2.n_workloads, 2);
	assert_ptr_equal(p1.workloads[0], p2.workloads[0]);
	assert_ptr_equal(p1.workloads[1], p2.workloads[1]);
	assert_memory_equal(p1.params, p2.params, sizeof(p1.params));
	assert_int_equal(p2.params[1][param_idx("idle", "max_s")], 11);
	assert_int_equal(p1.reps, 9);
	assert_int_equal(p2.reps, 9);
	assert_int_equal(p2.timeout_ms, 3000);
	assert_true(p2.quiet);

	/* Stop the parser midway (help), then a fresh argv parses from its start. */
	ARGS(&b, "--warmup", "1", "--help", "--reps", "2");
	assert_int_equal(parse(&b, &p1, &err), CVB_PARSE_HELP);
	ARGS(&b, "--reps", "4", "--warmup", "2");
	parse_ok(&b, &p1);
	assert_int_equal(p1.reps, 4);
	assert_int_equal(p1.warmup, 2);

	/* After an error too. */
	ARGS(&b, "--reps");
	parse_err(&b, &err);
	ARGS(&b, "--reps", "6");
	parse_ok(&b, &p1);
	assert_int_equal(p1.reps, 6);
	assert_int_equal(p1.warmup, CVB_DEFAULT_WARMUP);
}

/* Container options land in the instance config; quota percent becomes
 * microseconds per period. */
static void test_container_options(void **state)
{
	struct args a;
	struct cvb_plan plan;

	(void)state;
	ARGS(&a, "--backend", "container");
	parse_ok(&a, &plan);
	assert_int_equal(plan.config.namespaces, CVB_NS_DEFAULT);
	assert_int_equal(plan.config.harden, 0);
	assert_false(plan.config.rootfs_writable);
	assert_int_equal(plan.config.limits.memory_max_bytes, -1);

	ARGS(&a, "--backend", "container", "--ns", "pid,mnt,time", "--cpu-quota", "20",
	     "--cpu-weight", "50", "--cpuset-cpus", "1", "--cpuset-mems", "0", "--memory-max",
	     "64M", "--swap-max", "1G", "--pids-max", "16", "--io-weight", "200", "--harden",
	     "caps,seccomp", "--rootfs-rw");
	parse_ok(&a, &plan);
	assert_int_equal(plan.config.namespaces, CVB_NS_PID | CVB_NS_MNT | CVB_NS_TIME);
	assert_int_equal(plan.config.limits.cpu_quota_us, 20000); /* 20% of 100000 us */
	assert_int_equal(plan.config.limits.cpu_period_us, 100000);
	assert_int_equal(plan.config.limits.cpu_weight, 50);
	assert_string_equal(plan.config.limits.cpuset_cpus, "1");
	assert_string_equal(plan.config.limits.cpuset_mems, "0");
	assert_int_equal(plan.config.limits.memory_max_bytes, 64 << 20);
	assert_int_equal(plan.config.limits.swap_max_bytes, 1LL << 30);
	assert_int_equal(plan.config.limits.pids_max, 16);
	assert_int_equal(plan.config.limits.io_weight, 200);
	assert_int_equal(plan.config.harden, CVB_HARDEN_CAPS | CVB_HARDEN_SECCOMP);
	assert_true(plan.config.rootfs_writable);

	ARGS(&a, "--backend", "container", "--cpu-quota", "150", "--cpu-period-us", "50000", "--ns",
	     "none", "--harden", "all", "--no-cgroup");
	parse_ok(&a, &plan);
	assert_int_equal(plan.config.limits.cpu_quota_us, 75000);
	assert_int_equal(plan.config.namespaces, 0);
	assert_int_equal(plan.config.harden, CVB_HARDEN_CAPS | CVB_HARDEN_NNP | CVB_HARDEN_SECCOMP);
	assert_int_equal(plan.config.seccomp_profile, CVB_SECCOMP_PROFILE_DEFAULT);
	assert_true(plan.config.no_cgroup);

	/* seccomp=PROFILE picks the profile; seccomp alone is the default-deny one. */
	ARGS(&a, "--backend", "container", "--harden", "caps,seccomp=denylist");
	parse_ok(&a, &plan);
	assert_int_equal(plan.config.harden, CVB_HARDEN_CAPS | CVB_HARDEN_SECCOMP);
	assert_int_equal(plan.config.seccomp_profile, CVB_SECCOMP_PROFILE_DENYLIST);
	ARGS(&a, "--backend", "container", "--harden", "seccomp=default");
	parse_ok(&a, &plan);
	assert_int_equal(plan.config.harden, CVB_HARDEN_SECCOMP);
	assert_int_equal(plan.config.seccomp_profile, CVB_SECCOMP_PROFILE_DEFAULT);
}

/* Bad container options: one line naming the option and the value. */
static void test_container_option_errors(void **state)
{
	struct args a;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--ns", "pid,bogus");
	parse_err(&a, &err);
	assert_msg_has(err, "bogus");
	ARGS(&a, "--memory-max", "12X");
	parse_err(&a, &err);
	assert_msg_has(err, "--memory-max");
	ARGS(&a, "--memory-max", "512K");
	parse_err(&a, &err);
	assert_msg_has(err, "out of range");
	ARGS(&a, "--swap-max", "1M");
	parse_err(&a, &err);
	assert_msg_has(err, "swap-max needs a memory-max");
	ARGS(&a, "--cpu-period-us", "50000");
	parse_err(&a, &err);
	assert_msg_has(err, "cpu-period-us needs a cpu-quota");
	ARGS(&a, "--cpu-quota", "1", "--cpu-period-us", "1000");
	parse_err(&a, &err);
	assert_msg_has(err, "at least 1000 us");
	ARGS(&a, "--harden", "caps,everything");
	parse_err(&a, &err);
	assert_msg_has(err, "everything");
	ARGS(&a, "--harden", "caps,seccomp=bogus");
	parse_err(&a, &err);
	assert_msg_has(err, "unknown seccomp profile 'bogus' (known: default, denylist)");
	ARGS(&a, "--cpuset-cpus", "a-b");
	parse_err(&a, &err);
	assert_msg_has(err, "--cpuset-cpus");
	ARGS(&a, "--pids-max", "0");
	parse_err(&a, &err);
	assert_msg_has(err, "--pids-max");
}

/* --launcher splits at spaces and is for the native backend only. */
static void test_launcher(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err;

	(void)state;
	ARGS(&a, "--launcher", "unshare --pid  --fork {agent}");
	parse_ok(&a, &plan);
	assert_string_equal(plan.launcher[0], "unshare");
	assert_string_equal(plan.launcher[1], "--pid");
	assert_string_equal(plan.launcher[2], "--fork");
	assert_string_equal(plan.launcher[3], "{agent}");
	assert_null(plan.launcher[4]);
	ARGS(&a, "--backend", "container", "--launcher", "x");
	parse_err(&a, &err);
	assert_msg_has(err, "native only");
	ARGS(&a, "--launcher", " ");
	parse_err(&a, &err);
	assert_msg_has(err, "empty");
}

/* Where each option that names a program was given is noted, abbreviations
 * included (getopt takes "--launch" for --launcher), so that a caller can
 * refuse the ones that came from a file's text. */
static void test_option_sources(void **state)
{
	struct args a;
	struct cvb_plan plan;
	struct cvb_error err = {0};

	(void)state;
	ARGS(&a, "--reps", "2", "--launch=/tmp/evil {agent}", "--agent", "/tmp/a", "--out", "o");
	parse_ok(&a, &plan);
	assert_int_equal(plan.guarded_at[CVB_GUARD_LAUNCHER], 3 + 1);
	assert_int_equal(plan.guarded_at[CVB_GUARD_AGENT], 4 + 1);
	assert_int_equal(plan.guarded_at[CVB_GUARD_OUT], 6 + 1);
	assert_int_equal(plan.guarded_at[CVB_GUARD_KERNEL], 0);
	/* From the command line (args 3..): accepted. */
	assert_int_equal(cvb_plan_check_sources(&plan, 1, 3, "the file", false, &err), 0);
	/* From the file: refused, one line, naming the option and the fix. */
	assert_int_equal(cvb_plan_check_sources(&plan, 1, 4, "the file", false, &err), -1);
	assert_int_equal(err.code, EPERM);
	assert_msg_has(err, "the file gives --launcher '/tmp/evil'");
	assert_msg_has(err, "pass --launcher there");
	assert_null(strchr(err.msg, '\n'));
	/* A --out from the file is dropped, not refused. */
	ARGS(&a, "--out", "/etc/x", "--kernel", "/k", "--connect", "qemu+ext:///system");
	parse_ok(&a, &plan);
	assert_int_equal(cvb_plan_check_sources(&plan, 1, 3, "f", true, &err), 0);
	assert_null(plan.out_path);
	assert_int_equal(cvb_plan_check_sources(&plan, 1, 5, "f", true, &err), -1);
	assert_msg_has(err, "--kernel '/k'");
	assert_int_equal(cvb_plan_check_sources(&plan, 5, 7, "f", true, &err), -1);
	assert_msg_has(err, "--connect 'qemu+ext:///system'");
	/* The last one given is in effect: a later command-line value masks it. */
	ARGS(&a, "--agent", "/from/file", "--agent", "/from/cli");
	parse_ok(&a, &plan);
	assert_int_equal(cvb_plan_check_sources(&plan, 1, 3, "f", false, &err), 0);
	assert_string_equal(plan.agent_path, "/from/cli");
	assert_true(cvb_plan_option_runs_program("agent"));
	assert_true(cvb_plan_option_runs_program("kernel"));
	assert_false(cvb_plan_option_runs_program("out"));
	assert_false(cvb_plan_option_runs_program("reps"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_every_option),
	    cmocka_unit_test(test_equals_form_and_limits),
	    cmocka_unit_test(test_workload_list),
	    cmocka_unit_test(test_unknown_backend),
	    cmocka_unit_test(test_unknown_workload),
	    cmocka_unit_test(test_duplicates_and_empty_lists),
	    cmocka_unit_test(test_reps_errors),
	    cmocka_unit_test(test_other_number_errors),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_bad_command_line),
	    cmocka_unit_test(test_param_sets_value),
	    cmocka_unit_test(test_param_errors),
	    cmocka_unit_test(test_pin),
	    cmocka_unit_test(test_out_empty),
	    cmocka_unit_test(test_help),
	    cmocka_unit_test(test_parse_twice),
	    cmocka_unit_test(test_container_options),
	    cmocka_unit_test(test_container_option_errors),
	    cmocka_unit_test(test_launcher),
	    cmocka_unit_test(test_option_sources),
	};

	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
