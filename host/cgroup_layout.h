/* Where the cgroup controllers of a host live: pure v1, pure v2, or the
 * hybrid layout (v1 controller hierarchies plus a cgroup2 mount) of this
 * project's own machines. The container backend asks it which hierarchy
 * holds a controller before it writes limits. */
#ifndef CVB_CGROUP_LAYOUT_H
#define CVB_CGROUP_LAYOUT_H

#include "cvb_error.h"

#include <cjson/cJSON.h>
#include <stddef.h>

enum cvb_cgroup_mode {
	CVB_CGROUP_MODE_NONE,   /* no cgroup mount with a controller */
	CVB_CGROUP_MODE_V1,     /* v1 controller hierarchies, no cgroup2 mount */
	CVB_CGROUP_MODE_V2,     /* a cgroup2 mount, no v1 controller hierarchy */
	CVB_CGROUP_MODE_HYBRID, /* both */
};

/* One mounted v1 hierarchy. */
struct cvb_cgroup_v1_hierarchy {
	char *mount;        /* mount point as the host sees it: "/sys/fs/cgroup/memory" */
	char *mount_root;   /* mountinfo's root field: "/" unless a cgroup namespace or bind */
	char *name;         /* "systemd" for a name=systemd hierarchy, else NULL */
	char **controllers; /* NULL-terminated, empty for a named-only hierarchy */
	unsigned int dev_major, dev_minor; /* the superblock: bind mounts share it */
};

struct cvb_cgroup_layout {
	enum cvb_cgroup_mode mode;
	char *v2_mount;                     /* NULL when there is no cgroup2 mount */
	char **v2_controllers;              /* NULL-terminated; NULL itself when unknown */
	struct cvb_cgroup_v1_hierarchy *v1; /* in mountinfo order, one per hierarchy */
	size_t n_v1;
};

/* The answer of cvb_cgroup_layout_find(). */
struct cvb_cgroup_location {
	int version;       /* 1 or 2; 0 when no mounted hierarchy holds the controller */
	const char *mount; /* points into the layout; NULL when version is 0 */
};

/* "none", "v1", "v2" or "hybrid". */
const char *cvb_cgroup_mode_name(enum cvb_cgroup_mode mode);

/* Reads <root>/proc/self/mountinfo and, for a cgroup2 mount,
 * <root><v2 mount>/cgroup.controllers ("/" is the real host). Fills *out,
 * which the caller releases with cvb_cgroup_layout_clear(). Returns 0, or -1
 * with err filled (err->code is ENOENT when mountinfo is missing) and *out
 * left empty. A malformed mountinfo line is an error naming the line. */
int cvb_cgroup_layout_detect(const char *root, struct cvb_cgroup_layout *out,
                             struct cvb_error *err);

/* Which hierarchy holds `controller` ("memory", "cpu", ...): v1 hierarchies
 * are searched first, then the cgroup2 controllers. Named hierarchies
 * (name=systemd) never match. */
struct cvb_cgroup_location cvb_cgroup_layout_find(const struct cvb_cgroup_layout *layout,
                                                  const char *controller);

/* Frees what detect() allocated and resets the layout to mode none. */
void cvb_cgroup_layout_clear(struct cvb_cgroup_layout *layout);

/* The layout as the results' "cgroup" object: {"mode", "v2_mount",
 * "v2_controllers", "v1": [{"mount", "name", "controllers"}]}. Returns a new
 * object (caller owns) or NULL when out of memory. */
cJSON *cvb_cgroup_layout_to_json(const struct cvb_cgroup_layout *layout);

#endif
