/* Small results documents built in memory for the compare, export, merge
 * and loader tests: only what those read, in the shape cvbench run writes. */
#ifndef CVB_TEST_RESULTS_FIXTURE_H
#define CVB_TEST_RESULTS_FIXTURE_H

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>

#include "results_load.h"

#define FX_UNUSED __attribute__((unused))

/* A document with no cells, measured on `hostname`. */
static FX_UNUSED cJSON *fx_doc(const char *run_id, const char *hostname)
{
	cJSON *d = cJSON_CreateObject(), *tool, *host, *config, *st;

	cJSON_AddNumberToObject(d, "schema_version", 1);
	tool = cJSON_AddObjectToObject(d, "tool");
	cJSON_AddStringToObject(tool, "name", "cvbench");
	cJSON_AddStringToObject(tool, "version", "0.1.0");
	cJSON_AddStringToObject(tool, "git", "test");
	cJSON_AddStringToObject(d, "run_id", run_id);
	cJSON_AddStringToObject(d, "started_at", "2026-01-02T03:04:05Z");
	cJSON_AddStringToObject(d, "finished_at", "2026-01-02T03:05:05Z");
	cJSON_AddStringToObject(d, "status", "ok");
	host = cJSON_AddObjectToObject(d, "host");
	cJSON_AddStringToObject(host, "hostname", hostname);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(host, "cpu"), "model", "Test CPU");
	cJSON_AddStringToObject(cJSON_AddObjectToObject(host, "kernel"), "release", "6.1.0");
	config = cJSON_AddObjectToObject(d, "config");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(config, "backends"),
	                     cJSON_CreateString("native"));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(config, "workloads"),
	                     cJSON_CreateString("ready"));
	st = cJSON_AddObjectToObject(config, "statistics");
	cJSON_AddStringToObject(st, "bootstrap_seed", "12345");
	cJSON_AddNumberToObject(st, "bootstrap_resamples", 500);
	cJSON_AddArrayToObject(d, "cells");
	return d;
}

/* Appends a cell; label NULL leaves it out (files before labels). */
static FX_UNUSED cJSON *fx_cell(cJSON *doc, const char *backend, const char *workload,
                                const char *label)
{
	cJSON *c = cJSON_CreateObject(), *counts;

	cJSON_AddStringToObject(c, "backend", backend);
	cJSON_AddStringToObject(c, "workload", workload);
	if (label)
		cJSON_AddStringToObject(c, "label", label);
	cJSON_AddObjectToObject(c, "params");
	cJSON_AddStringToObject(c, "status", "ok");
	cJSON_AddNumberToObject(c, "timeout_ms", 1000);
	cJSON_AddNullToObject(c, "pinned_cpus");
	counts = cJSON_AddObjectToObject(c, "launch_counts");
	cJSON_AddNumberToObject(counts, "total", 0);
	cJSON_AddNumberToObject(counts, "warmup", 0);
	cJSON_AddNumberToObject(counts, "warmup_ok", 0);
	cJSON_AddNumberToObject(counts, "measured_ok", 0);
	cJSON_AddNumberToObject(counts, "failed", 0);
	cJSON_AddObjectToObject(c, "metrics");
	cJSON_AddArrayToObject(c, "launches");
	cJSON_AddItemToArray(cJSON_GetObjectItem(doc, "cells"), c);
	return c;
}

/* Adds a metric with samples from launches 0..n-1, and as many launches
 * as the cell still lacks. */
static FX_UNUSED void fx_metric(cJSON *cell, const char *name, const char *unit, const char *better,
                                const double *v, size_t n)
{
	cJSON *m = cJSON_AddObjectToObject(cJSON_GetObjectItem(cell, "metrics"), name);
	cJSON *samples, *index, *launches = cJSON_GetObjectItem(cell, "launches");

	cJSON_AddStringToObject(m, "unit", unit);
	cJSON_AddStringToObject(m, "better", better);
	samples = cJSON_AddArrayToObject(m, "samples");
	index = cJSON_AddArrayToObject(m, "launch_index");
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(samples, cJSON_CreateNumber(v[i]));
		cJSON_AddItemToArray(index, cJSON_CreateNumber((double)i));
	}
	cJSON_AddNullToObject(m, "summary");
	while ((size_t)cJSON_GetArraySize(launches) < n) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddNumberToObject(l, "index", cJSON_GetArraySize(launches));
		cJSON_AddBoolToObject(l, "warmup", 0);
		cJSON_AddStringToObject(l, "status", "ok");
		cJSON_AddItemToArray(launches, l);
		cJSON *counts = cJSON_GetObjectItem(cell, "launch_counts");
		cJSON_SetNumberValue(cJSON_GetObjectItem(counts, "total"),
		                     cJSON_GetArraySize(launches));
		cJSON_SetNumberValue(cJSON_GetObjectItem(counts, "measured_ok"),
		                     cJSON_GetArraySize(launches));
	}
}

/* Parses the document as a file named `name` would be; fails the test on
 * error. The document stays the caller's. */
static FX_UNUSED void fx_load(const cJSON *doc, const char *name, struct cvb_results_file *f)
{
	struct cvb_error err = {0};
	char *text = cJSON_Print(doc);

	if (!text || cvb_results_parse(text, strlen(text), name, f, &err) != 0)
		fail_msg("cannot load fixture %s: %s", name, err.msg);
	free(text);
}

/* Like fx_load, expecting failure; returns the message. */
static FX_UNUSED const char *fx_load_error(const cJSON *doc, struct cvb_error *err)
{
	struct cvb_results_file f;
	char *text = cJSON_Print(doc);

	if (cvb_results_parse(text, strlen(text), "bad.json", &f, err) == 0)
		fail_msg("bad.json loaded, expected: an error");
	free(text);
	return err->msg;
}

#endif
