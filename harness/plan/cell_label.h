/* Cell labels: a cell's identity in results, comparisons, plots and
 * reports. Stable across runs of the same command or matrix, unique within
 * a run, and readable: "container/syscall harden=caps,seccomp". */
#ifndef CVB_CELL_LABEL_H
#define CVB_CELL_LABEL_H

#include "plan.h"
#include "results.h"

#include <stdbool.h>
#include <stddef.h>

/* Writes what differs from the defaults in block p's instance config, as
 * far as it applies to backend be ("" when nothing does), e.g.
 * "harden=caps,seccomp cpu-quota=20%". */
void cvb_config_variant(const struct cvb_backend *be, const struct cvb_plan *p, char *buf,
                        size_t len);

/* Labels every cell: backend/workload, parameters that differ from their
 * defaults, the config variant, instances, scenario, placement. Cells that
 * would still share a label get their block's name (or number) appended. */
void cvb_cells_label(struct cvb_cell *cells, size_t n, bool multi_block);

#endif
