/* The seed table's measured rows: startup, memory and syscall overhead. The
 * kernel, isolation and noisy-neighbour rows are in seed_isolation.c. */
#include "seed_table.h"
#include "backend.h"
#include "numfmt.h"
#include "report_view.h"
#include "stats.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 1024

static char *dup_or_break(struct cvb_seed_table *t, const char *s)
{
	char *d = strdup(s);
	if (!d)
		t->broken = true;
	return d;
}

struct cvb_seed_row *cvb_seed_row_add(struct cvb_seed_table *t, const char *feature,
                                      const char *claim)
{
	/* Allocated once, never moved: callers hold the rows they added while
	 * they add more (a realloc here once left them pointing at freed memory). */
	if (!t->rows) {
		t->rows = calloc(CVB_SEED_MAX_ROWS, sizeof(*t->rows));
		t->cap_rows = t->rows ? CVB_SEED_MAX_ROWS : 0;
	}
	if (t->n_rows == t->cap_rows) {
		t->broken = true;
		return NULL;
	}
	struct cvb_seed_row *row = &t->rows[t->n_rows++];
	*row = (struct cvb_seed_row){0};
	row->feature = dup_or_break(t, feature);
	row->claim = dup_or_break(t, claim ? claim : "");
	for (size_t c = 0; c < t->n_cols; c++)
		row->value[c] = dup_or_break(t, CVB_NOT_MEASURED);
	return row;
}

void cvb_seed_row_set(struct cvb_seed_table *t, struct cvb_seed_row *row, size_t col,
                      const char *fmt, ...)
{
	if (!row || col >= t->n_cols)
		return;
	char *s = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		t->broken = true;
		return;
	}
	free(row->value[col]);
	row->value[col] = s;
}

void cvb_seed_note(struct cvb_seed_table *t, const char *fmt, ...)
{
	char **notes = realloc(t->notes, (t->n_notes + 1) * sizeof(*notes));
	if (!notes) {
		t->broken = true;
		return;
	}
	t->notes = notes;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&t->notes[t->n_notes], fmt, ap) < 0)
		t->broken = true;
	else
		t->n_notes++;
	va_end(ap);
}

void cvb_seed_not_measured(const cJSON *why, const char *hint, char *buf, size_t len)
{
	const char *reason = why ? cvb_rv_cell_reason(why) : NULL;
	if (!reason) {
		snprintf(buf, len, CVB_NOT_MEASURED "%s%s%s", hint ? " (" : "", hint ? hint : "",
		         hint ? ")" : "");
		return;
	}
	/* The whole reason is in the failed-cells list; a table cell gets its start. */
	const int keep = 160;
	snprintf(buf, len, CVB_NOT_MEASURED " (%s: %.*s%s)", cvb_rv_cell_status(why), keep, reason,
	         (int)strlen(reason) > keep ? "..." : "");
}

const cJSON *cvb_seed_pick_cell(const cJSON *doc, const char *backend, const char *prefer,
                                bool plain_only, cvb_seed_has_fn has, const void *arg,
                                const cJSON **failed)
{
	const cJSON *cell, *plain_any = NULL, *any = NULL;
	*failed = NULL;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		const char *b = cvb_rv_str(cell, "backend"), *w = cvb_rv_str(cell, "workload");
		if (!b || strcmp(b, backend) != 0)
			continue;
		bool preferred = w && prefer && strcmp(w, prefer) == 0;
		bool plain = cvb_rv_cell_plain(cell);
		if (!has(cell, arg)) {
			if (preferred && plain && !*failed &&
			    strcmp(cvb_rv_cell_status(cell), "ok") != 0)
				*failed = cell;
			continue;
		}
		if (preferred && plain)
			return cell;
		if (plain && !plain_any)
			plain_any = cell;
		if (!any)
			any = cell;
	}
	if (plain_any)
		return plain_any;
	return plain_only ? NULL : any;
}

static bool has_metric(const cJSON *cell, const void *metric)
{
	struct cvb_rv_stat st;
	return cvb_rv_metric_stat(cell, metric, &st);
}

