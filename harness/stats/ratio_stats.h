/* Statistics between samples: the ratio of two medians with a bootstrap
 * interval (overheads against native, a victim's slowdown against the
 * victim alone, compare's change), and a least-squares line with a
 * bootstrap interval of its slope (the marginal memory of one more
 * instance).
 *
 * Methods (results depend on them):
 * - Ratio: median(a) / median(b) (type 7). Its 95% interval is the
 *   percentile bootstrap: the type-7 2.5th and 97.5th percentiles of
 *   median(a*) / median(b*) over `resamples` pairs of independent resamples
 *   a*, b* (each of its side's size, drawn with replacement). A resample's
 *   median is not computed from n drawn values: it is drawn directly as the
 *   order statistic it is (stats.h, cvb_bootstrap_quantile_draw: the k-th
 *   smallest of n uniform draws is Beta(k, n - k + 1)), which is the same
 *   bootstrap distribution at O(1) per resample, so the cost is
 *   O(n) (the sorts) + O(resamples) whatever n is. Each resample draws a's
 *   median, then b's, from one cvb_rng stream seeded with `seed`.
 * - Line: ordinary least squares. Its slope interval resamples (x, y)
 *   pairs with replacement (resamples whose x are all equal are skipped)
 *   and takes the type-7 2.5th and 97.5th percentiles of the slopes. Up to
 *   CVB_LINE_FIT_FULL_MAX points each resample has n pairs; past it, m =
 *   CVB_LINE_FIT_FULL_MAX pairs (the m-out-of-n bootstrap), and the
 *   percentiles q of those slopes are scaled to n by the slope's sqrt(n)
 *   rate: slope + sqrt(m / n) (q - slope). Cost O(resamples x min(n, m)).
 * Same input, seed and resamples: same result. */
#ifndef CVB_RATIO_STATS_H
#define CVB_RATIO_STATS_H

#include <stddef.h>
#include <stdint.h>

struct cvb_ratio {
	double ratio, ci95_lo, ci95_hi;
};

/* 0, or -1 with errno EINVAL (an empty side, a zero median in b, a
 * non-finite value, resamples == 0), EDOM (more than 2.5% of the resamples
 * of b have a zero median, so the interval is unbounded) or ENOMEM. */
int cvb_ratio_of_medians(const double *a, size_t na, const double *b, size_t nb, uint64_t seed,
                         unsigned resamples, struct cvb_ratio *out);

/* Beyond this many points the slope's bootstrap is m-out-of-n (above). */
#define CVB_LINE_FIT_FULL_MAX 4096

struct cvb_line_fit {
	double slope, intercept, r2;
	double slope_ci95_lo, slope_ci95_hi;
};

/* Fits y = intercept + slope * x over n points (n >= 2, at least two
 * distinct x). 0, or -1 with errno EINVAL / ENOMEM. */
int cvb_line_fit(const double *x, const double *y, size_t n, uint64_t seed, unsigned resamples,
                 struct cvb_line_fit *out);

#endif
