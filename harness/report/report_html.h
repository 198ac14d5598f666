/* The report as one self-contained HTML page: CSS inline, PNG plots
 * embedded as data URIs, no reference to anything outside the file. */
#ifndef CVB_REPORT_HTML_H
#define CVB_REPORT_HTML_H

#include "report_doc.h"
#include "strbuf.h"

#include <stddef.h>

/* Appends d as an HTML page to out; images are read from dir/path and
 * embedded (one that cannot be read becomes a visible note, never a link). */
void cvb_report_html(const struct cvb_rdoc *d, const char *dir, struct cvb_strbuf *out);

/* Appends s with &, <, >, " and ' as character references. */
void cvb_html_escape(struct cvb_strbuf *b, const char *s);

/* Appends len bytes as base64 (RFC 4648, padded, no line breaks). */
void cvb_base64(struct cvb_strbuf *b, const unsigned char *data, size_t len);

#endif
