/* The container's init between clone and exec. Usually a CLONE_VM child: it
 * shares the harness's memory (and its errno) while the parent runs on, so
 * it uses system calls and stack buffers only: no malloc, no stdio streams,
 * no glibc calls that signal other threads; errno is read right after each
 * failing call. Every step here is inside the measured startup window: keep
 * it minimal and fixed, and prepare everything else in the parent. */
#include "clock.h"
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/keyctl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noreturn)) static void die(const struct cvb_child_args *a, const char *step, int e)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%s: %s", step,
	                 strerrordesc_np(e) ? strerrordesc_np(e) : "error");
	if (n > (int)sizeof(msg) - 1)
		n = (int)sizeof(msg) - 1;
	if (n > 0)
		(void)!write(a->err_fd, msg, (size_t)n);
	_exit(127);
}

/* Waits for the parent's next go-ahead byte. */
static void wait_parent(const struct cvb_child_args *a)
{
	char go;
	if (read(a->sync_fd, &go, 1) != 1)
		_exit(127); /* the parent gave up: say nothing, it knows */
}

__attribute__((noreturn)) void cvb_container_child(const struct cvb_child_args *a)
{
	const char *step = NULL;
	int rc;

	a->times->started = cvb_now_ns();
	/* Start like a spawned process: default signal handling (not the
	 * harness's handlers or its ignored SIGPIPE), a session of our own (no
	 * terminal's Ctrl-C), then the signals the parent blocked for clone. */
	for (int sig = 1; sig < 65; sig++) {
		struct sigaction dfl = {.sa_handler = SIG_DFL};
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	}
	setsid();
	sigprocmask(SIG_SETMASK, a->sigmask, NULL);
	/* Join our cgroup v1 directories first, while still host root and
	 * before the host's /sys/fs/cgroup is out of sight. */
	for (size_t i = 0; i < a->n_task_files; i++) {
		int fd = open(a->task_files[i], O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			char what[PATH_MAX + 32];
			snprintf(what, sizeof(what), "join the cgroup via %s", a->task_files[i]);
			die(a, what, errno);
		}
		close(fd);
	}
	a->times->in_cgroup = cvb_now_ns();
	wait_parent(a); /* our uid/gid maps are written */
	/* No supplementary group of the harness's (or of whoever started it)
	 * may follow us in: in a user namespace they would show as nogroup yet
	 * still open host files by group. The parent left setgroups "allow".
	 * Raw system calls: glibc's wrappers would signal the threads of the
	 * harness, whose memory a CLONE_VM child shares. */
	if (syscall(SYS_setgroups, 0, NULL) < 0)
		die(a, "drop the supplementary groups (setgroups)", errno);
	if (a->namespaces & CVB_NS_USER) {
		/* Become the namespace's root (host uid
		 * cvb_container_host_root_uid(), container_ids.h). */
		if (syscall(SYS_setresgid, 0, 0, 0) < 0)
			die(a, "setresgid(0) in the user namespace", errno);
		if (syscall(SYS_setresuid, 0, 0, 0) < 0)
			die(a, "setresuid(0) in the user namespace", errno);
	}
	/* A fresh, empty, anonymous session keyring (runc does the same): the
	 * one inherited from the harness is possessed by whoever holds it, so
	 * the container could read and add to the host session's keys, user
	 * namespace or not. ENOSYS: a kernel without keys has nothing to share. */
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, 0L, 0L, 0L, 0L) < 0 && errno != ENOSYS)
		die(a, "join a new session keyring", errno);
	a->times->ids_set = cvb_now_ns();

	if ((a->namespaces & CVB_NS_UTS) && sethostname(a->hostname, strlen(a->hostname)) < 0)
		die(a, "sethostname", errno);
	if ((a->namespaces & CVB_NS_NET) && (rc = cvb_net_lo_up()) < 0)
		die(a, "bring up lo", -rc);
	a->times->net_up = cvb_now_ns();

	if (a->namespaces & CVB_NS_MNT) {
		if ((rc = cvb_rootfs_enter(a->rootfs, a->rootfs_writable,
		                           a->namespaces & CVB_NS_NET, &step)) < 0)
			die(a, step, -rc);
	} else if (chroot(a->rootfs) < 0 || chdir("/") < 0) {
		/* Without a mount namespace the host's mounts cannot be changed:
		 * the rootfs is only a chroot, and /proc inside it stays empty. */
		die(a, "chroot into the rootfs", errno);
	}
	a->times->mounted = cvb_now_ns();

	wait_parent(a); /* we are in our cgroup v2 directory too, if any */
	close(a->sync_fd);
	/* A cgroup namespace takes the current cgroup as its root: only now. */
	if (a->unshare_cgroup_late && unshare(CLONE_NEWCGROUP) < 0)
		die(a, "unshare(CLONE_NEWCGROUP)", errno);

	/* Capabilities, then no_new_privs, then seccomp. Without no_new_privs
	 * the filter needs CAP_SYS_ADMIN, so it goes first (as runc does). */
	bool seccomp_first = (a->harden & CVB_HARDEN_SECCOMP) && !(a->harden & CVB_HARDEN_NNP);
	if (seccomp_first && (rc = cvb_seccomp_apply(a->seccomp)) < 0)
		die(a, "load the seccomp filter", -rc);
	if ((a->harden & CVB_HARDEN_CAPS) && (rc = cvb_harden_caps_apply(a->cap_last_cap)) < 0)
		die(a, "drop capabilities", -rc);
	if ((a->harden & CVB_HARDEN_NNP) && (rc = cvb_harden_nnp_apply()) < 0)
		die(a, "set no_new_privs", -rc);
	if (!seccomp_first && (a->harden & CVB_HARDEN_SECCOMP) &&
	    (rc = cvb_seccomp_apply(a->seccomp)) < 0)
		die(a, "load the seccomp filter", -rc);
	a->times->hardened = cvb_now_ns();
	if (a->cpus && sched_setaffinity(0, sizeof(*a->cpus), a->cpus) < 0)
		die(a, "pin to the chosen CPUs", errno);

	if (dup2(a->stdin_fd, 0) < 0 || dup2(a->stdout_fd, 1) < 0 || dup2(a->stdout_fd, 2) < 0)
		die(a, "set up the agent's stdio", errno);
	/* Nothing the harness holds (or inherited from its caller) may reach
	 * the container: a host directory fd would lead around pivot_root. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		die(a, "mark inherited fds close-on-exec", errno);
	a->times->exec_called = cvb_now_ns();
	execve(a->argv[0], a->argv, a->envp);
	die(a, "exec /cvb-agent", errno);
}
