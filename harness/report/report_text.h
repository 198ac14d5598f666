/* The human summary printed after a run. */
#ifndef CVB_REPORT_TEXT_H
#define CVB_REPORT_TEXT_H

#include "run_record.h"

#include <stdio.h>

/* One block per cell: status, and for each metric n, p50, p90, p99, ci95 and
 * outlier count. */
void cvb_report_text(FILE *out, const struct cvb_run *run);

#endif
