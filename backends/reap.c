#include "reap.h"
#include "clock.h"

#include <errno.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>

bool cvb_pidfd_wait(int pidfd, int timeout_ms)
{
	struct pollfd pfd = {.fd = pidfd, .events = POLLIN};
	int64_t deadline = cvb_now_ns() + (int64_t)timeout_ms * 1000000;
	if (pidfd < 0)
		return false;
	for (;;) {
		int left = (int)((deadline - cvb_now_ns()) / 1000000);
		int r = poll(&pfd, 1, left > 0 ? left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		return r > 0;
	}
}

int cvb_reap(pid_t pid, struct cvb_exit *exit)
{
	int status;
	struct rusage ru;
	pid_t r;
	while ((r = wait4(pid, &status, 0, &ru)) < 0 && errno == EINTR)
		;
	if (r != pid)
		return -1;
	exit->exited = WIFEXITED(status);
	exit->code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	exit->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	exit->cpu_ns = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	               (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	exit->max_rss_bytes = (int64_t)ru.ru_maxrss * 1024;
	return 0;
}
