/* Pairing two results files and judging each pair; see compare.h. */
#include "compare.h"
#include "compare_mde.h"
#include "ratio_stats.h"
#include "stats.h"

#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[CVB_VERDICT_COUNT] = {
    [CVB_VERDICT_SAME] = "same",
    [CVB_VERDICT_NOISE] = "noise",
    [CVB_VERDICT_IMPROVEMENT] = "improvement",
    [CVB_VERDICT_REGRESSION] = "regression",
};

/* See compare.h. */
const char *cvb_verdict_name(enum cvb_verdict v)
{
	return (unsigned)v < CVB_VERDICT_COUNT ? verdict_names[v] : "?";
}

/* See compare.h. */
void cvb_compare_options_init(struct cvb_compare_options *o)
{
	memset(o, 0, sizeof(*o));
	o->alpha = CVB_COMPARE_ALPHA_DEFAULT;
	o->threshold_pct = CVB_COMPARE_THRESHOLD_DEFAULT;
	o->seed = CVB_BOOTSTRAP_SEED_DEFAULT;
	o->resamples = CVB_BOOTSTRAP_RESAMPLES_DEFAULT;
}

/* See compare.h. */
double cvb_compare_threshold_for(const struct cvb_compare_options *o, const char *metric)
{
	double pct = o->threshold_pct;

	for (size_t i = 0; i < o->n_thresholds; i++)
		if (fnmatch(o->thresholds[i].pattern, metric, 0) == 0)
			pct = o->thresholds[i].pct;
	return pct;
}

/* See compare.h. */
bool cvb_compare_metric_selected(const struct cvb_compare_options *o, const char *metric)
{
	if (o->n_metric_globs == 0)
		return true;
	for (size_t i = 0; i < o->n_metric_globs; i++)
		if (fnmatch(o->metric_globs[i], metric, 0) == 0)
			return true;
	return false;
}

static double change_pct(double base, double cur)
{
	if (base == 0.0)
		return cur == 0.0 ? 0.0 : cur > 0.0 ? INFINITY : -INFINITY;
	return (cur - base) / fabs(base) * 100.0;
}

/* See compare.h. */
enum cvb_verdict cvb_verdict_decide(double change, const struct cvb_rank_test *t,
                                    bool lower_is_better, double alpha, double threshold_pct)
{
	int sign = change > 0.0 ? 1 : -1;
	bool worse = lower_is_better ? change > 0.0 : change < 0.0;

	if (!(fabs(change) > threshold_pct))
		return CVB_VERDICT_SAME;
	/* Medians and ranks can disagree on skewed, overlapping samples; a
	 * verdict needs both to point the same way. */
	if (!(t->p < alpha) || t->direction != sign)
		return CVB_VERDICT_NOISE;
	return worse ? CVB_VERDICT_REGRESSION : CVB_VERDICT_IMPROVEMENT;
}

/* The MDE of a judged pair, and for a "noise" verdict the gate could not
 * have turned into a flag, the samples that would tell. */
static int detectable(const double *base, size_t n_base, const double *cur, size_t n_cur,
                      double alpha, struct cvb_pair *out, struct cvb_error *err)
{
	struct cvb_mde_model m;
	int ret = -1;

	if (cvb_mde_model_init(&m, base, n_base, cur, n_cur, err) < 0)
		return -1;
	if (cvb_mde_model_pct(&m, alpha, &out->mde_pct, err) < 0)
		goto out;
	out->too_few = out->verdict == CVB_VERDICT_NOISE && out->mde_pct > out->threshold_pct;
	if (out->too_few &&
	    cvb_mde_model_reps(&m, alpha, out->change_pct, &out->reps_needed, err) < 0)
		goto out;
	ret = 0;
out:
	cvb_mde_model_free(&m);
	return ret;
}

/* See compare.h. The interval of the change is the interval of the ratio
 * of medians (ratio_stats.h, the method of the results' ratios to native)
 * moved to percent; the new median's own interval is the one stats.h gives
 * every summary. */
