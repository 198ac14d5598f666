/* Matrix files (harness/plan/matrix.c): blocks parsed as `cvbench run <defaults>
 * <block> <overrides>`, the JSON-to-option mapping (objects, lists,
 * booleans), the error messages (file, line, block, field), the command-line
 * entry (cvb_matrix_parse_args), and a seeded fuzz of the text parser that
 * must never crash, leak or return a multi-line message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "args_fixture.h"
#include "plan.h"
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Two blocks over shared defaults: plain syscall cells with parameters as
 * an object, and noisy-neighbour cells with lists for a non-repeatable
 * option (backend) and a repeatable one (scenario). */
static const char valid_matrix[] =
    "{\n"
    "  \"cvbench_matrix\": 1,\n"
    "  \"name\": \"unit\",\n"
    "  \"description\": \"two blocks for the unit tests\",\n"
    "  \"defaults\": {\"reps\": 5, \"warmup\": 1, \"quiet\": true, \"gap-ms\": 0},\n"
    "  \"blocks\": [\n"
    "    {\"name\": \"syscalls\", \"comment\": \"ignored\", \"backend\": \"native\",\n"
    "     \"workload\": \"syscall\", \"reps\": 7,\n"
    "     \"param\": {\"target_ms\": 10, \"repeats\": 3}},\n"
    "    {\"name\": \"noisy\", \"backend\": [\"native\", \"container\"],\n"
    "     \"workload\": \"cpu-victim\", \"scenario\": [\"alone\", \"cpu-hog:cpu-quota=20\"],\n"
    "     \"placement\": \"same-pu,other-core\", \"cpu-weight\": 50}\n"
    "  ]\n"
    "}\n";

static int from_text(const char *text, int n_ov, char **ov, struct cvb_matrix *m,
                     struct cvb_error *err)
{
	memset(m, 0, sizeof(*m));
	memset(err, 0, sizeof(*err));
	return cvb_matrix_from_text("t.json", text, n_ov, ov, m, err);
}

/* Parses and expects success; the matrix is the caller's to free. */
static void from_text_ok(const char *text, int n_ov, char **ov, struct cvb_matrix *m)
{
	struct cvb_error err;
	if (from_text(text, n_ov, ov, m, &err) != 0)
		fail_msg("cvb_matrix_from_text failed: %s", err.msg);
	assert_string_equal(err.msg, "");
}

/* Parses and expects failure with a one-line message; frees the matrix. */
static void from_text_err(const char *text, int n_ov, char **ov, struct cvb_error *err)
{
	struct cvb_matrix m;
	assert_int_equal(from_text(text, n_ov, ov, &m, err), -1);
	assert_true(err->msg[0] != '\0');
	if (strchr(err->msg, '\n'))
		fail_msg("message has a newline: \"%s\"", err->msg);
	cvb_matrix_free(&m);
}

/* A matrix of one block whose body is `block` (JSON object members). */
static void one_block(char *buf, size_t len, const char *block)
{
	snprintf(buf, len, "{\"cvbench_matrix\": 1, \"blocks\": [{%s}]}", block);
}

/* Run-wide options (out, seed, quiet, ...) belong in "defaults". */
static void with_defaults(char *buf, size_t len, const char *defaults, const char *block)
{
	snprintf(buf, len, "{\"cvbench_matrix\": 1, \"defaults\": {%s}, \"blocks\": [{%s}]}",
	         defaults, block);
}

/* ---- valid matrices ------------------------------------------------------- */

static void test_two_blocks(void **state)
{
	struct cvb_matrix m;

	(void)state;
	from_text_ok(valid_matrix, 0, NULL, &m);
	assert_int_equal(m.n_blocks, 2);
	assert_string_equal(m.name, "unit");

	const struct cvb_plan *a = m.blocks[0];
	assert_string_equal(a->name, "syscalls");
	assert_int_equal(a->n_backends, 1);
	assert_ptr_equal(a->backends[0], cvb_backend_find("native"));
	assert_int_equal(a->n_workloads, 1);
	assert_ptr_equal(a->workloads[0], cvb_workload_find("syscall"));
	assert_int_equal(a->reps, 7); /* the block beats the defaults */
	assert_int_equal(a->warmup, 1);
	assert_int_equal(a->gap_ms, 0);
	assert_true(a->quiet);
	assert_int_equal(a->params[0][param_idx("syscall", "target_ms")], 10);
	assert_int_equal(a->params[0][param_idx("syscall", "repeats")], 3);
	assert_int_equal(a->n_scenarios, 0);
	assert_int_equal(a->n_instances, 0);
	assert_int_equal(a->n_placements, 0);
	assert_int_equal(a->config.limits.cpu_weight, -1);

	const struct cvb_plan *b = m.blocks[1];
	assert_string_equal(b->name, "noisy");
	assert_int_equal(b->n_backends, 2);
	assert_string_equal(b->backends[0]->name, "native");
	assert_string_equal(b->backends[1]->name, "container");
	assert_int_equal(b->n_workloads, 1);
	assert_string_equal(b->workloads[0]->name, "cpu-victim");
	assert_int_equal(b->params[0][param_idx("cpu-victim", "units")], 400); /* default */
	assert_int_equal(b->reps, 5); /* from the defaults */
	assert_int_equal(b->warmup, 1);
	assert_true(b->quiet);
	assert_int_equal(b->config.limits.cpu_weight, 50);
	assert_int_equal(b->n_scenarios, 2);
	assert_string_equal(b->scenarios[0].name, "alone");
	assert_null(b->scenarios[0].aggressor);
	assert_string_equal(b->scenarios[1].name, "cpu-hog:cpu-quota=20");
	assert_ptr_equal(b->scenarios[1].aggressor, cvb_workload_find("cpu-hog"));
	assert_int_equal(b->scenarios[1].limits.cpu_quota_us, 20000);
	assert_int_equal(b->n_placements, 2);
	assert_int_equal(b->placements[0].kind, CVB_PLACE_SAME_PU);
	assert_int_equal(b->placements[1].kind, CVB_PLACE_OTHER_CORE);
	assert_int_equal(b->n_instances, 0);

	cvb_matrix_free(&m);
	assert_int_equal(m.n_blocks, 0);
	assert_null(m.strings);
}

