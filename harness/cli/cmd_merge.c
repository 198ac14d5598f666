/* `cvbench merge`: one results file from the files of shards. */
#include "atomic_file.h"
#include "commands.h"
#include "merge.h"
#include "out_guard.h"
#include "json_fast.h"
#include "results_load.h"
#include "signals.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench merge [--allow-duplicates] OUT.json IN1.json IN2.json ...\n"
	        "\n"
	        "Joins the results files of shards (parts of one matrix, run one after another\n"
	        "or on several hosts) into OUT.json, which compare, export and plots read like\n"
	        "any results file. The inputs need the same schema_version. Each host goes once\n"
	        "into \"hosts\" and each cell names its own with \"host_ref\"; \"host\" is the\n"
	        "first input's. \"merged_from\" lists the inputs' run ids, and every launch\n"
	        "names its run with \"run_ref\". The status is the worst of the inputs'.\n"
	        "\n"
	        "options:\n"
	        "  --allow-duplicates   a cell label in several inputs pools their samples into\n"
	        "                       one cell (summaries recomputed), if backend, workload\n"
	        "                       and params match and the host is the same; without\n"
	        "                       it such inputs are refused\n"
	        "\n"
	        "OUT.json may be a previous merge, never a run's own results file.\n"
	        "Exit status: 0 merged, 2 bad input (nothing is written), 1 write failure,\n"
	        "130 stopped by SIGINT/SIGTERM/SIGHUP (nothing is written).\n");
}

/* A fresh run id in the form cvbench run uses: UTC time and pid. */
static void new_run_id(char *buf, size_t len)
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	size_t n = strftime(buf, len, "%Y%m%dT%H%M%S", &tm);
	snprintf(buf + n, len - n, "-%x", (unsigned)getpid());
}

/* A run's own results are raw data that cannot be measured again: `merge
 * a.json b.json c.json` (OUT forgotten) must not replace a.json. A merged
 * file can be, since merging again remakes it. */
static int check_not_a_run(const char *out, struct cvb_error *err)
{
	struct cvb_results_file f;
	struct cvb_error ignored;
	int rc = 0;

	if (access(out, F_OK) != 0 || cvb_results_load(out, &f, &ignored) < 0)
		return 0;
	if (!f.merged_from)
		rc =
		    cvb_error_set(err, EEXIST,
		                  "'%s' holds the results of run %s, which merge would replace: "
		                  "OUT.json comes first, then the inputs (remove it to replace it)",
		                  out, f.run_id);
	cvb_results_free(&f);
	return rc;
}

/* The document as cJSON_Print lays it out (json_fast.h: a tenth of the
 * time on a million samples), with a final newline, written atomically;
 * nothing when a stop signal arrived. */
static int write_doc(const char *path, cJSON *doc, struct cvb_error *err)
{
	size_t len = 0;
	char *text = cvb_json_print(doc, &len);
	int rc;

	if (!text && errno == EINTR)
		return cvb_error_set(err, EINTR, "interrupted");
	if (!text)
		return cvb_error_set(err, ENOMEM, "out of memory writing '%s'", path);
	if (cvb_stop_signal) {
		free(text);
		return cvb_error_set(err, EINTR, "interrupted");
	}
	char *with_nl = realloc(text, len + 2);
	if (!with_nl) {
		free(text);
		return cvb_error_set(err, ENOMEM, "out of memory writing '%s'", path);
	}
	with_nl[len++] = '\n';
	with_nl[len] = '\0';
	rc = cvb_atomic_write(path, with_nl, len, err);
	free(with_nl);
	return rc;
}

int cvb_cmd_merge(int argc, char **argv)
{
	enum { OPT_ALLOW_DUPLICATES = 256, OPT_HELP };
	static const struct option opts[] = {
	    {"allow-duplicates", no_argument, NULL, OPT_ALLOW_DUPLICATES},
	    {"help", no_argument, NULL, OPT_HELP},
	    {0},
	};
	struct cvb_merge_options mo = {0};
	struct cvb_merge_info info = {0};
	struct cvb_results_file *in = NULL;
	struct cvb_error err = {0};
	char run_id[64];
	cJSON *doc = NULL;
	struct cvb_json_aside *aside = NULL; /* doc's numbers; borrows from in */
	size_t n_in = 0, loaded = 0;
	int c, status = CVB_EXIT_USAGE;

	cvb_signals_install_reading();
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_ALLOW_DUPLICATES:
			mo.allow_duplicates = true;
			break;
		case OPT_HELP:
			usage(stdout);
			return CVB_EXIT_OK;
		default:
			fprintf(stderr,
			        "cvbench merge: unknown option '%s' (see 'cvbench merge --help')\n",
			        argv[optind - 1]);
			return CVB_EXIT_USAGE;
		}
	}
	if (argc - optind < 3) {
		fprintf(stderr,
		        "cvbench merge: expected OUT.json and at least two inputs, got %d file%s "
		        "(see 'cvbench merge --help')\n",
		        argc - optind, argc - optind == 1 ? "" : "s");
		return CVB_EXIT_USAGE;
	}
	const char *out_path = argv[optind];
	n_in = (size_t)(argc - optind - 1);
	/* `merge a.json b.json c.json` names a.json the output: refuse rather
	 * than replace it. */
	if (cvb_out_not_an_input(out_path, argv + optind + 1, (int)n_in, &err) < 0) {
		cvb_error_prefix(&err, "OUT.json comes first, then the inputs");
		goto fail;
	}
	if (check_not_a_run(out_path, &err) < 0)
		goto fail;
	if (cvb_atomic_check_writable(out_path, &err) < 0) {
		cvb_error_prefix(&err, "cannot write the merged results");
		goto fail;
	}
	in = calloc(n_in, sizeof(*in));
	if (!in) {
		cvb_error_set(&err, ENOMEM, "out of memory");
		goto fail;
	}
	for (loaded = 0; loaded < n_in; loaded++)
		if (cvb_results_load(argv[optind + 1 + (int)loaded], &in[loaded], &err) < 0)
			goto fail;
	new_run_id(run_id, sizeof(run_id));
	mo.run_id = run_id;
	doc = cvb_results_merge_aside(in, n_in, &mo, &info, &aside, &err);
	if (!doc || cvb_stop_signal)
		goto fail;
	if (write_doc(out_path, doc, &err) < 0) {
		if ((status = cvb_signals_stopped("merge")))
			goto out;
		fprintf(stderr, "cvbench merge: merged results NOT saved: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	if (info.derived_dropped)
		fprintf(stderr,
		        "cvbench merge: note: %zu cell%s pooled, so the inputs' derived "
		        "ratios (computed before pooling) were left out\n",
		        info.pooled_cells, info.pooled_cells == 1 ? "" : "s");
	printf("merged %zu files into %s (run %s, %d cells, %d hosts)\n", n_in, out_path, run_id,
	       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "cells")),
	       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc, "hosts")));
	status = CVB_EXIT_OK;
	goto out;
fail:
	if ((status = cvb_signals_stopped("merge")))
		goto out;
	fprintf(stderr, "cvbench merge: %s\n", err.msg);
	status = err.code == ENOMEM ? CVB_EXIT_FAILED : CVB_EXIT_USAGE;
out:
	cvb_json_aside_free(aside);
	cJSON_Delete(doc);
	for (size_t i = 0; in && i < n_in; i++)
		cvb_results_free(&in[i]);
	free(in);
	return status;
}
