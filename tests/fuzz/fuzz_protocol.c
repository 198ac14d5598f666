/* libFuzzer target: the agent line protocol (harness/run/protocol.c), fed what
 * a hostile or broken agent could send. Besides crashes it checks the
 * parser's promise that torn input does not matter: the same bytes fed in
 * one piece and in pieces of a size the first byte picks give the same
 * events, counts and tail. */
#include "protocol.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A running digest of every event, fields included (FNV-1a). */
struct digest {
	uint64_t h;
	size_t events;
};

static void mix(struct digest *d, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		d->h = (d->h ^ b[i]) * 1099511628211ULL;
}

static void mix_str(struct digest *d, const char *s)
{
	if (s)
		mix(d, s, strlen(s) + 1);
}

static void on_event(void *ctx, const struct cvb_proto_event *ev)
{
	struct digest *d = ctx;
	d->events++;
	mix(d, &ev->kind, sizeof(ev->kind));
	switch (ev->kind) {
	case CVB_PROTO_READY:
		mix(d, &ev->agent_ns, sizeof(ev->agent_ns));
		break;
	case CVB_PROTO_METRIC:
		mix_str(d, ev->metric);
		mix(d, &ev->value, sizeof(ev->value));
		break;
	case CVB_PROTO_FACT: {
		mix_str(d, ev->metric);
		char *text = cJSON_PrintUnformatted(ev->fact);
		mix_str(d, text);
		free(text);
		break;
	}
	case CVB_PROTO_DONE:
		mix(d, &ev->status, sizeof(ev->status));
		break;
	case CVB_PROTO_ERROR:
		mix_str(d, ev->error);
		break;
	}
}

static void run(const uint8_t *data, size_t size, size_t chunk, struct digest *d,
                struct cvb_proto *p, char *tail, size_t tail_len)
{
	d->h = 14695981039346656037ULL;
	d->events = 0;
	cvb_proto_init(p, on_event, d);
	for (size_t off = 0; off < size; off += chunk)
		cvb_proto_feed(p, (const char *)data + off,
		               size - off < chunk ? size - off : chunk);
	cvb_proto_eof(p);
	cvb_proto_tail(p, tail, tail_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t chunk = (size_t)data[0] % 17 + 1;
	data++, size--;
	static struct cvb_proto whole, torn;
	struct digest a, b;
	char ta[CVB_PROTO_TAIL_LINES * 170], tb[sizeof(ta)];
	run(data, size, size ? size : 1, &a, &whole, ta, sizeof(ta));
	run(data, size, chunk, &b, &torn, tb, sizeof(tb));
	if (a.h != b.h || a.events != b.events || whole.noise_lines != torn.noise_lines ||
	    whole.running_bytes != torn.running_bytes || whole.state != torn.state ||
	    strcmp(ta, tb) != 0)
		abort(); /* torn input changed what the harness would record */
	return 0;
}
