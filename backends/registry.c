/* The explicit list of backends, in the order `cvbench list` shows them. */
#include "backend.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct cvb_backend cvb_backend_native;
extern const struct cvb_backend cvb_backend_container;
extern const struct cvb_backend cvb_backend_vm;
extern const struct cvb_backend cvb_backend_null;

const struct cvb_backend *cvb_backends[] = {
    &cvb_backend_native,
    &cvb_backend_container,
    &cvb_backend_vm,
    &cvb_backend_null, /* test only, with CVB_TEST_BACKENDS=1 (null.c) */
    NULL,
};

const struct cvb_backend *cvb_backend_find(const char *name)
{
	for (size_t i = 0; cvb_backends[i]; i++)
		if (strcmp(cvb_backends[i]->name, name) == 0)
			return cvb_backends[i];
	return NULL;
}

int cvb_backends_add_host_facts(cJSON *facts, struct cvb_error *err)
{
	for (size_t i = 0; cvb_backends[i]; i++)
		if (cvb_backends[i]->host_facts && !cvb_backends[i]->host_facts(facts))
			return cvb_error_set(err, ENOMEM, "out of memory adding %s's host facts",
			                     cvb_backends[i]->name);
	return 0;
}

void cvb_instance_mark(struct cvb_instance *inst, const char *phase, int64_t t_start_ns)
{
	if (inst->n_phases < CVB_MAX_PHASES)
		inst->phases[inst->n_phases++] =
		    (struct cvb_phase){.name = phase, .t_ns = cvb_now_ns() - t_start_ns};
}

bool cvb_run_name_is_live(const char *name)
{
	/* cvb-<YYYYmmddTHHMMSS>-<pid hex>[-<n>] */
	char buf[128], path[64], cmd[256];
	snprintf(buf, sizeof(buf), "%s", name);
	char *p = strchr(buf, '-');
	p = p ? strchr(p + 1, '-') : NULL;
	if (!p)
		return false;
	char *end;
	unsigned long pid = strtoul(p + 1, &end, 16);
	if (end == p + 1 || (*end && *end != '-') || pid == 0 || (pid_t)pid == getpid())
		return false;
	snprintf(path, sizeof(path), "/proc/%lu/cmdline", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		cmd[i] = cmd[i] ? cmd[i] : ' ';
	cmd[n] = '\0';
	return strstr(cmd, "cvbench") != NULL;
}