/* Options given after the blocks win over blocks and defaults alike. */
static void test_overrides_win(void **state)
{
	struct cvb_matrix m;
	char o1[] = "--reps=2", o2[] = "--warmup", o3[] = "0", o4[] = "--seed=9";
	char *ov[] = {o1, o2, o3, o4};

	(void)state;
	from_text_ok(valid_matrix, 4, ov, &m);
	assert_int_equal(m.n_blocks, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(m.blocks[i]->reps, 2);
		assert_int_equal(m.blocks[i]->warmup, 0);
		assert_true(m.blocks[i]->seed == 9);
	}
	/* Untouched by the overrides. */
	assert_int_equal(m.blocks[0]->params[0][param_idx("syscall", "target_ms")], 10);
	assert_int_equal(m.blocks[1]->n_backends, 2);
	cvb_matrix_free(&m);

	/* The overrides are copied: the caller's strings may go away. */
	char o5[] = "--reps=3";
	char *ov2[] = {o5};
	from_text_ok(valid_matrix, 1, ov2, &m);
	memset(o5, 'x', sizeof(o5) - 1);
	assert_int_equal(m.blocks[1]->reps, 3);
	cvb_matrix_free(&m);
}

/* Blocks without a name are named by their position. */
static void test_block_default_names(void **state)
{
	struct cvb_matrix m;

	(void)state;
	from_text_ok("{\"cvbench_matrix\": 1, \"blocks\": [{}, {\"workload\": \"idle\"}, "
	             "{\"name\": \"third\"}]}",
	             0, NULL, &m);
	assert_int_equal(m.n_blocks, 3);
	assert_string_equal(m.name, "");
	assert_string_equal(m.blocks[0]->name, "block 0");
	assert_string_equal(m.blocks[1]->name, "block 1");
	assert_string_equal(m.blocks[2]->name, "third");
	/* An empty block is `cvbench run` with no options. */
	assert_int_equal(m.blocks[0]->n_backends, 1);
	assert_string_equal(m.blocks[0]->workloads[0]->name, "ready");
	assert_int_equal(m.blocks[0]->reps, CVB_DEFAULT_REPS);
	assert_string_equal(m.blocks[1]->workloads[0]->name, "idle");
	cvb_matrix_free(&m);
}

/* "param" as an object or as a list of NAME=VALUE. */
static void test_param_object_and_list(void **state)
{
	struct cvb_matrix m;
	char text[512];
	int tm = param_idx("syscall", "target_ms"), rp = param_idx("syscall", "repeats");

	(void)state;
	one_block(text, sizeof(text),
	          "\"workload\": \"syscall\", \"param\": {\"target_ms\": 15, \"repeats\": 2}");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->params[0][tm], 15);
	assert_int_equal(m.blocks[0]->params[0][rp], 2);
	cvb_matrix_free(&m);

	one_block(text, sizeof(text),
	          "\"workload\": \"syscall\", \"param\": [\"target_ms=16\", \"repeats=4\"]");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->params[0][tm], 16);
	assert_int_equal(m.blocks[0]->params[0][rp], 4);
	cvb_matrix_free(&m);

	/* A single string works too. */
	one_block(text, sizeof(text), "\"workload\": \"syscall\", \"param\": \"repeats=6\"");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->params[0][tm], 20);
	assert_int_equal(m.blocks[0]->params[0][rp], 6);
	cvb_matrix_free(&m);

	/* Defaults and block both give params: both apply, the block last. */
	snprintf(text, sizeof(text),
	         "{\"cvbench_matrix\": 1, \"defaults\": {\"workload\": \"syscall\", "
	         "\"param\": {\"target_ms\": 30, \"repeats\": 7}}, "
	         "\"blocks\": [{\"param\": {\"repeats\": 9}}]}");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->params[0][tm], 30);
	assert_int_equal(m.blocks[0]->params[0][rp], 9);
	cvb_matrix_free(&m);
}

