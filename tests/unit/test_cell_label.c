/* Cell labels (harness/plan/cell_label.c): what a label shows (backend/workload,
 * parameters off their defaults, the config variant as far as it applies to
 * the backend, instances, scenario, placement), the block suffix that keeps
 * labels of repeated cells apart, and uniqueness within a run. Cells come
 * from cvb_run_prepare on real plans, as in a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cell_label.h"
#include "plan.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 48

struct prepared {
	char storage[MAX_ARGS][200];
	char *argv[MAX_ARGS + 1];
	int argc;
	struct cvb_plan plan;
	struct cvb_matrix matrix;
	struct cvb_run run;
	bool from_text; /* matrix owns its blocks */
};

/* Parses `run ARGS...` into one block and prepares its cells. The vm
 * backend is left out of these (its probe talks to libvirt). */
static struct prepared *prepare(const char *first, ...)
{
	struct prepared *p = calloc(1, sizeof(*p));
	struct cvb_error err = {0};
	va_list ap;

	assert_non_null(p);
	snprintf(p->storage[0], sizeof(p->storage[0]), "run");
	p->argv[0] = p->storage[0];
	p->argc = 1;
	va_start(ap, first);
	for (const char *s = first; s; s = va_arg(ap, const char *)) {
		assert_true(p->argc < MAX_ARGS);
		assert_true(strlen(s) < sizeof(p->storage[0]));
		snprintf(p->storage[p->argc], sizeof(p->storage[0]), "%s", s);
		p->argv[p->argc] = p->storage[p->argc];
		p->argc++;
	}
	va_end(ap);
	if (cvb_plan_parse(p->argc, p->argv, &p->plan, &err) != CVB_PARSE_OK)
		fail_msg("cvb_plan_parse: %s", err.msg);
	cvb_run_init(&p->run, p->argc, p->argv);
	p->matrix.blocks[0] = &p->plan;
	p->matrix.n_blocks = 1;
	if (cvb_run_prepare(&p->matrix, &p->run, &err) != 0)
		fail_msg("cvb_run_prepare: %s", err.msg);
	return p;
}

#define PREPARE(...) prepare(__VA_ARGS__, (const char *)NULL)

/* Prepares the cells of a matrix given as JSON text. */
static struct prepared *prepare_matrix(const char *text)
{
	struct prepared *p = calloc(1, sizeof(*p));
	struct cvb_error err = {0};

	assert_non_null(p);
	p->from_text = true;
	if (cvb_matrix_from_text("m.json", text, 0, NULL, &p->matrix, &err) != 0)
		fail_msg("cvb_matrix_from_text: %s", err.msg);
	snprintf(p->storage[0], sizeof(p->storage[0]), "run");
	p->argv[0] = p->storage[0];
	p->argc = 1;
	cvb_run_init(&p->run, p->argc, p->argv);
	if (cvb_run_prepare(&p->matrix, &p->run, &err) != 0)
		fail_msg("cvb_run_prepare: %s", err.msg);
	return p;
}

static void release(struct prepared *p)
{
	cvb_run_free(&p->run);
	if (p->from_text)
		cvb_matrix_free(&p->matrix);
	free(p);
}

/* The labels, in cell order, must be exactly these. */
static void assert_labels(const struct prepared *p, size_t n, ...)
{
	va_list ap;

	if (p->run.n_cells != n)
		fail_msg("%zu cells, expected %zu (first label \"%s\")", p->run.n_cells, n,
		         p->run.n_cells ? p->run.cells[0].label : "");
	va_start(ap, n);
	for (size_t k = 0; k < n; k++) {
		const char *want = va_arg(ap, const char *);
		if (strcmp(p->run.cells[k].label, want) != 0) {
			va_end(ap);
			fail_msg("cell %zu: label \"%s\", expected \"%s\"", k,
			         p->run.cells[k].label, want);
		}
	}
	va_end(ap);
}

static void assert_unique_labels(const struct prepared *p)
{
	for (size_t k = 0; k < p->run.n_cells; k++)
		for (size_t j = k + 1; j < p->run.n_cells; j++)
			if (strcmp(p->run.cells[k].label, p->run.cells[j].label) == 0)
				fail_msg("cells %zu and %zu share the label \"%s\"", k, j,
				         p->run.cells[k].label);
}

