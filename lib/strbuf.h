/* A growable NUL-terminated string for building reports and gnuplot files.
 * Appends never fail loudly: on allocation failure the buffer is marked
 * broken and cvb_strbuf_ok() says so once, at the end. */
#ifndef CVB_STRBUF_H
#define CVB_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct cvb_strbuf {
	char *s;    /* NUL-terminated (never NULL after the first append); owned */
	size_t len; /* bytes before the NUL */
	size_t cap;
	bool broken; /* an allocation failed: the content is incomplete */
};

/* Appends printf-style text. */
void cvb_strbuf_printf(struct cvb_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends len bytes (which may contain anything, NULs aside). */
void cvb_strbuf_append(struct cvb_strbuf *b, const char *data, size_t len);

/* Appends a NUL-terminated string. */
void cvb_strbuf_puts(struct cvb_strbuf *b, const char *s);

/* The text so far: never NULL ("" when empty). */
const char *cvb_strbuf_str(const struct cvb_strbuf *b);

/* True unless an append failed. */
bool cvb_strbuf_ok(const struct cvb_strbuf *b);

/* Hands the string to the caller (free() it) and empties b; NULL if broken. */
char *cvb_strbuf_take(struct cvb_strbuf *b);

void cvb_strbuf_free(struct cvb_strbuf *b);

#endif
