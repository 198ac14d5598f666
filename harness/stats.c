/* Descriptive statistics over raw samples; methods are documented in stats.h. */
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Iglewicz & Hoaglin modified z-score constants. */
#define MAD_Z_FACTOR 0.6745
#define MEANAD_SCALE 1.253314
#define OUTLIER_Z 3.5

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t splitmix64_next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Seeds the four state words with consecutive splitmix64 outputs, as the
 * xoshiro authors recommend; splitmix64 is a bijection of its state, so the
 * four words cannot all be zero. */
void cvb_rng_seed(struct cvb_rng *rng, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		rng->s[i] = splitmix64_next(&x);
}

/* Returns the next xoshiro256** output (Blackman & Vigna, 2018). */
uint64_t cvb_rng_next(struct cvb_rng *rng)
{
	uint64_t *s = rng->s;
	const uint64_t result = rotl64(s[1] * 5, 7) * 9;
	const uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* Rejection sampling as in OpenBSD's arc4random_uniform: drop the lowest
 * 2^64 mod bound outputs so that every residue is equally likely. Chosen over
 * Lemire's multiply-shift because it needs no 128-bit arithmetic, so the
 * stream (and every recorded bootstrap interval) is the same on every
 * platform. bound == 0 violates the contract; return 0 instead of dividing
 * by zero. */
uint64_t cvb_rng_below(struct cvb_rng *rng, uint64_t bound)
{
	uint64_t threshold, r;

	if (bound == 0)
		return 0;
	threshold = -bound % bound;
	do {
		r = cvb_rng_next(rng);
	} while (r < threshold);
	return r % bound;
}

/* The header's type-7 formula; the convex form only when the difference
 * overflows (e.g. -DBL_MAX and DBL_MAX), because the header's form is exact
 * for equal neighbours and the convex one is not. */
static double lerp(double a, double b, double f)
{
	double d = b - a;

	if (isfinite(d))
		return a + f * d;
	return (1.0 - f) * a + f * b;
}

/* Type-7 percentile of an ascending array. p outside [0, 1] is clamped, and
 * n == 0 gives NaN with errno EINVAL. */
double cvb_percentile_sorted(const double *sorted, size_t n, double p)
{
	double h, fl;
	size_t i;

	if (n == 0 || !sorted || isnan(p)) {
		errno = EINVAL;
		return NAN;
	}
	if (p <= 0.0)
		return sorted[0];
	if (p >= 1.0)
		return sorted[n - 1];
	h = (double)(n - 1) * p;
	fl = floor(h);
	i = (size_t)fl;
	if (i + 1 >= n)
		return sorted[n - 1];
	return lerp(sorted[i], sorted[i + 1], h - fl);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median (type 7) of an unsorted array, computed on a sorted copy. Returns
 * NaN with errno EINVAL for n == 0, ENOMEM if the copy cannot be made. */
double cvb_median(const double *x, size_t n)
{
	double *tmp, m;

	if (n == 0 || !x) {
		errno = EINVAL;
		return NAN;
	}
	tmp = calloc(n, sizeof(*tmp));
	if (!tmp) {
		errno = ENOMEM;
		return NAN;
	}
	memcpy(tmp, x, n * sizeof(*tmp));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	m = cvb_percentile_sorted(tmp, n, 0.5);
	free(tmp);
	return m;
}

/* Exponent of max |v|: scaling by that power of two is exact for normal
 * numbers, so it adds no rounding, yet sums of squares cannot overflow
 * even for samples near DBL_MAX. */
static int scale_exponent(const double *v, size_t n)
{
	double maxabs = 0.0;
	int e = 0;

	for (size_t i = 0; i < n; i++)
		if (fabs(v[i]) > maxabs)
			maxabs = fabs(v[i]);
	if (maxabs > 0.0)
		frexp(maxabs, &e);
	return e;
}

/* Neumaier-compensated sum of v[i] * 2^-e. */
static double scaled_sum(const double *v, size_t n, int e)
{
	double sum = 0.0, comp = 0.0;

	for (size_t i = 0; i < n; i++) {
		double y = ldexp(v[i], -e), t = sum + y;

		if (fabs(sum) >= fabs(y))
			comp += (sum - t) + y;
		else
			comp += (y - t) + sum;
		sum = t;
	}
	return sum + comp;
}

static double mean_of(const double *v, size_t n)
{
	int e = scale_exponent(v, n);

	return ldexp(scaled_sum(v, n, e) / (double)n, e);
}

/* Sample sd by the corrected two-pass formula (Chan, Golub & LeVeque): the
 * second term removes most of the rounding error left in the mean. */
static double sample_sd(const double *v, size_t n, double mean)
{
	double ss = 0.0, s = 0.0, ms;
	int e;

	if (n < 2)
		return 0.0;
	e = scale_exponent(v, n);
	ms = ldexp(mean, -e);
	for (size_t i = 0; i < n; i++) {
		double d = ldexp(v[i], -e) - ms;

		ss += d * d;
		s += d;
	}
	ss -= s * s / (double)n;
	if (ss < 0.0)
		ss = 0.0;
	return ldexp(sqrt(ss / (double)(n - 1)), e);
}

/* Type-7 median of one bootstrap resample. Instead of sorting the resample,
 * count how often each index of the sorted samples was drawn: walking the
 * counts visits the resample in ascending order, O(n) instead of O(n log n).
 * The draws are n calls of cvb_rng_below(n), in order; the result equals
 * sorting the drawn values and taking cvb_percentile_sorted(.., 0.5). */
static double resample_median(const double *sorted, size_t n, size_t *counts, struct cvb_rng *rng)
{
	double h = (double)(n - 1) * 0.5, fl = floor(h), a = 0.0, b;
	size_t lo = (size_t)fl, cum = 0, j;
	bool have_a = false;

	memset(counts, 0, n * sizeof(*counts));
	for (size_t k = 0; k < n; k++)
		counts[cvb_rng_below(rng, n)]++;
	for (j = 0; j < n; j++) {
		cum += counts[j];
		if (!have_a && cum > lo) {
			a = sorted[j];
			have_a = true;
		}
		if (cum > lo + 1)
			break;
	}
	if (lo + 1 >= n) /* n == 1 */
		return a;
	b = sorted[j];
	return lerp(a, b, h - fl);
}

static int bootstrap_ci(const double *sorted, size_t n, uint64_t seed, unsigned resamples,
                        double *lo, double *hi)
{
	struct cvb_rng rng;
	size_t *counts = NULL;
	double *medians = NULL;
	int ret = -1;

	counts = calloc(n, sizeof(*counts));
	medians = calloc(resamples, sizeof(*medians));
	if (!counts || !medians) {
		errno = ENOMEM;
		goto cleanup;
	}
	cvb_rng_seed(&rng, seed);
	for (unsigned r = 0; r < resamples; r++)
		medians[r] = resample_median(sorted, n, counts, &rng);
	qsort(medians, resamples, sizeof(*medians), cmp_double);
	*lo = cvb_percentile_sorted(medians, resamples, 0.025);
	*hi = cvb_percentile_sorted(medians, resamples, 0.975);
	ret = 0;
cleanup:
	free(counts);
	free(medians);
	return ret;
}

/* Fills out->outliers with the caller-order indices whose modified z-score
 * exceeds OUTLIER_Z. dev is scratch space for n doubles. */
static int flag_outliers(const double *x, const double *sorted, size_t n, double median,
                         double *dev, struct cvb_summary *out)
{
	double mad, scale;
	size_t count = 0;

	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(sorted[i] - median);
	qsort(dev, n, sizeof(*dev), cmp_double);
	mad = cvb_percentile_sorted(dev, n, 0.5);
	if (mad > 0.0) {
		scale = mad / MAD_Z_FACTOR;
	} else {
		/* At least half the samples equal the median; the mean absolute
		 * deviation still sees the rest. */
		scale = MEANAD_SCALE * mean_of(dev, n);
		if (!(scale > 0.0))
			return 0;
	}

	/* Two passes: count, then fill, so the array is exactly sized. */
	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			double z = (mad > 0.0) ? MAD_Z_FACTOR * (x[i] - median) / mad
			                       : (x[i] - median) / scale;

			if (!(fabs(z) > OUTLIER_Z))
				continue;
			if (pass == 1)
				out->outliers[k] = i;
			k++;
		}
		if (pass == 0) {
			count = k;
			if (count == 0)
				return 0;
			out->outliers = calloc(count, sizeof(*out->outliers));
			if (!out->outliers) {
				errno = ENOMEM;
				return -1;
			}
		}
	}
	out->n_outliers = count;
	return 0;
}

