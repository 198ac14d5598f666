/* The minimum detectable effect of compare's gate; see compare_mde.h. */
#include "compare_mde.h"
#include "rank_test.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Up to this many samples in all, each step calls the rank test itself on
 * a shifted copy; beyond it, a merge of the sorted sides computes the same
 * U, tie term and normal-approximation p (the rank test's exact path only
 * applies to sides far smaller: rank_test.h). */
#define DIRECT_MAX 4096

/* Bisection stops when the bracket is within this fraction of the MDE. */
#define REL_TOL 2e-3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_sorted(const double *x, size_t n)
{
	return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2.0;
}

/* An evenly spaced subsample in file order when n is above the bound: x[i
 * n / k], i = 0 .. k - 1. Returns the count kept. */
static size_t take(double *dst, const double *x, size_t n)
{
	size_t k = n > CVB_MDE_SUBSAMPLE ? CVB_MDE_SUBSAMPLE : n;

	for (size_t i = 0; i < k; i++)
		dst[i] = x[k == n ? i : (size_t)((uint64_t)i * n / k)];
	return k;
}

/* 1.4826 MAD of sorted x (the sd of a normal), else IQR / 1.349, else 0. */
static int robust_sd(const double *x, size_t n, double *sd)
{
	double med = median_sorted(x, n), *dev = malloc(n * sizeof(*dev));

	if (!dev)
		return -1;
	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(x[i] - med);
	qsort(dev, n, sizeof(*dev), cmp_double);
	*sd = 1.482602218505602 * median_sorted(dev, n);
	free(dev);
	if (*sd == 0.0 && n > 1)
		*sd = (cvb_percentile_sorted(x, n, 0.75) - cvb_percentile_sorted(x, n, 0.25)) /
		      1.3489795003921634;
	return 0;
}

/* U of sorted x against sorted y + s (pairs with x > y + s, ties 1/2). */
static double u_shifted(const double *x, size_t nx, const double *y, size_t ny, double s)
{
	size_t below = 0, equal = 0;
	double u = 0.0;

	/* For each x (ascending), the ys below it and equal to it only move
	 * right. */
	for (size_t i = 0; i < nx; i++) {
		while (below < ny && y[below] + s < x[i])
			below++;
		if (equal < below)
			equal = below;
		while (equal < ny && y[equal] + s == x[i])
			equal++;
		u += (double)below + 0.5 * (double)(equal - below);
	}
	return u;
}

/* The shift s0 of y at which U of x against y + s0 is nx ny / 2: the rank
 * test's own centre of y against x (the Hodges-Lehmann shift), the middle
 * of the shifts where U passes nx ny / 2. U falls as s grows. */
static double centring_shift(const double *x, size_t nx, const double *y, size_t ny)
{
	double mu = (double)nx * (double)ny / 2.0, edge[2];
	double left = x[0] - y[ny - 1], right = x[nx - 1] - y[0];
	double pad = fmax(fabs(left), fabs(right)) * 1e-9 + 1e-300;

	for (int k = 0; k < 2; k++) {
		/* k = 0: the last s with U > mu; k = 1: the first with U < mu. */
		double lo = left - pad - fabs(left) * 1e-6, hi = right + pad + fabs(right) * 1e-6;

		for (int it = 0; it < 200 && hi - lo > pad; it++) {
			double mid = lo + (hi - lo) / 2.0, u = u_shifted(x, nx, y, ny, mid);

			if (k == 0 ? u > mu : u >= mu)
				lo = mid;
			else
				hi = mid;
		}
		edge[k] = lo + (hi - lo) / 2.0;
	}
	return (edge[0] + edge[1]) / 2.0;
}

