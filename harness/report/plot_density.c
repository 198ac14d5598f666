/* Plot data: memory per instance against N (density cells) and the
 * noisy-neighbour slowdowns (derived.slowdowns). */
#include "plot_data.h"
#include "report_view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SERIES 16
#define MAX_POINTS 64
#define MIB (1024.0 * 1024.0)

/* p50, ci low, ci high of a metric in MiB (NaN when absent), then `end`. */
static void mib_columns(struct cvb_strbuf *b, const cJSON *cell, const char *metric, char end)
{
	struct cvb_rv_stat st;
	bool have = cvb_rv_metric_stat(cell, metric, &st);
	cvb_dat_num(b, have ? st.p50 / MIB : NAN, '\t');
	cvb_dat_num(b, have && st.has_ci ? st.ci_lo / MIB : NAN, '\t');
	cvb_dat_num(b, have && st.has_ci ? st.ci_hi / MIB : NAN, end);
}

/* derived.density's fit for backend/workload on host_pss_bytes, or NULL. */
static const cJSON *fit_for(const cJSON *doc, const char *backend, const char *workload)
{
	const cJSON *d;
	cJSON_ArrayForEach(d, cvb_rv_path(doc, "derived.density"))
	{
		const char *b = cvb_rv_str(d, "backend"), *w = cvb_rv_str(d, "workload");
		const char *m = cvb_rv_str(d, "metric");
		const cJSON *fit = cvb_rv_get(d, "fit");
		if (b && w && m && strcmp(b, backend) == 0 && strcmp(w, workload) == 0 &&
		    strcmp(m, "host_pss_bytes") == 0 && cJSON_IsObject(fit))
			return fit;
	}
	return NULL;
}

static int cmp_instances(const void *a, const void *b)
{
	return cvb_rv_cell_instances(*(const cJSON *const *)a) -
	       cvb_rv_cell_instances(*(const cJSON *const *)b);
}

/* Blocks per backend/workload: N, host PSS p50/lo/hi, MemAvailable drop per
 * instance p50/lo/hi (MiB); the derived.density fit as gnuplot arrays. */
void cvb_plot_build_density(const cJSON *doc, struct cvb_plot *p)
{
	const char *key_b[MAX_SERIES], *key_w[MAX_SERIES];
	char *title[MAX_SERIES];
	char *fit_title[MAX_SERIES];
	double has_drop[MAX_SERIES], fit_slope[MAX_SERIES], fit_icpt[MAX_SERIES];
	size_t ns = 0;
	const cJSON *cell;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		const char *b = cvb_rv_str(cell, "backend"), *w = cvb_rv_str(cell, "workload");
		if (!b || !w || !cvb_rv_cell_density(cell))
			continue;
		size_t i = 0;
		while (i < ns && (strcmp(key_b[i], b) != 0 || strcmp(key_w[i], w) != 0))
			i++;
		if (i == ns && ns < MAX_SERIES) {
			key_b[ns] = b;
			key_w[ns++] = w;
		}
	}
	size_t made = 0;
	/* The y range covers the medians and the PSS intervals only: one noisy
	 * MemAvailable round can give an interval 100x the data, and the
	 * medians would be a flat line at the bottom. Its bars are cut instead. */
	double y_lo = 0, y_hi = 0, n_max = 1;
	for (size_t i = 0; i < ns; i++) {
		const cJSON *pts[MAX_POINTS];
		size_t np = 0;
		cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
		{
			const char *b = cvb_rv_str(cell, "backend"),
			           *w = cvb_rv_str(cell, "workload");
			struct cvb_rv_stat st;
			if (b && w && cvb_rv_cell_density(cell) && strcmp(b, key_b[i]) == 0 &&
			    strcmp(w, key_w[i]) == 0 && np < MAX_POINTS &&
			    (cvb_rv_metric_stat(cell, "host_pss_bytes", &st) ||
			     cvb_rv_metric_stat(cell, "memavailable_drop_per_instance_bytes", &st)))
				pts[np++] = cell;
		}
		if (np == 0)
			continue;
		qsort(pts, np, sizeof(pts[0]), cmp_instances);
		/* The fit models the total of N instances, intercept + slope x N; the
		 * template draws it per instance, slope + intercept / N. */
		const cJSON *fit = fit_for(doc, key_b[i], key_w[i]);
		double slope = NAN, icpt = NAN;
		if (!fit || !cvb_rv_num(fit, "slope", &slope) ||
		    !cvb_rv_num(fit, "intercept", &icpt))
			slope = icpt = NAN;
		char ft[160] = "";
		if (!isnan(slope))
			snprintf(ft, sizeof(ft), "%s/%s: fit, +%.3g MiB per added instance",
			         key_b[i], key_w[i], slope / MIB);
		fit_title[made] = strdup(ft);
		fit_slope[made] = slope / MIB;
		fit_icpt[made] = icpt / MIB;
		has_drop[made] = 0;
		cvb_strbuf_printf(&p->data,
		                  "%s# %s/%s: N, host_pss_bytes p50 lo hi, "
		                  "memavailable_drop_per_instance_bytes p50 lo hi (MiB)\n",
		                  made ? "\n\n" : "", key_b[i], key_w[i]);
		for (size_t k = 0; k < np; k++) {
			struct cvb_rv_stat st;
			if (cvb_rv_metric_stat(pts[k], "host_pss_bytes", &st)) {
				y_lo = fmin(y_lo, (st.has_ci ? st.ci_lo : st.p50) / MIB);
				y_hi = fmax(y_hi, (st.has_ci ? st.ci_hi : st.p50) / MIB);
			}
			if (cvb_rv_metric_stat(pts[k], "memavailable_drop_per_instance_bytes",
			                       &st)) {
				y_lo = fmin(y_lo, st.p50 / MIB);
				y_hi = fmax(y_hi, st.p50 / MIB);
			}
			n_max = fmax(n_max, cvb_rv_cell_instances(pts[k]));
			cvb_dat_num(&p->data, cvb_rv_cell_instances(pts[k]), '\t');
			mib_columns(&p->data, pts[k], "host_pss_bytes", '\t');
			mib_columns(&p->data, pts[k], "memavailable_drop_per_instance_bytes", '\n');
			has_drop[made] =
			    has_drop[made] ||
			    cvb_rv_metric_stat(pts[k], "memavailable_drop_per_instance_bytes", &st);
		}
		char t[160];
		snprintf(t, sizeof(t), "%s/%s", key_b[i], key_w[i]);
		title[made++] = strdup(t);
	}
	if (made == 0) {
		snprintf(p->why_not, sizeof(p->why_not),
		         "no density cells (run with --instances N,... for memory against N)");
		return;
	}
	double pad = (y_hi - y_lo) * 0.1 + 1e-3;
	cvb_gp_var_num(&p->vars, "y_min", y_lo < 0 ? y_lo - pad : 0);
	cvb_gp_var_num(&p->vars, "y_max", y_hi + pad);
	cvb_gp_var_num(&p->vars, "n_max", n_max);
	cvb_gp_var_num(&p->vars, "n_series", (double)made);
	cvb_gp_array_str(&p->vars, "series_title", title, made);
	cvb_gp_array_num(&p->vars, "has_drop", has_drop, made);
	cvb_gp_array_str(&p->vars, "fit_title", fit_title, made);
	cvb_gp_array_num(&p->vars, "fit_slope", fit_slope, made);
	cvb_gp_array_num(&p->vars, "fit_intercept", fit_icpt, made);
	for (size_t i = 0; i < made; i++) {
		free(title[i]);
		free(fit_title[i]);
	}
	p->made = true;
}