/* true adds the bare flag, false leaves it out. */
static void test_booleans(void **state)
{
	struct cvb_matrix m;
	char text[512];

	(void)state;
	with_defaults(text, sizeof(text), "\"dry-run\": true, \"quiet\": false",
	              "\"backend\": \"container\", \"rootfs-rw\": true, \"no-cgroup\": false");
	from_text_ok(text, 0, NULL, &m);
	assert_true(m.blocks[0]->dry_run);
	assert_false(m.blocks[0]->quiet);
	assert_true(m.blocks[0]->config.rootfs_writable);
	assert_false(m.blocks[0]->config.no_cgroup);
	cvb_matrix_free(&m);

	with_defaults(text, sizeof(text), "\"dry-run\": false, \"quiet\": true", "");
	from_text_ok(text, 0, NULL, &m);
	assert_false(m.blocks[0]->dry_run);
	assert_true(m.blocks[0]->quiet);
	cvb_matrix_free(&m);
}

/* A later source replaces a list whole: the block over the defaults, the
 * command line over both; parameters still apply one by one. */
static void test_later_lists_replace(void **state)
{
	struct cvb_matrix m;
	char text[512];
	char o1[] = "--instances=8", o2[] = "--scenario=alone";
	char *ov[] = {o1};

	(void)state;
	with_defaults(text, sizeof(text), "\"workload\": \"idle\", \"instances\": [1, 2]",
	              "\"instances\": [4]");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->n_instances, 1);
	assert_int_equal(m.blocks[0]->instances[0], 4);
	cvb_matrix_free(&m);
	from_text_ok(text, 1, ov, &m);
	assert_int_equal(m.blocks[0]->n_instances, 1);
	assert_int_equal(m.blocks[0]->instances[0], 8);
	cvb_matrix_free(&m);
	ov[0] = o2;
	with_defaults(text, sizeof(text), "\"workload\": \"cpu-victim\"",
	              "\"scenario\": [\"alone\", \"cpu-hog\"]");
	from_text_ok(text, 1, ov, &m);
	assert_int_equal(m.blocks[0]->n_scenarios, 1);
	cvb_matrix_free(&m);
}

/* A list for a non-repeatable option is comma-joined, numbers included. */
static void test_lists(void **state)
{
	struct cvb_matrix m;
	char text[512];

	(void)state;
	one_block(text, sizeof(text),
	          "\"backend\": [\"native\", \"container\"], \"workload\": [\"ready\", \"idle\"], "
	          "\"instances\": [1, 2, 4], \"harden\": [\"caps\", \"seccomp\"]");
	from_text_ok(text, 0, NULL, &m);
	const struct cvb_plan *p = m.blocks[0];
	assert_int_equal(p->n_backends, 2);
	assert_string_equal(p->backends[0]->name, "native");
	assert_string_equal(p->backends[1]->name, "container");
	assert_int_equal(p->n_workloads, 2);
	assert_string_equal(p->workloads[1]->name, "idle");
	assert_int_equal(p->n_instances, 3);
	assert_int_equal(p->instances[0], 1);
	assert_int_equal(p->instances[1], 2);
	assert_int_equal(p->instances[2], 4);
	assert_int_equal(p->config.harden, CVB_HARDEN_CAPS | CVB_HARDEN_SECCOMP);
	cvb_matrix_free(&m);

	/* Numbers: whole numbers without ".0", fractions as written. */
	with_defaults(text, sizeof(text), "\"seed\": 77", "\"timeout\": 0.5, \"reps\": 12.0");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->timeout_ms, 500);
	assert_int_equal(m.blocks[0]->reps, 12);
	assert_true(m.blocks[0]->seed == 77);
	cvb_matrix_free(&m);

	/* A list with one scenario element is still repeated, not joined. */
	one_block(text, sizeof(text),
	          "\"workload\": \"cpu-victim\", "
	          "\"scenario\": [\"cpu-hog:cpu-quota=20:cpu-weight=10\"]");
	from_text_ok(text, 0, NULL, &m);
	assert_int_equal(m.blocks[0]->n_scenarios, 1);
	assert_int_equal(m.blocks[0]->scenarios[0].limits.cpu_weight, 10);
	cvb_matrix_free(&m);
}

/* ---- errors ------------------------------------------------------------------- */

/* A syntax error names the file and the line it is on. */
static void test_syntax_error_line(void **state)
{
	struct cvb_error err;

	(void)state;
	from_text_err("{\n"
	              "  \"cvbench_matrix\": 1,\n"
	              "  \"blocks\": [ {\"backend\": \"native\",, } ]\n"
	              "}\n",
	              0, NULL, &err);
	assert_msg_has(err, "t.json");
	assert_msg_has(err, "line 3,");
	assert_msg_has(err, "not valid JSON");

	/* Trailing garbage after the document, on line 5. */
	from_text_err("{\"cvbench_matrix\": 1,\n"
	              " \"blocks\": [{}]\n"
	              "}\n"
	              "\n"
	              "  x\n",
	              0, NULL, &err);
	assert_msg_has(err, "line 5,");

	from_text_err("", 0, NULL, &err);
	assert_msg_has(err, "line 1,");
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [{}]", 0, NULL, &err);
	assert_msg_has(err, "line 1,");
}

