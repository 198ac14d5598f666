/* The container's device allowlist, and the cgroup v2 BPF program made from
 * it (see device_filter.h). The program is written by hand, a few
 * instructions per rule, in the manner of runc's devicefilter: no libbpf. */
#include "device_filter.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* runc's default allowlist, less what cvbench's /dev does not offer (pts,
 * ptmx, tun): mknod of anything (a node is useless without read or write),
 * and the nodes make_dev() binds from the host. */
const struct cvb_device_rule cvb_device_rules[] = {
    {'c', CVB_DEVICE_ANY, CVB_DEVICE_ANY, "m", "mknod of any character device"},
    {'b', CVB_DEVICE_ANY, CVB_DEVICE_ANY, "m", "mknod of any block device"},
    {'c', 1, 3, "rwm", "/dev/null"},
    {'c', 1, 5, "rwm", "/dev/zero"},
    {'c', 1, 7, "rwm", "/dev/full"},
    {'c', 1, 8, "rwm", "/dev/random"},
    {'c', 1, 9, "rwm", "/dev/urandom"},
    {'c', 5, 0, "rwm", "/dev/tty"},
};
const size_t cvb_device_rule_count = sizeof(cvb_device_rules) / sizeof(cvb_device_rules[0]);

void cvb_device_rule_format(const struct cvb_device_rule *r, char *buf, size_t len)
{
	char maj[16] = "*", min[16] = "*";
	if (r->major != CVB_DEVICE_ANY)
		snprintf(maj, sizeof(maj), "%d", r->major);
	if (r->minor != CVB_DEVICE_ANY)
		snprintf(min, sizeof(min), "%d", r->minor);
	snprintf(buf, len, "%c %s:%s %s", r->type, maj, min, r->access);
}

static unsigned access_bits(const char *access)
{
	unsigned bits = 0;
	for (const char *c = access; *c; c++)
		bits |= *c == 'r'   ? BPF_DEVCG_ACC_READ
		        : *c == 'w' ? BPF_DEVCG_ACC_WRITE
		        : *c == 'm' ? BPF_DEVCG_ACC_MKNOD
		                    : 0;
	return bits;
}

#define ACC_ALL (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)

static struct bpf_insn insn(int code, int dst, int src, int off, int imm)
{
	return (struct bpf_insn){.code = (__u8)code,
	                         .dst_reg = (__u8)dst,
	                         .src_reg = (__u8)src,
	                         .off = (__s16)off,
	                         .imm = imm};
}

/* Registers: r1 the context (struct bpf_cgroup_dev_ctx), then scratch;
 * r2 the device type, r3 the access asked for, r4 major, r5 minor. */
enum { R0, R1, R2, R3, R4, R5 };

#define LDX_W(dst, off) insn(BPF_LDX | BPF_MEM | BPF_W, dst, R1, off, 0)
#define ALU_K(op, dst, imm) insn(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define MOV_X(dst, src) insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define JNE_K(dst, imm, off) insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm)
#define JNE_X(dst, src, off) insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0)
#define EXIT() insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* One rule: a run of tests, each jumping past the block when it fails,
 * then "return 1". */
static size_t rule_block(const struct cvb_device_rule *r, struct bpf_insn *b)
{
	unsigned acc = access_bits(r->access);
	bool check_acc = acc != ACC_ALL;
	size_t len = 1 + (check_acc ? 3 : 0) + (r->major != CVB_DEVICE_ANY) +
	             (r->minor != CVB_DEVICE_ANY) + 2;
	size_t i = 0;
#define SKIP ((int)(len - i - 1)) /* from instruction i to the block's end */
	b[i] = JNE_K(R2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, SKIP);
	i++;
	if (check_acc) {
		/* every access asked for must be allowed: (asked & allowed) == asked */
		b[i++] = MOV_X(R1, R3);
		b[i++] = ALU_K(BPF_AND, R1, (int)acc);
		b[i] = JNE_X(R1, R3, SKIP);
		i++;
	}
	if (r->major != CVB_DEVICE_ANY) {
		b[i] = JNE_K(R4, r->major, SKIP);
		i++;
	}
	if (r->minor != CVB_DEVICE_ANY) {
		b[i] = JNE_K(R5, r->minor, SKIP);
		i++;
	}
#undef SKIP
	b[i++] = ALU_K(BPF_MOV, R0, 1);
	b[i++] = EXIT();
	return i;
}

