/* One launch: the measured path. Between the timestamp before launch() and
 * READY's arrival the harness does nothing but wait and read. */
#include "clock.h"
#include "protocol.h"
#include "runner.h"
#include "signals.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_VALUES 64

/* What the protocol callback collects during one launch. */
struct launch_state {
	const struct cvb_workload *workload;
	struct cvb_sample *sample;
	int64_t t0, t_arrival; /* t_arrival: host time the current chunk was read */
	bool ready, done;
	char proto_error[256];
	const struct cvb_metric_desc *desc[MAX_VALUES];
	double value[MAX_VALUES];
	size_t n_values;
};

static void on_event(void *ctx, const struct cvb_proto_event *ev)
{
	struct launch_state *ls = ctx;
	switch (ev->kind) {
	case CVB_PROTO_READY:
		ls->ready = true;
		ls->sample->startup_ns = ls->t_arrival - ls->t0;
		ls->sample->agent_ready_ns = ev->agent_ns;
		break;
	case CVB_PROTO_DONE:
		ls->done = true;
		ls->sample->done_seen = true;
		ls->sample->done_status = ev->status;
		break;
	case CVB_PROTO_METRIC: {
		const struct cvb_metric_desc *d = cvb_workload_metric(ls->workload, ev->metric);
		if (ls->proto_error[0])
			break;
		if (!d) {
			snprintf(
			    ls->proto_error, sizeof(ls->proto_error),
			    "agent reported metric '%.64s', which workload %s does not declare",
			    ev->metric, ls->workload->name);
			break;
		}
		for (size_t i = 0; i < ls->n_values; i++)
			if (ls->desc[i] == d) {
				snprintf(ls->proto_error, sizeof(ls->proto_error),
				         "agent reported metric '%s' twice", d->name);
				return;
			}
		if (ls->n_values < MAX_VALUES) {
			ls->desc[ls->n_values] = d;
			ls->value[ls->n_values++] = ev->value;
		}
		break;
	}
	case CVB_PROTO_FACT:
		if (!ls->sample->facts)
			ls->sample->facts = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(ls->sample->facts, ev->metric);
		cJSON_AddItemToObject(ls->sample->facts, ev->metric,
		                      cJSON_Duplicate(ev->fact, true));
		break;
	case CVB_PROTO_ERROR:
		if (!ls->proto_error[0])
			snprintf(ls->proto_error, sizeof(ls->proto_error), "%s", ev->error);
		break;
	}
}

