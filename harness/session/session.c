/* See session.h. */
#include "session.h"
#include "exit_status.h"
#include "agent_path.h"
#include "hostmem.h"
#include "pinning.h"
#include "progress.h"
#include "resume.h"
#include "topology.h"

#include <errno.h>
#include <string.h>

static void print_plan(FILE *out, const struct cvb_run *run, const char *out_path)
{
	const struct cvb_matrix *m = run->matrix;
	fprintf(out, "run %s%s%s: %zu block(s), %zu cell(s), interleaved\n", run->id,
	        m->name[0] ? " of matrix " : "", m->name, m->n_blocks, run->n_cells);
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		fprintf(out, "  cell %s: %u warm-up + %u measured", c->label, c->plan->warmup,
		        c->plan->reps);
		if (c->plan->precision > 0)
			fprintf(out, " (up to %u until +-%.3g%% on %s%s)", c->plan->max_reps,
			        100 * c->plan->precision, c->plan->precision_metrics[0],
			        c->plan->n_precision_metrics > 1 ? ", ..." : "");
		if (c->status == CVB_CELL_SKIPPED)
			fprintf(out, " (will be skipped: %s)", c->reason);
		fprintf(out, "\n");
	}
	double est = cvb_estimate_seconds(run), most = cvb_estimate_seconds_max(run);
	fprintf(out,
	        "  agent %s\n  out %s\n  estimated duration: about %.0f s (%.1f min; rough: "
	        "typical launch and workload times per backend)\n",
	        run->agent_path, out_path, est, est / 60);
	if (most > est)
		fprintf(out,
		        "  with --precision: up to %.0f s (%.1f min) if every such cell needs "
		        "its --max-reps\n",
		        most, most / 60);
}

/* Everything checked before the run exists: CPUs, placements, limits each
 * backend must honour, and memory for the density sweeps. */
static int check_matrix(struct cvb_matrix *m, struct cvb_error *err)
{
	hwloc_topology_t topo = NULL;
	for (size_t bl = 0; bl < m->n_blocks; bl++) {
		struct cvb_plan *p = m->blocks[bl];
		if ((p->pin_mode != CVB_PIN_NONE || p->n_placements) && !topo &&
		    cvb_topology_load(&topo, err) < 0)
			return -1;
		if (cvb_pin_resolve(p, topo, err) < 0 || cvb_placement_resolve(p, topo, err) < 0)
			goto fail;
		for (size_t b = 0; b < p->n_backends; b++) {
			const struct cvb_backend *be = p->backends[b];
			if (be->validate && be->validate(&p->config, err) < 0) {
				cvb_error_prefix(err, "%s", be->name);
				goto fail;
			}
			for (size_t s = 0; s < p->n_scenarios; s++) {
				struct cvb_instance_config ac = p->config;
				ac.limits = p->scenarios[s].limits;
				if (be->validate && be->validate(&ac, err) < 0) {
					cvb_error_prefix(err, "--scenario '%s' on %s",
					                 p->scenarios[s].name, be->name);
					goto fail;
				}
				bool limited = memcmp(&ac.limits,
				                      &(struct cvb_limits){-1, -1, -1, NULL, NULL,
				                                           -1, -1, -1, -1},
				                      sizeof(ac.limits)) != 0;
				if (limited && !(be->caps & CVB_CAP_CGROUP_LIMITS)) {
					cvb_error_set(
					    err, EINVAL,
					    "--scenario '%s': cgroup limits apply to container "
					    "instances only, not %s (use a separate block)",
					    p->scenarios[s].name, be->name);
					goto fail;
				}
			}
			if ((be->caps & CVB_CAP_GUEST_MEMORY) && p->n_instances) {
				int64_t avail, total;
				unsigned most = 0;
				for (size_t i = 0; i < p->n_instances; i++)
					most = p->instances[i] > most ? p->instances[i] : most;
				int64_t need =
				    (int64_t)most * (((int64_t)p->config.vm.memory_mib + 64) << 20);
				if (cvb_hostmem_read("/", &avail, &total, err) == 0 &&
				    need > avail - cvb_hostmem_reserve(total)) {
					cvb_error_set(
					    err, EINVAL,
					    "--instances %u VMs of %u MiB need about %lld MiB, "
					    "more than this host can spare (%lld MiB available, "
					    "%lld MiB kept free); lower --instances or --vm-memory",
					    most, p->config.vm.memory_mib, (long long)(need >> 20),
					    (long long)(avail >> 20),
					    (long long)(cvb_hostmem_reserve(total) >> 20));
					goto fail;
				}
			}
		}
	}
	if (topo)
		hwloc_topology_destroy(topo);
	return 0;
fail:
	if (topo)
		hwloc_topology_destroy(topo);
	return -1;
}

