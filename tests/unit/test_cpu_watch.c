/* Who else uses the CPUs: snapshots of a fixture /proc taken twice
 * (tests/fixtures/proc-cpu/a and b, or $CVB_FIXTURES/proc-cpu), compared
 * over exactly one second at 100 ticks a second, so that a tick is 0.01 CPU.
 *
 * The fixture's processes (ticks = utime+stime+cutime+cstime, b minus a):
 *   1 systemd          0   foreign, idle
 *   2 kthreadd        30   kernel (pid 2)          15 kworker/0:1   50 kernel (PF_KTHREAD, ppid 2)
 *  16 odd_kthread     80   kernel (PF_KTHREAD)     17 child_of_2    50 kernel (ppid 2)
 * 500 libvirtd        80   serving daemon         501 virtlogd      20 serving daemon
 * 600 qemu (RUNID)    90   this run's VM          601 qemu (OTHERRUN) 60 foreign
 * 602 qemu (RUNID2)    8   foreign: another run whose id starts like ours
 * 700 "my (odd) prog" 30   foreign (parentheses and spaces in comm; cutime/cstime)
 * 701 stress-ng      100   foreign                800 make          15 foreign, born after a
 * 801 reused           7   foreign, pid reused (a: start 3000, 500 ticks)
 * 805 worker          12   foreign, pid reused (a: start 3100, 5 ticks)
 * 802 gone             -   only in a              803 idle           0   foreign
 * 804 tiny             3   foreign                900 bash           2   foreign: self's parent
 *1000 cvbench         30   self                  1001 cvb-agent     40   self's child
 *1002 sh              10   self's grandchild
 * 4000 (no stat), 4001 and 4002 (garbled stat) are skipped; so are non-pid entries.
 * Host /proc/stat: busy (all but idle and iowait) 1520 -> 2275 ticks: more than
 * the processes above use, so the foreign total is never capped here. */
#include "cpu_watch.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "double_asserts.h"

#define TICKS 100
#define SELF 1000

static const char *fixture(const char *name)
{
	static char path[2][PATH_MAX];
	static int which;
	const char *base = getenv("CVB_FIXTURES");

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/proc-cpu/%s",
	         base && *base ? base : "tests/fixtures", name);
	return path[which];
}

struct pair {
	struct cvb_cpu_snapshot a, b;
};

/* Takes both snapshots and makes them exactly one second apart. */
static void take(struct pair *p, pid_t self, const char *run_id)
{
	struct cvb_error err = {0};

	assert_int_equal(cvb_cpu_snapshot_take(fixture("a"), self, run_id, &p->a, &err), 0);
	assert_int_equal(cvb_cpu_snapshot_take(fixture("b"), self, run_id, &p->b, &err), 0);
	p->a.t_ns = 5000000000LL;
	p->b.t_ns = 6000000000LL;
}

static void drop(struct pair *p)
{
	cvb_cpu_snapshot_free(&p->a);
	cvb_cpu_snapshot_free(&p->b);
}

static const struct cvb_proc_ticks *proc_of(const struct cvb_cpu_snapshot *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->procs[i].pid == pid)
			return &s->procs[i];
	return NULL;
}

static int kind_of(const struct cvb_cpu_snapshot *s, pid_t pid)
{
	const struct cvb_proc_ticks *p = proc_of(s, pid);
	if (!p)
		fail_msg("pid %d is not in the snapshot", (int)pid);
	return p->kind;
}

/* ---- reading a snapshot ---- */

