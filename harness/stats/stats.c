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

/* See stats.h: the top 53 bits, offset by half a step, so neither 0 nor 1
 * (logarithms of it stay finite). */
double cvb_rng_uniform(struct cvb_rng *rng)
{
	return ((double)(cvb_rng_next(rng) >> 11) + 0.5) * 0x1.0p-53;
}

/* Standard normal variate, Marsaglia's polar method (one of the pair). */
static double rng_normal(struct cvb_rng *rng)
{
	double u, v, s;

	do {
		u = 2.0 * cvb_rng_uniform(rng) - 1.0;
		v = 2.0 * cvb_rng_uniform(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

/* Gamma(a, 1) variate for a >= 1 (Marsaglia & Tsang 2000): O(1) for any
 * shape, with an acceptance rate above 95%. */
static double rng_gamma(struct cvb_rng *rng, double a)
{
	const double d = a - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);

	for (;;) {
		double x, v, u;

		do {
			x = rng_normal(rng);
			v = 1.0 + c * x;
		} while (v <= 0.0);
		v = v * v * v;
		u = cvb_rng_uniform(rng);
		if (u < 1.0 - 0.0331 * (x * x) * (x * x))
			return d * v;
		if (log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return d * v;
	}
}

/* See stats.h. */
double cvb_rng_beta(struct cvb_rng *rng, double a, double b)
{
	double x = rng_gamma(rng, a), y = rng_gamma(rng, b);

	return x / (x + y);
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

/* Order-preserving map of a double's bits to an unsigned key: negative
 * numbers reversed, positive ones above them; and back. */
static uint64_t bits_to_key(uint64_t u)
{
	return (u >> 63) ? ~u : u | 0x8000000000000000ull;
}

static uint64_t key_to_bits(uint64_t k)
{
	return (k >> 63) ? k & ~0x8000000000000000ull : ~k;
}

/* The 64 bits stored in a double's place (keys live in the arrays being
 * sorted; memcpy keeps that within the aliasing rules). */
static uint64_t load_bits(const double *p)
{
	uint64_t u;

	memcpy(&u, p, sizeof(u));
	return u;
}

static void store_bits(double *p, uint64_t u)
{
	memcpy(p, &u, sizeof(u));
}

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6 /* 6 x 11 >= 64 */
#define RADIX_MIN_N 256

/* See stats.h. Least significant digit first, six passes of 11 bits
 * between v (turned into keys in place) and one scratch array, all
 * histograms counted in one read; a pass whose digit is the same for
 * every key (the sign and exponent bits of samples of one magnitude) is
 * skipped. */
void cvb_sort_doubles(double *v, size_t n)
{
	double *src = v, *dst;
	size_t(*hist)[RADIX_SIZE];

	if (n < RADIX_MIN_N)
		goto small;
	dst = malloc(n * sizeof(*dst));
	hist = calloc(RADIX_PASSES, sizeof(*hist));
	if (!dst || !hist) {
		free(dst);
		free(hist);
		goto small;
	}
	double *scratch = dst;
	/* Only the bits in which keys differ need sorting: integer samples of
	 * one magnitude (nanoseconds, bytes) share their sign, most exponent
	 * bits and the low mantissa bits, so digits start at the lowest bit
	 * that varies (one pass fewer, often). */
	uint64_t first = bits_to_key(load_bits(&v[0])), differ = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = bits_to_key(load_bits(&v[i]));

		store_bits(&v[i], k);
		differ |= k ^ first;
	}
	int low = differ ? __builtin_ctzll(differ) : 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = load_bits(&v[i]) >> low;

		for (int p = 0; p < RADIX_PASSES; p++)
			hist[p][(k >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
	}
	for (int p = 0; p < RADIX_PASSES; p++) {
		size_t *h = hist[p], sum = 0;
		int shift = low + p * RADIX_BITS;

		if (shift >= 64)
			break;
		if (h[(load_bits(&src[0]) >> shift) & (RADIX_SIZE - 1)] == n)
			continue;
		for (size_t d = 0; d < RADIX_SIZE; d++) {
			size_t c = h[d];

			h[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t k = load_bits(&src[i]);

			store_bits(&dst[h[(k >> shift) & (RADIX_SIZE - 1)]++], k);
		}
		double *t = src;
		src = dst;
		dst = t;
	}
	for (size_t i = 0; i < n; i++)
		store_bits(&v[i], key_to_bits(load_bits(&src[i])));
	free(scratch);
	free(hist);
	return;
small:
	qsort(v, n, sizeof(*v), cmp_double);
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
	tmp = n <= SIZE_MAX / sizeof(*tmp) ? malloc(n * sizeof(*tmp)) : NULL;
	if (!tmp) {
		errno = ENOMEM;
		return NAN;
	}
	memcpy(tmp, x, n * sizeof(*tmp));
	cvb_sort_doubles(tmp, n);
	m = cvb_percentile_sorted(tmp, n, 0.5);
	free(tmp);
	return m;
}

/* log P(B = k), B ~ Binomial(n, 1/2). */
static double log_pmf_half(size_t n, size_t k)
{
	return lgamma((double)n + 1.0) - lgamma((double)k + 1.0) - lgamma((double)(n - k) + 1.0) -
	       (double)n * M_LN2;
}

/* See stats.h. The smaller tail is summed from k down (each term from the
 * next by pmf(i - 1) = pmf(i) i / (n - i + 1)) until the terms stop
 * counting; the larger one by symmetry. */
double cvb_binomial_half_cdf(size_t n, size_t k)
{
	double term, sum = 0.0;

	if (k >= n)
		return 1.0;
	if (k > n - k - 1) /* P(B <= k) = 1 - P(B >= k + 1) = 1 - P(B <= n - k - 1) */
		return 1.0 - cvb_binomial_half_cdf(n, n - k - 1);
	term = exp(log_pmf_half(n, k));
	for (size_t i = k;; i--) {
		sum += term;
		if (i == 0 || term < sum * 1e-17)
			break;
		term *= (double)i / (double)(n - i + 1);
	}
	return fmin(sum, 1.0);
}

/* The d of stats.h (n >= 6) and the coverages g(d), g(d + 1). Walks the
 * lower tail upwards, pmf(k + 1) = pmf(k) (n - k) / (k + 1): from k = 0
 * (pmf 2^-n, exact) when n is small enough for 2^-n to be a normal
 * double, so that no libm function is involved and every platform picks
 * the same d and lambda; from three standard deviations below n / 2 for
 * larger n. */
static size_t median_rank(size_t n, double *g_d, double *g_next)
{
	size_t k = 0;
	double pmf, cdf;

	if (n <= 1000) {
		pmf = ldexp(1.0, -(int)n);
		cdf = pmf;
	} else {
		double sd = sqrt((double)n) / 2.0, start = (double)n / 2.0 - 3.0 * sd;

		for (;;) {
			k = start > 0.0 ? (size_t)start : 0;
			cdf = cvb_binomial_half_cdf(n, k);
			if (2.0 * cdf <= 0.05 || k == 0)
				break;
			start -= sd;
		}
		pmf = exp(log_pmf_half(n, k));
	}
	/* Invariant: cdf = P(B <= k) and 2 cdf <= 0.05, so d = k + 1 works. */
	for (;;) {
		double next_pmf = pmf * (double)(n - k) / (double)(k + 1), next = cdf + next_pmf;

		if (2.0 * next > 0.05) {
			*g_d = 1.0 - 2.0 * cdf;
			*g_next = 1.0 - 2.0 * next;
			return k + 1;
		}
		k++;
		cdf = next;
		pmf = next_pmf;
	}
}

/* See stats.h: the binomial order-statistic interval, interpolated. */
void cvb_median_ci95_sorted(const double *x, size_t n, double *lo, double *hi, double *coverage)
{
	double g_d, g_next, lambda = 0.0;
	size_t d;

	if (n < CVB_MEDIAN_CI_MIN_N) {
		*lo = x[0];
		*hi = x[n - 1];
		if (coverage)
			*coverage = 1.0 - ldexp(1.0, 1 - (int)n);
		return;
	}
	d = median_rank(n, &g_d, &g_next);
	if (g_d > 0.95 && d + 1 <= n - d) {
		double in = (g_d - 0.95) / (g_d - g_next);

		lambda = (double)(n - d) * in / ((double)d + (double)(n - 2 * d) * in);
	}
	*lo = lerp(x[d - 1], x[d], lambda);
	*hi = lerp(x[n - d], x[n - d - 1], lambda);
	if (coverage)
		*coverage = 0.95;
}

/* Index of the order statistic at uniform order-statistic value v. */
static size_t rank_index(double v, size_t n)
{
	double j = floor(v * (double)n);

	return j >= (double)n ? n - 1 : j <= 0.0 ? 0 : (size_t)j;
}

/* See stats.h. */
double cvb_bootstrap_quantile_draw(const double *x, size_t n, double p, struct cvb_rng *rng)
{
	double h, fl, f, v, w;
	size_t k, j;

	if (n == 1)
		return x[0];
	if (p < 0.0)
		p = 0.0;
	if (p > 1.0)
		p = 1.0;
	h = (double)(n - 1) * p;
	fl = floor(h);
	f = h - fl;
	k = (size_t)fl + 1; /* 1-based rank of the lower order statistic */
	if (k >= n)
		return x[rank_index(cvb_rng_beta(rng, (double)n, 1.0), n)];
	v = cvb_rng_beta(rng, (double)k, (double)(n - k + 1));
	j = rank_index(v, n);
	if (f == 0.0)
		return x[j];
	/* The next order statistic: the least of the n - k uniforms above v. */
	w = -expm1(log(cvb_rng_uniform(rng)) / (double)(n - k));
	return lerp(x[j], x[rank_index(v + (1.0 - v) * w, n)], f);
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

/* v * 2^-e: a multiplication by the power of two when that is a normal
 * number (the same correctly rounded result as ldexp, at a fraction of
 * its cost over a million samples). */
static double scale_down(double v, int e, double factor)
{
	return factor != 0.0 ? v * factor : ldexp(v, -e);
}

static double down_factor(int e)
{
	return e >= -1021 && e <= 1021 ? ldexp(1.0, -e) : 0.0;
}

/* Neumaier-compensated sum of v[i] * 2^-e. */
static double scaled_sum(const double *v, size_t n, int e)
{
	double sum = 0.0, comp = 0.0, factor = down_factor(e);

	for (size_t i = 0; i < n; i++) {
		double y = scale_down(v[i], e, factor), t = sum + y;

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
	double factor = down_factor(e);
	for (size_t i = 0; i < n; i++) {
		double d = scale_down(v[i], e, factor) - ms;

		ss += d * d;
		s += d;
	}
	ss -= s * s / (double)n;
	if (ss < 0.0)
		ss = 0.0;
	return ldexp(sqrt(ss / (double)(n - 1)), e);
}

/* |sorted[i] - median| in ascending order, in O(n): below the median the
 * deviations grow leftwards, above it rightwards, so merging the two runs
 * sorts them (the same values a sort of the deviations gives). */
static void sorted_deviations(const double *sorted, size_t n, double median, double *dev)
{
	size_t right = 0, k = 0;
	size_t left;

	while (right < n && sorted[right] < median)
		right++;
	left = right; /* sorted[left - 1] is the nearest below */
	while (left > 0 || right < n) {
		double dl = left > 0 ? fabs(sorted[left - 1] - median) : INFINITY;
		double dr = right < n ? fabs(sorted[right] - median) : INFINITY;

		if (left > 0 && (right >= n || dl <= dr)) {
			dev[k++] = dl;
			left--;
		} else {
			dev[k++] = dr;
			right++;
		}
	}
}

/* Fills out->outliers with the caller-order indices whose modified z-score
 * exceeds OUTLIER_Z. dev is scratch space for n doubles. */
static int flag_outliers(const double *x, const double *sorted, size_t n, double median,
                         double *dev, struct cvb_summary *out)
{
	double mad, scale;
	size_t count = 0;

	sorted_deviations(sorted, n, median, dev);
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
	sorted = n <= SIZE_MAX / sizeof(*sorted) ? malloc(n * sizeof(*sorted)) : NULL;
	dev = sorted ? malloc(n * sizeof(*dev)) : NULL;
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
	cvb_sort_doubles(sorted, n);

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
	(void)seed; /* the interval needs no resampling: see stats.h */
	cvb_median_ci95_sorted(sorted, n, &out->ci95_lo, &out->ci95_hi, &out->ci95_coverage);
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

double *cvb_sorted_copy(const double *v, size_t n)
{
	double *s = n && n <= SIZE_MAX / sizeof(*s) ? malloc(n * sizeof(*s)) : NULL;
	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	cvb_sort_doubles(s, n);
	return s;
}
