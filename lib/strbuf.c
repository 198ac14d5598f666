#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct cvb_strbuf *b, size_t extra)
{
	if (b->broken)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *s = realloc(b->s, cap);
	if (!s) {
		b->broken = true;
		return false;
	}
	b->s = s;
	b->cap = cap;
	return true;
}

void cvb_strbuf_append(struct cvb_strbuf *b, const char *data, size_t len)
{
	if (!reserve(b, len))
		return;
	memcpy(b->s + b->len, data, len);
	b->len += len;
	b->s[b->len] = '\0';
}

void cvb_strbuf_puts(struct cvb_strbuf *b, const char *s)
{
	cvb_strbuf_append(b, s, strlen(s));
}

void cvb_strbuf_printf(struct cvb_strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->broken = true;
		return;
	}
	if (!reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *cvb_strbuf_str(const struct cvb_strbuf *b)
{
	return b->s ? b->s : "";
}

bool cvb_strbuf_ok(const struct cvb_strbuf *b)
{
	return !b->broken;
}

char *cvb_strbuf_take(struct cvb_strbuf *b)
{
	char *s = b->broken ? NULL : b->s ? b->s : strdup("");
	if (b->broken)
		free(b->s);
	*b = (struct cvb_strbuf){0};
	return s;
}

void cvb_strbuf_free(struct cvb_strbuf *b)
{
	free(b->s);
	*b = (struct cvb_strbuf){0};
}
