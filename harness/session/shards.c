/* See shards.h. */
#include "shards.h"
#include "atomic_file.h"
#include "progress.h"
#include "run_record.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

static void free_pieces(struct piece *pieces, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(pieces[i].block);
	free(pieces);
}

/* The pieces of a matrix: each block narrowed to one workload (its backends
 * stay together, so that each shard still holds the native twin its
 * ratios need), with its estimated duration. */
static int pieces_of(const cJSON *defaults, const cJSON *blocks, struct piece **out, size_t *n_out,
                     struct cvb_error *err)
{
	struct piece *pieces = NULL;
	size_t n = 0, cap = 0;
	int bi = 0;
	for (const cJSON *b = blocks->child; b; b = b->next, bi++) {
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
					goto fail;
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
				goto fail;
			}
		}
		cJSON_Delete(one_w);
	}
	*out = pieces;
	*n_out = n;
	return 0;
fail:
	free_pieces(pieces, n);
	return -1;
}

/* Longest first onto the shard with the least so far; load[] gets each
 * shard's estimated seconds. */
static void assign(struct piece *pieces, size_t n, unsigned k, double *load)
{
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
}

/* Shard s (0-based) of k as a matrix document: the pieces of one block in
 * it become that block again, with their workloads, so that names, and so
 * labels, stay the matrix's. */
static cJSON *shard_doc(const char *name, unsigned s, unsigned k, double seconds,
                        const cJSON *defaults, const cJSON *blocks, const struct piece *pieces,
                        size_t n, char *desc, size_t desc_len)
{
	snprintf(desc, desc_len, "shard %u of %u of matrix '%s' (about %.0f s here)", s + 1, k,
	         name, seconds);
	cJSON *sh = cJSON_CreateObject();
	cJSON_AddNumberToObject(sh, "cvbench_matrix", 1);
	char shard_name[96];
	snprintf(shard_name, sizeof(shard_name), "%s-shard-%u-of-%u", name, s + 1, k);
	cJSON_AddStringToObject(sh, "name", shard_name);
	cJSON_AddStringToObject(sh, "description", desc);
	if (defaults)
		cJSON_AddItemToObject(sh, "defaults", cJSON_Duplicate(defaults, true));
	cJSON *bl = cJSON_AddArrayToObject(sh, "blocks");
	for (const cJSON *ob = blocks->child; ob; ob = ob->next) {
		cJSON *wl = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			if (pieces[i].shard == (int)s && pieces[i].original == ob)
				cJSON_AddItemToArray(wl, cJSON_Duplicate(pieces[i].workload, true));
		if (cJSON_GetArraySize(wl) == 0) {
			cJSON_Delete(wl);
			continue;
		}
		cJSON *nb = cJSON_Duplicate(ob, true);
		cJSON_DeleteItemFromObjectCaseSensitive(nb, "workload");
		cJSON_AddItemToObject(nb, "workload", wl);
		cJSON_AddItemToArray(bl, nb);
	}
	return sh;
}

int cvb_shards_write(const char *path, unsigned k, const char *dir, FILE *out,
                     struct cvb_error *err)
{
	if (k < 1 || k > CVB_MAX_SHARDS)
		return cvb_error_set(err, EINVAL, "--split %u: must be 1 to %d", k, CVB_MAX_SHARDS);
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
	size_t n = 0;
	int rc = -1;
	if (pieces_of(defaults, blocks, &pieces, &n, err) < 0)
		goto out;
	if (k > n) {
		cvb_error_set(err, EINVAL,
		              "--split %u: the matrix has only %zu block x workload pieces; use "
		              "--split %zu or fewer",
		              k, n, n);
		goto out;
	}
	double load[CVB_MAX_SHARDS] = {0};
	assign(pieces, n, k, load);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cvb_error_errno(err, errno, "cannot create '%s'", dir);
		goto out;
	}
	for (unsigned s = 0; s < k; s++) {
		char file[PATH_MAX], desc[160];
		snprintf(file, sizeof(file), "%s/%s-shard-%u-of-%u.json", dir, name, s + 1, k);
		cJSON *sh =
		    shard_doc(name, s, k, load[s], defaults, blocks, pieces, n, desc, sizeof(desc));
		char *text = cJSON_Print(sh);
		cJSON_Delete(sh);
		if (!text || cvb_atomic_write(file, text, strlen(text), err) < 0) {
			free(text);
			goto out;
		}
		free(text);
		fprintf(out, "%s: %s\n", file, desc);
	}
	rc = 0;
out:
	free_pieces(pieces, n);
	cJSON_Delete(doc);
	return rc;
}
