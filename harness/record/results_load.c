/* Reading and checking results files; see results_load.h. */
#include "results_load.h"
#include "json_fast.h"
#include "numfmt.h"
#include "signals.h"
#include "stats.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Results files are megabytes; anything beyond this is not one. */
#define MAX_RESULTS_BYTES (1024L * 1024 * 1024)

#define FIX_HINT "pass a file written by 'cvbench run' or 'cvbench merge'"

static char *read_whole_file(const char *path, size_t *len, struct cvb_error *err)
{
	int fd;
	struct stat st;
	char *buf = NULL;
	size_t used = 0;

	/* A FIFO's open waits for a writer; a stop signal ends the wait (the
	 * handlers have no SA_RESTART). */
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR && !cvb_stop_signal);
	if (fd < 0 && cvb_stop_signal) {
		cvb_error_set(err, EINTR, "interrupted opening '%s' (signal %d)", path,
		              (int)cvb_stop_signal);
		return NULL;
	}
	if (fd < 0) {
		cvb_error_errno(err, errno, "cannot read '%s'", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		cvb_error_errno(err, errno, "cannot read '%s'", path);
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		cvb_error_set(err, EISDIR, "'%s' is a directory: %s", path, FIX_HINT);
		goto fail;
	}
	if (st.st_size > MAX_RESULTS_BYTES) {
		cvb_error_set(err, EFBIG, "'%s' is larger than 1 GiB: %s", path, FIX_HINT);
		goto fail;
	}
	/* st_size is a hint only (pipes, /proc): read until end of file. One
	 * byte more than it says, so that the read seeing the end does not
	 * double (and copy) a buffer of a 30 MB file first. */
	size_t cap = (size_t)st.st_size + 2;
	buf = malloc(cap);
	if (!buf)
		goto nomem;
	for (;;) {
		if (used + 1 >= cap) {
			if (cap > (size_t)MAX_RESULTS_BYTES) {
				cvb_error_set(err, EFBIG, "'%s' is larger than 1 GiB: %s", path,
				              FIX_HINT);
				goto fail;
			}
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				goto nomem;
			buf = bigger;
			cap *= 2;
		}
		if (cvb_stop_signal) {
			cvb_error_set(err, EINTR, "interrupted reading '%s' (signal %d)", path,
			              (int)cvb_stop_signal);
			goto fail;
		}
		ssize_t n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cvb_error_errno(err, errno, "cannot read '%s'", path);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	close(fd);
	*len = used;
	return buf;
nomem:
	cvb_error_set(err, ENOMEM, "out of memory reading '%s'", path);
fail:
	free(buf);
	close(fd);
	return NULL;
}

static int cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void print_param_value(FILE *f, const cJSON *v)
{
	char buf[32];

	if (cJSON_IsNumber(v)) {
		fputs(cvb_format_double(v->valuedouble, buf, sizeof(buf)), f);
	} else if (cJSON_IsString(v)) {
		fputs(v->valuestring, f);
	} else {
		char *text = cJSON_PrintUnformatted(v);
		fputs(text ? text : "?", f);
		free(text);
	}
}

/* Writes "<first>name=value<sep>name=value..." sorted by name to f.
 * -1 when out of memory. */
static int print_params_sorted(FILE *f, const cJSON *params, const char *first, const char *sep)
{
	size_t n = 0, i = 0;
	const cJSON *p;
	const char **names;

	cJSON_ArrayForEach(p, params)
	{
		n++;
	}
	if (n == 0)
		return 0;
	names = calloc(n, sizeof(*names));
	if (!names)
		return -1;
	cJSON_ArrayForEach(p, params)
	{
		names[i++] = p->string ? p->string : "";
	}
	qsort(names, n, sizeof(*names), cmp_str_ptr);
	for (i = 0; i < n; i++) {
		fputs(i == 0 ? first : sep, f);
		fprintf(f, "%s=", names[i]);
		print_param_value(f, cJSON_GetObjectItemCaseSensitive(params, names[i]));
	}
	free(names);
	return 0;
}

/* Runs print_params_sorted into a new string, with an optional prefix. */
static char *params_string(const char *prefix_a, const char *prefix_b, const cJSON *params,
                           const char *first, const char *sep)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (!f)
		return NULL;
	if (prefix_a)
		fprintf(f, "%s/%s", prefix_a, prefix_b);
	rc = print_params_sorted(f, params, first, sep);
	if (fclose(f) != 0 || rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* See results_load.h. */
char *cvb_cell_label_fallback(const char *backend, const char *workload, const cJSON *params)
{
	return params_string(backend, workload, params, " ", " ");
}

/* See results_load.h. */
char *cvb_cell_params_text(const cJSON *params)
{
	return params_string(NULL, NULL, params, "", ";");
}

static const char *string_member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static bool is_whole(const cJSON *v, double min)
{
	return cJSON_IsNumber(v) && v->valuedouble >= min && v->valuedouble <= 9007199254740992.0 &&
	       floor(v->valuedouble) == v->valuedouble;
}

/* The numbers of a JSON array, held aside (json_fast.h) or in its nodes,
 * copied into *out (NULL when empty); *n their count. -1 when out of
 * memory; *bad is the index of the first element that is not a number,
 * or SIZE_MAX. One walk: counting a cJSON array is a walk of its own. */
static int array_numbers(const struct cvb_results_file *f, const cJSON *arr, double **out,
                         size_t *n, size_t *bad)
{
	const double *held = cvb_json_aside_find(f->aside, arr, n);
	const cJSON *v;
	size_t cap = 0;

	*out = NULL;
	*bad = SIZE_MAX;
	if (held) {
		*out = malloc(*n * sizeof(**out));
		if (!*out)
			return -1;
		memcpy(*out, held, *n * sizeof(**out));
		return 0;
	}
	*n = 0;
	cJSON_ArrayForEach(v, arr)
	{
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			double *grown = realloc(*out, cap * sizeof(*grown));
			if (!grown)
				return -1;
			*out = grown;
		}
		if (!cJSON_IsNumber(v) && *bad == SIZE_MAX)
			*bad = *n;
		(*out)[(*n)++] = cJSON_IsNumber(v) ? v->valuedouble : NAN;
	}
	return 0;
}

static int load_metric(const struct cvb_results_file *f, size_t ci, const cJSON *mj,
                       struct cvb_loaded_metric *m, struct cvb_error *err)
{
	const char *better;
	const cJSON *samples;
	size_t bad, n_launch;

	m->name = mj->string;
	m->json = mj;
	if (!cJSON_IsObject(mj))
		return cvb_error_set(err, EINVAL,
		                     "'%s': cells[%zu].metrics.%s is not an object: %s", f->name,
		                     ci, m->name, FIX_HINT);
	m->unit = string_member(mj, "unit");
	better = string_member(mj, "better");
	samples = cJSON_GetObjectItemCaseSensitive(mj, "samples");
	if (!m->unit || !better || (strcmp(better, "lower") != 0 && strcmp(better, "higher") != 0))
		return cvb_error_set(err, EINVAL,
		                     "'%s': cells[%zu].metrics.%s lacks a unit or a better of "
		                     "\"lower\"/\"higher\": %s",
		                     f->name, ci, m->name, FIX_HINT);
	m->lower_is_better = strcmp(better, "lower") == 0;
	if (!cJSON_IsArray(samples))
		return cvb_error_set(err, EINVAL,
		                     "'%s': cells[%zu].metrics.%s has no samples array: %s",
		                     f->name, ci, m->name, FIX_HINT);
	if (array_numbers(f, samples, &m->samples, &m->n, &bad) < 0)
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);
	for (size_t i = 0; i < m->n && bad == SIZE_MAX; i++)
		if (!isfinite(m->samples[i]))
			bad = i;
	if (bad != SIZE_MAX)
		return cvb_error_set(err, EINVAL,
		                     "'%s': cells[%zu].metrics.%s.samples[%zu] is not a number: "
		                     "%s",
		                     f->name, ci, m->name, bad, FIX_HINT);
	m->launch_index = cJSON_GetObjectItemCaseSensitive(mj, "launch_index");
	if (!m->launch_index)
		return 0;
	if (!cJSON_IsArray(m->launch_index))
		goto mismatch;
	if (array_numbers(f, m->launch_index, &m->launch, &n_launch, &bad) < 0)
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);
	if (n_launch != m->n)
		goto mismatch;
	for (size_t i = 0; i < m->n; i++) {
		double v = m->launch[i];

		if (!(v >= 0 && v <= INT32_MAX && floor(v) == v))
			return cvb_error_set(err, EINVAL,
			                     "'%s': cells[%zu].metrics.%s.launch_index holds a "
			                     "non-index: %s",
			                     f->name, ci, m->name, FIX_HINT);
	}
	return 0;
