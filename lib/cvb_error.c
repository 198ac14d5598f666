#include "cvb_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages are one line whatever the input they quote (a file name or a
 * JSON string may hold a newline): control characters become '?'. */
static void one_line(char *msg)
{
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

int cvb_error_set(struct cvb_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg);
	err->code = code;
	return -1;
}

int cvb_error_errno(struct cvb_error *err, int errno_value, const char *fmt, ...)
{
	if (!err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->msg))
		snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s", strerror(errno_value));
	one_line(err->msg);
	err->code = errno_value;
	return -1;
}

int cvb_error_prefix(struct cvb_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[256], old[sizeof(err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	one_line(err->msg);
	return -1;
}
