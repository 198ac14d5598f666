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
 *   on which other pairs were selected. The new median's own 95% interval
 *   is stats.h's bootstrap interval of the median.
 * - p: two-sided Mann-Whitney U of base against new (rank_test.h).
 * - Verdict: "same" when |change| <= threshold; otherwise "regression" when
 *   p < alpha, the rank test points the same way as the change, and the
 *   change is in the metric's worse direction (up for better = "lower");
 *   "improvement" likewise in the better direction; else "noise": the
 *   medians moved by more than the threshold but the samples do not show a
 *   shift (take more samples). */
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
	double new_ci_lo, new_ci_hi; /* 95% interval of the new median */
	double change_pct, change_lo, change_hi;
	struct cvb_rank_test test;
	double threshold_pct;
	enum cvb_verdict verdict;
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

#endif
