/* Mann-Whitney U test; the method is documented in rank_test.h. */
#include "rank_test.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EXACT_BELOW 8    /* a side smaller than this gets the exact p */
#define EXACT_MAX_N 8192 /* n (n + 1) > CVB_RANK_EXACT_MAX_WORK beyond it */

/* Exact two-sided p from the permutation distribution of the rank sum of a
 * side with k members. Doubled midranks are whole numbers (first + last
 * position + 2), so the distribution is a table of counts indexed by the
 * doubled sum: dp[j][s] = splits choosing j elements whose doubled ranks sum
 * to s. Counts are doubles: near the work limit C(n, k) can pass 2^53, which
 * costs p a relative rounding of about 1e-16, not its exactness in any
 * sense that matters for a p-value. */
static int exact_p(const long *rank2, size_t n, size_t k, size_t smax, long t_obs, double *p)
{
	size_t width = smax + 1;
	double *dp, total = 0.0, le = 0.0, ge = 0.0;

	dp = calloc((k + 1) * width, sizeof(*dp));
	if (!dp)
		return -1;
	dp[0] = 1.0;
	for (size_t e = 0; e < n; e++) {
		size_t d = (size_t)rank2[e], jmax = e + 1 < k ? e + 1 : k;

		for (size_t j = jmax; j >= 1; j--) {
			double *row = dp + j * width, *prev = dp + (j - 1) * width;

			for (size_t s = smax; s >= d; s--) {
				row[s] += prev[s - d];
				if (s == d)
					break;
			}
		}
	}
	for (size_t s = 0; s < width; s++) {
		double c = dp[k * width + s];

		total += c;
		if ((long)s <= t_obs)
			le += c;
		if ((long)s >= t_obs)
			ge += c;
	}
	free(dp);
	*p = fmin(1.0, 2.0 * fmin(le, ge) / total);
	return 0;
}

/* See rank_test.h. Both sides are sorted on their own and walked together,
 * tie group by tie group: O(n) after two O(n) radix sorts, where sorting
 * the pooled, tagged samples took O(n log n) with a large constant. */
int cvb_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                     struct cvb_rank_test *out, struct cvb_error *err)
{
	size_t n = nx + ny, k, pos = 0, i = 0, j = 0;
	double *sx = NULL, *sy = NULL;
	long *rank2 = NULL, rx2 = 0, ry2 = 0;
	double tie_term = 0.0, mu, sigma2;
	bool want_exact;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (nx == 0 || ny == 0 || !x || !y)
		return cvb_error_set(err, EINVAL, "rank test needs samples on both sides");
	for (size_t m = 0; m < n; m++) {
		double v = m < nx ? x[m] : y[m - nx];

		if (!isfinite(v))
			return cvb_error_set(err, EINVAL,
			                     "rank test: sample %zu is not a finite number", m);
	}
	k = nx < ny ? nx : ny;
	/* Past EXACT_MAX_N the work limit rules the exact count out anyway:
	 * n k smax >= n (n + 1) > CVB_RANK_EXACT_MAX_WORK. */
	want_exact = k < EXACT_BELOW && n <= EXACT_MAX_N;
	sx = cvb_sorted_copy(x, nx);
	sy = cvb_sorted_copy(y, ny);
	rank2 = want_exact ? calloc(n, sizeof(*rank2)) : NULL;
	if (!sx || !sy || (want_exact && !rank2)) {
		cvb_error_set(err, ENOMEM, "out of memory in the rank test");
		goto cleanup;
	}
	while (i < nx || j < ny) {
		double v = i >= nx ? sy[j] : j >= ny ? sx[i] : fmin(sx[i], sy[j]);
		size_t tx = 0, ty = 0;

		while (i + tx < nx && sx[i + tx] == v)
			tx++;
		while (j + ty < ny && sy[j + ty] == v)
			ty++;
		/* Doubled midrank of positions pos + 1 .. pos + t: whole numbers. */
		size_t t = tx + ty;
		long r2 = (long)(2 * pos + t + 1);
		double td = (double)t;

		tie_term += td * td * td - td;
		rx2 += (long)tx * r2;
		ry2 += (long)ty * r2;
		for (size_t m = 0; rank2 && m < t; m++)
			rank2[pos + m] = r2;
		pos += t;
		i += tx;
		j += ty;
	}

	out->u = (double)rx2 / 2.0 - (double)nx * ((double)nx + 1.0) / 2.0;
	mu = (double)nx * (double)ny / 2.0;
	out->direction = out->u < mu ? 1 : out->u > mu ? -1 : 0;

	if (want_exact) {
		/* No k-subset of ranks sums to more than the k largest: that
		 * bounds the table (rank2 is in ascending order). */
		size_t smax = 0;
		for (size_t m = n - k; m < n; m++)
			smax += (size_t)rank2[m];
		if ((double)n * (double)k * (double)smax <= CVB_RANK_EXACT_MAX_WORK) {
			/* The smaller side's members, in rank order, are what the
			 * permutation distribution is about. */
			long t_obs = nx <= ny ? rx2 : ry2;

			if (exact_p(rank2, n, k, smax, t_obs, &out->p) < 0) {
				cvb_error_set(err, ENOMEM, "out of memory in the exact rank test");
				goto cleanup;
			}
			out->exact = true;
			ret = 0;
			goto cleanup;
		}
	}

	sigma2 = (double)nx * (double)ny / 12.0 *
	         (((double)n + 1.0) - tie_term / ((double)n * ((double)n - 1.0)));
	if (!(sigma2 > 0.0)) {
		out->p = 1.0;
		ret = 0;
		goto cleanup;
	}
	out->z = (fabs(out->u - mu) - 0.5) / sqrt(sigma2);
	out->p = fmin(1.0, erfc(out->z / sqrt(2.0)));
	ret = 0;
cleanup:
	free(sx);
	free(sy);
	free(rank2);
	return ret;
}
