#include "precision.h"
#include "plan.h"
#include "stats.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(((struct cvb_cell *)0)->half_width) / sizeof(double) ==
                   CVB_PLAN_MAX_PRECISION_METRICS,
               "one half-width per watched metric");

unsigned cvb_precision_rounds(const struct cvb_cell *c)
{
	if (c->closed)
		return c->closed_rounds;
	const struct cvb_plan *p = c->plan;
	return p->warmup + (p->precision > 0 ? p->max_reps : p->reps);
}

static const struct cvb_series *series_named(const struct cvb_cell *c, const char *name)
{
	for (size_t i = 0; i < c->n_series; i++)
		if (!c->series[i].role && strcmp(c->series[i].name, name) == 0)
			return &c->series[i];
	return NULL;
}

/* Relative half-width of the median's 95% interval: the larger side over
 * the median; INFINITY when it cannot be told (no samples, median 0). */
static double relative_half_width(const struct cvb_series *s, const struct cvb_plan *p)
{
	struct cvb_summary sum;
	/* Below CVB_MEDIAN_CI_MIN_N the interval is [min, max], whose coverage
	 * is under 95%: never judged precise enough on it. */
	if (!s || s->n < CVB_MEDIAN_CI_MIN_N ||
	    cvb_summarize(s->values, s->n, p->seed, p->resamples, &sum) < 0)
		return INFINITY;
	double med = fabs(sum.p50);
	double hw = fmax(sum.ci95_hi - sum.p50, sum.p50 - sum.ci95_lo);
	cvb_summary_free(&sum);
	return med > 0 ? hw / med : INFINITY;
}

/* "startup_ns +-3.1%, getppid_ns +-6.0%" */
static void describe_widths(const struct cvb_cell *c, char *buf, size_t len)
{
	const struct cvb_plan *p = c->plan;
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < p->n_precision_metrics && off < len; i++) {
		int n = isfinite(c->half_width[i])
		            ? snprintf(buf + off, len - off, "%s%s +-%.1f%%", off ? ", " : "",
		                       p->precision_metrics[i], 100 * c->half_width[i])
		            : snprintf(buf + off, len - off, "%s%s not measured", off ? ", " : "",
		                       p->precision_metrics[i]);
		if (n < 0)
			break;
		off += (size_t)n;
	}
}

static void close_cell(struct cvb_cell *c, const char *why)
{
	char widths[160];
	describe_widths(c, widths, sizeof(widths));
	c->closed = true;
	c->closed_rounds = c->rounds_done + c->rounds_run;
	snprintf(c->stop_reason, sizeof(c->stop_reason), "%s after %u measured launches: %s", why,
	         c->measured_ok, widths);
}

bool cvb_precision_check(struct cvb_cell *c, int64_t elapsed_ms)
{
	const struct cvb_plan *p = c->plan;
	if (p->precision <= 0 || c->closed || c->status == CVB_CELL_SKIPPED ||
	    c->status == CVB_CELL_FAILED)
		return false;
	unsigned rounds = c->rounds_done + c->rounds_run;
	if (rounds < p->warmup + p->reps)
		return false; /* the minimum comes first, whatever the budget */
	bool reached = true;
	for (size_t i = 0; i < p->n_precision_metrics; i++) {
		c->half_width[i] = relative_half_width(series_named(c, p->precision_metrics[i]), p);
		reached &= c->half_width[i] <= p->precision;
	}
	char why[64];
	if (reached)
		snprintf(why, sizeof(why), "precision +-%.3g%% reached", 100 * p->precision);
	else if (rounds >= p->warmup + p->max_reps)
		snprintf(why, sizeof(why), "--max-reps %u reached", p->max_reps);
	else if (p->time_budget_ms && elapsed_ms >= p->time_budget_ms)
		snprintf(why, sizeof(why), "--time-budget %g s spent", p->time_budget_ms / 1000.0);
	else
		return false;
	close_cell(c, why);
	return true;
}

cJSON *cvb_precision_to_json(const struct cvb_cell *c)
{
	const struct cvb_plan *p = c->plan;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "mode", p->precision > 0 ? "precision" : "fixed");
	if (p->precision <= 0) {
		cJSON_AddNumberToObject(o, "reps", p->reps);
		return o;
	}
	cJSON_AddNumberToObject(o, "target", p->precision);
	cJSON_AddNumberToObject(o, "min_reps", p->reps);
	cJSON_AddNumberToObject(o, "max_reps", p->max_reps);
	cJSON *m = cJSON_AddArrayToObject(o, "metrics");
	cJSON *hw = cJSON_AddObjectToObject(o, "half_widths");
	for (size_t i = 0; i < p->n_precision_metrics; i++) {
		cJSON_AddItemToArray(m, cJSON_CreateString(p->precision_metrics[i]));
		if (c->closed && isfinite(c->half_width[i]))
			cJSON_AddNumberToObject(hw, p->precision_metrics[i], c->half_width[i]);
		else
			cJSON_AddNullToObject(hw, p->precision_metrics[i]);
	}
	if (c->closed)
		cJSON_AddStringToObject(o, "stopped_because", c->stop_reason);
	else
		cJSON_AddNullToObject(o, "stopped_because");
	return o;
}
