#include "parse_num.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cvb_parse_int64(const char *what, const char *text, int64_t min, int64_t max, int64_t *out,
                    struct cvb_error *err)
{
	char *end;
	if (!text || !*text || isspace((unsigned char)text[0]))
		return cvb_error_set(err, EINVAL, "%s: expected a whole number, got '%s'", what,
		                     text ? text : "");
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*end != '\0')
		return cvb_error_set(err, EINVAL, "%s: expected a whole number, got '%s'", what,
		                     text);
	if (errno == ERANGE || v < min || v > max)
		return cvb_error_set(err, ERANGE,
		                     "%s: '%s' is out of range (%" PRId64 "..%" PRId64 ")", what,
		                     text, min, max);
	*out = v;
	return 0;
}

int cvb_parse_seconds_ms(const char *what, const char *text, int64_t min_ms, int64_t max_ms,
                         int64_t *out_ms, struct cvb_error *err)
{
	char *end;
	if (!text || !*text || isspace((unsigned char)text[0]))
		return cvb_error_set(err, EINVAL, "%s: expected seconds, got '%s'", what,
		                     text ? text : "");
	errno = 0;
	double s = strtod(text, &end);
	if (*end != '\0' || !isfinite(s))
		return cvb_error_set(err, EINVAL, "%s: expected seconds (e.g. 10 or 0.5), got '%s'",
		                     what, text);
	double ms = s * 1000.0;
	if (errno == ERANGE || ms < (double)min_ms || ms > (double)max_ms)
		return cvb_error_set(err, ERANGE, "%s: '%s' is out of range (%g..%g seconds)", what,
		                     text, min_ms / 1000.0, max_ms / 1000.0);
	*out_ms = (int64_t)llround(ms);
	return 0;
}

int cvb_parse_size(const char *what, const char *text, int64_t min, int64_t max, int64_t *out,
                   struct cvb_error *err)
{
	char num[64];
	size_t len = text ? strlen(text) : 0;
	int shift = 0;
	if (len == 0 || len >= sizeof(num))
		return cvb_error_set(err, EINVAL, "%s: expected a size such as 64M, got '%s'", what,
		                     text ? text : "");
	memcpy(num, text, len + 1);
	switch (num[len - 1]) {
	case 'K':
	case 'k':
		shift = 10;
		break;
	case 'M':
	case 'm':
		shift = 20;
		break;
	case 'G':
	case 'g':
		shift = 30;
		break;
	case 'T':
	case 't':
		shift = 40;
		break;
	}
	if (shift)
		num[len - 1] = '\0';
	int64_t v;
	if (cvb_parse_int64(what, num, 0, INT64_MAX >> shift, &v, NULL) < 0)
		return cvb_error_set(
		    err, EINVAL, "%s: expected a size such as 64M (suffixes K, M, G, T), got '%s'",
		    what, text);
	v <<= shift;
	if (v < min || v > max)
		return cvb_error_set(err, ERANGE,
		                     "%s: '%s' is out of range (%" PRId64 "..%" PRId64 " bytes)",
		                     what, text, min, max);
	*out = v;
	return 0;
}
