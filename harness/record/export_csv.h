/* A results file as CSV (csv.h), for spreadsheets, R and pandas. */
#ifndef CVB_EXPORT_CSV_H
#define CVB_EXPORT_CSV_H

#include "cvb_error.h"
#include "results_load.h"

#include <stdio.h>

/* A header, then one row per sample: run_id, label, backend, workload,
 * params ("name=value;..." sorted by name), metric, unit, better,
 * launch_index, value. In merged files run_id is the run the sample's
 * launch came from. 0, or -1 with err (EINTR when a stop signal arrived,
 * checked every 65536 rows; ENOMEM). */
int cvb_export_samples_csv(FILE *out, const struct cvb_results_file *f, struct cvb_error *err);

/* A header, then one row per cell and metric: run_id, label, backend,
 * workload, params, metric, unit, better, n, p50, p90, p99, mean, sd,
 * ci95_lo, ci95_hi (run_id: the file's own, in merged files too),
 * computed from the samples by stats.h's methods (the file's recorded
 * bootstrap seed and resamples are passed on, though the median's interval
 * needs neither). Summaries written by builds before issue 11 held a
 * bootstrap interval instead: these columns follow this build's method.
 * A metric without samples has n 0 and empty statistics. 0, or -1 with err
 * (EINTR when a stop signal arrived, ENOMEM). */
int cvb_export_summary_csv(FILE *out, const struct cvb_results_file *f, struct cvb_error *err);

#endif
