/* Parser of the agent's line protocol, fed with whatever bytes arrive (torn
 * lines, several lines at once, console noise). Pure: no I/O, no clocks, so
 * it is tested on its own.
 *
 * Grammar, one line each, "\r\n" or "\n":
 *   READY <int64 agent-monotonic-ns>         first protocol line
 *   {"metric":"<name>","value":<number>}     after READY, zero or more
 *   {"fact":"<name>","value":<string|number|bool>}   observations, e.g. the audit's
 *   DONE <int status>                        last protocol line
 * Lines before READY and after DONE that are not protocol lines are noise
 * (a VM console's boot and power-off messages) and are only counted. Any
 * other line between READY and DONE is a protocol error: a result stream we
 * cannot read is never turned into numbers.
 *
 * Every line, every string a JSON line decodes to (fact names and values,
 * metric names) and every message is made valid UTF-8 without control
 * characters before anyone sees it: each offending byte becomes '?'
 * (lib/utf8.h), so an agent cannot corrupt a results file or a
 * terminal. */
#ifndef CVB_PROTOCOL_H
#define CVB_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define CVB_PROTO_LINE_MAX 1024
#define CVB_PROTO_TAIL_LINES 4

enum cvb_proto_event_kind {
	CVB_PROTO_READY,
	CVB_PROTO_METRIC,
	CVB_PROTO_FACT, /* {"fact":"<name>","value":<string|number|bool>} */
	CVB_PROTO_DONE,
	CVB_PROTO_ERROR, /* message in .error; parsing goes on */
};

struct cvb_proto_event {
	enum cvb_proto_event_kind kind;
	int64_t agent_ns;   /* READY */
	const char *metric; /* METRIC; valid during the callback only */
	double value;       /* METRIC */
	const cJSON *fact;  /* FACT: the value; valid during the callback only (name in .metric) */
	int status;         /* DONE */
	const char *error;  /* ERROR; valid during the callback only */
};

typedef void (*cvb_proto_cb)(void *ctx, const struct cvb_proto_event *ev);

enum cvb_proto_state { CVB_PROTO_BEFORE_READY, CVB_PROTO_RUNNING, CVB_PROTO_AFTER_DONE };

struct cvb_proto {
	enum cvb_proto_state state;
	char line[CVB_PROTO_LINE_MAX];
	size_t len;
	bool overlong; /* the current line exceeded the buffer: rest is dropped */
	size_t noise_lines;
	/* Bytes received between READY and DONE (DONE's line included, READY's
	 * not): what the harness bounds (launch.c). */
	size_t running_bytes;
	/* The last few raw lines, for error messages ("last output: ..."). */
	char tail[CVB_PROTO_TAIL_LINES][160];
	size_t tail_next, tail_count;
	cvb_proto_cb cb;
	void *ctx;
};

void cvb_proto_init(struct cvb_proto *p, cvb_proto_cb cb, void *ctx);

/* Feeds bytes as they arrive; calls cb for each complete line's event. */
void cvb_proto_feed(struct cvb_proto *p, const char *data, size_t n);

/* End of stream: a final unterminated line is parsed like a whole line. */
void cvb_proto_eof(struct cvb_proto *p);

/* Writes the last lines seen, oldest first, joined by " | " (quoted text for
 * error messages); "" if none. */
void cvb_proto_tail(const struct cvb_proto *p, char *buf, size_t len);

#endif
