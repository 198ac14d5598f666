/* Descriptive statistics over raw samples: percentiles, moments, MAD outlier
 * flags and a bootstrap confidence interval of the median.
 *
 * Methods (documented here because results depend on them):
 * - Percentiles: linear interpolation between closest ranks on the sorted
 *   samples (Hyndman & Fan type 7, the default of R and NumPy):
 *   h = (n - 1) * p, value = x[floor(h)] + (h - floor(h)) * (x[floor(h)+1] - x[floor(h)]).
 * - sd is the sample standard deviation (n - 1 denominator); 0 when n == 1.
 *   cov = sd / mean (0 when mean == 0).
 * - Outliers: modified z-score of Iglewicz and Hoaglin,
 *   z = 0.6745 * (x - median) / MAD, flagged when |z| > 3.5. When MAD is 0 the
 *   scale falls back to 1.253314 * mean absolute deviation; when that is 0 too,
 *   nothing is flagged. Flagged samples are reported, never dropped.
 * - ci95 of the median: percentile bootstrap, `resamples` resamples drawn
 *   with xoshiro256** seeded through splitmix64 from `seed`; the interval is
 *   the type-7 2.5th and 97.5th percentiles of the resampled medians. The same
 *   samples, seed and resamples always give the same interval. */
#ifndef CVB_STATS_H
#define CVB_STATS_H

#include <stddef.h>
#include <stdint.h>

#define CVB_BOOTSTRAP_RESAMPLES_DEFAULT 2000u
#define CVB_BOOTSTRAP_SEED_DEFAULT 0x6376626e63687631ull /* "cvbnchv1" */

struct cvb_summary {
	size_t n;
	double min, p50, p90, p99, max;
	double mean, sd, cov;
	double ci95_lo, ci95_hi;
	size_t *outliers; /* indices into the caller's sample array, ascending; owned */
	size_t n_outliers;
};

/* Deterministic PRNG (xoshiro256**), exposed for tests and for any other
 * resampling the harness does. */
struct cvb_rng {
	uint64_t s[4];
};
void cvb_rng_seed(struct cvb_rng *rng, uint64_t seed);
uint64_t cvb_rng_next(struct cvb_rng *rng);
/* Uniform integer in [0, bound), bound > 0, without modulo bias. */
uint64_t cvb_rng_below(struct cvb_rng *rng, uint64_t bound);

/* Type-7 percentile of an ascending array; p in [0, 1]; n > 0. */
double cvb_percentile_sorted(const double *sorted, size_t n, double p);

/* Median of an unsorted array (does not modify it); n > 0. */
double cvb_median(const double *x, size_t n);

/* Summarises n samples (n >= 1; the input is not modified). Returns 0, or -1
 * with errno ENOMEM / EINVAL (n == 0, a non-finite sample, resamples == 0).
 * Free with cvb_summary_free. */
int cvb_summarize(const double *x, size_t n, uint64_t seed, unsigned resamples,
                  struct cvb_summary *out);
void cvb_summary_free(struct cvb_summary *s);

#endif