/* Hardening applies to containers only: native shows none of it. */
static void test_harden_only_for_container(void **state)
{
	(void)state;
	struct prepared *p = PREPARE("--backend", "native,container", "--workload", "syscall",
	                             "--harden", "caps,seccomp");
	assert_labels(p, 2, "native/syscall", "container/syscall harden=caps,seccomp");
	assert_unique_labels(p);
	release(p);

	p = PREPARE("--backend", "container", "--harden", "all");
	assert_labels(p, 1, "container/ready harden=caps,nnp,seccomp");
	release(p);

	/* The profile is part of the cell's identity when it is not the default. */
	p = PREPARE("--backend", "container", "--harden", "caps,nnp,seccomp=denylist");
	assert_labels(p, 1, "container/ready harden=caps,nnp,seccomp=denylist");
	release(p);
	p = PREPARE("--backend", "container", "--harden", "seccomp=default");
	assert_labels(p, 1, "container/ready harden=seccomp");
	release(p);
}

/* Parameters off their defaults appear, in descriptor order; a parameter
 * set to its default value does not. */
static void test_params(void **state)
{
	(void)state;
	struct prepared *p =
	    PREPARE("--backend", "native,container", "--workload", "syscall", "--harden",
	            "caps,seccomp", "--param", "repeats=9", "--param", "target_ms=50");
	assert_labels(p, 2, "native/syscall target_ms=50 repeats=9",
	              "container/syscall target_ms=50 repeats=9 harden=caps,seccomp");
	release(p);

	p = PREPARE("--workload", "syscall", "--param", "target_ms=20", "--param", "repeats=3");
	assert_labels(p, 1, "native/syscall repeats=3");
	release(p);

	/* Per workload: a parameter only the second workload has. */
	p = PREPARE("--workload", "ready,syscall,cpu-victim", "--param", "units=10");
	assert_labels(p, 3, "native/ready", "native/syscall", "native/cpu-victim units=10");
	assert_unique_labels(p);
	release(p);
}

/* Container limits and namespaces in the variant; none of it on native. */
static void test_container_variant(void **state)
{
	(void)state;
	struct prepared *p =
	    PREPARE("--backend", "native,container", "--ns", "pid,mnt", "--cpu-quota", "20",
	            "--memory-max", "64M", "--rootfs-rw", "--pids-max", "100");
	assert_labels(p, 2, "native/ready",
	              "container/ready ns=pid,mnt rootfs-rw cpu-quota=20% memory-max=64M "
	              "pids-max=100");
	release(p);

	p = PREPARE("--backend", "container", "--ns", "none", "--cpu-weight", "50", "--cpuset-cpus",
	            "0", "--io-weight", "10");
	assert_labels(p, 1, "container/ready ns=none cpu-weight=50 cpuset-cpus=0 io-weight=10");
	release(p);

	/* The default namespaces, named explicitly, are no variant. */
	p = PREPARE("--backend", "container", "--ns", "pid,mnt,net,uts,ipc,cgroup,user");
	assert_labels(p, 1, "container/ready");
	release(p);
}

/* cvb_config_variant on its own, including the VM backend and options of
 * other backends. */
