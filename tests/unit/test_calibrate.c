/* Unit tests for workloads/calibrate.c. A simulated clock makes the method
 * deterministic: simulated time advances only when a fake operation (or a
 * costed empty operation) runs, so every iteration count, subtraction and
 * median below is computed by hand. Two smoke tests run on the real clock;
 * they assert only what no load can change: a preempted loop costs more, a
 * preempted empty loop makes the op look cheaper, so the costs themselves
 * are this host's noise, but the structure of the result is not. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "double_asserts.h"

#include "calibrate.h"

#define MAX_LOOPS 64

/* Simulated time. Each timed loop reads the clock twice, so reads / 2 is the
 * index of the loop running now; extra[] adds a per-loop cost to the op. */
struct sim {
	int64_t now;
	uint64_t reads;
	int64_t op_cost, empty_cost;
	int64_t extra[MAX_LOOPS];
	uint64_t op_calls, empty_calls;
};

static int64_t sim_now(void *ctx)
{
	struct sim *s = ctx;
	s->reads++;
	return s->now;
}

static void sim_op(void *arg)
{
	struct sim *s = arg;
	uint64_t loop = s->reads / 2;
	s->now += s->op_cost + (loop < MAX_LOOPS ? s->extra[loop] : 0);
	s->op_calls++;
}

static void sim_empty(void *arg)
{
	struct sim *s = arg;
	s->now += s->empty_cost;
	s->empty_calls++;
}

static struct cvb_calib_clock sim_clock(struct sim *s)
{
	return (struct cvb_calib_clock){.now_ns = sim_now, .ctx = s};
}

static void test_time_loop_counts_calls(void **state)
{
	(void)state;
	struct sim s = {.now = 1000, .op_cost = 7};
	struct cvb_calib_clock clk = sim_clock(&s);
	assert_int_equal(cvb_calib_time_loop(&clk, sim_op, &s, 100), 700);
	assert_int_equal(s.op_calls, 100);
	assert_int_equal(s.reads, 2);
	assert_int_equal(cvb_calib_time_loop(&clk, sim_op, &s, 0), 0);
}

static void test_iterations_double_until_target(void **state)
{
	(void)state;
	/* 1000 ns per op, 1 ms target: 1, 2, ..., 512 loops fall short (512
	 * us), 1024 reaches 1.024 ms. 11 loops, 2047 calls in all. */
	struct sim s = {.op_cost = 1000};
	struct cvb_calib_clock clk = sim_clock(&s);
	bool capped = true;
	int64_t elapsed = 0;
	uint64_t n = cvb_calib_iterations(&clk, sim_op, &s, 1000000, 0, &capped, &elapsed);
	assert_int_equal(n, 1024);
	assert_false(capped);
	assert_int_equal(elapsed, 1024000);
	assert_int_equal(s.reads, 2 * 11);
	assert_int_equal(s.op_calls, 2047);
}

static void test_iterations_target_is_inclusive(void **state)
{
	(void)state;
	/* Exactly the target is enough: 256 x 1000 ns = 256 us. */
	struct sim s = {.op_cost = 1000};
	struct cvb_calib_clock clk = sim_clock(&s);
	assert_int_equal(cvb_calib_iterations(&clk, sim_op, &s, 256000, 0, NULL, NULL), 256);
	/* One ns more needs the next doubling. */
	s = (struct sim){.op_cost = 1000};
	assert_int_equal(cvb_calib_iterations(&clk, sim_op, &s, 256001, 0, NULL, NULL), 512);
}

static void test_iterations_slow_op_needs_one(void **state)
{
	(void)state;
	/* An op slower than the target (a fork in a slow VM) runs once per loop. */
	struct sim s = {.op_cost = 50000000};
	struct cvb_calib_clock clk = sim_clock(&s);
	bool capped = true;
	assert_int_equal(cvb_calib_iterations(&clk, sim_op, &s, 20000000, 0, &capped, NULL), 1);
	assert_false(capped);
}

