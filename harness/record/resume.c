#include "resume.h"
#include "results_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_text(const char *path, struct cvb_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return cvb_error_errno(err, errno, "cannot read '%s'", path), NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		n += fread(buf + n, 1, cap - n, f);
		if (n < cap)
			break;
		char *nb = realloc(buf, cap * 2 + 1);
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	fclose(f);
	if (!buf)
		return cvb_error_set(err, ENOMEM, "out of memory"), NULL;
	buf[n] = '\0';
	return buf;
}

int cvb_resume_load(const char *path, struct cvb_matrix *m, cJSON **record, struct cvb_run *run,
                    struct cvb_error *err)
{
	char *text = read_text(path, err);
	if (!text)
		return -1;
	cJSON *doc = cJSON_Parse(text);
	free(text);
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "schema_version");
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(doc, "status");
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(doc, "config");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(doc, "run_id");
	const cJSON *mx = cJSON_GetObjectItemCaseSensitive(cfg, "matrix");
	const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(cfg, "command_line");
	const char *resume = m->resume;
	char **overrides = m->overrides;
	int n_overrides = m->n_overrides, rc = -1;
	if (!doc || !cJSON_IsObject(cfg) || !cJSON_IsString(id)) {
		cvb_error_set(err, EINVAL, "--resume %s: not a cvbench results file", path);
		goto out;
	}
	if (!cJSON_IsNumber(ver) || ver->valueint != CVB_SCHEMA_VERSION) {
		cvb_error_set(err, EINVAL,
		              "--resume %s: schema version %d, this cvbench writes %d; resume it "
		              "with the cvbench that wrote it",
		              path, cJSON_IsNumber(ver) ? ver->valueint : -1, CVB_SCHEMA_VERSION);
		goto out;
	}
	if (!cJSON_IsString(st) || strcmp(st->valuestring, "incomplete") != 0) {
		cvb_error_set(err, EINVAL,
		              "--resume %s: the run is '%s', not incomplete: nothing to continue",
		              path, cJSON_IsString(st) ? st->valuestring : "?");
		goto out;
	}
	/* The original command line, kept for the record and a later resume. */
	char *args[512];
	int argc = 0;
	for (const cJSON *a = cJSON_IsArray(cmd) ? cmd->child : NULL; a && argc < 255; a = a->next)
		if (cJSON_IsString(a))
			args[argc++] = a->valuestring;
	const int original_argc = argc;
	args[argc] = NULL;
	if (argc == 0) {
		cvb_error_set(err, EINVAL, "--resume %s: the record has no command line", path);
		goto out;
	}
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(mx, "source");
	const cJSON *mpath = cJSON_GetObjectItemCaseSensitive(mx, "path");
	if (cJSON_IsString(src)) {
		/* The matrix as recorded, with the options the original command
		 * line gave on top of it, then those given now. */
		char *ov[512];
		int n_ov = 0;
		for (int i = 1; i < original_argc && n_ov < 500; i++) {
			if (strcmp(args[i], "--matrix") == 0) {
				i++;
				continue;
			}
			if (strncmp(args[i], "--matrix=", 9) != 0)
				ov[n_ov++] = args[i];
		}
		const int n_recorded = n_ov;
		for (int i = 0; i < n_overrides && n_ov < 511; i++)
			ov[n_ov++] = overrides[i];
		memset(m, 0, sizeof(*m));
		m->from_record = true;
		m->n_recorded_overrides = n_recorded;
		m->source = strdup(src->valuestring);
		snprintf(m->path, sizeof(m->path), "%s",
		         cJSON_IsString(mpath) ? mpath->valuestring : "");
		if (!m->source || cvb_matrix_from_text(m->path, m->source, n_ov, ov, m, err) < 0)
			goto prefix;
	} else {
		/* The options given with --resume (--quiet, --out) come last. */
		for (int i = 0; i < n_overrides && argc < 511; i++)
			args[argc++] = overrides[i];
		args[argc] = NULL;
		if (cvb_matrix_parse_recorded(argc, args, original_argc, m, err) != CVB_PARSE_OK)
			goto prefix;
	}
	/* The record keeps these strings alive for the whole run; the command
	 * line recorded stays the original, so that a resume can be resumed. */
	run->argc = original_argc;
	run->argv = malloc((size_t)(original_argc + 1) * sizeof(char *));
	if (!run->argv) {
		cvb_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	memcpy(run->argv, args, (size_t)original_argc * sizeof(char *));
	run->argv[original_argc] = NULL;
	run->owns_argv = true;
	snprintf(run->resumed_from, sizeof(run->resumed_from), "%s", id->valuestring);
	m->resume = resume;
	*record = doc;
	return 0;
prefix:
	cvb_error_prefix(err, "--resume %s: rebuilding its plan", path);
out:
	m->resume = resume;
	cJSON_Delete(doc);
	return rc;
}

int cvb_resume_check_agent(const cJSON *record, const char *agent_path, struct cvb_error *err)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(record, "config");
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(cfg, "agent");
	const cJSON *path = cJSON_GetObjectItemCaseSensitive(agent, "path");
	if (!cJSON_IsString(path) || strcmp(path->valuestring, agent_path) == 0)
		return 0;
	return cvb_error_set(err, EINVAL,
	                     "--resume: the record was measured with the agent '%s', this run "
	                     "would start '%s': one run keeps one agent (give --agent)",
	                     path->valuestring, agent_path);
}

/* Series names and units are static strings: find them where they are
 * declared (the workload tables or the harness's own). */
