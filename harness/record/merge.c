/* Merging shard results; the rules are in merge.h. */
#include "merge.h"
#include "json_fast.h"
#include "json_util.h"
#include "results_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct out_cell {
	const char *label; /* borrowed from the input it came from */
	cJSON *json;       /* owned by the output's cells array */
	size_t from;       /* input index, for messages */
	int host_ref;
};

struct merge {
	const struct cvb_results_file *in;
	size_t n_in;
	const struct cvb_merge_options *o;
	cJSON *hosts, *merged_from, *cells_json;
	size_t *run_from; /* input index of each merged_from entry */
	struct out_cell *cells;
	size_t n_cells;
	size_t pooled;
	/* The output's long arrays of numbers: borrowed from the inputs' own
	 * tables where copied, owned where pooled or renumbered. */
	struct cvb_json_aside *aside;
	struct cvb_error *err;
};

static int nomem(struct merge *m)
{
	return cvb_error_set(m->err, ENOMEM, "out of memory merging results");
}

/* Gives copy (an unchanged cJSON_Duplicate of orig) the numbers orig's
 * arrays have held aside. false when out of memory. */
static bool mirror(struct cvb_json_aside *aside, const cJSON *orig, cJSON *copy)
{
	size_t n;
	const double *v = cJSON_IsArray(orig) ? cvb_json_numbers(orig, &n) : NULL;

	if (v)
		return cvb_json_aside_hold(aside, copy, (double *)v, n, false) == 0;
	for (orig = orig->child, copy = copy->child; orig && copy;
	     orig = orig->next, copy = copy->next)
		if (!mirror(aside, orig, copy))
			return false;
	return true;
}

/* cJSON_Duplicate of a subtree, with its numbers held aside as in orig
 * (a copy of a million samples is then a pointer, not a million nodes).
 * NULL when out of memory. */
static cJSON *dup(struct cvb_json_aside *aside, const cJSON *orig)
{
	cJSON *copy = cJSON_Duplicate(orig, true);

	if (copy && !mirror(aside, orig, copy)) {
		cvb_json_aside_forget(aside, copy);
		cJSON_Delete(copy);
		return NULL;
	}
	return copy;
}

/* The numbers of an array, held aside or in its nodes (non-numbers read
 * as 0), in a new array (NULL, with *n 0, for an empty one); false when
 * out of memory. */
static bool array_values(const cJSON *arr, double **out, size_t *n)
{
	const double *held = cvb_json_numbers(arr, n);
	const cJSON *v;
	size_t k = 0;

	*out = NULL;
	if (!held)
		*n = (size_t)cJSON_GetArraySize(arr);
	if (*n == 0)
		return true;
	*out = malloc(*n * sizeof(**out));
	if (!*out)
		return false;
	if (held) {
		memcpy(*out, held, *n * sizeof(**out));
		return true;
	}
	cJSON_ArrayForEach(v, arr)
	{
		(*out)[k++] = cJSON_IsNumber(v) ? v->valuedouble : 0.0;
	}
	return true;
}

/* Makes arr hold old[0..n) followed by more[0..n_more) + add (aside,
 * owned; old is taken). */
static int set_values(struct merge *m, cJSON *arr, double *old, size_t n, const double *more,
                      size_t n_more, double add)
{
	double *all = realloc(old, (n + n_more ? n + n_more : 1) * sizeof(*all));

	if (!all) {
		free(old);
		return nomem(m);
	}
	for (size_t i = 0; i < n_more; i++)
		all[n + i] = more[i] + add;
	if (cvb_json_aside_hold(m->aside, arr, all, n + n_more, true) < 0)
		return nomem(m);
	return 0;
}

/* arr's numbers followed by more[0..n_more) + add. */
static int append_values(struct merge *m, cJSON *arr, const double *more, size_t n_more, double add)
{
	double *old;
	size_t n;

	if (!array_values(arr, &old, &n))
		return nomem(m);
	return set_values(m, arr, old, n, more, n_more, add);
}

/* Sets key to item, replacing an existing member; takes ownership. */
static bool set_member(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return false;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		return cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	return cvb_json_add(obj, key, item);
}

/* Both absent, or equal. */
static bool same_member(const cJSON *a, const cJSON *b, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(a, key);
	const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, key);

	if (!x || !y)
		return !x && !y;
	return cJSON_Compare(x, y, true);
}

