/* Internals of the container backend, shared by its files:
 *   container.c         the backend table: probe, run set-up, launch, teardown
 *   container_child.c   what the new init process does between clone and exec
 *   container_rootfs.c  the run's minimal root filesystem, and entering it
 *   container_net.c     bringing up lo in a new network namespace */
#ifndef CVB_CONTAINER_H
#define CVB_CONTAINER_H

#include "harden.h"
#include "instance_config.h"

#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a run keeps its files: <dir>/cvb-<run-id>/rootfs. Not /run: it is
 * often mounted noexec, and the agent is executed from the rootfs. */
#define CVB_CONTAINER_RUN_DIR "/var/lib/cvbench"

/* The container's root in the host's uid/gid space: container_ids.h
 * (cvb_container_host_root_uid()), outside every /etc/subuid range. */

/* Timestamps the child records (host CLOCK_MONOTONIC) in memory shared with
 * the parent, so that phases are measured where they happen. */
struct cvb_child_times {
	int64_t started, in_cgroup, ids_set, net_up, mounted, hardened, exec_called;
};

/* Everything the child needs, prepared by the parent before clone. */
struct cvb_child_args {
	const char *rootfs;   /* the run's prepared rootfs directory */
	const char *hostname; /* cvb-<run-id>-<n>, truncated to 64 */
	char *const *argv;    /* "/cvb-agent" WORKLOAD NAME=VALUE... */
	char *const *envp;
	unsigned namespaces; /* enum cvb_ns */
	unsigned harden;     /* enum cvb_harden */
	bool rootfs_writable;
	bool unshare_cgroup_late; /* cgroup ns after the parent attached us (not CLONE_INTO_CGROUP)
	                           */
	int cap_last_cap;
	const struct cvb_seccomp_prog *seccomp;
	int sync_fd;             /* read end: the parent's go-ahead (one byte) */
	int err_fd;              /* write end, close-on-exec: an error message, or EOF at exec */
	int stdin_fd, stdout_fd; /* the agent's pipes */
	const cpu_set_t *cpus;   /* pin the agent here, or NULL */
	char (*task_files)[PATH_MAX]; /* cgroup v1 `tasks` files to write "0" to */
	const sigset_t *sigmask;      /* the harness's mask, restored once handlers are reset */
	size_t n_task_files;
	struct cvb_child_times *times;
};

/* The child's whole life: wait for the go-ahead, become root of the user
 * namespace, set hostname, lo, mounts, hardening, exec. Never returns: on
 * error writes "step: message" to err_fd and exits 127. */
__attribute__((noreturn)) void cvb_container_child(const struct cvb_child_args *a);

struct cvb_error;
struct cvb_probe_ctx;
struct cvb_findings;

/* The backend's doctor hook: root, user namespaces, the cgroup controllers
 * the planned options need (backends/container_doctor.c). */
void cvb_container_doctor(const struct cvb_probe_ctx *ctx, struct cvb_findings *out);
/* Builds the run's rootfs under dir: the static agent as /cvb-agent, the
 * mount points it needs (proc, sys, dev, tmp), and /scratch, owned by the
 * container's root (its host ids: scratch_uid, scratch_gid) with mode 0755,
 * never world-writable. Returns 0 or -1 with err. */
int cvb_rootfs_prepare(const char *dir, const char *agent_path, uid_t scratch_uid,
                       gid_t scratch_gid, struct cvb_error *err);

/* In the child, in its own mount namespace: bind the rootfs, mount /proc,
 * a minimal /dev, /sys (read-only), /tmp, mask sensitive paths, pivot_root
 * into it and make it read-only unless writable. 0, or -errno with *step set. */
int cvb_rootfs_enter(const char *rootfs, bool writable, bool new_netns, const char **step);

/* Sets the loopback interface up (in a fresh network namespace it is down). */
int cvb_net_lo_up(void);

#endif
