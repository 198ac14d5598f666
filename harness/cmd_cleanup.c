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

/* Another `cvbench run` in progress: its instances are not leftovers. */
static pid_t active_run(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char buf[4096];
	pid_t found = 0, self = getpid();
	while (d && (e = readdir(d))) {
		if (!all_digits(e->d_name) || atoi(e->d_name) == self)
			continue;
		ssize_t n = read_proc(e->d_name, "cmdline", buf, sizeof(buf));
		if (n <= 0)
			continue;
		const char *base = strrchr(buf, '/');
		base = base ? base + 1 : buf;
		size_t arg0 = strlen(buf);
		if (strcmp(base, "cvbench") == 0 && (size_t)n > arg0 + 1 &&
		    strcmp(buf + arg0 + 1, "run") == 0) {
			found = atoi(e->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* Kills every process whose environment carries CVB_RUN_ID. */
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
			    "directories and each backend's other leftovers. Refuses while a "
			    "run is in progress.\n");
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
	pid_t busy = active_run();
	if (busy) {
		fprintf(stderr,
		        "cvbench cleanup: a cvbench run is in progress (pid %d); cleaning now "
		        "would break it: try again when it has ended\n",
		        (int)busy);
		return CVB_EXIT_FAILED;
	}
	kill_agents(&t);
	int status = CVB_EXIT_OK;
	for (size_t i = 0; cvb_backends[i] && !t.dry_run; i++) {
		struct cvb_error err = {0};
		if (cvb_backends[i]->cleanup && cvb_backends[i]->cleanup(report, &t, &err) < 0) {
			fprintf(stderr, "cvbench cleanup: %s: %s\n", cvb_backends[i]->name,
			        err.msg);
			status = CVB_EXIT_FAILED;
		}
	}
	if (t.removed == 0)
		printf("nothing to clean up\n");
	return status;
}
