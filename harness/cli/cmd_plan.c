/* `cvbench plan MATRIX [--split K --out-dir DIR]`: prints what a matrix
 * would measure and roughly how long it takes; with --split, writes K
 * independent shard matrices that any scheduler can run anywhere (GNU
 * parallel over ssh, a Slurm job array, a Kubernetes indexed Job), whose
 * results `cvbench merge` joins. Shards split blocks per workload (their
 * backends stay together, so each shard has the native twin its ratios to
 * native need), and are balanced by estimated duration. */
#include "atomic_file.h"
#include "commands.h"
#include "parse_num.h"
#include "plan.h"
#include "progress.h"
#include "runner.h"
#include "session.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SHARDS 256

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench plan MATRIX.json [--split K [--out-dir DIR]]\n"
	        "\n"
	        "Without --split: the cells the matrix would measure on this host (skips with\n"
	        "their reasons) and a rough duration.\n"
	        "With --split K: K shard matrices DIR/<name>-shard-<i>-of-<K>.json (DIR\n"
	        "default: .), each a valid matrix for 'cvbench run --matrix' on any host.\n"
	        "Blocks are split per workload (their backends stay together, so ratios to\n"
	        "native still work) and spread so that shards take about as long as each\n"
	        "other; a cell is never split, so its samples come\n"
	        "from one host. Join the shards' results with 'cvbench merge'.\n"
	        "\n"
	        "Exit status: 0 done; 2 bad input (nothing written).\n");
}

/* One shard candidate: a block narrowed to one backend and workload. */
struct piece {
	cJSON *block; /* the block narrowed to one workload, for the estimate */
	const cJSON *original;
	const cJSON *workload;
	double seconds;
	int shard;
};

/* The estimated duration of one narrowed block, measured with the same
 * estimate the runner prints. */
static double estimate(const cJSON *defaults, const cJSON *block, struct cvb_error *err)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "cvbench_matrix", 1);
	if (defaults)
		cJSON_AddItemToObject(doc, "defaults", cJSON_Duplicate(defaults, true));
	cJSON *bl = cJSON_AddArrayToObject(doc, "blocks");
	cJSON_AddItemToArray(bl, cJSON_Duplicate(block, true));
	char *text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	struct cvb_matrix m = {0};
	struct cvb_run run;
	double s = -1;
	cvb_run_init(&run, 0, NULL);
	if (text && cvb_matrix_from_text("shard", text, 0, NULL, &m, err) == 0 &&
	    cvb_run_prepare(&m, &run, err) == 0)
		s = cvb_estimate_seconds(&run);
	cvb_run_free(&run);
	cvb_matrix_free(&m);
	free(text);
	return s;
}

