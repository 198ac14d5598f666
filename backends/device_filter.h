/* The container's device allowlist (runc's default): every instance may make
 * device nodes (mknod) but open only the few /dev holds. Enforced by the
 * instance's cgroup: the v1 devices controller (devices.deny "a", then one
 * devices.allow line per rule, cgroup.c), or on cgroup v2 a
 * BPF_PROG_TYPE_CGROUP_DEVICE program built here from the same rules and
 * attached to the instance's v2 directory. Without a user namespace the
 * container's root keeps CAP_MKNOD (Docker's capability set): the allowlist,
 * and nodev on every mount it can write to, are what keep it off the host's
 * disks. */
#ifndef CVB_DEVICE_FILTER_H
#define CVB_DEVICE_FILTER_H

#include "cvb_error.h"

#include <linux/bpf.h>
#include <stddef.h>

#define CVB_DEVICE_ANY (-1) /* a wildcard major or minor: "*" */

struct cvb_device_rule {
	char type;          /* 'c' (character) or 'b' (block) */
	int major, minor;   /* or CVB_DEVICE_ANY */
	const char *access; /* letters of "rwm": read, write, mknod */
	const char *what;   /* the node it is for, or why */
};

/* The rules, in the order v1 writes them and the program tests them. */
extern const struct cvb_device_rule cvb_device_rules[];
extern const size_t cvb_device_rule_count;

/* The rule as a devices.allow line: "c 1:3 rwm", "b *:* m". */
void cvb_device_rule_format(const struct cvb_device_rule *r, char *buf, size_t len);

/* The maximum number of instructions cvb_device_bpf_build writes. */
#define CVB_DEVICE_BPF_MAX_INSNS 128

/* Writes the allowlist as an eBPF program for BPF_PROG_TYPE_CGROUP_DEVICE
 * into out (at most max instructions): returns 1 (allow) when a rule matches
 * the device's type, major and minor and allows every access asked for, else
 * 0 (the kernel then fails the call with EPERM). Returns the number of
 * instructions, or 0 when max is too small. Pure: no system call. */
size_t cvb_device_bpf_build(struct bpf_insn *out, size_t max);

/* Parent side, once per run: loads the program (bpf(BPF_PROG_LOAD)). Returns
 * its fd (close-on-exec; the caller closes it), or -1 with err (the
 * verifier's words when it refused it, or the kernel lacks cgroup BPF). */
int cvb_device_bpf_load(struct cvb_error *err);

/* Attaches the loaded program to a cgroup v2 directory (BPF_PROG_ATTACH,
 * BPF_CGROUP_DEVICE, BPF_F_ALLOW_MULTI: the host's own device programs of
 * the ancestors still run too). The attachment lasts as long as the cgroup.
 * Returns 0, or -1 with err. */
int cvb_device_bpf_attach(int cgroup_fd, int prog_fd, const char *cgroup_path,
                          struct cvb_error *err);

#endif
