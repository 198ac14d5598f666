#include "cvb_spawn.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int cvb_cpulist_valid(const char *cpus, struct cvb_error *err)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	if (!set)
		return cvb_error_set(err, ENOMEM, "out of memory");
	int bad = hwloc_bitmap_list_sscanf(set, cpus) < 0 || hwloc_bitmap_iszero(set) ||
	          hwloc_bitmap_weight(set) < 0;
	hwloc_bitmap_free(set);
	if (bad)
		return cvb_error_set(err, EINVAL,
		                     "bad CPU list '%s' (expected e.g. '1' or '0,2-3')", cpus);
	return 0;
}

/* A cpulist into a glibc set with hwloc's bitmap parser only: no topology is
 * built, since this runs inside the measured launch window. */
int cvb_cpulist_to_cpuset(const char *cpus, cpu_set_t *out, struct cvb_error *err)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int rc = 0;
	if (!set)
		return cvb_error_set(err, ENOMEM, "out of memory");
	CPU_ZERO(out);
	if (hwloc_bitmap_list_sscanf(set, cpus) < 0 || hwloc_bitmap_iszero(set) ||
	    hwloc_bitmap_last(set) >= CPU_SETSIZE) {
		rc = cvb_error_set(err, EINVAL, "bad CPU list '%s'", cpus);
	} else {
		unsigned cpu;
		hwloc_bitmap_foreach_begin(cpu, set) CPU_SET(cpu, out);
		hwloc_bitmap_foreach_end();
	}
	hwloc_bitmap_free(set);
	return rc;
}

int cvb_spawn(const struct cvb_spawn_opts *o, pid_t *pid, struct cvb_error *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	cpu_set_t saved, pin;
	bool pinned = false;
	int rc;

	if (o->cpus) {
		if (cvb_cpulist_to_cpuset(o->cpus, &pin, err) < 0)
			return -1;
		if (sched_getaffinity(0, sizeof(saved), &saved) < 0)
			return cvb_error_errno(err, errno, "sched_getaffinity");
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	const int want[3] = {o->stdin_fd, o->stdout_fd, o->stderr_fd};
	for (int i = 0; i < 3; i++) {
		if (want[i] >= 0)
			posix_spawn_file_actions_adddup2(&fa, want[i], i);
		else
			posix_spawn_file_actions_addopen(&fa, i, "/dev/null",
			                                 i ? O_WRONLY : O_RDONLY, 0);
	}
	/* Only fds 0-2 reach the child, whatever the harness inherited. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	sigset_t none, all;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	if (o->new_pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		posix_spawnattr_setpgroup(&attr, 0);
	}
	posix_spawnattr_setflags(&attr, flags);

	if (o->cpus) {
		if (sched_setaffinity(0, sizeof(pin), &pin) < 0) {
			rc = cvb_error_errno(err, errno, "cannot pin to CPUs '%s'", o->cpus);
			goto out;
		}
		pinned = true;
	}
	char *const *envp = o->envp ? o->envp : environ;
	rc = o->search_path ? posix_spawnp(pid, o->argv[0], &fa, &attr, o->argv, envp)
	                    : posix_spawn(pid, o->argv[0], &fa, &attr, o->argv, envp);
	if (rc != 0)
		rc = cvb_error_errno(err, rc, "cannot start '%s'", o->argv[0]);
out:
	if (pinned && sched_setaffinity(0, sizeof(saved), &saved) < 0 && rc == 0)
		rc = cvb_error_errno(err, errno, "cannot restore the harness's CPU affinity");
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int cvb_spawn_capture(char *const argv[], char *out, size_t outlen, int timeout_ms,
                      struct cvb_error *err)
{
	int p[2];
	pid_t pid;
	size_t len = 0;
	if (outlen)
		out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) < 0)
		return cvb_error_errno(err, errno, "pipe");
	struct cvb_spawn_opts o = {.argv = argv,
	                           .stdin_fd = -1,
	                           .stdout_fd = p[1],
	                           .stderr_fd = p[1],
	                           .search_path = true,
	                           .new_pgroup = true};
	if (cvb_spawn(&o, &pid, err) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	int64_t deadline = cvb_now_ns() + (int64_t)timeout_ms * 1000000;
	bool timed_out = false;
	for (;;) {
		int64_t left_ms = (deadline - cvb_now_ns()) / 1000000;
		if (left_ms <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = p[0], .events = POLLIN};
		int r = poll(&pfd, 1, (int)left_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		char scratch[512];
		char *dst = len + 1 < outlen ? out + len : scratch;
		size_t room = len + 1 < outlen ? outlen - 1 - len : sizeof(scratch);
		ssize_t n = read(p[0], dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (dst != scratch) {
			len += (size_t)n;
			out[len] = '\0';
		}
	}
	close(p[0]);
	if (timed_out)
		kill(-pid, SIGKILL);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return cvb_error_set(err, ETIMEDOUT, "'%s' did not finish within %d ms", argv[0],
		                     timeout_ms);
	if (WIFSIGNALED(status))
		return cvb_error_set(err, EINTR, "'%s' was killed by signal %d", argv[0],
		                     WTERMSIG(status));
	return WEXITSTATUS(status);
}
