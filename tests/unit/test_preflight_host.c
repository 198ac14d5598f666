/* The host-wide preflight checks against fake host roots under
 * tests/fixtures/preflight (or $CVB_FIXTURES/preflight):
 *   tuned     bare metal, governor performance, intel_pstate no_turbo 1, SMT on,
 *             tsc, 16 GiB of which 12 GiB available
 *   untuned   bare metal, powersave, no_turbo 0 (turbo on), SMT off, hpet,
 *             4 GiB of which 2 GiB available
 *   cloud-vm  the hypervisor flag, no cpufreq or turbo or SMT files, kvm-clock,
 *             a meminfo without MemAvailable
 *   boost     acpi-cpufreq: schedutil, cpufreq/boost 1, acpi_pm, the hypervisor
 *             flag last on its line, no DMI, another (idle) cvbench and a load
 *             average above 10
 * Each fixture proc holds a few pid dirs whose ticks do not move between the
 * load check's two looks, so nothing is busy. No fixture has var/lib, and the
 * results directory is only checked on the real root: no host.disk finding. */
#include "hostmem.h"
#include "preflight.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define MiB (1LL << 20)
#define GiB (1LL << 30)

static const char *fixture(const char *name)
{
	static char path[PATH_MAX];
	const char *base = getenv("CVB_FIXTURES");

	snprintf(path, sizeof(path), "%s/preflight/%s", base && *base ? base : "tests/fixtures",
	         name);
	return path;
}

static void run_case(const char *name, int64_t need, bool thorough, struct cvb_findings *out)
{
	struct cvb_preflight_plan pp = {0};

	pp.memory_need_bytes = need;
	pp.thorough = thorough;
	snprintf(pp.out_dir, sizeof(pp.out_dir), ".");
	memset(out, 0, sizeof(*out));
	cvb_preflight_host(&pp, fixture(name), out);
	assert_false(out->broken);
}

static const struct cvb_finding *find(const struct cvb_findings *f, const char *check)
{
	const struct cvb_finding *hit = NULL;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].check, check) == 0) {
			if (hit)
				fail_msg("%s found twice", check);
			hit = &f->v[i];
		}
	return hit;
}

static const struct cvb_finding *must_find(const struct cvb_findings *f, const char *check,
                                           enum cvb_level verdict)
{
	const struct cvb_finding *x = find(f, check);
	if (!x)
		fail_msg("no %s finding", check);
	if (x->verdict != verdict)
		fail_msg("%s is %s, expected %s: %s", check, cvb_level_name(x->verdict),
		         cvb_level_name(verdict), x->evidence);
	assert_string_equal(x->subject, "");
	if (verdict == CVB_LEVEL_OK)
		assert_string_equal(x->fix, "");
	return x;
}

#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		const char *h_ = (hay), *n_ = (needle);                                            \
		if (!strstr(h_, n_))                                                               \
			fail_msg("'%s' does not contain '%s'", h_, n_);                            \
	} while (0)

/* ---- a host ready to measure ---- */

static void test_tuned(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("tuned", 512 * MiB, false, &f);

	/* One finding per check, no disk check on a fixture root. */
	assert_int_equal(f.n, 7);
	assert_null(find(&f, "host.disk"));
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_OK);

	const struct cvb_finding *x = must_find(&f, "host.load", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "other processes used 0.00 CPUs over 200 ms (busiest: "
	                                 "none); load average 0.08 0.03 0.01");
	x = must_find(&f, "cpu.governor", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "scaling governor 'performance'");
	x = must_find(&f, "cpu.turbo", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "turbo/boost off");
	x = must_find(&f, "cpu.smt", CVB_LEVEL_OK);
	assert_contains(x->evidence, "SMT on (control: on)");
	assert_contains(x->evidence, "--placement sibling measures it");
	x = must_find(&f, "clock.source", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "clock source tsc");
	x = must_find(&f, "host.nested", CVB_LEVEL_OK);
	assert_string_equal(
	    x->evidence, "bare metal as far as cpuinfo tells; DMI: Dell Inc. Precision 3630 Tower");
	x = must_find(&f, "host.memory", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "MemAvailable 12288 MiB of 16384 MiB; the plan holds up "
	                                 "to about 512 MiB at once (1638 MiB stay free)");
	cvb_findings_free(&f);
}

/* The doctor's longer load sample says so. */
static void test_thorough_load(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("tuned", 0, true, &f);
	const struct cvb_finding *x = must_find(&f, "host.load", CVB_LEVEL_OK);
	assert_contains(x->evidence, "over 500 ms");
	cvb_findings_free(&f);
}

/* ---- a host left as it came ---- */

