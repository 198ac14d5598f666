/* Privilege probes of the audit workload. They run in a throwaway child, so
 * that what they change (a user namespace, a persona) dies with it; the
 * others are calls with arguments the kernel rejects after the filter and
 * the permission checks (a bad descriptor, a NULL pointer), which change
 * nothing. A call "got past the filter" unless it failed with EPERM (the
 * profiles' refusal) or ENOSYS (clone3 and unknown numbers under the default
 * profile, or a kernel without the call). */
#include "audit_privs.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
/* open_tree_attr (Linux 6.15): 467 in every architecture's table since the
 * tables were unified, and newer than libseccomp 2.5.4 knows. */
#ifndef SYS_open_tree_attr
#define SYS_open_tree_attr 467
#endif

/* The kernel's struct clone_args up to tls (CLONE_ARGS_SIZE_VER0). */
struct probe_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

/* 0 if the call made a new process in a new user namespace, else errno. */
static int fork_like(long pid)
{
	if (pid == 0)
		_exit(0); /* the grandchild: raw clone without CLONE_VM is a fork */
	if (pid < 0)
		return errno ? errno : EINVAL;
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

static int try_clone_newuser(void)
{
	errno = 0;
	return fork_like(
	    syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, NULL, NULL, 0UL));
}

static int try_clone3_newuser(void)
{
	struct probe_clone_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	errno = 0;
	return fork_like(syscall(SYS_clone3, &args, sizeof(args)));
}

/* Last: it moves this child itself into the new namespace. */
static int try_unshare_newuser(void)
{
	return unshare(CLONE_NEWUSER) == 0 ? 0 : errno;
}

static long call_io_uring_setup(void)
{
	return syscall(SYS_io_uring_setup, 0U, NULL); /* EFAULT or EINVAL */
}

static long call_pidfd_getfd(void)
{
	return syscall(SYS_pidfd_getfd, -1, 0, 0U); /* EBADF */
}

static long call_process_madvise(void)
{
	return syscall(SYS_process_madvise, -1, NULL, 0UL, 0, 0U); /* EBADF */
}

/* A persona moby does not allow (it disables ASLR at the next exec, which
 * this child never makes); moby allows the query 0xffffffff, so asking that
 * would not tell the profiles apart. */
static long call_personality(void)
{
	return personality(PER_LINUX | ADDR_NO_RANDOMIZE);
}

/* A vsock socket, closed at once; EAFNOSUPPORT without the vsock module
 * (the filter let it through all the same). */
static long call_socket_vsock(void)
{
	long fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long call_open_tree_attr(void)
{
	return syscall(SYS_open_tree_attr, -1, NULL, 0U, NULL, 0UL); /* EFAULT, EBADF */
}

static const struct probe {
	const char *name;
	long (*call)(void);
} probes[] = {
    {"io_uring_setup", call_io_uring_setup},   {"pidfd_getfd", call_pidfd_getfd},
    {"process_madvise", call_process_madvise}, {"personality", call_personality},
    {"socket_vsock", call_socket_vsock},       {"open_tree_attr", call_open_tree_attr},
};
#define N_PROBES (sizeof(probes) / sizeof(probes[0]))

/* What the child reports: 0 for success, else the errno, per probe. */
struct probe_results {
	int userns[3]; /* clone, clone3, unshare */
	int call[N_PROBES];
};

static void run_probes(struct probe_results *r)
{
	r->userns[0] = try_clone_newuser();
	r->userns[1] = try_clone3_newuser();
	r->userns[2] = try_unshare_newuser();
	for (size_t i = 0; i < N_PROBES; i++) {
		errno = 0;
		r->call[i] = probes[i].call() < 0 ? (errno ? errno : EINVAL) : 0;
	}
}

static const char *errno_text(int e)
{
	const char *name = e ? strerrorname_np(e) : "ok";
	return name ? name : "error";
}

static bool past_filter(int e)
{
	return e != EPERM && e != ENOSYS;
}

void cvb_audit_privs(int fd)
{
	struct probe_results r;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0) {
		cvb_emit_fact_str(fd, "can_create_user_namespace", "unknown (no pipe)");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		run_probes(&r);
		_exit(write(p[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	ssize_t got = -1;
	if (pid > 0) {
		do
			got = read(p[0], &r, sizeof(r));
		while (got < 0 && errno == EINTR);
		waitpid(pid, NULL, 0);
	}
	close(p[0]);
	if (got != (ssize_t)sizeof(r)) {
		cvb_emit_fact_str(fd, "can_create_user_namespace", "unknown (probe child failed)");
		return;
	}
	char buf[512], list[256] = "";
	snprintf(buf, sizeof(buf), "clone: %s, clone3: %s, unshare: %s", errno_text(r.userns[0]),
	         errno_text(r.userns[1]), errno_text(r.userns[2]));
	bool userns = !r.userns[0] || !r.userns[1] || !r.userns[2];
	cvb_emit_fact_str(fd, "can_create_user_namespace", userns ? "yes" : "no");
	cvb_emit_fact_str(fd, "user_namespace_probe", buf);
	size_t off = 0, loff = 0;
	for (size_t i = 0; i < N_PROBES; i++) {
		off += (size_t)snprintf(buf + off, off < sizeof(buf) ? sizeof(buf) - off : 0,
		                        "%s%s: %s", i ? ", " : "", probes[i].name,
		                        errno_text(r.call[i]));
		if (past_filter(r.call[i]))
			loff += (size_t)snprintf(list + loff,
			                         loff < sizeof(list) ? sizeof(list) - loff : 0,
			                         "%s%s", loff ? "," : "", probes[i].name);
	}
	cvb_emit_fact_str(fd, "syscalls_reachable", loff ? list : "none");
	cvb_emit_fact_str(fd, "syscalls_probe", buf);
}