static void test_snapshot_parse(void **state)
{
	(void)state;
	struct pair p;
	take(&p, SELF, "RUNID");

	/* 21 processes in a; 4000 (no stat), 4001 and 4002 (garbled) skipped. */
	assert_int_equal(p.a.n, 21);
	assert_int_equal(p.b.n, 21);
	assert_null(proc_of(&p.a, 4000));
	assert_null(proc_of(&p.a, 4001));
	assert_null(proc_of(&p.a, 4002));
	assert_null(proc_of(&p.a, 800));
	assert_non_null(proc_of(&p.a, 802));
	assert_null(proc_of(&p.b, 802));

	/* Sorted by pid (readdir gives any order). */
	for (size_t i = 1; i < p.a.n; i++)
		assert_true(p.a.procs[i - 1].pid < p.a.procs[i].pid);
	for (size_t i = 1; i < p.b.n; i++)
		assert_true(p.b.procs[i - 1].pid < p.b.procs[i].pid);

	/* The comm between the first '(' and the last ')'. */
	const struct cvb_proc_ticks *odd = proc_of(&p.a, 700);
	assert_non_null(odd);
	assert_string_equal(odd->comm, "my (odd) prog");
	assert_int_equal(odd->ppid, 1);
	assert_int_equal(odd->ticks, 100 + 50 + 10 + 10);
	assert_int_equal(odd->start, 5000);
	assert_string_equal(proc_of(&p.a, 15)->comm, "kworker/0:1-events");
	assert_int_equal(proc_of(&p.a, 15)->ppid, 2);
	const struct cvb_proc_ticks *stress = proc_of(&p.b, 701);
	assert_string_equal(stress->comm, "stress-ng");
	assert_int_equal(stress->ticks, 1060 + 220 + 45 + 15);
	assert_int_equal(stress->start, 6000);
	assert_int_equal(proc_of(&p.a, 801)->start, 3000);
	assert_int_equal(proc_of(&p.b, 801)->start, 10600);

	/* Host busy ticks: user nice system irq softirq steal. */
	assert_int_equal(p.a.host_busy_ticks, 1000 + 10 + 500 + 5 + 5 + 0);
	assert_int_equal(p.b.host_busy_ticks, 1700 + 10 + 540 + 10 + 15 + 0);
	drop(&p);
}

static void test_snapshot_kinds(void **state)
{
	(void)state;
	struct pair p;
	take(&p, SELF, "RUNID");
	const struct cvb_cpu_snapshot *b = &p.b;

	/* Kernel threads: pid 2, its children, anything with PF_KTHREAD. */
	assert_int_equal(kind_of(b, 2), CVB_PROC_IGNORED);
	assert_int_equal(kind_of(b, 15), CVB_PROC_IGNORED);
	assert_int_equal(kind_of(b, 16), CVB_PROC_IGNORED);
	assert_int_equal(kind_of(b, 17), CVB_PROC_IGNORED);
	/* The daemons working for the run. */
	assert_int_equal(kind_of(b, 500), CVB_PROC_IGNORED);
	assert_int_equal(kind_of(b, 501), CVB_PROC_IGNORED);
	/* This run's VM, and another run's (even one whose id extends ours). */
	assert_int_equal(kind_of(b, 600), CVB_PROC_OURS);
	assert_int_equal(kind_of(b, 601), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(b, 602), CVB_PROC_FOREIGN);
	/* Self and its descendants, but not its parent or siblings. */
	assert_int_equal(kind_of(b, 1000), CVB_PROC_OURS);
	assert_int_equal(kind_of(b, 1001), CVB_PROC_OURS);
	assert_int_equal(kind_of(b, 1002), CVB_PROC_OURS);
	assert_int_equal(kind_of(b, 900), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(b, 701), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(b, 800), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(b, 1), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(b, 700), CVB_PROC_FOREIGN);
	drop(&p);

	/* Without a run id no QEMU is ours. */
	take(&p, SELF, NULL);
	assert_int_equal(kind_of(&p.b, 600), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(&p.b, 601), CVB_PROC_FOREIGN);
	drop(&p);

	/* Another run id: the other QEMU is ours. */
	take(&p, SELF, "OTHERRUN");
	assert_int_equal(kind_of(&p.b, 600), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(&p.b, 601), CVB_PROC_OURS);
	drop(&p);

	/* Self deeper in the tree: its parent is foreign now. */
	take(&p, 1001, "RUNID");
	assert_int_equal(kind_of(&p.b, 1000), CVB_PROC_FOREIGN);
	assert_int_equal(kind_of(&p.b, 1001), CVB_PROC_OURS);
	assert_int_equal(kind_of(&p.b, 1002), CVB_PROC_OURS);
	drop(&p);
}

static void test_snapshot_missing_root(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	struct cvb_cpu_snapshot s;

	assert_int_equal(cvb_cpu_snapshot_take(fixture("no-such-dir"), SELF, NULL, &s, &err), -1);
	assert_true(err.msg[0] != '\0');
	assert_int_equal(s.n, 0);
	assert_null(s.procs);
	cvb_cpu_snapshot_free(&s);
}

/* ---- comparing two snapshots ---- */

