/* Joining the results files of shards (runs of parts of one matrix, maybe
 * on several hosts) into one document that compare, export and plots read
 * like any other.
 *
 * The merged document:
 * - "run_id": a new id (the caller's); "merged_from": the run ids of the
 *   inputs (a merged input contributes its own list), each run once.
 * - "host": the first input's; "hosts": every distinct host, and each cell's
 *   "host_ref" indexes it. "tool" and "config" are the first input's, with
 *   config.backends and config.workloads the union of all inputs'.
 * - "started_at" / "finished_at": the earliest and latest; "status": the
 *   worst (failed, then incomplete, then ok).
 * - Cells keep their order (input by input) and get an explicit "label";
 *   every launch gets "run_ref", its run's index in merged_from.
 * - A label in more than one input is refused, unless allow_duplicates:
 *   then the cells are pooled (launches and samples appended, launch_index
 *   renumbered, launch_counts summed, the worst status kept, summaries
 *   recomputed with the first input's bootstrap seed), but only when
 *   backend, workload, params (and instances, scenario, placement, variant
 *   where present) match and the host is the same: samples of different
 *   hosts are never pooled.
 * - "derived" (ratios, slowdowns, density): each input's entries were
 *   computed within its own run and stay valid, so they are concatenated;
 *   after pooling they would describe only part of a cell, so they are
 *   dropped. */
#ifndef CVB_MERGE_H
#define CVB_MERGE_H

#include "cvb_error.h"
#include "json_fast.h"
#include "results_load.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct cvb_merge_options {
	bool allow_duplicates;
	const char *run_id; /* of the merged document */
};

struct cvb_merge_info {
	size_t pooled_cells;  /* cells that received samples of another input */
	bool derived_dropped; /* inputs had "derived" entries, not kept */
};

/* Merges n >= 1 loaded inputs into a new document, a complete cJSON tree
 * (the inputs are not modified). NULL with err (code EINVAL for inputs
 * that cannot be merged, ENOMEM). info may be NULL. */
cJSON *cvb_results_merge(const struct cvb_results_file *inputs, size_t n,
                         const struct cvb_merge_options *o, struct cvb_merge_info *info,
                         struct cvb_error *err);

/* The same document, but with its long arrays of numbers empty in the
 * tree and held in *aside (json_fast.h), as the inputs hold theirs:
 * copied samples are the inputs' own numbers, not a million new nodes
 * (`cvbench merge` of a million samples: well under a second instead of
 * three). For cvb_json_print. *aside borrows from the inputs: free it
 * after printing and before the document and the inputs. */
cJSON *cvb_results_merge_aside(const struct cvb_results_file *inputs, size_t n,
                               const struct cvb_merge_options *o, struct cvb_merge_info *info,
                               struct cvb_json_aside **aside, struct cvb_error *err);

#endif