/* " (idle workload)" when a row's value came from another workload than
 * the row's own, " (cell failed)" when from a cell that did not finish ok;
 * so that a reader never mistakes the source. */
static void provenance(const cJSON *cell, const char *prefer, char *buf, size_t len)
{
	const char *w = cvb_rv_str(cell, "workload");
	const char *status = cvb_rv_cell_status(cell);
	size_t used = 0;
	buf[0] = '\0';
	if (w && prefer && strcmp(w, prefer) != 0)
		used += (size_t)snprintf(buf, len, " (%s workload)", w);
	if (cvb_rv_cell_instances(cell) > 1 && used < len)
		used += (size_t)snprintf(buf + used, len - used, " (N=%d density cell)",
		                         cvb_rv_cell_instances(cell));
	if (strcmp(status, "ok") != 0 && used < len)
		snprintf(buf + used, len - used, " (cell %s)", status);
}

struct boot_cfg {
	uint64_t seed;
	unsigned resamples;
};

static struct boot_cfg boot_cfg_of(const cJSON *doc)
{
	struct boot_cfg b = {CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT};
	const cJSON *st = cvb_rv_path(doc, "config.statistics");
	const char *seed = cvb_rv_str(st, "bootstrap_seed");
	double r;
	if (seed)
		b.seed = strtoull(seed, NULL, 10);
	if (cvb_rv_num(st, "bootstrap_resamples", &r) && r >= 1 && r <= 1e6)
		b.resamples = (unsigned)r;
	return b;
}

/* Percentile bootstrap interval of the p-th percentile, with the run's own
 * seed and resample count, so the report's p99 interval is as reproducible
 * as the file's median interval. false when there are no samples. */
static bool percentile_interval(const cJSON *cell, const char *metric, double p,
                                struct boot_cfg cfg, double *lo, double *hi)
{
	double *x = NULL;
	size_t n = cvb_rv_metric_samples(cell, metric, &x);
	if (n == 0)
		return false;
	double *stat = malloc(cfg.resamples * sizeof(*stat));
	bool ok = stat != NULL;
	if (ok) {
		/* Each resample's percentile drawn as the order statistic it is
		 * (stats.h): O(1) per resample, whatever n. */
		struct cvb_rng rng;
		cvb_rng_seed(&rng, cfg.seed);
		cvb_sort_doubles(x, n);
		for (unsigned r = 0; r < cfg.resamples; r++)
			stat[r] = cvb_bootstrap_quantile_draw(x, n, p, &rng);
		cvb_sort_doubles(stat, cfg.resamples);
		*lo = cvb_percentile_sorted(stat, cfg.resamples, 0.025);
		*hi = cvb_percentile_sorted(stat, cfg.resamples, 0.975);
	}
	free(x);
	free(stat);
	return ok;
}

static void add_startup_rows(const cJSON *doc, struct cvb_seed_table *t)
{
	struct cvb_seed_row *p50 = cvb_seed_row_add(t, "Startup time, p50", "seconds / minutes");
	struct cvb_seed_row *p99 = cvb_seed_row_add(t, "Startup time, p99", "");
	struct boot_cfg cfg = boot_cfg_of(doc);
	for (size_t c = 0; c < t->n_cols; c++) {
		const cJSON *failed;
		const cJSON *cell = cvb_seed_pick_cell(doc, t->backend[c], "ready", true,
		                                       has_metric, "startup_ns", &failed);
		struct cvb_rv_stat st;
		char v[VALUE_MAX], from[128];
		if (!cell || !cvb_rv_metric_stat(cell, "startup_ns", &st)) {
			cvb_seed_not_measured(failed, "no cell with startup_ns", v, sizeof(v));
			cvb_seed_row_set(t, p50, c, "%s", v);
			cvb_seed_row_set(t, p99, c, "%s", v);
			continue;
		}
		provenance(cell, "ready", from, sizeof(from));
		cvb_rv_format_stat(&st, v, sizeof(v));
		cvb_seed_row_set(t, p50, c, "%s%s", v, from);
		struct cvb_rv_stat tail = st;
		tail.p50 = st.p99;
		tail.has_ci =
		    percentile_interval(cell, "startup_ns", 0.99, cfg, &tail.ci_lo, &tail.ci_hi);
		cvb_rv_format_stat(&tail, v, sizeof(v));
		cvb_seed_row_set(t, p99, c, "%s, n=%zu%s", v, st.n, from);
	}
	cvb_seed_note(t,
	              "Startup: host CLOCK_MONOTONIC from the backend's launch call to the "
	              "arrival of the agent's READY line, ready workload (another workload when "
	              "there is no ready cell, as marked). Brackets: 95%% interval, the file's "
	              "interval of the median for p50; for p99 a bootstrap computed here with "
	              "the run's seed (%llu) and %u resamples, wide when n is small.",
	              (unsigned long long)cfg.seed, cfg.resamples);
}

