/* The audit's escape probes (workloads/audit_host.c): does the instance reach
 * the host's block devices, its session keyring, a writable /sys? */
#ifndef CVB_AUDIT_HOST_H
#define CVB_AUDIT_HOST_H

/* Emits the facts standard_devices_open (/dev/null, zero, full, random and
 * urandom open read-write; standard_devices_probe says which failed),
 * can_open_host_block_device, host_block_device_probe,
 * host_keyring_visible, session_keyring, session_keyring_keys,
 * session_keyring_contents, host_sys_writable, sys_writable_mounts and
 * sys_write_probe on fd. Each probe undoes what it creates (a device node
 * is unlinked again) and writes nothing to any file it opens. */
void cvb_audit_host_probes(int fd);

#endif
