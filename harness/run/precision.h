/* Adaptive repetition (--precision): a cell keeps getting launches, round
 * after round and interleaved with the others, until the 95% interval of
 * each watched metric's median lies within +-precision of that median, or it
 * reaches --max-reps, or the run's --time-budget is spent (once it has its
 * --reps). The cell then closes and records why (stop_reason). */
#ifndef CVB_PRECISION_H
#define CVB_PRECISION_H

#include "results.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* Judges one cell after a round; elapsed_ms is the run's time so far.
 * Closes it (true) when it has reached its target, its --max-reps or the
 * time budget; cells without --precision are left alone (false). */
bool cvb_precision_check(struct cvb_cell *c, int64_t elapsed_ms);

/* The rounds a cell may still be given: warm-up plus --reps, or plus
 * --max-reps with --precision, or what it had when it closed. */
unsigned cvb_precision_rounds(const struct cvb_cell *c);

/* {"mode": "fixed"|"precision", "target", "metrics", "half_widths",
 * "stopped_because"} for the cell's record (caller owns). */
cJSON *cvb_precision_to_json(const struct cvb_cell *c);

#endif