/* Density fit of a backend's per-instance memory from derived.density, or
 * NULL: host_pss_bytes first, any fitted metric otherwise. */
static const cJSON *density_fit(const cJSON *doc, const char *backend, const char **metric)
{
	const cJSON *d, *best = NULL;
	cJSON_ArrayForEach(d, cvb_rv_path(doc, "derived.density"))
	{
		const char *b = cvb_rv_str(d, "backend"), *m = cvb_rv_str(d, "metric");
		const cJSON *fit = cvb_rv_get(d, "fit");
		if (!b || strcmp(b, backend) != 0 || !cJSON_IsObject(fit))
			continue;
		if (m && strcmp(m, "host_pss_bytes") == 0) {
			*metric = m;
			return fit;
		}
		if (!best) {
			best = fit;
			*metric = m ? m : "?";
		}
	}
	return best;
}

static void add_memory_row(const cJSON *doc, struct cvb_seed_table *t)
{
	struct cvb_seed_row *row = cvb_seed_row_add(t, "Memory per instance (host PSS, p50)",
	                                            "low / high (2 GB per VM in the story)");
	bool any_fit = false;
	for (size_t c = 0; c < t->n_cols; c++) {
		const cJSON *failed;
		const cJSON *cell = cvb_seed_pick_cell(doc, t->backend[c], "idle", false,
		                                       has_metric, "host_pss_bytes", &failed);
		struct cvb_rv_stat st, guest;
		char v[VALUE_MAX], from[128], extra[256] = "", fit_text[256] = "";
		const char *metric = NULL;
		const cJSON *fit = density_fit(doc, t->backend[c], &metric);
		double slope, r2;
		if (fit && cvb_rv_num(fit, "slope", &slope)) {
			struct cvb_rv_stat s = {.unit = "bytes", .p50 = slope};
			const cJSON *ci = cvb_rv_get(fit, "slope_ci95");
			if (cJSON_GetArraySize(ci) == 2) {
				s.ci_lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
				s.ci_hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
				s.has_ci = true;
			}
			char sv[160];
			cvb_rv_format_stat(&s, sv, sizeof(sv));
			size_t u =
			    (size_t)snprintf(fit_text, sizeof(fit_text),
			                     "density fit: +%s per added instance (%s", sv, metric);
			if (cvb_rv_num(fit, "r2", &r2))
				snprintf(fit_text + u, sizeof(fit_text) - u, ", r² %.3f)", r2);
			else
				snprintf(fit_text + u, sizeof(fit_text) - u, ")");
			any_fit = true;
		}
		if (!cell || !cvb_rv_metric_stat(cell, "host_pss_bytes", &st)) {
			if (fit_text[0]) {
				cvb_seed_row_set(t, row, c, "%s", fit_text);
			} else {
				cvb_seed_not_measured(failed, "no cell with host_pss_bytes", v,
				                      sizeof(v));
				cvb_seed_row_set(t, row, c, "%s", v);
			}
			continue;
		}
		provenance(cell, "idle", from, sizeof(from));
		cvb_rv_format_stat(&st, v, sizeof(v));
		if (cvb_rv_metric_stat(cell, "guest_ram_pss_bytes", &guest)) {
			char g[32];
			cvb_format_value(guest.p50, guest.unit, g, sizeof(g));
			snprintf(extra, sizeof(extra), "; guest RAM %s of it", g);
		}
		cvb_seed_row_set(t, row, c, "%s%s%s%s%s", v, from, extra, fit_text[0] ? "; " : "",
		                 fit_text);
	}
	cvb_seed_note(t,
	              "Memory: proportional set size on the host of everything an instance "
	              "is (the agent; the container's processes; for a VM the whole QEMU "
	              "process, guest RAM included), idle workload, p50 [95%% interval].%s",
	              any_fit ? " Density fit: slope of memory against the number of instances "
	                        "up at once, from derived.density."
	                      : " No density fit in this file.");
}