mismatch:
	return cvb_error_set(err, EINVAL,
	                     "'%s': cells[%zu].metrics.%s.launch_index does not match its "
	                     "samples: %s",
	                     f->name, ci, m->name, FIX_HINT);
}

static int load_cell(struct cvb_results_file *f, size_t ci, const cJSON *cj,
                     struct cvb_loaded_cell *c, struct cvb_error *err)
{
	const cJSON *label, *metrics, *mj, *host_ref;
	size_t i = 0;

	c->json = cj;
	c->host_ref = -1;
	if (!cJSON_IsObject(cj))
		return cvb_error_set(err, EINVAL, "'%s': cells[%zu] is not an object: %s", f->name,
		                     ci, FIX_HINT);
	c->backend = string_member(cj, "backend");
	c->workload = string_member(cj, "workload");
	c->status = string_member(cj, "status");
	c->params = cJSON_GetObjectItemCaseSensitive(cj, "params");
	if (!c->backend || !c->workload || (c->params && !cJSON_IsObject(c->params)))
		return cvb_error_set(err, EINVAL,
		                     "'%s': cells[%zu] lacks a backend, a workload or a params "
		                     "object: %s",
		                     f->name, ci, FIX_HINT);
	label = cJSON_GetObjectItemCaseSensitive(cj, "label");
	if (label && !cJSON_IsNull(label) && !(cJSON_IsString(label) && label->valuestring[0]))
		return cvb_error_set(err, EINVAL, "'%s': cells[%zu].label is not a string: %s",
		                     f->name, ci, FIX_HINT);
	if (cJSON_IsString(label)) {
		c->label = strdup(label->valuestring);
	} else {
		c->label = cvb_cell_label_fallback(c->backend, c->workload, c->params);
		c->label_derived = true;
	}
	if (!c->label)
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);

	host_ref = cJSON_GetObjectItemCaseSensitive(cj, "host_ref");
	if (host_ref) {
		if (!f->hosts || !is_whole(host_ref, 0) ||
		    host_ref->valuedouble >= (double)cJSON_GetArraySize(f->hosts))
			return cvb_error_set(err, EINVAL,
			                     "'%s': cells[%zu].host_ref does not index the file's "
			                     "hosts: %s",
			                     f->name, ci, FIX_HINT);
		c->host_ref = (int)host_ref->valuedouble;
	}

	metrics = cJSON_GetObjectItemCaseSensitive(cj, "metrics");
	if (!metrics)
		return 0;
	if (!cJSON_IsObject(metrics))
		return cvb_error_set(err, EINVAL, "'%s': cells[%zu].metrics is not an object: %s",
		                     f->name, ci, FIX_HINT);
	c->n_metrics = (size_t)cJSON_GetArraySize(metrics);
	if (c->n_metrics == 0)
		return 0;
	c->metrics = calloc(c->n_metrics, sizeof(*c->metrics));
	if (!c->metrics) {
		c->n_metrics = 0;
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);
	}
	cJSON_ArrayForEach(mj, metrics)
	{
		if (load_metric(f, ci, mj, &c->metrics[i++], err) < 0)
			return -1;
	}
	return 0;
}

