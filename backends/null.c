/* The null backend, after fio's null engine: test only. The agent runs
 * exactly as the native backend runs it (native's own launch, measure and
 * teardown, through its table), under another name and with none of native's
 * roles (not the baseline, no --launcher). It shows that a backend plugs in
 * with its own file and one registry line: the harness knows nothing of it.
 *
 * Not offered to users: unless CVB_TEST_BACKENDS=1 is set, it takes itself
 * out of the registry before main() runs, so `list`, --backend and every
 * other reader of cvb_backends[] never see it. */
#include "backend.h"

#include <stdlib.h>
#include <string.h>

extern const struct cvb_backend cvb_backend_native;
extern const struct cvb_backend cvb_backend_null;

static int null_probe(const struct cvb_probe_ctx *ctx, char *reason, size_t len)
{
	return cvb_backend_native.probe(ctx, reason, len);
}

static int null_launch(const struct cvb_launch_spec *spec, struct cvb_instance **out,
                       struct cvb_error *err)
{
	if (cvb_backend_native.launch(spec, out, err) < 0)
		return -1;
	(*out)->backend = &cvb_backend_null;
	return 0;
}

static int null_measure(struct cvb_instance *inst, struct cvb_usage *usage, struct cvb_error *err)
{
	return cvb_backend_native.measure(inst, usage, err);
}

static int null_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                        struct cvb_error *err)
{
	return cvb_backend_native.destroy(inst, graceful, exit, err);
}

static void null_release(struct cvb_instance *inst)
{
	cvb_backend_native.release(inst);
}

const struct cvb_backend cvb_backend_null = {
    .name = "null",
    .summary = "test only: the agent exactly as native runs it, under another name",
    .caps = CVB_CAP_PIN,
    .default_timeout_ms = 10000,
    .probe = null_probe,
    .launch = null_launch,
    .measure = null_measure,
    .destroy = null_destroy,
    .release = null_release,
};

/* Runs before main(): without CVB_TEST_BACKENDS=1, the entry leaves the
 * list (the ones after it move up, the NULL end included). */
__attribute__((constructor)) static void null_hide_unless_asked(void)
{
	const char *want = getenv("CVB_TEST_BACKENDS");
	if (want && strcmp(want, "1") == 0)
		return;
	size_t i = 0;
	while (cvb_backends[i] && cvb_backends[i] != &cvb_backend_null)
		i++;
	for (; cvb_backends[i]; i++)
		cvb_backends[i] = cvb_backends[i + 1];
}
