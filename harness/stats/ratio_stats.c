#include "ratio_stats.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* See ratio_stats.h: each resample's medians are drawn as order statistics
 * of the sorted sides (cvb_bootstrap_quantile_draw), O(1) per resample. */
int cvb_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                         unsigned resamples, struct cvb_ratio *out)
{
	double *sa = NULL, *sb = NULL, *r = NULL;
	struct cvb_rng rng;
	size_t n = 0;
	int ret = -1;

	if (!na || !nb || !resamples || !a || !b || !all_finite(a, na) || !all_finite(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	sa = cvb_sorted_copy(a, na);
	sb = cvb_sorted_copy(b, nb);
	r = malloc(resamples * sizeof(*r));
	if (!sa || !sb || !r) {
		errno = ENOMEM;
		goto cleanup;
	}
	double mb = cvb_percentile_sorted(sb, nb, 0.5);
	if (mb == 0) {
		errno = EINVAL;
		goto cleanup;
	}
	out->ratio = cvb_percentile_sorted(sa, na, 0.5) / mb;
	cvb_rng_seed(&rng, seed);
	for (unsigned i = 0; i < resamples; i++) {
		double ma = cvb_bootstrap_quantile_draw(sa, na, 0.5, &rng);
		double mbr = cvb_bootstrap_quantile_draw(sb, nb, 0.5, &rng);
		if (mbr != 0)
			r[n++] = ma / mbr;
	}
	/* Resamples whose denominator median is 0 have no ratio; past 2.5% of
	 * them the upper bound itself is unbounded: no interval to give. */
	if (n < resamples - resamples / 40) {
		errno = EDOM;
		goto cleanup;
	}
	cvb_sort_doubles(r, n);
	out->ci95_lo = n ? cvb_percentile_sorted(r, n, 0.025) : out->ratio;
	out->ci95_hi = n ? cvb_percentile_sorted(r, n, 0.975) : out->ratio;
	ret = 0;
cleanup:
	free(sa);
	free(sb);
	free(r);
	return ret;
}

/* Least squares; false if the x do not vary. */
static bool ols(const double *x, const double *y, size_t n, double *slope, double *intercept,
                double *r2)
{
	double mx = 0, my = 0;
	for (size_t i = 0; i < n; i++) {
		mx += x[i];
		my += y[i];
	}
	mx /= (double)n;
	my /= (double)n;
	double sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < n; i++) {
		sxx += (x[i] - mx) * (x[i] - mx);
		sxy += (x[i] - mx) * (y[i] - my);
		syy += (y[i] - my) * (y[i] - my);
	}
	if (sxx <= 0)
		return false;
	*slope = sxy / sxx;
	*intercept = my - *slope * mx;
	if (r2)
		*r2 = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1.0;
	return true;
}

/* See ratio_stats.h. */
int cvb_line_fit(const double *x, const double *y, size_t n, uint64_t seed, unsigned resamples,
                 struct cvb_line_fit *out)
{
	if (n < 2 || !resamples || !x || !y || !all_finite(x, n) || !all_finite(y, n) ||
	    !ols(x, y, n, &out->slope, &out->intercept, &out->r2)) {
		errno = EINVAL;
		return -1;
	}
	/* m-out-of-n past CVB_LINE_FIT_FULL_MAX points: see ratio_stats.h. */
	size_t m = n > CVB_LINE_FIT_FULL_MAX ? CVB_LINE_FIT_FULL_MAX : n;
	double *bx = malloc(m * sizeof(double)), *by = malloc(m * sizeof(double));
	double *slopes = malloc(resamples * sizeof(double));
	if (!bx || !by || !slopes) {
		free(bx);
		free(by);
		free(slopes);
		errno = ENOMEM;
		return -1;
	}
	struct cvb_rng rng;
	cvb_rng_seed(&rng, seed);
	size_t k = 0;
	for (unsigned i = 0; i < resamples; i++) {
		for (size_t j = 0; j < m; j++) {
			size_t p = cvb_rng_below(&rng, n);
			bx[j] = x[p];
			by[j] = y[p];
		}
		double s, c;
		if (ols(bx, by, m, &s, &c, NULL))
			slopes[k++] = s;
	}
	cvb_sort_doubles(slopes, k);
	out->slope_ci95_lo = k ? cvb_percentile_sorted(slopes, k, 0.025) : out->slope;
	out->slope_ci95_hi = k ? cvb_percentile_sorted(slopes, k, 0.975) : out->slope;
	if (m < n) {
		double shrink = sqrt((double)m / (double)n);

		out->slope_ci95_lo = out->slope + shrink * (out->slope_ci95_lo - out->slope);
		out->slope_ci95_hi = out->slope + shrink * (out->slope_ci95_hi - out->slope);
	}
	free(bx);
	free(by);
	free(slopes);
	return 0;
}
