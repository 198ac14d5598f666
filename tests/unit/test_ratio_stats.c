/* Unit tests for harness/stats/ratio_stats.c: the ratio of medians against hand
 * computed values, its bootstrap interval (contains the ratio, reproducible
 * for a seed, excludes 1 for a clear shift, includes it for noise, its
 * coverage by simulation, a million samples a side), the least-squares
 * line and its slope interval (also m-out-of-n past
 * CVB_LINE_FIT_FULL_MAX points), and the EINVAL cases. Noisy
 * inputs come from cvb_rng with fixed seeds, so every run sees the same
 * numbers. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "double_asserts.h"

#include "ratio_stats.h"
#include "stats.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define TOL 1e-12
#define SEED 12345u
#define RESAMPLES 2000u

/* Uniform in [0, 1) from the top 53 bits. */
static double uniform(struct cvb_rng *rng)
{
	return (double)(cvb_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Standard normal (Box-Muller). */
static double normal(struct cvb_rng *rng)
{
	double u1 = uniform(rng), u2 = uniform(rng);
	if (u1 < 1e-300)
		u1 = 1e-300;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* n values center * (1 + rel_sd * N(0,1)). */
static void noisy(struct cvb_rng *rng, double center, double rel_sd, double *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = center * (1.0 + rel_sd * normal(rng));
}

static void ratio_ok(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                     unsigned resamples, struct cvb_ratio *r)
{
	errno = 0;
	if (cvb_ratio_of_medians(a, na, b, nb, seed, resamples, r) != 0)
		fail_msg("cvb_ratio_of_medians failed: %s", strerror(errno));
}

static void ratio_einval(const double *a, size_t na, const double *b, size_t nb, unsigned resamples)
{
	struct cvb_ratio r;
	errno = 0;
	assert_int_equal(cvb_ratio_of_medians(a, na, b, nb, SEED, resamples, &r), -1);
	assert_int_equal(errno, EINVAL);
}

static void fit_ok(const double *x, const double *y, size_t n, uint64_t seed, unsigned resamples,
                   struct cvb_line_fit *f)
{
	errno = 0;
	if (cvb_line_fit(x, y, n, seed, resamples, f) != 0)
		fail_msg("cvb_line_fit failed: %s", strerror(errno));
}

static void fit_einval(const double *x, const double *y, size_t n, unsigned resamples)
{
	struct cvb_line_fit f;
	errno = 0;
	assert_int_equal(cvb_line_fit(x, y, n, SEED, resamples, &f), -1);
	assert_int_equal(errno, EINVAL);
}

/* ---- ratio of medians ------------------------------------------------------ */

/* Odd and even sample counts, unsorted input: median(a) / median(b). */
static void test_ratio_exact(void **state)
{
	/* median 20 (odd n) over median 12.5 (even n: (10 + 15) / 2) = 1.6 */
	static const double a[] = {30, 10, 20};
	static const double b[] = {20, 5, 15, 10};
	/* median 7 / median 2 = 3.5 */
	static const double c[] = {9, 7, 1, 8, 3};
	static const double d[] = {2};
	/* a ratio below 1: median 3 / median 4 */
	static const double e[] = {3, 3, 3};
	static const double f[] = {4, 4};
	struct cvb_ratio r;

	(void)state;
	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r);
	assert_near(r.ratio, 1.6, TOL);
	ratio_ok(c, ARRAY_LEN(c), d, ARRAY_LEN(d), SEED, RESAMPLES, &r);
	assert_near(r.ratio, 3.5, TOL);
	ratio_ok(e, ARRAY_LEN(e), f, ARRAY_LEN(f), SEED, RESAMPLES, &r);
	assert_near(r.ratio, 0.75, TOL);
	/* constant samples: every resample has the same medians */
	assert_near(r.ci95_lo, 0.75, TOL);
	assert_near(r.ci95_hi, 0.75, TOL);

	/* negative medians are finite numbers too: -6 / 3 = -2 */
	static const double g[] = {-5, -6, -7};
	static const double h[] = {3};
	ratio_ok(g, ARRAY_LEN(g), h, ARRAY_LEN(h), SEED, RESAMPLES, &r);
	assert_near(r.ratio, -2.0, TOL);
}

/* The input arrays are not modified (medians of copies). */
static void test_ratio_input_untouched(void **state)
{
	double a[] = {5, 1, 4, 2, 3}, b[] = {9, 8, 7};
	const double a0[] = {5, 1, 4, 2, 3}, b0[] = {9, 8, 7};
	struct cvb_ratio r;

	(void)state;
	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r);
	assert_memory_equal(a, a0, sizeof(a));
	assert_memory_equal(b, b0, sizeof(b));
	assert_near(r.ratio, 3.0 / 8.0, TOL);
}

/* The interval holds the point estimate; the same seed gives the same
 * doubles, another seed (most likely) other ones. */
static void test_ratio_interval_contains_and_reproducible(void **state)
{
	double a[40], b[40];
	struct cvb_rng rng;
	struct cvb_ratio r1, r2, r3;

	(void)state;
	cvb_rng_seed(&rng, 7);
	noisy(&rng, 130, 0.05, a, ARRAY_LEN(a));
	noisy(&rng, 100, 0.05, b, ARRAY_LEN(b));
	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r1);
	assert_near(r1.ratio, cvb_median(a, ARRAY_LEN(a)) / cvb_median(b, ARRAY_LEN(b)), TOL);
	assert_true(r1.ci95_lo <= r1.ratio);
	assert_true(r1.ratio <= r1.ci95_hi);
	assert_true(r1.ci95_lo < r1.ci95_hi);
	assert_true(r1.ci95_lo > 1.1 && r1.ci95_hi < 1.5);

	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r2);
	assert_same_double(r1.ratio, r2.ratio);
	assert_same_double(r1.ci95_lo, r2.ci95_lo);
	assert_same_double(r1.ci95_hi, r2.ci95_hi);

	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED + 1, RESAMPLES, &r3);
	assert_same_double(r1.ratio, r3.ratio); /* the point estimate needs no seed */
	assert_true(r3.ci95_lo != r1.ci95_lo || r3.ci95_hi != r1.ci95_hi);
	assert_true(r3.ci95_lo <= r3.ratio && r3.ratio <= r3.ci95_hi);

	/* More resamples: still a valid interval around the same ratio. */
	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, 10000, &r3);
	assert_same_double(r1.ratio, r3.ratio);
	assert_true(r3.ci95_lo <= r3.ratio && r3.ratio <= r3.ci95_hi);
}

