/* Statistics between samples: the ratio of two medians with a bootstrap
 * interval (overheads against native, a victim's slowdown against the
 * victim alone), and a least-squares line with a bootstrap interval of its
 * slope (the marginal memory of one more instance).
 *
 * Methods: the ratio is median(a) / median(b); its 95% interval is the
 * type-7 2.5th and 97.5th percentile of the ratios of medians of `resamples`
 * independent resamples of a and of b (percentile bootstrap, seeded with
 * cvb_rng). The line is ordinary least squares; its slope interval comes
 * from resampling (x, y) pairs with replacement, skipping resamples whose x
 * are all equal. Same input, seed and resamples: same result. */
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

struct cvb_line_fit {
	double slope, intercept, r2;
	double slope_ci95_lo, slope_ci95_hi;
};

/* Fits y = intercept + slope * x over n points (n >= 2, at least two
 * distinct x). 0, or -1 with errno EINVAL / ENOMEM. */
int cvb_line_fit(const double *x, const double *y, size_t n, uint64_t seed, unsigned resamples,
                 struct cvb_line_fit *out);

#endif
