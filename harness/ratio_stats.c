#include "ratio_stats.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static bool all_finite(const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/* Median of n values drawn with replacement from v; scratch holds n. */
static double resampled_median(struct cvb_rng *rng, const double *v, size_t n, double *scratch)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = v[cvb_rng_below(rng, n)];
	qsort(scratch, n, sizeof(*scratch), cmp_double);
	return cvb_percentile_sorted(scratch, n, 0.5);
}

int cvb_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                         unsigned resamples, struct cvb_ratio *out)
{
	if (!na || !nb || !resamples || !all_finite(a, na) || !all_finite(b, nb)) {
		errno = EINVAL;
		return -1;
	}
	double mb = cvb_median(b, nb);
	if (mb == 0) {
		errno = EINVAL;
		return -1;
	}
	out->ratio = cvb_median(a, na) / mb;
	double *sa = malloc(na * sizeof(double)), *sb = malloc(nb * sizeof(double));
	double *r = malloc(resamples * sizeof(double));
	if (!sa || !sb || !r) {
		free(sa);
		free(sb);
		free(r);
		errno = ENOMEM;
		return -1;
	}
	struct cvb_rng rng;
	cvb_rng_seed(&rng, seed);
	size_t n = 0;
	for (unsigned i = 0; i < resamples; i++) {
		double ma = resampled_median(&rng, a, na, sa);
		double mbr = resampled_median(&rng, b, nb, sb);
		if (mbr != 0)
			r[n++] = ma / mbr;
	}
	free(sa);
	free(sb);
	/* Resamples whose denominator median is 0 have no ratio; past 2.5% of
	 * them the upper bound itself is unbounded: no interval to give. */
	if (n < resamples - resamples / 40) {
		free(r);
		errno = EDOM;
		return -1;
	}
	qsort(r, n, sizeof(*r), cmp_double);
	out->ci95_lo = n ? cvb_percentile_sorted(r, n, 0.025) : out->ratio;
	out->ci95_hi = n ? cvb_percentile_sorted(r, n, 0.975) : out->ratio;
	free(r);
	return 0;
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

int cvb_line_fit(const double *x, const double *y, size_t n, uint64_t seed, unsigned resamples,
                 struct cvb_line_fit *out)
{
	if (n < 2 || !resamples || !all_finite(x, n) || !all_finite(y, n) ||
	    !ols(x, y, n, &out->slope, &out->intercept, &out->r2)) {
		errno = EINVAL;
		return -1;
	}
	double *bx = malloc(n * sizeof(double)), *by = malloc(n * sizeof(double));
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
		for (size_t j = 0; j < n; j++) {
			size_t p = cvb_rng_below(&rng, n);
			bx[j] = x[p];
			by[j] = y[p];
		}
		double s, c;
		if (ols(bx, by, n, &s, &c, NULL))
			slopes[k++] = s;
	}
	qsort(slopes, k, sizeof(*slopes), cmp_double);
	out->slope_ci95_lo = k ? cvb_percentile_sorted(slopes, k, 0.025) : out->slope;
	out->slope_ci95_hi = k ? cvb_percentile_sorted(slopes, k, 0.975) : out->slope;
	free(bx);
	free(by);
	free(slopes);
	return 0;
}