/* A side compared with itself: ratio exactly 1, interval around 1. */
static void test_ratio_identical_samples(void **state)
{
	double a[25];
	struct cvb_rng rng;
	struct cvb_ratio r;

	(void)state;
	cvb_rng_seed(&rng, 99);
	noisy(&rng, 1000, 0.1, a, ARRAY_LEN(a));
	ratio_ok(a, ARRAY_LEN(a), a, ARRAY_LEN(a), SEED, RESAMPLES, &r);
	assert_true(r.ratio == 1.0);
	assert_true(r.ci95_lo < 1.0);
	assert_true(r.ci95_hi > 1.0);
	/* roughly symmetric on a log scale, and not absurdly wide for 10% noise */
	assert_true(r.ci95_lo > 0.8 && r.ci95_hi < 1.25);

	/* Separate arrays with equal contents behave the same. */
	double b[ARRAY_LEN(a)];
	memcpy(b, a, sizeof(b));
	struct cvb_ratio r2;
	ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r2);
	assert_same_double(r.ratio, r2.ratio);
	assert_same_double(r.ci95_lo, r2.ci95_lo);
	assert_same_double(r.ci95_hi, r2.ci95_hi);
}

/* 10% slower with 1% noise is a clear difference; 10% with 50% noise and
 * n = 10 is not. Checked on several data seeds so that no single lucky draw
 * carries the test. */
