/* What option rows share between the harness and the backends. */
#include "backend_options.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int cvb_option_parse_names(const char *what, const char *arg, const char *const *names,
                           unsigned *out, struct cvb_error *err)
{
	char buf[256];
	unsigned bits = 0, all = 0;
	for (size_t i = 0; names[i]; i++)
		all |= 1u << i;
	if (strcmp(arg, "none") == 0) {
		*out = 0;
		return 0;
	}
	if (strcmp(arg, "all") == 0) {
		*out = all;
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return cvb_error_set(err, EINVAL, "%s: list too long", what);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (names[i] && strcmp(names[i], tok) != 0)
			i++;
		if (!names[i]) {
			char known[256];
			size_t off = 0;
			for (size_t j = 0; names[j]; j++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
				                        j ? "," : "", names[j]);
			return cvb_error_set(err, EINVAL, "%s: unknown '%s' (known: %s, all, none)",
			                     what, tok, known);
		}
		bits |= 1u << i;
	}
	*out = bits;
	return 0;
}
