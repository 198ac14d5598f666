/* CSV output as RFC 4180 describes it: fields separated by commas, records
 * ended by CRLF, a field quoted when it holds a comma, a double quote, CR or
 * LF, and a double quote inside a quoted field written twice. */
#ifndef CVB_CSV_H
#define CVB_CSV_H

#include <stdbool.h>
#include <stdio.h>

struct cvb_csv {
	FILE *out;
	bool row_started; /* a field was written to the current record */
};

/* Appends one field (NULL writes an empty field) to the current record. */
void cvb_csv_field(struct cvb_csv *csv, const char *text);

/* Appends a number field in shortest round-trip form (numfmt.h); a
 * non-finite value writes an empty field, as spreadsheets expect. */
void cvb_csv_number(struct cvb_csv *csv, double v);

/* Ends the current record. */
void cvb_csv_end_row(struct cvb_csv *csv);

#endif
