/* One round of a group cell. Two kinds:
 * - density: N instances of the workload brought up one after another and
 *   held together; the time until the last is READY, each one's host cost,
 *   and MemAvailable before and after (caches dropped), divided by N;
 * - noisy neighbours: the aggressor started first and given time to ramp
 *   up, then the victim run to its end next to it; the aggressor's fate
 *   (killed by the OOM killer, held by pids.max) is recorded as data. */
#include "clock.h"
#include "hostmem.h"
#include "launch.h"
#include "progress.h"
#include "runner.h"
#include "signals.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long KSM may take to settle before a VM density round is measured. */
#define KSM_SETTLE_MAX_MS 120000

/* How long a stopped member (the aggressor, a holding instance, anyone
 * after a failure) may take to report and end, from its STOP. */
#define AGGRESSOR_STOP_GRACE_MS 20000

/* The deadlines. Each member's wait is bounded from the moment that wait
 * began, never from an earlier one that other members' launches or the
 * victim's run make long:
 * - READY: from its own launch call (t0 + timeout), shortened to the stop
 *   grace once STOPped;
 * - DONE of a finite main instance: from the moment the round's last main
 *   instance was READY (or ended), t_all_up + timeout, since instance 0
 *   is READY while the others are still being launched one by one;
 * - DONE of the aggressor and of holding instances: none until STOP (they
 *   run until asked, and the victim or the round's settle decides when),
 *   then the stop grace from the STOP. */
struct group {
	struct cvb_run *run;
	struct cvb_cell *cell;
	struct cvb_launch *l; /* [0] the aggressor if any, then the main instances */
	size_t n, first_main;
	bool holding;     /* the main workload runs until stopped */
	int64_t t_all_up; /* every main instance READY or ended; 0: not yet */
	char all_up_what[48];
	struct cvb_instance_config main_cfg, aggr_cfg;
	int64_t aggr_params[CVB_MAX_PARAMS];
	/* One round's own state (cvb_group_run and its steps). */
	size_t n_main;   /* the main instances: --instances, or 1 */
	bool has_aggr;   /* l[0] is the aggressor */
	int64_t t_first; /* the first main launch call */
	/* Host memory around a density round (MemAvailable before and after,
	 * its drop) and KSM's sharing; -1 (drop INT64_MIN) where not read. */
	int64_t before, after, total, drop, ksm_sharing;
	bool ksm_settled;
};

/* A member's current deadline, what it is counted from and its length;
 * deadline INT64_MAX where none applies yet. */
struct bound {
	int64_t deadline, since, ns;
	const char *since_what;
};

static struct bound member_bound(const struct group *g, size_t i)
{
	const struct cvb_launch *l = &g->l[i];
	const int64_t timeout = (int64_t)g->cell->timeout_ms * 1000000;
	const int64_t grace = (int64_t)AGGRESSOR_STOP_GRACE_MS * 1000000;
	struct bound b = {INT64_MAX, 0, 0, NULL};
	if (!l->ready)
		b = (struct bound){l->t0 + timeout, l->t0, timeout, "the launch call"};
	if (l->stopped && (l->ready || l->t_stop + grace < b.deadline))
		return (struct bound){l->t_stop + grace, l->t_stop, grace, "STOP"};
	if (l->ready && i >= g->first_main && !g->holding && g->t_all_up)
		b = (struct bound){g->t_all_up + timeout, g->t_all_up, timeout, g->all_up_what};
	return b;
}

/* Notes the moment the bring-up is over: every main instance READY, or
 * ended (or failed to launch) without. */
