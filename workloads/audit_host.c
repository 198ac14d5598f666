/* The audit's escape probes: each tries, from inside the instance, what a
 * container must not be able to do to its host, and reports what happened
 * (the call and its errno) next to a yes/no fact the report's isolation rows
 * use. They change nothing that outlives them: a device node made to test
 * open(2) is unlinked, and a file opened for writing is closed unwritten. */
#include "audit_host.h"
#include "workload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define PROBE_TEXT 480 /* a fact's value is cut near 500 bytes */

/* Appends "; "-separated text to buf. */
static void note(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(char *buf, size_t len, const char *fmt, ...)
{
	size_t off = strlen(buf);
	va_list ap;
	if (off + 3 >= len)
		return;
	if (off)
		off += (size_t)snprintf(buf + off, len - off, "; ");
	va_start(ap, fmt);
	vsnprintf(buf + off, len - off, fmt, ap);
	va_end(ap);
}

#define MAX_CANDIDATES 10

struct disks {
	dev_t dev[MAX_CANDIDATES];
	size_t n;
};

static void add_disk(struct disks *d, unsigned maj, unsigned min)
{
	dev_t dev = makedev(maj, min);
	for (size_t i = 0; i < d->n; i++)
		if (d->dev[i] == dev)
			return;
	if (maj != 0 && d->n < MAX_CANDIDATES)
		d->dev[d->n++] = dev;
}

/* The host's block devices as the instance can learn them: the one holding
 * its root filesystem (a bind of a host directory), /proc/partitions (not
 * namespaced), /sys/dev/block, then common names (sda, loop0) when those
 * are hidden (a chroot without /proc). Some hosts refuse even their own
 * root an open of a disk, so more than one is tried. */
static void host_disks(struct disks *d)
{
	char line[256], name[64];
	unsigned maj, min;
	unsigned long long blocks;
	struct stat st;
	if (stat("/", &st) == 0)
		add_disk(d, major(st.st_dev), minor(st.st_dev));
	FILE *f = fopen("/proc/partitions", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, " %u %u %llu %63s", &maj, &min, &blocks, name) == 4)
			add_disk(d, maj, min);
	if (f)
		fclose(f);
	DIR *dir = opendir("/sys/dev/block");
	struct dirent *e;
	while (dir && (e = readdir(dir)))
		if (sscanf(e->d_name, "%u:%u", &maj, &min) == 2)
			add_disk(d, maj, min);
	if (dir)
		closedir(dir);
	add_disk(d, 8, 0);
	add_disk(d, 7, 0);
}

/* Makes a node for dev at path, opens it and reads a byte; unlinks it.
 * Returns 1 if it opened, 0 if not (with *step and *e saying why). */
static int try_node(const char *path, dev_t dev, const char **step, int *e, ssize_t *got)
{
	*step = "mknod";
	if (mknod(path, S_IFBLK | 0600, dev) < 0) {
		*e = errno;
		return 0;
	}
	int dfd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	*e = errno;
	*step = "open";
	unlink(path);
	if (dfd < 0)
		return 0;
	char byte;
	*got = read(dfd, &byte, 1);
	*e = errno;
	close(dfd);
	return 1;
}

/* mknod + open + read of a host block device in each directory a workload
 * can write to; stops at the first device that opens. */
static void probe_block_device(int fd)
{
	static const char *const dirs[] = {"/tmp", "/scratch", "/dev"};
	char what[PROBE_TEXT] = "", path[64];
	struct disks disks = {.n = 0};
	bool opened = false;
	host_disks(&disks);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !opened; i++) {
		struct stat st;
		if (stat(dirs[i], &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "%s/.cvb-audit-blk-%d", dirs[i], (int)getpid());
		const char *step, *first_step = NULL;
		int e;
		ssize_t got = -1;
		size_t k;
		for (k = 0; k < disks.n && !opened; k++) {
			dev_t dev = disks.dev[k];
			opened = try_node(path, dev, &step, &e, &got) == 1;
			if (opened) {
				note(what, sizeof(what), "opened b %u:%u in %s, read: %s",
				     major(dev), minor(dev), dirs[i],
				     got == 1   ? "1 byte"
				     : got == 0 ? "end of device"
				                : strerror(e));
			} else if (!first_step) {
				first_step = step;
				note(what, sizeof(what), "%s b %u:%u in %s: %s", step, major(dev),
				     minor(dev), dirs[i], strerror(e));
			}
			if (!opened && strcmp(step, "mknod") == 0)
				break; /* the directory refuses nodes, whatever the device */
		}
		if (!opened && k > 1)
			note(what, sizeof(what), "%zu devices tried in %s", k, dirs[i]);
	}
	if (!disks.n)
		note(what, sizeof(what), "no block device found to try");
	cvb_emit_fact_str(fd, "can_open_host_block_device", opened ? "yes" : "no");
	cvb_emit_fact_str(fd, "host_block_device_probe", what);
}

static long keyctl(int op, long a, long b, long c)
{
	return syscall(SYS_keyctl, op, a, b, c, 0L);
}

/* The session keyring the instance was given. A runtime's init joins a
 * fresh, empty one; what it inherited from the harness holds whatever the
 * host's session put there (a visible key is a leak both ways). */
