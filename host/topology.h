/* The host's CPU topology through hwloc, described as the "topology" object
 * of the host facts: packages, cores, PUs, NUMA nodes, caches, allowed CPUs. */
#ifndef CVB_TOPOLOGY_H
#define CVB_TOPOLOGY_H

#include "cvb_error.h"

#include <cjson/cJSON.h>
#include <hwloc.h>

/* Loads the real host's topology as this process may use it: CPUs outside
 * its cpuset are left out (hwloc's default), so pinning code can pick any PU.
 * Returns 0 with *out set (caller calls hwloc_topology_destroy()), or -1
 * with err filled. */
int cvb_topology_load(hwloc_topology_t *out, struct cvb_error *err);

/* Loads the whole machine, disallowed CPUs included, so that a cpuset
 * restriction shows in "allowed_cpus" instead of shrinking the machine: what
 * the host facts record. Same ownership and errors as cvb_topology_load(). */
int cvb_topology_load_machine(hwloc_topology_t *out, struct cvb_error *err);

/* Builds a synthetic topology from an hwloc description such as
 * "pack:2 l3:1 core:4 pu:2", for tests and dry runs. Same ownership and
 * errors as cvb_topology_load(). */
int cvb_topology_load_synthetic(hwloc_topology_t *out, const char *description,
                                struct cvb_error *err);

/* Describes a loaded topology: {"packages", "cores", "pus", "numa_nodes",
 * "caches": [{"level", "type", "size_bytes", "count"}], "allowed_cpus"}.
 * Caches of one level, type and size are merged into one entry with their
 * count, sorted by level, then data/instruction/unified, then size. Returns
 * a new object (caller owns) or NULL when out of memory. */
cJSON *cvb_topology_describe(hwloc_topology_t topo);

#endif
