/* The agent protocol parser: whole lines, torn lines, noise, garbage,
 * missing READY, and the order rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "protocol.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

struct events {
	int ready, metric, fact, done, error;
	int64_t agent_ns;
	char metric_name[64];
	double value;
	int status;
	char error_msg[256];
	char fact_value[128]; /* the last string fact */
	char order[32]; /* R, M, D, E in arrival order */
};

static void record(void *ctx, const struct cvb_proto_event *ev)
{
	struct events *e = ctx;
	size_t n = strlen(e->order);
	switch (ev->kind) {
	case CVB_PROTO_READY:
		e->ready++;
		e->agent_ns = ev->agent_ns;
		e->order[n] = 'R';
		break;
	case CVB_PROTO_METRIC:
		e->metric++;
		snprintf(e->metric_name, sizeof(e->metric_name), "%s", ev->metric);
		e->value = ev->value;
		e->order[n] = 'M';
		break;
	case CVB_PROTO_FACT:
		e->fact++;
		snprintf(e->metric_name, sizeof(e->metric_name), "%s", ev->metric);
		if (cJSON_IsString(ev->fact))
			snprintf(e->fact_value, sizeof(e->fact_value), "%s", ev->fact->valuestring);
		e->order[n] = 'F';
		break;
	case CVB_PROTO_DONE:
		e->done++;
		e->status = ev->status;
		e->order[n] = 'D';
		break;
	case CVB_PROTO_ERROR:
		e->error++;
		snprintf(e->error_msg, sizeof(e->error_msg), "%s", ev->error);
		e->order[n] = 'E';
		break;
	}
}

static void feed_all(struct cvb_proto *p, const char *s)
{
	cvb_proto_feed(p, s, strlen(s));
}

/* A well-formed stream gives READY, METRIC, DONE in order. */
static void test_whole_stream(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 12345\n{\"metric\":\"x_ns\",\"value\":190.5}\nDONE 0\n");
	cvb_proto_eof(&p);
	assert_string_equal(e.order, "RMD");
	assert_int_equal(e.agent_ns, 12345);
	assert_string_equal(e.metric_name, "x_ns");
	assert_true(e.value == 190.5);
	assert_int_equal(e.status, 0);
	assert_int_equal(p.noise_lines, 0);
}

/* Bytes arriving one at a time make the same events as whole lines. */
static void test_torn_lines(void **state)
{
	(void)state;
	const char *s = "READY 7\r\n{\"metric\":\"m\",\"value\":3}\r\nDONE 4\r\n";
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	for (size_t i = 0; s[i]; i++) {
		cvb_proto_feed(&p, &s[i], 1);
		if (i == 3) /* "READ" so far: nothing yet */
			assert_int_equal(e.ready, 0);
	}
	assert_string_equal(e.order, "RMD");
	assert_int_equal(e.agent_ns, 7);
	assert_int_equal(e.status, 4);
}

/* A final line without newline counts at EOF, and only then. */
static void test_unterminated_last_line(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 1\nDONE 0");
	assert_string_equal(e.order, "R");
	cvb_proto_eof(&p);
	assert_string_equal(e.order, "RD");
}

/* Console noise before READY and after DONE is counted, not an error. */
static void test_noise_around_protocol(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "[    0.000000] Linux version 6.1\nRun /init as init process\nREADY 5\n"
	             "DONE 0\nreboot: Power down\n");
	assert_string_equal(e.order, "RD");
	assert_int_equal(p.noise_lines, 3);
}

/* Garbage only: no READY, no error, all noise; the tail keeps the last lines. */
static void test_garbage_without_ready(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	char tail[256];
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "a\nb\nc\nd\ne\nREADYX 1\nREADY\nREADY 12abc\n");
	cvb_proto_eof(&p);
	assert_int_equal(e.ready, 0);
	assert_int_equal(e.error, 0);
	assert_int_equal(p.noise_lines, 8);
	cvb_proto_tail(&p, tail, sizeof(tail));
	assert_string_equal(tail, "e | READYX 1 | READY | READY 12abc");
}

