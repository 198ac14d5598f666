/* Where instances run: CPU choices made with hwloc and checked against what
 * this process may use, before anything starts. */
#ifndef CVB_PINNING_H
#define CVB_PINNING_H

#include "cvb_error.h"
#include "plan.h"

#include <hwloc.h>

/* Turns plan->pin_mode into a concrete CPU list in plan->pin_cpus:
 * auto picks the first PU of the last core (away from CPU 0, where most
 * interrupts land); a given list must lie within the allowed CPUs. */
int cvb_pin_resolve(struct cvb_plan *plan, hwloc_topology_t topo, struct cvb_error *err);

/* Resolves each placement of plan into CPUs for the victim and the
 * aggressor: same-pu one PU for both, sibling two PUs of one core,
 * other-core PUs of two cores. Fails with the reason when the topology
 * cannot provide it (no SMT, one core). */
int cvb_placement_resolve(struct cvb_plan *plan, hwloc_topology_t topo, struct cvb_error *err);

#endif