static void test_ratio_shift_vs_noise(void **state)
{
	(void)state;
	for (uint64_t ds = 1; ds <= 10; ds++) {
		double a[30], b[30];
		struct cvb_rng rng;
		struct cvb_ratio r;
		cvb_rng_seed(&rng, ds);
		noisy(&rng, 110, 0.01, a, ARRAY_LEN(a));
		noisy(&rng, 100, 0.01, b, ARRAY_LEN(b));
		ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r);
		if (!(r.ci95_lo > 1.0))
			fail_msg("data seed %llu: 10%% shift, 1%% noise: interval [%g, %g] "
			         "does not exclude 1",
			         (unsigned long long)ds, r.ci95_lo, r.ci95_hi);
		assert_true(r.ci95_lo > 1.05 && r.ci95_hi < 1.15);
	}
	for (uint64_t ds = 1; ds <= 10; ds++) {
		double a[10], b[10];
		struct cvb_rng rng;
		struct cvb_ratio r;
		cvb_rng_seed(&rng, 1000 + ds);
		/* uniform noise of +-50% keeps every value positive */
		for (size_t i = 0; i < 10; i++) {
			a[i] = 110 * (0.5 + uniform(&rng));
			b[i] = 100 * (0.5 + uniform(&rng));
		}
		ratio_ok(a, ARRAY_LEN(a), b, ARRAY_LEN(b), SEED, RESAMPLES, &r);
		if (!(r.ci95_lo < 1.0 && r.ci95_hi > 1.0))
			fail_msg("data seed %llu: 10%% shift, 50%% noise, n=10: interval [%g, %g] "
			         "excludes 1",
			         (unsigned long long)ds, r.ci95_lo, r.ci95_hi);
		assert_true(r.ci95_lo <= r.ratio && r.ratio <= r.ci95_hi);
	}
}

/* Coverage by simulation: 1000 pairs of samples (fixed seed), n = 30 a
 * side, a from 1.3 x lognormal(0, 1), b from lognormal(0, 1): the ratio of
 * the true medians is 1.3, and the 95% interval must hold it in 90-98% of
 * the pairs (the percentile bootstrap of a median is discrete at this n, so
 * somewhat off 95%). 1000 resamples each: O(1) apiece, so this is fast. */
static void test_ratio_coverage(void **state)
{
	const unsigned pairs = 1000;
	struct cvb_rng rng;
	double a[30], b[30];
	unsigned hits = 0;

	(void)state;
	cvb_rng_seed(&rng, 20261212);
	for (unsigned k = 0; k < pairs; k++) {
		struct cvb_ratio r;

		for (size_t i = 0; i < 30; i++) {
			a[i] = 1.3 * exp(normal(&rng));
			b[i] = exp(normal(&rng));
		}
		ratio_ok(a, 30, b, 30, SEED + k, 1000, &r);
		hits += r.ci95_lo <= 1.3 && 1.3 <= r.ci95_hi;
	}
	print_message("ratio of medians ci95 coverage, n = 30 a side: %.1f%% of %u\n",
	              100.0 * hits / pairs, pairs);
	assert_in_range(hits, 900, 980);
}

/* A million samples a side: the interval is found (in O(n) + O(resamples))
 * and is narrow around the true ratio, 2 for these two uniform sets. */
static void test_ratio_large_n(void **state)
{
	const size_t n = 1000000;
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	struct cvb_rng rng;
	struct cvb_ratio r;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	cvb_rng_seed(&rng, 5);
	for (size_t i = 0; i < n; i++) {
		a[i] = 200.0 * (0.5 + uniform(&rng));
		b[i] = 100.0 * (0.5 + uniform(&rng));
	}
	ratio_ok(a, n, b, n, SEED, RESAMPLES, &r);
	assert_near(r.ratio, 2.0, 0.01);
	assert_true(r.ci95_lo < r.ratio && r.ratio < r.ci95_hi);
	/* sd of a median of U(50, 150) with n = 1e6: 100 / (2 sqrt(n)) = 0.05,
	 * so the ratio's sd is about 0.0014 and the interval some 0.006 wide */
	assert_true(r.ci95_hi - r.ci95_lo > 0.002 && r.ci95_hi - r.ci95_lo < 0.012);
	free(a);
	free(b);
}

