/* One plain launch: the measured path. Between the timestamp before
 * launch() and READY's arrival the harness does nothing but wait and read. */
#include "clock.h"
#include "launch.h"
#include "runner.h"
#include "signals.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

void cvb_sample_run(const struct cvb_run *run, struct cvb_cell *cell, struct cvb_sample *s)
{
	const struct cvb_plan *plan = cell->plan;
	const struct cvb_workload *w = cell->workload;
	struct cvb_launch l;
	cvb_launch_init(&l, cell->backend, w, cell->params, s);
	l.inject_delay_ns = plan->inject_delay_us * 1000;
	struct cvb_launch_spec spec = {.run_id = run->id,
	                               .agent_path = run->agent_path,
	                               .cpus = cell->cpus,
	                               .config = &plan->config,
	                               .run_state = cell->run_state,
	                               .launcher = plan->launcher[0] ? plan->launcher : NULL};
	if (cvb_launch_start(&l, &spec) < 0)
		return;
	const int64_t deadline = l.t0 + (int64_t)cell->timeout_ms * 1000000;
	int64_t measure_at = -1;
	while (!l.eof) {
		if (cvb_stop_signal) {
			s->status = CVB_SAMPLE_INTERRUPTED;
			snprintf(s->reason, sizeof(s->reason), "interrupted by signal %d",
			         (int)cvb_stop_signal);
			break;
		}
		int64_t now = cvb_now_ns();
		if (l.ready && w->holds_until_stopped && !l.stopped && measure_at < 0)
			measure_at = l.t_arrival + plan->settle_ms * 1000000;
		if (l.ready && !w->holds_until_stopped && !l.measured &&
		    (cell->backend->caps & CVB_CAP_MEASURE_AT_READY))
			/* After READY: outside the startup window, which has ended. */
			cvb_launch_measure(&l);
		if (measure_at >= 0 && !l.stopped && now >= measure_at) {
			cvb_launch_measure(&l);
			cvb_launch_stop(&l);
			continue;
		}
		if (now >= deadline) {
			/* One plain launch is bounded as a whole, from its call. */
			cvb_launch_time_out(&l, now, l.t0, "the launch call",
			                    (int64_t)cell->timeout_ms * 1000000);
			break;
		}
		int64_t until =
		    measure_at >= 0 && !l.stopped && measure_at < deadline ? measure_at : deadline;
		int wait_ms = (int)((until - now + 999999) / 1000000);
		struct pollfd pfd = {.fd = l.inst->out_fd, .events = POLLIN};
		int r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno != EINTR) {
			snprintf(s->reason, sizeof(s->reason), "poll: %s", strerror(errno));
			s->status = CVB_SAMPLE_FAILED;
			break;
		}
		if (r > 0)
			cvb_launch_drain(&l);
	}
	cvb_launch_end(&l);
	if (s->status == CVB_SAMPLE_OK && !s->warmup)
		cvb_launch_commit(cell, &l, true, NULL);
}
