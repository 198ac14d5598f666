/* Result files are written whole or not at all: a temporary file in the same
 * directory, fsync, rename over the target, fsync of the directory. */
#ifndef CVB_ATOMIC_FILE_H
#define CVB_ATOMIC_FILE_H

#include "cvb_error.h"

#include <stddef.h>
#include <sys/types.h>

/* Checks, before a run starts, that `path` could be written: its directory
 * exists and accepts a new file, and path is not a directory. Leaves nothing
 * behind. -1 with err naming the problem. */
int cvb_atomic_check_writable(const char *path, struct cvb_error *err);

/* Writes len bytes to path atomically (mode 0644). On failure the target is
 * untouched and no temporary file remains. */
int cvb_atomic_write(const char *path, const char *data, size_t len, struct cvb_error *err);

/* The same with the file's mode given (0600 for what only root may read). */
int cvb_atomic_write_mode(const char *path, const char *data, size_t len, mode_t mode,
                          struct cvb_error *err);

#endif
