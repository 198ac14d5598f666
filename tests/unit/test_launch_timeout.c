/* A timeout's reason (harness/run/launch.c, cvb_launch_describe_timeout): who
 * timed out, the step it was waiting for (READY, DONE, DONE after STOP,
 * exit after DONE), what bounded it and the time line so far from the
 * backend's phases. Launches are filled by hand, as a round leaves them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "launch.h"

#include <stdio.h>
#include <string.h>

#define S(x) ((int64_t)((x)*1e9))
#define T0 S(1000) /* host clock at the launch call */

struct fixture {
	struct cvb_launch l;
	struct cvb_sample s;
	struct cvb_instance inst;
	char buf[512];
};

static void setup(struct fixture *f, const char *who)
{
	memset(f, 0, sizeof(*f));
	f->l.sample = &f->s;
	f->l.inst = &f->inst;
	f->l.t0 = T0;
	f->s.startup_ns = -1;
	snprintf(f->l.who, sizeof(f->l.who), "%s", who);
}

static void phase(struct fixture *f, const char *name, double at_s)
{
	f->inst.phases[f->inst.n_phases++] = (struct cvb_phase){name, S(at_s)};
}

static void ready(struct fixture *f, double at_s)
{
	f->l.ready = true;
	f->s.startup_ns = S(at_s);
}

static const char *describe(struct fixture *f)
{
	cvb_launch_describe_timeout(&f->l, f->buf, sizeof(f->buf));
	return f->buf;
}

/* The plain path: one bound from the launch call; the prefix is the one
 * the integration tests have always matched. */
static void test_plain_no_ready(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "");
	phase(&f, "spawned", 0.00035);
	cvb_launch_time_out(&f.l, T0 + S(0.5), T0, "the launch call", S(0.5));
	assert_string_equal(describe(&f),
	                    "timed out after 0.5 s waiting for READY: launch call "
	                    "0.35 ms (spawned), no READY 0.5 s after the launch call");
}

static void test_plain_no_done(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "");
	phase(&f, "spawned", 0.0004);
	ready(&f, 0.003);
	cvb_launch_time_out(&f.l, T0 + S(10), T0, "the launch call", S(10));
	assert_string_equal(describe(&f),
	                    "timed out after 10.0 s waiting for DONE: launch call 0.40 ms "
	                    "(spawned), READY after 3 ms, no DONE 10.0 s after the launch call");
}

/* The case: a 52 s domain create, then the stop grace from STOP. */
static void test_aggressor_after_stop(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "aggressor");
	phase(&f, "create_returned", 52.3);
	phase(&f, "channel_connected", 52.4);
	ready(&f, 58.1);
	f.l.stopped = true;
	f.l.t_stop = T0 + S(61);
	cvb_launch_time_out(&f.l, f.l.t_stop + S(20), f.l.t_stop, "STOP", S(20));
	assert_string_equal(describe(&f),
	                    "aggressor timed out after 20.0 s waiting for DONE after STOP: launch "
	                    "call 52.4 s (longest step: 52.3 s to create_returned), READY after "
	                    "58.1 s, STOP sent at 61.0 s, no DONE 20.0 s after STOP");
}

/* A finite density member: bounded from the round's last READY, which the
 * reason places on this member's own time line. */
static void test_density_member_no_done(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "instance 1 of 4");
	phase(&f, "cgroup_created", 1.0002);
	phase(&f, "cloned", 1.0011);
	phase(&f, "child_released", 1.0014);
	ready(&f, 2.0);
	cvb_launch_time_out(&f.l, T0 + S(7.05), T0 + S(4.05), "all 4 READY", S(3));
	assert_string_equal(describe(&f),
	                    "instance 1 of 4 timed out after 3.0 s waiting for DONE: launch call "
	                    "1.0 s (longest step: 1.0 s to cgroup_created), READY after 2.0 s, "
	                    "all 4 READY at 4.0 s, no DONE 3.0 s after all 4 READY");
}

