#include "fsutil.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How deep removal descends: each level holds an open directory, and a
 * tree cvbench makes is a few levels deep. Deeper is an error, not a crash. */
#define REMOVE_MAX_DEPTH 128
/* How often an entry that keeps changing under us is looked at again. */
#define REMOVE_RETRIES 16
/* Whole walks while each one removes something (entries that were swapped
 * while being looked at get another chance). */
#define REMOVE_PASSES 4

struct walk_level {
	DIR *dir;
	int fd;                  /* dirfd(dir) */
	char name[NAME_MAX + 1]; /* its name in the level above */
};

struct remove_walk {
	const char *path; /* as the caller named the top, for messages */
	dev_t dev;        /* the top's file system: never left */
	uint64_t mnt_id;  /* the top's mount (0: statx cannot say): never left */
	struct walk_level *lv;
	unsigned long removed; /* in this pass */
	int err;               /* the first failure's errno, 0 if none */
	const char *why;       /* its explanation when errno alone would mislead */
	char what[PATH_MAX];   /* where it happened, relative to the top */
};

static uint64_t mount_id_of(int fd)
{
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	return stx.stx_mnt_id;
}

/* Notes the first failure: errno e at entry `name` of level `depth` (name
 * NULL: the level's directory itself). Later failures keep the first. */
static void walk_fail(struct remove_walk *w, int depth, const char *name, int e, const char *why)
{
	if (w->err)
		return;
	w->err = e;
	w->why = why;
	size_t len = 0;
	w->what[0] = '\0';
	for (int i = 1; i <= depth && len < sizeof(w->what); i++)
		len += (size_t)snprintf(w->what + len, sizeof(w->what) - len, "/%s", w->lv[i].name);
	if (name && len < sizeof(w->what))
		snprintf(w->what + len, sizeof(w->what) - len, "/%s", name);
}

/* Opens directory `name` of parent_fd if it still is the directory that st
 * describes and lies on the top's mount. Returns the fd, or -1 with errno:
 * ELOOP or ENOTDIR if it became a symlink or a file since st was taken,
 * ESTALE if it is another directory now (retry both), EXDEV for a mount. */
static int open_subdir(const struct remove_walk *w, int parent_fd, const char *name,
                       const struct stat *st)
{
	struct stat now;
	if (st->st_dev != w->dev) {
		errno = EXDEV;
		return -1;
	}
	int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &now) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	int e = 0;
	if (now.st_dev != st->st_dev || now.st_ino != st->st_ino)
		e = ESTALE; /* swapped between the lstat and the open */
	else if (w->mnt_id && mount_id_of(fd) != w->mnt_id)
		e = EXDEV; /* a bind mount of the same file system */
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Removes entry `name` of level `depth` if it is not a directory. Returns
 * an fd of the directory to descend into, or -1 when done with the entry
 * (removed, gone, or a failure noted in w). Symlinks are unlinked, never
 * followed. */
static int remove_entry(struct remove_walk *w, int depth, const char *name)
{
	const int dfd = w->lv[depth].fd;
	struct stat st;
	for (int attempt = 0; attempt < REMOVE_RETRIES; attempt++) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				walk_fail(w, depth, name, errno, NULL);
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			if (unlinkat(dfd, name, 0) == 0) {
				w->removed++;
				return -1;
			}
			if (errno == ENOENT)
				return -1;
			if (errno == EISDIR)
				continue; /* a directory now */
			walk_fail(w, depth, name, errno, NULL);
			return -1;
		}
		if (depth + 1 >= REMOVE_MAX_DEPTH) {
			walk_fail(w, depth, name, ELOOP, "nested too deep to remove");
			return -1;
		}
		int fd = open_subdir(w, dfd, name, &st);
		if (fd >= 0)
			return fd;
		if (errno == ENOENT)
			return -1;
		if (errno == EXDEV) {
			walk_fail(w, depth, name, EXDEV, "a mount point, not descended into");
			return -1;
		}
		if (errno != ELOOP && errno != ENOTDIR && errno != ESTALE) {
			walk_fail(w, depth, name, errno, NULL);
			return -1;
		}
	}
	walk_fail(w, depth, name, EAGAIN, "it kept changing while being removed");
	return -1;
}

/* One walk over the tree below top_fd (which it closes), depth first, every
 * step relative to a directory already opened and checked, then the top's
 * rmdir in parent_fd. 0 if the top is gone. */