static void test_iterations_cap(void **state)
{
	(void)state;
	/* A free op never reaches the target: doubling stops at the cap, and
	 * the last step is clamped to a cap that is no power of two. */
	struct sim s = {.op_cost = 0};
	struct cvb_calib_clock clk = sim_clock(&s);
	bool capped = false;
	assert_int_equal(cvb_calib_iterations(&clk, sim_op, &s, 1000, 1000, &capped, NULL), 1000);
	assert_true(capped);
	/* 1, 2, ..., 512, then 1000 */
	assert_int_equal(s.reads, 2 * 11);
	assert_int_equal(s.op_calls, 1023 + 1000);

	/* Reaching the target exactly at the cap is not "capped". */
	s = (struct sim){.op_cost = 1};
	assert_int_equal(cvb_calib_iterations(&clk, sim_op, &s, 1000, 1000, &capped, NULL), 1000);
	assert_false(capped);
}

static void test_net_never_negative(void **state)
{
	(void)state;
	assert_near(cvb_calib_net_ns(10000, 300, 100), 97.0, 0);
	assert_near(cvb_calib_net_ns(1000, 1000, 100), 0.0, 0);
	/* Noise made the empty loop the slower one: 0, not a negative cost. */
	assert_near(cvb_calib_net_ns(1000, 1500, 100), 0.0, 0);
	assert_near(cvb_calib_net_ns(1000, 0, 0), 0.0, 0);
	assert_near(cvb_calib_net_ns(7, 0, 2), 3.5, 0);
}

static void test_median_odd(void **state)
{
	(void)state;
	double v[] = {5, 1, 9, 3, 7};
	assert_near(cvb_calib_median(v, 5), 5.0, 0);
	double one[] = {42.5};
	assert_near(cvb_calib_median(one, 1), 42.5, 0);
	double dup[] = {2, 2, 1};
	assert_near(cvb_calib_median(dup, 3), 2.0, 0);
}

static void test_median_even(void **state)
{
	(void)state;
	double v[] = {10, 1, 4, 3};
	assert_near(cvb_calib_median(v, 4), 3.5, 0);
	double two[] = {8, 2};
	assert_near(cvb_calib_median(two, 2), 5.0, 0);
}

static void test_measure_subtracts_overhead(void **state)
{
	(void)state;
	/* 250 ns op, 10 ns empty call, 100 us target: 512 iterations
	 * (128 us; 256 gives 64 us). */
	struct sim s = {.op_cost = 250, .empty_cost = 10};
	struct cvb_calib_clock clk = sim_clock(&s);
	struct cvb_calib_config cfg = {
	    .clock = &clk, .target_ns = 100000, .repeats = 5, .empty = sim_empty};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), 0);
	assert_int_equal(r.iters, 512);
	assert_false(r.capped);
	assert_near(r.op_ns, 240.0, 1e-9);
	assert_near(r.raw_ns, 250.0, 1e-9);
	assert_near(r.raw_mean_ns, 250.0, 1e-9);
	assert_near(r.overhead_ns, 10.0, 1e-9);
	/* 10 calibration loops (1..512), then 5 x (op loop + empty loop). */
	assert_int_equal(s.reads, 2 * (10 + 2 * 5));
	assert_int_equal(s.empty_calls, 5 * 512);
}

/* An op that costs exactly what the empty call costs nets 0 (what the real
 * empty op measured against itself would give without noise). */
static void test_measure_op_like_empty_nets_zero(void **state)
{
	(void)state;
	struct sim s = {.op_cost = 7, .empty_cost = 7};
	struct cvb_calib_clock clk = sim_clock(&s);
	struct cvb_calib_config cfg = {
	    .clock = &clk, .target_ns = 5000, .repeats = 5, .empty = sim_empty};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), 0);
	assert_int_equal(r.iters, 1024); /* 512 x 7 ns = 3.6 us < 5 us */
	assert_false(r.capped);
	assert_near(r.op_ns, 0.0, 0);
	assert_near(r.raw_ns, 7.0, 1e-9);
	assert_near(r.overhead_ns, 7.0, 1e-9);
}

static void test_measure_overhead_above_op_is_zero(void **state)
{
	(void)state;
	struct sim s = {.op_cost = 5, .empty_cost = 8};
	struct cvb_calib_clock clk = sim_clock(&s);
	struct cvb_calib_config cfg = {
	    .clock = &clk, .target_ns = 1000, .repeats = 3, .empty = sim_empty};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), 0);
	assert_near(r.op_ns, 0.0, 0);
	assert_near(r.overhead_ns, 8.0, 1e-9);
}

/* Calibration loops for 100 ns ops and a 1600 ns target: 1..16 = 5 loops;
 * measured op loops are then loops 5, 7, 9, ... (each followed by an empty
 * loop). extra[] makes the repeats differ by a known cost per call. */
