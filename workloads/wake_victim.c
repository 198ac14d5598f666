/* `wake-victim`: a periodic timer, cyclictest-style: sleep until absolute
 * deadlines `period_us` apart and record how late each wake-up comes. The
 * victim of latency neighbour tests: a busy neighbour on the same CPU delays
 * the wake-up until the scheduler preempts it, and in a VM the timer goes
 * through the hypervisor's timer emulation and vCPU scheduling first.
 *
 * A wake-up later than a whole period skips the periods it missed (counted
 * in the fact wake_victim_overruns), as cyclictest does: keeping to the old
 * schedule would follow one stall with a burst of immediate "wake-ups" that
 * measure nothing. */
#include "victim_stats.h"
#include "workload.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

enum { WAKE_VICTIM_WAKEUPS, WAKE_VICTIM_PERIOD_US };

static const struct cvb_param_desc wake_victim_params[] = {
    [WAKE_VICTIM_WAKEUPS] = {"wakeups", "timer wake-ups timed", 500, 1, 10000000},
    [WAKE_VICTIM_PERIOD_US] = {"period_us", "period between intended wake-ups", 1000, 1, 1000000},
    {0},
};

static const struct cvb_metric_desc wake_victim_metrics[] = {
    {"victim_total_ns", "ns", CVB_LOWER_IS_BETTER, "wall time from start to the last wake-up"},
    {"wake_latency_p50_ns", "ns", CVB_LOWER_IS_BETTER,
     "median of actual minus intended wake-up time"},
    {"wake_latency_p99_ns", "ns", CVB_LOWER_IS_BETTER,
     "99th percentile of actual minus intended wake-up time"},
    {"wake_latency_max_ns", "ns", CVB_LOWER_IS_BETTER,
     "largest actual minus intended wake-up time"},
    {0},
};

static int wake_victim_run(const struct cvb_workload_ctx *ctx)
{
	const size_t wakeups = (size_t)ctx->param[WAKE_VICTIM_WAKEUPS];
	const int64_t period = ctx->param[WAKE_VICTIM_PERIOD_US] * 1000;
	int64_t *lat = malloc(wakeups * sizeof(*lat));
	if (!lat)
		return 1;

	/* A normal task's timers may fire up to its timer slack late (50 us by
	 * default) so that the kernel can batch them: that would be measured
	 * as latency, identical everywhere, and hide what a neighbour adds.
	 * 1 ns is the smallest slack (0 would mean "the default"). */
	const int old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	const int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	cvb_emit_fact_num(ctx->out_fd, "wake_victim_timerslack_ns", slack);

	int status = 1;
	uint64_t overruns = 0;
	const int64_t t0 = cvb_wl_now_ns();
	int64_t next = t0 + period, t = t0;
	for (size_t k = 0; k < wakeups; k++) {
		const struct timespec due = {.tv_sec = next / 1000000000,
		                             .tv_nsec = next % 1000000000};
		int rc;
		/* Absolute: a signal's restart sleeps to the same deadline. */
		while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL)) == EINTR)
			;
		t = cvb_wl_now_ns();
		if (rc != 0) {
			char msg[96];
			snprintf(msg, sizeof(msg), "clock_nanosleep: %s", strerror(rc));
			cvb_emit_fact_str(ctx->out_fd, "wake_victim_error", msg);
			goto cleanup;
		}
		lat[k] = t - next;
		next += period;
		while (next <= t) {
			next += period;
			overruns++;
		}
	}
	const int64_t total = t - t0;

	cvb_emit_fact_num(ctx->out_fd, "wake_victim_overruns", (double)overruns);
	cvb_victim_sort_i64(lat, wakeups);
	cvb_emit_metric(ctx->out_fd, "victim_total_ns", (double)total);
	cvb_emit_metric(ctx->out_fd, "wake_latency_p50_ns",
	                cvb_victim_quantile_i64(lat, wakeups, 0.50));
	cvb_emit_metric(ctx->out_fd, "wake_latency_p99_ns",
	                cvb_victim_quantile_i64(lat, wakeups, 0.99));
	cvb_emit_metric(ctx->out_fd, "wake_latency_max_ns", (double)lat[wakeups - 1]);
	status = 0;

cleanup:
	if (old_slack > 0)
		prctl(PR_SET_TIMERSLACK, (unsigned long)old_slack, 0, 0, 0);
	free(lat);
	return status;
}

const struct cvb_workload cvb_workload_wake_victim = {
    .name = "wake-victim",
    .help = "periodic timer wake-ups (latency neighbour victim: wake-up lateness p50/p99/max)",
    .params = wake_victim_params,
    .metrics = wake_victim_metrics,
    .typical_ms = 500,
    .run = wake_victim_run,
};