static void test_not_a_matrix(void **state)
{
	struct cvb_error err;

	(void)state;
	from_text_err("{\"blocks\": [{}]}", 0, NULL, &err);
	assert_msg_has(err, "t.json");
	assert_msg_has(err, "\"cvbench_matrix\": 1");
	from_text_err("{\"cvbench_matrix\": 2, \"blocks\": [{}]}", 0, NULL, &err);
	assert_msg_has(err, "\"cvbench_matrix\": 1");
	from_text_err("{\"cvbench_matrix\": \"1\", \"blocks\": [{}]}", 0, NULL, &err);
	assert_msg_has(err, "\"cvbench_matrix\": 1");
	from_text_err("[{\"cvbench_matrix\": 1}]", 0, NULL, &err);
	assert_msg_has(err, "not a cvbench matrix");
	from_text_err("42", 0, NULL, &err);
	assert_msg_has(err, "not a cvbench matrix");
}

static void test_unknown_top_level_field(void **state)
{
	struct cvb_error err;

	(void)state;
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [{}], \"blokcs\": []}", 0, NULL, &err);
	assert_msg_has(err, "t.json");
	assert_msg_has(err, "'blokcs'");
}

static void test_bad_blocks(void **state)
{
	struct cvb_error err;

	(void)state;
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": []}", 0, NULL, &err);
	assert_msg_has(err, "'blocks' must be a non-empty list");
	from_text_err("{\"cvbench_matrix\": 1}", 0, NULL, &err);
	assert_msg_has(err, "'blocks'");
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": {\"name\": \"x\"}}", 0, NULL, &err);
	assert_msg_has(err, "'blocks'");

	/* The second block is a number. */
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [{\"name\": \"a\"}, 5]}", 0, NULL, &err);
	assert_msg_has(err, "t.json");
	assert_msg_has(err, "blocks[1]");
	assert_msg_has(err, "must be an object");
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [[\"--reps=1\"]]}", 0, NULL, &err);
	assert_msg_has(err, "blocks[0]");

	from_text_err("{\"cvbench_matrix\": 1, \"defaults\": [], \"blocks\": [{}]}", 0, NULL, &err);
	assert_msg_has(err, "'defaults' must be an object");

	/* More blocks than the limit. */
	char text[4096];
	size_t off = (size_t)snprintf(text, sizeof(text), "{\"cvbench_matrix\": 1, \"blocks\": [");
	for (int i = 0; i <= CVB_MATRIX_MAX_BLOCKS; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off, "%s{}", i ? "," : "");
	snprintf(text + off, sizeof(text) - off, "]}");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "at most 32 blocks");
}

/* An unknown option in a block: the file, the block's index and name, and
 * the option. */
