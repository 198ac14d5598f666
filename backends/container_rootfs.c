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

int cvb_rootfs_prepare(const char *dir, const char *agent_path, uid_t scratch_uid,
                       gid_t scratch_gid, struct cvb_error *err)
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
	 * root when the rootfs is (--rootfs-rw); /tmp is a tmpfs, where fsync
	 * does no I/O. Its owner, not the world: nobody else on the host may
	 * plant anything in the tree root removes at teardown. */
	snprintf(path, sizeof(path), "%s/scratch", dir);
	if (mkdir(path, 0755) < 0 || lchown(path, scratch_uid, scratch_gid) < 0)
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

/* Decodes mountinfo's \ooo escapes of one field in place. */
static void mountinfo_unescape(char *s)
{
	char *o = s;
	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* Remounts read-only one mountinfo line's mount if it lies below prefix. */
static int remount_line_ro(char *line, const char *prefix, size_t plen)
{
	/* id parent maj:min root mountpoint ...: the fifth field */
	char *p = line;
	for (int i = 0; i < 4 && p; i++) {
		p = strchr(p, ' ');
		p = p ? p + 1 : NULL;
	}
	if (!p)
		return 0;
	char *end = strchr(p, ' ');
	if (end)
		*end = '\0';
	mountinfo_unescape(p);
	if (strncmp(p, prefix, plen) != 0 || p[plen] != '/')
		return 0;
	return remount_ro(p) < 0 && errno != ENOENT ? -errno : 0;
}

/* Before mount_setattr: walks /proc/self/mountinfo (in mount order, parents
 * first) with a stack buffer, as the init has no heap. */
static int remount_submounts_ro(const char *prefix)
{
	char buf[8192];
	size_t len = 0, plen = strlen(prefix);
	int rc = 0, fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		len += (size_t)n;
		buf[len] = '\0';
		char *line = buf, *nl;
		while ((nl = memchr(line, '\n', len - (size_t)(line - buf)))) {
			*nl = '\0';
			if (rc == 0)
				rc = remount_line_ro(line, prefix, plen);
			line = nl + 1;
		}
		len -= (size_t)(line - buf);
		memmove(buf, line, len);
		if (n == 0 || len == sizeof(buf) - 1)
			break; /* the end, or a line longer than the buffer */
	}
	close(fd);
	return rc;
}

/* Makes the mount at path and every mount below it read-only (the host's
 * /sys/fs/cgroup, debugfs, ... under a recursive bind of /sys): one
 * mount_setattr(AT_RECURSIVE) on Linux 5.12+; before that, a remount of
 * each one found in /proc/self/mountinfo. Returns 0 or -errno. */
static int remount_tree_ro(const char *path)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (remount_ro(path) < 0)
		return -errno;
	return remount_submounts_ro(path);
}

/* Device nodes a workload may need, bind-mounted from the host (mknod is
 * not allowed in a user namespace). The tmpfs is nodev, so a node made in
 * it cannot be opened; each bind keeps the flags of the host's /dev mount
 * it comes from, so these few still open (and the device cgroup allows
 * exactly them: cvb_device_rules). */
static int make_dev(const char *root)
{
	static const char *const nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
	char path[PATH_MAX], host[64];
	snprintf(path, sizeof(path), "%s/dev", root);
	if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755,size=64k") <
	    0)
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
	static const char *const masked[] = {"/proc/asound",
	                                     "/proc/acpi",
	                                     "/proc/kcore",
	                                     "/proc/keys",
	                                     "/proc/latency_stats",
	                                     "/proc/timer_list",
	                                     "/proc/timer_stats",
	                                     "/proc/sched_debug",
	                                     "/proc/scsi",
	                                     "/sys/firmware",
	                                     "/sys/devices/virtual/powercap"};
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
	/* A bind takes no flags of its own: a remount sets them. nodev, so that
	 * a node made in a writable rootfs (/scratch) cannot be opened; read-only
	 * now unless writable (the mounts below go on top, and nothing here
	 * writes to the rootfs itself). */
	STEP("make the rootfs nodev, nosuid",
	     mount(NULL, root, NULL,
	           MS_REMOUNT | MS_BIND | MS_NODEV | MS_NOSUID | (writable ? 0 : MS_RDONLY) |
	               locked_flags(root),
	           NULL));
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
		*step = "make /sys and every mount under it read-only";
		if ((rc = remount_tree_ro(path)) < 0)
			return rc;
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
	*step = NULL;
	return 0;
#undef STEP
}