static void run_median_case(unsigned repeats, const int64_t *extra, double want_op,
                            double want_mean)
{
	struct sim s = {.op_cost = 100, .empty_cost = 0};
	for (unsigned i = 0; i < repeats; i++)
		s.extra[5 + 2 * i] = extra[i];
	struct cvb_calib_clock clk = sim_clock(&s);
	struct cvb_calib_config cfg = {
	    .clock = &clk, .target_ns = 1600, .repeats = repeats, .empty = sim_empty};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), 0);
	assert_int_equal(r.iters, 16);
	assert_near(r.op_ns, want_op, 1e-9);
	assert_near(r.raw_ns, want_op, 1e-9);
	/* The mean keeps the slow repeat the median ignores. */
	assert_near(r.raw_mean_ns, want_mean, 1e-9);
}

static void test_measure_median_of_repeats(void **state)
{
	(void)state;
	/* Odd: per-call costs 100+{50,0,900,10,20} -> median 120, mean
	 * 100 + 980 / 5 = 296. */
	static const int64_t odd[] = {50, 0, 900, 10, 20};
	run_median_case(5, odd, 120.0, 296.0);
	/* Even: 100+{40,0,1000,10} -> (110 + 140) / 2 = 125, mean 100 + 262.5. */
	static const int64_t even[] = {40, 0, 1000, 10};
	run_median_case(4, even, 125.0, 362.5);
	/* One repeat is its own median and mean. */
	static const int64_t single[] = {7};
	run_median_case(1, single, 107.0, 107.0);
}

static void test_measure_rejects_bad_config(void **state)
{
	(void)state;
	struct sim s = {.op_cost = 1};
	struct cvb_calib_clock clk = sim_clock(&s);
	struct cvb_calib_result r;
	struct cvb_calib_config cfg = {.clock = &clk, .target_ns = 0, .repeats = 1};
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), -EINVAL);
	cfg.target_ns = 100;
	cfg.repeats = 0;
	assert_int_equal(cvb_calib_measure(&cfg, sim_op, &s, &r), -EINVAL);
	cfg.repeats = 1;
	assert_int_equal(cvb_calib_measure(&cfg, NULL, &s, &r), -EINVAL);
	assert_int_equal(s.reads, 0);
}

/* The plain method (perf bench syscall basic's): one loop of exactly the
 * calls asked for, its time / calls, nothing calibrated, repeated or
 * subtracted. */
static void test_mean_one_plain_loop(void **state)
{
	(void)state;
	struct sim s = {.op_cost = 163, .empty_cost = 10};
	struct cvb_calib_clock clk = sim_clock(&s);
	double mean = -1;
	assert_int_equal(cvb_calib_mean(&clk, sim_op, &s, 1000, &mean), 0);
	assert_near(mean, 163.0, 1e-9);
	assert_int_equal(s.reads, 2);
	assert_int_equal(s.op_calls, 1000);
	assert_int_equal(s.empty_calls, 0);

	/* A slow stretch inside the loop (an interrupt) stays in the mean:
	 * 5 ns more per call in the only loop, loop 0. */
	s = (struct sim){.op_cost = 163};
	s.extra[0] = 5;
	assert_int_equal(cvb_calib_mean(&clk, sim_op, &s, 400, &mean), 0);
	assert_near(mean, 168.0, 1e-9);

	/* A count that is no power of two is kept exactly. */
	s = (struct sim){.op_cost = 3};
	assert_int_equal(cvb_calib_mean(&clk, sim_op, &s, 5000003, &mean), 0);
	assert_int_equal(s.op_calls, 5000003);
	assert_near(mean, 3.0, 1e-9);
}

static void test_mean_rejects_bad_args(void **state)
{
	(void)state;
	struct sim s = {.op_cost = 1};
	struct cvb_calib_clock clk = sim_clock(&s);
	double mean = 42;
	assert_int_equal(cvb_calib_mean(&clk, sim_op, &s, 0, &mean), -EINVAL);
	assert_int_equal(cvb_calib_mean(&clk, NULL, &s, 10, &mean), -EINVAL);
	assert_int_equal(cvb_calib_mean(&clk, sim_op, &s, 10, NULL), -EINVAL);
	assert_int_equal(s.reads, 0);
	assert_near(mean, 42.0, 0);
}

/* ---- real clock ---------------------------------------------------------- */

__attribute__((noinline)) static void real_getppid(void *arg)
{
	(void)arg;
	syscall(SYS_getppid);
}

