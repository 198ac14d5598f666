#include "findings.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct cvb_finding *cvb_findings_add(struct cvb_findings *f, const char *check,
                                     const char *subject, enum cvb_level verdict,
                                     const char *fix, const char *evidence_fmt, ...)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct cvb_finding *v = realloc(f->v, cap * sizeof(*v));
		if (!v) {
			f->broken = true;
			return NULL;
		}
		f->v = v;
		f->cap = cap;
	}
	struct cvb_finding *x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	snprintf(x->check, sizeof(x->check), "%s", check);
	snprintf(x->subject, sizeof(x->subject), "%s", subject ? subject : "");
	/* A fix only where there is something to fix. */
	snprintf(x->fix, sizeof(x->fix), "%s", fix && verdict != CVB_LEVEL_OK ? fix : "");
	x->verdict = verdict;
	va_list ap;
	va_start(ap, evidence_fmt);
	vsnprintf(x->evidence, sizeof(x->evidence), evidence_fmt, ap);
	va_end(ap);
	return x;
}

enum cvb_level cvb_findings_worst(const struct cvb_findings *f)
{
	enum cvb_level w = CVB_LEVEL_OK;
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].verdict > w)
			w = f->v[i].verdict;
	return w;
}

size_t cvb_findings_count(const struct cvb_findings *f, enum cvb_level v)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].verdict == v;
	return n;
}

static const char *const level_names[] = {"ok", "warn", "fail"};

const char *cvb_level_name(enum cvb_level v)
{
	return (unsigned)v < 3 ? level_names[v] : "?";
}

int cvb_level_parse(const char *text, enum cvb_level *out)
{
	for (int i = 0; i < 3; i++)
		if (text && strcmp(text, level_names[i]) == 0) {
			*out = (enum cvb_level)i;
			return 0;
		}
	return -1;
}

cJSON *cvb_findings_to_json(const struct cvb_findings *f)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < f->n; i++) {
		const struct cvb_finding *x = &f->v[i];
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddStringToObject(o, "check", x->check);
		cJSON_AddStringToObject(o, "subject", x->subject);
		cJSON_AddStringToObject(o, "verdict", cvb_level_name(x->verdict));
		cJSON_AddStringToObject(o, "evidence", x->evidence);
		cJSON_AddStringToObject(o, "fix", x->fix);
	}
	return arr;
}

static const char *str_item(const cJSON *o, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

size_t cvb_findings_from_json(struct cvb_findings *f, const cJSON *arr)
{
	size_t added = 0;
	if (!cJSON_IsArray(arr))
		return 0;
	for (const cJSON *o = arr->child; o; o = o->next) {
		enum cvb_level v;
		const char *check = str_item(o, "check"), *ev = str_item(o, "evidence");
		if (!check || !ev || cvb_level_parse(str_item(o, "verdict"), &v) < 0)
			continue;
		added += cvb_findings_add(f, check, str_item(o, "subject"), v, str_item(o, "fix"),
		                          "%s", ev) != NULL;
	}
	return added;
}

void cvb_findings_print(FILE *out, const struct cvb_findings *f, bool only_problems)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct cvb_finding *x = &f->v[i];
		if (only_problems && x->verdict == CVB_LEVEL_OK)
			continue;
		fprintf(out, "  %-4s  %-22s %s%s%s\n", cvb_level_name(x->verdict), x->check,
		        x->subject[0] ? x->subject : "", x->subject[0] ? ": " : "", x->evidence);
		if (x->fix[0] && x->verdict != CVB_LEVEL_OK)
			fprintf(out, "        %-22s fix: %s\n", "", x->fix);
	}
	if (f->broken)
		fprintf(out, "  (out of memory: some findings are missing)\n");
}

void cvb_findings_free(struct cvb_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof(*f));
}