int cvb_compare_samples(const double *base, size_t n_base, const double *cur, size_t n_cur,
                        bool lower_is_better, double threshold_pct, double alpha, uint64_t seed,
                        unsigned resamples, struct cvb_pair *out, struct cvb_error *err)
{
	struct cvb_summary sb, sc;
	struct cvb_ratio ratio;

	memset(out, 0, sizeof(*out));
	if (n_base == 0 || n_cur == 0 || resamples == 0)
		return cvb_error_set(err, EINVAL, "a comparison needs samples on both sides");
	if (cvb_mann_whitney(base, n_base, cur, n_cur, &out->test, err) < 0)
		return -1;
	if (cvb_summarize(base, n_base, seed, resamples, &sb) < 0)
		return cvb_error_errno(err, errno, "cannot summarise the base samples");
	/* The new side's interval gets its own stream, not a replay of the
	 * base side's draws. */
	if (cvb_summarize(cur, n_cur, seed ^ 0x6e6577ull, resamples, &sc) < 0) {
		cvb_summary_free(&sb);
		return cvb_error_errno(err, errno, "cannot summarise the new samples");
	}
	out->n_base = n_base;
	out->n_new = n_cur;
	out->lower_is_better = lower_is_better;
	out->base_median = sb.p50;
	out->new_median = sc.p50;
	out->base_ci_lo = sb.ci95_lo;
	out->base_ci_hi = sb.ci95_hi;
	out->new_ci_lo = sc.ci95_lo;
	out->new_ci_hi = sc.ci95_hi;
	cvb_summary_free(&sb);
	cvb_summary_free(&sc);
	out->change_pct = change_pct(out->base_median, out->new_median);
	if (out->base_median == 0.0) {
		/* No ratio to a zero median: the interval is undefined. */
		out->change_lo = out->change_hi = NAN;
	} else if (cvb_ratio_of_medians(cur, n_cur, base, n_base, seed, resamples, &ratio) == 0) {
		double sign = out->base_median < 0 ? -1.0 : 1.0;
		double lo = (ratio.ci95_lo - 1.0) * 100.0 * sign,
		       hi = (ratio.ci95_hi - 1.0) * 100.0 * sign;

		out->change_lo = fmin(lo, hi);
		out->change_hi = fmax(lo, hi);
	} else if (errno == EDOM) {
		/* Too many resamples had a zero base median (a metric that is
		 * mostly 0, such as a small memory drop): no interval. */
		out->change_lo = out->change_hi = NAN;
	} else {
		return cvb_error_errno(err, errno, "cannot bootstrap the ratio of medians");
	}
	out->threshold_pct = threshold_pct;
	out->verdict =
	    cvb_verdict_decide(out->change_pct, &out->test, lower_is_better, alpha, threshold_pct);
	return detectable(base, n_base, cur, n_cur, alpha, out, err);
}

/* FNV-1a over label, a NUL and metric: a pair's own stream, whatever else
 * is compared alongside it. */
