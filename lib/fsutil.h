/* Files cvbench makes for a run (a rootfs, a VM's kernel copy): copying them
 * in, and removing the tree afterwards. */
#ifndef CVB_FSUTIL_H
#define CVB_FSUTIL_H

#include "cvb_error.h"

#include <sys/types.h>

/* Copies a file to a new path with `mode` (copy_file_range, or read/write
 * across file system types). 0, or -1 with err naming the file. */
int cvb_copy_file(const char *from, const char *to, mode_t mode, struct cvb_error *err);

/* Removes path and everything below it, safe against whoever can write
 * inside it (a container's root in its rootfs): every step is relative to a
 * directory fd opened with O_NOFOLLOW and checked to be the directory that
 * was lstat'ed (same st_dev/st_ino), symlinks are unlinked and never
 * followed, no mount is entered, and at most 128 levels are descended. The
 * parent of path is trusted (the caller made it). A missing path is
 * success; 0, or -1 with err naming the first entry that remains and why. */
int cvb_remove_tree_err(const char *path, struct cvb_error *err);

/* cvb_remove_tree_err without the message: 0, or -1 with errno. */
int cvb_remove_tree(const char *path);

/* Makes directory path (if missing) owned by root:gid with exactly `mode`,
 * fixing an existing one; refuses a symlink, a non-directory or a directory
 * root does not own (its owner could swap what is below). 0, or -1 with err. */
int cvb_dir_make_private(const char *path, mode_t mode, gid_t gid, struct cvb_error *err);

#endif