static void describe_exit(const struct cvb_exit *e, char *buf, size_t len)
{
	int n;
	if (e->killed)
		n = snprintf(buf, len, "killed by cvbench");
	else if (e->signal)
		n = snprintf(buf, len, "killed by signal %d (%s)", e->signal, strsignal(e->signal));
	else
		n = snprintf(buf, len, "exit status %d", e->code);
	if (e->note[0] && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; %s", e->note);
}

static void fail(struct cvb_sample *s, const struct cvb_proto *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Marks the sample failed with a reason and the agent's last output lines. */
static void fail(struct cvb_sample *s, const struct cvb_proto *p, const char *fmt, ...)
{
	char tail[200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	cvb_proto_tail(p, tail, sizeof(tail));
	if (n > 0 && (size_t)n < sizeof(s->reason))
		snprintf(s->reason + n, sizeof(s->reason) - (size_t)n, "; last output: '%s'",
		         tail[0] ? tail : "(none)");
	s->status = CVB_SAMPLE_FAILED;
}

/* Reads what is there; returns false at EOF or on a read error. */
static bool drain(int fd, struct cvb_proto *p, struct launch_state *ls)
{
	char buf[4096];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			ls->t_arrival = cvb_now_ns();
			cvb_proto_feed(p, buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		cvb_proto_eof(p);
		return false;
	}
}

static void add_value(struct cvb_cell *cell, const char *name, const char *unit,
                      enum cvb_better better, double v, unsigned index)
{
	struct cvb_series *s = cvb_cell_series(cell, name, unit, better);
	if (s)
		cvb_series_add(s, v, index);
}

/* A successful measured launch contributes one value to each series. */
static void commit_values(struct cvb_cell *cell, const struct cvb_sample *s,
                          const struct launch_state *ls, const struct cvb_usage *u, bool measured)
{
	add_value(cell, "startup_ns", "ns", CVB_LOWER_IS_BETTER, (double)s->startup_ns, s->index);
	for (size_t i = 0; i < ls->n_values; i++)
		add_value(cell, ls->desc[i]->name, ls->desc[i]->unit, ls->desc[i]->better,
		          ls->value[i], s->index);
	if (measured) {
		if (u->rss_bytes >= 0)
			add_value(cell, "host_rss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			          (double)u->rss_bytes, s->index);
		if (u->pss_bytes >= 0)
			add_value(cell, "host_pss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			          (double)u->pss_bytes, s->index);
		if (u->uss_bytes >= 0)
			add_value(cell, "host_uss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			          (double)u->uss_bytes, s->index);
		if (u->guest_ram_pss_bytes >= 0 && u->pss_bytes >= 0) {
			add_value(cell, "guest_ram_pss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			          (double)u->guest_ram_pss_bytes, s->index);
			add_value(cell, "host_pss_excl_guest_ram_bytes", "bytes",
			          CVB_LOWER_IS_BETTER,
			          (double)(u->pss_bytes - u->guest_ram_pss_bytes), s->index);
		}
	}
	if (s->exit.cpu_ns >= 0)
		add_value(cell, "agent_cpu_ns", "ns", CVB_LOWER_IS_BETTER, (double)s->exit.cpu_ns,
		          s->index);
}

void cvb_sample_run(const struct cvb_plan *plan, const struct cvb_run *run, struct cvb_cell *cell,
                    struct cvb_sample *s)
{
	const struct cvb_workload *w = cell->workload;
	char pbuf[CVB_MAX_PARAMS][96];
	char *args[CVB_MAX_PARAMS + 2];
	size_t na = 0;
	args[na++] = (char *)w->name;
	for (size_t i = 0; i < cvb_workload_param_count(w); i++) {
		snprintf(pbuf[i], sizeof(pbuf[i]), "%s=%" PRId64, w->params[i].name,
		         cell->params[i]);
		args[na++] = pbuf[i];
	}
	args[na] = NULL;

	struct launch_state ls = {.workload = w, .sample = s};
	struct cvb_proto proto;
	cvb_proto_init(&proto, on_event, &ls);
	struct cvb_instance *inst = NULL;
	struct cvb_error err = {0};
	struct cvb_usage usage = CVB_USAGE_UNKNOWN;
	bool measured = false, timed_out = false, eof = false, stopped = false;
	char measure_error[256] = "";

	struct cvb_launch_spec spec = {.run_id = run->id,
	                               .index = s->instance,
	                               .agent_path = run->agent_path,
	                               .agent_args = args,
	                               .cpus = cell->cpus,
	                               .config = &plan->config,
	                               .run_state = cell->run_state,
	                               .launcher = plan->launcher[0] ? plan->launcher : NULL};
	ls.t0 = spec.t_start_ns = cvb_now_ns();
	if (cell->backend->launch(&spec, &inst, &err) < 0) {
		/* A launch cut short by Ctrl-C is an interruption, not a failure. */
		s->status = cvb_stop_signal ? CVB_SAMPLE_INTERRUPTED : CVB_SAMPLE_FAILED;
		snprintf(s->reason, sizeof(s->reason), "launch %s: %s",
		         cvb_stop_signal ? "interrupted" : "failed", err.msg);
		return;
	}
	const int64_t deadline = ls.t0 + (int64_t)cell->timeout_ms * 1000000;
	int64_t measure_at = -1;
	while (!eof) {
		if (cvb_stop_signal) {
			s->status = CVB_SAMPLE_INTERRUPTED;
			snprintf(s->reason, sizeof(s->reason), "interrupted by signal %d",
			         (int)cvb_stop_signal);
			break;
		}
		int64_t now = cvb_now_ns();
		if (ls.ready && w->holds_until_stopped && !stopped && measure_at < 0)
			measure_at = ls.t_arrival + plan->settle_ms * 1000000;
		if (ls.ready && !w->holds_until_stopped && !measured &&
		    (cell->backend->caps & CVB_CAP_MEASURE_AT_READY)) {
			/* After READY: outside the startup window, which has ended. */
			if (cell->backend->measure(inst, &usage, &err) < 0)
				snprintf(measure_error, sizeof(measure_error), "%s", err.msg);
			measured = true;
		}
		if (measure_at >= 0 && !stopped && now >= measure_at) {
			if (cell->backend->measure &&
			    cell->backend->measure(inst, &usage, &err) < 0)
				snprintf(measure_error, sizeof(measure_error), "%s", err.msg);
			measured = true;
			stopped = true;
			if (cell->backend->stop && cell->backend->stop(inst, &err) < 0)
				snprintf(measure_error, sizeof(measure_error), "cannot stop it: %s",
				         err.msg);
			else if (inst->in_fd >= 0) {
				close(inst->in_fd);
				inst->in_fd = -1;
			}
			continue;
		}
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		int64_t until =
		    measure_at >= 0 && !stopped && measure_at < deadline ? measure_at : deadline;
		int wait_ms = (int)((until - now + 999999) / 1000000);
		struct pollfd pfd = {.fd = inst->out_fd, .events = POLLIN};
		int r = poll(&pfd, 1, wait_ms);
		if (r < 0 && errno != EINTR) {
			snprintf(s->reason, sizeof(s->reason), "poll: %s", strerror(errno));
			s->status = CVB_SAMPLE_FAILED;
			break;
		}
		if (r > 0)
			eof = !drain(inst->out_fd, &proto, &ls);
	}

	s->noise_lines = proto.noise_lines;
	struct cvb_error derr = {0};
	bool graceful = eof && s->status == CVB_SAMPLE_OK;
	int drc = cell->backend->destroy(inst, graceful, &s->exit, &derr);
	/* After destroy, which may add a phase of its own (the VM's end). */
	for (size_t i = 0; i < inst->n_phases; i++)
		s->phases[s->n_phases++] = inst->phases[i];
	if (ls.ready)
		s->phases[s->n_phases++] = (struct cvb_phase){"ready", s->startup_ns};
	if (cell->backend->describe_instance)
		s->backend_facts = cell->backend->describe_instance(inst);
	cell->backend->release(inst);

	if (drc < 0 && s->status != CVB_SAMPLE_OK)
		/* Never lost behind the first error: a teardown failure may leave
		 * something on the host. */
		snprintf(s->reason + strlen(s->reason), sizeof(s->reason) - strlen(s->reason),
		         "; teardown also failed: %s", derr.msg);
	if (s->status != CVB_SAMPLE_OK)
		return; /* interrupted or poll failure: reason already set */
	char how[320];
	describe_exit(&s->exit, how, sizeof(how));
	if (timed_out) {
		fail(s, &proto, "timed out after %.1f s waiting for %s", cell->timeout_ms / 1000.0,
		     ls.done    ? "the instance to end after DONE"
		     : ls.ready ? "DONE"
		                : "READY");
	} else if (ls.proto_error[0]) {
		fail(s, &proto, "protocol error: %s", ls.proto_error);
	} else if (!ls.ready) {
		fail(s, &proto, "agent ended without READY (%s)", how);
	} else if (!ls.done) {
		fail(s, &proto, "agent ended without DONE (%s)", how);
	} else if (s->done_status != 0) {
		fail(s, &proto, "agent reported failure (DONE %d)", s->done_status);
	} else if (s->exit.killed || s->exit.signal || s->exit.code != 0) {
		fail(s, &proto, "agent did not exit cleanly after DONE (%s)", how);
	} else if (measure_error[0]) {
		fail(s, &proto, "cannot measure the instance: %s", measure_error);
	} else if (drc < 0) {
		fail(s, &proto, "teardown failed: %s", derr.msg);
	} else {
		for (const struct cvb_metric_desc *m = w->metrics; m && m->name; m++) {
			bool seen = false;
			for (size_t i = 0; i < ls.n_values; i++)
				seen |= ls.desc[i] == m;
			if (!seen) {
				fail(s, &proto, "agent did not report metric '%s'", m->name);
				break;
			}
		}
		if (s->status == CVB_SAMPLE_OK && !s->warmup)
			commit_values(cell, s, &ls, &usage, measured);
	}
	if (drc < 0 && s->status == CVB_SAMPLE_FAILED && !strstr(s->reason, "teardown failed"))
		snprintf(s->reason + strlen(s->reason), sizeof(s->reason) - strlen(s->reason),
		         "; teardown also failed: %s", derr.msg);
}
