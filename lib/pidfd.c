#include "pidfd.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int cvb_signal_if_ours(pid_t pid, int sig, bool (*is_ours)(pid_t pid, void *ctx), void *ctx)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH ? 0 : -1;
	int rc = 0;
	if (is_ours(pid, ctx)) {
		if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) == 0)
			rc = 1;
		else if (errno != ESRCH)
			rc = -1;
	}
	int e = errno;
	close(fd);
	errno = e;
	return rc;
}
