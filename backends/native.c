/* The native backend: the agent as an ordinary host process (the baseline
 * every other backend is compared with). posix_spawn, optional pinning,
 * its own process group so teardown reaches anything it forked. */
#include "backend.h"
#include "clock.h"
#include "procfs.h"
#include "reap.h"
#include "cvb_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NATIVE_MAX_ARGS 64
#define NATIVE_EXIT_GRACE_MS 2000

extern const struct cvb_backend cvb_backend_native;

struct native_state {
	pid_t pid; /* 0 until spawned */
	int pidfd; /* -1 if not open */
	bool reaped;
	struct cvb_exit exit;
	int64_t t_start_ns; /* the launch call's start, for the exit's phase */
};

static int native_probe(const struct cvb_probe_ctx *ctx, char *reason, size_t len)
{
	(void)ctx;
	(void)reason;
	(void)len;
	return 0; /* a host that runs the harness can run a process */
}

static int native_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                          struct cvb_error *err);
static void native_release(struct cvb_instance *inst);

/* The agent and its arguments, or, with a launcher, the launcher's words
 * with {agent} replaced by them and {name} by the instance name. */
static int build_argv(const struct cvb_launch_spec *spec, const char *name, char **argv,
                      struct cvb_error *err)
{
	size_t n = 0;
	char *const self[] = {"{agent}", NULL};
	for (char *const *w = spec->launcher ? spec->launcher : self; *w; w++) {
		if (strcmp(*w, "{agent}") == 0) {
			if (n > NATIVE_MAX_ARGS)
				break;
			argv[n++] = (char *)spec->agent_path;
			for (char *const *a = spec->agent_args; *a && n <= NATIVE_MAX_ARGS; a++)
				argv[n++] = *a;
		} else if (n <= NATIVE_MAX_ARGS) {
			argv[n++] = strcmp(*w, "{name}") == 0 ? (char *)name : *w;
		}
		if (n > NATIVE_MAX_ARGS)
			return cvb_error_set(err, E2BIG, "more than %d arguments", NATIVE_MAX_ARGS);
	}
	argv[n] = NULL;
	return 0;
}

static int native_launch(const struct cvb_launch_spec *spec, struct cvb_instance **out,
                         struct cvb_error *err)
{
	int outp[2] = {-1, -1}, inp[2] = {-1, -1};
	struct cvb_instance *inst = calloc(1, sizeof(*inst));
	struct native_state *st = calloc(1, sizeof(*st));
	if (!inst || !st) {
		free(inst);
		free(st);
		return cvb_error_set(err, ENOMEM, "out of memory");
	}
	inst->backend = &cvb_backend_native;
	inst->priv = st;
	inst->out_fd = inst->in_fd = st->pidfd = -1;
	st->t_start_ns = spec->t_start_ns;

	char *argv[NATIVE_MAX_ARGS + 2];
	char name[96];
	snprintf(name, sizeof(name), "cvb-%s-%u", spec->run_id, spec->index);
	if (build_argv(spec, name, argv, err) < 0)
		goto fail;
	/* The same small environment every backend gives the agent; the run id
	 * lets `cvbench cleanup` recognise a killed run's processes. */
	char env_run[128], env_inst[128];
	snprintf(env_run, sizeof(env_run), "CVB_RUN_ID=%s", spec->run_id);
	snprintf(env_inst, sizeof(env_inst), "CVB_INSTANCE=cvb-%s-%u", spec->run_id, spec->index);
	/* The agent's parent (us), so it can tell it was orphaned early. */
	char env_ppid[48];
	snprintf(env_ppid, sizeof(env_ppid), "CVB_PARENT_PID=%ld", (long)getpid());
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_run, env_inst, env_ppid, NULL};

	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(inp, O_CLOEXEC) < 0) {
		cvb_error_errno(err, errno, "cannot create the agent's pipes");
		goto fail;
	}
	struct cvb_spawn_opts o = {.argv = argv,
	                           .envp = envp,
	                           .stdin_fd = inp[0],
	                           .stdout_fd = outp[1],
	                           .stderr_fd = outp[1],
	                           .cpus = spec->cpus,
	                           .search_path = spec->launcher != NULL,
	                           .new_pgroup = true};
	if (cvb_spawn(&o, &st->pid, err) < 0)
		goto fail;
	cvb_instance_mark(inst, "spawned", spec->t_start_ns);
	close(outp[1]);
	close(inp[0]);
	outp[1] = inp[0] = -1;
	inst->out_fd = outp[0];
	inst->in_fd = inp[1];
	fcntl(inst->out_fd, F_SETFL, O_NONBLOCK);
	/* A pidfd lets destroy wait for the exit with a bound. */
	st->pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (st->pidfd < 0) {
		cvb_error_errno(err, errno, "pidfd_open(%d)", (int)st->pid);
		goto fail;
	}
	*out = inst;
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0 && outp[i] != inst->out_fd)
			close(outp[i]);
		if (inp[i] >= 0 && inp[i] != inst->in_fd)
			close(inp[i]);
	}
	native_destroy(inst, false, NULL, NULL);
	native_release(inst);
	return -1;
}

