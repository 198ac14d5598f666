/* `idle`: READY, then do nothing until the host stops it (its input reaches
 * EOF or carries a line) or the deadline passes. The host measures the
 * instance's resting footprint meanwhile. */
#include "workload.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

enum { IDLE_MAX_S };

static const struct cvb_param_desc idle_params[] = {
    [IDLE_MAX_S] = {"max_s", "deadline in seconds if the host never stops it", 600, 1, 86400},
    {0},
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The instance's own view of its memory (a VM's guest kernel; on the host
 * or in a container, the host's), as facts. */
static void report_meminfo(int fd)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f)) {
		long long kb;
		if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
			cvb_emit_fact_num(fd, "meminfo_total_bytes", (double)kb * 1024);
		else if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			cvb_emit_fact_num(fd, "meminfo_available_bytes", (double)kb * 1024);
	}
	if (f)
		fclose(f);
}

static int idle_run(const struct cvb_workload_ctx *ctx)
{
	report_meminfo(ctx->out_fd);
	int64_t deadline = now_ms() + ctx->param[IDLE_MAX_S] * 1000;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0)
			return 0;
		struct pollfd pfd = {.fd = ctx->in_fd, .events = POLLIN};
		int r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return 0;
		if (r > 0) {
			char buf[64];
			ssize_t n = read(ctx->in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			return 0; /* EOF, a stop line, or an unreadable input: stop */
		}
	}
}

const struct cvb_workload cvb_workload_idle = {
    .name = "idle",
    .help = "say READY, then rest until the host stops it (resting footprint)",
    .params = idle_params,
    .holds_until_stopped = true,
    .run = idle_run,
};