static void test_config_variant(void **state)
{
	static char a0[] = "run", a1[] = "--vcpus", a2[] = "2", a3[] = "--ksm", a4[] = "on",
	            a5[] = "--harden", a6[] = "caps", a7[] = "--pin", a8[] = "auto",
	            a9[] = "--backend", a10[] = "vm";
	char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, NULL};
	struct cvb_plan plan;
	struct cvb_error err = {0};
	char buf[256];
	const struct cvb_backend *vm = cvb_backend_find("vm");
	const struct cvb_backend *native = cvb_backend_find("native");
	const struct cvb_backend *container = cvb_backend_find("container");

	(void)state;
	assert_non_null(vm);
	assert_int_equal(cvb_plan_parse(11, argv, &plan, &err), CVB_PARSE_OK);
	cvb_config_variant(vm, &plan, buf, sizeof(buf));
	if (vm->caps & CVB_CAP_PIN)
		assert_string_equal(buf, "vcpus=2 ksm=on pin=auto");
	else
		assert_string_equal(buf, "vcpus=2 ksm=on");
	cvb_config_variant(native, &plan, buf, sizeof(buf));
	assert_string_equal(buf, "pin=auto");
	cvb_config_variant(container, &plan, buf, sizeof(buf));
	assert_string_equal(buf, "harden=caps pin=auto");

	/* Defaults everywhere: nothing. */
	char *argv2[] = {a0, NULL};
	assert_int_equal(cvb_plan_parse(1, argv2, &plan, &err), CVB_PARSE_OK);
	for (size_t i = 0; cvb_backends[i]; i++) {
		cvb_config_variant(cvb_backends[i], &plan, buf, sizeof(buf));
		if (buf[0])
			fail_msg("backend %s: variant \"%s\" for the defaults",
			         cvb_backends[i]->name, buf);
	}

	/* A small buffer is cut, never overrun. */
	char small[8];
	memset(small, 'x', sizeof(small));
	assert_int_equal(cvb_plan_parse(11, argv, &plan, &err), CVB_PARSE_OK);
	cvb_config_variant(container, &plan, small, sizeof(small));
	assert_true(memchr(small, '\0', sizeof(small)) != NULL);
}

/* The launcher and the pinning show up on native. */
static void test_native_variant(void **state)
{
	(void)state;
	struct prepared *p = PREPARE("--launcher", "unshare --pid --fork {agent}");
	assert_labels(p, 1, "native/ready launcher=unshare");
	release(p);
	p = PREPARE("--pin", "0");
	assert_labels(p, 1, "native/ready pin=0");
	release(p);
}

static void test_instances(void **state)
{
	(void)state;
	struct prepared *p = PREPARE("--workload", "idle", "--instances", "1,4");
	assert_labels(p, 2, "native/idle instances=1", "native/idle instances=4");
	assert_unique_labels(p);
	release(p);
}

/* Scenario and placement ('none', the default, is not shown). */
static void test_scenario_and_placement(void **state)
{
	(void)state;
	struct prepared *p =
	    PREPARE("--workload", "cpu-victim", "--scenario", "alone", "--scenario",
	            "cpu-hog:cpu-quota=20", "--placement", "none,same-pu");
	assert_labels(p, 4, "native/cpu-victim scenario=alone",
	              "native/cpu-victim scenario=alone placement=same-pu",
	              "native/cpu-victim scenario=cpu-hog:cpu-quota=20",
	              "native/cpu-victim scenario=cpu-hog:cpu-quota=20 placement=same-pu");
	assert_unique_labels(p);
	release(p);

	p = PREPARE("--backend", "native,container", "--workload", "cpu-victim", "--scenario",
	            "cpu-hog");
	assert_labels(p, 2, "native/cpu-victim scenario=cpu-hog",
	              "container/cpu-victim scenario=cpu-hog");
	release(p);
}

/* The same cells in two blocks: each gets its block's name; a cell only one
 * block has keeps its plain label. Labels are the same on every run. */
static void test_identical_cells_in_two_blocks(void **state)
{
	static const char text[] =
	    "{\"cvbench_matrix\": 1, \"blocks\": ["
	    "{\"name\": \"a\", \"workload\": \"syscall\", \"reps\": 3},"
	    "{\"name\": \"b\", \"workload\": \"syscall\", \"param\": {\"target_ms\": 20}},"
	    "{\"name\": \"c\", \"workload\": \"ready\"}]}";

	(void)state;
	struct prepared *p = prepare_matrix(text);
	assert_labels(p, 3, "native/syscall [a]", "native/syscall [b]", "native/ready");
	assert_unique_labels(p);
	struct prepared *q = prepare_matrix(text);
	for (size_t k = 0; k < p->run.n_cells; k++)
		assert_string_equal(p->run.cells[k].label, q->run.cells[k].label);
	release(q);
	release(p);

	/* Unnamed blocks: named by position. */
	p = prepare_matrix(
	    "{\"cvbench_matrix\": 1, \"blocks\": [{\"backend\": \"native,container\"},"
	    "{\"backend\": \"container\"}]}");
	assert_labels(p, 3, "native/ready", "container/ready [block 0]",
	              "container/ready [block 1]");
	assert_unique_labels(p);
	release(p);

	/* Different cells in two blocks need no suffix. */
	p = prepare_matrix("{\"cvbench_matrix\": 1, \"blocks\": ["
	                   "{\"name\": \"x\", \"backend\": \"container\"},"
	                   "{\"name\": \"y\", \"backend\": \"container\", \"harden\": \"nnp\"}]}");
	assert_labels(p, 2, "container/ready", "container/ready harden=nnp");
	release(p);
}

