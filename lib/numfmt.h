/* Numbers as text for people and for other programs. */
#ifndef CVB_NUMFMT_H
#define CVB_NUMFMT_H

#include <stddef.h>

/* The shortest decimal that reads back as exactly v ("1018292", "0.1",
 * "1.0000000000000002"); "nan", "inf" or "-inf" for non-finite values.
 * Returns buf. 32 bytes always suffice. */
char *cvb_format_double(double v, char *buf, size_t len);

/* Formats a value of `unit` for people: ns -> "1.23 ms", bytes -> "4.0 MiB". */
void cvb_format_value(double v, const char *unit, char *buf, size_t len);

#endif