static void test_untuned(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("untuned", 256 * MiB, false, &f);
	assert_int_equal(f.n, 7);

	const struct cvb_finding *x = must_find(&f, "host.load", CVB_LEVEL_OK);
	assert_contains(x->evidence, "other processes used 0.00 CPUs over 200 ms (busiest: none)");
	assert_contains(x->evidence, "load average 1.50 1.20 0.90");

	x = must_find(&f, "cpu.governor", CVB_LEVEL_WARN);
	assert_string_equal(x->fix, "cpupower frequency-set -g performance (for the run)");
	assert_contains(x->evidence, "scaling governor 'powersave': the clock speed changes");

	x = must_find(&f, "cpu.turbo", CVB_LEVEL_WARN);
	assert_string_equal(x->fix, "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo");
	assert_contains(x->evidence, "turbo/boost on: speed depends on temperature");

	x = must_find(&f, "cpu.smt", CVB_LEVEL_OK);
	assert_contains(x->evidence, "SMT off or absent (control: off)");
	assert_contains(x->evidence, "--placement sibling is refused");

	x = must_find(&f, "clock.source", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "clock source hpet: every clock read traps");
	assert_contains(x->fix, "clocksource=tsc");

	x = must_find(&f, "host.nested", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "bare metal as far as cpuinfo tells; DMI: LENOVO");

	must_find(&f, "host.memory", CVB_LEVEL_OK);
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_WARN);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_WARN), 3);
	cvb_findings_free(&f);
}

/* ---- memory for the plan: 2 GiB available of 4 GiB, reserve 1 GiB ---- */

static enum cvb_level memory_verdict(int64_t need, char *evidence, size_t len)
{
	struct cvb_findings f;
	run_case("untuned", need, false, &f);
	const struct cvb_finding *x = find(&f, "host.memory");
	assert_non_null(x);
	enum cvb_level v = x->verdict;
	if (evidence)
		snprintf(evidence, len, "%s", x->evidence);
	if (v != CVB_LEVEL_OK)
		assert_string_equal(
		    x->fix, "free memory (stop other work) or plan fewer or smaller instances");
	cvb_findings_free(&f);
	return v;
}

static void test_memory(void **state)
{
	(void)state;
	char ev[640];
	const int64_t total = 4 * GiB, avail = 2 * GiB;

	/* The fixture's reserve: 1 GiB (10% of 4 GiB is less). */
	assert_int_equal(cvb_hostmem_reserve(total), GiB);

	/* More than MemAvailable: fail. */
	assert_int_equal(memory_verdict(3 * GiB, ev, sizeof(ev)), CVB_LEVEL_FAIL);
	assert_string_equal(ev, "MemAvailable 2048 MiB of 4096 MiB; the plan holds up to about "
	                        "3072 MiB at once, which leaves too little (1024 MiB stay free)");
	assert_int_equal(memory_verdict(avail + 1, NULL, 0), CVB_LEVEL_FAIL);

	/* Fits, but leaves less than the reserve: warn. */
	assert_int_equal(memory_verdict(1536 * MiB, ev, sizeof(ev)), CVB_LEVEL_WARN);
	assert_contains(ev, "about 1536 MiB at once, which leaves too little (1024 MiB stay free)");
	assert_int_equal(memory_verdict(avail, NULL, 0), CVB_LEVEL_WARN);
	assert_int_equal(memory_verdict(avail - GiB + 1, NULL, 0), CVB_LEVEL_WARN);

	/* Leaves the reserve or more: ok. */
	assert_int_equal(memory_verdict(avail - GiB, NULL, 0), CVB_LEVEL_OK);
	assert_int_equal(memory_verdict(512 * MiB, ev, sizeof(ev)), CVB_LEVEL_OK);
	assert_string_equal(ev, "MemAvailable 2048 MiB of 4096 MiB; the plan holds up to about "
	                        "512 MiB at once (1024 MiB stay free)");
	assert_int_equal(memory_verdict(0, NULL, 0), CVB_LEVEL_OK);
}

static void test_reserve(void **state)
{
	(void)state;
	assert_int_equal(cvb_hostmem_reserve(0), GiB);
	assert_int_equal(cvb_hostmem_reserve(4 * GiB), GiB);
	assert_int_equal(cvb_hostmem_reserve(10 * GiB), GiB);
	assert_int_equal(cvb_hostmem_reserve(16 * GiB), 16 * GiB / 10);
	assert_int_equal(cvb_hostmem_reserve(64 * GiB), 64 * GiB / 10);
}

/* ---- a VM without the knobs ---- */