static int native_measure(struct cvb_instance *inst, struct cvb_usage *u, struct cvb_error *err)
{
	struct native_state *st = inst->priv;
	struct cvb_proc_memory m;
	*u = CVB_USAGE_UNKNOWN;
	if (cvb_proc_memory_read("/proc", st->pid, &m, err) < 0)
		return -1;
	u->rss_bytes = m.rss_bytes;
	u->pss_bytes = m.pss_bytes;
	u->uss_bytes = m.uss_bytes;
	return cvb_proc_cpu_ns_read("/proc", st->pid, &u->cpu_ns, err);
}

static int native_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                          struct cvb_error *err)
{
	struct native_state *st = inst->priv;
	int rc = 0;
	if (inst->in_fd >= 0) {
		close(inst->in_fd);
		inst->in_fd = -1;
	}
	if (st->pid > 0 && !st->reaped) {
		st->exit = (struct cvb_exit){.cpu_ns = -1, .max_rss_bytes = -1};
		bool gone = cvb_pidfd_wait(st->pidfd, graceful ? NATIVE_EXIT_GRACE_MS : 0);
		st->exit.killed = !gone;
		/* When the harness saw the agent's own exit: with "spawned" and
		 * "ready", the process's whole life as its parent sees it, spawn
		 * to exit, which is what `hyperfine -N` times
		 * (scripts/validate-startup.sh compares the two). */
		if (gone && graceful)
			cvb_instance_mark(inst, "exited", st->t_start_ns);
		/* Kill the whole group before reaping: while the leader is a zombie
		 * its pid (and so the group id) cannot be reused. This also ends
		 * anything the agent forked and left behind. */
		if (kill(-st->pid, SIGKILL) < 0 && errno != ESRCH)
			rc = cvb_error_errno(err, errno, "cannot kill agent process group %d",
			                     (int)st->pid);
		if (cvb_reap(st->pid, &st->exit) == 0)
			st->reaped = true;
		else if (rc == 0)
			rc = cvb_error_errno(err, errno, "cannot reap agent %d", (int)st->pid);
	}
	if (st->pidfd >= 0) {
		close(st->pidfd);
		st->pidfd = -1;
	}
	if (inst->out_fd >= 0) {
		close(inst->out_fd);
		inst->out_fd = -1;
	}
	if (exit)
		*exit = st->exit;
	return rc;
}

static void native_release(struct cvb_instance *inst)
{
	if (!inst)
		return;
	free(inst->priv);
	free(inst);
}

const struct cvb_backend cvb_backend_native = {
    .name = "native",
    .summary = "the agent as an ordinary host process (the baseline)",
    .caps = CVB_CAP_PIN | CVB_CAP_LAUNCHER,
    .default_timeout_ms = 10000,
    .probe = native_probe,
    .launch = native_launch,
    .measure = native_measure,
    .destroy = native_destroy,
    .release = native_release,
};