/* Seconds since the epoch of an RFC 3339 time; false if it is not one. */
static bool rfc3339_seconds(const char *s, double *t)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	double frac = 0.0;
	long offset = 0;
	int hh, mm;

	if (!p)
		return false;
	if (*p == '.') {
		char *end;
		frac = strtod(p, &end);
		p = end;
	}
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 &&
	           strlen(p) == 6) {
		offset = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*t = (double)timegm(&tm) - (double)offset + frac;
	return true;
}

static int status_rank(const char *s)
{
	static const char *const order[] = {"skipped", "ok", "incomplete", "failed"};

	for (int i = 0; s && i < 4; i++)
		if (strcmp(s, order[i]) == 0)
			return i;
	return 4; /* unknown: treated as the worst, never hidden */
}

static const char *string_member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* merged_from: every input's run ids (a merged input's own list), each once. */
static int collect_runs(struct merge *m)
{
	m->merged_from = cJSON_CreateArray();
	if (!m->merged_from)
		return nomem(m);
	for (size_t i = 0; i < m->n_in; i++) {
		const struct cvb_results_file *f = &m->in[i];
		cJSON *own = NULL;
		const cJSON *ids = f->merged_from, *id;

		if (!ids) {
			own = cJSON_CreateArray();
			if (!own || !cJSON_AddItemToArray(own, cJSON_CreateString(f->run_id))) {
				cJSON_Delete(own);
				return nomem(m);
			}
			ids = own;
		}
		cJSON_ArrayForEach(id, ids)
		{
			int k = 0;
			const cJSON *seen;

			cJSON_ArrayForEach(seen, m->merged_from)
			{
				if (strcmp(seen->valuestring, id->valuestring) == 0) {
					cvb_error_set(
					    m->err, EINVAL,
					    "'%s' and '%s' both hold run %s: merge each run "
					    "once",
					    m->in[m->run_from[k]].name, f->name, id->valuestring);
					cJSON_Delete(
					    own); /* id may be its item: after the message */
					return -1;
				}
				k++;
			}
			size_t *grown = realloc(m->run_from, (size_t)(k + 1) * sizeof(*grown));
			if (!grown || !cJSON_AddItemToArray(m->merged_from,
			                                    cJSON_CreateString(id->valuestring))) {
				if (grown)
					m->run_from = grown;
				cJSON_Delete(own);
				return nomem(m);
			}
			m->run_from = grown;
			m->run_from[k] = i;
		}
		cJSON_Delete(own);
	}
	return 0;
}

/* The index of run_id in merged_from (collect_runs put every run there). */
static int run_index(const struct merge *m, const char *run_id)
{
	int k = 0;
	const cJSON *id;

	cJSON_ArrayForEach(id, m->merged_from)
	{
		if (strcmp(id->valuestring, run_id) == 0)
			return k;
		k++;
	}
	return -1;
}

/* The index of host in hosts, added if no equal host is there yet. */
/* One machine whatever each run's preflight saw on it (its load, its
 * daemons): the findings are about the run, the other facts about the host. */
static bool same_machine(const cJSON *a, const cJSON *b)
{
	cJSON *x = cJSON_Duplicate(a, true), *y = cJSON_Duplicate(b, true);
	cJSON_DeleteItemFromObjectCaseSensitive(x, "preflight");
	cJSON_DeleteItemFromObjectCaseSensitive(y, "preflight");
	bool same = x && y && cJSON_Compare(x, y, true);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return same;
}

static int intern_host(struct merge *m, const cJSON *host)
{
	int k = 0;
	const cJSON *h;

	cJSON_ArrayForEach(h, m->hosts)
	{
		if (same_machine(h, host))
			return k;
		k++;
	}
	if (!cJSON_AddItemToArray(m->hosts, dup(m->aside, host)))
		return nomem(m);
	return k;
}

/* Appends the input cell's launches to dst, renumbered from `offset`, each
 * with the run_ref of the run it came from. */