/* The ratio row value for one backend, from derived.ratios_to_native;
 * false when the file has no such entry. */
static bool derived_ratio(const cJSON *doc, const char *backend, const char *metric, double *r,
                          double *lo, double *hi, bool *has_ci)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cvb_rv_path(doc, "derived.ratios_to_native"))
	{
		const char *b = cvb_rv_str(e, "backend"), *m = cvb_rv_str(e, "metric");
		if (!b || !m || strcmp(b, backend) != 0 || strcmp(m, metric) != 0)
			continue;
		if (!cvb_rv_num(e, "ratio", r))
			continue;
		const cJSON *ci = cvb_rv_get(e, "ci95");
		*has_ci = cJSON_GetArraySize(ci) == 2 &&
		          cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
		          cJSON_IsNumber(cJSON_GetArrayItem(ci, 1));
		if (*has_ci) {
			*lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
			*hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
		}
		return true;
	}
	return false;
}

/* Whether the file's backend `name` is the baseline (native), asked of this
 * build's registry: a file records backend names, and what a name is for
 * does not depend on the host that wrote it. Unknown names are not. */
static bool is_baseline(const char *name)
{
	const struct cvb_backend *b = cvb_backend_find(name);
	return b && (b->caps & CVB_CAP_BASELINE);
}

