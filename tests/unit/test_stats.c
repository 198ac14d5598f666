/* Unit tests for harness/stats/stats.c: hand-computed percentiles and moments, MAD
 * outlier flags, the median's order-statistic interval (hand-computed
 * references, and its coverage measured by simulation), the radix sort, the
 * O(1) bootstrap draw of a resample's quantile against explicit resampling,
 * and the PRNG against reference values computed independently (see the
 * Python note above test_rng_*). */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "double_asserts.h"

#include "stats.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define TOL 1e-12

static void summarize_ok(const double *x, size_t n, uint64_t seed, unsigned resamples,
                         struct cvb_summary *s)
{
	errno = 0;
	if (cvb_summarize(x, n, seed, resamples, s) != 0)
		fail_msg("cvb_summarize failed: %s", strerror(errno));
}

/* ---- PRNG ------------------------------------------------------------------
 * Reference values come from a separate Python transcription of the published
 * splitmix64.c and xoshiro256starstar.c (prng.di.unimi.it), with arbitrary-
 * precision ints masked to 64 bits. That script reproduces the well-known
 * splitmix64 vector for seed 1234567 (6457827717110365317,
 * 3203168211198807973, ...), which checks the script itself. cvb_rng_below
 * was transcribed as: threshold = 2^64 mod bound; draw until r >= threshold;
 * return r mod bound. */

static void test_rng_seed_is_splitmix64(void **state)
{
	/* Four consecutive splitmix64 outputs from the seed. */
	static const uint64_t s0[4] = {0xe220a8397b1dcdafull, 0x6e789e6aa1b965f4ull,
	                               0x06c45d188009454full, 0xf88bb8a8724c81ecull};
	static const uint64_t sdef[4] = {0xe436162f6eaba627ull, 0x391fed96c4939e17ull,
	                                 0xc951db2755e6c12eull, 0xfd87b66b544dd488ull};
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 0);
	assert_memory_equal(rng.s, s0, sizeof(s0));
	cvb_rng_seed(&rng, CVB_BOOTSTRAP_SEED_DEFAULT);
	assert_memory_equal(rng.s, sdef, sizeof(sdef));
}

static void test_rng_xoshiro_reference(void **state)
{
	static const struct {
		uint64_t seed;
		uint64_t out[6];
	} ref[] = {
	    {0,
	     {0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull, 0x1a5f849d4933e6e0ull,
	      0x6aa594f1262d2d2cull, 0xbba5ad4a1f842e59ull, 0xffef8375d9ebcacaull}},
	    {1,
	     {0xb3f2af6d0fc710c5ull, 0x853b559647364ceaull, 0x92f89756082a4514ull,
	      0x642e1c7bc266a3a7ull, 0xb27a48e29a233673ull, 0x24c123126ffda722ull}},
	    {CVB_BOOTSTRAP_SEED_DEFAULT,
	     {0x4e61c046f96505feull, 0x8eddf97d18e524cbull, 0xb9a334189e146516ull,
	      0xe69726a2475154cdull, 0x16a81e0e39b61d47ull, 0x9132e8bc51ef8c59ull}},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ref); i++) {
		struct cvb_rng rng;

		cvb_rng_seed(&rng, ref[i].seed);
		for (size_t k = 0; k < 6; k++)
			assert_int_equal(cvb_rng_next(&rng), ref[i].out[k]);
	}
}

static void test_rng_below_reference(void **state)
{
	static const uint64_t ten[8] = {2, 2, 9, 3, 6, 4, 4, 7};
	/* bound = 2^63 + 1 rejects every draw below 2^63 - 1 (about half), so
	 * this pins the rejection rule, not just the reduction. */
	static const uint64_t big[6] = {0x2e17533239e499a0ull, 0x6cb8ad4703b360a0ull,
	                                0x7de6dc7fe2ec5e63ull, 0x450da53101795237ull,
	                                0x382154855a65ddb1ull, 0x599a2743ebe60086ull};
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 42);
	for (size_t k = 0; k < ARRAY_LEN(ten); k++)
		assert_int_equal(cvb_rng_below(&rng, 10), ten[k]);
	cvb_rng_seed(&rng, 42);
	for (size_t k = 0; k < ARRAY_LEN(big); k++)
		assert_int_equal(cvb_rng_below(&rng, (1ull << 63) + 1), big[k]);
}