size_t cvb_device_bpf_build(struct bpf_insn *out, size_t max)
{
	struct bpf_insn block[16];
	size_t n = 0;
	const struct bpf_insn prologue[] = {
	    LDX_W(R2, (int)offsetof(struct bpf_cgroup_dev_ctx, access_type)),
	    MOV_X(R3, R2),
	    ALU_K(BPF_AND, R2, 0xffff),
	    ALU_K(BPF_RSH, R3, 16),
	    LDX_W(R4, (int)offsetof(struct bpf_cgroup_dev_ctx, major)),
	    LDX_W(R5, (int)offsetof(struct bpf_cgroup_dev_ctx, minor)),
	};
	const struct bpf_insn deny[] = {ALU_K(BPF_MOV, R0, 0), EXIT()};
	if (max < sizeof(prologue) / sizeof(prologue[0]))
		return 0;
	memcpy(out, prologue, sizeof(prologue));
	n = sizeof(prologue) / sizeof(prologue[0]);
	for (size_t r = 0; r < cvb_device_rule_count; r++) {
		size_t len = rule_block(&cvb_device_rules[r], block);
		if (n + len > max)
			return 0;
		memcpy(out + n, block, len * sizeof(block[0]));
		n += len;
	}
	if (n + 2 > max)
		return 0;
	memcpy(out + n, deny, sizeof(deny));
	return n + 2;
}

static long bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cvb_device_bpf_load(struct cvb_error *err)
{
	struct bpf_insn prog[CVB_DEVICE_BPF_MAX_INSNS];
	size_t n = cvb_device_bpf_build(prog, CVB_DEVICE_BPF_MAX_INSNS);
	if (n == 0)
		return cvb_error_set(err, E2BIG,
		                     "the device allowlist needs more than %d BPF "
		                     "instructions",
		                     CVB_DEVICE_BPF_MAX_INSNS);
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (__u64)(uintptr_t)prog;
	attr.insn_cnt = (__u32)n;
	attr.license = (__u64)(uintptr_t) "GPL";
	int fd = (int)bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd;
	int e = errno;
	if (e == EINVAL || e == EACCES) {
		/* Once more with the verifier's log, for the message. */
		char log[1024] = "";
		attr.log_level = 1;
		attr.log_buf = (__u64)(uintptr_t)log;
		attr.log_size = sizeof(log);
		fd = (int)bpf(BPF_PROG_LOAD, &attr);
		if (fd >= 0)
			return fd;
		log[strcspn(log, "\n")] = '\0';
		if (log[0])
			return cvb_error_set(err, e,
			                     "cannot load the device allowlist's BPF program: %s "
			                     "(verifier: %s)",
			                     strerror(e), log);
	}
	return cvb_error_errno(err, e,
	                       "cannot load the device allowlist's BPF program (the kernel "
	                       "needs CONFIG_CGROUP_BPF for a cgroup v2 device allowlist)");
}

int cvb_device_bpf_attach(int cgroup_fd, int prog_fd, const char *cgroup_path,
                          struct cvb_error *err)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (__u32)cgroup_fd;
	attr.attach_bpf_fd = (__u32)prog_fd;
	attr.attach_type = BPF_CGROUP_DEVICE;
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	if (bpf(BPF_PROG_ATTACH, &attr) < 0)
		return cvb_error_errno(err, errno,
		                       "cannot attach the device allowlist's BPF program to "
		                       "cgroup %s",
		                       cgroup_path);
	return 0;
}