static void test_unknown_option_in_block(void **state)
{
	struct cvb_error err;

	(void)state;
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [\n"
	              "  {\"name\": \"first\"},\n"
	              "  {\"name\": \"second\", \"workload\": \"idle\", \"bogus\": 1}\n"
	              "]}",
	              0, NULL, &err);
	assert_msg_has(err, "t.json");
	assert_msg_has(err, "blocks[1]");
	assert_msg_has(err, "second");
	assert_msg_has(err, "bogus");

	/* A bad value is reported the same way, with run's own message. */
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [{\"name\": \"r\", \"reps\": 0}]}", 0,
	              NULL, &err);
	assert_msg_has(err, "blocks[0] 'r'");
	assert_msg_has(err, "--reps");
	from_text_err("{\"cvbench_matrix\": 1, \"blocks\": [{\"backend\": \"kubernetes\"}]}", 0,
	              NULL, &err);
	assert_msg_has(err, "blocks[0]");
	assert_msg_has(err, "kubernetes");

	/* A bad override is blamed on the first block it breaks. */
	char o1[] = "--reps=0";
	char *ov[] = {o1};
	from_text_err(valid_matrix, 1, ov, &err);
	assert_msg_has(err, "blocks[0] 'syscalls'");
	assert_msg_has(err, "--reps");
}

/* Fields that are not run options or do not map to one. */
static void test_bad_fields(void **state)
{
	struct cvb_error err;
	char text[512];

	(void)state;
	one_block(text, sizeof(text), "\"matrix\": \"other.json\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'matrix' is not allowed");
	one_block(text, sizeof(text), "\"resume\": \"x.json\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'resume' is not allowed");
	one_block(text, sizeof(text), "\"help\": true");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'help'");
	one_block(text, sizeof(text), "\"backend\": []");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'backend' is an empty list");
	one_block(text, sizeof(text), "\"backend\": [\"native\", {\"x\": 1}]");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'backend' must list strings or numbers");
	one_block(text, sizeof(text), "\"reps\": {\"n\": 3}");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'reps' must be a string, number, boolean or list");
	one_block(text, sizeof(text), "\"reps\": null");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'reps'");
	one_block(text, sizeof(text), "\"workload\": \"syscall\", \"param\": {\"repeats\": [1]}");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'param.repeats' must be a number");
	one_block(text, sizeof(text), "\"workload\": \"syscall\", \"param\": {\"nope\": 1}");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "'nope'");
	one_block(text, sizeof(text), "\"reps\": 2.5");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "2.5");
	/* Numbers beyond a long long (JSON allows them). */
	one_block(text, sizeof(text), "\"reps\": 1e300");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "--reps");
	with_defaults(text, sizeof(text), "\"seed\": -1e19", "");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "--seed");
	/* Run-wide options in a block: they would apply to the whole run. */
	one_block(text, sizeof(text), "\"out\": \"x.json\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "field 'out' is for the whole run");
	/* A value for a flag. */
	one_block(text, sizeof(text), "\"dry-run\": \"yes\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "dry-run");
}

/* `true` for an option that takes a value must not become a bare "--out",
 * which would take the NEXT option ("--dry-run") as its value: a matrix is
 * validated, never silently misread. */
static void test_true_for_valued_option(void **state)
{
	struct cvb_matrix m;
	struct cvb_error err;
	char text[512];

	(void)state;
	one_block(text, sizeof(text), "\"out\": true, \"dry-run\": true");
	int rc = from_text(text, 0, NULL, &m, &err);
	if (rc == 0) {
		char got[160];
		snprintf(got, sizeof(got), "out_path=\"%s\" dry_run=%d",
		         m.blocks[0]->out_path ? m.blocks[0]->out_path : "(null)",
		         (int)m.blocks[0]->dry_run);
		cvb_matrix_free(&m);
		fail_msg("{\"out\": true, \"dry-run\": true} was accepted as %s; expected an "
		         "error naming 'out'",
		         got);
	}
	assert_int_equal(rc, -1);
	assert_msg_has(err, "out");
	cvb_matrix_free(&m);
}

/* Text the user wrote (keys, block names, values) may hold a newline, from a
 * "\n" escape or a raw newline inside a string (which cJSON accepts although
 * JSON forbids it); the messages quoting it stay one line. Every case is
 * tried and all offenders are listed. */
static void test_messages_one_line_with_newline_in_input(void **state)
{
	static const char *const cases[] = {
	    "{\"cvbench_matrix\": 1, \"blocks\": [{\"bo\\ngus\": 1}]}",
	    "{\"cvbench_matrix\": 1, \"blocks\": [{\"name\": \"two\\nlines\", \"reps\": 0}]}",
	    "{\"cvbench_matrix\": 1, \"blocks\": [{}], \"x\\ny\": 1}",
	    "{\"cvbench_matrix\": 1, \"blocks\": [{\"backend\": \"a\\nb\"}]}",
	    /* a raw newline inside a string */
	    "{\"cvbench_matrix\": 1, \"blocks\": [{\"workload\": \"sysc\nall\"}]}",
	};
	char report[4096];
	size_t off = 0;
	unsigned bad = 0;

	(void)state;
	report[0] = '\0';
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct cvb_matrix m;
		struct cvb_error err;
		int rc = from_text(cases[i], 0, NULL, &m, &err);
		cvb_matrix_free(&m);
		assert_int_equal(rc, -1);
		assert_true(err.msg[0] != '\0');
		char *nl = strchr(err.msg, '\n');
		if (nl) {
			*nl = '|'; /* shown on one line */
			bad++;
			if (off < sizeof(report))
				off += (size_t)snprintf(report + off, sizeof(report) - off,
				                        "\n  case %zu: \"%s\" (newline shown as |)",
				                        i, err.msg);
		}
	}
	if (bad)
		fail_msg("%u of %zu messages have a newline:%s", bad, ARRAY_LEN(cases), report);
}

/* ---- files and the command line -------------------------------------------- */

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/cvb-test-matrix-XXXXXX", path[128];
	struct cvb_matrix m;
	struct cvb_error err = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.json", dir);
	write_file(path, valid_matrix, strlen(valid_matrix));
	memset(&m, 0, sizeof(m));
	if (cvb_matrix_load(path, 0, NULL, &m, &err) != 0)
		fail_msg("cvb_matrix_load: %s", err.msg);
	assert_int_equal(m.n_blocks, 2);
	assert_string_equal(m.path, path);
	assert_non_null(m.source);
	assert_string_equal(m.source, valid_matrix);
	cvb_matrix_free(&m);

	/* Syntax errors name this path. */
	write_file(path, "{\n\n  oops\n}", 11);
	memset(&m, 0, sizeof(m));
	assert_int_equal(cvb_matrix_load(path, 0, NULL, &m, &err), -1);
	assert_msg_has(err, path);
	assert_msg_has(err, "line 3,");
	cvb_matrix_free(&m);

	/* A NUL byte is not JSON text. */
	write_file(path, "{\"cvbench_matrix\": 1,\0 \"blocks\": [{}]}", 37);
	memset(&m, 0, sizeof(m));
	assert_int_equal(cvb_matrix_load(path, 0, NULL, &m, &err), -1);
	assert_msg_has(err, "NUL");
	cvb_matrix_free(&m);

	unlink(path);
	memset(&m, 0, sizeof(m));
	assert_int_equal(cvb_matrix_load(path, 0, NULL, &m, &err), -1);
	assert_msg_has(err, "cannot read matrix");
	assert_msg_has(err, path);
	cvb_matrix_free(&m);
	rmdir(dir);
}