/* See compare_mde.h. */
int cvb_mde_model_init(struct cvb_mde_model *m, const double *base, size_t nb, const double *cur,
                       size_t nc, struct cvb_error *err)
{
	memset(m, 0, sizeof(*m));
	if (nb == 0 || nc == 0)
		return cvb_error_set(err, EINVAL, "the MDE needs samples on both sides");
	m->base = malloc((nb > CVB_MDE_SUBSAMPLE ? CVB_MDE_SUBSAMPLE : nb) * sizeof(*m->base));
	m->cur = malloc((nc > CVB_MDE_SUBSAMPLE ? CVB_MDE_SUBSAMPLE : nc) * sizeof(*m->cur));
	if (!m->base || !m->cur)
		goto oom;
	m->nb_all = nb;
	m->nc_all = nc;
	m->nb = take(m->base, base, nb);
	m->nc = take(m->cur, cur, nc);
	qsort(m->base, m->nb, sizeof(*m->base), cmp_double);
	qsort(m->cur, m->nc, sizeof(*m->cur), cmp_double);
	double s0 = centring_shift(m->base, m->nb, m->cur, m->nc);
	for (size_t j = 0; j < m->nc; j++)
		m->cur[j] += s0;
	m->scale = fabs(median_sorted(m->base, m->nb));
	if (robust_sd(m->base, m->nb, &m->sd_base) < 0 || robust_sd(m->cur, m->nc, &m->sd_cur) < 0)
		goto oom;
	return 0;
oom:
	cvb_mde_model_free(m);
	return cvb_error_set(err, ENOMEM, "out of memory computing the MDE");
}

/* See compare_mde.h. */
void cvb_mde_model_free(struct cvb_mde_model *m)
{
	if (!m)
		return;
	free(m->base);
	free(m->cur);
	memset(m, 0, sizeof(*m));
}

/* The rank test's normal approximation (rank_test.h) from U, the tie term
 * and the sizes. */
static void normal_p(double u, double tie_term, size_t nx, size_t ny, struct cvb_rank_test *t)
{
	double n = (double)nx + (double)ny, mu = (double)nx * (double)ny / 2.0;
	double sigma2 = (double)nx * (double)ny / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));

	memset(t, 0, sizeof(*t));
	t->u = u;
	t->direction = u < mu ? 1 : u > mu ? -1 : 0;
	if (!(sigma2 > 0.0)) {
		t->p = 1.0;
		return;
	}
	t->z = (fabs(u - mu) - 0.5) / sqrt(sigma2);
	t->p = fmin(1.0, erfc(t->z / sqrt(2.0)));
}

/* Mann-Whitney of sorted x against sorted y + s in one merge: U of x (pairs
 * with x > y, ties 1/2) and the tie term of the pooled sample. */
static void merge_test(const double *x, size_t nx, const double *y, size_t ny, double s,
                       struct cvb_rank_test *t)
{
	size_t i = 0, j = 0;
	double u = 0.0, tie_term = 0.0;

	while (i < nx || j < ny) {
		double vx = i < nx ? x[i] : INFINITY, vy = j < ny ? y[j] + s : INFINITY;
		double v = vx < vy ? vx : vy;
		size_t cx = 0, cy = 0, below = j;

		while (i < nx && x[i] == v)
			i++, cx++;
		while (j < ny && y[j] + s == v)
			j++, cy++;
		u += (double)cx * ((double)below + 0.5 * (double)cy);
		double tt = (double)(cx + cy);
		tie_term += tt * tt * tt - tt;
	}
	normal_p(u, tie_term, nx, ny, t);
}

/* Two sorted sides and scratch space for one direction's bisection. */
struct probe {
	const double *x, *y;
	size_t nx, ny;
	double *shifted; /* ny values, for the direct rank test */
	double alpha;
	int dir;
};

/* Whether a shift of s (signed) of y is flagged. 1, 0, or -1 with err. */
static int flagged(struct probe *p, double s, struct cvb_error *err)
{
	struct cvb_rank_test t;

	if (p->shifted) {
		for (size_t j = 0; j < p->ny; j++)
			p->shifted[j] = p->y[j] + s;
		if (cvb_mann_whitney(p->x, p->nx, p->shifted, p->ny, &t, err) < 0)
			return -1;
	} else {
		merge_test(p->x, p->nx, p->y, p->ny, s, &t);
	}
	return t.p < p->alpha && t.direction == p->dir;
}

/* The MDE of one direction over sorted x and y (y aligned to x's median
 * already), as a fraction of scale. */
