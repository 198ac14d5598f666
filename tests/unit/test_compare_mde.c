/* Unit tests for harness/stats/compare_mde.c: the minimum detectable effect of
 * compare's gate on fixture samples written here (evenly spaced sets, and
 * normal samples from a fixed seed): tight sets give a small MDE, wide sets
 * of 5 a large one, 4 + 4 none at all; it falls as 1 / sqrt(n); at the
 * MDE's edge the rank test itself flips (the MDE is the gate's, not an
 * approximation of it), also on the merge path (> 4096 samples) and for
 * subsampled sides; the sample-count estimate; the normal quantile. */
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

#include "compare_mde.h"
#include "rank_test.h"
#include "stats.h"

/* n values 1e6 * (1 + spread * i / n) * scale, i = 0 .. n-1: the shape of
 * tests/fixtures/results/set_samples.py. */
static double *even(size_t n, double spread, double scale)
{
	double *x = malloc(n * sizeof(*x));

	assert_non_null(x);
	for (size_t i = 0; i < n; i++)
		x[i] = 1e6 * (1.0 + spread * (double)i / (double)n) * scale;
	return x;
}

/* n normal samples, mean and coefficient of variation, from a fixed seed. */
static double *normal(size_t n, double mean, double cov, uint64_t seed)
{
	double *x = malloc(n * sizeof(*x));
	struct cvb_rng rng;

	assert_non_null(x);
	cvb_rng_seed(&rng, seed);
	for (size_t i = 0; i < n; i++) {
		double u1 = ((double)(cvb_rng_next(&rng) >> 11) + 1.0) / 9007199254740993.0;
		double u2 = (double)(cvb_rng_next(&rng) >> 11) / 9007199254740992.0;
		x[i] = mean * (1.0 + cov * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
	}
	return x;
}

static double mde_of(const double *b, size_t nb, const double *c, size_t nc, double alpha)
{
	struct cvb_mde_model m;
	struct cvb_error err = {0};
	double pct;

	if (cvb_mde_model_init(&m, b, nb, c, nc, &err) < 0 ||
	    cvb_mde_model_pct(&m, alpha, &pct, &err) < 0)
		fail_msg("MDE: %s", err.msg);
	cvb_mde_model_free(&m);
	return pct;
}

static void test_tight_identical_small(void **state)
{
	double *a = even(30, 0.001, 1.0);

	(void)state;
	/* A 0.1% spread: a shift of a few hundredths of a percent shows. */
	double pct = mde_of(a, 30, a, 30, 0.01);
	assert_true(pct > 0.0 && pct < 0.1);
	free(a);
}

static void test_wide_five_large(void **state)
{
	double *a = even(5, 1.0, 1.0), *b = even(5, 1.0, 1.06);

	(void)state;
	/* 5 + 5 at alpha 0.01: only complete separation gives p < 0.01
	 * (2/252), so the shift must cover the whole range, 0.8 of 1.4e6. */
	double pct = mde_of(a, 5, b, 5, 0.01);
	assert_true(pct > 50.0 && pct < 65.0);
	/* at alpha 0.05 less is needed */
	assert_true(mde_of(a, 5, b, 5, 0.05) < pct);
	free(a);
	free(b);
}

static void test_too_few_none_detectable(void **state)
{
	double *a = even(4, 0.1, 1.0);

	(void)state;
	/* 4 + 4: the exact p cannot go below 2/70 > 0.01 */
	assert_true(isinf(mde_of(a, 4, a, 4, 0.01)));
	assert_true(isinf(mde_of(a, 3, a, 3, 0.01)));
	assert_true(isfinite(mde_of(a, 4, a, 4, 0.05)));
	assert_int_equal(cvb_mde_min_reps(0.01), 5);
	assert_int_equal(cvb_mde_min_reps(0.05), 4);
	assert_int_equal(cvb_mde_min_reps(0.2), 3);
	free(a);
}

static void test_zero_median_undefined(void **state)
{
	static const double z[] = {-1, 0, 0, 0, 1, -2, 2, 0};

	(void)state;
	assert_true(isnan(mde_of(z, 8, z, 8, 0.01)));
}

/* 5% noise: the MDE falls with n, as 1 / sqrt(n) once n is large, and is
 * near the large-sample value z(alpha/2) sd sqrt(2/n) / sqrt(3/pi). */
static void test_shrinks_with_n(void **state)
{
	static const size_t ns[] = {5, 10, 30, 100, 1000};
	double prev = INFINITY, at[5];

	(void)state;
	for (size_t k = 0; k < 5; k++) {
		double *a = normal(ns[k], 1e6, 0.05, 100 + k),
		       *b = normal(ns[k], 1e6, 0.05, 200 + k);

		at[k] = mde_of(a, ns[k], b, ns[k], 0.01);
		if (!(at[k] < prev))
			fail_msg("MDE at n=%zu is %.3f%%, not below %.3f%%", ns[k], at[k], prev);
		prev = at[k];
		free(a);
		free(b);
	}
	double ratio = at[3] / at[4]; /* n 100 -> 1000: sqrt(10) = 3.16 */
	assert_true(ratio > 2.5 && ratio < 4.0);
	double theory = 2.5758 * 5.0 * sqrt(2.0 / 1000.0) / sqrt(3.0 / M_PI);
	assert_true(fabs(at[4] - theory) < 0.15 * theory);
}

/* The MDE is where the gate's own rank test flips: 1% beyond it both
 * directions are flagged, 1% short of it one is not. */
static void check_edge(size_t nb, size_t nc, double cov)
{
	double *a = normal(nb, 1e6, cov, 7), *b = normal(nc, 1.02e6, cov, 8);
	double *y = malloc(nc * sizeof(*y));
	struct cvb_mde_model m;
	struct cvb_error err = {0};
	struct cvb_rank_test t;
	double pct;
	int flagged_short = 0;

	assert_non_null(y);
	assert_int_equal(cvb_mde_model_init(&m, a, nb, b, nc, &err), 0);
	assert_int_equal(cvb_mde_model_pct(&m, 0.01, &pct, &err), 0);
	assert_true(isfinite(pct) && pct > 0);
	for (int dir = -1; dir <= 1; dir += 2) {
		double up;

		assert_int_equal(cvb_mde_model_pct_dir(&m, 0.01, dir, &up, &err), 0);
		assert_true(up <= pct);
		for (size_t j = 0; j < nc; j++)
			y[j] = m.cur[j] + dir * pct * 1.01 / 100.0 * m.scale;
		assert_int_equal(cvb_mann_whitney(m.base, m.nb, y, m.nc, &t, &err), 0);
		assert_true(t.p < 0.01 && t.direction == dir);
		for (size_t j = 0; j < nc; j++)
			y[j] = m.cur[j] + dir * up * 0.99 / 100.0 * m.scale;
		assert_int_equal(cvb_mann_whitney(m.base, m.nb, y, m.nc, &t, &err), 0);
		flagged_short += t.p < 0.01 && t.direction == dir;
	}
	assert_int_equal(flagged_short, 0);
	cvb_mde_model_free(&m);
	free(a);
	free(b);
	free(y);
}

static void test_edge_is_the_rank_test(void **state)
{
	(void)state;
	check_edge(15, 15, 0.05);    /* direct path, normal approximation */
	check_edge(6, 9, 0.05);      /* direct path, exact p */
	check_edge(3000, 2500, 0.1); /* merge path: the same p as the rank test */
}

/* Past CVB_MDE_SUBSAMPLE a side is subsampled and the MDE scaled: it stays
 * on the large-sample line. */
static void test_subsampled_sides(void **state)
{
	const size_t n = 100000;
	double *a = normal(n, 1e6, 0.05, 31), *b = normal(n, 1e6, 0.05, 32);
	double theory = 2.5758 * 5.0 * sqrt(2.0 / (double)n) / sqrt(3.0 / M_PI);
	struct cvb_mde_model m;
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(cvb_mde_model_init(&m, a, n, b, n, &err), 0);
	assert_int_equal(m.nb, CVB_MDE_SUBSAMPLE);
	assert_int_equal(m.nb_all, n);
	cvb_mde_model_free(&m);
	double pct = mde_of(a, n, b, n, 0.01);
	assert_true(fabs(pct - theory) < 0.15 * theory);
	free(a);
	free(b);
}

static void test_deterministic(void **state)
{
	double *a = normal(40, 1e6, 0.1, 3), *b = normal(50, 1.1e6, 0.2, 4);

	(void)state;
	assert_same_double(mde_of(a, 40, b, 50, 0.01), mde_of(a, 40, b, 50, 0.01));
	free(a);
	free(b);
}

static size_t reps_of(const double *a, size_t na, const double *b, size_t nb, double change)
{
	struct cvb_mde_model m;
	struct cvb_error err = {0};
	size_t reps;

	if (cvb_mde_model_init(&m, a, na, b, nb, &err) < 0 ||
	    cvb_mde_model_reps(&m, 0.01, change, &reps, &err) < 0)
		fail_msg("reps: %s", err.msg);
	cvb_mde_model_free(&m);
	return reps;
}

/* 15 samples of 5% noise (MDE about 11%): to tell a 3% change at 80%
 * power takes about 15 (11 / 3)^2 1.33^2 = 350 per side (large-sample
 * law); smaller changes more, none or a zero change nothing. */
static void test_reps_estimate(void **state)
{
	double *a = normal(15, 1e6, 0.05, 41), *b = normal(15, 1e6, 0.05, 42);

	(void)state;
	size_t r3 = reps_of(a, 15, b, 15, 3.0), r1 = reps_of(a, 15, b, 15, -1.0);
	double mde = mde_of(a, 15, b, 15, 0.01);
	double law = 15.0 * pow(mde / 3.0 * 1.327, 2.0);
	if (!(r3 > 0.5 * law && r3 < 2.0 * law))
		fail_msg("reps for 3%%: %zu, large-sample law %.0f (MDE %.2f%%)", r3, law, mde);
	assert_true(r1 > 5 * r3);
	assert_int_equal(reps_of(a, 15, b, 15, 0.0), 0);
	assert_int_equal(reps_of(a, 15, b, 15, NAN), 0);
	/* rounded up to two significant digits */
	assert_true(r3 % (r3 >= 1000 ? 100 : r3 >= 100 ? 10 : 1) == 0);
	/* a change of 0.01% in 5% noise: beyond the bound */
	assert_int_equal(reps_of(a, 15, b, 15, 0.01), CVB_MDE_REPS_MAX + 1);
	/* with no noise at all the exact test's floor is what counts */
	double *flat = even(3, 0.0, 1.0);
	assert_int_equal(reps_of(flat, 3, flat, 3, 10.0), 5);
	free(flat);
	free(a);
	free(b);
}

static void test_normal_quantile(void **state)
{
	(void)state;
	assert_near(cvb_mde_normal_upper_quantile(0.005), 2.5758293035489004, 1e-9);
	assert_near(cvb_mde_normal_upper_quantile(0.2), 0.8416212335729143, 1e-9);
	assert_near(cvb_mde_normal_upper_quantile(0.5), 0.0, 1e-12);
	assert_near(cvb_mde_normal_upper_quantile(0.975), -1.959963984540054, 1e-9);
	assert_near(cvb_mde_normal_upper_quantile(1e-10), 6.361340902404056, 1e-7);
	assert_true(isnan(cvb_mde_normal_upper_quantile(0.0)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tight_identical_small),
	    cmocka_unit_test(test_wide_five_large),
	    cmocka_unit_test(test_too_few_none_detectable),
	    cmocka_unit_test(test_zero_median_undefined),
	    cmocka_unit_test(test_shrinks_with_n),
	    cmocka_unit_test(test_edge_is_the_rank_test),
	    cmocka_unit_test(test_subsampled_sides),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_reps_estimate),
	    cmocka_unit_test(test_normal_quantile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