static void test_rng_below_range(void **state)
{
	static const uint64_t bounds[] = {1, 2, 3, 7, 10, 1000, (1ull << 63) + 1, UINT64_MAX};
	size_t hist[10] = {0};
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 7);
	for (size_t b = 0; b < ARRAY_LEN(bounds); b++) {
		for (int k = 0; k < 10000; k++) {
			uint64_t v = cvb_rng_below(&rng, bounds[b]);

			if (v >= bounds[b])
				fail_msg("cvb_rng_below(%ju) returned %ju", (uintmax_t)bounds[b],
				         (uintmax_t)v);
		}
	}
	cvb_rng_seed(&rng, 7);
	for (int k = 0; k < 10000; k++)
		assert_int_equal(cvb_rng_below(&rng, 1), 0);

	/* Deterministic stream, so this is not flaky: each residue near 1000/10000
	 * (binomial sd ~30; 100 is over 3 sd). */
	cvb_rng_seed(&rng, 7);
	for (int k = 0; k < 10000; k++)
		hist[cvb_rng_below(&rng, 10)]++;
	for (size_t i = 0; i < 10; i++)
		assert_in_range(hist[i], 900, 1100);
}

/* ---- Percentiles -------------------------------------------------------- */

static void test_percentile_1234(void **state)
{
	/* n = 4, h = 3p, value = x[floor h] + frac(h) * (next - this):
	 *   p=0    h=0     -> 1
	 *   p=.25  h=0.75  -> 1 + .75 * 1 = 1.75
	 *   p=.5   h=1.5   -> 2 + .5  * 1 = 2.5
	 *   p=.9   h=2.7   -> 3 + .7  * 1 = 3.7
	 *   p=.99  h=2.97  -> 3 + .97 * 1 = 3.97
	 *   p=1    h=3     -> 4
	 * (numpy.percentile([1,2,3,4], [0,25,50,90,99,100]) agrees.) */
	static const double x[] = {1, 2, 3, 4};

	(void)state;
	assert_near(cvb_percentile_sorted(x, 4, 0.0), 1.0, TOL);
	assert_near(cvb_percentile_sorted(x, 4, 0.25), 1.75, TOL);
	assert_near(cvb_percentile_sorted(x, 4, 0.5), 2.5, TOL);
	assert_near(cvb_percentile_sorted(x, 4, 0.9), 3.7, TOL);
	assert_near(cvb_percentile_sorted(x, 4, 0.99), 3.97, TOL);
	assert_near(cvb_percentile_sorted(x, 4, 1.0), 4.0, TOL);
}

static void test_percentile_15_50(void **state)
{
	/* n = 5, h = 4p:
	 *   p=0    h=0     -> 15
	 *   p=.25  h=1     -> 20
	 *   p=.5   h=2     -> 35
	 *   p=.9   h=3.6   -> 40 + .6  * 10 = 46
	 *   p=.99  h=3.96  -> 40 + .96 * 10 = 49.6
	 *   p=1    h=4     -> 50 */
	static const double x[] = {15, 20, 35, 40, 50};

	(void)state;
	assert_near(cvb_percentile_sorted(x, 5, 0.0), 15.0, TOL);
	assert_near(cvb_percentile_sorted(x, 5, 0.25), 20.0, TOL);
	assert_near(cvb_percentile_sorted(x, 5, 0.5), 35.0, TOL);
	assert_near(cvb_percentile_sorted(x, 5, 0.9), 46.0, TOL);
	assert_near(cvb_percentile_sorted(x, 5, 0.99), 49.6, TOL);
	assert_near(cvb_percentile_sorted(x, 5, 1.0), 50.0, TOL);
}

static void test_percentile_edges(void **state)
{
	static const double one[] = {42.5};
	static const double twin[] = {7.1, 7.1};
	/* Neighbours whose difference overflows: the midpoint is still 0. */
	static const double wide[] = {-DBL_MAX, DBL_MAX};

	(void)state;
	assert_near(cvb_percentile_sorted(one, 1, 0.0), 42.5, 0);
	assert_near(cvb_percentile_sorted(one, 1, 0.5), 42.5, 0);
	assert_near(cvb_percentile_sorted(one, 1, 1.0), 42.5, 0);
	/* Equal neighbours interpolate to exactly themselves. */
	assert_near(cvb_percentile_sorted(twin, 2, 0.3), 7.1, 0);
	assert_near(cvb_percentile_sorted(wide, 2, 0.5), 0.0, 0);

	errno = 0;
	assert_true(isnan(cvb_percentile_sorted(one, 0, 0.5)));
	assert_int_equal(errno, EINVAL);
}

static void test_median_unsorted(void **state)
{
	double odd[] = {9, 1, 5, 3, 7};      /* sorted 1 3 5 7 9 -> 5 */
	double even[] = {4, 10, 1, 3, 8, 2}; /* sorted 1 2 3 4 8 10 -> (3+4)/2 = 3.5 */
	const double odd_copy[] = {9, 1, 5, 3, 7};
	const double even_copy[] = {4, 10, 1, 3, 8, 2};

	(void)state;
	assert_near(cvb_median(odd, ARRAY_LEN(odd)), 5.0, 0);
	assert_near(cvb_median(even, ARRAY_LEN(even)), 3.5, 0);
	assert_memory_equal(odd, odd_copy, sizeof(odd));
	assert_memory_equal(even, even_copy, sizeof(even));

	errno = 0;
	assert_true(isnan(cvb_median(odd, 0)));
	assert_int_equal(errno, EINVAL);
}

