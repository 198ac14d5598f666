/* One observed instance: the agent's arguments, the protocol stream read
 * from it, its host-side measurement and the verdict on how it went. The
 * plain path (sample.c) follows one at a time; groups (group.c) several. */
#ifndef CVB_LAUNCH_H
#define CVB_LAUNCH_H

#include "protocol.h"
#include "results.h"

#define CVB_LAUNCH_MAX_VALUES 64
/* What one launch may send, so that a hostile or broken agent cannot keep
 * the harness busy or grow its memory without end. The real workloads send
 * far less (the audit, the most: about 20 facts and 1.2 KB). Beyond either
 * the launch fails and the instance is torn down. */
#define CVB_LAUNCH_MAX_FACTS 256
#define CVB_LAUNCH_MAX_PROTO_BYTES (1024 * 1024) /* between READY and DONE */
/* One cvb_launch_drain call reads at most this much, then returns so that
 * its caller checks its deadline and the stop signal. */
#define CVB_LAUNCH_DRAIN_MAX_BYTES (64 * 1024)

struct cvb_launch {
	const struct cvb_workload *workload;
	const struct cvb_backend *backend;
	struct cvb_sample *sample;
	int64_t t0, t_arrival; /* t_arrival: host time the current chunk was read */
	bool ready, done;
	char proto_error[256];
	const struct cvb_metric_desc *desc[CVB_LAUNCH_MAX_VALUES];
	double value[CVB_LAUNCH_MAX_VALUES];
	size_t n_values;
	size_t n_facts; /* fact lines received, duplicates included */
	struct cvb_proto proto;
	struct cvb_instance *inst; /* NULL until launched, and after cvb_launch_end */
	struct cvb_usage usage;
	bool measured, stopped, eof, timed_out;
	char measure_error[256];
	int64_t inject_delay_ns; /* --inject-delay-us, inside the measured window */
	/* Who this is in its round, for messages ("instance 2 of 4",
	 * "aggressor"); empty on the plain path. */
	char who[40];
	/* Host times (CLOCK_MONOTONIC) a timeout's reason tells; 0: not yet. */
	int64_t t_done, t_stop;
	/* The bound that ran out (see cvb_launch_time_out). */
	struct {
		int64_t at, since, bound_ns;
		const char *since_what;
	} timeout;
	char pbuf[CVB_MAX_PARAMS][96];
	char *args[CVB_MAX_PARAMS + 2];
};

/* Prepares l for workload w with params, to fill sample s. */
void cvb_launch_init(struct cvb_launch *l, const struct cvb_backend *be,
                     const struct cvb_workload *w, const int64_t *params, struct cvb_sample *s);

/* Starts the instance (spec's agent fields are filled here). On failure
 * marks the sample failed (or interrupted under a stop signal) and
 * returns -1. */
int cvb_launch_start(struct cvb_launch *l, struct cvb_launch_spec *spec);

/* Reads what the agent wrote, at most CVB_LAUNCH_DRAIN_MAX_BYTES a call
 * (true then: call again after checking the deadline); false at EOF (l->eof
 * set). An agent that exceeds a protocol bound fails the sample there: no
 * more is read (l->eof is set too) and cvb_launch_end kills the instance. */
bool cvb_launch_drain(struct cvb_launch *l);

/* Host-side measurement now; a failure is kept as the measure error. */
void cvb_launch_measure(struct cvb_launch *l);

/* Asks a holding or stoppable workload to finish. */
void cvb_launch_stop(struct cvb_launch *l);

/* Marks l timed out at now: the wait for its next step (READY, DONE, its
 * end after DONE) began at since, the moment since_what names ("the launch
 * call", "STOP", "all 4 READY"; a static string), and was bounded by
 * bound_ns. cvb_launch_end words the verdict from it. */
void cvb_launch_time_out(struct cvb_launch *l, int64_t now, int64_t since, const char *since_what,
                         int64_t bound_ns);

/* Writes into buf why l timed out: who, the step it was waiting for and
 * the time line so far, from the instance's phases (launch call, READY,
 * STOP, DONE), e.g. "aggressor timed out after 20.0 s waiting for DONE
 * after STOP: launch call 52.4 s (longest step: 52.3 s to create_returned),
 * READY after 58.1 s, STOP sent at 61.0 s, no DONE 20.0 s after STOP".
 * Needs l->inst (its launch phases). */
void cvb_launch_describe_timeout(const struct cvb_launch *l, char *buf, size_t len);

/* Tears the instance down and gives the verdict on the sample: timeouts,
 * protocol errors, missing READY/DONE/metrics, exit status, teardown. */
void cvb_launch_end(struct cvb_launch *l);

/* A successful measured launch contributes one value to each series:
 * startup (unless with_startup is false), its metrics and host usage;
 * role names the series of an aggressor. */
void cvb_launch_commit(struct cvb_cell *cell, const struct cvb_launch *l, bool with_startup,
                       const char *role);

/* Adds v to cell's series name (created with unit and direction). */
void cvb_cell_add_value(struct cvb_cell *cell, const char *name, const char *unit,
                        enum cvb_better better, double v, unsigned index, const char *role);

#endif
