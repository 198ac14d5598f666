/* See run_record.h. */
#include "run_record.h"
#include "cell_label.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void cvb_run_init(struct cvb_run *run, int argc, char **argv)
{
	struct tm tm;
	time_t t = time(NULL);
	memset(run, 0, sizeof(*run));
	gmtime_r(&t, &tm);
	/* Short, sortable, unique per host and second: cvb-<id>-<n> names fit
	 * in libvirt domain and cgroup names. */
	int n = (int)strftime(run->id, sizeof(run->id), "%Y%m%dT%H%M%S", &tm);
	snprintf(run->id + n, sizeof(run->id) - (size_t)n, "-%x", (unsigned)getpid());
	rfc3339_now(run->started_at, sizeof(run->started_at));
	run->argc = argc;
	run->argv = argv;
}

static size_t cells_of_block(const struct cvb_plan *p)
{
	size_t n = p->n_backends * p->n_workloads;
	n *= p->n_instances ? p->n_instances : 1;
	n *= p->n_scenarios ? p->n_scenarios : 1;
	n *= p->n_placements ? p->n_placements : 1;
	return n;
}

/* Probes each backend once per run, whatever the number of blocks. */
struct probe_cache {
	const struct cvb_backend *be[CVB_PLAN_MAX_BACKENDS * 2];
	int rc[CVB_PLAN_MAX_BACKENDS * 2];
	char reason[CVB_PLAN_MAX_BACKENDS * 2][512];
	size_t n;
};

static int probe_once(struct probe_cache *pc, const struct cvb_backend *be,
                      const struct cvb_probe_ctx *ctx, const char **reason)
{
	for (size_t i = 0; i < pc->n; i++)
		if (pc->be[i] == be) {
			*reason = pc->reason[i];
			return pc->rc[i];
		}
	size_t i = pc->n < sizeof(pc->be) / sizeof(pc->be[0]) ? pc->n++ : pc->n - 1;
	pc->be[i] = be;
	pc->reason[i][0] = '\0';
	pc->rc[i] = be->probe(ctx, pc->reason[i], sizeof(pc->reason[i]));
	*reason = pc->reason[i];
	return pc->rc[i];
}

static void init_cell(struct cvb_cell *c, const struct cvb_plan *p, const struct cvb_backend *be,
                      size_t w, unsigned instances, const struct cvb_scenario *sc,
                      const struct cvb_placement *pl)
{
	c->plan = p;
	c->backend = be;
	c->workload = p->workloads[w];
	memcpy(c->params, p->params[w], sizeof(c->params));
	c->instances = instances;
	c->scenario = sc;
	c->placement = pl;
	c->timeout_ms = p->timeout_ms ? (int)p->timeout_ms : be->default_timeout_ms;
	if (p->pin_mode != CVB_PIN_NONE && (be->caps & CVB_CAP_PIN))
		c->cpus = p->pin_cpus;
}

int cvb_run_prepare(const struct cvb_matrix *m, struct cvb_run *run, struct cvb_error *err)
{
	struct probe_cache pc = {0};
	run->matrix = m;
	run->n_cells = 0;
	for (size_t b = 0; b < m->n_blocks; b++)
		run->n_cells += cells_of_block(m->blocks[b]);
	run->cells = calloc(run->n_cells ? run->n_cells : 1, sizeof(*run->cells));
	if (!run->cells)
		return cvb_error_set(err, ENOMEM, "out of memory");
	size_t k = 0;
	for (size_t bl = 0; bl < m->n_blocks; bl++) {
		const struct cvb_plan *p = m->blocks[bl];
		size_t ni = p->n_instances ? p->n_instances : 1;
		size_t ns = p->n_scenarios ? p->n_scenarios : 1;
		size_t np = p->n_placements ? p->n_placements : 1;
		for (size_t b = 0; b < p->n_backends; b++) {
			const struct cvb_backend *be = p->backends[b];
			const char *reason;
			const struct cvb_probe_ctx ctx = {.agent_path = run->agent_path,
			                                  .config = &p->config};
			bool usable = probe_once(&pc, be, &ctx, &reason) == 0;
			for (size_t w = 0; w < p->n_workloads; w++)
				for (size_t i = 0; i < ni; i++)
					for (size_t s = 0; s < ns; s++)
						for (size_t pl = 0; pl < np; pl++, k++) {
							struct cvb_cell *c = &run->cells[k];
							init_cell(
							    c, p, be, w,
							    p->n_instances ? p->instances[i] : 0,
							    p->n_scenarios ? &p->scenarios[s]
							                   : NULL,
							    p->n_placements ? &p->placements[pl]
							                    : NULL);
							if (!usable) {
								c->status = CVB_CELL_SKIPPED;
								snprintf(c->reason,
								         sizeof(c->reason), "%s",
								         reason);
							}
						}
		}
	}
	cvb_cells_label(run->cells, run->n_cells, m->n_blocks > 1);
	return 0;
}

void cvb_run_finish(struct cvb_run *run)
{
	rfc3339_now(run->finished_at, sizeof(run->finished_at));
}

void cvb_run_free(struct cvb_run *run)
{
	for (size_t k = 0; k < run->n_cells; k++)
		cvb_cell_free(&run->cells[k]);
	free(run->cells);
	cJSON_Delete(run->host);
	cvb_load_watch_free(&run->load);
	if (run->owns_argv)
		free(run->argv);
	run->owns_argv = false;
	run->argv = NULL;
	run->cells = NULL;
	run->host = NULL;
}
