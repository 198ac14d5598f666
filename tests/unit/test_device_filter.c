/* The device allowlist (backends/device_filter.c): its devices.allow lines,
 * the cgroup v2 BPF program run through a small interpreter against every
 * rule and a grid of devices (no root needed), and, as root with a cgroup2
 * mount, the same program loaded into this kernel, attached to a scratch
 * cgroup and tried by a child: allowed nodes open, mknod works, a block
 * device and /dev/kmsg's node do not open (EPERM). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cgroup_layout.h"
#include "device_filter.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- an interpreter for the instructions the program uses ---- */

/* Runs prog on ctx; fails the test on an instruction it does not know. */
static uint64_t run_prog(const struct bpf_insn *prog, size_t n,
                         const struct bpf_cgroup_dev_ctx *ctx)
{
	uint64_t r[11] = {0};
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &prog[pc];
		uint64_t src =
		    BPF_SRC(i->code) == BPF_X ? r[i->src_reg] : (uint64_t)(int64_t)i->imm;
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1); /* only the context is read */
			assert_true(i->off >= 0 && (size_t)i->off + 4 <= sizeof(*ctx));
			uint32_t v;
			memcpy(&v, (const char *)ctx + i->off, 4);
			r[i->dst_reg] = v;
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = src;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= src;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= src;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
		case BPF_JMP | BPF_JNE | BPF_X:
			if (r[i->dst_reg] != src) {
				assert_true(i->off >= 0); /* forward only, as the verifier wants */
				pc += (size_t)i->off;
				assert_true(pc < n);
			}
			break;
		case BPF_JMP | BPF_EXIT:
			return r[0];
		default:
			fail_msg("instruction %zu: unexpected opcode 0x%02x", pc, i->code);
		}
	}
	fail_msg("the program runs off its end");
	return 0;
}

static unsigned acc_of(const char *s)
{
	unsigned a = 0;
	for (; *s; s++)
		a |= *s == 'r'   ? BPF_DEVCG_ACC_READ
		     : *s == 'w' ? BPF_DEVCG_ACC_WRITE
		                 : BPF_DEVCG_ACC_MKNOD;
	return a;
}

/* What the rules say, read straight from the table. */
static bool allowed_by_table(char type, unsigned maj, unsigned min, unsigned acc)
{
	for (size_t k = 0; k < cvb_device_rule_count; k++) {
		const struct cvb_device_rule *r = &cvb_device_rules[k];
		if (r->type == type && (r->major == CVB_DEVICE_ANY || (unsigned)r->major == maj) &&
		    (r->minor == CVB_DEVICE_ANY || (unsigned)r->minor == min) &&
		    (acc & acc_of(r->access)) == acc)
			return true;
	}
	return false;
}

