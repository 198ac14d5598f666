/* Small cJSON helpers shared by the modules that build JSON facts. */
#ifndef CVB_JSON_UTIL_H
#define CVB_JSON_UTIL_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* Adds item under key, taking ownership of it even on failure (NULL item:
 * false). */
bool cvb_json_add(cJSON *obj, const char *key, cJSON *item);

/* A JSON string, or JSON null when s is NULL. */
cJSON *cvb_json_string_or_null(const char *s);

#endif
