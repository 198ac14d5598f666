/* Files cvbench makes for a run (a rootfs, a VM's kernel copy): copying them
 * in, and removing the tree afterwards. */
#ifndef CVB_FSUTIL_H
#define CVB_FSUTIL_H

#include "cvb_error.h"

#include <sys/types.h>

/* Copies a file to a new path with `mode` (copy_file_range, or read/write
 * across file system types). 0, or -1 with err naming the file. */
int cvb_copy_file(const char *from, const char *to, mode_t mode, struct cvb_error *err);

/* Removing a directory tree cvbench made, without following symlinks or
 * crossing into other mounts. */
/* Removes path and everything below it; 0, or -1 with errno when something
 * remains. A missing path is success. */
int cvb_remove_tree(const char *path);

#endif
