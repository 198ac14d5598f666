/* `cpu-victim`: a fixed amount of CPU work, cut into equal units that are
 * timed one by one. The victim of the CPU noisy-neighbour tests: next to a
 * cpu-hog the total grows, and the per-unit tail shows how the scheduler
 * (or a hypervisor's vCPU scheduling) slices the CPU between the two. The
 * work is the same dependent LCG chain as cpu-hog's, so a unit takes the same
 * time wherever it runs unless something else takes the CPU away. */
#include "victim_stats.h"
#include "workload.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

enum { CPU_VICTIM_UNITS, CPU_VICTIM_UNIT_ITERS };

static const struct cvb_param_desc cpu_victim_params[] = {
    [CPU_VICTIM_UNITS] = {"units", "units of work, each timed", 400, 1, 10000000},
    [CPU_VICTIM_UNIT_ITERS] = {"unit_iters", "LCG steps per unit (~0.1-0.3 ms natively)", 200000, 1,
                               1000000000},
    {0},
};

static const struct cvb_metric_desc cpu_victim_metrics[] = {
    {"victim_total_ns", "ns", CVB_LOWER_IS_BETTER, "wall time of all units"},
    {"unit_p50_ns", "ns", CVB_LOWER_IS_BETTER, "median wall time of one unit"},
    {"unit_p99_ns", "ns", CVB_LOWER_IS_BETTER, "99th percentile wall time of one unit"},
    {"units_per_s", "ops/s", CVB_HIGHER_IS_BETTER, "units per wall second"},
    {0},
};

/* Each unit's result lands here, so no unit can be optimised away. */
static volatile uint64_t cpu_victim_sink;

static int cpu_victim_run(const struct cvb_workload_ctx *ctx)
{
	const size_t units = (size_t)ctx->param[CPU_VICTIM_UNITS];
	const int64_t iters = ctx->param[CPU_VICTIM_UNIT_ITERS];
	/* No output on failure: DONE 1 says it (see mem-hog). */
	int64_t *unit_ns = malloc(units * sizeof(*unit_ns));
	if (!unit_ns)
		return 1;

	uint64_t x = cpu_victim_sink;
	const int64_t t0 = cvb_wl_now_ns();
	int64_t prev = t0;
	for (size_t u = 0; u < units; u++) {
		/* A dependent multiply-add chain: no closed form, no vectors. */
		for (int64_t i = 0; i < iters; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
		cpu_victim_sink = x;
		/* One clock read per unit: its end is the next unit's start, so
		 * the units tile the total exactly. */
		const int64_t t = cvb_wl_now_ns();
		unit_ns[u] = t - prev;
		prev = t;
	}
	const int64_t total = prev - t0;

	cvb_victim_sort_i64(unit_ns, units);
	cvb_emit_metric(ctx->out_fd, "victim_total_ns", (double)total);
	cvb_emit_metric(ctx->out_fd, "unit_p50_ns", cvb_victim_quantile_i64(unit_ns, units, 0.50));
	cvb_emit_metric(ctx->out_fd, "unit_p99_ns", cvb_victim_quantile_i64(unit_ns, units, 0.99));
	/* A clock that did not advance (total 0) cannot give a rate. */
	cvb_emit_metric(ctx->out_fd, "units_per_s",
	                total > 0 ? (double)units * 1e9 / (double)total : 0.0);
	free(unit_ns);
	return 0;
}

const struct cvb_workload cvb_workload_cpu_victim = {
    .name = "cpu-victim",
    .help = "time units of fixed CPU work (CPU noisy-neighbour victim: total, unit p50/p99)",
    .params = cpu_victim_params,
    .metrics = cpu_victim_metrics,
    .typical_ms = 120,
    .run = cpu_victim_run,
};