/* ---- Summary: order statistics and moments ------------------------------ */

static void test_summary_fields(void **state)
{
	/* Unsorted {15,20,35,40,50}: min 15, max 50, p50 35, p90 46, p99 49.6
	 * (see test_percentile_15_50). mean = 160/5 = 32; deviations 8,-17,18,-12,3,
	 * squares 64+289+324+144+9 = 830, var = 830/4 = 207.5,
	 * sd = sqrt(207.5) = 14.404860290887...; cov = sd/32 = 0.45015188409...
	 * The input array must not be reordered. */
	double x[] = {40, 15, 50, 20, 35};
	const double copy[] = {40, 15, 50, 20, 35};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, 5, CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT, &s);
	assert_memory_equal(x, copy, sizeof(x));
	assert_int_equal(s.n, 5);
	assert_near(s.min, 15.0, 0);
	assert_near(s.max, 50.0, 0);
	assert_near(s.p50, 35.0, TOL);
	assert_near(s.p90, 46.0, TOL);
	assert_near(s.p99, 49.6, TOL);
	assert_near(s.mean, 32.0, TOL);
	assert_near(s.sd, 14.404860290887934, TOL);
	assert_near(s.cov, 14.404860290887934 / 32.0, TOL);
	assert_int_equal(s.n_outliers, 0);
	assert_null(s.outliers);
	cvb_summary_free(&s);
}

static void test_summary_mean_sd_cov(void **state)
{
	/* {2,4,4,4,5,5,7,9} shuffled: mean 40/8 = 5; squared deviations
	 * 9+1+1+1+0+0+4+16 = 32; sample var 32/7; sd = sqrt(32/7) =
	 * 2.1380899352993950; cov = sd/5 = 0.42761798705987900. */
	static const double x[] = {5, 9, 2, 4, 7, 4, 5, 4};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), 1, 100, &s);
	assert_near(s.mean, 5.0, TOL);
	assert_near(s.sd, 2.1380899352993950, TOL);
	assert_near(s.cov, 0.42761798705987900, TOL);
	/* sorted 2 4 4 4 5 5 7 9: p50 = (4+5)/2 = 4.5; p90: h = 6.3 ->
	 * 7 + .3*2 = 7.6; p99: h = 6.93 -> 7 + .93*2 = 8.86. */
	assert_near(s.p50, 4.5, TOL);
	assert_near(s.p90, 7.6, TOL);
	assert_near(s.p99, 8.86, TOL);
	cvb_summary_free(&s);
}

static void test_summary_large_offset(void **state)
{
	/* 1e12 + {4,7,13,16}: mean 1e12 + 10, deviations -6 -3 3 6, var =
	 * (36+9+9+36)/3 = 30, sd = sqrt 30 = 5.4772255750516612. A one-pass
	 * sum-of-squares formula loses every digit here (x^2 ~ 1e24). */
	static const double x[] = {1e12 + 4, 1e12 + 7, 1e12 + 13, 1e12 + 16};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), 1, 10, &s);
	assert_near(s.mean, 1e12 + 10, 0);
	assert_near(s.sd, 5.4772255750516612, TOL);
	cvb_summary_free(&s);
}

static void test_summary_single_sample(void **state)
{
	/* n == 1: every order statistic is the sample, sd and cov are 0 by
	 * definition, the interval is [min, max] = {x} (coverage 0: no pair of
	 * order statistics brackets a median with one sample), nothing is an
	 * outlier. */
	static const double x[] = {123.25};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, 1, CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT, &s);
	assert_int_equal(s.n, 1);
	assert_near(s.min, 123.25, 0);
	assert_near(s.p50, 123.25, 0);
	assert_near(s.p90, 123.25, 0);
	assert_near(s.p99, 123.25, 0);
	assert_near(s.max, 123.25, 0);
	assert_near(s.mean, 123.25, 0);
	assert_near(s.sd, 0.0, 0);
	assert_near(s.cov, 0.0, 0);
	assert_near(s.ci95_lo, 123.25, 0);
	assert_near(s.ci95_hi, 123.25, 0);
	assert_near(s.ci95_coverage, 0.0, 0);
	assert_int_equal(s.n_outliers, 0);
	cvb_summary_free(&s);
}