static void add_syscall_row(const cJSON *doc, struct cvb_seed_table *t)
{
	static const char metric[] = "syscall_getppid_ns";
	struct cvb_seed_row *row = cvb_seed_row_add(
	    t, "Syscall overhead (getppid), ratio to native", "minimal / significant");
	const cJSON *failed, *native = NULL;
	struct cvb_rv_stat nst = {0};
	for (size_t c = 0; c < t->n_cols && !native; c++)
		if (is_baseline(t->backend[c]))
			native = cvb_seed_pick_cell(doc, t->backend[c], "syscall", true, has_metric,
			                            metric, &failed);
	bool have_native = native && cvb_rv_metric_stat(native, metric, &nst);
	unsigned from_derived = 0, from_medians = 0;
	for (size_t c = 0; c < t->n_cols; c++) {
		const cJSON *cell = cvb_seed_pick_cell(doc, t->backend[c], "syscall", true,
		                                       has_metric, metric, &failed);
		struct cvb_rv_stat st;
		char abs[64] = "", v[VALUE_MAX];
		bool have = cell && cvb_rv_metric_stat(cell, metric, &st);
		if (have) {
			char a[32];
			cvb_format_value(st.p50, st.unit, a, sizeof(a));
			snprintf(abs, sizeof(abs), "%s per call", a);
		}
		if (is_baseline(t->backend[c])) {
			if (have)
				cvb_seed_row_set(t, row, c, "1× (baseline: %s)", abs);
			else {
				cvb_seed_not_measured(failed, "no syscall cell in this run", v,
				                      sizeof(v));
				cvb_seed_row_set(t, row, c, "%s", v);
			}
			continue;
		}
		double r, lo = 0, hi = 0;
		bool has_ci = false;
		if (derived_ratio(doc, t->backend[c], metric, &r, &lo, &hi, &has_ci)) {
			from_derived++;
			if (has_ci)
				cvb_seed_row_set(t, row, c, "%.3g× [%.3g .. %.3g]%s%s%s", r, lo, hi,
				                 abs[0] ? " (" : "", abs, abs[0] ? ")" : "");
			else
				cvb_seed_row_set(t, row, c, "%.3g×%s%s%s", r, abs[0] ? " (" : "",
				                 abs, abs[0] ? ")" : "");
			continue;
		}
		if (!have || !have_native || nst.p50 <= 0) {
			if (have) {
				cvb_seed_row_set(t, row, c,
				                 CVB_NOT_MEASURED " (no native syscall cell "
				                                  "to compare with; %s)",
				                 abs);
			} else {
				cvb_seed_not_measured(failed, "no syscall cell in this run", v,
				                      sizeof(v));
				cvb_seed_row_set(t, row, c, "%s", v);
			}
			continue;
		}
		from_medians++;
		r = st.p50 / nst.p50;
		/* Conservative: the extremes of the two medians' intervals. */
		if (st.has_ci && nst.has_ci && nst.ci_lo > 0)
			cvb_seed_row_set(t, row, c, "%.3g× [%.3g .. %.3g] (from medians; %s)", r,
			                 st.ci_lo / nst.ci_hi, st.ci_hi / nst.ci_lo, abs);
		else
			cvb_seed_row_set(t, row, c, "%.3g× (from medians; %s)", r, abs);
	}
	if (from_derived)
		cvb_seed_note(t, "Syscall overhead: ratio of the median getppid cost to native's, "
		                 "with its bootstrap 95%% interval, from the file's "
		                 "derived.ratios_to_native.");
	if (from_medians)
		cvb_seed_note(t, "Syscall overhead marked 'from medians': the file has no "
		                 "derived.ratios_to_native entry, so the report divided the two "
		                 "medians itself; the interval is conservative, from the extremes "
		                 "of the two medians' 95%% intervals.");
}

static void add_columns(const cJSON *doc, struct cvb_seed_table *t)
{
	const char *names[CVB_SEED_MAX_BACKENDS];
	size_t n = cvb_rv_backends(doc, names, CVB_SEED_MAX_BACKENDS);
	for (size_t i = 0; i < n; i++)
		if ((t->backend[i] = dup_or_break(t, names[i])))
			t->n_cols = i + 1;
}

int cvb_seed_table_build(const cJSON *doc, struct cvb_seed_table *t, struct cvb_error *err)
{
	*t = (struct cvb_seed_table){0};
	add_columns(doc, t);
	add_startup_rows(doc, t);
	add_memory_row(doc, t);
	add_syscall_row(doc, t);
	cvb_seed_add_isolation_rows(doc, t);
	cvb_seed_add_noisy_rows(doc, t);
	if (t->broken)
		return cvb_error_set(err, ENOMEM, "out of memory while building the seed table");
	return 0;
}

void cvb_seed_table_free(struct cvb_seed_table *t)
{
	for (size_t r = 0; r < t->n_rows; r++) {
		free(t->rows[r].feature);
		free(t->rows[r].claim);
		for (size_t c = 0; c < CVB_SEED_MAX_BACKENDS; c++)
			free(t->rows[r].value[c]);
	}
	for (size_t c = 0; c < CVB_SEED_MAX_BACKENDS; c++)
		free(t->backend[c]);
	for (size_t i = 0; i < t->n_notes; i++)
		free(t->notes[i]);
	free(t->notes);
	free(t->rows);
	*t = (struct cvb_seed_table){0};
}

const char *cvb_seed_table_value(const struct cvb_seed_table *t, const char *feature,
                                 const char *backend)
{
	for (size_t c = 0; c < t->n_cols; c++) {
		if (strcmp(t->backend[c], backend) != 0)
			continue;
		for (size_t r = 0; r < t->n_rows; r++)
			if (t->rows[r].feature &&
			    strncmp(t->rows[r].feature, feature, strlen(feature)) == 0)
				return t->rows[r].value[c];
	}
	return NULL;
}
