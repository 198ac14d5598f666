/* Plot data: the shared gnuplot/data-file helpers, the startup ECDF and the
 * syscall bars. */
#include "plot_data.h"
#include "report_view.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cvb_gp_quote(struct cvb_strbuf *b, const char *s)
{
	cvb_strbuf_puts(b, "'");
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			cvb_strbuf_puts(b, "''");
		else if ((unsigned char)*p < 0x20)
			cvb_strbuf_puts(b, " ");
		else
			cvb_strbuf_append(b, p, 1);
	}
	cvb_strbuf_puts(b, "'");
}

void cvb_gp_var_str(struct cvb_strbuf *b, const char *name, const char *value)
{
	cvb_strbuf_printf(b, "%s = ", name);
	cvb_gp_quote(b, value);
	cvb_strbuf_puts(b, "\n");
}

void cvb_gp_var_num(struct cvb_strbuf *b, const char *name, double value)
{
	cvb_strbuf_printf(b, "%s = %.17g\n", name, value);
}

void cvb_gp_array_str(struct cvb_strbuf *b, const char *name, char *const *values, size_t n)
{
	cvb_strbuf_printf(b, "array %s[%zu] = [", name, n);
	for (size_t i = 0; i < n; i++) {
		cvb_strbuf_puts(b, i ? ", " : "");
		cvb_gp_quote(b, values[i] ? values[i] : ""); /* NULL: a failed strdup */
	}
	cvb_strbuf_puts(b, "]\n");
}

void cvb_gp_array_num(struct cvb_strbuf *b, const char *name, const double *values, size_t n)
{
	cvb_strbuf_printf(b, "array %s[%zu] = [", name, n);
	for (size_t i = 0; i < n; i++) /* gnuplot spells it NaN, C's printf nan */
		cvb_strbuf_printf(b, isnan(values[i]) ? "%sNaN" : "%s%.17g", i ? ", " : "",
		                  values[i]);
	cvb_strbuf_puts(b, "]\n");
}

void cvb_dat_num(struct cvb_strbuf *b, double v, char sep)
{
	if (isnan(v))
		cvb_strbuf_printf(b, "?%c", sep);
	else
		cvb_strbuf_printf(b, "%.9g%c", v, sep);
}

void cvb_dat_text(struct cvb_strbuf *b, const char *s, char sep)
{
	for (const char *p = s; *p; p++)
		cvb_strbuf_append(b, (unsigned char)*p < 0x20 ? " " : p, 1);
	cvb_strbuf_append(b, &sep, 1);
}

/* Titles of up to max series, each a malloc'd string. */
struct titles {
	char **v;
	size_t n;
};

static void titles_add(struct titles *t, const char *s)
{
	char **v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return;
	t->v = v;
	if ((t->v[t->n] = strdup(s)))
		t->n++;
}

static void titles_free(struct titles *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	*t = (struct titles){0};
}

/* ECDF blocks, one per cell with startup samples: "x<TAB>F(x)", starting
 * at (min, 0) so the step rises visibly. */
void cvb_plot_build_startup(const cJSON *doc, struct cvb_plot *p)
{
	const cJSON *cell;
	double lo = INFINITY, hi = 0;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		double *x;
		size_t n = cvb_rv_metric_samples(cell, "startup_ns", &x);
		for (size_t i = 0; i < n; i++) {
			lo = fmin(lo, x[i]);
			hi = fmax(hi, x[i]);
		}
		free(x);
	}
	if (hi <= 0) {
		snprintf(p->why_not, sizeof(p->why_not), "no cell has startup_ns samples");
		return;
	}
	/* One unit for every series; milliseconds suit anything from a process
	 * spawn to a TCG boot on a log axis. */
	double scale = hi < 1e6 ? 1e3 : lo >= 1e9 ? 1e9 : 1e6;
	const char *unit = scale == 1e3 ? "µs" : scale == 1e9 ? "s" : "ms";
	struct titles t = {0};
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		double *x;
		size_t n = cvb_rv_metric_samples(cell, "startup_ns", &x);
		if (n == 0)
			continue;
		char label[320];
		cvb_rv_cell_label(cell, label, sizeof(label));
		cvb_sort_doubles(x, n);
		/* Past CVB_PLOT_ECDF_POINTS samples, the ECDF through that many
		 * quantiles: the points at ranks ceil(k n / P), k = 1..P, lie on
		 * the ECDF itself (so do min and max), and no step between them
		 * is off by more than 1 / P. A million points would cost gnuplot
		 * seconds and draw the same curve. */
		const bool decimate = n > CVB_PLOT_ECDF_POINTS;
		const size_t points = decimate ? CVB_PLOT_ECDF_POINTS : n;
		cvb_strbuf_printf(&p->data, "%s# %s: startup_ns in %s, ECDF", t.n ? "\n\n" : "",
		                  label, unit);
		if (decimate)
			cvb_strbuf_printf(&p->data, " at %zu quantiles of %zu samples", points, n);
		cvb_strbuf_puts(&p->data, "\n");
		cvb_dat_num(&p->data, x[0] / scale, '\t');
		cvb_dat_num(&p->data, 0, '\n');
		for (size_t k = 1; k <= points; k++) {
			/* rank ceil(k n / points), 1-based */
			size_t i = decimate ? (k * n + points - 1) / points - 1 : k - 1;
			cvb_dat_num(&p->data, x[i] / scale, '\t');
			cvb_dat_num(&p->data, (double)(i + 1) / (double)n, '\n');
		}
		free(x);
		char title[400];
		if (decimate)
			snprintf(title, sizeof(title), "%s (n=%zu, ECDF at %zu quantiles)", label,
			         n, points);
		else
			snprintf(title, sizeof(title), "%s (n=%zu)", label, n);
		titles_add(&t, title);
	}
	cvb_gp_var_str(&p->vars, "unit_label", unit);
	/* A spread over 20x would squash the fast cells into one pixel column. */
	cvb_gp_var_num(&p->vars, "logx", lo > 0 && hi / lo > 20 ? 1 : 0);
	cvb_gp_var_num(&p->vars, "n_series", (double)t.n);
	cvb_gp_array_str(&p->vars, "series_title", t.v, t.n);
	titles_free(&t);
	p->made = true;
}