static void test_parse_args(void **state)
{
	char dir[] = "/tmp/cvb-test-matrix-XXXXXX", path[128], opt[160];
	struct cvb_matrix m;
	struct cvb_error err = {0};
	struct args a;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/m.json", dir);
	write_file(path, valid_matrix, strlen(valid_matrix));

	/* --matrix FILE and the rest as overrides, either spelling. */
	ARGS(&a, "--matrix", path, "--reps", "2");
	if (cvb_matrix_parse_args(a.argc, a.argv, &m, &err) != CVB_PARSE_OK)
		fail_msg("parse_args: %s", err.msg);
	assert_int_equal(m.n_blocks, 2);
	assert_int_equal(m.blocks[0]->reps, 2);
	assert_int_equal(m.blocks[1]->reps, 2);
	cvb_matrix_free(&m);
	snprintf(opt, sizeof(opt), "--matrix=%s", path);
	ARGS(&a, "--reps=3", opt);
	if (cvb_matrix_parse_args(a.argc, a.argv, &m, &err) != CVB_PARSE_OK)
		fail_msg("parse_args: %s", err.msg);
	assert_int_equal(m.blocks[0]->reps, 3);
	assert_string_equal(m.blocks[0]->name, "syscalls");
	cvb_matrix_free(&m);

	/* Options that select cells: one block from the command line. */
	ARGS(&a, "--backend", "native", "--workload", "idle", "--reps", "4");
	assert_int_equal(cvb_matrix_parse_args(a.argc, a.argv, &m, &err), CVB_PARSE_OK);
	assert_int_equal(m.n_blocks, 1);
	assert_string_equal(m.blocks[0]->workloads[0]->name, "idle");
	assert_int_equal(m.blocks[0]->reps, 4);
	assert_string_equal(m.blocks[0]->name, "");
	cvb_matrix_free(&m);

	/* --resume: the caller reads the record. */
	ARGS(&a, "--resume", "/tmp/old.json");
	assert_int_equal(cvb_matrix_parse_args(a.argc, a.argv, &m, &err), CVB_PARSE_OK);
	assert_non_null(m.resume);
	assert_string_equal(m.resume, "/tmp/old.json");
	assert_int_equal(m.n_blocks, 0);
	cvb_matrix_free(&m);

	ARGS(&a, "--matrix");
	assert_int_equal(cvb_matrix_parse_args(a.argc, a.argv, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "'--matrix' needs a file");
	cvb_matrix_free(&m);
	ARGS(&a, "--matrix=");
	assert_int_equal(cvb_matrix_parse_args(a.argc, a.argv, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "'--matrix' needs a file");
	cvb_matrix_free(&m);

	/* A broken block from the command line. */
	ARGS(&a, "--workload", "nosuch");
	assert_int_equal(cvb_matrix_parse_args(a.argc, a.argv, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "nosuch");
	cvb_matrix_free(&m);

	/* A non-selecting option alone means the default matrix: found next to
	 * the binary's tree, or a message saying where it was looked for. */
	ARGS(&a, "--quiet");
	enum cvb_parse_result r = cvb_matrix_parse_args(a.argc, a.argv, &m, &err);
	if (r == CVB_PARSE_OK) {
		assert_true(m.n_blocks >= 1);
		assert_true(m.blocks[0]->quiet);
	} else {
		assert_int_equal(r, CVB_PARSE_ERROR);
		assert_msg_has(err, "built-in matrix 'default'");
	}
	cvb_matrix_free(&m);

	unlink(path);
	rmdir(dir);
}

/* What cvbench runs as root (agent, launcher, kernel, libvirt URI) comes
 * from the command line only: a matrix field, even abbreviated or
 * overridden, and a results file's recorded command line are refused. */
static void test_program_options_from_files(void **state)
{
	char text[1024];
	struct cvb_error err;
	struct cvb_matrix m;
	struct args a;
	char *ov[] = {"--launcher=/bin/ok {agent}"};

	(void)state;
	one_block(text, sizeof(text), "\"launcher\": \"/tmp/evil {agent}\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "blocks[0]: field 'launcher' names what cvbench runs as root");
	assert_msg_has(err, "pass --launcher there");
	from_text_err(text, 1, ov, &err); /* overridden: still refused */
	assert_msg_has(err, "field 'launcher'");
	with_defaults(text, sizeof(text), "\"agent\": \"/tmp/evil\"", "");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "field 'agent'");
	one_block(text, sizeof(text), "\"backend\": \"vm\", \"kernel\": \"/tmp/k\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "field 'kernel'");
	one_block(text, sizeof(text), "\"backend\": \"vm\", \"connect\": \"qemu+ext:///system\"");
	from_text_err(text, 0, NULL, &err);
	assert_msg_has(err, "field 'connect'");
	/* An abbreviation is the option itself to getopt. */
	one_block(text, sizeof(text), "\"launch\": \"/tmp/evil {agent}\"");
	from_text_err(text, 0, NULL, &err);
	assert_int_equal(err.code, EPERM);
	assert_msg_has(err, "the matrix gives --launcher '/tmp/evil'");
	/* ...unless the command line gives the option: its value is used. */
	from_text_ok(text, 1, ov, &m);
	assert_string_equal(m.blocks[0]->launcher[0], "/bin/ok");
	cvb_matrix_free(&m);

	/* A record's command line (the first 3 arguments) naming an agent. */
	ARGS(&a, "--agent", "/tmp/evil", "--reps", "2");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 3, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "the results file's command line gives --agent '/tmp/evil'");
	cvb_matrix_free(&m);
	ARGS(&a, "--reps", "2", "--launcher=/tmp/evil", "--quiet");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 4, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "gives --launcher");
	cvb_matrix_free(&m);
	/* Given again with the resume: the command line's is in effect. */
	ARGS(&a, "--agent", "/tmp/evil", "--reps", "2", "--agent", "/opt/agent");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 5, &m, &err), CVB_PARSE_OK);
	assert_string_equal(m.blocks[0]->agent_path, "/opt/agent");
	cvb_matrix_free(&m);
	/* The record's --out is dropped (the resume writes to its FILE); one
	 * given now is kept. */
	ARGS(&a, "--reps", "2", "--out", "/etc/passwd");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 5, &m, &err), CVB_PARSE_OK);
	assert_null(m.blocks[0]->out_path);
	cvb_matrix_free(&m);
	ARGS(&a, "--reps", "2", "--out", "/etc/passwd", "--out", "new.json");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 5, &m, &err), CVB_PARSE_OK);
	assert_string_equal(m.blocks[0]->out_path, "new.json");
	cvb_matrix_free(&m);
	/* Run-wide only (the default matrix, recorded overrides on top). */
	ARGS(&a, "--agent", "/tmp/evil");
	enum cvb_parse_result r = cvb_matrix_parse_recorded(a.argc, a.argv, 3, &m, &err);
	assert_int_equal(r, CVB_PARSE_ERROR);
	if (!strstr(err.msg, "built-in matrix 'default'"))
		assert_msg_has(err, "the results file's command line gives --agent");
	cvb_matrix_free(&m);
	ARGS(&a, "--resume", "/tmp/x.json");
	assert_int_equal(cvb_matrix_parse_recorded(a.argc, a.argv, 3, &m, &err), CVB_PARSE_ERROR);
	assert_msg_has(err, "has --resume");
	cvb_matrix_free(&m);

	/* A recorded matrix with the record's options over it. */
	char *rov[] = {"--kernel=/tmp/k", "--reps=3"};
	one_block(text, sizeof(text), "\"backend\": \"vm\"");
	memset(&m, 0, sizeof(m));
	m.from_record = true;
	m.n_recorded_overrides = 1;
	assert_int_equal(cvb_matrix_from_text("t.json", text, 2, rov, &m, &err), -1);
	assert_msg_has(err, "the results file's command line gives --kernel '/tmp/k'");
	cvb_matrix_free(&m);
	char *rov2[] = {"--out=/etc/passwd", "--reps=3"};
	memset(&m, 0, sizeof(m));
	m.from_record = true;
	m.n_recorded_overrides = 2;
	assert_int_equal(cvb_matrix_from_text("t.json", text, 2, rov2, &m, &err), 0);
	assert_null(m.blocks[0]->out_path);
	assert_int_equal(m.blocks[0]->reps, 3);
	cvb_matrix_free(&m);
}

