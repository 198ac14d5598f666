/* What the agent does when it is PID 1: of a container or of a VM. */
#ifndef CVB_PID1_H
#define CVB_PID1_H

#include <stdbool.h>

/* Attaches fds 0-2 to the protocol channel: $CVB_CHANNEL (a VM's own serial
 * port) when set, else /dev/console when fds 0-2 are missing (an initramfs
 * without /dev/console); mounts devtmpfs for it. Quiet no-op otherwise. */
void cvb_pid1_ensure_console(void);

/* Mounts /proc, /sys and /dev where they are missing; failures are left for
 * the workloads that need them to report. */
void cvb_pid1_mount_basics(void);

/* True if this process is init of the initial PID namespace, i.e. of a
 * (virtual) machine rather than of a container. */
bool cvb_pid1_is_machine_init(void);

/* Emits the fact guest_uptime_at_ready_s from /proc/uptime. */
void cvb_pid1_report_uptime(int fd);

/* Flushes and powers the machine off; does not return on success. */
void cvb_pid1_poweroff(void);

#endif
