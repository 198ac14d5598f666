/* Shortest round-trip formatting of doubles. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* See numfmt.h. Tries precisions from 15 up to 17 significant digits (17
 * always round-trips an IEEE double), so whole numbers and short decimals
 * print as people wrote them and nothing is ever lost. */
char *cvb_format_double(double v, char *buf, size_t len)
{
	if (isnan(v)) {
		snprintf(buf, len, "nan");
		return buf;
	}
	if (isinf(v)) {
		snprintf(buf, len, v > 0 ? "inf" : "-inf");
		return buf;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}