static int append_launches(struct merge *m, const struct cvb_results_file *f,
                           const struct cvb_loaded_cell *c, cJSON *dst, int offset)
{
	const cJSON *launch;
	int k = 0;

	cJSON_ArrayForEach(launch, cJSON_GetObjectItemCaseSensitive(c->json, "launches"))
	{
		cJSON *copy = dup(m->aside, launch);
		int run = run_index(m, cvb_results_launch_run_id(f, c, k));

		if (!copy || !cJSON_AddItemToArray(dst, copy)) {
			cJSON_Delete(copy);
			return nomem(m);
		}
		if (cJSON_GetObjectItemCaseSensitive(copy, "index") &&
		    !set_member(copy, "index", cJSON_CreateNumber(offset + k)))
			return nomem(m);
		if (run >= 0 && !set_member(copy, "run_ref", cJSON_CreateNumber(run)))
			return nomem(m);
		k++;
	}
	return 0;
}

/* A copy of the cell with its label, host_ref and launches' run_refs set.
 * Member by member, the launches made anew in their place: a copied array
 * of launches would be thrown away at once. */
static cJSON *copy_cell(struct merge *m, const struct cvb_results_file *f,
                        const struct cvb_loaded_cell *c, int host_ref)
{
	cJSON *copy = cJSON_CreateObject(), *launches = NULL;
	const cJSON *item;

	if (!copy)
		goto fail;
	cJSON_ArrayForEach(item, c->json)
	{
		bool is_launches = item->string && strcmp(item->string, "launches") == 0;
		cJSON *d = is_launches ? cJSON_CreateArray() : dup(m->aside, item);

		if (is_launches)
			launches = d;
		if (!d || !cvb_json_add(copy, item->string ? item->string : "", d))
			goto fail;
	}
	if (!set_member(copy, "label", cJSON_CreateString(c->label)) ||
	    !set_member(copy, "host_ref", cJSON_CreateNumber(host_ref)))
		goto fail;
	if (!launches && !set_member(copy, "launches", launches = cJSON_CreateArray()))
		goto fail;
	if (append_launches(m, f, c, launches, 0) < 0) {
		cvb_json_aside_forget(m->aside, copy);
		cJSON_Delete(copy);
		return NULL;
	}
	return copy;
fail:
	cvb_json_aside_forget(m->aside, copy);
	cJSON_Delete(copy);
	nomem(m);
	return NULL;
}

static int pool_metric(struct merge *m, const struct out_cell *oc, const char *src_name,
                       cJSON *dst_metrics, const struct cvb_loaded_metric *src, int offset)
{
	cJSON *dst = cJSON_GetObjectItemCaseSensitive(dst_metrics, src->name);
	cJSON *samples, *index;

	if (!dst) {
		dst = dup(m->aside, src->json);
		if (!dst || !cvb_json_add(dst_metrics, src->name, dst))
			return nomem(m);
		index = cJSON_GetObjectItemCaseSensitive(dst, "launch_index");
		if (cJSON_IsArray(index) && src->launch)
			return set_values(m, index, NULL, 0, src->launch, src->n, offset);
		return 0;
	}
	if (!same_member(dst, src->json, "unit") || !same_member(dst, src->json, "better"))
		return cvb_error_set(m->err, EINVAL,
		                     "cell '%s' metric %s has another unit or direction in '%s' "
		                     "than in '%s': they cannot be pooled",
		                     oc->label, src->name, src_name, m->in[oc->from].name);
	samples = cJSON_GetObjectItemCaseSensitive(dst, "samples");
	index = cJSON_GetObjectItemCaseSensitive(dst, "launch_index");
	if (!cJSON_IsArray(samples) || !cJSON_IsArray(index) || !src->launch_index)
		return cvb_error_set(m->err, EINVAL,
		                     "cell '%s' metric %s lacks launch_index: it cannot be pooled",
		                     oc->label, src->name);
	if (append_values(m, samples, src->samples, src->n, 0) < 0)
		return -1;
	return append_values(m, index, src->launch ? src->launch : src->samples,
	                     src->launch ? src->n : 0, offset);
}

/* Summaries follow the pooled samples, with the output's bootstrap seed. */
static int resummarise(struct merge *m, cJSON *metrics)
{
	cJSON *metric;

	cJSON_ArrayForEach(metric, metrics)
	{
		const cJSON *samples = cJSON_GetObjectItemCaseSensitive(metric, "samples");
		double *x;
		size_t n;

		if (!array_values(samples, &x, &n))
			return nomem(m);
		cJSON *summary = cvb_summary_to_json(x, n, m->in[0].seed, m->in[0].resamples);
		free(x);
		/* The old summary goes, with whatever the table held for it. */
		cvb_json_aside_forget(m->aside,
		                      cJSON_GetObjectItemCaseSensitive(metric, "summary"));
		if (!set_member(metric, "summary", summary))
			return nomem(m);
	}
	return 0;
}

