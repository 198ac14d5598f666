#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dirname() of a copy, into buf. */
static const char *dir_of(const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s", path);
	return dirname(buf);
}

/* Creates a unique temporary file next to path; returns its fd. */
static int make_temp(const char *path, char *tmp, size_t len, struct cvb_error *err)
{
	char dbuf[PATH_MAX], bbuf[PATH_MAX];
	const char *dir = dir_of(path, dbuf, sizeof(dbuf));
	snprintf(bbuf, sizeof(bbuf), "%s", path);
	if (snprintf(tmp, len, "%s/.%s.tmp.XXXXXX", dir, basename(bbuf)) >= (int)len)
		return cvb_error_set(err, ENAMETOOLONG, "path too long: '%s'", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return cvb_error_errno(err, errno, "cannot create a file in '%s' for '%s'", dir,
		                       path);
	return fd;
}

int cvb_atomic_check_writable(const char *path, struct cvb_error *err)
{
	struct stat st;
	char tmp[PATH_MAX];
	size_t len = strlen(path);
	if ((stat(path, &st) == 0 && S_ISDIR(st.st_mode)) || (len && path[len - 1] == '/'))
		return cvb_error_set(err, EISDIR, "'%s' is a directory; give a file name", path);
	int fd = make_temp(path, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	close(fd);
	unlink(tmp);
	return 0;
}

int cvb_atomic_write(const char *path, const char *data, size_t len, struct cvb_error *err)
{
	return cvb_atomic_write_mode(path, data, len, 0644, err);
}

int cvb_atomic_write_mode(const char *path, const char *data, size_t len, mode_t mode,
                          struct cvb_error *err)
{
	char tmp[PATH_MAX], dbuf[PATH_MAX];
	int fd = make_temp(path, tmp, sizeof(tmp), err);
	if (fd < 0)
		return -1;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cvb_error_errno(err, errno, "cannot write '%s'", tmp);
			goto fail;
		}
		off += (size_t)n;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		cvb_error_errno(err, errno, "cannot flush '%s'", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		cvb_error_errno(err, errno, "cannot close '%s'", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		cvb_error_errno(err, errno, "cannot rename '%s' to '%s'", tmp, path);
		goto fail;
	}
	/* Make the rename itself durable. */
	int dfd = open(dir_of(path, dbuf, sizeof(dbuf)), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return -1;
}
