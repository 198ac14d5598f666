#include "pid1.h"
#include "workload.h"

#include <fcntl.h>
#include <termios.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

/* The inode number the kernel gives the initial PID namespace
 * (PROC_PID_INIT_INO in include/linux/proc_ns.h, fixed since Linux 3.8). */
#define CVB_PROC_PID_INIT_INO 0xEFFFFFFCu

void cvb_pid1_ensure_console(void)
{
	/* In a VM the harness reads the agent on a serial port of its own
	 * (CVB_CHANNEL=/dev/ttyS1 on the kernel command line, which the kernel
	 * passes to init as environment), away from the kernel's console. */
	const char *channel = getenv("CVB_CHANNEL");
	if (!channel && fcntl(STDOUT_FILENO, F_GETFD) >= 0)
		return;
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	int fd = open(channel ? channel : "/dev/console", O_RDWR | O_NOCTTY);
	if (fd < 0)
		return;
	/* A serial port is a terminal: raw, or it would echo the host's STOP
	 * line back into the protocol and rewrite our newlines. */
	struct termios t;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(fd, TCSANOW, &t);
	}
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

void cvb_pid1_mount_basics(void)
{
	if (!exists("/proc/self/stat")) {
		mkdir("/proc", 0555);
		mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	}
	if (!exists("/sys/kernel")) {
		mkdir("/sys", 0555);
		mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
	}
	if (!exists("/dev/null")) {
		mkdir("/dev", 0755);
		mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	}
}

bool cvb_pid1_is_machine_init(void)
{
	struct stat st;
	return getpid() == 1 && stat("/proc/self/ns/pid", &st) == 0 &&
	       st.st_ino == CVB_PROC_PID_INIT_INO;
}

void cvb_pid1_poweroff(void)
{
	sync();
	reboot(RB_POWER_OFF);
}

void cvb_pid1_report_uptime(int fd)
{
	char buf[64] = "";
	int u = open("/proc/uptime", O_RDONLY | O_CLOEXEC);
	if (u < 0)
		return;
	ssize_t n = read(u, buf, sizeof(buf) - 1);
	close(u);
	if (n > 0) {
		buf[n] = '\0';
		cvb_emit_fact_num(fd, "guest_uptime_at_ready_s", strtod(buf, NULL));
	}
}