static void note_all_up(struct group *g)
{
	if (g->t_all_up)
		return;
	size_t n_main = g->n - g->first_main, n_ready = 0;
	int64_t last = 0;
	for (size_t i = g->first_main; i < g->n; i++) {
		const struct cvb_launch *l = &g->l[i];
		if (!l->t0)
			return; /* not launched yet */
		if (l->ready) {
			n_ready++;
			if (l->t0 + l->sample->startup_ns > last)
				last = l->t0 + l->sample->startup_ns;
		} else if (l->inst && !l->eof && !l->timed_out &&
		           l->sample->status == CVB_SAMPLE_OK)
			return; /* still on its way */
	}
	if (n_ready == n_main) {
		g->t_all_up = last;
		if (n_main == 1)
			snprintf(g->all_up_what, sizeof(g->all_up_what), "READY");
		else
			snprintf(g->all_up_what, sizeof(g->all_up_what), "all %zu READY", n_main);
	} else {
		g->t_all_up = cvb_now_ns();
		snprintf(g->all_up_what, sizeof(g->all_up_what), "the bring-up's end");
	}
}

static bool interrupted(struct group *g)
{
	if (!cvb_stop_signal)
		return false;
	for (size_t i = 0; i < g->n; i++) {
		struct cvb_sample *s = g->l[i].sample;
		bool live = g->l[i].inst && !g->l[i].eof && !g->l[i].timed_out;
		if (s->status == CVB_SAMPLE_OK && (live || !g->l[i].t0)) {
			s->status = CVB_SAMPLE_INTERRUPTED;
			snprintf(s->reason, sizeof(s->reason), "interrupted by signal %d",
			         (int)cvb_stop_signal);
		}
	}
	return true;
}

static bool member_live(const struct cvb_launch *l)
{
	return l->inst && !l->eof && !l->timed_out && l->sample->status == CVB_SAMPLE_OK;
}

/* Polls every live member once, up to until_ns (earlier if a deadline
 * comes first); marks timeouts, only after reading what was there: a READY
 * that waited in its pipe while another launch call ran is not late. */
static void poll_members(struct group *g, int64_t until_ns)
{
	struct pollfd pfd[CVB_PLAN_MAX_INSTANCES * 32 + 1];
	size_t idx[sizeof(pfd) / sizeof(pfd[0])], np = 0;
	int64_t now = cvb_now_ns(), wake = until_ns;
	for (size_t i = 0; i < g->n && np < sizeof(pfd) / sizeof(pfd[0]); i++) {
		struct cvb_launch *l = &g->l[i];
		if (!member_live(l))
			continue;
		int64_t d = member_bound(g, i).deadline;
		if (d < wake)
			wake = d;
		pfd[np] = (struct pollfd){.fd = l->inst->out_fd, .events = POLLIN};
		idx[np++] = i;
	}
	int wait_ms = wake > now ? (int)((wake - now + 999999) / 1000000) : 0;
	int r = poll(pfd, np, wait_ms);
	if (r < 0 && errno != EINTR) {
		for (size_t j = 0; j < np; j++) {
			struct cvb_sample *s = g->l[idx[j]].sample;
			s->status = CVB_SAMPLE_FAILED;
			snprintf(s->reason, sizeof(s->reason), "poll: %s", strerror(errno));
		}
		return;
	}
	for (size_t j = 0; r > 0 && j < np; j++)
		if (pfd[j].revents)
			cvb_launch_drain(&g->l[idx[j]]);
	note_all_up(g);
	now = cvb_now_ns();
	for (size_t j = 0; j < np; j++) {
		struct cvb_launch *l = &g->l[idx[j]];
		struct bound b = member_bound(g, idx[j]);
		if (member_live(l) && now >= b.deadline)
			cvb_launch_time_out(l, now, b.since, b.since_what, b.ns);
	}
	note_all_up(g); /* a timeout may end the bring-up */
}

static bool start_member(struct group *g, size_t i, const struct cvb_instance_config *cfg,
                         const char *cpus)
{
	struct cvb_cell *c = g->cell;
	struct cvb_launch_spec spec = {.run_id = g->run->id,
	                               .agent_path = g->run->agent_path,
	                               .cpus = cpus && *cpus ? cpus : NULL,
	                               .config = cfg,
	                               .run_state = c->run_state,
	                               .launcher = c->plan->launcher[0] ? c->plan->launcher : NULL};
	return cvb_launch_start(&g->l[i], &spec) == 0;
}

