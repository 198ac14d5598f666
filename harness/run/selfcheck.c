#include "selfcheck.h"
#include "load_watch.h"
#include "numfmt.h"
#include "preflight.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const cJSON *o, const char *key, double dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

static const char *str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static void launch_note(cJSON *launch, const char *text)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(launch, "checks");
	if (!arr)
		arr = cJSON_AddArrayToObject(launch, "checks");
	if (arr)
		cJSON_AddItemToArray(arr, cJSON_CreateString(text));
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Launches whose create call was most of their startup. */
static void check_create_share(cJSON *cell, const char *label, struct cvb_findings *out)
{
	cJSON *launches = cJSON_GetObjectItemCaseSensitive(cell, "launches"), *l;
	double creates[512], starts[512];
	size_t n = 0, total = 0;
	cJSON_ArrayForEach(l, launches)
	{
		const cJSON *ph = cJSON_GetObjectItemCaseSensitive(l, "phases_ns");
		cJSON_DeleteItemFromObjectCaseSensitive(l, "checks"); /* replaced, not appended */
		double cr = num(ph, "create_returned", -1), st = num(l, "startup_ns", -1);
		if (cr < 0 || st <= 0)
			continue;
		total++;
		if (cr < CVB_CHECK_CREATE_SHARE * st || cr < CVB_CHECK_CREATE_MIN_NS)
			continue;
		char note[160];
		snprintf(note, sizeof(note),
		         "create_returned %.1f s of a %.1f s startup (%.0f%%): the toolstack, not "
		         "the guest, dominated",
		         cr / 1e9, st / 1e9, 100 * cr / st);
		launch_note(l, note);
		if (n < 512) {
			creates[n] = cr;
			starts[n++] = st;
		}
	}
	if (!n)
		return;
	double cr = median_of(creates, n), st = median_of(starts, n);
	cvb_findings_add(out, "launch.create_dominated", label, CVB_LEVEL_WARN,
	                 "run 'cvbench doctor': libvirt may be re-probing QEMU's capabilities "
	                 "(without udev, /dev/kvm must be root:kvm 0660: scripts/services.sh "
	                 "does it)",
	                 "in %zu of %zu launches the create call took most of the startup: "
	                 "create_returned p50 %.1f s of startup p50 %.1f s (%.0f%%)",
	                 n, total, cr / 1e9, st / 1e9, 100 * cr / st);
}

/* A comma list of "name (what)" that names the first few and counts the
 * rest, so that one finding stays one readable line. */
struct name_list {
	char text[512];
	unsigned n;
};
#define LIST_NAMED 4

static void list_add(struct name_list *l, const char *name, const char *what)
{
	size_t off = strlen(l->text);
	if (l->n++ < LIST_NAMED && off + 4 < sizeof(l->text))
		snprintf(l->text + off, sizeof(l->text) - off, "%s%s (%s)", off ? ", " : "", name,
		         what);
}

/* The list's text with "and N more" when it was cut. */
static const char *list_text(struct name_list *l)
{
	size_t off = strlen(l->text);
	if (l->n > LIST_NAMED && off + 24 < sizeof(l->text))
		snprintf(l->text + off, sizeof(l->text) - off, ", and %u more", l->n - LIST_NAMED);
	return l->text;
}

/* The first measured sample against the others: a cold start the warm-up
 * did not absorb shows as one extreme value in front. */
static bool first_is_far(const cJSON *samples, size_t n, double *first, double *med)
{
	double *rest = malloc(n * sizeof(*rest)), *dev = malloc(n * sizeof(*dev));
	bool far = false;
	if (!rest || !dev)
		goto out;
	size_t k = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, samples)
	{
		if (k == 0)
			*first = x->valuedouble;
		else
			rest[k - 1] = x->valuedouble;
		k++;
	}
	*med = median_of(rest, n - 1);
	for (size_t i = 0; i + 1 < n; i++)
		dev[i] = fabs(rest[i] - *med);
	double mad = 1.4826 * median_of(dev, n - 1);
	double lo = rest[0], hi = rest[n - 2]; /* rest is sorted */
	far = mad > 0 && fabs(*first - *med) > CVB_CHECK_FIRST_Z * mad &&
	      (*first > hi || *first < lo);
out:
	free(rest);
	free(dev);
	return far;
}