static bool allowed_by_prog(char type, unsigned maj, unsigned min, unsigned acc)
{
	struct bpf_insn prog[CVB_DEVICE_BPF_MAX_INSNS];
	size_t n = cvb_device_bpf_build(prog, CVB_DEVICE_BPF_MAX_INSNS);
	assert_true(n > 0);
	struct bpf_cgroup_dev_ctx ctx = {
	    .access_type = (acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
	    .major = maj,
	    .minor = min,
	};
	return run_prog(prog, n, &ctx) == 1;
}

static void test_rule_lines(void **state)
{
	(void)state;
	char line[64];
	cvb_device_rule_format(&cvb_device_rules[0], line, sizeof(line));
	assert_string_equal(line, "c *:* m");
	cvb_device_rule_format(&cvb_device_rules[1], line, sizeof(line));
	assert_string_equal(line, "b *:* m");
	cvb_device_rule_format(&cvb_device_rules[2], line, sizeof(line));
	assert_string_equal(line, "c 1:3 rwm");
	/* the nodes make_dev() binds, and nothing else readable */
	static const unsigned nodes[][2] = {{1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		assert_true(allowed_by_table('c', nodes[i][0], nodes[i][1], acc_of("rw")));
}

static void test_program_shape(void **state)
{
	(void)state;
	struct bpf_insn prog[CVB_DEVICE_BPF_MAX_INSNS];
	size_t n = cvb_device_bpf_build(prog, CVB_DEVICE_BPF_MAX_INSNS);
	assert_true(n > 8 && n <= CVB_DEVICE_BPF_MAX_INSNS);
	/* default deny: the last two are r0 = 0; exit */
	assert_int_equal(prog[n - 2].code, BPF_ALU64 | BPF_MOV | BPF_K);
	assert_int_equal(prog[n - 2].imm, 0);
	assert_int_equal(prog[n - 1].code, BPF_JMP | BPF_EXIT);
	/* too small a buffer is refused, not overrun */
	assert_int_equal(cvb_device_bpf_build(prog, n - 1), 0);
	assert_int_equal(cvb_device_bpf_build(prog, 3), 0);
}

static void test_program_cases(void **state)
{
	(void)state;
	static const struct {
		char type;
		unsigned maj, min;
		const char *acc;
		bool allow;
	} cases[] = {
	    {'c', 1, 3, "r", true},     {'c', 1, 3, "rw", true},    {'c', 1, 9, "rwm", true},
	    {'c', 5, 0, "w", true},     {'c', 1, 1, "r", false},    {'c', 1, 1, "m", true},
	    {'c', 1, 11, "r", false},   {'b', 254, 0, "r", false},  {'b', 8, 0, "rw", false},
	    {'b', 8, 0, "m", true},     {'b', 1, 3, "r", false},    {'c', 5, 1, "r", false},
	    {'c', 136, 0, "rw", false}, {'c', 10, 200, "r", false}, {'c', 1, 3, "rm", true},
	    {'b', 7, 0, "rm", false},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = allowed_by_prog(cases[i].type, cases[i].maj, cases[i].min,
		                           acc_of(cases[i].acc));
		if (got != cases[i].allow)
			fail_msg("%c %u:%u %s: program says %s", cases[i].type, cases[i].maj,
			         cases[i].min, cases[i].acc, got ? "allow" : "deny");
	}
}

/* The program agrees with the table on a grid of devices and every access. */
static void test_program_matches_table(void **state)
{
	(void)state;
	for (int t = 0; t < 2; t++)
		for (unsigned maj = 0; maj < 12; maj++)
			for (unsigned min = 0; min < 12; min++)
				for (unsigned acc = 1; acc < 8; acc++) {
					char type = t ? 'b' : 'c';
					assert_int_equal(allowed_by_prog(type, maj, min, acc),
					                 allowed_by_table(type, maj, min, acc));
				}
}

/* ---- the real kernel ---- */

/* In the child: 0 when every expectation holds, else the failing step. With
 * `filtered` false (the control run, before the program is attached) the
 * block device and /dev/kmsg's node must open. */
static int child_tries(const char *dir, bool filtered)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/null", dir);
	unlink(path);
	if (mknod(path, S_IFCHR | 0666, makedev(1, 3)) < 0)
		return 10;
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return 11;
	close(fd);
	static const struct {
		const char *name;
		mode_t type;
		unsigned maj, min;
	} denied[] = {{"loop", S_IFBLK, 7, 0}, {"kmsg", S_IFCHR, 1, 11}};
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, denied[i].name);
		unlink(path);
		if (mknod(path, denied[i].type | 0600, makedev(denied[i].maj, denied[i].min)) < 0)
			return 20 + 10 * i; /* mknod of any device is allowed */
		fd = open(path, O_RDONLY | O_NONBLOCK);
		if (fd >= 0)
			close(fd);
		if (filtered ? fd >= 0 || errno != EPERM : fd < 0)
			return 21 + 10 * i;
	}
	return 0;
}

/* Forks a child into the cgroup (its cgroup.procs) to try the nodes. */
static int child_status(const char *procs, const char *dir, bool filtered)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, "0", 1) != 1)
			_exit(1);
		close(fd);
		_exit(child_tries(dir, filtered));
	}
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_kernel_enforces(void **state)
{
	(void)state;
	struct cvb_cgroup_layout layout = {0};
	struct cvb_error err = {0};
	if (geteuid() != 0) {
		print_message("skipping: needs root\n");
		skip();
	}
	if (cvb_cgroup_layout_detect("/", &layout, &err) < 0 || !layout.v2_mount) {
		cvb_cgroup_layout_clear(&layout);
		print_message("skipping: no cgroup2 mount\n");
		skip();
	}
	int prog = cvb_device_bpf_load(&err);
	if (prog < 0)
		fail_msg("%s", err.msg);
	char cg[PATH_MAX], procs[PATH_MAX + 16], dir[] = "/var/tmp/cvb-devtest-XXXXXX";
	snprintf(cg, sizeof(cg), "%s/cvb-unittest-devices-%d", layout.v2_mount, (int)getpid());
	cvb_cgroup_layout_clear(&layout);
	assert_non_null(mkdtemp(dir));
	if (mkdir(cg, 0755) < 0)
		fail_msg("mkdir %s: %s", cg, strerror(errno));
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cg);
	/* The control: without the program these nodes open here. */
	int control = child_status(procs, dir, false);
	int cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(cgfd >= 0);
	int rc = control != 0 ? 0 : cvb_device_bpf_attach(cgfd, prog, cg, &err);
	close(cgfd);
	close(prog);
	int status = control == 0 && rc == 0 ? child_status(procs, dir, true) : -1;
	char path[PATH_MAX];
	static const char *const nodes[] = {"null", "loop", "kmsg"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, nodes[i]);
		unlink(path);
	}
	rmdir(dir);
	rmdir(cg);
	if (control != 0) {
		print_message("skipping: without the program the control child failed at step %d "
		              "(this host already denies loop0 or /dev/kmsg)\n",
		              control);
		skip();
	}
	if (rc < 0)
		fail_msg("%s", err.msg);
	if (status != 0)
		fail_msg("the child's step %d failed (10s: /dev/null node, 20s: a block device, "
		         "30s: /dev/kmsg's node; odd: open)",
		         status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule_lines),      cmocka_unit_test(test_program_shape),
	    cmocka_unit_test(test_program_cases),   cmocka_unit_test(test_program_matches_table),
	    cmocka_unit_test(test_kernel_enforces),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