static void test_summary_zero_mean_cov(void **state)
{
	/* mean (-1+1)/2 = 0 -> cov defined as 0; sd = sqrt((1+1)/1) = sqrt 2. */
	static const double x[] = {-1, 1};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, 2, 1, 10, &s);
	assert_near(s.mean, 0.0, 0);
	assert_near(s.sd, 1.4142135623730951, TOL);
	assert_near(s.cov, 0.0, 0);
	cvb_summary_free(&s);
}

static void test_summary_huge_values(void **state)
{
	/* A naive sum or sum of squares overflows here. {1e308, 1e308, -1e308}:
	 * mean = 1e308/3; deviations 2/3, 2/3, -4/3 (x 1e308), squares sum to
	 * 24/9, var = 12/9 = 4/3, sd = 1e308 * sqrt(4/3) = 1.1547005383792515e308. */
	static const double x[] = {1e308, 1e308, -1e308};
	static const double top[] = {DBL_MAX, DBL_MAX, DBL_MAX};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, 3, 1, 10, &s);
	assert_near(s.mean / 1e308, 1.0 / 3.0, 1e-15);
	assert_near(s.sd / 1e308, 1.1547005383792515, 1e-15);
	cvb_summary_free(&s);

	summarize_ok(top, 3, 1, 10, &s);
	assert_near(s.mean, DBL_MAX, 0);
	assert_near(s.sd, 0.0, 0);
	assert_near(s.p50, DBL_MAX, 0);
	cvb_summary_free(&s);
}

/* ---- Outliers (modified z-score) ----------------------------------------- */

static void test_outlier_flagged(void **state)
{
	/* {10,11,10,12,11,10,95}: sorted 10 10 10 11 11 12 95, median 11.
	 * |x - 11| = 1 0 1 1 0 1 84 -> sorted 0 0 1 1 1 1 84, MAD = 1.
	 * z(95) = 0.6745 * 84 / 1 = 56.658 > 3.5: flagged.
	 * z(10), z(12) = 0.6745: not flagged. Only index 6. */
	static const double x[] = {10, 11, 10, 12, 11, 10, 95};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT,
	             &s);
	assert_int_equal(s.n_outliers, 1);
	assert_non_null(s.outliers);
	assert_int_equal(s.outliers[0], 6);
	/* Reported, never dropped: the outlier still counts everywhere else. */
	assert_int_equal(s.n, 7);
	assert_near(s.max, 95.0, 0);
	assert_near(s.mean, 159.0 / 7.0, TOL);
	cvb_summary_free(&s);
	assert_null(s.outliers);
	assert_int_equal(s.n_outliers, 0);
	cvb_summary_free(&s); /* idempotent */
}

static void test_outliers_caller_indices(void **state)
{
	/* {10,200,11,10,-150,12,11,10}: sorted -150 10 10 10 11 11 12 200,
	 * median (10+11)/2 = 10.5. |x - 10.5| = .5 189.5 .5 .5 160.5 1.5 .5 .5,
	 * sorted .5 .5 .5 .5 .5 1.5 160.5 189.5 -> MAD = (.5+.5)/2 = .5.
	 * z(12) = .6745 * 1.5 / .5 = 2.0235: kept. z(200) = 255.6,
	 * z(-150) = -216.5: flagged. Indices into the unsorted input: 1 and 4,
	 * ascending (the sorted positions would be 7 and 0). */
	static const double x[] = {10, 200, 11, 10, -150, 12, 11, 10};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), 3, 50, &s);
	assert_int_equal(s.n_outliers, 2);
	assert_int_equal(s.outliers[0], 1);
	assert_int_equal(s.outliers[1], 4);
	cvb_summary_free(&s);
}

static void test_no_outliers_tight(void **state)
{
	/* {100,101,99,100,102,98,100,101}: median 100, |dev| sorted
	 * 0 0 0 1 1 1 2 2 -> MAD = 1; largest z = .6745 * 2 = 1.349. */
	static const double x[] = {100, 101, 99, 100, 102, 98, 100, 101};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), 1, 100, &s);
	assert_int_equal(s.n_outliers, 0);
	assert_null(s.outliers);
	cvb_summary_free(&s);
}

static void test_outlier_threshold(void **state)
{
	/* Pins 0.6745 and 3.5 from both sides. {9,10,11,9,10,11,10,15,4.5}:
	 * sorted 4.5 9 9 10 10 10 11 11 15, median 10; |dev| sorted
	 * 0 0 0 1 1 1 1 5 5.5, MAD = 1. z(4.5) = -.6745 * 5.5 = -3.70975: flagged;
	 * z(15) = .6745 * 5 = 3.3725: kept. Only index 8. */
	static const double x[] = {9, 10, 11, 9, 10, 11, 10, 15, 4.5};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), 1, 100, &s);
	assert_int_equal(s.n_outliers, 1);
	assert_int_equal(s.outliers[0], 8);
	cvb_summary_free(&s);
}

