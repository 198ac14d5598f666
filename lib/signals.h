/* SIGINT/SIGTERM/SIGHUP ask cvbench to stop. A run tears the current launch
 * down and writes what was measured; a command that only reads results
 * (export, compare, report, merge, plot) stops at its next check of the
 * flag (while opening and reading its inputs, every 65536 CSV rows, every
 * 2^20 JSON items printed, between plots, before it writes), removes its
 * temporary files, writes nothing and exits 130. A signal that comes
 * while the finished output is being written (atomically) lets that
 * write finish: the command then exits as it would have. */
#ifndef CVB_SIGNALS_H
#define CVB_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t cvb_stop_signal; /* 0, or the signal that asked us to stop */

/* Installs the handlers (without SA_RESTART, so a blocked poll, read or
 * open returns EINTR), unblocks the three signals (a mask inherited from
 * the parent would otherwise hold them back) and ignores SIGPIPE (a dead
 * agent's pipe is an error, not a reason to die). For `run`. */
void cvb_signals_install(void);

/* The same handlers and unblocking for the reading commands, with SIGPIPE
 * left alone (`cvbench export ... | head` ends quietly). Replaces a
 * disposition of SIG_IGN inherited from the parent too: the commands
 * promise exit 130 on these signals. */
void cvb_signals_install_reading(void);

/* When a stop signal has arrived: prints "cvbench CMD: interrupted by
 * signal N" on stderr and returns 130 (CVB_EXIT_INTERRUPTED); 0
 * otherwise. */
int cvb_signals_stopped(const char *cmd);

#endif