/* The aggressor first, given settle_ms after READY to ramp up. True once it
 * was up: if its limits kill it meanwhile (the OOM killer), the victim still
 * runs, next to what the limits left of it; that is the result. */
static bool start_aggressor(struct group *g)
{
	const struct cvb_cell *c = g->cell;
	const struct cvb_placement *pl = c->placement;
	if (!start_member(g, 0, &g->aggr_cfg,
	                  pl && pl->aggressor_cpus[0] ? pl->aggressor_cpus : c->cpus))
		return false;
	struct cvb_launch *a = &g->l[0];
	while (!a->ready && member_live(a) && !interrupted(g))
		poll_members(g, member_bound(g, 0).deadline);
	if (!a->ready)
		return false;
	int64_t settle_until = cvb_now_ns() + c->plan->settle_ms * 1000000;
	while (cvb_now_ns() < settle_until && member_live(a) && !interrupted(g))
		poll_members(g, settle_until);
	return !cvb_stop_signal;
}

static void fail_mains(struct group *g, const char *msg)
{
	for (size_t i = g->first_main; i < g->n; i++) {
		struct cvb_sample *s = g->l[i].sample;
		if (s->status != CVB_SAMPLE_OK)
			continue;
		s->status = CVB_SAMPLE_FAILED;
		snprintf(s->reason, sizeof(s->reason), "%s", msg);
	}
}

/* Per-instance memory a density round will need, for the host-memory
 * check: what earlier rounds of this backend measured, else a guess. */
static int64_t expected_cost(const struct cvb_run *run, const struct cvb_cell *cell)
{
	int64_t best = -1;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		if (c->backend != cell->backend)
			continue;
		for (size_t i = 0; i < c->n_series; i++)
			if (strcmp(c->series[i].name, "memavailable_drop_per_instance_bytes") == 0)
				for (size_t j = 0; j < c->series[i].n; j++)
					if (c->series[i].values[j] > best)
						best = (int64_t)c->series[i].values[j];
	}
	if (best > 0)
		return best;
	if (cell->backend->caps & CVB_CAP_GUEST_MEMORY)
		return ((int64_t)cell->plan->config.vm.memory_mib + 128) << 20;
	return (int64_t)16 << 20;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* MemAvailable moves by megabytes on its own (page cache, slab, other
 * processes): the median of five readings 50 ms apart halves the noise on
 * instance costs that are themselves a megabyte or less. */
static int read_memavailable(int64_t *available, int64_t *total)
{
	int64_t v[5];
	struct cvb_error err = {0};
	for (int i = 0; i < 5; i++) {
		if (i)
			nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
		if (cvb_hostmem_read("/", &v[i], total, &err) < 0)
			return -1;
	}
	qsort(v, 5, sizeof(v[0]), cmp_i64);
	*available = v[2];
	return 0;
}

static void setup_configs(struct group *g)
{
	const struct cvb_cell *c = g->cell;
	const struct cvb_placement *pl = c->placement;
	g->main_cfg = g->aggr_cfg = c->plan->config;
	if (c->scenario) {
		const struct cvb_limits *sl = &c->scenario->limits;
		struct cvb_limits *al = &g->aggr_cfg.limits;
		/* The scenario's limits on top of the block's. */
		if (sl->cpu_quota_us >= 0) {
			al->cpu_quota_us = sl->cpu_quota_us;
			al->cpu_period_us = sl->cpu_period_us;
		}
		if (sl->cpu_weight >= 0)
			al->cpu_weight = sl->cpu_weight;
		if (sl->cpuset_cpus)
			al->cpuset_cpus = sl->cpuset_cpus;
		if (sl->memory_max_bytes >= 0)
			al->memory_max_bytes = sl->memory_max_bytes;
		if (sl->swap_max_bytes >= 0)
			al->swap_max_bytes = sl->swap_max_bytes;
		if (sl->pids_max >= 0)
			al->pids_max = sl->pids_max;
		if (sl->io_weight >= 0)
			al->io_weight = sl->io_weight;
		memcpy(g->aggr_params, c->scenario->aggressor_params, sizeof(g->aggr_params));
		/* A stoppable aggressor runs until the victim is done, unless
		 * the scenario bounds it itself. */
		const struct cvb_workload *a = c->scenario->aggressor;
		int d = a ? cvb_workload_param_index(a, "duration_ms") : -1;
		if (d >= 0 && !strstr(c->scenario->name, "duration_ms="))
			g->aggr_params[d] = a->params[d].max;
	}
	/* A VM is placed by pinning its vCPUs and QEMU's own threads. */
	if (pl && pl->victim_cpus[0] && (c->backend->caps & CVB_CAP_VCPU_PIN)) {
		g->main_cfg.vm.pin_vcpus = g->main_cfg.vm.pin_emulator = pl->victim_cpus;
		g->aggr_cfg.vm.pin_vcpus = g->aggr_cfg.vm.pin_emulator = pl->aggressor_cpus;
	}
}

