/* cvb-agent: one static binary holding every workload. It runs as a host
 * process, as a container's PID 1 and as a VM's /init, and speaks the line
 * protocol of DESIGN.md on stdout:
 *   READY <CLOCK_MONOTONIC ns of this kernel>
 *   {"metric":"<name>","value":<number>}    (zero or more)
 *   DONE <status>
 * Usage: cvb-agent WORKLOAD [NAME=VALUE ...] | cvb-agent --list */
#include "pid1.h"
#include "workload.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static void say_ready(void)
{
	struct timespec ts;
	char line[64];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(line, sizeof(line), "READY %" PRId64 "\n",
	         (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	cvb_emit_line(STDOUT_FILENO, line);
}

/* Under a harness (CVB_RUN_ID set), dies with it: a harness killed with
 * SIGKILL can neither STOP nor kill its agents, and a stoppable hog would
 * otherwise burn a CPU for its full maximum duration. Not as a machine's
 * init, whose "parent" is the guest kernel itself. The agent changes no
 * credentials after exec (which is what clears the death signal), so
 * setting it here, at start, is after the last change. */
static void die_with_harness(bool machine_init)
{
	if (machine_init || !getenv("CVB_RUN_ID"))
		return;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		return;
	/* The harness may have died before the prctl: then we are already an
	 * orphan and no signal will come. As a host process, getppid() tells
	 * (it is the pid the harness passed unless we were reparented). As a
	 * container's init getppid() is 0 (the harness is outside the pid
	 * namespace; the death signal still crosses it), so ask the control
	 * pipe instead: the harness holds its only write end, so a hangup
	 * there means it is gone. */
	const char *pp = getenv("CVB_PARENT_PID");
	pid_t ppid = getppid();
	if (pp && ppid != 0 && ppid != (pid_t)strtol(pp, NULL, 10))
		_exit(2);
	struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
	if (ppid == 0 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP) &&
	    !(pfd.revents & POLLIN))
		_exit(2);
}

static void list_workloads(void)
{
	for (size_t i = 0; cvb_workloads[i]; i++) {
		const struct cvb_workload *w = cvb_workloads[i];
		printf("%-12s %s\n", w->name, w->help);
		for (const struct cvb_param_desc *p = w->params; p && p->name; p++)
			printf("    %s=N  %s (default %" PRId64 ", %" PRId64 "..%" PRId64 ")\n",
			       p->name, p->help, p->def, p->min, p->max);
	}
}

/* Parses NAME=VALUE arguments into ctx; on error writes a protocol-visible
 * message and returns -1. The harness validates the same before launching,
 * so this only catches a hand-run agent's typos. */
static int parse_params(const struct cvb_workload *w, int argc, char **argv,
                        struct cvb_workload_ctx *ctx)
{
	for (size_t i = 0; i < cvb_workload_param_count(w); i++)
		ctx->param[i] = w->params[i].def;
	for (int i = 0; i < argc; i++) {
		/* Copy the name out: argv itself stays as given (ps shows it). */
		char name[64];
		const char *eq = strchr(argv[i], '=');
		if (!eq || (size_t)(eq - argv[i]) >= sizeof(name)) {
			dprintf(STDERR_FILENO, "cvb-agent: expected NAME=VALUE, got '%s'\n",
			        argv[i]);
			return -1;
		}
		memcpy(name, argv[i], (size_t)(eq - argv[i]));
		name[eq - argv[i]] = '\0';
		int idx = cvb_workload_param_index(w, name);
		char *end;
		errno = 0;
		long long v = strtoll(eq + 1, &end, 10);
		if (idx < 0 || errno || end == eq + 1 || *end || v < w->params[idx].min ||
		    v > w->params[idx].max) {
			dprintf(STDERR_FILENO, "cvb-agent: bad parameter '%s' for workload %s\n",
			        argv[i], w->name);
			return -1;
		}
		ctx->param[idx] = v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--list") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("usage: cvb-agent WORKLOAD [NAME=VALUE ...]\n\nworkloads:\n");
		list_workloads();
		return 0;
	}
	bool pid1 = getpid() == 1;
	if (pid1)
		cvb_pid1_ensure_console();
	/* READY first: startup latency ends here, so nothing precedes it that a
	 * workload could do later. */
	say_ready();
	if (pid1) {
		cvb_pid1_mount_basics();
		/* A machine's init says how long its kernel took to get here, on
		 * the guest's clock (reported, never subtracted from host times). */
		if (cvb_pid1_is_machine_init())
			cvb_pid1_report_uptime(STDOUT_FILENO);
	}
	/* Right after READY (which nothing may precede) and, as PID 1, after
	 * /proc is mounted, which telling a machine's init needs. */
	die_with_harness(pid1 && cvb_pid1_is_machine_init());

	int status = 2;
	const struct cvb_workload *w = argc >= 2 ? cvb_workload_find(argv[1]) : NULL;
	struct cvb_workload_ctx ctx = {.out_fd = STDOUT_FILENO, .in_fd = STDIN_FILENO};
	if (!w)
		dprintf(STDERR_FILENO, "cvb-agent: unknown or missing workload (try --list)\n");
	else if (parse_params(w, argc - 2, argv + 2, &ctx) == 0)
		status = w->run(&ctx);

	char done[32];
	snprintf(done, sizeof(done), "DONE %d\n", status);
	cvb_emit_line(STDOUT_FILENO, done);
	if (pid1 && cvb_pid1_is_machine_init())
		cvb_pid1_poweroff();
	return status;
}
