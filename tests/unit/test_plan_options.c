/* The option rows (harness/plan/plan_options.c, plan_rows.c and each backend's
 * table): consistent with each other, with getopt's array, with the guarded
 * options, and with the help they generate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t rows(const struct cvb_plan_option **o)
{
	size_t n = cvb_plan_options(o);
	assert_true(n > 40);
	assert_true(n <= CVB_PLAN_MAX_OPTIONS);
	return n;
}

static void test_names_unique(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o);
	(void)state;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(o[i].row->name);
		assert_int_not_equal(strncmp(o[i].row->name, "-", 1), 0);
		for (size_t j = i + 1; j < n; j++)
			if (strcmp(o[i].row->name, o[j].row->name) == 0)
				fail_msg("option --%s declared twice", o[i].row->name);
		assert_ptr_equal(cvb_plan_option_find(o[i].row->name), &o[i]);
	}
	assert_null(cvb_plan_option_find("no-such-option"));
}

/* Every row says what it does and has what its kind needs. */
static void test_rows_complete(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o);
	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct cvb_option *r = o[i].row;
		if (!r->help || !*r->help)
			fail_msg("--%s has no help", r->name);
		bool flag = r->kind == CVB_OPT_FLAG || r->kind == CVB_OPT_FLAG_OFF ||
		            r->kind == CVB_OPT_HELP;
		if (flag != !r->arg)
			fail_msg("--%s: a value name exactly when it takes a value", r->name);
		if ((r->kind == CVB_OPT_CUSTOM) != (r->parse != NULL))
			fail_msg("--%s: a parse callback exactly for CUSTOM", r->name);
		if ((r->kind == CVB_OPT_NAMES) != (r->names != NULL))
			fail_msg("--%s: names exactly for NAMES", r->name);
		if (r->kind == CVB_OPT_CPULIST && !r->expect)
			fail_msg("--%s: a CPU list row says what one looks like", r->name);
		if (r->kind >= CVB_OPT_INT && r->kind <= CVB_OPT_SECONDS_MS && r->min > r->max)
			fail_msg("--%s: min above max", r->name);
		if (o[i].backend && (r->flags & (CVB_OPTF_RUN_WIDE | CVB_OPTF_NOT_IN_BLOCK)))
			fail_msg("--%s: a backend's option is per block", r->name);
		if (o[i].backend && r->group)
			fail_msg("--%s: backend groups come from options_heading", r->name);
		if ((r->flags & (CVB_OPTF_HELP_PAIR | CVB_OPTF_HELP_INLINE)) &&
		    (i == 0 || o[i - 1].backend != o[i].backend))
			fail_msg("--%s: joins the help of a row of another table", r->name);
	}
}

/* The guarded rows are exactly the options that name a program, plus --out. */
static void test_guarded(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o);
	static const char *const programs[] = {"agent", "launcher", "kernel", "connect", NULL};
	int seen[CVB_N_GUARDED] = {0};
	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct cvb_option *r = o[i].row;
		bool program = false;
		for (size_t k = 0; programs[k]; k++)
			program |= strcmp(programs[k], r->name) == 0;
		assert_int_equal(cvb_plan_option_runs_program(r->name), program);
		assert_true(r->guard < CVB_N_GUARDED);
		seen[r->guard]++;
		if (r->guard == CVB_GUARD_OUT)
			assert_string_equal(r->name, "out");
		if (program || r->guard != CVB_GUARD_NONE)
			assert_int_equal(r->flags & CVB_OPTF_NOT_IN_BLOCK, 0);
	}
	for (int g = CVB_GUARD_NONE + 1; g < CVB_N_GUARDED; g++)
		assert_int_equal(seen[g], 1);
	assert_int_equal(cvb_plan_option_find("agent")->row->guard, CVB_GUARD_AGENT);
	assert_int_equal(cvb_plan_option_find("launcher")->row->guard, CVB_GUARD_LAUNCHER);
	assert_int_equal(cvb_plan_option_find("kernel")->row->guard, CVB_GUARD_KERNEL);
	assert_int_equal(cvb_plan_option_find("connect")->row->guard, CVB_GUARD_CONNECT);
	assert_false(cvb_plan_option_runs_program("out"));
	assert_false(cvb_plan_option_runs_program("no-such-option"));
}

/* getopt's array holds every block row once, with its value kind. */
static void test_getopt_array(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o), k = 0;
	struct option opts[CVB_PLAN_MAX_OPTIONS + 1];
	(void)state;
	memset(opts, 0xff, sizeof(opts));
	cvb_plan_options_getopt(opts);
	for (; opts[k].name; k++) {
		size_t i = (size_t)(opts[k].val - CVB_PLAN_OPTION_VAL);
		assert_true(i < n);
		assert_string_equal(opts[k].name, o[i].row->name);
		assert_null(opts[k].flag);
		assert_int_equal(opts[k].has_arg == no_argument,
		                 cvb_plan_option_is_flag(o[i].row->name));
		assert_int_equal(o[i].row->flags & CVB_OPTF_NOT_IN_BLOCK, 0);
	}
	assert_int_equal(opts[k].has_arg, 0);
	assert_int_equal(opts[k].val, 0);
	size_t outside = 0;
	for (size_t i = 0; i < n; i++)
		outside += (o[i].row->flags & CVB_OPTF_NOT_IN_BLOCK) != 0;
	assert_int_equal(k + outside, n);
	assert_int_equal(outside, 2); /* --matrix, --resume: read by matrix.c */
	assert_true(cvb_plan_option_find("matrix")->row->flags & CVB_OPTF_NOT_IN_BLOCK);
	assert_true(cvb_plan_option_find("resume")->row->flags & CVB_OPTF_NOT_IN_BLOCK);
}

