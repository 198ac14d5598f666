/* A report as a list of blocks (headings, paragraphs, lists, tables,
 * images), built once from a results file and rendered twice: Markdown
 * (report_md.c) and self-contained HTML (report_html.c). Text is plain:
 * each renderer escapes it for its own format. */
#ifndef CVB_REPORT_DOC_H
#define CVB_REPORT_DOC_H

#include "cvb_error.h"
#include "plot_data.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

enum cvb_rblock_kind { CVB_RB_HEADING, CVB_RB_PARA, CVB_RB_LIST, CVB_RB_TABLE, CVB_RB_IMAGE };

struct cvb_rblock {
	enum cvb_rblock_kind kind;
	int level;     /* heading: 1..3 */
	char *text;    /* heading, paragraph; image: caption */
	char *path;    /* image: file relative to the report's directory */
	size_t n_cols; /* table: columns; list: 2 (key, text; key may be "") */
	char **cells;  /* table: header row then rows; list: key, text pairs */
	size_t n_cells;
};

struct cvb_rdoc {
	struct cvb_rblock *b;
	size_t n, cap;
	bool broken; /* out of memory: the document is incomplete */
};

void cvb_rdoc_heading(struct cvb_rdoc *d, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cvb_rdoc_para(struct cvb_rdoc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Starts a list; items go to the last list started. */
void cvb_rdoc_list(struct cvb_rdoc *d);
void cvb_rdoc_item(struct cvb_rdoc *d, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Starts a table with n_cols column heads; rows go to the last table. */
void cvb_rdoc_table(struct cvb_rdoc *d, size_t n_cols, const char *const *heads);
void cvb_rdoc_row(struct cvb_rdoc *d, const char *const *cells);
void cvb_rdoc_image(struct cvb_rdoc *d, const char *path, const char *caption);
void cvb_rdoc_free(struct cvb_rdoc *d);

/* What the plots directory holds, for the report's plots section. */
struct cvb_report_plots {
	char rel_dir[64];  /* the plots' directory relative to the report: "plots" */
	char missing[512]; /* why there are no plots at all, or "" */
	struct {
		char name[32];
		char title[256]; /* made: the title; not made: the reason */
		bool made;
	} item[CVB_PLOT_COUNT];
	size_t n;
};

/* Builds the whole report: run, host facts, the seed table, per-cell
 * summaries, failed and skipped cells, plots. 0, or -1 with err (out of
 * memory). Free d with cvb_rdoc_free, also after a failure. */
int cvb_report_build(const cJSON *doc, const struct cvb_report_plots *plots, struct cvb_rdoc *d,
                     struct cvb_error *err);

/* The warnings section: preflight problems and self-checks
 * (report_warnings.c). */
void cvb_report_warnings(const cJSON *doc, struct cvb_rdoc *d);

/* The host section (report_host.c). */
void cvb_report_host(const cJSON *doc, struct cvb_rdoc *d);

#endif
