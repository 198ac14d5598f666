/* RFC 4180 CSV fields and records. */
#include "csv.h"
#include "numfmt.h"

#include <math.h>
#include <string.h>

/* See csv.h. */
void cvb_csv_field(struct cvb_csv *csv, const char *text)
{
	if (csv->row_started)
		fputc(',', csv->out);
	csv->row_started = true;
	if (!text)
		return;
	if (!strpbrk(text, ",\"\r\n")) {
		fputs(text, csv->out);
		return;
	}
	fputc('"', csv->out);
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			fputc('"', csv->out);
		fputc(*p, csv->out);
	}
	fputc('"', csv->out);
}

/* See csv.h. */
void cvb_csv_number(struct cvb_csv *csv, double v)
{
	char buf[32];

	cvb_csv_field(csv, isfinite(v) ? cvb_format_double(v, buf, sizeof(buf)) : NULL);
}

/* See csv.h. */
void cvb_csv_end_row(struct cvb_csv *csv)
{
	fputs("\r\n", csv->out);
	csv->row_started = false;
}