static void record_group_values(struct group *g, unsigned round, int64_t bringup_ns,
                                int64_t drop_bytes)
{
	struct cvb_cell *c = g->cell;
	size_t n_main = g->n - g->first_main;
	if (c->instances) {
		cvb_cell_add_value(c, "bringup_ns", "ns", CVB_LOWER_IS_BETTER, (double)bringup_ns,
		                   round, NULL);
		if (drop_bytes > INT64_MIN)
			cvb_cell_add_value(c, "memavailable_drop_per_instance_bytes", "bytes",
			                   CVB_LOWER_IS_BETTER, (double)drop_bytes / (double)n_main,
			                   round, NULL);
	}
	if (!(c->backend->caps & CVB_CAP_GUEST_MEMORY))
		return;
	/* The guest's own view, where the workload reported its meminfo. */
	for (size_t i = g->first_main; i < g->n; i++) {
		cJSON *f = g->l[i].sample->facts;
		cJSON *t = f ? cJSON_GetObjectItemCaseSensitive(f, "meminfo_total_bytes") : NULL;
		cJSON *a =
		    f ? cJSON_GetObjectItemCaseSensitive(f, "meminfo_available_bytes") : NULL;
		if (cJSON_IsNumber(t) && cJSON_IsNumber(a))
			cvb_cell_add_value(c, "guest_used_bytes", "bytes", CVB_LOWER_IS_BETTER,
			                   t->valuedouble - a->valuedouble, round, NULL);
	}
}

/* Before a density round of holding instances: stops (the cell skipped,
 * saying why) when they would leave the host short of memory. */
static bool short_of_memory(struct group *g)
{
	struct cvb_cell *cell = g->cell;
	const struct cvb_plan *plan = cell->plan;
	struct cvb_error err = {0};
	if (!cell->instances || !g->holding)
		return false;
	if (plan->drop_caches)
		cvb_hostmem_drop_caches(&err);
	if (read_memavailable(&g->before, &g->total) < 0)
		return false;
	int64_t need = expected_cost(g->run, cell) * (int64_t)g->n_main;
	if (g->before - need >= cvb_hostmem_reserve(g->total))
		return false;
	cell->status = CVB_CELL_SKIPPED;
	snprintf(cell->reason, sizeof(cell->reason),
	         "stopped before the host runs short of memory: %zu instances "
	         "need about %lld MiB, MemAvailable is %lld MiB and %lld MiB "
	         "stay free",
	         g->n_main, (long long)(need >> 20), (long long)(g->before >> 20),
	         (long long)(cvb_hostmem_reserve(g->total) >> 20));
	cvb_progress_note(plan->quiet ? NULL : stderr, "%s: %s", cell->label, cell->reason);
	return true;
}

/* The round's samples and launches, bound to each other. false when out of
 * memory (nothing added). */
