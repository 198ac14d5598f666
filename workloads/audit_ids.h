/* The audit's identity probes (workloads/audit_ids.c): who the instance runs
 * as, how its ids map to the host's, and which supplementary groups it
 * holds (each still opens host files by group, even one a user namespace
 * shows as nogroup). */
#ifndef CVB_AUDIT_IDS_H
#define CVB_AUDIT_IDS_H

/* Emits the facts uid, gid, uid_map, gid_map (first line; "" without
 * /proc), setgroups ("allow", "deny", or "" before Linux 3.19),
 * supplementary_groups_count and supplementary_groups ("4,24", "" for
 * none, as the instance sees them) on fd. */
void cvb_audit_ids(int fd);

#endif
