/* `ready`: READY, then exit. The startup probe: everything it measures is
 * the host's launch call -> READY arrival. */
#include "workload.h"

static int ready_run(const struct cvb_workload_ctx *ctx)
{
	(void)ctx;
	return 0;
}

const struct cvb_workload cvb_workload_ready = {
    .name = "ready",
    .help = "say READY and exit at once (startup latency)",
    .run = ready_run,
    .typical_ms = 1,
};