/* The recorded bootstrap settings, so that statistics recomputed from this
 * file's samples match its own summaries; resamples within what --resamples
 * takes (-1 with err otherwise). */
static int load_statistics(struct cvb_results_file *f, struct cvb_error *err)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(f->doc, "config"), "statistics");
	const char *seed = string_member(st, "bootstrap_seed");
	const cJSON *resamples = cJSON_GetObjectItemCaseSensitive(st, "bootstrap_resamples");
	char *end;

	f->seed = CVB_BOOTSTRAP_SEED_DEFAULT;
	f->resamples = CVB_BOOTSTRAP_RESAMPLES_DEFAULT;
	if (seed) {
		errno = 0;
		unsigned long long v = strtoull(seed, &end, 10);
		if (errno == 0 && end != seed && *end == '\0')
			f->seed = v;
	}
	if (!resamples)
		return 0;
	if (!is_whole(resamples, CVB_BOOTSTRAP_RESAMPLES_MIN) ||
	    resamples->valuedouble > CVB_BOOTSTRAP_RESAMPLES_MAX)
		return cvb_error_set(err, EINVAL,
		                     "'%s': config.statistics.bootstrap_resamples is not a whole "
		                     "number from %u to %u (what --resamples takes): %s",
		                     f->name, CVB_BOOTSTRAP_RESAMPLES_MIN,
		                     CVB_BOOTSTRAP_RESAMPLES_MAX, FIX_HINT);
	f->resamples = (unsigned)resamples->valuedouble;
	return 0;
}

