#include "fsutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = type == FTW_DP ? rmdir(path) : unlink(path);
	return rc < 0 && errno != ENOENT ? -1 : 0;
}

int cvb_remove_tree(const char *path)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	/* FTW_PHYS: never follow a symlink out; FTW_MOUNT: stay on this mount. */
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

int cvb_copy_file(const char *from, const char *to, mode_t mode, struct cvb_error *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0) {
		cvb_error_errno(err, errno, "cannot read '%s'", from);
		goto done;
	}
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		cvb_error_errno(err, errno, "cannot create '%s'", to);
		goto done;
	}
	for (off_t left = st.st_size; left > 0;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 &&
		    (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
			/* Across file system types: copy by hand. */
			char buf[65536];
			n = read(in, buf, sizeof(buf));
			if (n > 0 && write(out, buf, (size_t)n) != n)
				n = -1;
		}
		if (n <= 0) {
			cvb_error_errno(err, n < 0 ? errno : EIO, "cannot copy '%s' to '%s'", from,
			                to);
			goto done;
		}
		left -= n;
	}
	rc = fchmod(out, mode) < 0 ? cvb_error_errno(err, errno, "chmod '%s'", to) : 0;
done:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return rc;
}
