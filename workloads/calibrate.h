/* Timing of short operations in a loop, for micro-benchmark workloads
 * (`syscall`): calibrate the iteration count to a target loop duration so
 * that the clock's resolution and read cost vanish, subtract the cost of the
 * loop itself, and take the median of repeated measurements.
 *
 * The clock and the empty reference operation are injectable so that unit
 * tests can drive the method with a simulated time source. */
#ifndef CVB_CALIBRATE_H
#define CVB_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A time source in nanoseconds. */
struct cvb_calib_clock {
	int64_t (*now_ns)(void *ctx);
	void *ctx;
};

/* CLOCK_MONOTONIC: the clock of every real measurement. */
extern const struct cvb_calib_clock cvb_calib_monotonic;

/* One operation. Keep the body in a noinline function of its own: it is
 * called through this pointer, once per iteration. */
typedef void (*cvb_calib_op_fn)(void *arg);

/* The empty operation: the loop-overhead reference. */
void cvb_calib_nop(void *arg);

/* Doubling stops here even if the target is never reached (an operation the
 * compiler elided, a clock that does not advance): ~1e9 calls of a 1 ns
 * operation is ~1 s, longer than any sensible target for such an op. */
#define CVB_CALIB_MAX_ITERS (UINT64_C(1) << 30)

struct cvb_calib_config {
	const struct cvb_calib_clock *clock; /* NULL: cvb_calib_monotonic */
	int64_t target_ns;                   /* minimum duration of one timed loop, > 0 */
	uint64_t max_iters;                  /* 0: CVB_CALIB_MAX_ITERS */
	unsigned repeats;                    /* timed measurements, >= 1 */
	cvb_calib_op_fn empty;               /* NULL: cvb_calib_nop (tests inject others) */
};

struct cvb_calib_result {
	uint64_t iters;     /* iterations of every timed loop */
	bool capped;        /* max_iters reached before the target duration */
	double op_ns;       /* median over repeats of (loop - empty loop) / iters, >= 0 */
	double raw_ns;      /* median of loop / iters, before the subtraction */
	double raw_mean_ns; /* mean of loop / iters: all timed calls, loop cost kept */
	double overhead_ns; /* median of empty loop / iters */
};

/* Calls fn(arg) iters times between two reads of clk; returns the elapsed
 * ns. The loop is the same code for every fn, so an empty fn measures
 * exactly the loop's own cost. */
int64_t cvb_calib_time_loop(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn, void *arg,
                            uint64_t iters);

/* Iteration count: starts at 1 and doubles until one timed loop takes at
 * least target_ns, or until max_iters (the last step is clamped to it, which
 * need not be a power of two). *capped (may be NULL) tells whether the cap
 * ended the search; *elapsed_ns (may be NULL) gets the last loop's time. */
uint64_t cvb_calib_iterations(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn, void *arg,
                              int64_t target_ns, uint64_t max_iters, bool *capped,
                              int64_t *elapsed_ns);

/* Per-iteration cost of an operation: (loop_ns - empty_ns) / iters, never
 * below 0 (noise can make the empty loop the slower one). */
double cvb_calib_net_ns(int64_t loop_ns, int64_t empty_ns, uint64_t iters);

/* Median of v[0..n), n >= 1 (the mean of the middle two for even n). Sorts
 * v in place. */
double cvb_calib_median(double *v, size_t n);

/* Calibrates, then times `repeats` loops of fn, each followed by an empty
 * loop of the same iteration count, and fills *out with the medians.
 * Returns 0, -EINVAL for a bad config, -ENOMEM. */
int cvb_calib_measure(const struct cvb_calib_config *cfg, cvb_calib_op_fn fn, void *arg,
                      struct cvb_calib_result *out);

/* The plain method of perf bench syscall basic: one timed loop of exactly
 * `calls` calls, *mean_ns = its time / calls, the loop's own cost kept, no
 * calibration, no repeats. clk NULL: cvb_calib_monotonic. Returns 0, or
 * -EINVAL for calls == 0 or a NULL fn or mean_ns. */
int cvb_calib_mean(const struct cvb_calib_clock *clk, cvb_calib_op_fn fn, void *arg, uint64_t calls,
                   double *mean_ns);

#endif
