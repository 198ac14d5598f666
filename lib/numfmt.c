/* Shortest round-trip formatting of doubles, and values with their units for people. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void cvb_format_value(double v, const char *unit, char *buf, size_t len)
{
	double a = fabs(v);
	if (strcmp(unit, "ns") == 0) {
		if (a >= 1e9)
			snprintf(buf, len, "%.3g s", v / 1e9);
		else if (a >= 1e6)
			snprintf(buf, len, "%.3g ms", v / 1e6);
		else if (a >= 1e3)
			snprintf(buf, len, "%.3g us", v / 1e3);
		else
			snprintf(buf, len, "%.3g ns", v);
	} else if (strcmp(unit, "bytes") == 0) {
		if (a >= 1024.0 * 1024 * 1024)
			snprintf(buf, len, "%.3g GiB", v / (1024.0 * 1024 * 1024));
		else if (a >= 1024.0 * 1024)
			snprintf(buf, len, "%.3g MiB", v / (1024.0 * 1024));
		else if (a >= 1024.0)
			snprintf(buf, len, "%.3g KiB", v / 1024.0);
		else
			snprintf(buf, len, "%.0f B", v);
	} else {
		snprintf(buf, len, "%.4g %s", v, unit);
	}
}