static bool bind_members(struct group *g, unsigned round)
{
	struct cvb_cell *cell = g->cell;
	const struct cvb_plan *plan = cell->plan;
	size_t first = cell->n_samples;
	for (size_t i = 0; i < g->n; i++)
		if (!cvb_cell_add_sample(cell)) {
			cell->n_samples = first;
			return false;
		}
	g->l = calloc(g->n, sizeof(*g->l));
	if (!g->l) {
		cell->n_samples = first;
		return false;
	}
	setup_configs(g);
	/* Samples exist now (the array no longer moves): bind them. */
	for (size_t i = 0; i < g->n; i++) {
		struct cvb_sample *s = &cell->samples[first + i];
		bool aggr = g->has_aggr && i == 0;
		s->index = round;
		s->instance = g->run->next_instance++;
		s->warmup = round < plan->warmup;
		s->role = aggr ? "aggressor" : cell->scenario ? "victim" : "instance";
		if (aggr)
			cvb_launch_init(&g->l[i], cell->backend, cell->scenario->aggressor,
			                g->aggr_params, s);
		else
			cvb_launch_init(&g->l[i], cell->backend, cell->workload, cell->params, s);
		g->l[i].inject_delay_ns = aggr ? 0 : plan->inject_delay_us * 1000;
		if (aggr || cell->scenario)
			snprintf(g->l[i].who, sizeof(g->l[i].who), "%s", s->role);
		else
			snprintf(g->l[i].who, sizeof(g->l[i].who), "instance %zu of %zu",
			         i - g->first_main + 1, g->n_main);
	}
	return true;
}

/* The aggressor first, then the main instances one launch after another;
 * a density round stops bringing them up when the host runs short of
 * memory. false when one did not come up. */
static bool bring_up(struct group *g)
{
	struct cvb_cell *cell = g->cell;
	struct cvb_error err = {0};
	bool aggr_up = !g->has_aggr || start_aggressor(g);
	g->t_first = cvb_now_ns();
	if (!aggr_up) {
		if (!cvb_stop_signal) {
			char msg[640];
			snprintf(msg, sizeof(msg), "the aggressor did not get going: %s",
			         g->l[0].sample->status == CVB_SAMPLE_OK
			             ? "it ended or timed out before it was up"
			             : g->l[0].sample->reason);
			fail_mains(g, msg);
		}
		return false;
	}
	const char *main_cpus = cell->placement && cell->placement->victim_cpus[0]
	                            ? cell->placement->victim_cpus
	                            : cell->cpus;
	for (size_t i = g->first_main; i < g->n && !interrupted(g); i++) {
		if (!start_member(g, i, &g->main_cfg, main_cpus))
			return false;
		poll_members(g, cvb_now_ns()); /* keep pipes drained meanwhile */
		int64_t avail, tot;
		if (cell->instances && g->holding &&
		    cvb_hostmem_read("/", &avail, &tot, &err) == 0 &&
		    avail < cvb_hostmem_reserve(tot) / 2 && i + 1 < g->n) {
			/* Not a failure of what was measured: the host's limit. */
			cell->status = CVB_CELL_SKIPPED;
			snprintf(cell->reason, sizeof(cell->reason),
			         "stopped bringing instances up: the host ran short of memory "
			         "(MemAvailable fell to %lld MiB after %zu of %zu instances)",
			         (long long)(avail >> 20), i - g->first_main + 1, g->n_main);
			fail_mains(g, cell->reason);
			return false;
		}
	}
	return true;
}

/* Until every main instance is READY (holding ones), or done (finite). A
 * holding instance that ended before READY ends the wait: the others would
 * hold until their timeout. *ok becomes false then; returns all_ready. */
static bool wait_all_ready(struct group *g, bool *ok)
{
	bool all_ready = false;
	while (*ok && !interrupted(g)) {
		bool any_live = false, ready = true, lost = false;
		for (size_t i = g->first_main; i < g->n; i++) {
			any_live |= member_live(&g->l[i]);
			ready &= g->l[i].ready;
			lost |= g->holding && !member_live(&g->l[i]) && !g->l[i].ready;
		}
		all_ready = ready;
		if (lost)
			*ok = false;
		if ((g->holding && all_ready) || !any_live || lost)
			break;
		poll_members(g, cvb_now_ns() + 1000000000);
	}
	return all_ready;
}