static int check_top_level(struct cvb_results_file *f, struct cvb_error *err)
{
	const cJSON *doc = f->doc, *version, *cells;
	const char *tool = string_member(cJSON_GetObjectItemCaseSensitive(doc, "tool"), "name");

	if (!cJSON_IsObject(doc) || !tool || strcmp(tool, "cvbench") != 0)
		return cvb_error_set(
		    err, EINVAL,
		    "'%s' is not a cvbench results file (no tool.name \"cvbench\"): "
		    "%s",
		    f->name, FIX_HINT);
	version = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");
	if (!is_whole(version, 1))
		return cvb_error_set(err, EINVAL, "'%s' has no schema_version: %s", f->name,
		                     FIX_HINT);
	if (version->valuedouble > CVB_RESULTS_SCHEMA_READ)
		return cvb_error_set(err, EINVAL,
		                     "'%s' has schema_version %.0f, this cvbench reads up to %d: "
		                     "use the cvbench that wrote it, or a newer one",
		                     f->name, version->valuedouble, CVB_RESULTS_SCHEMA_READ);
	f->schema_version = (int)version->valuedouble;
	f->run_id = string_member(doc, "run_id");
	cells = cJSON_GetObjectItemCaseSensitive(doc, "cells");
	if (!f->run_id || !cJSON_IsArray(cells))
		return cvb_error_set(err, EINVAL, "'%s' lacks a run_id or a cells array: %s",
		                     f->name, FIX_HINT);
	f->hosts = cJSON_GetObjectItemCaseSensitive(doc, "hosts");
	if (f->hosts && !cJSON_IsArray(f->hosts))
		return cvb_error_set(err, EINVAL, "'%s': hosts is not an array: %s", f->name,
		                     FIX_HINT);
	f->merged_from = cJSON_GetObjectItemCaseSensitive(doc, "merged_from");
	if (f->merged_from) {
		const cJSON *id;
		bool ok = cJSON_IsArray(f->merged_from) && cJSON_GetArraySize(f->merged_from) > 0;
		cJSON_ArrayForEach(id, f->merged_from)
		{
			ok = ok && cJSON_IsString(id);
		}
		if (!ok)
			return cvb_error_set(err, EINVAL,
			                     "'%s': merged_from is not a list of run ids: %s",
			                     f->name, FIX_HINT);
	}
	return load_statistics(f, err);
}

static int index_cells(struct cvb_results_file *f, struct cvb_error *err)
{
	const cJSON *cells = cJSON_GetObjectItemCaseSensitive(f->doc, "cells"), *cj;
	size_t i = 0;

	f->n_cells = (size_t)cJSON_GetArraySize(cells);
	if (f->n_cells == 0)
		return 0;
	f->cells = calloc(f->n_cells, sizeof(*f->cells));
	if (!f->cells) {
		f->n_cells = 0;
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);
	}
	cJSON_ArrayForEach(cj, cells)
	{
		if (load_cell(f, i, cj, &f->cells[i], err) < 0)
			return -1;
		i++;
	}
	/* Labels are the identity of a cell for compare and merge; the few
	 * cells of a file make the quadratic check cheap. */
	for (i = 0; i < f->n_cells; i++)
		for (size_t j = i + 1; j < f->n_cells; j++)
			if (strcmp(f->cells[i].label, f->cells[j].label) == 0)
				return cvb_error_set(
				    err, EINVAL,
				    "'%s': cells[%zu] and cells[%zu] have the same "
				    "label '%s': %s",
				    f->name, i, j, f->cells[i].label, FIX_HINT);
	return 0;
}

/* See results_load.h. */
int cvb_results_parse(const char *text, size_t len, const char *name, struct cvb_results_file *out,
                      struct cvb_error *err)
{
	memset(out, 0, sizeof(*out));
	out->name = strdup(name);
	if (!out->name)
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", name);
	int code;
	size_t at;
	out->doc = cvb_json_parse(text, len, &out->aside, &code, &at);
	if (!out->doc && code == EINTR) {
		cvb_error_set(err, EINTR, "interrupted reading '%s' (signal %d)", name,
		              (int)cvb_stop_signal);
		goto fail;
	}
	if (!out->doc && code == ENOMEM) {
		cvb_error_set(err, ENOMEM, "out of memory reading '%s'", name);
		goto fail;
	}
	if (!out->doc) {
		if (len == 0)
			cvb_error_set(err, EINVAL, "'%s' is empty: %s", name, FIX_HINT);
		else
			cvb_error_set(err, EINVAL, "'%s' is not valid JSON (error at byte %zu): %s",
			              name, at, FIX_HINT);
		goto fail;
	}
	if (check_top_level(out, err) < 0 || index_cells(out, err) < 0)
		goto fail;
	if (cvb_stop_signal) {
		cvb_error_set(err, EINTR, "interrupted reading '%s' (signal %d)", name,
		              (int)cvb_stop_signal);
		goto fail;
	}
	return 0;
fail:
	cvb_results_free(out);
	return -1;
}

