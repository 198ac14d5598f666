#include "report_doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct cvb_rblock *add_block(struct cvb_rdoc *d, enum cvb_rblock_kind kind)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		struct cvb_rblock *b = realloc(d->b, cap * sizeof(*b));
		if (!b) {
			d->broken = true;
			return NULL;
		}
		d->b = b;
		d->cap = cap;
	}
	struct cvb_rblock *b = &d->b[d->n++];
	*b = (struct cvb_rblock){.kind = kind};
	return b;
}

static char *vformat(struct cvb_rdoc *d, const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0) {
		d->broken = true;
		return NULL;
	}
	return s;
}

void cvb_rdoc_heading(struct cvb_rdoc *d, int level, const char *fmt, ...)
{
	struct cvb_rblock *b = add_block(d, CVB_RB_HEADING);
	if (!b)
		return;
	va_list ap;
	va_start(ap, fmt);
	b->level = level;
	b->text = vformat(d, fmt, ap);
	va_end(ap);
}

void cvb_rdoc_para(struct cvb_rdoc *d, const char *fmt, ...)
{
	struct cvb_rblock *b = add_block(d, CVB_RB_PARA);
	if (!b)
		return;
	va_list ap;
	va_start(ap, fmt);
	b->text = vformat(d, fmt, ap);
	va_end(ap);
}

/* The last block if it is of `kind`, else NULL. */
static struct cvb_rblock *last(struct cvb_rdoc *d, enum cvb_rblock_kind kind)
{
	return d->n && d->b[d->n - 1].kind == kind ? &d->b[d->n - 1] : NULL;
}

static void add_cell(struct cvb_rdoc *d, struct cvb_rblock *b, char *s)
{
	char **c = realloc(b->cells, (b->n_cells + 1) * sizeof(*c));
	if (!c || !s) {
		d->broken = true;
		free(s);
		return;
	}
	b->cells = c;
	b->cells[b->n_cells++] = s;
}

void cvb_rdoc_list(struct cvb_rdoc *d)
{
	struct cvb_rblock *b = add_block(d, CVB_RB_LIST);
	if (b)
		b->n_cols = 2;
}

void cvb_rdoc_item(struct cvb_rdoc *d, const char *key, const char *fmt, ...)
{
	struct cvb_rblock *b = last(d, CVB_RB_LIST);
	if (!b) {
		d->broken = true;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	char *text = vformat(d, fmt, ap);
	va_end(ap);
	if (!text)
		return;
	add_cell(d, b, strdup(key ? key : ""));
	add_cell(d, b, text);
}

void cvb_rdoc_table(struct cvb_rdoc *d, size_t n_cols, const char *const *heads)
{
	struct cvb_rblock *b = add_block(d, CVB_RB_TABLE);
	if (!b)
		return;
	b->n_cols = n_cols;
	for (size_t i = 0; i < n_cols; i++)
		add_cell(d, b, strdup(heads[i] ? heads[i] : ""));
}

void cvb_rdoc_row(struct cvb_rdoc *d, const char *const *cells)
{
	struct cvb_rblock *b = last(d, CVB_RB_TABLE);
	if (!b) {
		d->broken = true;
		return;
	}
	for (size_t i = 0; i < b->n_cols; i++)
		add_cell(d, b, strdup(cells[i] ? cells[i] : ""));
}

void cvb_rdoc_image(struct cvb_rdoc *d, const char *path, const char *caption)
{
	struct cvb_rblock *b = add_block(d, CVB_RB_IMAGE);
	if (!b)
		return;
	b->path = strdup(path);
	b->text = strdup(caption);
	if (!b->path || !b->text)
		d->broken = true;
}

void cvb_rdoc_free(struct cvb_rdoc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct cvb_rblock *b = &d->b[i];
		free(b->text);
		free(b->path);
		for (size_t c = 0; c < b->n_cells; c++)
			free(b->cells[c]);
		free(b->cells);
	}
	free(d->b);
	*d = (struct cvb_rdoc){0};
}