static uint64_t pair_seed(uint64_t seed, const char *label, const char *metric)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (const char *p = label; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	h *= 0x100000001b3ull;
	for (const char *p = metric; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ull;
	return seed ^ h;
}

/* Appends one zeroed element of `size` bytes to the array *arr_ptr of *n;
 * NULL when out of memory. The capacity is implied by the count (twice the
 * last power of two reached), so appends stay amortised O(1) without a
 * capacity field beside every array. */
static void *append(void *arr_ptr, size_t *n, size_t size)
{
	void **arr = arr_ptr;
	size_t want = *n + 1;

	if ((want & (want - 1)) == 0) {
		void *bigger = realloc(*arr, want * 2 * size);
		if (!bigger)
			return NULL;
		*arr = bigger;
	}
	char *slot = (char *)*arr + *n * size;
	memset(slot, 0, size);
	(*n)++;
	return slot;
}

static int skip(struct cvb_comparison *c, const char *label, const char *metric, const char *reason,
                struct cvb_error *err)
{
	struct cvb_skipped_metric *s = append(&c->skipped, &c->n_skipped, sizeof(*s));

	if (!s)
		return cvb_error_set(err, ENOMEM, "out of memory comparing results");
	s->label = label;
	s->metric = metric;
	s->reason = reason;
	return 0;
}

static int add_label(const char ***arr, size_t *n, const char *label, struct cvb_error *err)
{
	const char **slot = append(arr, n, sizeof(*slot));

	if (!slot)
		return cvb_error_set(err, ENOMEM, "out of memory comparing results");
	*slot = label;
	return 0;
}

static const char *host_fact(const cJSON *host, const char *obj, const char *key)
{
	const cJSON *v =
	    obj ? cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(host, obj), key)
	        : cJSON_GetObjectItemCaseSensitive(host, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static bool hosts_differ(const cJSON *a, const cJSON *b)
{
	return strcmp(host_fact(a, NULL, "hostname"), host_fact(b, NULL, "hostname")) != 0 ||
	       strcmp(host_fact(a, "cpu", "model"), host_fact(b, "cpu", "model")) != 0 ||
	       strcmp(host_fact(a, "kernel", "release"), host_fact(b, "kernel", "release")) != 0;
}

static int compare_cells(const struct cvb_results_file *base, const struct cvb_loaded_cell *cb,
                         const struct cvb_results_file *cur, const struct cvb_loaded_cell *cn,
                         const struct cvb_compare_options *o, struct cvb_comparison *c,
                         struct cvb_error *err)
{
	/* Per cell, not per file: merged files hold several hosts. */
	if (hosts_differ(cvb_results_cell_host(base, cb), cvb_results_cell_host(cur, cn)))
		c->hosts_differ = true;
	for (size_t i = 0; i < cb->n_metrics; i++) {
		const struct cvb_loaded_metric *mb = &cb->metrics[i], *mn;
		const char *why = NULL;

		if (!cvb_compare_metric_selected(o, mb->name))
			continue;
		mn = cvb_cell_find_metric(cn, mb->name);
		if (!mn)
			why = "not in the new file";
		else if (strcmp(mb->unit, mn->unit) != 0)
			why = "units differ";
		else if (mb->lower_is_better != mn->lower_is_better)
			why = "'better' differs";
		else if (mb->n == 0)
			why = "no samples in the base file";
		else if (mn->n == 0)
			why = "no samples in the new file";
		if (why) {
			if (skip(c, cb->label, mb->name, why, err) < 0)
				return -1;
			continue;
		}
		struct cvb_pair *p = append(&c->pairs, &c->n_pairs, sizeof(*p));
		if (!p)
			return cvb_error_set(err, ENOMEM, "out of memory comparing results");
		if (cvb_compare_samples(mb->samples, mb->n, mn->samples, mn->n, mb->lower_is_better,
		                        cvb_compare_threshold_for(o, mb->name), o->alpha,
		                        pair_seed(o->seed, cb->label, mb->name), o->resamples, p,
		                        err) < 0)
			return cvb_error_prefix(err, "%s %s", cb->label, mb->name);
		p->label = cb->label;
		p->metric = mb->name;
		p->unit = mb->unit;
		c->count[p->verdict]++;
		if (mb->n == mn->n && memcmp(mb->samples, mn->samples, mb->n * sizeof(double)) == 0)
			c->n_identical++;
	}
	for (size_t i = 0; i < cn->n_metrics; i++) {
		const char *name = cn->metrics[i].name;

		if (cvb_compare_metric_selected(o, name) && !cvb_cell_find_metric(cb, name) &&
		    skip(c, cn->label, name, "not in the base file", err) < 0)
			return -1;
	}
	return 0;
}

/* Why nothing was comparable, with what to do about it. */
static int nothing_comparable(const struct cvb_results_file *base,
                              const struct cvb_results_file *cur,
                              const struct cvb_compare_options *o, const struct cvb_comparison *c,
                              struct cvb_error *err)
{
	if (base->n_cells == 0 || cur->n_cells == 0)
		return cvb_error_set(err, EINVAL,
		                     "'%s' has no cells: compare two files with results",
		                     base->n_cells == 0 ? base->name : cur->name);
	if (c->n_only_base == base->n_cells)
		return cvb_error_set(
		    err, EINVAL,
		    "'%s' and '%s' share no cell (e.g. '%s' vs '%s'): compare runs "
		    "of the same backend/workload cells",
		    base->name, cur->name, base->cells[0].label, cur->cells[0].label);
	if (o->n_metric_globs > 0 && c->n_skipped == 0)
		return cvb_error_set(
		    err, EINVAL,
		    "no metric of the shared cells matches --metric '%s'%s: see the "
		    "metric names in the files",
		    o->metric_globs[0], o->n_metric_globs > 1 ? " ..." : "");
	if (c->n_skipped > 0)
		return cvb_error_set(
		    err, EINVAL,
		    "no metric has samples in both '%s' and '%s' (e.g. %s %s: %s): "
		    "compare runs whose cells completed",
		    base->name, cur->name, c->skipped[0].label, c->skipped[0].metric,
		    c->skipped[0].reason);
	return cvb_error_set(err, EINVAL,
	                     "the cells '%s' and '%s' share have no metrics: compare runs of "
	                     "workloads that report some",
	                     base->name, cur->name);
}

/* See compare.h. */
int cvb_compare(const struct cvb_results_file *base, const struct cvb_results_file *cur,
                const struct cvb_compare_options *o, struct cvb_comparison *out,
                struct cvb_error *err)
{
	memset(out, 0, sizeof(*out));
	if (base->schema_version != cur->schema_version)
		return cvb_error_set(err, EINVAL,
		                     "'%s' has schema_version %d but '%s' has %d: compare files of "
		                     "one results format (re-run the older side with this cvbench)",
		                     base->name, base->schema_version, cur->name,
		                     cur->schema_version);
	for (size_t i = 0; i < base->n_cells; i++) {
		const struct cvb_loaded_cell *cb = &base->cells[i];
		const struct cvb_loaded_cell *cn = cvb_results_find_cell(cur, cb->label);

		if (!cn) {
			if (add_label(&out->only_base, &out->n_only_base, cb->label, err) < 0)
				goto fail;
			continue;
		}
		if (compare_cells(base, cb, cur, cn, o, out, err) < 0)
			goto fail;
	}
	for (size_t i = 0; i < cur->n_cells; i++)
		if (!cvb_results_find_cell(base, cur->cells[i].label) &&
		    add_label(&out->only_new, &out->n_only_new, cur->cells[i].label, err) < 0)
			goto fail;
	if (out->n_pairs == 0) {
		nothing_comparable(base, cur, o, out, err);
		goto fail;
	}
	if (base->run_id && cur->run_id && *base->run_id && strcmp(base->run_id, cur->run_id) == 0)
		out->same_run = CVB_SAME_RUN_ID;
	else if (out->n_identical == out->n_pairs)
		out->same_run = CVB_SAME_RUN_SAMPLES;
	return 0;
fail:
	cvb_comparison_free(out);
	return -1;
}

/* See compare.h. */
void cvb_comparison_free(struct cvb_comparison *c)
{
	if (!c)
		return;
	free(c->pairs);
	free(c->only_base);
	free(c->only_new);
	free(c->skipped);
	memset(c, 0, sizeof(*c));
}

/* See compare.h. */
void cvb_comparison_geomean(const struct cvb_comparison *c, const char *metric,
                            struct cvb_geomean *g)
{
	double lb = 0.0, ln = 0.0;

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct cvb_pair *p = &c->pairs[i];

		if (strcmp(p->metric, metric) != 0)
			continue;
		if (!(p->base_median > 0.0 && p->new_median > 0.0) || !isfinite(p->base_median) ||
		    !isfinite(p->new_median)) {
			g->n_skipped++;
			continue;
		}
		lb += log(p->base_median);
		ln += log(p->new_median);
		g->n++;
	}
	if (g->n == 0) {
		g->base = g->cur = g->change_pct = NAN;
		return;
	}
	g->base = exp(lb / (double)g->n);
	g->cur = exp(ln / (double)g->n);
	g->change_pct = (exp((ln - lb) / (double)g->n) - 1.0) * 100.0;
}

/* See compare.h. */
char *cvb_compare_same_run_text(const struct cvb_results_file *base,
                                const struct cvb_results_file *cur, const struct cvb_comparison *c,
                                char *buf, size_t len)
{
	switch (c->same_run) {
	case CVB_SAME_RUN_ID:
		snprintf(buf, len,
		         "'%s' and '%s' are the same run (run_id %s): a run compared with "
		         "itself shows nothing about a change; compare against a separate run",
		         base->name, cur->name, base->run_id);
		break;
	case CVB_SAME_RUN_SAMPLES:
		snprintf(buf, len,
		         "'%s' and '%s' hold identical samples in every compared metric (the "
		         "same run, copied?): every change is 0 by construction; compare against "
		         "a separate run",
		         base->name, cur->name);
		break;
	default:
		snprintf(buf, len, "%s", "");
	}
	return buf;
}