/* ---- fuzz ---------------------------------------------------------------------- */

#define FUZZ_MUTATIONS 2000
#define FUZZ_GARBAGE 500

static void escape_for_msg(const char *in, char *out, size_t len)
{
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < len; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			out[o++] = (char)*p;
		else
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", *p);
	}
	out[o] = '\0';
}

struct fuzz_tally {
	unsigned n_ok, n_err, n_newline;
	char first_newline[3500];
};

/* One call: 0 with blocks, or -1 with a non-empty message; freed either way.
 * Messages with a newline are counted (and the first shown at the end) so
 * that the whole fuzz still runs for crashes and leaks. */
static void fuzz_one(const char *text, unsigned iter, int n_ov, char **ov, struct fuzz_tally *t)
{
	struct cvb_matrix m;
	struct cvb_error err;
	char shown[2048];
	int rc = from_text(text, n_ov, ov, &m, &err);

	if (rc == 0) {
		t->n_ok++;
		if (m.n_blocks == 0 || m.n_blocks > CVB_MATRIX_MAX_BLOCKS) {
			escape_for_msg(text, shown, sizeof(shown));
			fail_msg("iteration %u: ok with %zu blocks for \"%s\"", iter, m.n_blocks,
			         shown);
		}
		for (size_t i = 0; i < m.n_blocks; i++)
			assert_true(m.blocks[i]->name[0] != '\0');
	} else if (rc != -1 || err.msg[0] == '\0') {
		escape_for_msg(text, shown, sizeof(shown));
		fail_msg("iteration %u: rc %d, message \"%s\" for input \"%s\"", iter, rc, err.msg,
		         shown);
	} else {
		t->n_err++;
		if (strchr(err.msg, '\n') && t->n_newline++ == 0) {
			char msg[1200];
			escape_for_msg(text, shown, sizeof(shown));
			escape_for_msg(err.msg, msg, sizeof(msg));
			snprintf(t->first_newline, sizeof(t->first_newline),
			         "iteration %u: message \"%s\" for input \"%s\"", iter, msg, shown);
		}
	}
	cvb_matrix_free(&m);
}