static void test_use_between(void **state)
{
	(void)state;
	struct pair p;
	struct cvb_cpu_use use;
	take(&p, SELF, "RUNID");

	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_near(use.seconds, 1.0, 1e-12);
	assert_near(use.host_cpus, 7.55, 1e-9);
	/* Only foreign ones: 601 .60, 602 .08, 700 .30, 701 1.00, 800 .15 (born
	 * since a: all its ticks), 801 .07 and 805 .12 (reused pids: from 0),
	 * 804 .03, 900 .02. Not self (1000) nor its descendants (1001, 1002),
	 * not kernel threads, not libvirtd/virtlogd, not this run's QEMU (600). */
	assert_near(use.foreign_cpus, 0.60 + 0.08 + 0.30 + 1.00 + 0.15 + 0.07 + 0.12 + 0.03 + 0.02,
	            1e-9);

	/* The busiest four, busiest first. */
	assert_int_equal(use.n_top, 4);
	assert_int_equal(use.top[0].pid, 701);
	assert_string_equal(use.top[0].comm, "stress-ng");
	assert_near(use.top[0].cpus, 1.00, 1e-9);
	assert_int_equal(use.top[1].pid, 601);
	assert_string_equal(use.top[1].comm, "qemu-system-x86");
	assert_near(use.top[1].cpus, 0.60, 1e-9);
	assert_int_equal(use.top[2].pid, 700);
	assert_string_equal(use.top[2].comm, "my (odd) prog");
	assert_near(use.top[2].cpus, 0.30, 1e-9);
	assert_int_equal(use.top[3].pid, 800);
	assert_string_equal(use.top[3].comm, "make");
	assert_near(use.top[3].cpus, 0.15, 1e-9);

	char buf[320];
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf,
	                    "stress-ng (pid 701) 1.00 CPU, qemu-system-x86 (pid 601) 0.60 CPU, "
	                    "my (odd) prog (pid 700) 0.30 CPU, make (pid 800) 0.15 CPU");
	drop(&p);
}

/* The same snapshots seen by another self, run, interval or tick rate. */
static void test_use_between_variants(void **state)
{
	(void)state;
	struct pair p;
	struct cvb_cpu_use use;
	const double base = 0.60 + 0.08 + 0.30 + 1.00 + 0.15 + 0.07 + 0.12 + 0.03 + 0.02;

	/* No run id: this run's QEMU (0.90) competes too. */
	take(&p, SELF, NULL);
	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_near(use.foreign_cpus, base + 0.90, 1e-9);
	assert_int_equal(use.top[1].pid, 600);
	assert_near(use.top[1].cpus, 0.90, 1e-9);
	drop(&p);

	/* Self is 1001: 1000 (0.30) is foreign, 1002 is still ours. */
	take(&p, 1001, "RUNID");
	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_near(use.foreign_cpus, base + 0.30, 1e-9);
	drop(&p);

	/* Two seconds apart: half the CPUs. */
	take(&p, SELF, "RUNID");
	p.b.t_ns = p.a.t_ns + 2000000000LL;
	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_near(use.seconds, 2.0, 1e-12);
	assert_near(use.foreign_cpus, base / 2, 1e-9);
	assert_near(use.host_cpus, 7.55 / 2, 1e-9);
	assert_near(use.top[0].cpus, 0.50, 1e-9);

	/* 250 ticks a second: a tick is 0.004 CPU. */
	p.b.t_ns = p.a.t_ns + 1000000000LL;
	cvb_cpu_use_between(&p.a, &p.b, 250, &use);
	assert_near(use.top[0].cpus, 0.40, 1e-9);

	/* No time, negative time or no tick rate: nothing measured. */
	p.b.t_ns = p.a.t_ns;
	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_true(use.foreign_cpus == 0 && use.host_cpus == 0 && use.n_top == 0);
	p.b.t_ns = p.a.t_ns - 1;
	cvb_cpu_use_between(&p.a, &p.b, TICKS, &use);
	assert_true(use.foreign_cpus == 0 && use.n_top == 0);
	p.b.t_ns = p.a.t_ns + 1000000000LL;
	cvb_cpu_use_between(&p.a, &p.b, 0, &use);
	assert_true(use.foreign_cpus == 0 && use.n_top == 0);

	/* A snapshot against itself: nothing was used. */
	struct cvb_cpu_snapshot later = p.b;
	later.t_ns += 1000000000LL;
	cvb_cpu_use_between(&p.b, &later, TICKS, &use);
	assert_true(use.foreign_cpus == 0 && use.host_cpus == 0 && use.n_top == 0);
	char buf[64];
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "none");

	/* The host counter going backwards (another boot?) is not a use. */
	struct cvb_cpu_snapshot back = p.a;
	back.t_ns = p.b.t_ns + 1000000000LL;
	cvb_cpu_use_between(&p.b, &back, TICKS, &use);
	assert_near(use.seconds, 1.0, 1e-12);
	assert_true(use.host_cpus == 0);
	drop(&p);
}

