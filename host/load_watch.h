/* The host's load while a run measures: every second or so, between
 * launches (never inside a measured window), how much CPU processes other
 * than the run's own used since the last look. A load that appears during a
 * run skews the cells measured meanwhile; the self-checks flag it and the
 * samples are kept in the results (host_load). */
#ifndef CVB_LOAD_WATCH_H
#define CVB_LOAD_WATCH_H

#include "cpu_watch.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

/* One look: the interval that ended t_s seconds into the run. */
struct cvb_load_sample {
	double t_s, seconds;
	double foreign_cpus, host_cpus;
	char busiest[160];
};

struct cvb_load_watch {
	struct cvb_cpu_snapshot last;
	bool have_last;
	int64_t t_begin_ns;
	char run_id[48];
	struct cvb_load_sample *v; /* owned */
	size_t n, cap;
};

/* Takes the first snapshot; run_id names this run's own VMs. */
void cvb_load_watch_begin(struct cvb_load_watch *w, const char *run_id);

/* Between launches: a new look if at least a second has passed. */
void cvb_load_watch_tick(struct cvb_load_watch *w);

/* The last look, at the end of the run. */
void cvb_load_watch_end(struct cvb_load_watch *w);

/* {"interval_s": 1, "samples": [{t_s, seconds, foreign_cpus, host_cpus,
 * busiest}...]} (caller owns), or NULL when nothing was sampled. */
cJSON *cvb_load_watch_to_json(const struct cvb_load_watch *w);

void cvb_load_watch_free(struct cvb_load_watch *w);

#endif
