/* Where a container's user namespace maps in the host's id space. Host uid
 * and gid base..base+65535 become 0..65535 inside. The base must be no
 * user's own: /etc/subuid and /etc/subgid hand out subordinate ranges (Debian
 * starts them at 100000, the old fixed base), and a container root that is
 * the same host uid as someone's subordinate ids shares files and signals
 * with that user's rootless containers. So the base is
 * CVB_CONTAINER_IDS_DEFAULT_BASE unless a range in either file overlaps it,
 * else the lowest CVB_CONTAINER_IDS_COUNT-aligned block above it that no
 * range touches. uid and gid use the same base. */
#ifndef CVB_CONTAINER_IDS_H
#define CVB_CONTAINER_IDS_H

#include "cvb_error.h"

#include <stdint.h>
#include <sys/types.h>

#define CVB_CONTAINER_IDS_DEFAULT_BASE 0x70000000u /* 1879048192 */
#define CVB_CONTAINER_IDS_COUNT 65536u

struct cvb_container_ids {
	uint32_t base;  /* host uid and gid of the container's root */
	uint32_t count; /* CVB_CONTAINER_IDS_COUNT */
	/* The first malformed line skipped ("/etc/subuid:3: not name:start:count,
	 * ignored (1 such line)"), or "" when none. */
	char note[192];
};

/* Chooses the block against the ranges in subuid_path and subgid_path (a
 * missing file has no ranges). Malformed lines are skipped and noted. Fails
 * with err only when a file cannot be read (other than missing) or no
 * aligned block is left below 2^32-1. Returns 0 or -1. */
int cvb_container_ids_choose(const char *subuid_path, const char *subgid_path,
                             struct cvb_container_ids *out, struct cvb_error *err);

/* The host's choice against /etc/subuid and /etc/subgid, made once per
 * process and then kept (every launch of a run, and whoever chowns its
 * files, see the same ids). Returns 0 or -1 with err (then again on the next
 * call). */
int cvb_container_ids_get(const struct cvb_container_ids **out, struct cvb_error *err);

/* The host uid (and gid) of the container's root: cvb_container_ids_get()'s
 * base, or (uid_t)-1 when it failed (the run's set-up reports why). */
uid_t cvb_container_host_root_uid(void);
gid_t cvb_container_host_root_gid(void);

/* "0 <base> <count>": a uid_map/gid_map line without the newline. */
void cvb_container_ids_map_line(const struct cvb_container_ids *ids, char *buf, size_t len);

#endif
