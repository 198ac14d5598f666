/* Reading the host's files under a root prefix: "/" for the real host, a
 * fixture tree in tests, so that any layout can be checked on any machine.
 * Every host/ module reads through these. */
#ifndef CVB_HOST_ROOT_H
#define CVB_HOST_ROOT_H

#include "cvb_error.h"

#include <stdbool.h>
#include <stddef.h>

/* True when root names the real host ("/", "" or NULL). */
bool cvb_host_root_is_real(const char *root);

/* Joins root and an absolute host path into buf: "/proc/cpuinfo" for the
 * real host, "<root>/proc/cpuinfo" otherwise. Returns 0, or -1 with err
 * filled when the result does not fit. */
int cvb_host_path(char *buf, size_t size, const char *root, const char *path,
                  struct cvb_error *err);

/* Reads the whole file <root><path> (procfs and sysfs files included, whose
 * st_size lies). Returns a NUL-terminated buffer the caller frees, its length
 * in *len when len is not NULL; NULL with err filled (err->code is the errno,
 * ENOENT for a missing file) on failure. */
char *cvb_host_file_read(const char *root, const char *path, size_t *len, struct cvb_error *err);

#endif