static void test_outlier_mad_zero_fallback(void **state)
{
	/* {5,5,5,5,5,6,100}: median 5, |dev| = 0 0 0 0 0 1 95, MAD = 0, so the
	 * scale is 1.253314 * meanAD, meanAD = 96/7 = 13.714286,
	 * scale = 17.188306. z(6) = 1/17.19 = 0.058; z(100) = 95/17.19 = 5.527
	 * > 3.5: only index 6 flagged. */
	static const double flag[] = {5, 5, 5, 5, 5, 6, 100};
	/* {5,5,5,100}: MAD 0, meanAD = 95/4, z(100) = 4/1.253314 = 3.1915
	 * < 3.5: nothing flagged (pins the 1.253314 constant and threshold:
	 * one more 5 gives 5/1.253314 = 3.989 and flags it, below). */
	static const double keep[] = {5, 5, 5, 100};
	static const double five[] = {5, 5, 5, 5, 100};
	struct cvb_summary s;

	(void)state;
	summarize_ok(flag, ARRAY_LEN(flag), 1, 100, &s);
	assert_int_equal(s.n_outliers, 1);
	assert_int_equal(s.outliers[0], 6);
	cvb_summary_free(&s);

	summarize_ok(keep, ARRAY_LEN(keep), 1, 100, &s);
	assert_int_equal(s.n_outliers, 0);
	cvb_summary_free(&s);

	summarize_ok(five, ARRAY_LEN(five), 1, 100, &s);
	assert_int_equal(s.n_outliers, 1);
	assert_int_equal(s.outliers[0], 4);
	cvb_summary_free(&s);
}

static void test_identical_samples(void **state)
{
	/* MAD = 0 and meanAD = 0: nothing flagged. Every order statistic is
	 * 7.5, so the interval is degenerate [7.5, 7.5]. */
	static const double x[] = {7.5, 7.5, 7.5, 7.5, 7.5, 7.5};
	struct cvb_summary s;

	(void)state;
	summarize_ok(x, ARRAY_LEN(x), CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT,
	             &s);
	assert_int_equal(s.n_outliers, 0);
	assert_near(s.sd, 0.0, 0);
	assert_near(s.cov, 0.0, 0);
	assert_near(s.ci95_lo, 7.5, 0);
	assert_near(s.ci95_hi, 7.5, 0);
	cvb_summary_free(&s);
}

/* ---- The median's interval -------------------------------------------- */

static const double boot_x[] = {12, 15, 11, 19, 14, 13, 30, 16, 12.5, 17};

static void test_median_ci_contains_median(void **state)
{
	/* sorted 11 12 12.5 13 14 15 16 17 19 30 -> p50 = (14+15)/2 = 14.5 */
	struct cvb_summary s;

	(void)state;
	for (uint64_t seed = 0; seed < 8; seed++) {
		summarize_ok(boot_x, ARRAY_LEN(boot_x), seed, CVB_BOOTSTRAP_RESAMPLES_DEFAULT, &s);
		assert_near(s.p50, 14.5, 0);
		assert_true(s.ci95_lo <= s.p50);
		assert_true(s.p50 <= s.ci95_hi);
		/* Interpolated order statistics cannot leave the sample range. */
		assert_true(s.ci95_lo >= s.min);
		assert_true(s.ci95_hi <= s.max);
		cvb_summary_free(&s);
	}
}

/* The interval was a seeded bootstrap; it is now a function of the samples
 * alone, so neither the seed nor the resample count moves it (this test
 * used to demand that some seed did). */
static void test_median_ci_reproducible(void **state)
{
	struct cvb_summary a, b;

	(void)state;
	summarize_ok(boot_x, ARRAY_LEN(boot_x), 12345, 500, &a);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		summarize_ok(boot_x, ARRAY_LEN(boot_x), seed, (unsigned)(5 * seed), &b);
		assert_same_double(a.ci95_lo, b.ci95_lo);
		assert_same_double(a.ci95_hi, b.ci95_hi);
		assert_same_double(a.ci95_coverage, b.ci95_coverage);
		cvb_summary_free(&b);
	}
	cvb_summary_free(&a);
}

