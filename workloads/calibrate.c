/* Loop calibration and overhead subtraction; see calibrate.h. */
#include "calibrate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The empty loop is only a fair reference if both loops run the very same
 * code: no inlining of the op into the loop, no clone of the loop that is
 * specialised for a known op (GCC's IPA constant propagation would do that
 * for cvb_calib_nop, called from this file). */
#if defined(__GNUC__) && !defined(__clang__)
#define CALIB_OPAQUE __attribute__((noipa))
#else
#define CALIB_OPAQUE __attribute__((noinline))
#endif

static int64_t monotonic_now_ns(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const struct cvb_calib_clock cvb_calib_monotonic = {.now_ns = monotonic_now_ns};

CALIB_OPAQUE void cvb_calib_nop(void *arg)
{
	/* An empty asm keeps the call from being treated as pure and dropped. */
	__asm__ volatile("" : : "r"(arg) : "memory");
}

CALIB_OPAQUE int64_t cvb_calib_time_loop(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn,
                                         void *arg, uint64_t iters)
{
	int64_t t0 = clk->now_ns(clk->ctx);
	for (uint64_t i = 0; i < iters; i++)
		fn(arg);
	return clk->now_ns(clk->ctx) - t0;
}

uint64_t cvb_calib_iterations(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn, void *arg,
                              int64_t target_ns, uint64_t max_iters, bool *capped,
                              int64_t *elapsed_ns)
{
	uint64_t iters = 1;
	int64_t t;
	if (max_iters == 0)
		max_iters = CVB_CALIB_MAX_ITERS;
	for (;;) {
		t = cvb_calib_time_loop(clk, fn, arg, iters);
		if (t >= target_ns || iters >= max_iters)
			break;
		iters = iters > max_iters / 2 ? max_iters : iters * 2;
	}
	if (capped)
		*capped = t < target_ns;
	if (elapsed_ns)
		*elapsed_ns = t;
	return iters;
}

double cvb_calib_net_ns(int64_t loop_ns, int64_t empty_ns, uint64_t iters)
{
	if (iters == 0 || loop_ns <= empty_ns)
		return 0.0;
	return (double)(loop_ns - empty_ns) / (double)iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double cvb_calib_median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

int cvb_calib_measure(const struct cvb_calib_config *cfg, cvb_calib_op_fn fn, void *arg,
                      struct cvb_calib_result *out)
{
	if (!cfg || !fn || !out || cfg->target_ns <= 0 || cfg->repeats < 1)
		return -EINVAL;
	const struct cvb_calib_clock *clk = cfg->clock ? cfg->clock : &cvb_calib_monotonic;
	cvb_calib_op_fn empty = cfg->empty ? cfg->empty : cvb_calib_nop;
	const size_t n = cfg->repeats;
	double *buf = malloc(3 * n * sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	double *net = buf, *raw = buf + n, *over = buf + 2 * n;
	int64_t loop_total_ns = 0;

	memset(out, 0, sizeof(*out));
	/* The calibration loops double as the op's warm-up (caches, page
	 * tables, the first fork's copy-on-write faults). */
	out->iters =
	    cvb_calib_iterations(clk, fn, arg, cfg->target_ns, cfg->max_iters, &out->capped, NULL);
	for (size_t r = 0; r < n; r++) {
		/* Op and empty loop back to back in every repeat, so that a
		 * frequency or load change hits both alike. */
		int64_t loop_ns = cvb_calib_time_loop(clk, fn, arg, out->iters);
		int64_t empty_ns = cvb_calib_time_loop(clk, empty, arg, out->iters);
		net[r] = cvb_calib_net_ns(loop_ns, empty_ns, out->iters);
		raw[r] = (double)loop_ns / (double)out->iters;
		loop_total_ns += loop_ns;
		over[r] = (double)empty_ns / (double)out->iters;
	}
	out->op_ns = cvb_calib_median(net, n);
	out->raw_ns = cvb_calib_median(raw, n);
	out->overhead_ns = cvb_calib_median(over, n);
	/* Every repeat has the same iteration count: the mean per call is the
	 * total over all calls. */
	out->raw_mean_ns = (double)loop_total_ns / ((double)n * (double)out->iters);
	free(buf);
	return 0;
}

int cvb_calib_mean(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn, void *arg, uint64_t calls,
                   double *mean_ns)
{
	if (!fn || !mean_ns || calls == 0)
		return -EINVAL;
	int64_t t = cvb_calib_time_loop(clk ? clk : &cvb_calib_monotonic, fn, arg, calls);
	*mean_ns = (double)t / (double)calls;
	return 0;
}
