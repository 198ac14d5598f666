/* Mann-Whitney U (Wilcoxon rank-sum) test of two independent samples,
 * two-sided: is one sample stochastically larger than the other?
 *
 * Method (results depend on it, so it is spelled out):
 * - Ties get midranks. U of x = R_x - nx (nx + 1) / 2: the number of pairs
 *   (x_i, y_j) with x_i > y_j, a tie counting 1/2.
 * - Exact p when a side has fewer than 8 samples and the count is cheap
 *   (CVB_RANK_EXACT_MAX_WORK): the permutation distribution of the smaller
 *   side's rank sum over all C(nx + ny, k) equally likely splits of the
 *   observed midranks, so it stays exact with ties. p = min(1, 2 min(P(T <=
 *   t), P(T >= t))); the distribution is symmetric, so this is the usual
 *   two-sided p (scipy's method='exact' when there are no ties).
 * - Otherwise the normal approximation with the tie correction of the
 *   variance, sigma^2 = nx ny / 12 ((n + 1) - sum(t^3 - t) / (n (n - 1))),
 *   and a continuity correction of 0.5: z = (|U - nx ny / 2| - 0.5) / sigma,
 *   p = erfc(z / sqrt 2), capped at 1 (scipy.stats.mannwhitneyu's
 *   method='asymptotic', use_continuity=True).
 * - All values equal (sigma = 0): no evidence either way, p = 1.
 * - Cost: each side sorted on its own (stats.h's O(n) radix sort), then one
 *   walk over both, tie group by tie group: O(nx + ny) for a million
 *   samples a side, plus the exact count where it is chosen. */
#ifndef CVB_RANK_TEST_H
#define CVB_RANK_TEST_H

#include "cvb_error.h"

#include <stdbool.h>
#include <stddef.h>

/* Largest (elements x smaller side x rank-sum range) the exact count may
 * cost; beyond it the normal approximation is used even for small sides. */
#define CVB_RANK_EXACT_MAX_WORK 50000000.0

struct cvb_rank_test {
	double u;      /* U of x (see above); U of y is nx * ny - u */
	double z;      /* the normal approximation's z; 0 when exact */
	double p;      /* two-sided p-value in [0, 1] */
	bool exact;    /* p from the exact permutation distribution */
	int direction; /* +1: y tends to be larger than x, -1: smaller, 0: neither */
};

/* Tests x against y (nx, ny >= 1, finite values; inputs not modified).
 * 0, or -1 with err (EINVAL: empty or non-finite input; ENOMEM). */
int cvb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                     struct cvb_rank_test *out, struct cvb_error *err);

#endif