static void test_median_ci_reference(void **state)
{
	/* Expected values from exact rational arithmetic in Python (fractions,
	 * math.comb): g(d) = 1 - 2 P(B <= d - 1), B ~ Binomial(n, 1/2), d the
	 * largest with g(d) >= 0.95; I = (g(d) - .95) / (g(d) - g(d + 1));
	 * lambda = (n - d) I / (d + (n - 2d) I); ends interpolated between
	 * x_(d), x_(d+1) and x_(n-d+1), x_(n-d). These replace the bootstrap
	 * intervals pinned here before (12.5 .. 17.5 for boot_x, seed default):
	 * the method changed on purpose (issue 11), not the samples.
	 *   boot_x, n 10: d 2, g 0.978516 / 0.890625, lambda 73/111:
	 *     12 + 73/111 * 0.5, 19 - 73/111 * 2
	 *   lat, n 12:    d 3, g 0.961426 / 0.854004, lambda 351/1334
	 *   pi8, n 8:     d 1, g 0.992188 / 0.929688, lambda 189/202
	 *   1..6, n 6:    d 1, g 0.96875 / 0.78125, lambda 5/14
	 *   1..30, n 30:  d 10, g 0.957226 / 0.901263, lambda 0.228711 */
	static const double lat[] = {1021.5,   998.25, 1003.75, 1050.0, 987.5,   1012.0,
	                             1001.125, 1200.0, 995.0,   1008.5, 1030.25, 1004.0};
	static const double pi8[] = {3, 1, 4, 1, 5, 9, 2, 6};
	static const double six[] = {6, 5, 4, 3, 2, 1};
	double thirty[30];
	for (size_t i = 0; i < 30; i++)
		thirty[i] = (double)(30 - i);
	const struct {
		const double *x;
		size_t n;
		double lo, hi;
	} ref[] = {
	    {boot_x, ARRAY_LEN(boot_x), 12.32882882882883, 17.684684684684683},
	    {lat, ARRAY_LEN(lat), 999.0064655172414, 1027.9477136431783},
	    {pi8, ARRAY_LEN(pi8), 1.0, 6.193069306930693},
	    {six, ARRAY_LEN(six), 1.3571428571428572, 5.642857142857143},
	    {thirty, ARRAY_LEN(thirty), 10.228711498709886, 20.771288501290112},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(ref); i++) {
		struct cvb_summary s;

		summarize_ok(ref[i].x, ref[i].n, CVB_BOOTSTRAP_SEED_DEFAULT,
		             CVB_BOOTSTRAP_RESAMPLES_DEFAULT, &s);
		assert_near(s.ci95_lo, ref[i].lo, 1e-9);
		assert_near(s.ci95_hi, ref[i].hi, 1e-9);
		assert_near(s.ci95_coverage, 0.95, 0);
		cvb_summary_free(&s);
	}
}

/* n < 6: no pair of order statistics reaches 95%, so [min, max] with its
 * own, lower coverage 1 - 2 * 0.5^n. */
static void test_median_ci_small_n(void **state)
{
	static const double x[] = {5, 1, 4, 2, 3};
	static const double cover[] = {0, 0, 0.5, 0.75, 0.875, 0.9375};

	(void)state;
	for (size_t n = 1; n <= 5; n++) {
		struct cvb_summary s;

		summarize_ok(x, n, 1, 1, &s);
		assert_near(s.ci95_lo, s.min, 0);
		assert_near(s.ci95_hi, s.max, 0);
		assert_near(s.ci95_coverage, cover[n], 0);
		cvb_summary_free(&s);
	}
}

static void test_binomial_half_cdf(void **state)
{
	(void)state;
	assert_near(cvb_binomial_half_cdf(10, 1), 11.0 / 1024.0, 1e-15);
	assert_near(cvb_binomial_half_cdf(10, 2), 56.0 / 1024.0, 1e-15);
	assert_near(cvb_binomial_half_cdf(10, 9), 1023.0 / 1024.0, 1e-15);
	assert_near(cvb_binomial_half_cdf(10, 10), 1.0, 0);
	assert_near(cvb_binomial_half_cdf(1, 0), 0.5, 1e-15);
	assert_near(cvb_binomial_half_cdf(7, 3), 0.5, 1e-15); /* symmetric, odd n */
	/* Large n against the normal approximation with continuity correction:
	 * n = 1e6, k = n/2 - 980 (1.96 sd): P ~ Phi((k + .5 - n/2) / 500). */
	double k = 500000.0 - 980.0, z = (k + 0.5 - 500000.0) / 500.0;
	assert_near(cvb_binomial_half_cdf(1000000, (size_t)k), 0.5 * erfc(-z / sqrt(2.0)), 1e-4);
}

/* Large n: the interval's ends are the order statistics near
 * n/2 -+ 1.96 sqrt(n) / 2, found without an O(n) scan. */
