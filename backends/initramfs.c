#include "initramfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int put(int fd, const void *data, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

static int pad4(int fd, size_t written)
{
	static const char zeros[4];
	return put(fd, zeros, (4 - written % 4) % 4);
}

/* One newc entry: header, name (NUL-terminated, padded), data (padded). */
static int entry(int fd, unsigned ino, unsigned mode, unsigned rdev_major, unsigned rdev_minor,
                 const char *name, const void *data, size_t size)
{
	char hdr[111];
	size_t namesize = strlen(name) + 1;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X",
	         ino, mode, 0u, 0u, (mode & S_IFMT) == S_IFDIR ? 2u : 1u, 0u, size, 0u, 0u,
	         rdev_major, rdev_minor, namesize, 0u);
	if (put(fd, hdr, 110) < 0 || put(fd, name, namesize) < 0 || pad4(fd, 110 + namesize) < 0)
		return -1;
	if (size && (put(fd, data, size) < 0 || pad4(fd, size) < 0))
		return -1;
	return 0;
}

int cvb_initramfs_write(const char *path, const char *agent_path, struct cvb_error *err)
{
	int in = open(agent_path, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	struct stat st;
	char *agent = NULL;
	if (in < 0 || fstat(in, &st) < 0) {
		cvb_error_errno(err, errno, "cannot read the agent '%s'", agent_path);
		goto done;
	}
	agent = malloc((size_t)st.st_size ? (size_t)st.st_size : 1);
	if (!agent) {
		cvb_error_set(err, ENOMEM, "out of memory");
		goto done;
	}
	if (read(in, agent, (size_t)st.st_size) != st.st_size) {
		cvb_error_errno(err, errno ? errno : EIO, "cannot read the agent '%s'", agent_path);
		goto done;
	}
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		cvb_error_errno(err, errno, "cannot create '%s'", path);
		goto done;
	}
	unsigned ino = 1;
	static const char *const dirs[] = {"dev", "proc", "sys", "tmp"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (entry(out, ino++, S_IFDIR | 0755, 0, 0, dirs[i], NULL, 0) < 0)
			goto write_failed;
	/* The kernel opens /dev/console for init's fds 0-2 before exec. */
	if (entry(out, ino++, S_IFCHR | 0600, 5, 1, "dev/console", NULL, 0) < 0 ||
	    entry(out, ino++, S_IFREG | 0755, 0, 0, "init", agent, (size_t)st.st_size) < 0 ||
	    entry(out, 0, 0, 0, 0, "TRAILER!!!", NULL, 0) < 0)
		goto write_failed;
	if (fsync(out) < 0)
		goto write_failed;
	rc = 0;
	goto done;
write_failed:
	cvb_error_errno(err, errno ? errno : EIO, "cannot write '%s'", path);
	unlink(path);
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(agent);
	return rc;
}
