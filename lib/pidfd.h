/* Signalling a process found by its number (in /proc, in cgroup.procs)
 * without the pid-reuse race: a pidfd is opened first, the process is
 * checked through /proc while the pidfd holds it, then the signal goes
 * through the pidfd. */
#ifndef CVB_PIDFD_H
#define CVB_PIDFD_H

#include <stdbool.h>
#include <sys/types.h>

/* Sends sig to pid if is_ours(pid, ctx), called once a pidfd for pid is
 * open, says the process is still the one meant. A signal through the pidfd
 * succeeds only while its process is unreaped, so holding the number from
 * the open through the check: what the check read was that process, never a
 * newcomer with a recycled number. 1: signalled; 0: gone, or not ours (any
 * more); -1 with errno (pidfd_open or pidfd_send_signal failed otherwise). */
int cvb_signal_if_ours(pid_t pid, int sig, bool (*is_ours)(pid_t pid, void *ctx), void *ctx);

#endif
