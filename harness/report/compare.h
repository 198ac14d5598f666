/* Comparing two results files for regression tracking: cells paired by
 * label, metrics by name, and for every pair with samples on both sides the
 * change of the median with its interval, a rank test and a verdict.
 *
 * Method (results depend on it, so it is spelled out):
 * - change % = (new median - base median) / |base median| * 100: + means
 *   the new median is larger. (A base median of 0 gives 0 when the new one
 *   is 0 too, else +-infinity.)
 * - Its 95% interval: the percentile bootstrap interval of the ratio of
 *   medians new / base (ratio_stats.h: both sides resampled independently,
 *   type-7 percentiles), moved to percent; undefined (NaN) when the base
 *   median is 0. The generator (cvb_rng) is seeded per pair from the seed
 *   and the pair's label and metric, so a pair's interval does not depend
 *   on which other pairs were selected. The base and new medians' own 95%
 *   intervals are stats.h's interval of the median.
 * - p: two-sided Mann-Whitney U of base against new (rank_test.h).
 * - Verdict: "same" when |change| <= threshold; otherwise "regression" when
 *   p < alpha, the rank test points the same way as the change, and the
 *   change is in the metric's worse direction (up for better = "lower");
 *   "improvement" likewise in the better direction; else "noise": the
 *   medians moved by more than the threshold but the samples do not show a
 *   shift. The interval of the change informs; it is not part of the rule.
 * - Minimum detectable effect (MDE, compare_mde.h): the smallest change of
 *   the median, in %, that this rule's rank test could have flagged with
 *   these samples' noise and counts: the new samples are moved onto the
 *   base until the ranks show no shift (the Hodges-Lehmann shift), then
 *   shifted by bisection until the two-sided Mann-Whitney test of base
 *   against them gives p < alpha; in % of the base median, the larger of
 *   the upward and downward shifts (INFINITY when the counts are too small
 *   for any change to reach p < alpha, NaN when the base median is 0).
 *   Sides above 20000 samples are subsampled and the MDE scaled by
 *   sqrt(1/nb + 1/nc) (compare_mde.h). A change is flagged only when it
 *   exceeds both the MDE and the threshold. A real change the size of the
 *   MDE is flagged about half the time; 1.33x the MDE (alpha 0.01) about
 *   80% of the time.
 * - "Too few samples to tell": a "noise" verdict whose MDE exceeds the
 *   threshold (the gate could not have flagged a change of the threshold's
 *   size, whatever happened). reps_needed then estimates the samples per
 *   side that would detect the observed change with 80% power
 *   (compare_mde.h).
 * - The same run: a warning when both files have one run_id, or when every
 *   compared metric holds identical samples (in order) on both sides (a
 *   run against itself or a copy: no change can show).
 * - Geometric mean per metric name (cvb_comparison_geomean): over the
 *   pairs whose medians are both positive and finite, exp(mean(log m)) of
 *   the base and of the new medians, and their ratio as a change %. */
#ifndef CVB_COMPARE_H
#define CVB_COMPARE_H

#include "cvb_error.h"
#include "rank_test.h"
#include "results_load.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVB_COMPARE_ALPHA_DEFAULT 0.01
#define CVB_COMPARE_THRESHOLD_DEFAULT 5.0 /* percent */

enum cvb_verdict {
	CVB_VERDICT_SAME,
	CVB_VERDICT_NOISE,
	CVB_VERDICT_IMPROVEMENT,
	CVB_VERDICT_REGRESSION,
	CVB_VERDICT_COUNT
};

/* "same", "noise", "improvement", "regression". */
const char *cvb_verdict_name(enum cvb_verdict v);

/* A threshold for the metrics whose name matches pattern (fnmatch(3)). */
struct cvb_metric_threshold {
	const char *pattern;
	double pct;
};

struct cvb_compare_options {
	double alpha;                                  /* significance level of the rank test */
	double threshold_pct;                          /* default |change| a verdict needs */
	const struct cvb_metric_threshold *thresholds; /* overrides; the last match wins */
	size_t n_thresholds;
	const char *const *metric_globs; /* metrics to compare; none: all */
	size_t n_metric_globs;
	uint64_t seed; /* bootstrap */
	unsigned resamples;
};

