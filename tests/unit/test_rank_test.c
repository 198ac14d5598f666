/* Unit tests for harness/stats/rank_test.c (Mann-Whitney U).
 *
 * Reference values: scipy.stats.mannwhitneyu's documented example (males
 * vs females: U = 17, exact p = 0.1111111111111111, asymptotic p =
 * 0.11134688653314041), and for the rest a separate pure-Python transcription
 * of scipy's formulas (scipy is not installed here): midranks, U1 = R1 -
 * n1(n1+1)/2; asymptotic: tie-corrected sigma, z = (max(U1, U2) - n1 n2 / 2 -
 * 0.5) / sigma, p = erfc(z / sqrt 2); exact: brute-force enumeration of all
 * C(n, n1) splits of the midranks with itertools.combinations, p = 2 min(P(R
 * <= r), P(R >= r)). It reproduces the scipy example above to 1e-15. The
 * exact table is also checked against an enumeration written in C here. */
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

#include "rank_test.h"
#include "stats.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct cvb_rank_test run(const double *x, size_t nx, const double *y, size_t ny)
{
	struct cvb_rank_test t;
	struct cvb_error err = {0};

	if (cvb_mann_whitney(x, nx, y, ny, &t, &err) != 0)
		fail_msg("cvb_mann_whitney: %s", err.msg);
	return t;
}

static void test_scipy_example_exact(void **state)
{
	static const double males[] = {19, 22, 16, 29, 24}, females[] = {20, 11, 17, 12};
	struct cvb_rank_test t = run(males, LEN(males), females, LEN(females));

	(void)state;
	assert_near(t.u, 17.0, 0);
	assert_true(t.exact);
	assert_near(t.p, 0.1111111111111111, 1e-15); /* 14 of 126 splits, twice */
	assert_int_equal(t.direction, -1);           /* females tend to be smaller */
}

static void test_exact_with_ties(void **state)
{
	static const double x[] = {1, 2, 2, 3, 5}, y[] = {2, 3, 3, 4, 6, 7};
	struct cvb_rank_test t = run(x, LEN(x), y, LEN(y));

	(void)state;
	assert_near(t.u, 7.0, 0);
	assert_true(t.exact);
	assert_near(t.p, 0.17316017316017315, 1e-14);
	assert_int_equal(t.direction, 1);
}

static void test_exact_complete_separation(void **state)
{
	static const double x[] = {1, 2, 3}, y[] = {4, 5, 6, 7};
	struct cvb_rank_test t = run(x, LEN(x), y, LEN(y));

	(void)state;
	assert_near(t.u, 0.0, 0);
	assert_near(t.p, 2.0 / 35.0, 1e-15); /* one split of 35 at each end */
}

static void test_exact_one_small_side(void **state)
{
	static const double x[] = {5, 9, 9};
	double y[40];
	struct cvb_rank_test t;

	(void)state;
	for (int i = 0; i < 40; i++)
		y[i] = (i * 3) % 17;
	t = run(x, LEN(x), y, LEN(y));
	assert_true(t.exact);
	assert_near(t.u, 58.0, 0);
	assert_near(t.p, 0.9454663317397294, 1e-13);
}

static void test_normal_approximation_with_ties(void **state)
{
	static const double x[] = {3.1, 4.5, 2.2, 5.0, 3.3, 4.4, 2.8, 3.9, 4.1, 3.3};
	static const double y[] = {4.2, 5.5, 4.4, 6.1, 5.0, 3.3, 4.9, 5.2, 6.0, 4.7, 5.5};
	struct cvb_rank_test t = run(x, LEN(x), y, LEN(y));

	(void)state;
	assert_false(t.exact);
	assert_near(t.u, 14.0, 0);
	assert_near(t.p, 0.004257458128103867, 1e-13);
	assert_int_equal(t.direction, 1);
}

static void test_normal_approximation_integers(void **state)
{
	double a[12], b[15];
	struct cvb_rank_test t;

	(void)state;
	for (int i = 0; i < 12; i++)
		a[i] = (i * 7) % 11;
	for (int i = 0; i < 15; i++)
		b[i] = (i * 5) % 13 + 2;
	t = run(a, LEN(a), b, LEN(b));
	assert_false(t.exact);
	assert_near(t.u, 52.5, 0);
	assert_near(t.p, 0.07032057516838146, 1e-13);
}

/* Swapping the samples mirrors U and keeps p. */
static void test_symmetry(void **state)
{
	static const double x[] = {3.1, 4.5, 2.2, 5.0, 3.3, 4.4, 2.8, 3.9, 4.1, 3.3};
	static const double y[] = {4.2, 5.5, 4.4, 6.1, 5.0, 3.3, 4.9, 5.2, 6.0, 4.7, 5.5};
	struct cvb_rank_test a = run(x, LEN(x), y, LEN(y)), b = run(y, LEN(y), x, LEN(x));

	(void)state;
	assert_near(a.u + b.u, (double)(LEN(x) * LEN(y)), 0);
	assert_near(a.p, b.p, 1e-15);
	assert_int_equal(a.direction, -b.direction);
}

static void test_all_equal_is_no_evidence(void **state)
{
	double x[10], y[12];
	struct cvb_rank_test t;

	(void)state;
	for (size_t i = 0; i < LEN(x); i++)
		x[i] = 7;
	for (size_t i = 0; i < LEN(y); i++)
		y[i] = 7;
	t = run(x, LEN(x), y, LEN(y));
	assert_near(t.p, 1.0, 0);
	assert_int_equal(t.direction, 0);
	t = run(x, 3, y, 4); /* exact path */
	assert_near(t.p, 1.0, 0);
}

