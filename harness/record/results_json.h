/* The results document (results/cvbench-results.schema.json describes it). */
#ifndef CVB_RESULTS_JSON_H
#define CVB_RESULTS_JSON_H

#include "plan.h"
#include "run_record.h"

#include <cjson/cJSON.h>

#define CVB_SCHEMA_VERSION 1

/* Builds the whole document; NULL on allocation failure. Summaries are
 * computed here from the raw samples with the first block's bootstrap seed. */
cJSON *cvb_results_to_json(const struct cvb_run *run);

/* The summary object of one series ({n, min, p50, ..., ci95, outliers}), or
 * JSON null when it has no values. */
cJSON *cvb_summary_to_json(const double *values, size_t n, uint64_t seed, unsigned resamples);

/* The overall status of a run: "ok", "failed" or "incomplete". */
const char *cvb_run_status(const struct cvb_run *run);

#endif
