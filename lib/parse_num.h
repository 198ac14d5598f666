/* Strict number parsing for command-line values: whole string, range checked,
 * overflow detected, with errors that name the option and the accepted range. */
#ifndef CVB_PARSE_NUM_H
#define CVB_PARSE_NUM_H

#include "cvb_error.h"

#include <stdint.h>

int cvb_parse_int64(const char *what, const char *text, int64_t min, int64_t max, int64_t *out,
                    struct cvb_error *err);

/* Decimal seconds ("2", "0.5") into milliseconds within [min_ms, max_ms]. */
int cvb_parse_seconds_ms(const char *what, const char *text, int64_t min_ms, int64_t max_ms,
                         int64_t *out_ms, struct cvb_error *err);

/* A size in bytes: a whole number with an optional binary suffix K, M, G or T
 * (KiB, MiB, ...; "64M" is 64 MiB), within [min, max]. */
int cvb_parse_size(const char *what, const char *text, int64_t min, int64_t max, int64_t *out,
                   struct cvb_error *err);

#endif