/* See stats.h. On failure *out is left zeroed (cvb_summary_free is safe on
 * it). The caller owns out->outliers until cvb_summary_free. */
int cvb_summarize(const double *x, size_t n, uint64_t seed, unsigned resamples,
                  struct cvb_summary *out)
{
	double *sorted = NULL, *dev = NULL;
	int ret = -1;

	if (!out) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (n == 0 || !x || resamples == 0) {
		errno = EINVAL;
		return -1;
	}

	/* Copy before validating: the copy is what gets checked and sorted. */
	sorted = calloc(n, sizeof(*sorted));
	dev = calloc(n, sizeof(*dev));
	if (!sorted || !dev) {
		errno = ENOMEM;
		goto cleanup;
	}
	memcpy(sorted, x, n * sizeof(*sorted));
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(sorted[i])) {
			errno = EINVAL;
			goto cleanup;
		}
	}
	qsort(sorted, n, sizeof(*sorted), cmp_double);

	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->p50 = cvb_percentile_sorted(sorted, n, 0.50);
	out->p90 = cvb_percentile_sorted(sorted, n, 0.90);
	out->p99 = cvb_percentile_sorted(sorted, n, 0.99);
	out->mean = mean_of(sorted, n);
	out->sd = sample_sd(sorted, n, out->mean);
	out->cov = (out->mean != 0.0) ? out->sd / out->mean : 0.0;

	if (flag_outliers(x, sorted, n, out->p50, dev, out) < 0)
		goto cleanup;
	free(dev);
	dev = NULL;
	if (bootstrap_ci(sorted, n, seed, resamples, &out->ci95_lo, &out->ci95_hi) < 0)
		goto cleanup;
	ret = 0;
cleanup:
	free(sorted);
	free(dev);
	if (ret < 0) {
		int saved = errno;

		cvb_summary_free(out);
		memset(out, 0, sizeof(*out));
		errno = saved;
	}
	return ret;
}

/* Frees what cvb_summarize allocated; s may be NULL or already freed. */
void cvb_summary_free(struct cvb_summary *s)
{
	if (!s)
		return;
	free(s->outliers);
	s->outliers = NULL;
	s->n_outliers = 0;
}
