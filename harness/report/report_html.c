#include "report_html.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Images larger than this are not embedded (a sane plot is far smaller). */
#define MAX_IMAGE_BYTES (16u << 20)

static const char css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;"
    "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
    "h1{font-size:1.6em;border-bottom:2px solid #ddd;padding-bottom:.3em}"
    "h2{font-size:1.3em;margin-top:2em;border-bottom:1px solid #eee}"
    "h3{font-size:1.05em}"
    "table{border-collapse:collapse;margin:1em 0;font-size:.9em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}tr:nth-child(even) td{background:#fafafa}"
    "td.nm{color:#888;font-style:italic}"
    "li{margin:.2em 0}figure{margin:1em 0}img{max-width:100%;border:1px solid #eee}"
    "figcaption{color:#555;font-size:.9em}.missing{color:#a00}";

void cvb_html_escape(struct cvb_strbuf *b, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '&':
			cvb_strbuf_puts(b, "&amp;");
			break;
		case '<':
			cvb_strbuf_puts(b, "&lt;");
			break;
		case '>':
			cvb_strbuf_puts(b, "&gt;");
			break;
		case '"':
			cvb_strbuf_puts(b, "&quot;");
			break;
		case '\'':
			cvb_strbuf_puts(b, "&#39;");
			break;
		default:
			cvb_strbuf_append(b, p, 1);
		}
	}
}

void cvb_base64(struct cvb_strbuf *b, const unsigned char *data, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char quad[4];
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)data[i] << 16;
		if (i + 1 < len)
			v |= (unsigned)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		quad[0] = alphabet[(v >> 18) & 63];
		quad[1] = alphabet[(v >> 12) & 63];
		quad[2] = i + 1 < len ? alphabet[(v >> 6) & 63] : '=';
		quad[3] = i + 2 < len ? alphabet[v & 63] : '=';
		cvb_strbuf_append(b, quad, 4);
	}
}

/* Reads a whole (small) file; NULL with errno on failure. */
static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rbe");
	if (!f)
		return NULL;
	unsigned char *buf = NULL;
	size_t n = 0, cap = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = cap <= MAX_IMAGE_BYTES ? realloc(buf, cap) : NULL;
			if (!nb) {
				free(buf);
				fclose(f);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	*len = n;
	return buf;
}

static void image(const struct cvb_rblock *bl, const char *dir, struct cvb_strbuf *out)
{
	char path[PATH_MAX];
	size_t len = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, bl->path ? bl->path : "");
	unsigned char *data = read_all(path, &len);
	cvb_strbuf_puts(out, "<figure>");
	if (!data || len == 0) {
		cvb_strbuf_puts(out, "<p class=\"missing\">Plot image missing: ");
		cvb_html_escape(out, bl->path);
		cvb_strbuf_printf(out, " (%s)</p>", data ? "empty file" : strerror(errno));
	} else {
		cvb_strbuf_puts(out, "<img alt=\"");
		cvb_html_escape(out, bl->text);
		cvb_strbuf_puts(out, "\" src=\"data:image/png;base64,");
		cvb_base64(out, data, len);
		cvb_strbuf_puts(out, "\">");
	}
	free(data);
	cvb_strbuf_puts(out, "<figcaption>");
	cvb_html_escape(out, bl->text);
	cvb_strbuf_puts(out, "</figcaption></figure>\n");
}

static void table(const struct cvb_rblock *bl, struct cvb_strbuf *out)
{
	cvb_strbuf_puts(out, "<table>\n");
	for (size_t i = 0; i < bl->n_cells; i++) {
		size_t col = i % bl->n_cols;
		bool head = i < bl->n_cols;
		const char *c = bl->cells[i];
		if (col == 0)
			cvb_strbuf_puts(out, "<tr>");
		cvb_strbuf_puts(out, head                                  ? "<th>"
		                     : strncmp(c, "not measured", 12) == 0 ? "<td class=\"nm\">"
		                                                           : "<td>");
		cvb_html_escape(out, c);
		cvb_strbuf_puts(out, head ? "</th>" : "</td>");
		if (col + 1 == bl->n_cols)
			cvb_strbuf_puts(out, "</tr>\n");
	}
	cvb_strbuf_puts(out, "</table>\n");
}

static void list(const struct cvb_rblock *bl, struct cvb_strbuf *out)
{
	cvb_strbuf_puts(out, "<ul>\n");
	for (size_t k = 0; k + 1 < bl->n_cells; k += 2) {
		cvb_strbuf_puts(out, "<li>");
		if (bl->cells[k][0]) {
			cvb_strbuf_puts(out, "<strong>");
			cvb_html_escape(out, bl->cells[k]);
			cvb_strbuf_puts(out, "</strong>: ");
		}
		cvb_html_escape(out, bl->cells[k + 1]);
		cvb_strbuf_puts(out, "</li>\n");
	}
	cvb_strbuf_puts(out, "</ul>\n");
}

void cvb_report_html(const struct cvb_rdoc *d, const char *dir, struct cvb_strbuf *out)
{
	const char *title = "cvbench report";
	for (size_t i = 0; i < d->n; i++)
		if (d->b[i].kind == CVB_RB_HEADING && d->b[i].text) {
			title = d->b[i].text;
			break;
		}
	cvb_strbuf_puts(out,
	                "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	                "<meta name=\"viewport\" content=\"width=device-width, "
	                "initial-scale=1\">\n<title>");
	cvb_html_escape(out, title);
	cvb_strbuf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", css);
	for (size_t i = 0; i < d->n; i++) {
		const struct cvb_rblock *bl = &d->b[i];
		switch (bl->kind) {
		case CVB_RB_HEADING:
			cvb_strbuf_printf(out, "<h%d>", bl->level);
			cvb_html_escape(out, bl->text);
			cvb_strbuf_printf(out, "</h%d>\n", bl->level);
			break;
		case CVB_RB_PARA:
			cvb_strbuf_puts(out, "<p>");
			cvb_html_escape(out, bl->text);
			cvb_strbuf_puts(out, "</p>\n");
			break;
		case CVB_RB_LIST:
			list(bl, out);
			break;
		case CVB_RB_TABLE:
			table(bl, out);
			break;
		case CVB_RB_IMAGE:
			image(bl, dir, out);
			break;
		}
	}
	cvb_strbuf_puts(out, "</body>\n</html>\n");
}
