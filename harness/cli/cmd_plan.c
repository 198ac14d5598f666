/* `cvbench plan MATRIX [--split K --out-dir DIR]`: prints what a matrix
 * would measure and roughly how long it takes (session.h); with --split,
 * writes K shard matrices (shards.h). */
#include "commands.h"
#include "parse_num.h"
#include "session.h"
#include "shards.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

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

/* The plan alone: exactly what `run --matrix FILE --dry-run` prints. */
static int print_plan(const char *matrix, int argc, char **argv)
{
	struct cvb_session sess;
	struct cvb_error err = {0};
	int status = CVB_EXIT_OK;
	enum cvb_session_result r = cvb_session_from_matrix(matrix, argc, argv, &sess, &err);
	if (r == CVB_SESSION_OK)
		cvb_session_print_plan(stdout, &sess);
	else
		status = cvb_session_refused(r, &err);
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
			if (cvb_parse_int64("--split", optarg, 1, CVB_MAX_SHARDS, &k, &err) < 0)
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
		if (cvb_shards_write(argv[optind], (unsigned)k, dir, stdout, &err) < 0)
			goto bad;
		return CVB_EXIT_OK;
	}
	return print_plan(argv[optind], argc, argv);
bad:
	fprintf(stderr, "cvbench plan: %s\n", err.msg);
	return CVB_EXIT_USAGE;
}