/* The defaults above, seed CVB_BOOTSTRAP_SEED_DEFAULT, resamples
 * CVB_BOOTSTRAP_RESAMPLES_DEFAULT, no overrides, every metric. */
void cvb_compare_options_init(struct cvb_compare_options *o);

/* The threshold that applies to a metric. */
double cvb_compare_threshold_for(const struct cvb_compare_options *o, const char *metric);

/* Whether --metric selects a metric. */
bool cvb_compare_metric_selected(const struct cvb_compare_options *o, const char *metric);

struct cvb_pair {
	const char *label, *metric, *unit; /* borrowed from the base file */
	bool lower_is_better;
	size_t n_base, n_new;
	double base_median, new_median;
	double base_ci_lo, base_ci_hi; /* 95% interval of the base median (stats.h) */
	double new_ci_lo, new_ci_hi;   /* 95% interval of the new median */
	double change_pct, change_lo, change_hi;
	struct cvb_rank_test test;
	double threshold_pct;
	enum cvb_verdict verdict;
	double mde_pct;     /* see above: >= 0, INFINITY, or NaN */
	bool too_few;       /* a "noise" verdict with mde_pct > threshold_pct */
	size_t reps_needed; /* too_few: samples per side for the observed change
	                     * at 80% power, CVB_MDE_REPS_MAX + 1 beyond that
	                     * bound, 0 unknown */
};

enum cvb_same_run {
	CVB_SAME_RUN_NO,
	CVB_SAME_RUN_ID,      /* both files have the same run_id */
	CVB_SAME_RUN_SAMPLES, /* every compared pair has identical samples */
};

/* A metric of a shared cell that could not be compared, and why. */
struct cvb_skipped_metric {
	const char *label, *metric; /* borrowed from the files */
	const char *reason;         /* static text */
};

struct cvb_comparison {
	struct cvb_pair *pairs;
	size_t n_pairs;
	const char **only_base, **only_new; /* labels of cells in one file only */
	size_t n_only_base, n_only_new;
	struct cvb_skipped_metric *skipped;
	size_t n_skipped;
	size_t count[CVB_VERDICT_COUNT]; /* pairs per verdict */
	bool hosts_differ;               /* for a compared cell: hostname, CPU model or kernel */
	enum cvb_same_run same_run;
	size_t n_identical; /* pairs whose two sides hold identical samples */
};

/* The statistics of one pair: base and new samples (n >= 1 each). Fills
 * everything but label, metric and unit. 0, or -1 with err. */
int cvb_compare_samples(const double *base, size_t n_base, const double *cur, size_t n_cur,
                        bool lower_is_better, double threshold_pct, double alpha, uint64_t seed,
                        unsigned resamples, struct cvb_pair *out, struct cvb_error *err);

/* The verdict rule above. */
enum cvb_verdict cvb_verdict_decide(double change_pct, const struct cvb_rank_test *t,
                                    bool lower_is_better, double alpha, double threshold_pct);

/* Compares two loaded files. 0; or -1 with err when their schema versions
 * differ, when nothing is comparable (no shared cell and selected metric
 * with samples on both sides), or when out of memory (err->code ENOMEM).
 * out borrows strings from both files: free it (cvb_comparison_free)
 * before them. */
int cvb_compare(const struct cvb_results_file *base, const struct cvb_results_file *cur,
                const struct cvb_compare_options *o, struct cvb_comparison *out,
                struct cvb_error *err);

void cvb_comparison_free(struct cvb_comparison *c);

/* The geometric means of one metric's pairs (see above). */
struct cvb_geomean {
	size_t n;         /* pairs used */
	size_t n_skipped; /* pairs of the metric with a median <= 0 or not finite */
	double base, cur; /* geometric means of the medians; NaN when n == 0 */
	double change_pct;
};

/* Fills g for the pairs whose metric is `metric`. */
void cvb_comparison_geomean(const struct cvb_comparison *c, const char *metric,
                            struct cvb_geomean *g);

/* The same-run warning for people, one line without a newline, naming the
 * files ("" when c->same_run is CVB_SAME_RUN_NO). Returns buf. */
char *cvb_compare_same_run_text(const struct cvb_results_file *base,
                                const struct cvb_results_file *cur, const struct cvb_comparison *c,
                                char *buf, size_t len);

#endif
