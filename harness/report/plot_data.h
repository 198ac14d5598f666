/* What `cvbench plot` draws, computed from a results document alone: for
 * each plot a tab-separated data file and the gnuplot variables its
 * template (plots/NAME.gp) reads, or the reason the file has no data for it. */
#ifndef CVB_PLOT_DATA_H
#define CVB_PLOT_DATA_H

#include "cvb_error.h"
#include "strbuf.h"

#include <cjson/cJSON.h>
#include <stdbool.h>

/* A startup ECDF of more samples is drawn through this many quantiles. */
#define CVB_PLOT_ECDF_POINTS 1000

enum cvb_plot_kind {
	CVB_PLOT_STARTUP,  /* ECDF of startup_ns per cell (decimated: above) */
	CVB_PLOT_PHASES,   /* median launch phases, stacked per backend */
	CVB_PLOT_SYSCALL,  /* syscall_*_ns per call, grouped per backend */
	CVB_PLOT_DENSITY,  /* memory per instance against N */
	CVB_PLOT_SLOWDOWN, /* noisy-neighbour slowdowns (derived.slowdowns) */
	CVB_PLOT_COUNT
};

struct cvb_plot {
	const char *name;       /* file stem and template name, e.g. "startup" */
	const char *title;      /* what it shows, for the report */
	bool made;              /* the file has data for it */
	char why_not[256];      /* when not made */
	struct cvb_strbuf data; /* the NAME.dat file */
	struct cvb_strbuf vars; /* gnuplot assignments the template reads */
};

struct cvb_plot_set {
	struct cvb_plot plot[CVB_PLOT_COUNT];
};

/* Computes every plot's data. 0, or -1 with err when out of memory (a plot
 * without data is not an error: made is false and why_not says why). Free
 * with cvb_plot_data_free, also after a failure. */
int cvb_plot_data_build(const cJSON *doc, struct cvb_plot_set *set, struct cvb_error *err);
void cvb_plot_data_free(struct cvb_plot_set *set);

/* gnuplot and data-file writing helpers, shared by the plot builders. */

/* Appends s as a single-quoted gnuplot string (quotes doubled, control
 * characters as spaces). */
void cvb_gp_quote(struct cvb_strbuf *b, const char *s);

/* "name = 'value'\n", "name = 1.5\n", "array name[n] = ['a', 'b']\n". */
void cvb_gp_var_str(struct cvb_strbuf *b, const char *name, const char *value);
void cvb_gp_var_num(struct cvb_strbuf *b, const char *name, double value);
void cvb_gp_array_str(struct cvb_strbuf *b, const char *name, char *const *values, size_t n);
void cvb_gp_array_num(struct cvb_strbuf *b, const char *name, const double *values, size_t n);

/* One data-file field: a number ("?" when NaN, gnuplot's missing value) or
 * text with tabs and newlines made spaces; `sep` is appended after it. */
void cvb_dat_num(struct cvb_strbuf *b, double v, char sep);
void cvb_dat_text(struct cvb_strbuf *b, const char *s, char sep);

/* The builders, one per plot (plot_data.c, plot_phases.c, plot_density.c). */
void cvb_plot_build_startup(const cJSON *doc, struct cvb_plot *p);
void cvb_plot_build_phases(const cJSON *doc, struct cvb_plot *p);
void cvb_plot_build_syscall(const cJSON *doc, struct cvb_plot *p);
void cvb_plot_build_density(const cJSON *doc, struct cvb_plot *p);
void cvb_plot_build_slowdown(const cJSON *doc, struct cvb_plot *p);

#endif