static int split(const char *path, unsigned k, const char *dir, struct cvb_error *err)
{
	struct cvb_matrix check = {0};
	if (cvb_matrix_load(path, 0, NULL, &check, err) < 0) /* whole file valid first */
		return -1;
	cJSON *doc = cJSON_Parse(check.source);
	char name[64];
	snprintf(name, sizeof(name), "%s", check.name[0] ? check.name : "matrix");
	cvb_matrix_free(&check);
	const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(doc, "defaults");
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(doc, "blocks");
	struct piece *pieces = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	int bi = 0;
	for (const cJSON *b = blocks->child; b; b = b->next, bi++) {
		/* A block splits per workload; its backends stay together, so that
		 * each shard still holds the native twin its ratios need. */
		const cJSON *wk = cJSON_GetObjectItemCaseSensitive(b, "workload");
		if (!wk && defaults)
			wk = cJSON_GetObjectItemCaseSensitive(defaults, "workload");
		cJSON *one_w = cJSON_CreateArray();
		if (!wk)
			cJSON_AddItemToArray(one_w, cJSON_CreateString("ready"));
		else if (cJSON_IsArray(wk))
			for (const cJSON *e = wk->child; e; e = e->next)
				cJSON_AddItemToArray(one_w, cJSON_Duplicate(e, true));
		else
			cJSON_AddItemToArray(one_w, cJSON_Duplicate(wk, true));
		const cJSON *bn = cJSON_GetObjectItemCaseSensitive(b, "name");
		char base[96];
		if (cJSON_IsString(bn))
			snprintf(base, sizeof(base), "%s", bn->valuestring);
		else
			snprintf(base, sizeof(base), "block %d", bi);
		bool several = cJSON_GetArraySize(one_w) > 1;
		for (const cJSON *ew = one_w->child; ew; ew = ew->next) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				struct piece *np = realloc(pieces, cap * sizeof(*np));
				if (!np) {
					cJSON_Delete(one_w);
					cvb_error_set(err, ENOMEM, "out of memory");
					goto out;
				}
				pieces = np;
			}
			cJSON *nb = cJSON_Duplicate(b, true);
			cJSON_DeleteItemFromObjectCaseSensitive(nb, "workload");
			cJSON *wcopy = cJSON_Duplicate(ew, true);
			cJSON_AddItemToObject(nb, "workload", wcopy);
			/* Block names stay unique within a shard. */
			char name_buf[200];
			snprintf(name_buf, sizeof(name_buf), "%s%s%s", base, several ? "/" : "",
			         several && cJSON_IsString(ew) ? ew->valuestring : "");
			cJSON_DeleteItemFromObjectCaseSensitive(nb, "name");
			cJSON_AddStringToObject(nb, "name", name_buf);
			pieces[n] = (struct piece){
			    .block = nb, .original = b, .workload = wcopy, .shard = -1};
			pieces[n].seconds = estimate(defaults, nb, err);
			n++;
			if (pieces[n - 1].seconds < 0) {
				cJSON_Delete(one_w);
				goto out;
			}
		}
		cJSON_Delete(one_w);
	}
	if (k > n) {
		cvb_error_set(err, EINVAL,
		              "--split %u: the matrix has only %zu block x workload pieces; use "
		              "--split %zu or fewer",
		              k, n, n);
		goto out;
	}
	/* Longest first onto the shard with the least so far. */
	double load[MAX_SHARDS] = {0};
	for (size_t done = 0; done < n; done++) {
		size_t big = n;
		for (size_t i = 0; i < n; i++)
			if (pieces[i].shard < 0 &&
			    (big == n || pieces[i].seconds > pieces[big].seconds))
				big = i;
		unsigned least = 0;
		for (unsigned s = 1; s < k; s++)
			if (load[s] < load[least])
				least = s;
		pieces[big].shard = (int)least;
		load[least] += pieces[big].seconds;
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cvb_error_errno(err, errno, "cannot create '%s'", dir);
		goto out;
	}
	for (unsigned s = 0; s < k; s++) {
		char file[PATH_MAX], desc[160];
		snprintf(file, sizeof(file), "%s/%s-shard-%u-of-%u.json", dir, name, s + 1, k);
		snprintf(desc, sizeof(desc), "shard %u of %u of matrix '%s' (about %.0f s here)",
		         s + 1, k, name, load[s]);
		cJSON *sh = cJSON_CreateObject();
		cJSON_AddNumberToObject(sh, "cvbench_matrix", 1);
		char shard_name[96];
		snprintf(shard_name, sizeof(shard_name), "%s-shard-%u-of-%u", name, s + 1, k);
		cJSON_AddStringToObject(sh, "name", shard_name);
		cJSON_AddStringToObject(sh, "description", desc);
		if (defaults)
			cJSON_AddItemToObject(sh, "defaults", cJSON_Duplicate(defaults, true));
		/* The pieces of one block in this shard become that block again,
		 * with their workloads: names, and so labels, stay the matrix's. */
		cJSON *bl = cJSON_AddArrayToObject(sh, "blocks");
		for (const cJSON *ob = blocks->child; ob; ob = ob->next) {
			cJSON *wl = cJSON_CreateArray();
			for (size_t i = 0; i < n; i++)
				if (pieces[i].shard == (int)s && pieces[i].original == ob)
					cJSON_AddItemToArray(
					    wl, cJSON_Duplicate(pieces[i].workload, true));
			if (cJSON_GetArraySize(wl) == 0) {
				cJSON_Delete(wl);
				continue;
			}
			cJSON *nb = cJSON_Duplicate(ob, true);
			cJSON_DeleteItemFromObjectCaseSensitive(nb, "workload");
			cJSON_AddItemToObject(nb, "workload", wl);
			cJSON_AddItemToArray(bl, nb);
		}
		char *text = cJSON_Print(sh);
		cJSON_Delete(sh);
		if (!text || cvb_atomic_write(file, text, strlen(text), err) < 0) {
			free(text);
			goto out;
		}
		free(text);
		printf("%s: %s\n", file, desc);
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(pieces[i].block);
	free(pieces);
	cJSON_Delete(doc);
	return rc;
}

/* The plan alone: exactly what `run --matrix FILE --dry-run` prints. */
static int print_plan(const char *matrix, int argc, char **argv)
{
	struct cvb_session sess;
	struct cvb_error err = {0};
	int status = CVB_EXIT_OK;
	switch (cvb_session_from_matrix(matrix, argc, argv, &sess, &err)) {
	case CVB_SESSION_OK:
		cvb_session_print_plan(stdout, &sess);
		break;
	case CVB_SESSION_FAILED:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		break;
	default:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		status = CVB_EXIT_USAGE;
	}
	cvb_session_free(&sess);
	return status;
}

int cvb_cmd_plan(int argc, char **argv)
{
	static const struct option opts[] = {{"split", required_argument, NULL, 's'},
	                                     {"out-dir", required_argument, NULL, 'o'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {0}};
	struct cvb_error err = {0};
	int64_t k = 0;
	const char *dir = ".";
	int c;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cvb_parse_int64("--split", optarg, 1, MAX_SHARDS, &k, &err) < 0)
				goto bad;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			usage(stdout);
			return CVB_EXIT_OK;
		default:
			cvb_error_set(&err, EINVAL,
			              "unknown option '%s' (see 'cvbench plan --help')",
			              argv[optind - 1]);
			goto bad;
		}
	}
	if (optind != argc - 1) {
		cvb_error_set(&err, EINVAL, "expected one matrix file (see 'cvbench plan --help')");
		goto bad;
	}
	if (k > 0) {
		if (split(argv[optind], (unsigned)k, dir, &err) < 0)
			goto bad;
		return CVB_EXIT_OK;
	}
	return print_plan(argv[optind], argc, argv);
bad:
	fprintf(stderr, "cvbench plan: %s\n", err.msg);
	return CVB_EXIT_USAGE;
}
