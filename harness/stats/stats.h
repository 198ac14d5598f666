/* Descriptive statistics over raw samples: percentiles, moments, MAD outlier
 * flags and a distribution-free 95% confidence interval of the median; and
 * the building blocks of the bootstraps elsewhere (a seeded PRNG, an O(1)
 * draw of a resample's quantile).
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
 * - ci95 of the median: the binomial order-statistic interval (the sign-test
 *   interval; no resampling, no seed), on the sorted samples
 *   x_(1) <= ... <= x_(n). B ~ Binomial(n, 1/2) is the number of samples
 *   below the true median of any continuous distribution, so
 *   [x_(d), x_(n-d+1)] holds it with probability
 *       g(d) = P(d <= B <= n - d) = 1 - 2 P(B <= d - 1).
 *   d is the largest with g(d) >= 0.95. As g jumps (n = 10: g(2) = 97.9%,
 *   g(3) = 89.1%), the ends are interpolated between that pair and the next
 *   one inside by Hettmansperger & Sheather (1986):
 *       I = (g(d) - 0.95) / (g(d) - g(d+1)),
 *       lambda = (n - d) I / (d + (n - 2d) I),
 *       lo = (1 - lambda) x_(d) + lambda x_(d+1),
 *       hi = (1 - lambda) x_(n-d+1) + lambda x_(n-d).
 *   It contains [x_(d+1), x_(n-d)] and lies within [x_(d), x_(n-d+1)], so
 *   its coverage is between g(d+1) and g(d) whatever the (continuous)
 *   distribution; the interpolation is built to make it 95% for the
 *   double exponential, and it is close to that for other shapes
 *   (tests/unit/test_stats.c measures a lognormal's: 94.5-94.9% at n = 10,
 *   30, 100). ci95_coverage then says 0.95, the nominal level. Ties make
 *   it conservative.
 *   n < 6 has no pair reaching 95% (g(1) = 1 - 2 * 0.5^n): the interval is
 *   then [min, max] and its coverage 1 - 2 * 0.5^n is recorded in
 *   ci95_coverage (n = 5: 93.75%, n = 4: 87.5%, n = 2: 50%, n = 1: 0).
 *   Cost: the sort the summary does anyway, then O(sqrt(n)) for the binomial
 *   tail (plain products from 2^-n up to n = 1000, lgamma beyond). The same
 *   samples always give the same interval.
 * - Resampled quantiles (cvb_bootstrap_quantile_draw, used by the ratio and
 *   p99 bootstraps): the type-7 p-quantile of n draws with replacement
 *   from the sorted samples is lerp(x[J_k], x[J_k+1], frac) with k = floor(h)
 *   + 1, where x[J_k] is the resample's k-th smallest. Drawing indices as
 *   floor(n U) of uniforms U, the k-th smallest index is floor(n V_k) with
 *   V_k the k-th of n uniform order statistics, V_k ~ Beta(k, n - k + 1), and
 *   V_k+1 = V_k + (1 - V_k) (1 - U^(1/(n-k))). So a resample's quantile is
 *   drawn exactly (in distribution: the very same bootstrap) in O(1),
 *   whatever n. Beta from two gamma variates (Marsaglia & Tsang 2000), normal
 *   variates by Marsaglia's polar method, uniforms from the top 53 bits of
 *   cvb_rng. Same samples, seed and resamples: same draws. */
#ifndef CVB_STATS_H
#define CVB_STATS_H

#include <stddef.h>
#include <stdint.h>

#define CVB_BOOTSTRAP_RESAMPLES_DEFAULT 2000u
/* What --resamples takes, and a results file may say: each resample costs
 * a slot of memory and a draw, so a file cannot ask for a billion. */
#define CVB_BOOTSTRAP_RESAMPLES_MIN 100u
#define CVB_BOOTSTRAP_RESAMPLES_MAX 1000000u
#define CVB_BOOTSTRAP_SEED_DEFAULT 0x6376626e63687631ull /* "cvbnchv1" */

/* Below this n no order-statistic pair covers the median with 95%. */
#define CVB_MEDIAN_CI_MIN_N 6

struct cvb_summary {
	size_t n;
	double min, p50, p90, p99, max;
	double mean, sd, cov;
	double ci95_lo, ci95_hi;
	double ci95_coverage; /* 0.95, or 1 - 2 * 0.5^n for [min, max] when n < 6 */
	size_t *outliers;     /* indices into the caller's sample array, ascending; owned */
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
/* Uniform double in (0, 1): (top 53 bits + 0.5) / 2^53. */
double cvb_rng_uniform(struct cvb_rng *rng);
/* Beta(a, b) variate, a, b >= 1 (see above). */
double cvb_rng_beta(struct cvb_rng *rng, double a, double b);

/* Sorts n finite doubles ascending: LSD radix sort on their bit patterns,
 * O(n) (the summaries, rank test and ratio of a million samples sort them
 * several times). Small n and an allocation failure take qsort. */
void cvb_sort_doubles(double *v, size_t n);

/* A sorted copy of v (caller frees), or NULL when out of memory. */
double *cvb_sorted_copy(const double *v, size_t n);

/* Type-7 percentile of an ascending array; p in [0, 1]; n > 0. */
double cvb_percentile_sorted(const double *sorted, size_t n, double p);

/* Median of an unsorted array (does not modify it); n > 0. */
double cvb_median(const double *x, size_t n);

/* The median's 95% interval above, from an ascending array (n > 0).
 * *coverage (may be NULL) gets its coverage: 0.95, or 1 - 2 * 0.5^n. */
void cvb_median_ci95_sorted(const double *sorted, size_t n, double *lo, double *hi,
                            double *coverage);

/* P(B <= k) for B ~ Binomial(n, 1/2). */
double cvb_binomial_half_cdf(size_t n, size_t k);

/* One resample's type-7 p-quantile, drawn in O(1) from an ascending array
 * (see above); n > 0. */
double cvb_bootstrap_quantile_draw(const double *sorted, size_t n, double p, struct cvb_rng *rng);

/* Summarises n samples (n >= 1; the input is not modified). seed and
 * resamples are the run's bootstrap settings: the median's interval needs
 * neither (see above), but resamples == 0 is refused as before, so that a
 * summary and the bootstraps beside it accept the same settings. Returns 0,
 * or -1 with errno ENOMEM / EINVAL (n == 0, a non-finite sample, resamples
 * == 0). O(n) after the sort. Free with cvb_summary_free. */
int cvb_summarize(const double *x, size_t n, uint64_t seed, unsigned resamples,
                  struct cvb_summary *out);
void cvb_summary_free(struct cvb_summary *s);

#endif