/* Brute force over every split, in C: the rank-sum table must agree. */
static double brute_force_p(const double *x, size_t nx, const double *y, size_t ny)
{
	double all[16], ranks[16], robs = 0;
	size_t n = nx + ny;
	unsigned long total = 0, le = 0, ge = 0;

	for (size_t i = 0; i < n; i++)
		all[i] = i < nx ? x[i] : y[i - nx];
	for (size_t i = 0; i < n; i++) {
		double less = 0, same = 0;
		for (size_t j = 0; j < n; j++) {
			less += all[j] < all[i];
			same += all[j] == all[i];
		}
		ranks[i] = less + (same + 1) / 2;
	}
	for (size_t i = 0; i < nx; i++)
		robs += ranks[i];
	for (unsigned mask = 0; mask < (1u << n); mask++) {
		double r = 0;
		if ((size_t)__builtin_popcount(mask) != nx)
			continue;
		for (size_t i = 0; i < n; i++)
			if (mask & (1u << i))
				r += ranks[i];
		total++;
		le += r <= robs + 1e-9;
		ge += r >= robs - 1e-9;
	}
	double p = 2.0 * (double)(le < ge ? le : ge) / (double)total;
	return p > 1 ? 1 : p;
}

static void test_exact_matches_enumeration(void **state)
{
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 42);
	for (int round = 0; round < 40; round++) {
		double x[7], y[9];
		size_t nx = 1 + cvb_rng_below(&rng, 7), ny = 1 + cvb_rng_below(&rng, 9);

		/* Few distinct values, so that ties are common. */
		for (size_t i = 0; i < nx; i++)
			x[i] = (double)cvb_rng_below(&rng, 6);
		for (size_t i = 0; i < ny; i++)
			y[i] = (double)cvb_rng_below(&rng, 6);
		struct cvb_rank_test t = run(x, nx, y, ny);
		assert_true(t.exact);
		assert_near(t.p, brute_force_p(x, nx, y, ny), 1e-12);
	}
}

/* The merge walk over the two sorted sides gives the U of the definition
 * (pairs with x > y, ties counting 1/2, counted here pair by pair) and the
 * tie-corrected normal p computed here from the tie counts, on samples
 * with many ties and negative zeros (equal to zeros) among them. */
static void test_large_with_ties_matches_pair_count(void **state)
{
	enum { NX = 1500, NY = 2000 };
	static double x[NX], y[NY];
	struct cvb_rng rng;

	(void)state;
	cvb_rng_seed(&rng, 17);
	for (size_t i = 0; i < NX; i++)
		x[i] = (double)cvb_rng_below(&rng, 200) - 100.0;
	for (size_t i = 0; i < NY; i++)
		y[i] = (double)cvb_rng_below(&rng, 200) - 95.0;
	x[0] = -0.0;
	y[0] = 0.0;
	double u = 0.0;
	for (size_t i = 0; i < NX; i++)
		for (size_t j = 0; j < NY; j++)
			u += x[i] > y[j] ? 1.0 : x[i] == y[j] ? 0.5 : 0.0;
	/* tie groups: values are integers in [-100, 105) */
	double ties = 0.0;
	for (int v = -100; v < 105; v++) {
		double t = 0.0;
		for (size_t i = 0; i < NX; i++)
			t += x[i] == v;
		for (size_t j = 0; j < NY; j++)
			t += y[j] == v;
		ties += t * t * t - t;
	}
	double n = NX + NY, mu = NX * (double)NY / 2.0;
	double sigma = sqrt(NX * (double)NY / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0))));
	double p = fmin(1.0, erfc((fabs(u - mu) - 0.5) / sigma / sqrt(2.0)));
	struct cvb_rank_test t = run(x, NX, y, NY);

	assert_false(t.exact);
	assert_near(t.u, u, 0);
	assert_near(t.p, p, 1e-12);
	assert_int_equal(t.direction, u < mu ? 1 : -1);
}

/* A million samples a side (a results file of that size is what compare
 * meets): identical sides are no evidence, U exactly half of nx ny. */
static void test_million_samples(void **state)
{
	const size_t n = 1000000;
	double *x = malloc(n * sizeof(*x));
	struct cvb_rng rng;

	(void)state;
	assert_non_null(x);
	cvb_rng_seed(&rng, 3);
	for (size_t i = 0; i < n; i++)
		x[i] = (double)cvb_rng_below(&rng, 1u << 30);
	struct cvb_rank_test t = run(x, n, x, n);
	assert_near(t.u, (double)n * (double)n / 2.0, 0);
	assert_near(t.p, 1.0, 0);
	assert_int_equal(t.direction, 0);
	free(x);
}

static void test_bad_input(void **state)
{
	static const double x[] = {1, 2}, bad[] = {1, NAN};
	struct cvb_rank_test t;
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(cvb_mann_whitney(x, 0, x, 2, &t, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_int_equal(cvb_mann_whitney(x, 2, bad, 2, &t, &err), -1);
	assert_non_null(strstr(err.msg, "finite"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scipy_example_exact),
	    cmocka_unit_test(test_exact_with_ties),
	    cmocka_unit_test(test_exact_complete_separation),
	    cmocka_unit_test(test_exact_one_small_side),
	    cmocka_unit_test(test_normal_approximation_with_ties),
	    cmocka_unit_test(test_normal_approximation_integers),
	    cmocka_unit_test(test_symmetry),
	    cmocka_unit_test(test_all_equal_is_no_evidence),
	    cmocka_unit_test(test_exact_matches_enumeration),
	    cmocka_unit_test(test_large_with_ties_matches_pair_count),
	    cmocka_unit_test(test_million_samples),
	    cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
