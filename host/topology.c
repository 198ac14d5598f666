#include "topology.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cache_group {
	unsigned int level;
	hwloc_obj_cache_type_t type;
	uint64_t size;
	unsigned int count;
};

static const hwloc_obj_type_t cache_types[] = {
    HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE,  HWLOC_OBJ_L3CACHE,  HWLOC_OBJ_L4CACHE,
    HWLOC_OBJ_L5CACHE, HWLOC_OBJ_L1ICACHE, HWLOC_OBJ_L2ICACHE, HWLOC_OBJ_L3ICACHE,
};

/* Data before instruction before unified: the order lstopo and people use. */
static int cache_type_rank(hwloc_obj_cache_type_t type)
{
	switch (type) {
	case HWLOC_OBJ_CACHE_DATA:
		return 0;
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return 1;
	default:
		return 2;
	}
}

static const char *cache_type_name(hwloc_obj_cache_type_t type)
{
	switch (type) {
	case HWLOC_OBJ_CACHE_DATA:
		return "data";
	case HWLOC_OBJ_CACHE_INSTRUCTION:
		return "instruction";
	default:
		return "unified";
	}
}

static int cache_group_cmp(const void *a, const void *b)
{
	const struct cache_group *x = a, *y = b;

	if (x->level != y->level)
		return x->level < y->level ? -1 : 1;
	if (cache_type_rank(x->type) != cache_type_rank(y->type))
		return cache_type_rank(x->type) - cache_type_rank(y->type);
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return 0;
}

/* The default filters drop instruction caches; a host record wants them. */
static int topology_init(hwloc_topology_t *out, struct cvb_error *err)
{
	hwloc_topology_t topo = NULL;

	if (hwloc_topology_init(&topo) < 0)
		return cvb_error_errno(err, errno, "cannot initialize hwloc topology");
	if (hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL) < 0) {
		cvb_error_errno(err, errno, "cannot keep instruction caches in hwloc topology");
		hwloc_topology_destroy(topo);
		return -1;
	}
	*out = topo;
	return 0;
}

static int topology_load_host(hwloc_topology_t *out, unsigned long flags, struct cvb_error *err)
{
	hwloc_topology_t topo = NULL;

	if (topology_init(&topo, err) < 0)
		return -1;
	if (hwloc_topology_set_flags(topo, flags) < 0) {
		cvb_error_errno(err, errno, "cannot set hwloc topology flags");
		goto fail;
	}
	if (hwloc_topology_load(topo) < 0) {
		cvb_error_errno(err, errno, "cannot load the host topology with hwloc");
		goto fail;
	}
	*out = topo;
	return 0;
fail:
	hwloc_topology_destroy(topo);
	return -1;
}

int cvb_topology_load(hwloc_topology_t *out, struct cvb_error *err)
{
	return topology_load_host(out, 0, err);
}

int cvb_topology_load_machine(hwloc_topology_t *out, struct cvb_error *err)
{
	return topology_load_host(out, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED, err);
}

int cvb_topology_load_synthetic(hwloc_topology_t *out, const char *description,
                                struct cvb_error *err)
{
	hwloc_topology_t topo = NULL;

	if (topology_init(&topo, err) < 0)
		return -1;
	if (hwloc_topology_set_synthetic(topo, description) < 0) {
		cvb_error_errno(err, errno, "invalid synthetic topology '%s'", description);
		goto fail;
	}
	if (hwloc_topology_load(topo) < 0) {
		cvb_error_errno(err, errno, "cannot load synthetic topology '%s'", description);
		goto fail;
	}
	*out = topo;
	return 0;
fail:
	hwloc_topology_destroy(topo);
	return -1;
}

/* Merges caches of equal level, type and size; returns the number of groups
 * or -1 when out of memory. */
static int caches_group(hwloc_topology_t topo, struct cache_group **out)
{
	struct cache_group *groups = NULL;
	size_t n = 0, cap = 0;

	for (size_t t = 0; t < sizeof(cache_types) / sizeof(cache_types[0]); t++) {
		int nobjs = hwloc_get_nbobjs_by_type(topo, cache_types[t]);

		for (int i = 0; i < nobjs; i++) {
			hwloc_obj_t obj = hwloc_get_obj_by_type(topo, cache_types[t], (unsigned)i);
			size_t g;

			if (!obj || !obj->attr)
				continue;
			for (g = 0; g < n; g++) {
				if (groups[g].level == obj->attr->cache.depth &&
				    groups[g].type == obj->attr->cache.type &&
				    groups[g].size == obj->attr->cache.size)
					break;
			}
			if (g == n) {
				if (n == cap) {
					size_t ncap = cap ? cap * 2 : 8;
					struct cache_group *p = realloc(groups, ncap * sizeof(*p));

					if (!p) {
						free(groups);
						return -1;
					}
					groups = p;
					cap = ncap;
				}
				groups[n++] = (struct cache_group){
				    .level = obj->attr->cache.depth,
				    .type = obj->attr->cache.type,
				    .size = obj->attr->cache.size,
				};
			}
			groups[g].count++;
		}
	}
	if (n > 1)
		qsort(groups, n, sizeof(*groups), cache_group_cmp);
	*out = groups;
	return (int)n;
}

static cJSON *caches_describe(hwloc_topology_t topo)
{
	struct cache_group *groups = NULL;
	int n = caches_group(topo, &groups);
	cJSON *caches;

	if (n < 0)
		return NULL;
	caches = cJSON_CreateArray();
	if (!caches)
		goto fail;
	for (int i = 0; i < n; i++) {
		cJSON *c = cJSON_CreateObject();

		if (!c)
			goto fail;
		cJSON_AddItemToArray(caches, c);
		if (!cJSON_AddNumberToObject(c, "level", groups[i].level) ||
		    !cJSON_AddStringToObject(c, "type", cache_type_name(groups[i].type)) ||
		    !cJSON_AddNumberToObject(c, "size_bytes", (double)groups[i].size) ||
		    !cJSON_AddNumberToObject(c, "count", groups[i].count))
			goto fail;
	}
	free(groups);
	return caches;
fail:
	free(groups);
	cJSON_Delete(caches);
	return NULL;
}

cJSON *cvb_topology_describe(hwloc_topology_t topo)
{
	cJSON *desc = cJSON_CreateObject(), *caches;
	char *allowed = NULL;

	if (!desc)
		return NULL;
	if (!cJSON_AddNumberToObject(desc, "packages",
	                             hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE)) ||
	    !cJSON_AddNumberToObject(desc, "cores",
	                             hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE)) ||
	    !cJSON_AddNumberToObject(desc, "pus", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU)) ||
	    !cJSON_AddNumberToObject(desc, "numa_nodes",
	                             hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE)))
		goto fail;
	caches = caches_describe(topo);
	if (!caches)
		goto fail;
	if (!cJSON_AddItemToObject(desc, "caches", caches)) {
		cJSON_Delete(caches);
		goto fail;
	}
	if (hwloc_bitmap_list_asprintf(&allowed, hwloc_topology_get_allowed_cpuset(topo)) < 0)
		goto fail;
	if (!cJSON_AddStringToObject(desc, "allowed_cpus", allowed))
		goto fail;
	free(allowed);
	return desc;
fail:
	free(allowed);
	cJSON_Delete(desc);
	return NULL;
}