void cvb_session_print_plan(FILE *out, const struct cvb_session *s)
{
	print_plan(out, &s->run, s->out_path);
}

/* After the matrix is parsed: the record, the agent, the checks, the
 * results path, the cells. */
static enum cvb_session_result prepare(struct cvb_session *s, int argc, char **argv,
                                       struct cvb_error *err)
{
	struct cvb_matrix *m = &s->m;
	struct cvb_run *run = &s->run;
	cvb_run_init(run, argc, argv);
	if (m->resume && cvb_resume_load(m->resume, m, &s->record, run, err) < 0)
		return CVB_SESSION_USAGE;
	const struct cvb_plan *first = m->blocks[0];
	if (cvb_agent_locate(first->agent_path, run->agent_path, sizeof(run->agent_path), err) <
	        0 ||
	    (s->record && cvb_resume_check_agent(s->record, run->agent_path, err) < 0) ||
	    check_matrix(m, err) < 0)
		return CVB_SESSION_USAGE;
	s->out_path = first->out_path;
	if (!s->out_path && m->resume)
		s->out_path = m->resume;
	s->with_report = m->source != NULL;
	if (!s->out_path && s->with_report) {
		snprintf(s->default_out, sizeof(s->default_out), "cvbench-%s-%s/results.json",
		         m->name, run->id);
		s->out_path = s->default_out;
	} else if (!s->out_path) {
		snprintf(s->default_out, sizeof(s->default_out), "cvbench-%s.json", run->id);
		s->out_path = s->default_out;
	}
	if (cvb_run_prepare(m, run, err) < 0)
		return CVB_SESSION_FAILED;
	if (s->record && cvb_resume_apply(s->record, run, err) < 0)
		return CVB_SESSION_USAGE;
	return CVB_SESSION_OK;
}

enum cvb_session_result cvb_session_from_args(int argc, char **argv, struct cvb_session *s,
                                              struct cvb_error *err)
{
	memset(s, 0, sizeof(*s));
	enum cvb_parse_result r = cvb_matrix_parse_args(argc, argv, &s->m, err);
	s->parsed = true;
	if (r == CVB_PARSE_HELP)
		return CVB_SESSION_HELP;
	if (r == CVB_PARSE_ERROR)
		return CVB_SESSION_USAGE;
	return prepare(s, argc, argv, err);
}

enum cvb_session_result cvb_session_from_matrix(const char *path, int argc, char **argv,
                                                struct cvb_session *s, struct cvb_error *err)
{
	memset(s, 0, sizeof(*s));
	s->parsed = true;
	static char *dry_run[] = {"--dry-run"}; /* what `run` would be given */
	if (cvb_matrix_load(path, 1, dry_run, &s->m, err) < 0)
		return CVB_SESSION_USAGE;
	return prepare(s, argc, argv, err);
}

int cvb_session_refused(enum cvb_session_result r, const struct cvb_error *err)
{
	fprintf(stderr, "cvbench run: %s\n", err->msg);
	return r == CVB_SESSION_FAILED ? CVB_EXIT_FAILED : CVB_EXIT_USAGE;
}

void cvb_session_free(struct cvb_session *s)
{
	if (s->run.id[0])
		cvb_run_free(&s->run);
	cJSON_Delete(s->record);
	if (s->parsed)
		cvb_matrix_free(&s->m);
	memset(s, 0, sizeof(*s));
}