static void test_median_ci_large_n(void **state)
{
	const size_t n = 1000001;
	double *x = malloc(n * sizeof(*x)), lo, hi, cov;

	(void)state;
	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = (double)i;
	cvb_median_ci95_sorted(x, n, &lo, &hi, &cov);
	assert_near(cov, 0.95, 0);
	/* x_(d) = d - 1 with d = n/2 - 1.96 sqrt(n)/2 (+- a rank or two) */
	assert_near(lo, 500000.0 - 980.0, 3.0);
	assert_near(hi, 500000.0 + 980.0, 3.0);
	assert_near(lo + hi, 1000000.0, 1e-6); /* symmetric ranks */
	free(x);
}

/* Standard normal by Box-Muller, for the simulations. */
static double normal(struct cvb_rng *rng)
{
	double u1 = cvb_rng_uniform(rng), u2 = cvb_rng_uniform(rng);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Coverage by simulation: 1000 samples (a fixed seed) of n draws from a
 * lognormal (mu 0, sigma 1: median 1); the 95% interval must hold 1 in
 * 93-97% of them. n = 5 is [min, max], 93.75% exactly in expectation. The
 * figures are printed: the report quotes them. */
static void test_median_ci_coverage(void **state)
{
	static const size_t ns[] = {5, 10, 30, 100};
	const unsigned draws = 1000;
	struct cvb_rng rng;
	double x[100];

	(void)state;
	cvb_rng_seed(&rng, 20261211);
	for (size_t t = 0; t < ARRAY_LEN(ns); t++) {
		unsigned hits = 0;

		for (unsigned d = 0; d < draws; d++) {
			struct cvb_summary s;

			for (size_t i = 0; i < ns[t]; i++)
				x[i] = exp(normal(&rng));
			summarize_ok(x, ns[t], 1, 1, &s);
			hits += s.ci95_lo <= 1.0 && 1.0 <= s.ci95_hi;
			cvb_summary_free(&s);
		}
		print_message("median ci95 coverage, lognormal(0, 1), n = %3zu: %.1f%% of %u\n",
		              ns[t], 100.0 * hits / draws, draws);
		assert_in_range(hits, 930, 970);
	}
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The radix sort agrees with qsort, on either side of its small-n cutoff,
 * with negatives, zeros of both signs, huge and tiny magnitudes and ties. */
static void test_sort_doubles(void **state)
{
	static const size_t ns[] = {0, 1, 2, 17, 255, 256, 257, 5000};
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 3);
	for (size_t t = 0; t < ARRAY_LEN(ns); t++) {
		size_t n = ns[t];
		double *a = malloc((n + 1) * sizeof(*a)), *b = malloc((n + 1) * sizeof(*b));

		assert_non_null(a);
		assert_non_null(b);
		for (size_t i = 0; i < n; i++) {
			uint64_t r = cvb_rng_next(&rng);

			switch (r % 6) {
			case 0:
				a[i] = (double)(r >> 40) - 8e6;
				break;
			case 1:
				a[i] = ldexp(cvb_rng_uniform(&rng), (int)(r >> 58) * 30 - 900);
				break;
			case 2:
				a[i] = -DBL_MAX * cvb_rng_uniform(&rng);
				break;
			case 3:
				a[i] = 0.0;
				break;
			case 4:
				a[i] = 42.0;
				break;
			default:
				a[i] = -ldexp(cvb_rng_uniform(&rng), -1070);
				break;
			}
		}
		memcpy(b, a, n * sizeof(*a));
		cvb_sort_doubles(a, n);
		qsort(b, n, sizeof(*b), cmp_dbl);
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				fail_msg("n %zu: [%zu] = %.17g, qsort has %.17g", n, i, a[i], b[i]);
		free(a);
		free(b);
	}
}

/* The O(1) draw of a resample's quantile follows the same distribution as
 * drawing n values with replacement and taking their type-7 quantile: for
 * odd and even n, the median and tail quantiles, 100000 draws each way
 * (fixed seeds), the two empirical distributions are closer than the
 * two-sample Kolmogorov-Smirnov critical value at the 1% level,
 * 1.628 sqrt(2 / 100000) = 0.0073 (conservative for these discrete
 * distributions). */
static void test_bootstrap_quantile_draw(void **state)
{
	static const double base[] = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4};
	static const struct {
		size_t n;
		double p;
	} cases[] = {{7, 0.5}, {8, 0.5}, {20, 0.5}, {20, 0.9}, {13, 0.25}};
	const size_t draws = 100000;
	double *fast = malloc(draws * sizeof(*fast)), *slow = malloc(draws * sizeof(*slow));
	double sorted[20], re[20];

	(void)state;
	assert_non_null(fast);
	assert_non_null(slow);
	for (size_t c = 0; c < ARRAY_LEN(cases); c++) {
		size_t n = cases[c].n;
		struct cvb_rng r1, r2;

		memcpy(sorted, base, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), cmp_dbl);
		cvb_rng_seed(&r1, 11 + c);
		cvb_rng_seed(&r2, 911 + c);
		for (size_t d = 0; d < draws; d++) {
			fast[d] = cvb_bootstrap_quantile_draw(sorted, n, cases[c].p, &r1);
			for (size_t i = 0; i < n; i++)
				re[i] = sorted[cvb_rng_below(&r2, n)];
			qsort(re, n, sizeof(*re), cmp_dbl);
			slow[d] = cvb_percentile_sorted(re, n, cases[c].p);
		}
		qsort(fast, draws, sizeof(*fast), cmp_dbl);
		qsort(slow, draws, sizeof(*slow), cmp_dbl);
		/* KS distance over the pooled support. */
		double ks = 0.0;
		size_t i = 0, j = 0;
		while (i < draws || j < draws) {
			double v =
			    i < draws && (j >= draws || fast[i] <= slow[j]) ? fast[i] : slow[j];
			while (i < draws && fast[i] == v)
				i++;
			while (j < draws && slow[j] == v)
				j++;
			ks = fmax(ks, fabs((double)i - (double)j) / (double)draws);
		}
		print_message("bootstrap quantile draw n %zu p %.2f: KS distance %.4f\n", n,
		              cases[c].p, ks);
		assert_true(ks < 0.0073);
	}
	free(fast);
	free(slow);
}

