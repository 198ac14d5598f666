/* Bounded appends to a label buffer (config_label.h). */
#include "config_label.h"

#include <stdarg.h>
#include <stdio.h>

void cvb_label_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	if (*off >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
	*off += (size_t)n;
}