/* ---- the top list, with snapshots made by hand ---- */

static struct cvb_proc_ticks mk(pid_t pid, const char *comm, uint64_t ticks, uint64_t start,
                                int kind)
{
	struct cvb_proc_ticks p = {
	    .pid = pid, .ppid = 1, .ticks = ticks, .start = start, .kind = kind};
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	return p;
}

/* Reaped children count only where they fit in the interval, never for
 * pid 1 (the reaper of orphans), and the total never exceeds the host's. */
static void test_reaped_and_host_caps(void **state)
{
	(void)state;
	struct cvb_proc_ticks pa[3] = {mk(1, "init", 100, 1, CVB_PROC_FOREIGN),
	                               mk(50, "make", 100, 10, CVB_PROC_FOREIGN),
	                               mk(60, "reaper", 100, 20, CVB_PROC_FOREIGN)};
	struct cvb_proc_ticks pb[3] = {mk(1, "init", 100 + 900, 1, CVB_PROC_FOREIGN),
	                               mk(50, "make", 100 + 40, 10, CVB_PROC_FOREIGN),
	                               mk(60, "reaper", 100 + 5 + 100000, 20, CVB_PROC_FOREIGN)};
	pb[0].reaped = 900;    /* an orphan's whole life reaped by init */
	pb[1].reaped = 30;     /* make's compilers, within the second */
	pb[2].reaped = 100000; /* 1000 CPU-seconds at once: not from this second */
	struct cvb_cpu_snapshot a = {.t_ns = 0, .host_busy_ticks = 0, .procs = pa, .n = 3};
	struct cvb_cpu_snapshot b = {.t_ns = 1000000000LL, .host_busy_ticks = 100, .procs = pb, .n = 3};
	struct cvb_cpu_use use;
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	/* make 0.40 (own 0.10 + reaped 0.30), reaper 0.05, init 0. */
	assert_near(use.foreign_cpus, 0.45, 1e-9);
	assert_int_equal(use.top[0].pid, 50);
	/* The host used less than that: the total is the host's. */
	b.host_busy_ticks = 20;
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	assert_near(use.foreign_cpus, 0.20, 1e-9);
}

static void test_top_capped_and_sorted(void **state)
{
	(void)state;
	/* In pid order, as snapshots are; the loads in no particular order. */
	static const uint64_t load[] = {5, 70, 20, 90, 1, 40, 90, 60, 30, 10};
	struct cvb_proc_ticks pa[10], pb[10];
	char name[16];
	double sum = 0;
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		pa[i] = mk(100 + i, name, 1000, 50, CVB_PROC_FOREIGN);
		pb[i] = mk(100 + i, name, 1000 + load[i], 50, CVB_PROC_FOREIGN);
		sum += (double)load[i] / TICKS;
	}
	struct cvb_cpu_snapshot a = {.t_ns = 0, .procs = pa, .n = 10};
	struct cvb_cpu_snapshot b = {.t_ns = 1000000000LL, .procs = pb, .n = 10};
	struct cvb_cpu_use use;
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	assert_near(use.foreign_cpus, sum, 1e-9);
	assert_int_equal(use.n_top, 4);
	/* Ties keep the earlier one first. */
	assert_int_equal(use.top[0].pid, 103);
	assert_int_equal(use.top[1].pid, 106);
	assert_int_equal(use.top[2].pid, 101);
	assert_int_equal(use.top[3].pid, 107);
	for (size_t i = 1; i < use.n_top; i++)
		assert_true(use.top[i - 1].cpus >= use.top[i].cpus);
	assert_near(use.top[3].cpus, 0.60, 1e-9);

	char buf[256];
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "p3 (pid 103) 0.90 CPU, p6 (pid 106) 0.90 CPU, p1 (pid 101) 0.70 "
	                         "CPU, p7 (pid 107) 0.60 CPU");

	/* Fewer than four: all of them, still sorted. */
	b.n = 3;
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	assert_int_equal(use.n_top, 3);
	assert_int_equal(use.top[0].pid, 101);
	assert_int_equal(use.top[1].pid, 102);
	assert_int_equal(use.top[2].pid, 100);

	/* Ours and ignored ones never enter, whatever they use. */
	pb[3].kind = CVB_PROC_OURS;
	pb[6].kind = CVB_PROC_IGNORED;
	b.n = 10;
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	assert_near(use.foreign_cpus, sum - 1.80, 1e-9);
	assert_int_equal(use.top[0].pid, 101);
	assert_int_equal(use.top[1].pid, 107);
	assert_int_equal(use.top[2].pid, 105);
	assert_int_equal(use.top[3].pid, 108);
}

