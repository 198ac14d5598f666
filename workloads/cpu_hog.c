/* `cpu-hog`: burn one CPU for a wall-clock duration. The aggressor of the
 * noisy-neighbour tests and the probe of CPU quota tests: under a quota its
 * CPU share (CPU time / wall time) drops below 1. */
#include "workload.h"

#include <stdint.h>
#include <time.h>

enum { CPU_HOG_DURATION_MS };

static const struct cvb_param_desc cpu_hog_params[] = {
    [CPU_HOG_DURATION_MS] = {"duration_ms", "wall time to burn CPU for", 2000, 1, 3600000},
    {0},
};

static const struct cvb_metric_desc cpu_hog_metrics[] = {
    {"cpu_hog_cpu_ns", "ns", CVB_LOWER_IS_BETTER, "CPU time the process got while burning"},
    {"cpu_hog_cpu_share", "fraction", CVB_HIGHER_IS_BETTER,
     "CPU time / wall time while burning (1 = a whole CPU)"},
    {"cpu_hog_loops_per_s", "ops/s", CVB_HIGHER_IS_BETTER, "loop iterations per wall second"},
    {0},
};

/* Iterations between clock reads: ~100 us of work, so the clock costs
 * nothing measurable even where clock_gettime is a real syscall (a VM
 * without a vDSO-usable clocksource). */
#define CPU_HOG_CHUNK 65536

/* The chunk's result lands here, so the loop cannot be optimised away. */
static volatile uint64_t cpu_hog_sink;

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cpu_hog_run(const struct cvb_workload_ctx *ctx)
{
	const int64_t w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	const int64_t deadline = w0 + ctx->param[CPU_HOG_DURATION_MS] * 1000000;
	uint64_t x = cpu_hog_sink, loops = 0;
	int64_t w1;
	do {
		/* An LCG step: a dependent multiply-add chain that the compiler
		 * cannot fold into a closed form or vectorise. */
		for (int i = 0; i < CPU_HOG_CHUNK; i++)
			x = x * 6364136223846793005u + 1442695040888963407u;
		cpu_hog_sink = x;
		loops += CPU_HOG_CHUNK;
		w1 = clock_ns(CLOCK_MONOTONIC);
	} while (w1 < deadline && !cvb_stop_requested(ctx->in_fd));
	const int64_t c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	const double wall_ns = (double)(w1 - w0), cpu_ns = (double)(c1 - c0);
	cvb_emit_metric(ctx->out_fd, "cpu_hog_cpu_ns", cpu_ns);
	cvb_emit_metric(ctx->out_fd, "cpu_hog_cpu_share", cpu_ns / wall_ns);
	cvb_emit_metric(ctx->out_fd, "cpu_hog_loops_per_s", (double)loops * 1e9 / wall_ns);
	/* The burn's wall window on this kernel's CLOCK_MONOTONIC (the host's,
	 * natively and in a container without a time namespace), so that a
	 * host-side counter can be read over the very same window: the cgroup's
	 * CPU usage in scripts/validate-cpu-quota.sh. */
	cvb_emit_fact_num(ctx->out_fd, "cpu_hog_started_ns", (double)w0);
	cvb_emit_fact_num(ctx->out_fd, "cpu_hog_ended_ns", (double)w1);
	return 0;
}

const struct cvb_workload cvb_workload_cpu_hog = {
    .name = "cpu-hog",
    .help = "burn one CPU for duration_ms (CPU share under quotas, noisy neighbour)",
    .params = cpu_hog_params,
    .metrics = cpu_hog_metrics,
    .stoppable = true,
    .run = cpu_hog_run,
};