/* Between READY and DONE anything that is not a result line is an error. */
static void test_garbage_after_ready(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 1\nSegmentation fault\n");
	assert_string_equal(e.order, "RE");
	assert_non_null(strstr(e.error_msg, "Segmentation fault"));
}

/* Malformed JSON and JSON without the right fields are errors. */
static void test_malformed_results(void **state)
{
	(void)state;
	const char *bad[] = {
	    "{\"metric\":\"x\",\"value\":}",      "{\"metric\":\"x\"}",
	    "{\"metric\":\"\",\"value\":1}",      "{\"metric\":5,\"value\":1}",
	    "{\"metric\":\"x\",\"value\":\"1\"}", "{not json",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct events e = {0};
		struct cvb_proto p;
		cvb_proto_init(&p, record, &e);
		feed_all(&p, "READY 1\n");
		feed_all(&p, bad[i]);
		feed_all(&p, "\n");
		assert_int_equal(e.metric, 0);
		assert_int_equal(e.error, 1);
		assert_non_null(strstr(e.error_msg, "malformed result line"));
	}
}

/* DONE before READY, and a second READY, are errors. */
static void test_order_errors(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "DONE 0\nREADY 1\nREADY 2\n");
	assert_string_equal(e.order, "ERE");
	assert_non_null(strstr(e.error_msg, "second READY"));
}

/* A negative DONE status is a status, not garbage. */
static void test_negative_done(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 1\nDONE -3\n");
	assert_string_equal(e.order, "RD");
	assert_int_equal(e.status, -3);
}

/* An over-long line is one error while running, noise before READY. */
static void test_overlong_line(void **state)
{
	(void)state;
	char big[3000];
	memset(big, 'x', sizeof(big) - 2);
	big[sizeof(big) - 2] = '\n';
	big[sizeof(big) - 1] = '\0';
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, big);
	assert_int_equal(e.error, 0);
	assert_int_equal(p.noise_lines, 1);
	feed_all(&p, "READY 1\n");
	feed_all(&p, big);
	feed_all(&p, "DONE 0\n");
	assert_string_equal(e.order, "RED");
	assert_non_null(strstr(e.error_msg, "longer than"));
}

/* Several lines in one chunk, with an empty line and a NUL byte. */
static void test_embedded_nul_and_empty(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	const char chunk[] = "READY 9\n\nDO\0NE 0\nDONE 0\n";
	cvb_proto_feed(&p, chunk, sizeof(chunk) - 1);
	assert_string_equal(e.order, "RED");
	assert_non_null(strstr(e.error_msg, "DO?NE 0"));
}

/* Fact lines carry strings, numbers or booleans; other values are errors. */
static void test_facts(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 1\n{\"fact\":\"hostname\",\"value\":\"cvb-x\"}\n"
	             "{\"fact\":\"pid\",\"value\":1}\n{\"fact\":\"ok\",\"value\":true}\n"
	             "{\"fact\":\"bad\",\"value\":[1]}\nDONE 0\n");
	assert_string_equal(e.order, "RFFFED");
	assert_int_equal(e.fact, 3);
	assert_non_null(strstr(e.error_msg, "malformed result line"));
}

/* What is bounded per launch: the bytes between READY and DONE (DONE's line
 * included), not the noise around them nor READY's own line. */
static void test_running_bytes(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "boot noise\nREADY 5\n");
	assert_int_equal(p.running_bytes, 0);
	feed_all(&p, "{\"metric\":\"x\",\"value\":1}\nDO");
	assert_int_equal(p.running_bytes, 27);
	feed_all(&p, "NE 0\npower off\n");
	assert_string_equal(e.order, "RMD");
	assert_int_equal(p.running_bytes, 27 + 5); /* "NE 0\n": the noise after it is not counted */
}

/* Invalid UTF-8 and control characters become '?', byte for byte; valid
 * text (multi-byte included) is left as it is. */
