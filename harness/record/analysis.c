#include "analysis.h"
#include "ratio_stats.h"
#include "stats.h"

#include <stdlib.h>
#include <string.h>

static bool same_params(const struct cvb_cell *a, const struct cvb_cell *b)
{
	return a->workload == b->workload && memcmp(a->params, b->params, sizeof(a->params)) == 0;
}

static const struct cvb_series *series_of(const struct cvb_cell *c, const char *name)
{
	for (size_t i = 0; i < c->n_series; i++)
		if (strcmp(c->series[i].name, name) == 0)
			return &c->series[i];
	return NULL;
}

const struct cvb_cell *cvb_cell_baseline(const struct cvb_run *run, const struct cvb_cell *c)
{
	if (!c->scenario)
		return NULL;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *b = &run->cells[k];
		if (b->plan == c->plan && b->backend == c->backend && same_params(b, c) &&
		    b->scenario && !b->scenario->aggressor && b->placement && c->placement &&
		    b->placement->kind == c->placement->kind)
			return b;
	}
	return NULL;
}

static cJSON *interval(double lo, double hi)
{
	cJSON *a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, cJSON_CreateNumber(lo));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(hi));
	return a;
}

/* The baseline (native) cell measuring the same thing as c, preferring c's
 * block. */
static const struct cvb_cell *native_twin(const struct cvb_run *run, const struct cvb_cell *c)
{
	const struct cvb_cell *found = NULL;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *n = &run->cells[k];
		if (!(n->backend->caps & CVB_CAP_BASELINE) || !same_params(n, c) ||
		    n->instances != c->instances || n->scenario || c->scenario)
			continue;
		if (n->plan == c->plan)
			return n;
		if (!found)
			found = n;
	}
	return found;
}

static void add_ratios(cJSON *arr, const struct cvb_run *run, uint64_t seed, unsigned resamples)
{
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		if (c->backend->caps & CVB_CAP_BASELINE)
			continue;
		const struct cvb_cell *n = native_twin(run, c);
		if (!n)
			continue;
		for (size_t i = 0; i < c->n_series; i++) {
			const struct cvb_series *s = &c->series[i];
			const struct cvb_series *b = series_of(n, s->name);
			struct cvb_ratio r;
			if (!b || s->role || !s->n || !b->n ||
			    cvb_ratio_of_medians(s->values, s->n, b->values, b->n, seed, resamples,
			                         &r) < 0)
				continue;
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "label", c->label);
			cJSON_AddStringToObject(o, "baseline_label", n->label);
			cJSON_AddStringToObject(o, "backend", c->backend->name);
			cJSON_AddStringToObject(o, "workload", c->workload->name);
			cJSON_AddStringToObject(o, "metric", s->name);
			cJSON_AddNumberToObject(o, "ratio", r.ratio);
			cJSON_AddItemToObject(o, "ci95", interval(r.ci95_lo, r.ci95_hi));
			cJSON_AddItemToArray(arr, o);
		}
	}
}

/* The victim's headline metric and its tail metric. */
static const char *slowdown_metric(const struct cvb_cell *c)
{
	return series_of(c, "victim_total_ns") ? "victim_total_ns" : "startup_ns";
}

static const char *p99_metric(const struct cvb_cell *c)
{
	for (size_t i = 0; i < c->n_series; i++)
		if (!c->series[i].role && strstr(c->series[i].name, "p99"))
			return c->series[i].name;
	return NULL;
}

static void add_slowdowns(cJSON *arr, const struct cvb_run *run, uint64_t seed, unsigned resamples)
{
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		const struct cvb_cell *b = cvb_cell_baseline(run, c);
		if (!b || b == c || !c->scenario->aggressor)
			continue;
		const char *m = slowdown_metric(c), *m99 = p99_metric(c);
		const struct cvb_series *s = series_of(c, m), *sb = series_of(b, m);
		struct cvb_ratio r, r99;
		if (!s || !sb ||
		    cvb_ratio_of_medians(s->values, s->n, sb->values, sb->n, seed, resamples, &r) <
		        0)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "label", c->label);
		cJSON_AddStringToObject(o, "baseline_label", b->label);
		cJSON_AddStringToObject(o, "backend", c->backend->name);
		cJSON_AddStringToObject(o, "victim", c->workload->name);
		cJSON_AddStringToObject(o, "scenario", c->scenario->name);
		cJSON_AddStringToObject(o, "placement", cvb_placement_name(c->placement->kind));
		cJSON_AddStringToObject(o, "metric", m);
		cJSON_AddNumberToObject(o, "slowdown", r.ratio);
		cJSON_AddItemToObject(o, "ci95", interval(r.ci95_lo, r.ci95_hi));
		const struct cvb_series *p = m99 ? series_of(c, m99) : NULL;
		const struct cvb_series *pb = m99 ? series_of(b, m99) : NULL;
		if (p && pb &&
		    cvb_ratio_of_medians(p->values, p->n, pb->values, pb->n, seed, resamples,
		                         &r99) == 0) {
			cJSON_AddStringToObject(o, "p99_metric", m99);
			cJSON_AddNumberToObject(o, "p99_inflation", r99.ratio);
			cJSON_AddItemToObject(o, "p99_ci95", interval(r99.ci95_lo, r99.ci95_hi));
		} else {
			cJSON_AddNullToObject(o, "p99_metric");
			cJSON_AddNullToObject(o, "p99_inflation");
			cJSON_AddNullToObject(o, "p99_ci95");
		}
		cJSON_AddNumberToObject(o, "aggressor_failures", c->aggressor_failures);
		cJSON_AddItemToArray(arr, o);
	}
}