/* Two blocks may not share a name: names are what tells identical cells of
 * two blocks apart in their labels. */
static void test_blocks_with_the_same_name(void **state)
{
	(void)state;
	struct cvb_matrix m = {0};
	struct cvb_error err = {0};
	assert_int_equal(cvb_matrix_from_text("m.json",
	                                      "{\"cvbench_matrix\": 1, \"blocks\": ["
	                                      "{\"name\": \"same\", \"workload\": \"syscall\"},"
	                                      "{\"name\": \"same\", \"workload\": \"syscall\"}]}",
	                                      0, NULL, &m, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "blocks[1] 'same'"));
	assert_non_null(strstr(err.msg, "unique"));
	cvb_matrix_free(&m);
}

/* Labels stay unique even when a long configuration fills the label's
 * buffer: two scenarios whose names differ only near their end. */
static void test_long_labels_stay_unique(void **state)
{
	char s1[128], s2[128];

	(void)state;
	/* Valid scenarios of 107 characters, differing in the last digit. */
	static const char base[] =
	    "cpu-hog:cpu-weight=10:pids-max=100:io-weight=100:memory-max=64M:"
	    "cpuset-cpus=0:cpu-quota=20:duration_ms=1001";
	assert_true(strlen(base) < sizeof(s1));
	snprintf(s1, sizeof(s1), "%s", base);
	snprintf(s2, sizeof(s2), "%s", base);
	s2[strlen(s2) - 1] = '2';
	struct prepared *p = PREPARE(
	    "--backend", "container", "--workload", "cpu-victim", "--param", "units=1000",
	    "--param", "unit_iters=1000", "--ns", "pid,mnt,net,uts,ipc,cgroup,time", "--harden",
	    "all", "--rootfs-rw", "--cpu-quota", "20", "--cpu-weight", "50", "--cpuset-cpus", "0",
	    "--cpuset-mems", "0", "--memory-max", "64M", "--swap-max", "64M", "--pids-max", "100",
	    "--io-weight", "100", "--pin", "0", "--scenario", s1, "--scenario", s2);
	assert_int_equal(p->run.n_cells, 2);
	char l0[sizeof(p->run.cells[0].label)], l1[sizeof(l0)];
	snprintf(l0, sizeof(l0), "%s", p->run.cells[0].label);
	snprintf(l1, sizeof(l1), "%s", p->run.cells[1].label);
	release(p);
	if (strcmp(l0, l1) == 0)
		fail_msg("scenarios '...%s' and '...%s' (%zu chars) share the cut label (%zu "
		         "chars) \"%s\"",
		         s1 + strlen(s1) - 16, s2 + strlen(s2) - 16, strlen(s1), strlen(l0), l0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_harden_only_for_container),
	    cmocka_unit_test(test_params),
	    cmocka_unit_test(test_container_variant),
	    cmocka_unit_test(test_config_variant),
	    cmocka_unit_test(test_native_variant),
	    cmocka_unit_test(test_instances),
	    cmocka_unit_test(test_scenario_and_placement),
	    cmocka_unit_test(test_identical_cells_in_two_blocks),
	    cmocka_unit_test(test_blocks_with_the_same_name),
	    cmocka_unit_test(test_long_labels_stay_unique),
	};

	return cmocka_run_group_tests_name("cell_label", tests, NULL, NULL);
}
