/* libFuzzer target: json_fast.c against cJSON. cvb_json_parse promises the
 * tree cJSON_ParseWithLengthOpts gives, and with numbers held aside the
 * same tree once they are put back in; both are checked by printing the
 * trees (cJSON prints numbers so that they read back exactly). */
#include "json_fast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static char *print(const cJSON *t)
{
	return t ? cJSON_PrintUnformatted(t) : NULL;
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	const char *end = NULL;
	cJSON *ref = cJSON_ParseWithLengthOpts(text, size, &end, false);
	int code = 0;
	size_t at = 0;
	cJSON *plain = cvb_json_parse(text, size, NULL, &code, &at);
	struct cvb_json_aside *aside = NULL;
	cJSON *held = cvb_json_parse(text, size, &aside, &code, &at);
	if (!ref != !plain || !ref != !held)
		abort(); /* accepted by one parser and not the other */
	char *r = print(ref), *p = print(plain);
	if (!same(r, p))
		abort(); /* a different tree */
	if (held) {
		if (cvb_json_aside_materialize(aside) == 0) {
			char *h = print(held);
			if (!same(r, h))
				abort(); /* numbers held aside came back different */
			free(h);
		}
		cvb_json_aside_free(aside);
	}
	free(r);
	free(p);
	cJSON_Delete(ref);
	cJSON_Delete(plain);
	cJSON_Delete(held);
	free(text);
	return 0;
}