static const struct {
	const char *name, *unit;
} harness_metrics[] = {
    {"startup_ns", "ns"},
    {"agent_cpu_ns", "ns"},
    {"host_rss_bytes", "bytes"},
    {"host_pss_bytes", "bytes"},
    {"host_uss_bytes", "bytes"},
    {"guest_ram_pss_bytes", "bytes"},
    {"host_pss_excl_guest_ram_bytes", "bytes"},
    {"bringup_ns", "ns"},
    {"memavailable_drop_per_instance_bytes", "bytes"},
    {"guest_used_bytes", "bytes"},
    {"ksm_saved_bytes", "bytes"},
    {"cgroup_memory_bytes", "bytes"},
};

static bool static_name(const struct cvb_cell *c, const char *name, const char **n,
                        const char **unit)
{
	const struct cvb_workload *ws[2] = {c->workload,
	                                    c->scenario ? c->scenario->aggressor : NULL};
	for (size_t w = 0; w < 2; w++) {
		const struct cvb_metric_desc *d = ws[w] ? cvb_workload_metric(ws[w], name) : NULL;
		if (d) {
			*n = d->name;
			*unit = d->unit;
			return true;
		}
	}
	for (size_t i = 0; i < sizeof(harness_metrics) / sizeof(harness_metrics[0]); i++)
		if (strcmp(harness_metrics[i].name, name) == 0) {
			*n = harness_metrics[i].name;
			*unit = harness_metrics[i].unit;
			return true;
		}
	return false;
}

static int count_of(const cJSON *counts, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(counts, key);
	return cJSON_IsNumber(v) ? v->valueint : 0;
}

static int load_cell(const cJSON *rc, struct cvb_cell *c, struct cvb_error *err)
{
	const cJSON *counts = cJSON_GetObjectItemCaseSensitive(rc, "launch_counts");
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(rc, "metrics");
	const cJSON *launches = cJSON_GetObjectItemCaseSensitive(rc, "launches");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(rc, "status");
	const cJSON *reason = cJSON_GetObjectItemCaseSensitive(rc, "reason");
	c->rounds_done = (unsigned)count_of(counts, "rounds");
	c->measured_ok = (unsigned)count_of(counts, "measured_ok");
	c->warmup_done = (unsigned)count_of(counts, "warmup_ok");
	c->aggressor_failures = (unsigned)count_of(counts, "aggressor_failures");
	if (cJSON_IsString(status) && strcmp(status->valuestring, "failed") == 0) {
		c->status = CVB_CELL_FAILED; /* it gave up: not tried again */
		snprintf(c->reason, sizeof(c->reason), "%s",
		         cJSON_IsString(reason) ? reason->valuestring : "failed before the resume");
	}
	c->prior_launches = cJSON_Duplicate(launches, true);
	for (const cJSON *m = metrics ? metrics->child : NULL; m; m = m->next) {
		const char *name, *unit;
		if (!static_name(c, m->string, &name, &unit))
			return cvb_error_set(err, EINVAL,
			                     "cell '%s': metric '%s' is unknown to this cvbench",
			                     c->label, m->string);
		const cJSON *better = cJSON_GetObjectItemCaseSensitive(m, "better");
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *vals = cJSON_GetObjectItemCaseSensitive(m, "samples");
		const cJSON *idx = cJSON_GetObjectItemCaseSensitive(m, "launch_index");
		struct cvb_series *s = cvb_cell_series(
		    c, name, unit,
		    cJSON_IsString(better) && strcmp(better->valuestring, "higher") == 0
		        ? CVB_HIGHER_IS_BETTER
		        : CVB_LOWER_IS_BETTER);
		if (!s)
			return cvb_error_set(err, ENOMEM, "out of memory");
		s->role = cJSON_IsString(role) ? "aggressor" : NULL;
		const cJSON *v = vals ? vals->child : NULL, *i = idx ? idx->child : NULL;
		for (; v && i; v = v->next, i = i->next)
			if (cvb_series_add(s, v->valuedouble, (unsigned)i->valueint) < 0)
				return cvb_error_set(err, ENOMEM, "out of memory");
	}
	return 0;
}

int cvb_resume_apply(const cJSON *record, struct cvb_run *run, struct cvb_error *err)
{
	const cJSON *cells = cJSON_GetObjectItemCaseSensitive(record, "cells");
	for (const cJSON *rc = cells ? cells->child : NULL; rc; rc = rc->next) {
		const cJSON *label = cJSON_GetObjectItemCaseSensitive(rc, "label");
		struct cvb_cell *c = NULL;
		for (size_t k = 0; cJSON_IsString(label) && k < run->n_cells && !c; k++)
			if (strcmp(run->cells[k].label, label->valuestring) == 0)
				c = &run->cells[k];
		if (!c)
			return cvb_error_set(
			    err, EINVAL,
			    "--resume: the record's cell '%s' is not in its plan any "
			    "more (was the matrix file edited?)",
			    cJSON_IsString(label) ? label->valuestring : "?");
		if (load_cell(rc, c, err) < 0)
			return cvb_error_prefix(err, "--resume");
	}
	/* Instance numbers continue after the record's, so names never repeat. */
	run->next_instance = 0;
	for (const cJSON *rc = cells ? cells->child : NULL; rc; rc = rc->next) {
		const cJSON *l = cJSON_GetObjectItemCaseSensitive(rc, "launches");
		for (const cJSON *s = l ? l->child : NULL; s; s = s->next) {
			const cJSON *in = cJSON_GetObjectItemCaseSensitive(s, "instance");
			if (cJSON_IsNumber(in) && (unsigned)in->valueint >= run->next_instance)
				run->next_instance = (unsigned)in->valueint + 1;
		}
	}
	return 0;
}