/* Bad input: EINVAL, and nothing is computed. */
static void test_ratio_einval(void **state)
{
	static const double ok[] = {1, 2, 3};
	static const double zero_median[] = {-1, 0, 1};
	static const double zeros[] = {0, 0};
	static const double with_nan[] = {1, NAN, 3};
	static const double with_inf[] = {1, 2, INFINITY};
	static const double with_ninf[] = {-INFINITY, 2, 3};

	(void)state;
	ratio_einval(ok, 0, ok, 3, RESAMPLES); /* empty a */
	ratio_einval(ok, 3, ok, 0, RESAMPLES); /* empty b */
	ratio_einval(ok, 0, ok, 0, RESAMPLES);
	ratio_einval(ok, 3, zero_median, 3, RESAMPLES);
	ratio_einval(ok, 3, zeros, 2, RESAMPLES);
	ratio_einval(with_nan, 3, ok, 3, RESAMPLES);
	ratio_einval(ok, 3, with_nan, 3, RESAMPLES);
	ratio_einval(with_inf, 3, ok, 3, RESAMPLES);
	ratio_einval(ok, 3, with_ninf, 3, RESAMPLES);
	ratio_einval(ok, 3, ok, 3, 0); /* no resamples */

	/* A zero median in a is fine: the ratio is 0. */
	struct cvb_ratio r;
	ratio_ok(zero_median, 3, ok, 3, SEED, RESAMPLES, &r);
	assert_true(r.ratio == 0.0);
	assert_true(r.ci95_lo <= 0.0 && r.ci95_hi >= 0.0);
}

/* ---- line fit -------------------------------------------------------------- */

/* A perfect line: slope, intercept and r2 exactly, and a zero-width slope
 * interval (every resample with two distinct x sees the same line). */
static void test_line_fit_perfect(void **state)
{
	double x[10], y[10];
	struct cvb_line_fit f;

	(void)state;
	for (size_t i = 0; i < 10; i++) {
		x[i] = (double)(i + 1);
		y[i] = 3.0 + 2.0 * x[i];
	}
	fit_ok(x, y, 10, SEED, RESAMPLES, &f);
	assert_near(f.slope, 2.0, 1e-12);
	assert_near(f.intercept, 3.0, 1e-12);
	assert_near(f.r2, 1.0, 1e-12);
	assert_near(f.slope_ci95_lo, 2.0, 1e-9);
	assert_near(f.slope_ci95_hi, 2.0, 1e-9);

	/* Two points define the line; a negative slope; repeated x are fine. */
	static const double x2[] = {1, 3}, y2[] = {10, 4};
	fit_ok(x2, y2, 2, SEED, RESAMPLES, &f);
	assert_near(f.slope, -3.0, 1e-12);
	assert_near(f.intercept, 13.0, 1e-12);
	assert_near(f.r2, 1.0, 1e-12);
	assert_near(f.slope_ci95_lo, -3.0, 1e-9);
	assert_near(f.slope_ci95_hi, -3.0, 1e-9);

	static const double x3[] = {1, 1, 2, 2, 4, 4}, y3[] = {0.5, 0.5, 1, 1, 2, 2};
	fit_ok(x3, y3, 6, SEED, RESAMPLES, &f);
	assert_near(f.slope, 0.5, 1e-12);
	assert_near(f.intercept, 0.0, 1e-12);
	assert_near(f.r2, 1.0, 1e-12);

	/* Memory per instance, the use case: 12 MiB base + 3.5 MiB each. */
	static const double n_inst[] = {1, 2, 4, 8};
	double mem[4];
	for (size_t i = 0; i < 4; i++)
		mem[i] = 12.0 * 1048576 + 3.5 * 1048576 * n_inst[i];
	fit_ok(n_inst, mem, 4, SEED, RESAMPLES, &f);
	assert_near(f.slope, 3.5 * 1048576, 1e-6);
	assert_near(f.intercept, 12.0 * 1048576, 1e-6);
}

