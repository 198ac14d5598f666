/* `cvbench env`: the host facts every result carries, as text or JSON. */
#include "backend.h"
#include "commands.h"
#include "hostfacts.h"
#include "versions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cvb_cmd_env(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			printf("usage: cvbench env [--json]\n\nHost facts: CPU, topology (hwloc), "
			       "kernel, cgroup layout, privileges, KVM, libvirt and QEMU versions, "
			       "CPU vulnerability mitigations.\n");
			return CVB_EXIT_OK;
		} else {
			fprintf(stderr,
			        "cvbench env: unknown option '%s' (see 'cvbench env --help')\n",
			        argv[i]);
			return CVB_EXIT_USAGE;
		}
	}
	struct cvb_error err = {0};
	cJSON *facts = cvb_host_facts_collect("/", &err);
	if (facts && cvb_backends_add_host_facts(facts, &err) < 0) {
		cJSON_Delete(facts);
		facts = NULL;
	}
	if (!facts) {
		fprintf(stderr, "cvbench env: %s\n", err.msg);
		return CVB_EXIT_FAILED;
	}
	cvb_versions_add(facts);
	if (json) {
		char *text = cJSON_Print(facts);
		if (text)
			printf("%s\n", text);
		free(text);
	} else {
		cvb_host_facts_print(stdout, facts);
	}
	cJSON_Delete(facts);
	return CVB_EXIT_OK;
}