/* What a real measurement guarantees whatever the host's load: the net
 * cost is never negative and never above the raw one (net <= raw in every
 * repeat, and the median keeps the order), the loop overhead is not
 * negative, and the iteration cap (2^30 calls, over 0.3 s at a cycle a
 * call) is far beyond what the 5 and 20 ms targets need, so it is not
 * reached (noise only makes the target come sooner). */
static void assert_real_result(const char *what, const struct cvb_calib_result *r)
{
	if (!(isfinite(r->op_ns) && isfinite(r->raw_ns) && isfinite(r->overhead_ns)))
		fail_msg("%s: not finite: op %f raw %f overhead %f", what, r->op_ns, r->raw_ns,
		         r->overhead_ns);
	if (!(r->op_ns >= 0.0 && r->op_ns <= r->raw_ns && r->overhead_ns >= 0.0))
		fail_msg("%s: op %.2f ns, raw %.2f ns, overhead %.2f ns", what, r->op_ns,
		         r->raw_ns, r->overhead_ns);
	assert_true(r->iters >= 1);
	assert_false(r->capped);
	print_message("%s %.1f ns (raw %.1f, overhead %.2f, %llu iterations)\n", what, r->op_ns,
	              r->raw_ns, r->overhead_ns, (unsigned long long)r->iters);
}

static void test_real_getppid_smoke(void **state)
{
	(void)state;
	struct cvb_calib_config cfg = {.target_ns = 20000000, .repeats = 3};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, real_getppid, NULL, &r), 0);
	assert_real_result("getppid", &r);
	/* Noise only adds time to a timed loop, so the raw cost per call is at
	 * least a real system call's (kernel entry and exit: well above 20 ns on
	 * any x86 or arm64 CPU); an elided call would cost about 1 ns. The same
	 * holds for the mean over the repeats. */
	if (!(r.raw_ns >= 20.0))
		fail_msg("getppid loop %.1f ns per call: below a system call's cost", r.raw_ns);
	if (!(r.raw_mean_ns >= 20.0))
		fail_msg("getppid loops' mean %.1f ns per call: below a system call's cost",
		         r.raw_mean_ns);
}

/* The plain loop on the real clock: noise only adds time, so its mean is at
 * least a real system call's, and finite. */
static void test_real_mean_getppid_smoke(void **state)
{
	(void)state;
	double mean = -1;
	assert_int_equal(cvb_calib_mean(NULL, real_getppid, NULL, 100000, &mean), 0);
	if (!(isfinite(mean) && mean >= 20.0))
		fail_msg("getppid mean %.1f ns over 100000 calls: below a system call's cost",
		         mean);
	print_message("getppid mean %.1f ns over 100000 calls\n", mean);
}

static void test_real_nop_costs_nothing(void **state)
{
	(void)state;
	/* The empty op against itself: without noise 0 (the simulated
	 * test_measure_op_like_empty_nets_zero); on the real clock only the
	 * structure is certain. */
	struct cvb_calib_config cfg = {.target_ns = 5000000, .repeats = 5};
	struct cvb_calib_result r;
	assert_int_equal(cvb_calib_measure(&cfg, cvb_calib_nop, NULL, &r), 0);
	assert_real_result("empty op against the empty loop", &r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_loop_counts_calls),
	    cmocka_unit_test(test_iterations_double_until_target),
	    cmocka_unit_test(test_iterations_target_is_inclusive),
	    cmocka_unit_test(test_iterations_slow_op_needs_one),
	    cmocka_unit_test(test_iterations_cap),
	    cmocka_unit_test(test_net_never_negative),
	    cmocka_unit_test(test_median_odd),
	    cmocka_unit_test(test_median_even),
	    cmocka_unit_test(test_measure_subtracts_overhead),
	    cmocka_unit_test(test_measure_op_like_empty_nets_zero),
	    cmocka_unit_test(test_measure_overhead_above_op_is_zero),
	    cmocka_unit_test(test_measure_median_of_repeats),
	    cmocka_unit_test(test_measure_rejects_bad_config),
	    cmocka_unit_test(test_mean_one_plain_loop),
	    cmocka_unit_test(test_mean_rejects_bad_args),
	    cmocka_unit_test(test_real_getppid_smoke),
	    cmocka_unit_test(test_real_mean_getppid_smoke),
	    cmocka_unit_test(test_real_nop_costs_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