static void test_cloud_vm(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("cloud-vm", 256 * MiB, false, &f);

	/* No turbo knobs: no turbo finding at all. */
	assert_null(find(&f, "cpu.turbo"));
	assert_null(find(&f, "host.disk"));
	assert_int_equal(f.n, 6);

	must_find(&f, "host.load", CVB_LEVEL_OK);
	const struct cvb_finding *x = must_find(&f, "cpu.governor", CVB_LEVEL_OK);
	assert_contains(x->evidence, "no cpufreq here (typical in a VM)");
	x = must_find(&f, "cpu.smt", CVB_LEVEL_OK);
	assert_contains(x->evidence, "SMT off or absent (control: unreadable)");
	x = must_find(&f, "clock.source", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "clock source kvm-clock");

	x = must_find(&f, "host.nested", CVB_LEVEL_OK);
	assert_contains(x->evidence, "itself a VM");
	assert_contains(x->evidence,
	                "(cpuinfo: hypervisor; DMI: QEMU Standard PC (Q35 + ICH9, 2009))");
	assert_contains(x->evidence, "VMs here are nested");

	/* A meminfo without MemAvailable cannot be judged: warn with why. */
	x = must_find(&f, "host.memory", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "has no MemAvailable/MemTotal");
	assert_contains(x->evidence, "cloud-vm/proc/meminfo");
	cvb_findings_free(&f);
}

/* ---- boost, an odd clock, another cvbench ---- */

static void test_boost(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("boost", GiB, false, &f);
	assert_int_equal(f.n, 7);

	const struct cvb_finding *x = must_find(&f, "cpu.turbo", CVB_LEVEL_WARN);
	assert_string_equal(x->fix, "echo 0 > /sys/devices/system/cpu/cpufreq/boost");
	assert_contains(x->evidence, "turbo/boost on");

	x = must_find(&f, "cpu.governor", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "scaling governor 'schedutil'");
	assert_string_equal(x->fix, "cpupower frequency-set -g performance (for the run)");

	x = must_find(&f, "clock.source", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "clock source acpi_pm:");

	/* The hypervisor flag last on its line still counts; no DMI: none shown. */
	x = must_find(&f, "host.nested", CVB_LEVEL_OK);
	assert_contains(x->evidence, "this host is itself a VM (cpuinfo: hypervisor): figures");

	/* Another cvbench, even idle, makes the load check warn. */
	x = must_find(&f, "host.load", CVB_LEVEL_WARN);
	/* A load average of 10 or more is shown whole. */
	assert_string_equal(x->evidence, "other processes used 0.00 CPUs over 200 ms (busiest: "
	                                 "none); another cvbench runs; load average 12.50 10.20 "
	                                 "9.90");
	assert_contains(x->fix, "another cvbench is running");

	x = must_find(&f, "host.memory", CVB_LEVEL_OK);
	assert_contains(x->evidence, "MemAvailable 61440 MiB of 65536 MiB");
	assert_contains(x->evidence, "(6553 MiB stay free)");
	cvb_findings_free(&f);
}

/* ---- a root with nothing in it ---- */

static void test_missing_root(void **state)
{
	(void)state;
	struct cvb_findings f;
	run_case("no-such-host", 0, false, &f);

	const struct cvb_finding *x = must_find(&f, "host.load", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "cannot sample CPU use");
	must_find(&f, "cpu.governor", CVB_LEVEL_OK);
	assert_null(find(&f, "cpu.turbo"));
	x = must_find(&f, "clock.source", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "clock source unreadable");
	x = must_find(&f, "host.nested", CVB_LEVEL_OK);
	assert_string_equal(x->evidence, "bare metal as far as cpuinfo tells");
	x = must_find(&f, "host.memory", CVB_LEVEL_WARN);
	assert_contains(x->evidence, "cannot read");
	assert_null(find(&f, "host.disk"));
	cvb_findings_free(&f);
}

/* Findings are appended to what the list holds. */
static void test_appends(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	struct cvb_preflight_plan pp = {0};

	snprintf(pp.out_dir, sizeof(pp.out_dir), ".");
	cvb_findings_add(&f, "earlier", NULL, CVB_LEVEL_FAIL, NULL, "kept");
	cvb_preflight_host(&pp, fixture("tuned"), &f);
	assert_int_equal(f.n, 8);
	assert_string_equal(f.v[0].check, "earlier");
	assert_string_equal(f.v[1].check, "host.load");
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_FAIL);
	cvb_findings_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tuned),   cmocka_unit_test(test_thorough_load),
	    cmocka_unit_test(test_untuned), cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_reserve), cmocka_unit_test(test_cloud_vm),
	    cmocka_unit_test(test_boost),   cmocka_unit_test(test_missing_root),
	    cmocka_unit_test(test_appends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
