/* The libvirt domain XML of one VM instance: a transient q35 guest booting
 * the agent's kernel and initramfs directly, no disk, no network, no
 * balloon, the kernel's console on serial port 0 (to a log file) and the
 * agent's protocol on serial port 1 (a UNIX socket the harness already
 * listens on: libvirt's mode='connect', so no early byte is lost). */
#ifndef CVB_VM_DOMAIN_H
#define CVB_VM_DOMAIN_H

#include "cvb_error.h"

enum cvb_vm_accel { CVB_ACCEL_TCG, CVB_ACCEL_KVM };

struct cvb_vm_options {
	const char *name;     /* cvb-<run-id>-<n> */
	const char *emulator; /* NULL: /usr/bin/qemu-system-x86_64 */
	const char *kernel, *initrd;
	const char *cmdline;   /* the whole kernel command line */
	unsigned vcpus;        /* 1..256 */
	unsigned memory_mib;   /* 16..1048576 */
	const char *machine;   /* e.g. "q35" */
	const char *cpu_model; /* NULL: host-passthrough with KVM, "max" with TCG */
	enum cvb_vm_accel accel;
	const char *console_log;    /* file for serial port 0 */
	const char *channel_socket; /* UNIX socket for serial port 1 */
	const char *vcpu_cpus;      /* cpulist every vCPU is pinned to, or NULL */
	const char *emulator_cpus;  /* cpulist for QEMU's other threads, or NULL */
};

/* Validates the options and writes the domain XML into a new string (caller
 * frees). -1 with err naming the bad value and its accepted range. */
int cvb_vm_domain_xml(const struct cvb_vm_options *o, char **xml, struct cvb_error *err);

#endif