static int mde_sorted(const double *x, size_t nx, const double *y, size_t ny, double scale,
                      double alpha, int dir, double *frac, struct cvb_error *err)
{
	struct probe p = {.x = x, .y = y, .nx = nx, .ny = ny, .alpha = alpha, .dir = dir};
	double sep, lo = 0.0, hi;
	int f, ret = -1;

	if (!(scale > 0.0) || !isfinite(scale)) {
		*frac = NAN;
		return 0;
	}
	if (nx + ny <= DIRECT_MAX) {
		p.shifted = malloc(ny * sizeof(*p.shifted));
		if (!p.shifted)
			return cvb_error_set(err, ENOMEM, "out of memory computing the MDE");
	}
	/* The shift that puts every y beyond every x, and a margin past it:
	 * there p is the smallest these sizes allow. */
	sep = dir > 0 ? x[nx - 1] - y[0] : y[ny - 1] - x[0];
	hi = 2.0 * fmax(sep, 0.0) + 1e-3 * scale;
	if ((f = flagged(&p, dir * hi, err)) < 0)
		goto out;
	if (!f) {
		*frac = INFINITY;
		ret = 0;
		goto out;
	}
	if ((f = flagged(&p, 0.0, err)) < 0)
		goto out;
	if (f)
		hi = 0.0;
	for (int it = 0; it < 200 && hi - lo > REL_TOL * hi && hi - lo > 1e-12 * scale; it++) {
		double mid = lo + (hi - lo) / 2.0;

		if ((f = flagged(&p, dir * mid, err)) < 0)
			goto out;
		if (f)
			hi = mid;
		else
			lo = mid;
	}
	*frac = hi / scale;
	ret = 0;
out:
	free(p.shifted);
	return ret;
}

/* See compare_mde.h. */
int cvb_mde_model_pct_dir(const struct cvb_mde_model *m, double alpha, int dir, double *pct,
                          struct cvb_error *err)
{
	double frac;

	if (mde_sorted(m->base, m->nb, m->cur, m->nc, m->scale, alpha, dir > 0 ? 1 : -1, &frac,
	               err) < 0)
		return -1;
	/* A subsample's MDE, brought to the full counts by the rank test's
	 * large-sample law: the MDE goes with sqrt(1 / nb + 1 / nc). */
	if (m->nb < m->nb_all || m->nc < m->nc_all)
		frac *= sqrt((1.0 / (double)m->nb_all + 1.0 / (double)m->nc_all) /
		             (1.0 / (double)m->nb + 1.0 / (double)m->nc));
	*pct = frac * 100.0;
	return 0;
}

/* See compare_mde.h. */
int cvb_mde_model_pct(const struct cvb_mde_model *m, double alpha, double *pct,
                      struct cvb_error *err)
{
	double up, down;

	if (cvb_mde_model_pct_dir(m, alpha, 1, &up, err) < 0 ||
	    cvb_mde_model_pct_dir(m, alpha, -1, &down, err) < 0)
		return -1;
	*pct = isnan(up) || isnan(down) ? NAN : fmax(up, down);
	return 0;
}

/* Peter Acklam's rational approximation of the standard normal quantile
 * (relative error below 1.2e-9), then one Halley step on erfc. */
static double normal_quantile(double p)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00,  2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	double q, r, x;

	if (!(p > 0.0 && p < 1.0))
		return NAN;
	if (p < 0.02425) {
		q = sqrt(-2.0 * log(p));
		x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	} else if (p > 1.0 - 0.02425) {
		q = sqrt(-2.0 * log1p(-p));
		x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
	} else {
		q = p - 0.5;
		r = q * q;
		x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
		    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
	}
	double e = 0.5 * erfc(-x / sqrt(2.0)) - p, u = e * sqrt(2.0 * M_PI) * exp(x * x / 2.0);
	return x - u / (1.0 + x * u / 2.0);
}

/* See compare_mde.h. */
double cvb_mde_normal_upper_quantile(double p)
{
	return -normal_quantile(p);
}

/* See compare_mde.h. */
size_t cvb_mde_min_reps(double alpha)
{
	double v[128];
	struct cvb_rank_test t;

	for (size_t k = 1; k <= 64; k++) {
		for (size_t i = 0; i < 2 * k; i++)
			v[i] = (double)i;
		if (cvb_mann_whitney(v, k, v + k, k, &t, NULL) == 0 && t.p < alpha)
			return k;
	}
	return 0;
}