static int remove_pass(struct remove_walk *w, int parent_fd, const char *base, int top_fd)
{
	int depth = 0;
	w->lv[0].fd = top_fd;
	w->lv[0].dir = fdopendir(top_fd);
	snprintf(w->lv[0].name, sizeof(w->lv[0].name), "%s", base);
	if (!w->lv[0].dir) {
		walk_fail(w, -1, NULL, errno, NULL);
		close(top_fd);
		return -1;
	}
	while (depth >= 0) {
		struct walk_level *cur = &w->lv[depth];
		errno = 0;
		struct dirent *e = readdir(cur->dir);
		if (e) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			int fd = remove_entry(w, depth, e->d_name);
			if (fd < 0)
				continue;
			struct walk_level *next = &w->lv[depth + 1];
			next->fd = fd;
			next->dir = fdopendir(fd);
			if (!next->dir) {
				walk_fail(w, depth, e->d_name, errno, NULL);
				close(fd);
				continue;
			}
			snprintf(next->name, sizeof(next->name), "%s", e->d_name);
			depth++;
			continue;
		}
		if (errno)
			walk_fail(w, depth, NULL, errno, NULL);
		closedir(cur->dir);
		int pfd = depth > 0 ? w->lv[depth - 1].fd : parent_fd;
		/* If the name is no longer our directory, rmdir fails (a symlink)
		 * or takes an empty directory of the tree: both harmless. */
		if (unlinkat(pfd, cur->name, AT_REMOVEDIR) == 0)
			w->removed++;
		else if (errno != ENOENT)
			walk_fail(w, depth - 1, depth > 0 ? cur->name : NULL, errno, NULL);
		depth--;
	}
	return w->err ? -1 : 0;
}

int cvb_remove_tree_err(const char *path, struct cvb_error *err)
{
	char parent[PATH_MAX], base[NAME_MAX + 1];
	struct stat st;
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *slash = memrchr(path, '/', len);
	size_t blen = slash ? len - (size_t)(slash + 1 - path) : len;
	if (len >= sizeof(parent) || blen == 0 || blen > NAME_MAX)
		return cvb_error_set(err, EINVAL, "cannot remove '%s': not a removable path", path);
	memcpy(base, slash ? slash + 1 : path, blen);
	base[blen] = '\0';
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return cvb_error_set(err, EINVAL, "cannot remove '%s': not a removable path", path);
	if (!slash)
		snprintf(parent, sizeof(parent), ".");
	else if (slash == path)
		snprintf(parent, sizeof(parent), "/");
	else
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - path), path);

	int parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0)
		return errno == ENOENT ? 0 : cvb_error_errno(err, errno, "cannot open '%s'", parent);
	struct remove_walk w = {.path = path};
	int rc = -1;
	w.lv = calloc(REMOVE_MAX_DEPTH, sizeof(*w.lv));
	if (!w.lv) {
		cvb_error_set(err, ENOMEM, "out of memory");
		goto done;
	}
	for (int pass = 0; pass < REMOVE_PASSES; pass++) {
		w.removed = 0;
		w.err = 0;
		if (fstatat(parent_fd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				rc = 0;
			else
				walk_fail(&w, -1, NULL, errno, NULL);
			break;
		}
		if (!S_ISDIR(st.st_mode)) { /* a symlink or a file: only the name goes */
			if (unlinkat(parent_fd, base, 0) == 0 || errno == ENOENT)
				rc = 0;
			else
				walk_fail(&w, -1, NULL, errno, NULL);
			break;
		}
		w.dev = st.st_dev;
		int top_fd = open_subdir(&w, parent_fd, base, &st);
		if (top_fd < 0) {
			if (errno == ENOENT) {
				rc = 0;
				break;
			}
			walk_fail(&w, -1, NULL, errno, NULL);
			continue; /* changed since the lstat: look again */
		}
		w.mnt_id = mount_id_of(top_fd);
		if (remove_pass(&w, parent_fd, base, top_fd) == 0) {
			rc = 0;
			break;
		}
		if (w.removed == 0)
			break;
	}
	if (rc < 0) {
		if (w.why)
			cvb_error_set(err, w.err, "cannot remove '%s%s': %s", path, w.what, w.why);
		else
			cvb_error_errno(err, w.err, "cannot remove '%s%s'", path, w.what);
	}
done:
	free(w.lv);
	close(parent_fd);
	return rc;
}

int cvb_remove_tree(const char *path)
{
	struct cvb_error err = {0};
	if (cvb_remove_tree_err(path, &err) == 0)
		return 0;
	errno = err.code ? err.code : EIO;
	return -1;
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

int cvb_dir_make_private(const char *path, mode_t mode, gid_t gid, struct cvb_error *err)
{
	struct stat st;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return cvb_error_errno(err, errno, "cannot create '%s'", path);
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return cvb_error_set(err, errno,
			                     "refusing to use '%s': it is a symlink or not a directory "
			                     "(remove it, cvbench makes it)",
			                     path);
		return cvb_error_errno(err, errno, "cannot open '%s'", path);
	}
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = cvb_error_errno(err, errno, "cannot stat '%s'", path);
	} else if (st.st_uid != 0) {
		/* Its owner could swap what is inside: nothing cvbench does as root
		 * may happen below it. */
		rc = cvb_error_set(err, EPERM,
		                   "refusing to use '%s': owned by uid %u, not root (remove it, "
		                   "cvbench makes it)",
		                   path, (unsigned)st.st_uid);
	} else if (st.st_gid != gid && fchown(fd, 0, gid) < 0) {
		rc = cvb_error_errno(err, errno, "cannot chown '%s' to root:%u", path, (unsigned)gid);
	} else if ((st.st_mode & 07777) != mode && fchmod(fd, mode) < 0) {
		rc = cvb_error_errno(err, errno, "cannot chmod '%s' to %04o", path, (unsigned)mode);
	}
	close(fd);
	return rc;
}
