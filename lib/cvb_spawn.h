/* The one way the harness and the backends start programs: posix_spawn with
 * explicit fds, environment and CPU pinning. No system() or popen(). */
#ifndef CVB_SPAWN_H
#define CVB_SPAWN_H

#include "cvb_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sched.h>
#include <sys/types.h>

struct cvb_spawn_opts {
	char *const *argv; /* argv[0] is the program */
	char *const *envp; /* NULL: inherit the harness's environment */
	int stdin_fd;      /* -1: /dev/null */
	int stdout_fd;     /* -1: /dev/null */
	int stderr_fd;     /* -1: /dev/null */
	const char *cpus;  /* cpulist to pin the child to, or NULL */
	bool new_pgroup;   /* child leads its own process group (kill(-pid) reaches all) */
	bool search_path;  /* look argv[0] up in PATH */
};

/* Starts a child; returns 0 and its pid, or -1 with err filled (the child
 * never started). Pinning is inherited from the harness thread's affinity,
 * set just around the spawn, so the child never runs unpinned. */
int cvb_spawn(const struct cvb_spawn_opts *opts, pid_t *pid, struct cvb_error *err);

/* Runs argv (PATH searched) to completion with stdout+stderr captured into
 * out (NUL-terminated, truncated to outlen - 1) within timeout_ms; the child
 * is killed at the deadline. Returns its exit status (0..255), or -1 with err
 * filled when it could not start, died of a signal or timed out. */
int cvb_spawn_capture(char *const argv[], char *out, size_t outlen, int timeout_ms,
                      struct cvb_error *err);

/* Checks that a cpulist ("0,2-3") parses and is not empty; -1 with err if not. */
int cvb_cpulist_valid(const char *cpus, struct cvb_error *err);

/* A cpulist into a glibc CPU set, without building a topology (cheap enough
 * for a measured launch path). -1 with err on bad input. */
int cvb_cpulist_to_cpuset(const char *cpus, cpu_set_t *out, struct cvb_error *err);

#endif