/* The victim's bound starts at its own READY, already on the line. */
static void test_victim_from_its_ready(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "victim");
	phase(&f, "spawned", 0.001);
	ready(&f, 0.25);
	cvb_launch_time_out(&f.l, T0 + S(5.25), T0 + S(0.25), "READY", S(5));
	assert_string_equal(describe(&f), "victim timed out after 5.0 s waiting for DONE: launch "
	                                  "call 1 ms (spawned), READY after 250 ms, no DONE 5.0 s "
	                                  "after READY");
}

static void test_exit_after_done(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "instance 2 of 2");
	phase(&f, "spawned", 0.002);
	ready(&f, 0.01);
	f.l.done = true;
	f.l.t_done = T0 + S(0.02);
	cvb_launch_time_out(&f.l, T0 + S(1.01), T0 + S(0.01), "all 2 READY", S(1));
	assert_string_equal(describe(&f),
	                    "instance 2 of 2 timed out after 1.0 s waiting for exit after DONE: "
	                    "launch call 2 ms (spawned), READY after 10 ms, all 2 READY at 10 ms, "
	                    "DONE at 20 ms, still running 1.0 s after DONE");
}

/* Events are told in the order they happened: a finite member's DONE may
 * come before the round's last READY. */
static void test_events_in_time_order(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "instance 1 of 2");
	phase(&f, "spawned", 0.002);
	ready(&f, 0.005);
	f.l.done = true;
	f.l.t_done = T0 + S(0.006);
	cvb_launch_time_out(&f.l, T0 + S(1.008), T0 + S(0.008), "all 2 READY", S(1));
	assert_string_equal(describe(&f),
	                    "instance 1 of 2 timed out after 1.0 s waiting for exit after DONE: "
	                    "launch call 2 ms (spawned), READY after 5 ms, DONE at 6 ms, all 2 "
	                    "READY at 8 ms, still running 1.0 s after DONE");
}

/* Stopped (another member failed) before READY: the grace from STOP. */
static void test_no_ready_after_stop(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "instance 3 of 3");
	f.l.stopped = true;
	f.l.t_stop = T0 + S(0.5);
	cvb_launch_time_out(&f.l, T0 + S(20.5), f.l.t_stop, "STOP", S(20));
	assert_string_equal(describe(&f), "instance 3 of 3 timed out after 20.0 s waiting for "
	                                  "READY: launch call (no phase recorded), STOP sent at "
	                                  "500 ms, no READY 20.0 s after STOP");
}

/* A container's child reports its own phases after the parent's marks:
 * the longest step is found on the phases in time order. */
static void test_phases_out_of_order(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, "");
	phase(&f, "cgroup_created", 0.0002);
	phase(&f, "cloned", 0.0010);
	phase(&f, "child_released", 0.0012);
	phase(&f, "child_started", 0.0009);
	phase(&f, "net_up", 0.0400);
	phase(&f, "exec", 0.0410);
	cvb_launch_time_out(&f.l, T0 + S(2), T0, "the launch call", S(2));
	assert_string_equal(describe(&f), "timed out after 2.0 s waiting for READY: launch call "
	                                  "41 ms (longest step: 39 ms to net_up), no READY 2.0 s "
	                                  "after the launch call");
}

/* A reason never overruns its buffer, however small. */
static void test_truncated(void **state)
{
	(void)state;
	struct fixture f;
	char small[40];
	setup(&f, "instance 10 of 16");
	phase(&f, "create_returned", 52.3);
	ready(&f, 58.1);
	cvb_launch_time_out(&f.l, T0 + S(200), T0 + S(80), "all 16 READY", S(120));
	memset(small, 'x', sizeof(small));
	cvb_launch_describe_timeout(&f.l, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, "instance 10 of 16 timed out after 120.0", 39);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_no_ready),
	    cmocka_unit_test(test_plain_no_done),
	    cmocka_unit_test(test_aggressor_after_stop),
	    cmocka_unit_test(test_density_member_no_done),
	    cmocka_unit_test(test_victim_from_its_ready),
	    cmocka_unit_test(test_exit_after_done),
	    cmocka_unit_test(test_events_in_time_order),
	    cmocka_unit_test(test_no_ready_after_stop),
	    cmocka_unit_test(test_phases_out_of_order),
	    cmocka_unit_test(test_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
