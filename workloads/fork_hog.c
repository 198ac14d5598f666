/* `fork-hog`: a bounded fork bomb. Keeps up to `procs` idle children alive
 * for a duration, counting forks that fail (EAGAIN at pids.max or
 * RLIMIT_NPROC): the probe of PID-limit tests and a process-table neighbour.
 * Hitting the limit is the point, so failed forks are not a failure. */
#include "workload.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { FORK_HOG_PROCS, FORK_HOG_DURATION_MS };

static const struct cvb_param_desc fork_hog_params[] = {
    [FORK_HOG_PROCS] = {"procs", "children to keep alive at once", 256, 1, 100000},
    [FORK_HOG_DURATION_MS] = {"duration_ms", "time to keep them alive", 1000, 0, 3600000},
    {0},
};

static const struct cvb_metric_desc fork_hog_metrics[] = {
    {"fork_hog_forks", "count", CVB_HIGHER_IS_BETTER, "successful forks"},
    {"fork_hog_fork_failures", "count", CVB_LOWER_IS_BETTER,
     "failed forks (retried every millisecond while below procs)"},
    {"fork_hog_peak_procs", "count", CVB_HIGHER_IS_BETTER,
     "most children alive at once (the agent itself not counted)"},
    {0},
};

static void sleep_ns(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000};
	nanosleep(&ts, NULL);
}

static void child(const struct cvb_workload_ctx *ctx, pid_t parent)
{
	/* The host reads the agent's output until EOF: no child may hold it. */
	close(ctx->out_fd);
	close(ctx->in_fd);
	/* Die with the agent even if it is SIGKILLed before it can reap us (a
	 * killed harness, a timeout): no orphaned bomb outlives a run. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}

/* Drops a reaped pid from the table; a pid not in it is an orphan that was
 * re-parented to us as PID 1, and reaping it was our duty anyway. */
static void forget(pid_t *pids, size_t *alive, pid_t pid)
{
	for (size_t i = 0; i < *alive; i++)
		if (pids[i] == pid) {
			pids[i] = pids[--*alive];
			return;
		}
}

static int fork_hog_run(const struct cvb_workload_ctx *ctx)
{
	const size_t procs = (size_t)ctx->param[FORK_HOG_PROCS];
	const int64_t deadline = cvb_wl_now_ns() + ctx->param[FORK_HOG_DURATION_MS] * 1000000;
	pid_t *pids = malloc(procs * sizeof(*pids));
	if (!pids)
		return 1;
	const pid_t self = getpid();
	size_t alive = 0, peak = 0;
	uint64_t forks = 0, failures = 0;

	for (int64_t now = cvb_wl_now_ns(); now < deadline && !cvb_stop_requested(ctx->in_fd);
	     now = cvb_wl_now_ns()) {
		/* Children that died (killed from outside) are replaced. */
		pid_t r;
		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			forget(pids, &alive, r);
		if (alive < procs) {
			pid_t pid = fork();
			if (pid == 0)
				child(ctx, self);
			if (pid > 0) {
				pids[alive++] = pid;
				forks++;
				if (alive > peak)
					peak = alive;
				continue;
			}
			/* At the limit: back off briefly rather than spin. */
			failures++;
			sleep_ns(1000000);
		} else {
			int64_t left = deadline - now;
			sleep_ns(left < 10000000 ? left : 10000000);
		}
	}

	for (size_t i = 0; i < alive; i++)
		kill(pids[i], SIGKILL);
	for (size_t i = 0; i < alive; i++)
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	/* Orphans that became ours as PID 1 meanwhile; never blocks. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	free(pids);

	cvb_emit_metric(ctx->out_fd, "fork_hog_forks", (double)forks);
	cvb_emit_metric(ctx->out_fd, "fork_hog_fork_failures", (double)failures);
	cvb_emit_metric(ctx->out_fd, "fork_hog_peak_procs", (double)peak);
	return 0;
}

const struct cvb_workload cvb_workload_fork_hog = {
    .name = "fork-hog",
    .help = "keep up to procs idle children alive for duration_ms (PID limits)",
    .params = fork_hog_params,
    .metrics = fork_hog_metrics,
    .stoppable = true,
    .run = fork_hog_run,
};