static void test_flags(void **state)
{
	static const char *const flags[] = {"rootfs-rw", "no-cgroup", "no-drop-caches", "dry-run",
	                                    "quiet",     "force",     "help",           NULL};
	const struct cvb_plan_option *o;
	size_t n = rows(&o), count = 0;
	(void)state;
	for (size_t i = 0; flags[i]; i++)
		assert_true(cvb_plan_option_is_flag(flags[i]));
	for (size_t i = 0; i < n; i++)
		count += cvb_plan_option_is_flag(o[i].row->name);
	assert_int_equal(count, 7);
	assert_false(cvb_plan_option_is_flag("out"));
	assert_false(cvb_plan_option_is_flag("no-such-option"));
	/* A matrix list of these becomes one option per item. */
	count = 0;
	for (size_t i = 0; i < n; i++)
		count += (o[i].row->flags & CVB_OPTF_REPEATABLE) != 0;
	assert_int_equal(count, 2);
	assert_true(cvb_plan_option_find("param")->row->flags & CVB_OPTF_REPEATABLE);
	assert_true(cvb_plan_option_find("scenario")->row->flags & CVB_OPTF_REPEATABLE);
}

/* Each backend's options are declared by it, the rest are generic. */
static void test_owners(void **state)
{
	static const char *const container[] = {
	    "ns",          "cpu-quota",  "cpu-period-us", "cpu-weight", "cpuset-cpus",
	    "cpuset-mems", "memory-max", "swap-max",      "pids-max",   "io-weight",
	    "harden",      "rootfs-rw",  "no-cgroup",     NULL};
	static const char *const vm[] = {"accel",           "connect", "kernel",    "vcpus",
	                                 "vm-memory",       "machine", "cpu-model", "vm-pin-vcpus",
	                                 "vm-pin-emulator", NULL};
	(void)state;
	for (size_t i = 0; container[i]; i++)
		assert_ptr_equal(cvb_plan_option_find(container[i])->backend,
		                 cvb_backend_find("container"));
	for (size_t i = 0; vm[i]; i++)
		assert_ptr_equal(cvb_plan_option_find(vm[i])->backend, cvb_backend_find("vm"));
	assert_null(cvb_plan_option_find("reps")->backend);
	assert_null(cvb_plan_option_find("launcher")->backend);
	/* Generic rows come first, then the backends' in registry order. */
	const struct cvb_plan_option *o;
	size_t n = rows(&o);
	for (size_t i = 1; i < n; i++)
		assert_false(o[i - 1].backend && !o[i].backend);
}

/* The limits a scenario's aggressor may take: what --scenario's help lists. */
static void test_scenario_limits(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o);
	char list[512] = "";
	size_t off = 0;
	(void)state;
	for (size_t i = 0; i < n; i++)
		if (o[i].row->flags & CVB_OPTF_SCENARIO_LIMIT)
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
			                        off ? "," : "", o[i].row->name);
	assert_string_equal(list, "cpu-quota,cpu-period-us,cpu-weight,cpuset-cpus,memory-max,"
	                          "swap-max,pids-max,io-weight");
}

/* The generated help names every option once and shows the defaults. */
static void test_usage(void **state)
{
	const struct cvb_plan_option *o;
	size_t n = rows(&o), len = 0;
	char *text = NULL;
	(void)state;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	cvb_plan_usage(f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		char want[80];
		snprintf(want, sizeof(want), "--%s%s", o[i].row->name, o[i].row->arg ? " " : "");
		if (!strstr(text, want))
			fail_msg("--help does not show '%s'", want);
	}
	assert_null(strstr(text, "{def}"));
	assert_non_null(
	    strstr(text, "  --reps N           measured launches per cell (default: 30)\n"));
	assert_non_null(strstr(text, "  --cpuset-cpus LIST, --cpuset-mems LIST   cpuset limits\n"));
	assert_non_null(strstr(text, "(default q35); --cpu-model NAME (default: host\n"
	                             "                     with KVM, max with TCG)\n"));
	/* Defaults that come from the registry. */
	assert_non_null(strstr(text, "comma-separated (default: native)\n"));
	assert_non_null(strstr(text, "(default: per\n                     backend, native 10)\n"));
	assert_non_null(strstr(text, "  --launcher CMD     native only: start the agent"));
	assert_non_null(strstr(text, "\nVM instances:\n  --accel auto|kvm|tcg  auto: KVM"));
	assert_non_null(strstr(text, "\ndensity and noisy neighbours:\n  --instances LIST "));
	/* The backends' groups sit between the selection options and density. */
	assert_true(strstr(text, "--pin none") < strstr(text, "container instances"));
	assert_true(strstr(text, "VM instances") < strstr(text, "density and noisy"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_unique),    cmocka_unit_test(test_rows_complete),
	    cmocka_unit_test(test_guarded),         cmocka_unit_test(test_getopt_array),
	    cmocka_unit_test(test_flags),           cmocka_unit_test(test_owners),
	    cmocka_unit_test(test_scenario_limits), cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