/* One point per round of a density cell: what its N instances cost
 * together. Per-round values that are already per instance (MemAvailable's
 * drop / N) are scaled by N; per-instance values (PSS) are summed over the
 * round; times (bring-up) are taken as they are. Returns points written. */
static size_t round_totals(const struct cvb_cell *c, const struct cvb_series *s, const char *metric,
                           double *x, double *y)
{
	const bool scale = strcmp(metric, "memavailable_drop_per_instance_bytes") == 0;
	const bool as_is = strcmp(metric, "bringup_ns") == 0;
	unsigned *round = malloc((s->n ? s->n : 1) * sizeof(unsigned));
	size_t n = 0;
	if (!round)
		return 0;
	for (size_t i = 0; i < s->n; i++) {
		size_t j = 0;
		if (!scale && !as_is)
			while (j < n && round[j] != s->sample_index[i])
				j++;
		else
			j = n;
		if (j == n) {
			round[n] = s->sample_index[i];
			x[n] = c->instances;
			y[n++] = 0;
		}
		y[j] += scale ? s->values[i] * c->instances : s->values[i];
	}
	free(round);
	return n;
}

static void add_density(cJSON *arr, const struct cvb_run *run, uint64_t seed, unsigned resamples)
{
	static const char *const metrics[] = {"memavailable_drop_per_instance_bytes",
	                                      "host_pss_bytes", "guest_used_bytes", "bringup_ns"};
	bool *done = calloc(run->n_cells ? run->n_cells : 1, sizeof(bool));
	if (!done)
		return;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		if (!c->instances || done[k])
			continue;
		for (size_t mi = 0; mi < sizeof(metrics) / sizeof(metrics[0]); mi++) {
			const char *m = metrics[mi];
			cJSON *points = cJSON_CreateArray();
			double *x = NULL, *y = NULL;
			size_t n = 0, cap = 0;
			const char *unit = NULL;
			for (size_t j = k; j < run->n_cells; j++) {
				const struct cvb_cell *d = &run->cells[j];
				if (!d->instances || d->plan != c->plan ||
				    d->backend != c->backend || !same_params(d, c))
					continue;
				done[j] = true;
				const struct cvb_series *s = series_of(d, m);
				struct cvb_summary sum;
				if (!s || !s->n ||
				    cvb_summarize(s->values, s->n, seed, resamples, &sum) < 0)
					continue;
				unit = s->unit;
				cJSON *p = cJSON_CreateObject();
				cJSON_AddNumberToObject(p, "instances", d->instances);
				cJSON_AddStringToObject(p, "label", d->label);
				cJSON_AddNumberToObject(p, "p50", sum.p50);
				cJSON_AddItemToObject(p, "ci95",
				                      interval(sum.ci95_lo, sum.ci95_hi));
				cJSON_AddItemToArray(points, p);
				cvb_summary_free(&sum);
				double *nx = realloc(x, (cap + s->n) * sizeof(double));
				double *ny = nx ? realloc(y, (cap + s->n) * sizeof(double)) : NULL;
				if (nx)
					x = nx;
				if (!ny)
					continue;
				y = ny;
				cap += s->n;
				n += round_totals(d, s, m, x + n, y + n);
			}
			if (cJSON_GetArraySize(points) == 0) {
				cJSON_Delete(points);
				free(x);
				free(y);
				continue;
			}
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "backend", c->backend->name);
			cJSON_AddStringToObject(o, "workload", c->workload->name);
			cJSON_AddStringToObject(o, "metric", m);
			cJSON_AddStringToObject(o, "unit", unit);
			cJSON_AddItemToObject(o, "points", points);
			struct cvb_line_fit fit;
			if (n >= 2 && cvb_line_fit(x, y, n, seed, resamples, &fit) == 0) {
				cJSON *f = cJSON_AddObjectToObject(o, "fit");
				cJSON_AddNumberToObject(f, "slope", fit.slope);
				cJSON_AddItemToObject(
				    f, "slope_ci95",
				    interval(fit.slope_ci95_lo, fit.slope_ci95_hi));
				cJSON_AddNumberToObject(f, "intercept", fit.intercept);
				cJSON_AddNumberToObject(f, "r2", fit.r2);
				char u[64];
				snprintf(u, sizeof(u), "%s per added instance", unit);
				cJSON_AddStringToObject(f, "unit", u);
				cJSON_AddStringToObject(
				    f, "model",
				    strcmp(m, "bringup_ns") == 0
				        ? "time to bring N up = intercept + slope x N"
				        : "total of N instances = intercept + slope x N");
			} else {
				cJSON_AddNullToObject(o, "fit");
			}
			cJSON_AddItemToArray(arr, o);
			free(x);
			free(y);
		}
	}
	free(done);
}

cJSON *cvb_derive(const struct cvb_run *run, uint64_t seed, unsigned resamples)
{
	cJSON *o = cJSON_CreateObject();
	add_ratios(cJSON_AddArrayToObject(o, "ratios_to_native"), run, seed, resamples);
	add_slowdowns(cJSON_AddArrayToObject(o, "slowdowns"), run, seed, resamples);
	add_density(cJSON_AddArrayToObject(o, "density"), run, seed, resamples);
	return o;
}
