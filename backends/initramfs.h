/* The VM's initramfs, made by cvbench itself for every run: the run's very
 * agent as /init, /dev/console, and the empty mount points it needs;
 * nothing else. A plain newc cpio archive (uncompressed: the kernel reads it
 * faster than it would inflate it). */
#ifndef CVB_INITRAMFS_H
#define CVB_INITRAMFS_H

#include "cvb_error.h"

/* Writes the archive to `path` (mode 0644) with `agent_path` as /init.
 * Returns 0 or -1 with err. */
int cvb_initramfs_write(const char *path, const char *agent_path, struct cvb_error *err);

#endif