static void pool_counts(cJSON *dst, const cJSON *src)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, "launch_counts"), *field;
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(src, "launch_counts");

	cJSON_ArrayForEach(field, d)
	{
		const cJSON *add = cJSON_GetObjectItemCaseSensitive(s, field->string);

		if (cJSON_IsNumber(field) && cJSON_IsNumber(add))
			cJSON_SetNumberValue(field, field->valuedouble + add->valuedouble);
	}
}

/* The pooled cell's status is the worse of the two, with that one's reason. */
static int pool_status(struct merge *m, cJSON *dst, const cJSON *src)
{
	const char *ds = string_member(dst, "status"), *ss = string_member(src, "status");

	if (status_rank(ss) > status_rank(ds)) {
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(src, "reason");

		if (!set_member(dst, "status", cJSON_CreateString(ss ? ss : "failed")))
			return nomem(m);
		cJSON_DeleteItemFromObjectCaseSensitive(dst, "reason");
		if (reason && !cvb_json_add(dst, "reason", dup(m->aside, reason)))
			return nomem(m);
	}
	return 0;
}

static int pool_cell(struct merge *m, struct out_cell *oc, size_t from,
                     const struct cvb_loaded_cell *c, int host_ref)
{
	static const char *const identity[] = {"backend",  "workload",  "params", "instances",
	                                       "scenario", "placement", "variant"};
	const struct cvb_results_file *f = &m->in[from];
	cJSON *launches, *metrics;
	int offset;

	if (!m->o->allow_duplicates)
		return cvb_error_set(
		    m->err, EINVAL,
		    "cell '%s' is in both '%s' and '%s': merge shards with distinct "
		    "cells, or pass --allow-duplicates to pool their samples",
		    c->label, m->in[oc->from].name, f->name);
	for (size_t i = 0; i < sizeof(identity) / sizeof(identity[0]); i++)
		if (!same_member(oc->json, c->json, identity[i]))
			return cvb_error_set(m->err, EINVAL,
			                     "cell '%s' has another %s in '%s' than in '%s': only "
			                     "identical cells can be pooled",
			                     c->label, identity[i], f->name, m->in[oc->from].name);
	if (host_ref != oc->host_ref)
		return cvb_error_set(
		    m->err, EINVAL,
		    "cell '%s' was measured on another host in '%s' than in '%s': "
		    "samples of different hosts are not pooled (rename one shard's "
		    "cells, or merge without it)",
		    c->label, f->name, m->in[oc->from].name);

	launches = cJSON_GetObjectItemCaseSensitive(oc->json, "launches");
	offset = cJSON_GetArraySize(launches);
	if (append_launches(m, f, c, launches, offset) < 0)
		return -1;
	metrics = cJSON_GetObjectItemCaseSensitive(oc->json, "metrics");
	if (!metrics) {
		metrics = cJSON_CreateObject();
		if (!cvb_json_add(oc->json, "metrics", metrics))
			return nomem(m);
	}
	for (size_t i = 0; i < c->n_metrics; i++)
		if (pool_metric(m, oc, f->name, metrics, &c->metrics[i], offset) < 0)
			return -1;
	pool_counts(oc->json, c->json);
	if (resummarise(m, metrics) < 0 || pool_status(m, oc->json, c->json) < 0)
		return -1;
	m->pooled++;
	return 0;
}

static int merge_cells(struct merge *m)
{
	m->cells_json = cJSON_CreateArray();
	m->hosts = cJSON_CreateArray();
	if (!m->cells_json || !m->hosts)
		return nomem(m);
	for (size_t i = 0; i < m->n_in; i++) {
		const struct cvb_results_file *f = &m->in[i];

		for (size_t j = 0; j < f->n_cells; j++) {
			const struct cvb_loaded_cell *c = &f->cells[j];
			const cJSON *host = cvb_results_cell_host(f, c);
			struct out_cell *oc = NULL;
			int host_ref;

			if (!cJSON_IsObject(host))
				return cvb_error_set(
				    m->err, EINVAL,
				    "'%s' has no host facts: merge files written by "
				    "'cvbench run'",
				    f->name);
			host_ref = intern_host(m, host);
			if (host_ref < 0)
				return -1;
			for (size_t k = 0; k < m->n_cells && !oc; k++)
				if (strcmp(m->cells[k].label, c->label) == 0)
					oc = &m->cells[k];
			if (oc) {
				if (pool_cell(m, oc, i, c, host_ref) < 0)
					return -1;
				continue;
			}
			struct out_cell *grown =
			    realloc(m->cells, (m->n_cells + 1) * sizeof(*m->cells));
			if (!grown)
				return nomem(m);
			m->cells = grown;
			cJSON *copy = copy_cell(m, f, c, host_ref);
			if (!copy)
				return -1;
			if (!cJSON_AddItemToArray(m->cells_json, copy)) {
				cJSON_Delete(copy);
				return nomem(m);
			}
			m->cells[m->n_cells++] = (struct out_cell){
			    .label = c->label, .json = copy, .from = i, .host_ref = host_ref};
		}
	}
	return 0;
}

