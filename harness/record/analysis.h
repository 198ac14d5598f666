/* What a run's cells say together: every overhead as a ratio to native,
 * noisy-neighbour slowdowns against the victim alone, and density fits
 * (the memory of one more instance). Written as the results' "derived". */
#ifndef CVB_ANALYSIS_H
#define CVB_ANALYSIS_H

#include "run_record.h"

#include <cjson/cJSON.h>

/* The victim-alone cell a noisy-neighbour cell is measured against: same
 * block, backend, workload, parameters and placement. NULL if none. */
const struct cvb_cell *cvb_cell_baseline(const struct cvb_run *run, const struct cvb_cell *c);

/* {"ratios_to_native": [...], "slowdowns": [...], "density": [...]}. */
cJSON *cvb_derive(const struct cvb_run *run, uint64_t seed, unsigned resamples);

#endif
