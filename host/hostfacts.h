/* Host facts: what `cvbench env` prints and every results file embeds under
 * "host" (DESIGN.md, measurement rule 5). Everything is read from files under
 * a root prefix, "/" for the real host or a fixture tree in tests, so that a
 * v1, v2 or hybrid host can be checked on any machine. */
#ifndef CVB_HOSTFACTS_H
#define CVB_HOSTFACTS_H

#include "cgroup_layout.h"
#include "cvb_error.h"
#include "host_root.h"

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

#endif