static void test_utf8_sanitize(void **state)
{
	static const struct {
		const char *in, *out;
		bool controls;
	} cases[] = {
	    {"plain ascii\tand tab", "plain ascii\tand tab", true},
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	     true},
	    {"a\xff" "b", "a?b", true},                 /* never valid */
	    {"\x80\xbf", "??", true},                     /* stray continuations */
	    {"\xc0\x80", "??", true},                     /* overlong NUL */
	    {"\xe0\x80\xaf", "???", true},                /* overlong '/' */
	    {"\xed\xa0\x80", "???", true},                /* surrogate U+D800 */
	    {"\xf4\x90\x80\x80", "????", true},           /* above U+10FFFF */
	    {"x\xe2\x82", "x??", true},                   /* cut short at the end */
	    {"\xc3(", "?(", true},                        /* lead without continuation */
	    {"bell\x07 esc\x1b[2J del\x7f", "bell? esc?[2J del?", true},
	    {"c1\xc2\x85", "c1??", true},                 /* NEL, a C1 control */
	    {"c1\xc2\x85 \x01 \xff", "c1\xc2\x85 \x01 ?", false}, /* invalid only */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[64];
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		cvb_utf8_sanitize(buf, cases[i].controls);
		if (strcmp(buf, cases[i].out) != 0)
			fail_msg("case %zu: got '%s', expected '%s'", i, buf, cases[i].out);
	}
	char buf[] = "\xff\xfe ok";
	assert_int_equal(cvb_utf8_sanitize(buf, true), 2);
}

/* What an agent sends reaches the results only as clean UTF-8: raw bytes
 * in a fact's name and value, escaped controls, and the quotes of bad
 * lines in error messages and the tail. */
static void test_agent_text_is_clean_utf8(void **state)
{
	(void)state;
	struct events e = {0};
	struct cvb_proto p;
	char tail[256];
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "boot \xff\x1b]0;title\x07\nREADY 1\n");
	feed_all(&p, "{\"fact\":\"name\xc3\",\"value\":\"a\xed\xa0\x80" "b \\u0007 \\u001b[31m "
	             "caf\xc3\xa9\"}\n");
	assert_int_equal(e.fact, 1);
	assert_string_equal(e.metric_name, "name?");
	assert_string_equal(e.fact_value, "a???b ? ?[31m caf\xc3\xa9");
	feed_all(&p, "junk \x9b\xe2\x82\n");
	assert_int_equal(e.error, 1);
	assert_string_equal(e.error_msg, "unexpected agent output 'junk ?\?\?'");
	cvb_proto_tail(&p, tail, sizeof(tail));
	assert_string_equal(tail, "boot ??]0;title? | READY 1 | "
	                          "{\"fact\":\"name?\",\"value\":\"a???b \\u0007 \\u001b[31m "
	                          "caf\xc3\xa9\"} | junk ?\?\?");
	/* A quote cut to its width in the middle of a character. */
	char line[200];
	memset(line, 'x', sizeof(line));
	memcpy(line + 150, "\xc3\xa9\xc3\xa9\xc3\xa9\n", 7);
	line[157] = '\0';
	memset(&e, 0, sizeof(e));
	cvb_proto_init(&p, record, &e);
	feed_all(&p, "READY 1\n");
	feed_all(&p, line);
	cvb_proto_tail(&p, tail, sizeof(tail));
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", tail);
	assert_int_equal(cvb_utf8_sanitize(copy, true), 0); /* already clean */
	snprintf(copy, sizeof(copy), "%s", e.error_msg);
	assert_int_equal(cvb_utf8_sanitize(copy, true), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_whole_stream),
	    cmocka_unit_test(test_torn_lines),
	    cmocka_unit_test(test_unterminated_last_line),
	    cmocka_unit_test(test_noise_around_protocol),
	    cmocka_unit_test(test_garbage_without_ready),
	    cmocka_unit_test(test_garbage_after_ready),
	    cmocka_unit_test(test_malformed_results),
	    cmocka_unit_test(test_order_errors),
	    cmocka_unit_test(test_negative_done),
	    cmocka_unit_test(test_overlong_line),
	    cmocka_unit_test(test_embedded_nul_and_empty),
	    cmocka_unit_test(test_facts),
	    cmocka_unit_test(test_running_bytes),
	    cmocka_unit_test(test_utf8_sanitize),
	    cmocka_unit_test(test_agent_text_is_clean_utf8),
	};
	return cmocka_run_group_tests_name("protocol", tests, NULL, NULL);
}
