/* Writing a comparison (compare.h) as text, JSON, a Markdown table or the
 * array github-action-benchmark reads. */
#ifndef CVB_COMPARE_REPORT_H
#define CVB_COMPARE_REPORT_H

#include "compare.h"

#include <stdbool.h>
#include <stdio.h>

enum cvb_compare_format {
	CVB_COMPARE_TEXT,
	CVB_COMPARE_JSON,
	CVB_COMPARE_MARKDOWN,
	CVB_COMPARE_GITHUB,
};

/* "text", "json", "markdown", "github"; 0, or -1 for anything else. */
int cvb_compare_format_parse(const char *name, enum cvb_compare_format *out);

struct cvb_compare_report {
	const struct cvb_results_file *base, *cur;
	const struct cvb_compare_options *options;
	const struct cvb_comparison *comparison;
	/* github: metrics whose better is "higher" (customBiggerIsBetter)
	 * instead of "lower" (customSmallerIsBetter); the tool takes one
	 * direction per file, so the others are left out. */
	bool github_bigger;
};

/* Writes the report. 0, or -1 with err when out of memory or the stream
 * fails. */
int cvb_compare_report_write(FILE *out, enum cvb_compare_format format,
                             const struct cvb_compare_report *r, struct cvb_error *err);

#endif
