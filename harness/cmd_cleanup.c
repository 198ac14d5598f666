/* `cvbench cleanup`: removes what killed runs left behind: agent processes
 * (recognised by CVB_RUN_ID in their environment), then whatever each
 * backend knows how to find (cgroups, rootfs directories, domains). */
#include "backend.h"
#include "commands.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tally {
	unsigned removed;
	bool dry_run;
};

static void report(void *ctx, const char *what)
{
	struct tally *t = ctx;
	t->removed++;
	printf("%s %s\n", t->dry_run ? "would remove" : "removed", what);
}

/* Reads a /proc/<pid>/<file> into buf; its length, or -1. */
static ssize_t read_proc(const char *pid, const char *file, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Kills every process whose environment carries the CVB_RUN_ID of a run
 * that is no longer in progress (never ourselves). */
static void kill_agents(struct tally *t)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char env[16384], comm[64], what[160];
	while (d && (e = readdir(d))) {
		if (!all_digits(e->d_name))
			continue;
		ssize_t n = read_proc(e->d_name, "environ", env, sizeof(env));
		for (ssize_t off = 0; off < n; off += (ssize_t)strlen(env + off) + 1) {
			if (strncmp(env + off, "CVB_RUN_ID=", 11) != 0)
				continue;
			char name[96];
			snprintf(name, sizeof(name), "cvb-%s", env + off + 11);
			if (cvb_run_name_is_live(name) || atoi(e->d_name) == getpid())
				break;
			if (read_proc(e->d_name, "comm", comm, sizeof(comm)) < 0)
				snprintf(comm, sizeof(comm), "?\n");
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(what, sizeof(what), "process %s (%s) of run %s", e->d_name, comm,
			         env + off + 11);
			if (t->dry_run || kill(atoi(e->d_name), SIGKILL) == 0)
				report(t, what);
			break;
		}
	}
	if (d)
		closedir(d);
}

int cvb_cmd_cleanup(int argc, char **argv)
{
	struct tally t = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0) {
			printf(
			    "usage: cvbench cleanup [--dry-run]\n\nFinds and removes what killed "
			    "cvbench runs left behind: agent processes, cgroups, rootfs\n"
			    "directories and each backend's other leftovers. Runs still in "
			    "progress are left alone.\n");
			return CVB_EXIT_OK;
		} else if (strcmp(argv[i], "--dry-run") == 0) {
			t.dry_run = true;
		} else {
			fprintf(
			    stderr,
			    "cvbench cleanup: unknown option '%s' (see 'cvbench cleanup --help')\n",
			    argv[i]);
			return CVB_EXIT_USAGE;
		}
	}
	kill_agents(&t);
	int status = CVB_EXIT_OK;
	for (size_t i = 0; cvb_backends[i]; i++) {
		struct cvb_error err = {0};
		if (cvb_backends[i]->cleanup &&
		    cvb_backends[i]->cleanup(t.dry_run, cvb_run_name_is_live, report, &t, &err) <
		        0) {
			fprintf(stderr, "cvbench cleanup: %s: %s\n", cvb_backends[i]->name,
			        err.msg);
			status = CVB_EXIT_FAILED;
		}
	}
	if (t.removed == 0)
		printf("nothing to clean up\n");
	return status;
}
