#include "utf8.h"

#include <stdint.h>

/* Length of the valid sequence at p (1..4), or 0 if it is not one. The
 * second byte's range rules out overlong forms, surrogates and code points
 * above U+10FFFF (RFC 3629, table 3-7 of the Unicode standard). */
static size_t valid_sequence(const unsigned char *p)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else
		return 0;
	if (p[1] < lo || p[1] > hi) /* also stops at the NUL */
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

static bool is_control(const unsigned char *p, size_t n)
{
	if (n == 1)
		return (p[0] < 0x20 && p[0] != '\t') || p[0] == 0x7f;
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0; /* U+0080..U+009F */
}

size_t cvb_utf8_sanitize(char *s, bool controls)
{
	size_t replaced = 0;
	unsigned char *p = (unsigned char *)s;
	while (*p) {
		size_t n = valid_sequence(p);
		if (n && !(controls && is_control(p, n))) {
			p += n;
			continue;
		}
		for (size_t i = 0; i < (n ? n : 1); i++)
			p[i] = '?';
		replaced += n ? n : 1;
		p += n ? n : 1;
	}
	return replaced;
}
