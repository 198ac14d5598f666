/* The container's root filesystem: made once per run (shared by all its
 * instances, outside the measured window), entered by each instance with
 * pivot_root (inside it). */
#include "container.h"
#include "cvb_error.h"
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int cvb_rootfs_prepare(const char *dir, const char *agent_path, struct cvb_error *err)
{
	static const char *const dirs[] = {"proc", "sys", "dev", "tmp"};
	char path[PATH_MAX];
	if (mkdir(dir, 0755) < 0)
		return cvb_error_errno(err, errno, "cannot create rootfs '%s'", dir);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, dirs[i]);
		if (mkdir(path, 0755) < 0)
			return cvb_error_errno(err, errno, "cannot create '%s'", path);
	}
	/* Disk-backed scratch space for io-hog, writable by the container's
	 * root (a host uid of its own) when the rootfs is (--rootfs-rw); /tmp
	 * is a tmpfs, where fsync does no I/O. */
	snprintf(path, sizeof(path), "%s/scratch", dir);
	if (mkdir(path, 0755) < 0 || chmod(path, 01777) < 0)
		return cvb_error_errno(err, errno, "cannot create '%s'", path);
	/* A copy, not a bind mount: nothing of the host stays mounted, and the
	 * file is exactly what the results name. */
	snprintf(path, sizeof(path), "%s/cvb-agent", dir);
	return cvb_copy_file(agent_path, path, 0755, err);
}

/* The mount flags a bind remount must keep: in a user namespace the kernel
 * refuses to clear the flags of a mount inherited from the host. */
static unsigned long locked_flags(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;
	if (statvfs(path, &sv) < 0)
		return 0;
	f |= sv.f_flag & ST_NOSUID ? MS_NOSUID : 0;
	f |= sv.f_flag & ST_NODEV ? MS_NODEV : 0;
	f |= sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0;
	f |= sv.f_flag & ST_NOATIME ? MS_NOATIME : 0;
	f |= sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0;
	f |= sv.f_flag & ST_RELATIME ? MS_RELATIME : 0;
	return f;
}

static int remount_ro(const char *path)
{
	return mount(NULL, path, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(path), NULL);
}

/* Device nodes a workload may need, bind-mounted from the host (mknod is
 * not allowed in a user namespace). */
static int make_dev(const char *root)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	char path[PATH_MAX], host[64];
	snprintf(path, sizeof(path), "%s/dev", root);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, nodes[i]);
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
		if (fd < 0)
			return -errno;
		close(fd);
		if (mount(host, path, NULL, MS_BIND, NULL) < 0)
			return -errno;
	}
	static const char *const links[][2] = {{"/proc/self/fd", "fd"},
	                                       {"/proc/self/fd/0", "stdin"},
	                                       {"/proc/self/fd/1", "stdout"},
	                                       {"/proc/self/fd/2", "stderr"}};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(path, sizeof(path), "%s/dev/%s", root, links[i][1]);
		if (symlink(links[i][0], path) < 0)
			return -errno;
	}
	return 0;
}

/* Hides what runtimes hide (runc's maskedPaths and readonlyPaths): files get
 * /dev/null over them, directories an empty read-only tmpfs; paths the host
 * lacks are skipped. */
static int mask_paths(const char *root)
{
	static const char *const masked[] = {
	    "/proc/kcore",         "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	    "/proc/latency_stats", "/proc/acpi", "/proc/scsi",       "/sys/firmware"};
	static const char *const readonly[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
	                                       "/proc/bus", "/proc/fs"};
	char path[PATH_MAX], devnull[PATH_MAX];
	struct stat st;
	snprintf(devnull, sizeof(devnull), "%s/dev/null", root);
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, masked[i]);
		if (stat(path, &st) < 0)
			continue;
		int rc = S_ISDIR(st.st_mode) ? mount("tmpfs", path, "tmpfs",
		                                     MS_RDONLY | MS_NOSUID | MS_NODEV, "size=0")
		                             : mount(devnull, path, NULL, MS_BIND, NULL);
		if (rc < 0)
			return -errno;
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", root, readonly[i]);
		if (stat(path, &st) < 0)
			continue;
		if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0 || remount_ro(path) < 0)
			return -errno;
	}
	return 0;
}

int cvb_rootfs_enter(const char *root, bool writable, bool new_netns, const char **step)
{
	char path[PATH_MAX];
	int rc;
#define STEP(name, call)                                                                           \
	do {                                                                                       \
		*step = name;                                                                      \
		if ((call) < 0)                                                                    \
			return -errno;                                                             \
	} while (0)

	/* Nothing done here may propagate back to the host's mounts. */
	STEP("make / private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	STEP("bind the rootfs", mount(root, root, NULL, MS_BIND, NULL));
	snprintf(path, sizeof(path), "%s/proc", root);
	STEP("mount /proc", mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	*step = "make /dev";
	if ((rc = make_dev(root)) < 0)
		return rc;
	snprintf(path, sizeof(path), "%s/sys", root);
	/* sysfs can be mounted only in a network namespace of our own; else a
	 * read-only view of the host's. */
	if (new_netns) {
		STEP("mount /sys", mount("sysfs", path, "sysfs",
		                         MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL));
	} else {
		STEP("bind /sys", mount("/sys", path, NULL, MS_BIND | MS_REC, NULL));
		STEP("make /sys read-only", remount_ro(path));
	}
	snprintf(path, sizeof(path), "%s/tmp", root);
	STEP("mount /tmp",
	     mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m"));
	*step = "mask /proc and /sys paths";
	if ((rc = mask_paths(root)) < 0)
		return rc;
	STEP("chdir to the rootfs", chdir(root));
	/* pivot_root(".", ".") stacks the old root under the new one; detaching
	 * it leaves only the rootfs visible. */
	STEP("pivot_root", syscall(SYS_pivot_root, ".", "."));
	STEP("detach the old root", umount2(".", MNT_DETACH));
	STEP("chdir /", chdir("/"));
	if (!writable)
		STEP("make / read-only", remount_ro("/"));
	*step = NULL;
	return 0;
#undef STEP
}