struct bar {
	const cJSON *e;
	const char *backend, *scenario, *placement, *victim;
};

static int str_cmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Same scenario next to each other, then placement, victim, backend. */
static int cmp_bar(const void *pa, const void *pb)
{
	const struct bar *a = pa, *b = pb;
	int c = str_cmp0(a->scenario, b->scenario);
	if (!c)
		c = str_cmp0(a->placement, b->placement);
	if (!c)
		c = str_cmp0(a->victim, b->victim);
	return c ? c : str_cmp0(a->backend, b->backend);
}

/* Blocks per backend: x, slowdown, ci low, ci high, xtic label. */
void cvb_plot_build_slowdown(const cJSON *doc, struct cvb_plot *p)
{
	struct bar bars[128];
	size_t n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, cvb_rv_path(doc, "derived.slowdowns"))
	{
		double s;
		if (n < 128 && cvb_rv_num(e, "slowdown", &s))
			bars[n++] =
			    (struct bar){e, cvb_rv_str(e, "backend"), cvb_rv_str(e, "scenario"),
			                 cvb_rv_str(e, "placement"), cvb_rv_str(e, "victim")};
	}
	if (n == 0) {
		snprintf(p->why_not, sizeof(p->why_not),
		         "no derived.slowdowns in the file (no noisy-neighbour scenarios)");
		return;
	}
	qsort(bars, n, sizeof(bars[0]), cmp_bar);
	const char *backends[16];
	char *titles[16];
	size_t nb = 0;
	for (size_t i = 0; i < n; i++) {
		const char *b = bars[i].backend ? bars[i].backend : "?";
		size_t k = 0;
		while (k < nb && strcmp(backends[k], b) != 0)
			k++;
		if (k == nb && nb < 16)
			backends[nb++] = b;
	}
	for (size_t k = 0; k < nb; k++) {
		cvb_strbuf_printf(&p->data, "%s# %s: x, slowdown, ci95 low, ci95 high, label\n",
		                  k ? "\n\n" : "", backends[k]);
		for (size_t i = 0; i < n; i++) {
			if (strcmp(bars[i].backend ? bars[i].backend : "?", backends[k]) != 0)
				continue;
			double s = NAN, lo = NAN, hi = NAN;
			cvb_rv_num(bars[i].e, "slowdown", &s);
			const cJSON *ci = cvb_rv_get(bars[i].e, "ci95");
			if (cJSON_GetArraySize(ci) == 2) {
				lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
				hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
			}
			const char *place = bars[i].placement;
			if (place && strcmp(place, "none") == 0)
				place = NULL;
			char label[256];
			snprintf(label, sizeof(label), "%s %s, %s%s%s", backends[k],
			         bars[i].victim ? bars[i].victim : "?",
			         bars[i].scenario ? bars[i].scenario : "?", place ? ", " : "",
			         place ? place : "");
			cvb_dat_num(&p->data, (double)i, '\t');
			cvb_dat_num(&p->data, s, '\t');
			cvb_dat_num(&p->data, lo, '\t');
			cvb_dat_num(&p->data, hi, '\t');
			cvb_dat_text(&p->data, label, '\n');
		}
		titles[k] = strdup(backends[k]);
	}
	cvb_gp_var_num(&p->vars, "n_bars", (double)n);
	cvb_gp_var_num(&p->vars, "n_series", (double)nb);
	cvb_gp_array_str(&p->vars, "series_title", titles, nb);
	for (size_t k = 0; k < nb; k++)
		free(titles[k]);
	p->made = true;
}