/* Holding instances, all up: settle, let KSM settle where asked, then
 * measure each and the host's memory drop. */
static void measure_held(struct group *g)
{
	struct cvb_cell *cell = g->cell;
	const struct cvb_plan *plan = cell->plan;
	struct cvb_error err = {0};
	int64_t settle_until = cvb_now_ns() + plan->settle_ms * 1000000;
	while (cvb_now_ns() < settle_until && !interrupted(g))
		poll_members(g, settle_until);
	if (!cvb_stop_signal && cell->instances && plan->ksm == 1 &&
	    (cell->backend->caps & CVB_CAP_GUEST_MEMORY))
		/* Merging takes time: measure once KSM has settled. */
		g->ksm_sharing = cvb_ksm_wait_settled(KSM_SETTLE_MAX_MS, &g->ksm_settled);
	if (cvb_stop_signal)
		return;
	for (size_t i = g->first_main; i < g->n; i++)
		if (member_live(&g->l[i]))
			cvb_launch_measure(&g->l[i]);
	if (cell->instances && g->before >= 0) {
		if (plan->drop_caches)
			cvb_hostmem_drop_caches(&err);
		if (read_memavailable(&g->after, &g->total) == 0)
			g->drop = g->before - g->after;
	}
}

/* Members never launched are not "ok": says why. Everyone is then asked to
 * finish (main instances that hold, the aggressor once the victim is done,
 * everything after a failure) and given the time to report; a signal
 * leaves the rest to destroy. */
static void wind_down(struct group *g, bool ok)
{
	interrupted(g);
	for (size_t i = g->first_main; i < g->n; i++)
		if (!g->l[i].inst && g->l[i].sample->status == CVB_SAMPLE_OK) {
			g->l[i].sample->status = CVB_SAMPLE_FAILED;
			snprintf(g->l[i].sample->reason, sizeof(g->l[i].sample->reason),
			         "not launched: an earlier launch of this round failed");
		}
	if (!cvb_stop_signal)
		for (size_t i = 0; i < g->n; i++) {
			struct cvb_launch *l = &g->l[i];
			bool aggr = g->has_aggr && i == 0;
			if (!member_live(l) || (!aggr && !g->holding && ok))
				continue;   /* a finite main instance ends by itself */
			cvb_launch_stop(l); /* bounded by the grace from now on */
		}
	for (;;) {
		bool any_live = false;
		for (size_t i = 0; i < g->n; i++)
			any_live |= member_live(&g->l[i]);
		if (!any_live || interrupted(g))
			break;
		poll_members(g, cvb_now_ns() + 1000000000);
	}
	for (size_t i = 0; i < g->n; i++)
		cvb_launch_end(&g->l[i]);
}

/* A measured round whose main instances all ran: their samples and the
 * group's values go into the cell. With N > 1 an instance's READY is read
 * only once the next launch call has returned: startup is the last
 * instance's (the one started with N - 1 up), bring-up covers them all. */
static void commit_round(struct group *g, unsigned round)
{
	struct cvb_cell *cell = g->cell;
	const struct cvb_plan *plan = cell->plan;
	for (size_t i = g->first_main; i < g->n; i++)
		cvb_launch_commit(cell, &g->l[i], g->n_main == 1 || i == g->n - 1, NULL);
	if (g->has_aggr && g->l[0].sample->status == CVB_SAMPLE_OK)
		cvb_launch_commit(cell, &g->l[0], false, "aggressor");
	/* Bring-up: first launch call to the last READY's arrival. */
	int64_t t_last_ready = g->t_first;
	for (size_t i = g->first_main; i < g->n; i++)
		if (g->l[i].t0 + g->l[i].sample->startup_ns > t_last_ready)
			t_last_ready = g->l[i].t0 + g->l[i].sample->startup_ns;
	record_group_values(g, round, t_last_ready - g->t_first, g->drop);
	if (g->ksm_sharing < 0)
		return;
	cvb_cell_add_value(cell, "ksm_saved_bytes", "bytes", CVB_HIGHER_IS_BETTER,
	                   (double)g->ksm_sharing * (double)sysconf(_SC_PAGESIZE), round, NULL);
	if (!g->ksm_settled)
		cvb_progress_note(plan->quiet ? NULL : stderr,
		                  "%s round %u: KSM still merging after %d s; measured anyway",
		                  cell->label, round, KSM_SETTLE_MAX_MS / 1000);
}

