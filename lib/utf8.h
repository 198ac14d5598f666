/* Text that an agent (or any other untrusted source) sends on its way into a
 * results file or a terminal: valid UTF-8, no control characters. */
#ifndef CVB_UTF8_H
#define CVB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Replaces, in place and byte for byte (the length never changes), each
 * byte of an invalid UTF-8 sequence (a stray continuation byte, an overlong
 * form, a surrogate, a code point above U+10FFFF, a sequence cut short) with
 * '?', and with controls, each control character as well (C0 but tab, DEL,
 * C1). Returns how many bytes it replaced. */
size_t cvb_utf8_sanitize(char *s, bool controls);

#endif
