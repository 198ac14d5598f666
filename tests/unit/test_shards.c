/* Shard matrices (harness/session/shards.c): every block x workload piece
 * lands in exactly one shard, each shard is a valid matrix that keeps the
 * blocks' names and backends together, the listing names each file, and a
 * bad K is refused before anything is written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plan.h"
#include "shards.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Three pieces: one block with two workloads, one with one. */
static const char matrix_text[] =
    "{\"cvbench_matrix\": 1, \"name\": \"sh\",\n"
    " \"defaults\": {\"reps\": 3, \"warmup\": 0, \"quiet\": true},\n"
    " \"blocks\": [\n"
    "  {\"name\": \"two\", \"backend\": [\"native\", \"container\"],\n"
    "   \"workload\": [\"ready\", \"syscall\"]},\n"
    "  {\"name\": \"one\", \"backend\": \"native\", \"workload\": \"idle\"}\n"
    " ]}\n";

struct dirs {
	char dir[64];
	char matrix[96];
	char out[96];
};

static int setup(void **state)
{
	struct dirs *d = calloc(1, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/cvb-shards-XXXXXX");
	if (!d || !mkdtemp(d->dir))
		return -1;
	snprintf(d->matrix, sizeof(d->matrix), "%s/m.json", d->dir);
	snprintf(d->out, sizeof(d->out), "%s/out", d->dir);
	FILE *f = fopen(d->matrix, "w");
	if (!f)
		return -1;
	fputs(matrix_text, f);
	fclose(f);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dirs *d = *state;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	int rc = system(cmd);
	free(d);
	return rc == 0 ? 0 : -1;
}

static size_t files_in(const char *dir)
{
	DIR *dp = opendir(dir);
	size_t n = 0;
	if (!dp)
		return 0;
	for (struct dirent *e; (e = readdir(dp));)
		n += e->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* Counts, over every shard, how many cells each block's workloads give. */
static void test_every_piece_once(void **state)
{
	struct dirs *d = *state;
	struct cvb_error err = {0};
	char listing[2048] = "";
	FILE *out = fmemopen(listing, sizeof(listing), "w");
	assert_int_equal(cvb_shards_write(d->matrix, 2, d->out, out, &err), 0);
	fclose(out);
	assert_int_equal(files_in(d->out), 2);
	size_t ready = 0, syscall = 0, idle = 0;
	for (unsigned s = 1; s <= 2; s++) {
		char path[160], shard_name[64];
		snprintf(path, sizeof(path), "%s/sh-shard-%u-of-2.json", d->out, s);
		snprintf(shard_name, sizeof(shard_name), "sh-shard-%u-of-2", s);
		assert_non_null(strstr(listing, path));
		struct cvb_matrix m = {0};
		if (cvb_matrix_load(path, 0, NULL, &m, &err) < 0)
			fail_msg("shard %u is not a valid matrix: %s", s, err.msg);
		assert_string_equal(m.name, shard_name);
		for (size_t b = 0; b < m.n_blocks; b++) {
			const struct cvb_plan *p = m.blocks[b];
			for (size_t w = 0; w < p->n_workloads; w++) {
				const char *wn = p->workloads[w]->name;
				if (strcmp(wn, "ready") == 0 || strcmp(wn, "syscall") == 0)
					assert_int_equal(p->n_backends, 2); /* backends together */
				ready += strcmp(wn, "ready") == 0;
				syscall += strcmp(wn, "syscall") == 0;
				idle += strcmp(wn, "idle") == 0;
			}
		}
		cvb_matrix_free(&m);
	}
	assert_int_equal(ready, 1);
	assert_int_equal(syscall, 1);
	assert_int_equal(idle, 1);
}

static void test_too_many_shards(void **state)
{
	struct dirs *d = *state;
	struct cvb_error err = {0};
	FILE *out = fopen("/dev/null", "w");
	assert_int_equal(cvb_shards_write(d->matrix, 4, d->out, out, &err), -1);
	fclose(out);
	assert_non_null(strstr(err.msg, "only 3 block x workload pieces; use --split 3"));
	assert_int_equal(files_in(d->out), 0); /* nothing written */
}

static void test_bad_matrix(void **state)
{
	struct dirs *d = *state;
	struct cvb_error err = {0};
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none.json", d->dir);
	FILE *out = fopen("/dev/null", "w");
	assert_int_equal(cvb_shards_write(missing, 2, d->out, out, &err), -1);
	fclose(out);
	assert_non_null(strstr(err.msg, "cannot read matrix"));
	assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_every_piece_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_shards, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_matrix, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