/* The MDE (fraction, both directions) of N-point normal models of both
 * sides: median(base) + sd * z_i, z_i the normal quantiles at (i + 0.5) /
 * N. buf holds 3 N values; its last N keep the z_i of the last call. */
static int model_mde_at(const struct cvb_mde_model *m, size_t N, double alpha, double *buf,
                        size_t *z_for, double *frac, struct cvb_error *err)
{
	double up, down, med = m->scale > 0.0 ? median_sorted(m->base, m->nb) : 0.0;
	double *x = buf, *y = buf + N, *z = buf + 2 * N;

	if (*z_for != N) {
		for (size_t i = 0; i < N; i++)
			z[i] = normal_quantile(((double)i + 0.5) / (double)N);
		*z_for = N;
	}
	for (size_t i = 0; i < N; i++) {
		x[i] = med + m->sd_base * z[i];
		y[i] = med + m->sd_cur * z[i];
	}
	if (mde_sorted(x, N, y, N, m->scale, alpha, 1, &up, err) < 0 ||
	    mde_sorted(x, N, y, N, m->scale, alpha, -1, &down, err) < 0)
		return -1;
	*frac = fmax(up, down);
	return 0;
}

/* n rounded up to two significant digits (187 -> 190, 1234 -> 1300). */
static size_t round_up_2sig(size_t n)
{
	size_t step = 1;

	while (n / step >= 100)
		step *= 10;
	return (n + step - 1) / step * step;
}

/* See compare_mde.h. */
int cvb_mde_model_reps(const struct cvb_mde_model *m, double alpha, double change_pct, size_t *reps,
                       struct cvb_error *err)
{
	double za = cvb_mde_normal_upper_quantile(alpha / 2.0),
	       zb = cvb_mde_normal_upper_quantile(1.0 - CVB_MDE_POWER);
	double target = fabs(change_pct) / 100.0 * za / (za + zb), frac;
	size_t lo, hi, n0, z_for = 0, cap = CVB_MDE_REPS_MAX;
	double *buf = NULL;
	int ret = -1;

	*reps = 0;
	if (!(target > 0.0) || !isfinite(target) || !(m->scale > 0.0))
		return 0;
	buf = malloc(3 * (size_t)cap * sizeof(*buf));
	if (!buf)
		return cvb_error_set(err, ENOMEM, "out of memory estimating samples");
	/* The smaller side's count first; then a guess from the large-sample
	 * law (the MDE falls as 1 / sqrt(N)), doubled until it passes. */
	n0 = m->nb_all < m->nc_all ? m->nb_all : m->nc_all;
	n0 = n0 < 2 ? 2 : n0 > cap ? cap : n0;
	if (model_mde_at(m, n0, alpha, buf, &z_for, &frac, err) < 0)
		goto out;
	if (frac <= target) {
		lo = 0;
		hi = n0;
	} else {
		double guess = isfinite(frac) ? (double)n0 * (frac / target) * (frac / target)
		                              : 4.0 * (double)n0;
		lo = n0;
		hi = guess >= (double)cap ? cap : (size_t)ceil(guess);
		if (hi <= n0)
			hi = n0 + 1;
		for (;;) {
			if (model_mde_at(m, hi, alpha, buf, &z_for, &frac, err) < 0)
				goto out;
			if (frac <= target)
				break;
			if (hi >= cap) {
				*reps = cap + 1;
				ret = 0;
				goto out;
			}
			lo = hi;
			hi = hi * 2 > cap ? cap : hi * 2;
		}
	}
	/* lo fails (or is 0), hi passes: to 2%, then two digits. */
	while (hi - lo > 1 && hi - lo > hi / 50) {
		size_t mid = lo + (hi - lo) / 2;

		if (model_mde_at(m, mid, alpha, buf, &z_for, &frac, err) < 0)
			goto out;
		if (frac <= target)
			hi = mid;
		else
			lo = mid;
	}
	*reps = round_up_2sig(hi);
	ret = 0;
out:
	free(buf);
	return ret;
}