static void check_metrics(cJSON *cell, const char *label, struct cvb_findings *out)
{
	struct name_list unstable = {"", 0}, wide = {"", 0}, first = {"", 0};
	const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(cell, "metrics"), *m;
	cJSON_ArrayForEach(m, metrics)
	{
		const cJSON *sum = cJSON_GetObjectItemCaseSensitive(m, "summary");
		const cJSON *samples = cJSON_GetObjectItemCaseSensitive(m, "samples");
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(sum, "ci95");
		size_t n = (size_t)cJSON_GetArraySize(samples);
		if (strcmp(str(m, "role"), "aggressor") == 0 || n < CVB_CHECK_MIN_N)
			continue;
		double p50 = num(sum, "p50", NAN), cov = num(sum, "cov", 0);
		size_t outliers = (size_t)cJSON_GetArraySize(
		    cJSON_GetObjectItemCaseSensitive(sum, "outliers"));
		char what[96], a[32], b[32];
		const char *unit = str(m, "unit");
		/* Outliers of a tight metric (memory to the page) are no worry. */
		bool many_outliers = outliers > CVB_CHECK_OUTLIER_SHARE * (double)n &&
		                     cov > CVB_CHECK_OUTLIER_MIN_COV;
		if (cov > CVB_CHECK_COV || many_outliers) {
			snprintf(what, sizeof(what), "CoV %.2f, %zu of %zu outliers", cov, outliers, n);
			list_add(&unstable, m->string, what);
		}
		if (cJSON_GetArraySize(ci) == 2 && isfinite(p50) &&
		    cJSON_GetArrayItem(ci, 1)->valuedouble - cJSON_GetArrayItem(ci, 0)->valuedouble >
		        fabs(p50)) {
			cvb_format_value(cJSON_GetArrayItem(ci, 0)->valuedouble, unit, a, sizeof(a));
			cvb_format_value(cJSON_GetArrayItem(ci, 1)->valuedouble, unit, b, sizeof(b));
			snprintf(what, sizeof(what), "[%s, %s], n=%zu", a, b, n);
			list_add(&wide, m->string, what);
		}
		double x0 = 0, med = 0;
		if (first_is_far(samples, n, &x0, &med)) {
			cvb_format_value(x0, unit, a, sizeof(a));
			cvb_format_value(med, unit, b, sizeof(b));
			snprintf(what, sizeof(what), "first %s, the rest's median %s", a, b);
			list_add(&first, m->string, what);
		}
	}
	if (unstable.n)
		cvb_findings_add(out, "cell.unstable", label, CVB_LEVEL_WARN,
		                 "rerun on a quiet host (cvbench doctor), or raise --reps",
		                 "samples vary widely: %s", list_text(&unstable));
	if (first.n)
		cvb_findings_add(out, "cell.first_launch", label, CVB_LEVEL_WARN,
		                 "raise --warmup: the warm-up did not absorb the cold start",
		                 "the first measured launch is far from the rest: %s",
		                 list_text(&first));
	if (wide.n)
		cvb_findings_add(out, "cell.wide_interval", label, CVB_LEVEL_WARN,
		                 "raise --reps: too few samples for this noise",
		                 "95%% interval wider than the median: %s", list_text(&wide));
}

static void check_host_load(const cJSON *doc, struct cvb_findings *out)
{
	const cJSON *load = cJSON_GetObjectItemCaseSensitive(doc, "host_load");
	const cJSON *s, *worst = NULL;
	double busy_s = 0, total_s = 0;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(load, "samples"))
	{
		double f = num(s, "foreign_cpus", 0), sec = num(s, "seconds", 0);
		total_s += sec;
		if (f < CVB_BUSY_CPUS_WARN)
			continue;
		busy_s += sec;
		if (!worst || f > num(worst, "foreign_cpus", 0))
			worst = s;
	}
	if (!worst)
		return;
	double end = num(worst, "t_s", 0);
	cvb_findings_add(out, "host.load_during_run", NULL, CVB_LEVEL_WARN,
	                 "rerun on a quiet host: the cells measured meanwhile competed for the "
	                 "CPUs",
	                 "other processes loaded the host during %.0f s of the %.0f s run; worst "
	                 "%.2f CPUs from %.0f s to %.0f s (%s)",
	                 busy_s, total_s, num(worst, "foreign_cpus", 0), end - num(worst, "seconds", 0),
	                 end, str(worst, "busiest"));
}

/* The findings about one subject, as JSON, for its cell. */
static cJSON *findings_about(const struct cvb_findings *f, size_t from, const char *label)
{
	struct cvb_findings mine = {0};
	for (size_t i = from; i < f->n; i++)
		if (strcmp(f->v[i].subject, label) == 0)
			cvb_findings_add(&mine, f->v[i].check, label, f->v[i].verdict, f->v[i].fix,
			                 "%s", f->v[i].evidence);
	cJSON *arr = cvb_findings_to_json(&mine);
	cvb_findings_free(&mine);
	return arr;
}

void cvb_selfcheck_results(cJSON *doc, struct cvb_findings *out)
{
	size_t from = out->n;
	cJSON *cell;
	check_host_load(doc, out);
	cJSON_ArrayForEach(cell, cJSON_GetObjectItemCaseSensitive(doc, "cells"))
	{
		const char *label = str(cell, "label");
		size_t before = out->n;
		check_create_share(cell, label, out);
		check_metrics(cell, label, out);
		cJSON_DeleteItemFromObjectCaseSensitive(cell, "checks");
		if (out->n > before)
			cJSON_AddItemToObject(cell, "checks", findings_about(out, before, label));
	}
	struct cvb_findings all = {0};
	for (size_t i = from; i < out->n; i++)
		cvb_findings_add(&all, out->v[i].check, out->v[i].subject, out->v[i].verdict,
		                 out->v[i].fix, "%s", out->v[i].evidence);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "checks");
	cJSON_AddItemToObject(doc, "checks", cvb_findings_to_json(&all));
	cvb_findings_free(&all);
}
