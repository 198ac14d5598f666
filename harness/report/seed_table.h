/* The seed tutorial's comparison table (startup, resources, overhead,
 * kernel, isolation, noisy neighbours), filled with what one results file
 * measured: one column per backend, each value with its unit and interval,
 * or "not measured" and why. Markdown and HTML reports render the same
 * table, so it is built once, as strings. */
#ifndef CVB_SEED_TABLE_H
#define CVB_SEED_TABLE_H

#include "cvb_error.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define CVB_SEED_MAX_BACKENDS 8
#define CVB_SEED_MAX_ROWS 64 /* rows never move once added */
#define CVB_NOT_MEASURED "not measured"

struct cvb_seed_row {
	char *feature; /* "Startup time, p50" */
	char *claim;   /* the tutorial's claim, "containers / VMs" (may be "") */
	char *value[CVB_SEED_MAX_BACKENDS]; /* one per column; never NULL once built */
};

struct cvb_seed_table {
	size_t n_cols;
	char *backend[CVB_SEED_MAX_BACKENDS]; /* column heads */
	struct cvb_seed_row *rows;
	size_t n_rows, cap_rows;
	char **notes; /* how the rows were measured, where ratios came from */
	size_t n_notes;
	bool broken; /* out of memory while building */
};

/* Builds the table from a results document. Returns 0, or -1 with err (out
 * of memory only: missing data becomes "not measured"). Free with
 * cvb_seed_table_free, also after a failure. */
int cvb_seed_table_build(const cJSON *doc, struct cvb_seed_table *t, struct cvb_error *err);
void cvb_seed_table_free(struct cvb_seed_table *t);

/* The value of the row whose feature starts with `feature` in the column of
 * `backend`, or NULL (for tests and for callers picking single facts). */
const char *cvb_seed_table_value(const struct cvb_seed_table *t, const char *feature,
                                 const char *backend);

/* Building blocks shared by seed_table.c and seed_isolation.c. */

/* Appends a row with every value "not measured"; NULL when out of memory or
 * past CVB_SEED_MAX_ROWS (the table is then broken). The row stays where it
 * is while more are added. */
struct cvb_seed_row *cvb_seed_row_add(struct cvb_seed_table *t, const char *feature,
                                      const char *claim);

/* Replaces the value in column col (printf-style). */
void cvb_seed_row_set(struct cvb_seed_table *t, struct cvb_seed_row *row, size_t col,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Appends a note below the table (printf-style). */
void cvb_seed_note(struct cvb_seed_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "not measured (skipped: REASON)" when `why` is a cell that did not run
 * (the reason cut to fit a table cell), else "not measured (HINT)", e.g.
 * "no syscall cell in this run", or plain "not measured" (hint NULL). */
void cvb_seed_not_measured(const cJSON *why, const char *hint, char *buf, size_t len);

/* Says whether a cell holds the data a row needs. */
typedef bool (*cvb_seed_has_fn)(const cJSON *cell, const void *arg);

/* The cell of `backend` a row reads: a plain cell (one instance at a time,
 * no scenario) of workload `prefer` first, then any plain cell that has the
 * data, then (when plain_only is false) any cell that has it. NULL when none
 * does; then *failed is a cell of `prefer` that did not run (its reason
 * explains the gap), or NULL. */
const cJSON *cvb_seed_pick_cell(const cJSON *doc, const char *backend, const char *prefer,
                                bool plain_only, cvb_seed_has_fn has, const void *arg,
                                const cJSON **failed);

/* The kernel and isolation rows (audit facts) and the noisy-neighbour rows
 * (derived.slowdowns). */
void cvb_seed_add_isolation_rows(const cJSON *doc, struct cvb_seed_table *t);
void cvb_seed_add_noisy_rows(const cJSON *doc, struct cvb_seed_table *t);

#endif
