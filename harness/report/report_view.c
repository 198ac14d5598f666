#include "report_view.h"
#include "json_fast.h"
#include "numfmt.h"
#include "results_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const cJSON *cvb_rv_get(const cJSON *obj, const char *key)
{
	if (!obj || !cJSON_IsObject(obj))
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

const cJSON *cvb_rv_path(const cJSON *obj, const char *dotted)
{
	char key[128];
	const char *p = dotted;
	while (obj && *p) {
		size_t n = strcspn(p, ".");
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		obj = cvb_rv_get(obj, key);
		p += n + (p[n] == '.');
	}
	return obj;
}

const char *cvb_rv_str(const cJSON *obj, const char *key)
{
	const cJSON *v = cvb_rv_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *cvb_rv_path_str(const cJSON *obj, const char *dotted)
{
	const cJSON *v = cvb_rv_path(obj, dotted);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool cvb_rv_num(const cJSON *obj, const char *key, double *out)
{
	const cJSON *v = cvb_rv_get(obj, key);
	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

void cvb_rv_cell_label(const cJSON *cell, char *buf, size_t len)
{
	const char *label = cvb_rv_str(cell, "label");
	if (label) {
		snprintf(buf, len, "%s", label);
		return;
	}
	const char *b = cvb_rv_str(cell, "backend"), *w = cvb_rv_str(cell, "workload");
	char *derived =
	    cvb_cell_label_fallback(b ? b : "?", w ? w : "?", cvb_rv_get(cell, "params"));
	snprintf(buf, len, "%s", derived ? derived : "?");
	free(derived);
}

const cJSON *cvb_rv_host(const cJSON *doc)
{
	const cJSON *host = cvb_rv_get(doc, "host");
	return host ? host : cJSON_GetArrayItem(cvb_rv_get(doc, "hosts"), 0);
}

const char *cvb_rv_cell_status(const cJSON *cell)
{
	const char *s = cvb_rv_str(cell, "status");
	return s ? s : "unknown";
}

const char *cvb_rv_cell_reason(const cJSON *cell)
{
	return cvb_rv_str(cell, "reason");
}

int cvb_rv_cell_instances(const cJSON *cell)
{
	double n;
	return cvb_rv_num(cell, "instances", &n) && n >= 1 ? (int)n : 1;
}

static bool has_scenario(const cJSON *cell)
{
	const cJSON *sc = cvb_rv_get(cell, "scenario");
	return sc && !cJSON_IsNull(sc);
}

bool cvb_rv_cell_density(const cJSON *cell)
{
	const cJSON *m = cvb_rv_get(cell, "metrics");
	/* Every cell says "instances" (1 for plain ones); only a group records
	 * its bring-up and the host's MemAvailable drop. */
	return !has_scenario(cell) &&
	       (cvb_rv_cell_instances(cell) > 1 || cvb_rv_get(m, "bringup_ns") ||
	        cvb_rv_get(m, "memavailable_drop_per_instance_bytes"));
}

bool cvb_rv_cell_plain(const cJSON *cell)
{
	return !has_scenario(cell) && !cvb_rv_cell_density(cell);
}

bool cvb_rv_metric_stat(const cJSON *cell, const char *metric, struct cvb_rv_stat *st)
{
	const cJSON *m = cvb_rv_get(cvb_rv_get(cell, "metrics"), metric);
	const cJSON *s = cvb_rv_get(m, "summary");
	double n;
	*st = (struct cvb_rv_stat){.unit = cvb_rv_str(m, "unit")};
	if (!cvb_rv_num(s, "n", &n) || n < 1 || !cvb_rv_num(s, "p50", &st->p50))
		return false;
	if (!st->unit)
		st->unit = "";
	st->n = (size_t)n;
	st->min = st->p90 = st->p99 = st->max = st->p50;
	cvb_rv_num(s, "min", &st->min);
	cvb_rv_num(s, "p90", &st->p90);
	cvb_rv_num(s, "p99", &st->p99);
	cvb_rv_num(s, "max", &st->max);
	const cJSON *ci = cvb_rv_get(s, "ci95");
	if (cJSON_GetArraySize(ci) == 2 && cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) &&
	    cJSON_IsNumber(cJSON_GetArrayItem(ci, 1))) {
		st->ci_lo = cJSON_GetArrayItem(ci, 0)->valuedouble;
		st->ci_hi = cJSON_GetArrayItem(ci, 1)->valuedouble;
		st->has_ci = true;
	}
	return true;
}

size_t cvb_rv_metric_samples(const cJSON *cell, const char *metric, double **out)
{
	const cJSON *arr = cvb_rv_get(cvb_rv_get(cvb_rv_get(cell, "metrics"), metric), "samples");
	*out = NULL;
	if (!cJSON_IsArray(arr))
		return 0;
	/* A loaded results file holds long arrays aside (results_load.h). */
	size_t held_n;
	const double *held = cvb_json_numbers(arr, &held_n);
	if (held) {
		double *v = held_n ? malloc(held_n * sizeof(*v)) : NULL;
		if (!v)
			return 0;
		memcpy(v, held, held_n * sizeof(*v));
		*out = v;
		return held_n;
	}
	int n = cJSON_GetArraySize(arr);
	if (n <= 0)
		return 0;
	double *v = malloc((size_t)n * sizeof(*v));
	if (!v)
		return 0;
	size_t k = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, arr)
	{
		if (cJSON_IsNumber(x))
			v[k++] = x->valuedouble;
	}
	if (k == 0) {
		free(v);
		return 0;
	}
	*out = v;
	return k;
}

static size_t add_name(const char **names, size_t n, size_t max, const char *name)
{
	if (!name)
		return n;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return n;
	if (n < max)
		names[n++] = name;
	return n;
}

size_t cvb_rv_backends(const cJSON *doc, const char **names, size_t max)
{
	size_t n = 0;
	const cJSON *b;
	cJSON_ArrayForEach(b, cvb_rv_path(doc, "config.backends"))
	{
		if (cJSON_IsString(b))
			n = add_name(names, n, max, b->valuestring);
	}
	const cJSON *cell;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		n = add_name(names, n, max, cvb_rv_str(cell, "backend"));
	}
	return n;
}

void cvb_rv_format_stat(const struct cvb_rv_stat *st, char *buf, size_t len)
{
	char v[32], lo[32], hi[32];
	cvb_format_value(st->p50, st->unit, v, sizeof(v));
	if (!st->has_ci) {
		snprintf(buf, len, "%s", v);
		return;
	}
	cvb_format_value(st->ci_lo, st->unit, lo, sizeof(lo));
	cvb_format_value(st->ci_hi, st->unit, hi, sizeof(hi));
	snprintf(buf, len, "%s [%s .. %s]", v, lo, hi);
}

/* "tcg: a probe guest ..." -> "a probe guest ...": the accelerator is said
 * next to it already. */
static const char *strip_accel(const char *reason, const char *accel)
{
	size_t n = strlen(accel);
	if (reason && strncmp(reason, accel, n) == 0 && reason[n] == ':')
		reason += n + 1 + (reason[n + 1] == ' ');
	return reason;
}

const char *cvb_rv_vm_accel(const cJSON *doc, const char **reason)
{
	const cJSON *cell;
	if (reason)
		*reason = NULL;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		/* Only a VM cell records an accelerator: the file says which
		 * cells are VMs, whatever backends the reading host has. */
		const cJSON *setup = cvb_rv_get(cell, "backend_setup");
		const char *accel = cvb_rv_str(setup, "accel");
		if (accel) {
			if (reason)
				*reason = strip_accel(cvb_rv_str(setup, "accel_reason"), accel);
			return accel;
		}
		const cJSON *l;
		cJSON_ArrayForEach(l, cvb_rv_get(cell, "launches"))
		{
			const cJSON *facts = cvb_rv_get(l, "backend");
			if ((accel = cvb_rv_str(facts, "accel"))) {
				if (reason)
					*reason =
					    strip_accel(cvb_rv_str(facts, "accel_reason"), accel);
				return accel;
			}
		}
	}
	return NULL;
}