/* ---- Errors ------------------------------------------------------------- */

static void expect_einval(const double *x, size_t n, unsigned resamples)
{
	struct cvb_summary s;

	memset(&s, 0xa5, sizeof(s));
	errno = 0;
	assert_int_equal(cvb_summarize(x, n, 1, resamples, &s), -1);
	assert_int_equal(errno, EINVAL);
	/* A failed call leaves nothing to free and no stale numbers. */
	assert_null(s.outliers);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.n_outliers, 0);
	cvb_summary_free(&s);
}

static void test_errors(void **state)
{
	const double ok[] = {1, 2, 3};
	const double with_nan[] = {1, NAN, 3};
	const double with_inf[] = {1, 2, INFINITY};
	const double with_ninf[] = {-INFINITY, 2, 3};

	(void)state;
	expect_einval(ok, 0, 100);
	expect_einval(NULL, 3, 100);
	expect_einval(ok, 3, 0);
	expect_einval(with_nan, 3, 100);
	expect_einval(with_inf, 3, 100);
	expect_einval(with_ninf, 3, 100);

	errno = 0;
	assert_int_equal(cvb_summarize(ok, 3, 1, 100, NULL), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_enomem(void **state)
{
	/* cvb_summarize allocates its copy before it reads the samples, so an
	 * impossible n fails with ENOMEM without touching x beyond its end. */
	const double x[] = {1, 2, 3};
	struct cvb_summary s;

	(void)state;
	errno = 0;
	assert_int_equal(cvb_summarize(x, SIZE_MAX / 4, 1, 100, &s), -1);
	assert_int_equal(errno, ENOMEM);
	assert_null(s.outliers);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rng_seed_is_splitmix64),
	    cmocka_unit_test(test_rng_xoshiro_reference),
	    cmocka_unit_test(test_rng_below_reference),
	    cmocka_unit_test(test_rng_below_range),
	    cmocka_unit_test(test_percentile_1234),
	    cmocka_unit_test(test_percentile_15_50),
	    cmocka_unit_test(test_percentile_edges),
	    cmocka_unit_test(test_median_unsorted),
	    cmocka_unit_test(test_summary_fields),
	    cmocka_unit_test(test_summary_mean_sd_cov),
	    cmocka_unit_test(test_summary_large_offset),
	    cmocka_unit_test(test_summary_single_sample),
	    cmocka_unit_test(test_summary_zero_mean_cov),
	    cmocka_unit_test(test_summary_huge_values),
	    cmocka_unit_test(test_outlier_flagged),
	    cmocka_unit_test(test_outliers_caller_indices),
	    cmocka_unit_test(test_no_outliers_tight),
	    cmocka_unit_test(test_outlier_threshold),
	    cmocka_unit_test(test_outlier_mad_zero_fallback),
	    cmocka_unit_test(test_identical_samples),
	    cmocka_unit_test(test_median_ci_contains_median),
	    cmocka_unit_test(test_median_ci_reproducible),
	    cmocka_unit_test(test_median_ci_reference),
	    cmocka_unit_test(test_median_ci_small_n),
	    cmocka_unit_test(test_binomial_half_cdf),
	    cmocka_unit_test(test_median_ci_large_n),
	    cmocka_unit_test(test_median_ci_coverage),
	    cmocka_unit_test(test_sort_doubles),
	    cmocka_unit_test(test_bootstrap_quantile_draw),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
