#include "report_md.h"

#include <string.h>

void cvb_md_escape(struct cvb_strbuf *b, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		if (strchr("\\`*|<", *p))
			cvb_strbuf_printf(b, "\\%c", *p);
		else if (*p == '\n' || *p == '\r' || *p == '\t')
			cvb_strbuf_puts(b, " ");
		else
			cvb_strbuf_append(b, p, 1);
	}
}

static void table(const struct cvb_rblock *bl, struct cvb_strbuf *out)
{
	for (size_t i = 0; i < bl->n_cells; i++) {
		size_t col = i % bl->n_cols;
		cvb_strbuf_puts(out, col ? " | " : "| ");
		cvb_md_escape(out, bl->cells[i]);
		if (col + 1 < bl->n_cols)
			continue;
		cvb_strbuf_puts(out, " |\n");
		if (i + 1 == bl->n_cols) {
			for (size_t c = 0; c < bl->n_cols; c++)
				cvb_strbuf_puts(out, c ? "---|" : "|---|");
			cvb_strbuf_puts(out, "\n");
		}
	}
}

void cvb_report_md(const struct cvb_rdoc *d, struct cvb_strbuf *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct cvb_rblock *bl = &d->b[i];
		switch (bl->kind) {
		case CVB_RB_HEADING:
			cvb_strbuf_printf(out, "%.*s ", bl->level, "######");
			cvb_md_escape(out, bl->text);
			cvb_strbuf_puts(out, "\n");
			break;
		case CVB_RB_PARA:
			cvb_md_escape(out, bl->text);
			cvb_strbuf_puts(out, "\n");
			break;
		case CVB_RB_LIST:
			for (size_t k = 0; k + 1 < bl->n_cells; k += 2) {
				cvb_strbuf_puts(out, "- ");
				if (bl->cells[k][0]) {
					cvb_strbuf_puts(out, "**");
					cvb_md_escape(out, bl->cells[k]);
					cvb_strbuf_puts(out, "**: ");
				}
				cvb_md_escape(out, bl->cells[k + 1]);
				cvb_strbuf_puts(out, "\n");
			}
			break;
		case CVB_RB_TABLE:
			table(bl, out);
			break;
		case CVB_RB_IMAGE:
			cvb_strbuf_puts(out, "![");
			cvb_md_escape(out, bl->text);
			cvb_strbuf_printf(out, "](%s)\n", bl->path ? bl->path : "");
			break;
		}
		cvb_strbuf_puts(out, "\n");
	}
}
