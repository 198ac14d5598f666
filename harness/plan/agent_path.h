/* Finding the cvb-agent binary the harness launches. */
#ifndef CVB_AGENT_PATH_H
#define CVB_AGENT_PATH_H

#include "cvb_error.h"

#include <stddef.h>

/* Resolves, in order: `given` (--agent), $CVB_AGENT, cvb-agent next to the
 * running cvbench, ../libexec/cvbench/cvb-agent (installed layout). The
 * result is an absolute path to an executable file. */
int cvb_agent_locate(const char *given, char *out, size_t len, struct cvb_error *err);

#endif