/* Appends each string of src[key] not yet in dst[key]. */
static void union_strings(cJSON *dst, const cJSON *src, const char *key)
{
	cJSON *d = cJSON_GetObjectItemCaseSensitive(dst, key);
	const cJSON *s;

	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(src, key))
	{
		const cJSON *have;
		bool found = false;

		if (!cJSON_IsString(s) || !cJSON_IsArray(d))
			continue;
		cJSON_ArrayForEach(have, d)
		{
			found = found || cJSON_Compare(have, s, true);
		}
		if (!found)
			cJSON_AddItemToArray(d, cJSON_CreateString(s->valuestring));
	}
}

static cJSON *merged_config(const struct merge *m)
{
	cJSON *config = dup(m->aside, cJSON_GetObjectItemCaseSensitive(m->in[0].doc, "config"));

	for (size_t i = 1; config && i < m->n_in; i++) {
		const cJSON *other = cJSON_GetObjectItemCaseSensitive(m->in[i].doc, "config");
		union_strings(config, other, "backends");
		union_strings(config, other, "workloads");
	}
	return config;
}

/* Every input's derived arrays, concatenated key by key. */
static cJSON *merged_derived(const struct merge *m)
{
	cJSON *out = NULL;

	for (size_t i = 0; i < m->n_in; i++) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(m->in[i].doc, "derived"), *arr;

		cJSON_ArrayForEach(arr, d)
		{
			cJSON *dst;
			const cJSON *e;

			if (!cJSON_IsArray(arr))
				continue;
			if (!out && !(out = cJSON_CreateObject()))
				return NULL;
			dst = cJSON_GetObjectItemCaseSensitive(out, arr->string);
			if (!dst)
				dst = cJSON_AddArrayToObject(out, arr->string);
			cJSON_ArrayForEach(e, arr)
			{
				cJSON_AddItemToArray(dst, dup(m->aside, e));
			}
		}
	}
	return out;
}

/* The time of the earliest (latest) input; the first input's text when a
 * time cannot be read. */
static const char *extreme_time(const struct merge *m, const char *key, bool latest)
{
	const char *best = string_member(m->in[0].doc, key);
	double tbest;
	bool have = rfc3339_seconds(best, &tbest);

	for (size_t i = 1; have && i < m->n_in; i++) {
		const char *s = string_member(m->in[i].doc, key);
		double t;

		if (rfc3339_seconds(s, &t) && (latest ? t > tbest : t < tbest)) {
			best = s;
			tbest = t;
		}
	}
	return best ? best : "1970-01-01T00:00:00Z";
}

static cJSON *assemble(struct merge *m)
{
	const cJSON *first = m->in[0].doc;
	const char *status = "ok";
	cJSON *doc = cJSON_CreateObject();
	const cJSON *signal = NULL;

	for (size_t i = 0; i < m->n_in; i++) {
		const char *s = string_member(m->in[i].doc, "status");
		if (status_rank(s) > status_rank(status))
			status = s ? s : "failed";
		if (!signal)
			signal =
			    cJSON_GetObjectItemCaseSensitive(m->in[i].doc, "stopped_by_signal");
	}
	if (!doc)
		return NULL;
	cJSON_AddNumberToObject(doc, "schema_version", m->in[0].schema_version);
	cvb_json_add(doc, "tool", dup(m->aside, cJSON_GetObjectItemCaseSensitive(first, "tool")));
	cJSON_AddStringToObject(doc, "run_id", m->o->run_id);
	cJSON_AddStringToObject(doc, "started_at", extreme_time(m, "started_at", false));
	cJSON_AddStringToObject(doc, "finished_at", extreme_time(m, "finished_at", true));
	cJSON_AddStringToObject(doc, "status", status);
	if (signal)
		cvb_json_add(doc, "stopped_by_signal", dup(m->aside, signal));
	cvb_json_add(doc, "host", dup(m->aside, cJSON_GetObjectItemCaseSensitive(first, "host")));
	cvb_json_add(doc, "hosts", m->hosts);
	m->hosts = NULL;
	cvb_json_add(doc, "merged_from", m->merged_from);
	m->merged_from = NULL;
	cvb_json_add(doc, "config", merged_config(m));
	cvb_json_add(doc, "cells", m->cells_json);
	m->cells_json = NULL;
	if (m->pooled == 0)
		cvb_json_add(doc, "derived", merged_derived(m));
	return doc;
}

