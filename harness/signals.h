/* SIGINT/SIGTERM/SIGHUP ask a run to stop: the current launch is torn down,
 * what was measured is kept and written. */
#ifndef CVB_SIGNALS_H
#define CVB_SIGNALS_H

#include <signal.h>

extern volatile sig_atomic_t cvb_stop_signal; /* 0, or the signal that asked us to stop */

/* Installs the handlers (without SA_RESTART, so a blocked poll returns) and
 * ignores SIGPIPE (a dead agent's pipe is an error, not a reason to die). */
void cvb_signals_install(void);

#endif