/* See results_load.h. */
int cvb_results_load(const char *path, struct cvb_results_file *out, struct cvb_error *err)
{
	size_t len = 0;
	char *text;
	int rc;

	memset(out, 0, sizeof(*out));
	text = read_whole_file(path, &len, err);
	if (!text)
		return -1;
	rc = cvb_results_parse(text, len, path, out, err);
	free(text);
	return rc;
}

/* See results_load.h. */
void cvb_results_free(struct cvb_results_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_cells; i++) {
		for (size_t j = 0; j < f->cells[i].n_metrics; j++) {
			free(f->cells[i].metrics[j].samples);
			free(f->cells[i].metrics[j].launch);
		}
		free(f->cells[i].metrics);
		free(f->cells[i].label);
	}
	free(f->cells);
	cvb_json_aside_free(f->aside); /* its entries point into the tree */
	cJSON_Delete(f->doc);
	free(f->name);
	memset(f, 0, sizeof(*f));
}

/* See results_load.h. */
int cvb_results_materialize(struct cvb_results_file *f, struct cvb_error *err)
{
	if (cvb_json_aside_materialize(f->aside) < 0)
		return cvb_error_set(err, ENOMEM, "out of memory reading '%s'", f->name);
	return 0;
}

/* See results_load.h. */
const struct cvb_loaded_cell *cvb_results_find_cell(const struct cvb_results_file *f,
                                                    const char *label)
{
	for (size_t i = 0; i < f->n_cells; i++)
		if (strcmp(f->cells[i].label, label) == 0)
			return &f->cells[i];
	return NULL;
}

/* See results_load.h. */
const struct cvb_loaded_metric *cvb_cell_find_metric(const struct cvb_loaded_cell *c,
                                                     const char *name)
{
	for (size_t i = 0; i < c->n_metrics; i++)
		if (strcmp(c->metrics[i].name, name) == 0)
			return &c->metrics[i];
	return NULL;
}

/* See results_load.h. */
const cJSON *cvb_results_cell_host(const struct cvb_results_file *f,
                                   const struct cvb_loaded_cell *c)
{
	if (c->host_ref >= 0 && f->hosts)
		return cJSON_GetArrayItem(f->hosts, c->host_ref);
	return cJSON_GetObjectItemCaseSensitive(f->doc, "host");
}

/* The run id one launch record names. */
static const char *launch_run(const struct cvb_results_file *f, const cJSON *launch)
{
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(launch, "run_ref"), *id;

	if (!is_whole(ref, 0) || ref->valuedouble > INT32_MAX)
		return f->run_id;
	id = cJSON_GetArrayItem(f->merged_from, (int)ref->valuedouble);
	return cJSON_IsString(id) ? id->valuestring : f->run_id;
}

/* See results_load.h. Anything missing or out of range falls back to the
 * file's own run_id: provenance is informative, never a reason to fail. */
const char *cvb_results_launch_run_id(const struct cvb_results_file *f,
                                      const struct cvb_loaded_cell *c, int launch)
{
	if (!f->merged_from || launch < 0)
		return f->run_id;
	return launch_run(
	    f, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(c->json, "launches"), launch));
}

/* See results_load.h. */
const char **cvb_results_launch_run_ids(const struct cvb_results_file *f,
                                        const struct cvb_loaded_cell *c, size_t *n)
{
	const cJSON *launches = cJSON_GetObjectItemCaseSensitive(c->json, "launches"), *l;
	const char **ids;
	size_t k = 0;

	*n = (size_t)cJSON_GetArraySize(launches);
	ids = malloc((*n ? *n : 1) * sizeof(*ids));
	if (!ids)
		return NULL;
	cJSON_ArrayForEach(l, launches)
	{
		ids[k++] = f->merged_from ? launch_run(f, l) : f->run_id;
	}
	return ids;
}
