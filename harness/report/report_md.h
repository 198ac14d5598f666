/* The report as Markdown (GitHub flavour: pipe tables). */
#ifndef CVB_REPORT_MD_H
#define CVB_REPORT_MD_H

#include "report_doc.h"
#include "strbuf.h"

/* Appends d rendered as Markdown to out. */
void cvb_report_md(const struct cvb_rdoc *d, struct cvb_strbuf *out);

/* Appends s with the characters Markdown would act on backslash-escaped
 * (a table cell's '|' among them) and line breaks as spaces. */
void cvb_md_escape(struct cvb_strbuf *b, const char *s);

#endif
