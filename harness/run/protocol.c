#include "protocol.h"
#include "utf8.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cvb_proto_init(struct cvb_proto *p, cvb_proto_cb cb, void *ctx)
{
	memset(p, 0, sizeof(*p));
	p->cb = cb;
	p->ctx = ctx;
}

static void emit(struct cvb_proto *p, struct cvb_proto_event ev)
{
	if (p->cb)
		p->cb(p->ctx, &ev);
}

static void emit_error(struct cvb_proto *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void emit_error(struct cvb_proto *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cvb_utf8_sanitize(msg, true); /* a quote cut to %.120s may end mid-character */
	emit(p, (struct cvb_proto_event){.kind = CVB_PROTO_ERROR, .error = msg});
}

static void remember(struct cvb_proto *p, const char *line)
{
	snprintf(p->tail[p->tail_next], sizeof(p->tail[0]), "%s", line);
	cvb_utf8_sanitize(p->tail[p->tail_next], true);
	p->tail_next = (p->tail_next + 1) % CVB_PROTO_TAIL_LINES;
	if (p->tail_count < CVB_PROTO_TAIL_LINES)
		p->tail_count++;
}

/* "<word> <integer>" with nothing after it. */
static bool parse_word_int(const char *line, const char *word, int64_t *v)
{
	size_t wl = strlen(word);
	if (strncmp(line, word, wl) != 0 || line[wl] != ' ')
		return false;
	char *end;
	errno = 0;
	long long x = strtoll(line + wl + 1, &end, 10);
	if (errno || end == line + wl + 1 || *end != '\0')
		return false;
	*v = x;
	return true;
}

static void parse_metric(struct cvb_proto *p, const char *line)
{
	cJSON *obj = cJSON_Parse(line);
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metric");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, "fact");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "value");
	/* The line was clean, but escapes ("\u0007") decode to controls. */
	const cJSON *strings[] = {m, f, v};
	for (size_t i = 0; i < 3; i++)
		if (cJSON_IsString(strings[i]))
			cvb_utf8_sanitize(strings[i]->valuestring, true);
	if (cJSON_IsObject(obj) && cJSON_IsString(f) && f->valuestring[0] && !m &&
	    (cJSON_IsString(v) || (cJSON_IsNumber(v) && isfinite(v->valuedouble)) ||
	     cJSON_IsBool(v))) {
		emit(p, (struct cvb_proto_event){
		            .kind = CVB_PROTO_FACT, .metric = f->valuestring, .fact = v});
	} else if (!cJSON_IsObject(obj) || !cJSON_IsString(m) || !m->valuestring[0] ||
	           !cJSON_IsNumber(v) || !isfinite(v->valuedouble))
		emit_error(p, "malformed result line '%.120s'", line);
	else
		emit(p, (struct cvb_proto_event){.kind = CVB_PROTO_METRIC,
		                                 .metric = m->valuestring,
		                                 .value = v->valuedouble});
	cJSON_Delete(obj);
}

static void parse_line(struct cvb_proto *p, char *line)
{
	size_t len = strlen(line);
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (len == 0)
		return;
	/* What the agent says reaches results files and terminals: valid
	 * UTF-8 without control characters, whatever it sent. */
	cvb_utf8_sanitize(line, true);
	remember(p, line);
	int64_t v;
	switch (p->state) {
	case CVB_PROTO_BEFORE_READY:
		if (parse_word_int(line, "READY", &v)) {
			p->state = CVB_PROTO_RUNNING;
			emit(p, (struct cvb_proto_event){.kind = CVB_PROTO_READY, .agent_ns = v});
		} else if (parse_word_int(line, "DONE", &v)) {
			emit_error(p, "agent said '%.60s' before READY", line);
		} else {
			p->noise_lines++;
		}
		return;
	case CVB_PROTO_RUNNING:
		if (parse_word_int(line, "DONE", &v) && v >= INT32_MIN && v <= INT32_MAX) {
			p->state = CVB_PROTO_AFTER_DONE;
			emit(p, (struct cvb_proto_event){.kind = CVB_PROTO_DONE, .status = (int)v});
		} else if (line[0] == '{') {
			parse_metric(p, line);
		} else if (parse_word_int(line, "READY", &v)) {
			emit_error(p, "second READY line '%.60s'", line);
		} else {
			emit_error(p, "unexpected agent output '%.120s'", line);
		}
		return;
	case CVB_PROTO_AFTER_DONE:
		p->noise_lines++;
		return;
	}
}

void cvb_proto_feed(struct cvb_proto *p, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];
		if (p->state == CVB_PROTO_RUNNING)
			p->running_bytes++;
		if (c == '\n') {
			p->line[p->len] = '\0';
			if (p->overlong && p->state == CVB_PROTO_RUNNING)
				emit_error(p, "agent output line longer than %d bytes",
				           CVB_PROTO_LINE_MAX - 1);
			else if (p->overlong)
				p->noise_lines++;
			else
				parse_line(p, p->line);
			p->len = 0;
			p->overlong = false;
		} else if (p->len + 1 < sizeof(p->line)) {
			/* A NUL inside a line would cut it short: keep it visible. */
			p->line[p->len++] = c ? c : '?';
		} else {
			p->overlong = true;
		}
	}
}

void cvb_proto_eof(struct cvb_proto *p)
{
	if (p->len || p->overlong)
		cvb_proto_feed(p, "\n", 1);
}

void cvb_proto_tail(const struct cvb_proto *p, char *buf, size_t len)
{
	size_t off = 0;
	if (len)
		buf[0] = '\0';
	size_t first = (p->tail_next + CVB_PROTO_TAIL_LINES - p->tail_count) % CVB_PROTO_TAIL_LINES;
	for (size_t i = 0; i < p->tail_count && off < len; i++) {
		const char *l = p->tail[(first + i) % CVB_PROTO_TAIL_LINES];
		int n = snprintf(buf + off, len - off, "%s%s", i ? " | " : "", l);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (len)
		cvb_utf8_sanitize(buf, true); /* cut to len: maybe mid-character */
}
