/* Error objects: a function that can fail returns < 0 and fills one of these
 * with a complete, human-readable message. Callers add context or pass it up. */
#ifndef CVB_ERROR_H
#define CVB_ERROR_H

#include <stddef.h>

struct cvb_error {
	int code; /* errno-style cause, 0 when not from a system call */
	char msg[512];
};

/* Sets the message (printf-style) and code; returns -1 so callers can
 * `return cvb_error_set(err, ...)`. err may be NULL. */
int cvb_error_set(struct cvb_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like cvb_error_set, with ": <strerror(errno_value)>" appended. */
int cvb_error_errno(struct cvb_error *err, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with context ("while X: <old message>"). */
int cvb_error_prefix(struct cvb_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