/* What the round counts for: its samples and values when the main
 * instances all ran, the aggressor's fate, the cell's counters, and the
 * first failure said. Returns whether the main instances all ran. */
static bool account_round(struct group *g, unsigned round)
{
	struct cvb_cell *cell = g->cell;
	const struct cvb_plan *plan = cell->plan;
	bool mains_ok = true;
	for (size_t i = g->first_main; i < g->n; i++)
		mains_ok &= g->l[i].sample->status == CVB_SAMPLE_OK;
	/* The aggressor's fate is data when the victim ran next to it. */
	if (g->has_aggr && g->l[0].sample->status == CVB_SAMPLE_FAILED && mains_ok) {
		cell->aggressor_failures++;
		if (!plan->quiet)
			cvb_progress_note(stderr, "%s round %u: aggressor: %s", cell->label, round,
			                  g->l[0].sample->reason);
	}
	if (mains_ok && round >= plan->warmup)
		commit_round(g, round);
	if (mains_ok) {
		cell->warmup_done += round < plan->warmup;
		cell->measured_ok += round >= plan->warmup;
	} else if (!plan->quiet && !cvb_stop_signal && cell->status != CVB_CELL_SKIPPED) {
		for (size_t i = g->first_main; i < g->n; i++)
			if (g->l[i].sample->status == CVB_SAMPLE_FAILED) {
				cvb_progress_note(stderr, "%s round %u failed: %s", cell->label,
				                  round, g->l[i].sample->reason);
				break;
			}
	}
	return mains_ok;
}

bool cvb_group_run(struct cvb_run *run, struct cvb_cell *cell, unsigned round)
{
	const struct cvb_plan *plan = cell->plan;
	const bool has_aggr = cell->scenario && cell->scenario->aggressor;
	const size_t n_main = cell->instances ? cell->instances : 1;
	struct group g = {.run = run,
	                  .cell = cell,
	                  .n = n_main + has_aggr,
	                  .first_main = has_aggr,
	                  .holding = cell->workload->holds_until_stopped,
	                  .n_main = n_main,
	                  .has_aggr = has_aggr,
	                  .before = -1,
	                  .after = -1,
	                  .total = -1,
	                  .drop = INT64_MIN,
	                  .ksm_sharing = -1};
	struct cvb_error err = {0};

	if (short_of_memory(&g))
		return true;
	if (!bind_members(&g, round))
		return false;
	/* KSM as this block asks, for this round only. */
	int64_t ksm_was = -1;
	if (cell->instances && plan->ksm >= 0 && cvb_ksm_read("run", &ksm_was) == 0 &&
	    cvb_ksm_set_run(plan->ksm, &err) < 0)
		cvb_progress_note(plan->quiet ? NULL : stderr, "%s: cannot set KSM: %s",
		                  cell->label, err.msg);
	bool ok = bring_up(&g);
	bool all_ready = wait_all_ready(&g, &ok);
	if (ok && all_ready && g.holding && !interrupted(&g))
		measure_held(&g);
	wind_down(&g, ok);
	if (ksm_was >= 0 && plan->ksm >= 0)
		cvb_ksm_set_run((int)ksm_was, &err);
	bool mains_ok = account_round(&g, round);
	free(g.l);
	return mains_ok || cell->status == CVB_CELL_SKIPPED;
}
