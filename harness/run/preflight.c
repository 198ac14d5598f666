#include "preflight.h"

#include <stdio.h>
#include <string.h>

/* Rough peak memory of one instance, for the host-memory check. */
static int64_t instance_bytes(const struct cvb_backend *be, const struct cvb_plan *p)
{
	if (be->caps & CVB_CAP_MEASURE_AT_READY) /* a guest: its RAM and QEMU's own */
		return ((int64_t)p->config.vm.memory_mib + 128) << 20;
	return (int64_t)16 << 20;
}

void cvb_preflight_plan_from_matrix(const struct cvb_matrix *m, const char *agent_path,
                                    const char *out_path, struct cvb_preflight_plan *pp)
{
	memset(pp, 0, sizeof(*pp));
	pp->agent_path = agent_path;
	snprintf(pp->out_dir, sizeof(pp->out_dir), "%s", out_path ? out_path : ".");
	char *slash = strrchr(pp->out_dir, '/');
	if (!out_path || !slash)
		snprintf(pp->out_dir, sizeof(pp->out_dir), ".");
	else if (slash == pp->out_dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	const size_t max = sizeof(pp->backends) / sizeof(pp->backends[0]);
	for (size_t bl = 0; bl < m->n_blocks; bl++) {
		const struct cvb_plan *p = m->blocks[bl];
		unsigned most = 1;
		for (size_t i = 0; i < p->n_instances; i++)
			most = p->instances[i] > most ? p->instances[i] : most;
		most += p->n_scenarios > 0; /* the aggressor beside the victim */
		for (size_t b = 0; b < p->n_backends; b++) {
			const struct cvb_backend *be = p->backends[b];
			int64_t need = instance_bytes(be, p) * most;
			if (need > pp->memory_need_bytes)
				pp->memory_need_bytes = need;
			size_t i = 0;
			while (i < pp->n_backends && pp->backends[i] != be)
				i++;
			if (i == pp->n_backends && i < max) {
				pp->backends[i] = be;
				pp->configs[i] = &p->config;
				pp->n_backends++;
			}
		}
	}
}

void cvb_preflight_run(const struct cvb_preflight_plan *pp, const char *root,
                       struct cvb_findings *out)
{
	cvb_preflight_host(pp, root, out);
	for (size_t i = 0; i < pp->n_backends; i++) {
		const struct cvb_backend *be = pp->backends[i];
		if (!be->doctor)
			continue;
		const struct cvb_probe_ctx ctx = {
		    .thorough = pp->thorough, .agent_path = pp->agent_path, .config = pp->configs[i]};
		be->doctor(&ctx, out);
	}
}