static const char *const syscall_ops[] = {"getppid", "clock_gettime", "open_close", "stat",
                                          "pipe_rw", "mmap_touch",    "fork_wait",  "sched_yield"};
#define N_OPS (sizeof(syscall_ops) / sizeof(syscall_ops[0]))

static bool has_syscall_metric(const cJSON *cell)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, cvb_rv_get(cell, "metrics"))
	{
		size_t len = strlen(m->string);
		struct cvb_rv_stat st;
		if (strncmp(m->string, "syscall_", 8) == 0 && len > 11 &&
		    strcmp(m->string + len - 3, "_ns") == 0 &&
		    cvb_rv_metric_stat(cell, m->string, &st))
			return true;
	}
	return false;
}

/* Rows: one per operation; per series (cell) three columns: p50, ci95 low
 * and high, in ns ("?" where a cell lacks the operation). */
void cvb_plot_build_syscall(const cJSON *doc, struct cvb_plot *p)
{
	const cJSON *cells[32], *cell;
	size_t n = 0;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		if (n < 32 && has_syscall_metric(cell))
			cells[n++] = cell;
	}
	if (n == 0) {
		snprintf(p->why_not, sizeof(p->why_not),
		         "no cell has syscall_*_ns metrics (run the syscall workload)");
		return;
	}
	struct titles t = {0};
	for (size_t i = 0; i < n; i++) {
		/* The backend name alone unless it has several such cells. */
		const char *b = cvb_rv_str(cells[i], "backend");
		size_t same = 0;
		for (size_t j = 0; j < n; j++)
			same += b && cvb_rv_str(cells[j], "backend") &&
			        strcmp(cvb_rv_str(cells[j], "backend"), b) == 0;
		char label[320];
		cvb_rv_cell_label(cells[i], label, sizeof(label));
		titles_add(&t, same == 1 && b ? b : label);
	}
	cvb_strbuf_puts(&p->data, "# operation");
	for (size_t i = 0; i < t.n; i++)
		cvb_strbuf_printf(&p->data, "\t%s p50 ns\tci95 low\tci95 high", t.v[i]);
	cvb_strbuf_puts(&p->data, "\n");
	for (size_t k = 0; k < N_OPS; k++) {
		char metric[64];
		snprintf(metric, sizeof(metric), "syscall_%s_ns", syscall_ops[k]);
		bool any = false;
		struct cvb_rv_stat st[32];
		for (size_t i = 0; i < n; i++)
			any |= cvb_rv_metric_stat(cells[i], metric, &st[i]);
		if (!any)
			continue;
		cvb_dat_text(&p->data, syscall_ops[k], '\t');
		for (size_t i = 0; i < n; i++) {
			bool have = cvb_rv_metric_stat(cells[i], metric, &st[i]);
			cvb_dat_num(&p->data, have ? st[i].p50 : NAN, '\t');
			cvb_dat_num(&p->data, have && st[i].has_ci ? st[i].ci_lo : NAN, '\t');
			cvb_dat_num(&p->data, have && st[i].has_ci ? st[i].ci_hi : NAN,
			            i + 1 < n ? '\t' : '\n');
		}
	}
	cvb_gp_var_num(&p->vars, "n_series", (double)t.n);
	cvb_gp_array_str(&p->vars, "series_title", t.v, t.n);
	titles_free(&t);
	p->made = true;
}

static const struct {
	const char *name, *title;
	void (*build)(const cJSON *doc, struct cvb_plot *p);
} builders[CVB_PLOT_COUNT] = {
    [CVB_PLOT_STARTUP] = {"startup", "Startup latency distribution per cell",
                          cvb_plot_build_startup},
    [CVB_PLOT_PHASES] = {"phases", "Startup phases per backend (medians)", cvb_plot_build_phases},
    [CVB_PLOT_SYSCALL] = {"syscall", "System call cost per call", cvb_plot_build_syscall},
    [CVB_PLOT_DENSITY] = {"density", "Memory per instance against instances up at once",
                          cvb_plot_build_density},
    [CVB_PLOT_SLOWDOWN] = {"slowdown", "Noisy-neighbour slowdown per scenario",
                           cvb_plot_build_slowdown},
};

int cvb_plot_data_build(const cJSON *doc, struct cvb_plot_set *set, struct cvb_error *err)
{
	*set = (struct cvb_plot_set){0};
	bool ok = true;
	for (int k = 0; k < CVB_PLOT_COUNT; k++) {
		struct cvb_plot *p = &set->plot[k];
		p->name = builders[k].name;
		p->title = builders[k].title;
		cvb_gp_var_str(&p->vars, "plot_title", p->title);
		builders[k].build(doc, p);
		ok &= cvb_strbuf_ok(&p->data) && cvb_strbuf_ok(&p->vars);
	}
	if (!ok)
		return cvb_error_set(err, ENOMEM, "out of memory while computing plot data");
	return 0;
}

void cvb_plot_data_free(struct cvb_plot_set *set)
{
	for (int k = 0; k < CVB_PLOT_COUNT; k++) {
		cvb_strbuf_free(&set->plot[k].data);
		cvb_strbuf_free(&set->plot[k].vars);
	}
}