/* Hand-computed OLS on a small non-perfect set:
 * x = 1,2,3,4; y = 2,3,5,4: mx 2.5, my 3.5, sxx 5, sxy 4, syy 5:
 * slope 0.8, intercept 1.5, r2 = 16 / 25 = 0.64. A flat line has r2 1 by
 * the code's convention (syy == 0). */
static void test_line_fit_hand_computed(void **state)
{
	static const double x[] = {1, 2, 3, 4}, y[] = {2, 3, 5, 4};
	static const double flat[] = {7, 7, 7, 7};
	struct cvb_line_fit f;

	(void)state;
	fit_ok(x, y, 4, SEED, RESAMPLES, &f);
	assert_near(f.slope, 0.8, 1e-12);
	assert_near(f.intercept, 1.5, 1e-12);
	assert_near(f.r2, 0.64, 1e-12);
	assert_true(f.slope_ci95_lo <= f.slope && f.slope <= f.slope_ci95_hi);

	fit_ok(x, flat, 4, SEED, RESAMPLES, &f);
	assert_near(f.slope, 0.0, 1e-12);
	assert_near(f.intercept, 7.0, 1e-12);
	assert_near(f.r2, 1.0, 1e-12);
}

/* Noisy data (seeded): the estimate is close, the interval covers the true
 * slope and is reproducible. */
static void test_line_fit_noisy(void **state)
{
	double x[40], y[40];
	struct cvb_rng rng;
	struct cvb_line_fit f, g;

	(void)state;
	cvb_rng_seed(&rng, 2024);
	for (size_t i = 0; i < 40; i++) {
		x[i] = (double)(i % 8 + 1); /* 1..8, five points each */
		y[i] = 5.0 + 0.7 * x[i] + 1.0 * normal(&rng);
	}
	fit_ok(x, y, 40, SEED, RESAMPLES, &f);
	assert_true(fabs(f.slope - 0.7) < 0.3);
	assert_true(f.r2 > 0.0 && f.r2 < 1.0);
	if (!(f.slope_ci95_lo <= 0.7 && 0.7 <= f.slope_ci95_hi))
		fail_msg("slope interval [%g, %g] misses the true slope 0.7 (estimate %g)",
		         f.slope_ci95_lo, f.slope_ci95_hi, f.slope);
	assert_true(f.slope_ci95_lo <= f.slope && f.slope <= f.slope_ci95_hi);
	assert_true(f.slope_ci95_lo < f.slope_ci95_hi);
	assert_true(f.slope_ci95_hi - f.slope_ci95_lo < 1.0);

	fit_ok(x, y, 40, SEED, RESAMPLES, &g);
	assert_same_double(f.slope, g.slope);
	assert_same_double(f.intercept, g.intercept);
	assert_same_double(f.r2, g.r2);
	assert_same_double(f.slope_ci95_lo, g.slope_ci95_lo);
	assert_same_double(f.slope_ci95_hi, g.slope_ci95_hi);

	/* Coverage over several data seeds: a 95% interval may miss once in a
	 * while, but not on most of ten. */
	unsigned covered = 0;
	for (uint64_t ds = 1; ds <= 10; ds++) {
		cvb_rng_seed(&rng, 500 + ds);
		for (size_t i = 0; i < 40; i++)
			y[i] = 5.0 + 0.7 * x[i] + 1.0 * normal(&rng);
		fit_ok(x, y, 40, SEED, RESAMPLES, &g);
		covered += g.slope_ci95_lo <= 0.7 && 0.7 <= g.slope_ci95_hi;
	}
	assert_true(covered >= 8);
}

/* Only two distinct x among many points: resamples that draw a single x
 * are skipped, the interval is still found. */
