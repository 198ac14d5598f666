#include "pinning.h"

#include <errno.h>

int cvb_pin_resolve(struct cvb_plan *plan, hwloc_topology_t topo, struct cvb_error *err)
{
	if (plan->pin_mode == CVB_PIN_NONE)
		return 0;
	hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(topo);
	char allowed_s[256];
	hwloc_bitmap_list_snprintf(allowed_s, sizeof(allowed_s), allowed);

	if (plan->pin_mode == CVB_PIN_AUTO) {
		int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
		hwloc_obj_t core =
		    ncores > 0 ? hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, ncores - 1) : NULL;
		hwloc_obj_t pu =
		    core ? hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, 0)
		         : hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, 0);
		if (!pu)
			return cvb_error_set(err, ENODEV,
			                     "--pin auto: hwloc found no processing unit");
		snprintf(plan->pin_cpus, sizeof(plan->pin_cpus), "%u", pu->os_index);
		return 0;
	}
	hwloc_bitmap_t want = hwloc_bitmap_alloc();
	if (!want)
		return cvb_error_set(err, ENOMEM, "out of memory");
	int rc = 0;
	if (hwloc_bitmap_list_sscanf(want, plan->pin_cpus) < 0)
		rc = cvb_error_set(err, EINVAL, "--pin: bad CPU list '%s'", plan->pin_cpus);
	else if (!hwloc_bitmap_isincluded(want, allowed))
		rc = cvb_error_set(err, EINVAL,
		                   "--pin: CPUs '%s' are not all available here (allowed: %s)",
		                   plan->pin_cpus, allowed_s);
	else
		hwloc_bitmap_list_snprintf(plan->pin_cpus, sizeof(plan->pin_cpus), want);
	hwloc_bitmap_free(want);
	return rc;
}

/* The first PU of core `index` (counted from the last core down, away from
 * CPU 0 where most interrupts land). */
static hwloc_obj_t pu_of_core_from_end(hwloc_topology_t topo, int from_end, unsigned pu_index)
{
	int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	if (from_end >= ncores)
		return NULL;
	hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, ncores - 1 - from_end);
	return core
	           ? hwloc_get_obj_inside_cpuset_by_type(topo, core->cpuset, HWLOC_OBJ_PU, pu_index)
	           : NULL;
}

int cvb_placement_resolve(struct cvb_plan *plan, hwloc_topology_t topo, struct cvb_error *err)
{
	if (!plan->n_placements)
		return 0;
	int ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	for (size_t i = 0; i < plan->n_placements; i++) {
		struct cvb_placement *p = &plan->placements[i];
		hwloc_obj_t v = NULL, a = NULL;
		switch (p->kind) {
		case CVB_PLACE_NONE:
			continue;
		case CVB_PLACE_SAME_PU:
			v = a = pu_of_core_from_end(topo, 0, 0);
			break;
		case CVB_PLACE_SIBLING:
			for (int c = 0; c < ncores && !a; c++) {
				v = pu_of_core_from_end(topo, c, 0);
				a = pu_of_core_from_end(topo, c, 1);
			}
			if (!a)
				return cvb_error_set(err, EINVAL,
				                     "--placement sibling: no core here has two "
				                     "processing units (no SMT); use same-pu or "
				                     "other-core");
			break;
		case CVB_PLACE_OTHER_CORE:
			v = pu_of_core_from_end(topo, 0, 0);
			a = pu_of_core_from_end(topo, 1, 0);
			if (!a)
				return cvb_error_set(
				    err, EINVAL,
				    "--placement other-core: this host has one core; "
				    "use same-pu");
			break;
		}
		if (!v || !a)
			return cvb_error_set(err, ENODEV,
			                     "--placement: hwloc found no processing unit");
		snprintf(p->victim_cpus, sizeof(p->victim_cpus), "%u", v->os_index);
		snprintf(p->aggressor_cpus, sizeof(p->aggressor_cpus), "%u", a->os_index);
	}
	return 0;
}