static void test_fuzz(void **state)
{
	static const char inserts[] = "{}[]\",:\\ \n0-tfn";
	static const char *const fragments[] = {"\"bogus\": 1,",
	                                        "true",
	                                        "[]",
	                                        "{}",
	                                        "null",
	                                        "\"param\": {\"x\": 1},",
	                                        "\"name\": 5,",
	                                        ",",
	                                        "\"scenario\": [\"alone\", \"alone\"],",
	                                        "\"backend\": [],",
	                                        "\"\": true,",
	                                        "\"reps\": true,",
	                                        "1e999",
	                                        "-0",
	                                        "\"\\u0000\"",
	                                        "\"\\n\""};
	const size_t base_len = strlen(valid_matrix);
	char *buf = malloc(base_len * 4 + 256);
	char o1[] = "--reps=1", o2[] = "--quiet";
	char *ov[] = {o1, o2};
	struct fuzz_tally tally = {0};
	struct cvb_rng rng;

	(void)state;
	assert_non_null(buf);
	cvb_rng_seed(&rng, 0xf022);
	for (unsigned it = 0; it < FUZZ_MUTATIONS; it++) {
		size_t len = base_len;
		memcpy(buf, valid_matrix, base_len + 1);
		unsigned n_mut = 1 + (unsigned)cvb_rng_below(&rng, 4);
		for (unsigned k = 0; k < n_mut; k++) {
			size_t at = len ? (size_t)cvb_rng_below(&rng, len) : 0;
			switch (cvb_rng_below(&rng, 5)) {
			case 0: /* flip a byte (never to NUL: the input is a C string) */
				if (len)
					buf[at] = (char)(1 + cvb_rng_below(&rng, 255));
				break;
			case 1: /* truncate */
				len = at;
				buf[len] = '\0';
				break;
			case 2: /* insert a structural character */
				memmove(buf + at + 1, buf + at, len - at + 1);
				buf[at] = inserts[cvb_rng_below(&rng, sizeof(inserts) - 1)];
				len++;
				break;
			case 3: { /* delete a short range */
				size_t n = 1 + (size_t)cvb_rng_below(&rng, 16);
				if (at + n > len)
					n = len - at;
				memmove(buf + at, buf + at + n, len - at - n + 1);
				len -= n;
				break;
			}
			default: { /* insert a JSON fragment */
				const char *f =
				    fragments[cvb_rng_below(&rng, ARRAY_LEN(fragments))];
				size_t n = strlen(f);
				memmove(buf + at + n, buf + at, len - at + 1);
				memcpy(buf + at, f, n);
				len += n;
				break;
			}
			}
		}
		assert_true(strlen(buf) == len);
		fuzz_one(buf, it, (it & 1) ? 2 : 0, ov, &tally);
	}
	/* The mutations must not all be trivially rejected: some still parse. */
	assert_true(tally.n_ok > 0);

	for (unsigned it = 0; it < FUZZ_GARBAGE; it++) {
		size_t len = (size_t)cvb_rng_below(&rng, 200);
		bool json_alphabet = it & 1;
		static const char alpha[] =
		    "{}[]\",:0123456789.eE+-truefalsnl \n\t\\\"cvbench_matrix";
		for (size_t i = 0; i < len; i++)
			buf[i] = json_alphabet ? alpha[cvb_rng_below(&rng, sizeof(alpha) - 1)]
			                       : (char)(1 + cvb_rng_below(&rng, 255));
		buf[len] = '\0';
		fuzz_one(buf, FUZZ_MUTATIONS + it, 0, NULL, &tally);
	}
	free(buf);
	print_message("fuzz: %u inputs parsed, %u rejected, %u with a multi-line message\n",
	              tally.n_ok, tally.n_err, tally.n_newline);
	if (tally.n_newline)
		fail_msg("%u of %u messages have a newline (see "
		         "test_messages_one_line_with_newline_in_input); first: %s",
		         tally.n_newline, tally.n_err, tally.first_newline);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_blocks),
	    cmocka_unit_test(test_overrides_win),
	    cmocka_unit_test(test_block_default_names),
	    cmocka_unit_test(test_param_object_and_list),
	    cmocka_unit_test(test_booleans),
	    cmocka_unit_test(test_lists),
	    cmocka_unit_test(test_later_lists_replace),
	    cmocka_unit_test(test_syntax_error_line),
	    cmocka_unit_test(test_not_a_matrix),
	    cmocka_unit_test(test_unknown_top_level_field),
	    cmocka_unit_test(test_bad_blocks),
	    cmocka_unit_test(test_unknown_option_in_block),
	    cmocka_unit_test(test_bad_fields),
	    cmocka_unit_test(test_true_for_valued_option),
	    cmocka_unit_test(test_messages_one_line_with_newline_in_input),
	    cmocka_unit_test(test_load_file),
	    cmocka_unit_test(test_parse_args),
	    cmocka_unit_test(test_program_options_from_files),
	    cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests_name("matrix", tests, NULL, NULL);
}