static void test_line_fit_two_x_values(void **state)
{
	static const double x[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 5};
	static const double y[] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 10};
	struct cvb_line_fit f;

	(void)state;
	fit_ok(x, y, 10, SEED, RESAMPLES, &f);
	assert_near(f.slope, 2.0, 1e-12);
	assert_near(f.intercept, 0.0, 1e-12);
	assert_near(f.slope_ci95_lo, 2.0, 1e-9);
	assert_near(f.slope_ci95_hi, 2.0, 1e-9);
}

/* Past CVB_LINE_FIT_FULL_MAX points the slope interval is m-out-of-n,
 * scaled back to n: it still covers the true slope, is centred near the
 * estimate, and narrows like 1 / sqrt(n) (four times the points: about
 * half the width). */
static void test_line_fit_m_out_of_n(void **state)
{
	const size_t n = 4 * 40000;
	double *x = malloc(n * sizeof(*x)), *y = malloc(n * sizeof(*y));
	struct cvb_rng rng;
	struct cvb_line_fit big, quarter;

	(void)state;
	assert_non_null(x);
	assert_non_null(y);
	cvb_rng_seed(&rng, 77);
	for (size_t i = 0; i < n; i++) {
		x[i] = (double)(i % 8 + 1);
		y[i] = 5.0 + 0.7 * x[i] + normal(&rng);
	}
	fit_ok(x, y, n, SEED, 500, &big);
	fit_ok(x, y, n / 4, SEED, 500, &quarter);
	assert_true(big.slope_ci95_lo <= 0.7 && 0.7 <= big.slope_ci95_hi);
	assert_true(big.slope_ci95_lo < big.slope && big.slope < big.slope_ci95_hi);
	double wb = big.slope_ci95_hi - big.slope_ci95_lo;
	double wq = quarter.slope_ci95_hi - quarter.slope_ci95_lo;
	/* sd of the slope: 1 / sqrt(n var(x)) = 1 / sqrt(160000 * 5.25) */
	assert_true(wb > 0.5 * 3.92 / sqrt(n * 5.25) && wb < 1.5 * 3.92 / sqrt(n * 5.25));
	assert_true(wq / wb > 1.6 && wq / wb < 2.4);
	free(x);
	free(y);
}

static void test_line_fit_einval(void **state)
{
	static const double x[] = {1, 2, 3}, y[] = {1, 2, 3};
	static const double same_x[] = {4, 4, 4};
	static const double nan_v[] = {1, NAN, 3};
	static const double inf_v[] = {1, 2, INFINITY};

	(void)state;
	fit_einval(same_x, y, 3, RESAMPLES); /* all x equal */
	fit_einval(x, y, 1, RESAMPLES);      /* n < 2 */
	fit_einval(x, y, 0, RESAMPLES);
	fit_einval(nan_v, y, 3, RESAMPLES);
	fit_einval(x, nan_v, 3, RESAMPLES);
	fit_einval(inf_v, y, 3, RESAMPLES);
	fit_einval(x, inf_v, 3, RESAMPLES);
	fit_einval(x, y, 3, 0); /* no resamples */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ratio_exact),
	    cmocka_unit_test(test_ratio_input_untouched),
	    cmocka_unit_test(test_ratio_interval_contains_and_reproducible),
	    cmocka_unit_test(test_ratio_identical_samples),
	    cmocka_unit_test(test_ratio_shift_vs_noise),
	    cmocka_unit_test(test_ratio_einval),
	    cmocka_unit_test(test_ratio_coverage),
	    cmocka_unit_test(test_ratio_large_n),
	    cmocka_unit_test(test_line_fit_perfect),
	    cmocka_unit_test(test_line_fit_hand_computed),
	    cmocka_unit_test(test_line_fit_noisy),
	    cmocka_unit_test(test_line_fit_two_x_values),
	    cmocka_unit_test(test_line_fit_m_out_of_n),
	    cmocka_unit_test(test_line_fit_einval),
	};

	return cmocka_run_group_tests_name("ratio_stats", tests, NULL, NULL);
}
