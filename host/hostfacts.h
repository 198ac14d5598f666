/* Host facts: what `cvbench env` prints and every results file embeds under
 * "host" (DESIGN.md, measurement rule 5). Everything is read from files under
 * a root prefix, "/" for the real host or a fixture tree in tests, so that a
 * v1, v2 or hybrid host can be checked on any machine. */
#ifndef CVB_HOSTFACTS_H
#define CVB_HOSTFACTS_H

#include "cgroup_layout.h"
#include "cvb_error.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Collects host facts reading files under `root` ("/" for the real host; a
 * fixture dir in tests). Returns a new cJSON object (caller owns) or NULL
 * with err filled. Missing or unreadable optional files give JSON null,
 * never an error; errors are a root that is not a directory, a malformed
 * mountinfo, a failing hwloc and running out of memory. The topology and the
 * kvm "accessible"/"api_version" probes are only made for the real host and
 * are null for other roots. */
cJSON *cvb_host_facts_collect(const char *root, struct cvb_error *err);

/* Writes the facts as aligned human-readable text ("cvbench env"). Absent or
 * null items are skipped; top-level keys it does not know are printed as
 * "key: value" so facts added later still show. */
void cvb_host_facts_print(FILE *out, const cJSON *facts);

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