void cvb_rv_caption(const cJSON *doc, char *buf, size_t len)
{
	const cJSON *host = cvb_rv_host(doc);
	const char *name = cvb_rv_str(host, "hostname");
	const char *cpu = cvb_rv_path_str(host, "cpu.model");
	const char *kernel = cvb_rv_path_str(host, "kernel.release");
	double pus = 0;
	cvb_rv_num(cvb_rv_get(host, "topology"), "pus", &pus);
	const char *why = NULL, *accel = cvb_rv_vm_accel(doc, &why);
	char acc[160];
	if (accel) {
		/* The reason can be a page of QEMU output: its first clause is enough. */
		snprintf(acc, sizeof(acc), "VM accel %s%s%.*s%s", accel, why ? " (" : "",
		         why ? (int)strcspn(why, ":;(") : 0, why ? why : "", why ? ")" : "");
	} else {
		const cJSON *kvm = cvb_rv_get(host, "kvm");
		const cJSON *pv = cvb_rv_get(kvm, "paravirtual");
		const cJSON *dev = cvb_rv_get(kvm, "device");
		snprintf(acc, sizeof(acc), "no VM cell; /dev/kvm %s%s",
		         cJSON_IsTrue(dev) ? "present" : "absent",
		         cJSON_IsTrue(pv) ? " (paravirtual)" : "");
	}
	snprintf(buf, len, "host %s · %s · %.0f PUs · Linux %s · %s · run %s", name ? name : "?",
	         cpu ? cpu : "unknown CPU", pus, kernel ? kernel : "?", acc,
	         cvb_rv_str(doc, "run_id") ? cvb_rv_str(doc, "run_id") : "?");
}
