/* What the agent does when it is PID 1: of a container or of a VM. */
#ifndef CVB_PID1_H
#define CVB_PID1_H

#include <stdbool.h>

/* A VM's /init may start with no fds 0-2 (no /dev/console in the initramfs):
 * mount devtmpfs and attach fds 0-2 to /dev/console. Quiet no-op otherwise. */
void cvb_pid1_ensure_console(void);

/* Mounts /proc, /sys and /dev where they are missing; failures are left for
 * the workloads that need them to report. */
void cvb_pid1_mount_basics(void);

/* True if this process is init of the initial PID namespace, i.e. of a
 * (virtual) machine rather than of a container. */
bool cvb_pid1_is_machine_init(void);

/* Flushes and powers the machine off; does not return on success. */
void cvb_pid1_poweroff(void);

#endif