static void probe_keyring(int fd)
{
	char buf[PROBE_TEXT] = "";
	int32_t keys[64];
	long id = keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0, 0);
	if (id < 0) {
		snprintf(buf, sizeof(buf), "unavailable: %s", strerror(errno));
		cvb_emit_fact_str(fd, "host_keyring_visible", "no");
		cvb_emit_fact_str(fd, "session_keyring", buf);
		cvb_emit_fact_num(fd, "session_keyring_keys", -1);
		cvb_emit_fact_str(fd, "session_keyring_contents", "");
		return;
	}
	long size = keyctl(KEYCTL_READ, id, (long)keys, (long)sizeof(keys));
	long n = size < 0 ? -1 : size / (long)sizeof(keys[0]);
	for (long i = 0; i < n && i < (long)(sizeof(keys) / sizeof(keys[0])); i++) {
		char desc[256];
		long len = keyctl(KEYCTL_DESCRIBE, keys[i], (long)desc, (long)sizeof(desc) - 1);
		if (len < 0) {
			note(buf, sizeof(buf), "%d (%s)", (int)keys[i], strerror(errno));
			continue;
		}
		desc[len < (long)sizeof(desc) ? len : (long)sizeof(desc) - 1] = '\0';
		/* "type;uid;gid;perm;description" */
		char *type_end = strchr(desc, ';');
		char *name = strrchr(desc, ';');
		if (type_end)
			*type_end = '\0';
		note(buf, sizeof(buf), "%s:%s", desc, name && name != type_end ? name + 1 : "");
	}
	char serial[32];
	snprintf(serial, sizeof(serial), "%ld", id);
	cvb_emit_fact_str(fd, "host_keyring_visible", n > 0 ? "yes" : "no");
	cvb_emit_fact_str(fd, "session_keyring", serial);
	cvb_emit_fact_num(fd, "session_keyring_keys", (double)n);
	cvb_emit_fact_str(fd, "session_keyring_contents", buf);
}

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static bool has_option(const char *opts, const char *opt)
{
	size_t len = strlen(opt);
	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, opt, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

/* Opens (for writing, without writing) the first attribute directly in dir
 * that this process may write; true if one opened. */
static bool open_one_for_write(const char *dir, char *what, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	int last = 0;
	while (d && (e = readdir(d))) {
		struct stat st;
		snprintf(path, sizeof(path), "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0222))
			continue;
		if (access(path, W_OK) < 0) {
			last = errno;
			if (errno != EROFS)
				continue;
		}
		int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
		if (fd >= 0) {
			close(fd);
			closedir(d);
			note(what, len, "opened %s for writing", path);
			return true;
		}
		last = errno;
		note(what, len, "open %s for writing: %s", path, strerror(errno));
		break;
	}
	if (d)
		closedir(d);
	if (last && last != EROFS && !strstr(what, dir))
		note(what, len, "no attribute in %s writable by us (%s)", dir, strerror(last));
	return false;
}

/* Mounts under /sys that are not read-only, and whether one of their
 * attributes opens for writing. debugfs and tracefs are listed, never
 * opened: some of their files act on open. */
static void probe_sys(int fd)
{
	char line[4096], list[PROBE_TEXT] = "", what[PROBE_TEXT] = "";
	bool any = false, opened = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		snprintf(what, sizeof(what), "cannot read /proc/self/mountinfo: %s",
		         strerror(errno));
	while (f && fgets(line, sizeof(line), f)) {
		/* id parent maj:min root mountpoint options [optional...] - type ... */
		char *save = NULL, *field[6] = {0};
		for (int i = 0; i < 6; i++)
			field[i] = strtok_r(i ? NULL : line, " ", &save);
		if (!field[5])
			continue;
		char *tok, *type = NULL;
		while ((tok = strtok_r(NULL, " ", &save)))
			if (strcmp(tok, "-") == 0) {
				type = strtok_r(NULL, " ", &save);
				break;
			}
		char *mnt = field[4];
		unescape(mnt);
		if ((strcmp(mnt, "/sys") != 0 && strncmp(mnt, "/sys/", 5) != 0) ||
		    has_option(field[5], "ro"))
			continue;
		any = true;
		note(list, sizeof(list), "%s", mnt);
		if (opened ||
		    (type && (strcmp(type, "debugfs") == 0 || strcmp(type, "tracefs") == 0)))
			continue;
		opened = open_one_for_write(mnt, what, sizeof(what));
		if (!opened && strcmp(mnt, "/sys") == 0)
			opened = open_one_for_write("/sys/kernel", what, sizeof(what));
	}
	if (f)
		fclose(f);
	/* The commas the report expects, where note() put "; ". */
	for (char *p = list; (p = strstr(p, "; "));) {
		*p = ',';
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	}
	if (!any && !what[0])
		snprintf(what, sizeof(what), "every mount under /sys is read-only");
	cvb_emit_fact_str(fd, "host_sys_writable", any ? "yes" : "no");
	cvb_emit_fact_str(fd, "sys_writable_mounts", list);
	cvb_emit_fact_str(fd, "sys_write_probe", what);
}

/* The device nodes a runtime gives a workload must still work under its
 * device allowlist. */
static void probe_usable_devices(int fd)
{
	static const char *const nodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
	                                    "/dev/urandom"};
	char what[PROBE_TEXT] = "";
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		int dfd = open(nodes[i], O_RDWR | O_CLOEXEC | O_NONBLOCK);
		if (dfd < 0)
			note(what, sizeof(what), "%s: %s", nodes[i], strerror(errno));
		else
			close(dfd);
	}
	cvb_emit_fact_str(fd, "standard_devices_open", what[0] ? "no" : "yes");
	if (what[0])
		cvb_emit_fact_str(fd, "standard_devices_probe", what);
}

void cvb_audit_host_probes(int fd)
{
	probe_usable_devices(fd);
	probe_block_device(fd);
	probe_keyring(fd);
	probe_sys(fd);
}
