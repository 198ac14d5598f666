/* `cvbench cleanup`: removes what killed runs left behind: agent processes
 * (recognised by CVB_RUN_ID in their environment, killed through a pidfd),
 * then whatever each backend knows how to find (cgroups, rootfs
 * directories, domains). */
#include "backend.h"
#include "commands.h"
#include "pidfd.h"

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

/* The run id in /proc/<pid>/environ (into id), if the process has one. */
static bool run_id_of(const char *pid, char *id, size_t len)
{
	char env[16384];
	ssize_t n = read_proc(pid, "environ", env, sizeof(env));
	for (ssize_t off = 0; off < n; off += (ssize_t)strlen(env + off) + 1)
		if (strncmp(env + off, "CVB_RUN_ID=", 11) == 0) {
			snprintf(id, len, "%s", env + off + 11);
			return true;
		}
	return false;
}

/* Asked once the pidfd is held: does pid still carry that run id? */
static bool still_of_run(pid_t pid, void *ctx)
{
	char num[24], id[96];
	snprintf(num, sizeof(num), "%d", (int)pid);
	return run_id_of(num, id, sizeof(id)) && strcmp(id, ctx) == 0;
}

/* Kills every process whose environment carries the CVB_RUN_ID of a run
 * that is no longer in progress (never ourselves), through a pidfd opened
 * before the environment is read again: a process that exits meanwhile and
 * whose number is reused is not hit (lib/pidfd.h). */
static bool kill_agents(struct tally *t)
{
	bool ok = true;
	DIR *d = opendir("/proc");
	struct dirent *e;
	char comm[64], what[160], id[96], name[112];
	while (d && (e = readdir(d))) {
		if (!all_digits(e->d_name) || atoi(e->d_name) == getpid() ||
		    !run_id_of(e->d_name, id, sizeof(id)))
			continue;
		snprintf(name, sizeof(name), "cvb-%s", id);
		if (cvb_run_name_is_live(name))
			continue;
		if (read_proc(e->d_name, "comm", comm, sizeof(comm)) < 0)
			snprintf(comm, sizeof(comm), "?\n");
		comm[strcspn(comm, "\n")] = '\0';
		snprintf(what, sizeof(what), "process %s (%s) of run %s", e->d_name, comm, id);
		if (t->dry_run) {
			report(t, what);
			continue;
		}
		int rc = cvb_signal_if_ours(atoi(e->d_name), SIGKILL, still_of_run, id);
		if (rc > 0)
			report(t, what);
		else if (rc < 0) {
			fprintf(stderr, "cvbench cleanup: cannot kill %s: %s\n", what,
			        strerror(errno));
			ok = false;
		}
	}
	if (d)
		closedir(d);
	return ok;
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
	int status = kill_agents(&t) ? CVB_EXIT_OK : CVB_EXIT_FAILED;
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
