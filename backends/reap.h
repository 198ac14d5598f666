/* Waiting for and reaping an instance's main process: shared by the
 * backends that start one (native, container). */
#ifndef CVB_REAP_H
#define CVB_REAP_H

#include "backend.h"

#include <stdbool.h>
#include <sys/types.h>

/* True if the process behind pidfd exits within timeout_ms (0: just look). */
bool cvb_pidfd_wait(int pidfd, int timeout_ms);

/* Reaps pid (blocking; call after it was killed or seen to exit) and fills
 * exited, code, signal, cpu_ns and max_rss_bytes of *exit from its status
 * and rusage. Returns 0, or -1 with errno set. */
int cvb_reap(pid_t pid, struct cvb_exit *exit);

#endif