/* Whether any input has a derived entry (run writes empty arrays too). */
static bool any_derived(const struct cvb_results_file *in, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const cJSON *arr;

		cJSON_ArrayForEach(arr, cJSON_GetObjectItemCaseSensitive(in[i].doc, "derived"))
		{
			if (cJSON_GetArraySize(arr) > 0)
				return true;
		}
	}
	return false;
}

/* Both entry points: the merged document, its long arrays of numbers held
 * in *aside (NULL on failure). */
static cJSON *merge_docs(const struct cvb_results_file *inputs, size_t n,
                         const struct cvb_merge_options *o, struct cvb_merge_info *info,
                         struct cvb_json_aside **aside, struct cvb_error *err)
{
	struct merge m = {.in = inputs, .n_in = n, .o = o, .err = err};
	cJSON *doc = NULL;

	*aside = NULL;
	if (n == 0) {
		cvb_error_set(err, EINVAL, "nothing to merge: name at least one results file");
		return NULL;
	}
	for (size_t i = 1; i < n; i++)
		if (inputs[i].schema_version != inputs[0].schema_version) {
			cvb_error_set(
			    err, EINVAL,
			    "'%s' has schema_version %d but '%s' has %d: merge files of one "
			    "results format (re-run the older shard with this cvbench)",
			    inputs[i].name, inputs[i].schema_version, inputs[0].name,
			    inputs[0].schema_version);
			return NULL;
		}
	m.aside = cvb_json_aside_new();
	if (!m.aside) {
		nomem(&m);
		return NULL;
	}
	if (collect_runs(&m) < 0 || merge_cells(&m) < 0)
		goto cleanup;
	doc = assemble(&m);
	if (!doc || !cJSON_GetObjectItemCaseSensitive(doc, "cells") ||
	    !cJSON_GetObjectItemCaseSensitive(doc, "config")) {
		cJSON_Delete(doc);
		doc = NULL;
		nomem(&m);
		goto cleanup;
	}
	if (info) {
		info->pooled_cells = m.pooled;
		info->derived_dropped = m.pooled > 0 && any_derived(inputs, n);
	}
cleanup:
	if (doc) {
		*aside = m.aside;
	} else {
		cvb_json_aside_free(m.aside); /* before the nodes it names go */
	}
	cJSON_Delete(m.hosts);
	cJSON_Delete(m.merged_from);
	cJSON_Delete(m.cells_json);
	free(m.run_from);
	free(m.cells);
	return doc;
}

/* See merge.h. */
cJSON *cvb_results_merge(const struct cvb_results_file *inputs, size_t n,
                         const struct cvb_merge_options *o, struct cvb_merge_info *info,
                         struct cvb_error *err)
{
	struct cvb_json_aside *aside;
	cJSON *doc = merge_docs(inputs, n, o, info, &aside, err);

	if (doc && cvb_json_aside_materialize(aside) < 0) {
		cvb_error_set(err, ENOMEM, "out of memory merging results");
		cvb_json_aside_free(aside);
		cJSON_Delete(doc);
		return NULL;
	}
	cvb_json_aside_free(aside);
	return doc;
}

/* See merge.h. */
cJSON *cvb_results_merge_aside(const struct cvb_results_file *inputs, size_t n,
                               const struct cvb_merge_options *o, struct cvb_merge_info *info,
                               struct cvb_json_aside **aside, struct cvb_error *err)
{
	return merge_docs(inputs, n, o, info, aside, err);
}