static void test_reused_and_new_pids(void **state)
{
	(void)state;
	struct cvb_proc_ticks pa[2] = {mk(10, "old", 500, 100, CVB_PROC_FOREIGN),
	                               mk(11, "same", 500, 100, CVB_PROC_FOREIGN)};
	struct cvb_proc_ticks pb[3] = {mk(10, "new", 520, 900, CVB_PROC_FOREIGN),
	                               mk(11, "same", 520, 100, CVB_PROC_FOREIGN),
	                               mk(12, "born", 33, 950, CVB_PROC_FOREIGN)};
	struct cvb_cpu_snapshot a = {.t_ns = 0, .procs = pa, .n = 2};
	struct cvb_cpu_snapshot b = {.t_ns = 10000000000LL, .procs = pb, .n = 3};
	struct cvb_cpu_use use;

	/* Over 10 s: pid 10 is a new process (520 ticks, 0.52), 11 used 20
	 * (0.02), 12 was born (33, 0.033). */
	cvb_cpu_use_between(&a, &b, TICKS, &use);
	assert_near(use.foreign_cpus, 0.52 + 0.02 + 0.033, 1e-9);
	assert_int_equal(use.n_top, 3);
	assert_int_equal(use.top[0].pid, 10);
	assert_string_equal(use.top[0].comm, "new");
	assert_near(use.top[0].cpus, 0.52, 1e-9);
	assert_int_equal(use.top[1].pid, 12);
	assert_int_equal(use.top[2].pid, 11);

	/* Below 0.05 CPU a process is not worth naming. */
	char buf[128];
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "new (pid 10) 0.52 CPU");
}

/* ---- the description ---- */

static void test_describe(void **state)
{
	(void)state;
	struct cvb_cpu_use use = {0};
	char buf[256];

	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "none");

	use.n_top = 2;
	use.top[0] = (struct cvb_busy_proc){.pid = 812, .comm = "stress-ng", .cpus = 0.98};
	use.top[1] = (struct cvb_busy_proc){.pid = 77, .comm = "make", .cpus = 0.2};
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "stress-ng (pid 812) 0.98 CPU, make (pid 77) 0.20 CPU");

	/* Only small ones: none. */
	use.top[0].cpus = 0.049;
	use.top[1].cpus = 0.01;
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "none");

	/* Exactly 0.05 is named; more than one CPU (threads) too. */
	use.top[0].cpus = 3.5;
	use.top[1].cpus = 0.05;
	cvb_cpu_use_describe(&use, buf, sizeof(buf));
	assert_string_equal(buf, "stress-ng (pid 812) 3.50 CPU, make (pid 77) 0.05 CPU");

	/* A short buffer is cut, never overrun, and stays terminated. */
	char small[24];
	memset(small, 'X', sizeof(small));
	cvb_cpu_use_describe(&use, small, 16);
	assert_int_equal(strlen(small), 15);
	assert_memory_equal(small, "stress-ng (pid ", 15);
	assert_true(small[16] == 'X');
	use.n_top = 4;
	use.top[2] = (struct cvb_busy_proc){.pid = 5, .comm = "a", .cpus = 1};
	use.top[3] = (struct cvb_busy_proc){.pid = 6, .comm = "b", .cpus = 1};
	memset(small, 'X', sizeof(small));
	cvb_cpu_use_describe(&use, small, 20);
	assert_int_equal(strlen(small), 19);
	assert_true(small[20] == 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snapshot_parse),
	    cmocka_unit_test(test_snapshot_kinds),
	    cmocka_unit_test(test_snapshot_missing_root),
	    cmocka_unit_test(test_use_between),
	    cmocka_unit_test(test_use_between_variants),
	    cmocka_unit_test(test_reaped_and_host_caps),
	    cmocka_unit_test(test_top_capped_and_sorted),
	    cmocka_unit_test(test_reused_and_new_pids),
	    cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
