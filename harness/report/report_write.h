/* A results document's report on disk: DIR/report.md and DIR/report.html,
 * with DIR/plots drawn first unless this run's plots are there already.
 * `cvbench report` and `cvbench run` (for a matrix) both write it. */
#ifndef CVB_REPORT_WRITE_H
#define CVB_REPORT_WRITE_H

#include "cvb_error.h"

#include <cjson/cJSON.h>

/* Creates DIR if absent, then writes both files atomically, or neither when
 * a stop signal comes (then -1, and cvb_stop_signal says why). Without
 * gnuplot the report is still written: plots_missing (at least 512 bytes)
 * then says why it has no plots, else it is "". 0, or -1 with err. */
int cvb_report_write(const cJSON *doc, const char *run_id, const char *dir, char *plots_missing,
                     struct cvb_error *err);

#endif
