/* `cvbench export`: a results file as CSV for other tools. */
#include "atomic_file.h"
#include "commands.h"
#include "export_csv.h"
#include "out_guard.h"
#include "results_load.h"
#include "signals.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench export --csv RESULTS.json [--summary] [--out FILE]\n"
	        "\n"
	        "Writes a results file (from 'cvbench run' or 'cvbench merge') as CSV (RFC 4180:\n"
	        "CRLF line ends, fields with commas, quotes or line breaks quoted), with a\n"
	        "header row.\n"
	        "\n"
	        "options:\n"
	        "  --csv         CSV output (the only format, so the default)\n"
	        "  --summary     one row per cell and metric instead of per sample: n, p50,\n"
	        "                p90, p99, mean, sd, ci95_lo, ci95_hi, from the samples (ci95:\n"
	        "                the median's binomial order-statistic interval; [min, max]\n"
	        "                below 6 samples)\n"
	        "  --out FILE    write FILE (atomically) instead of standard output\n"
	        "\n"
	        "columns per sample: run_id, label, backend, workload, params (name=value;...),\n"
	        "metric, unit, better, launch_index, value. In merged files run_id names the run\n"
	        "each sample came from.\n"
	        "\n"
	        "Exit status: 0 written; 1 writing failed; 2 bad usage or input; 130 stopped by\n"
	        "SIGINT/SIGTERM/SIGHUP (nothing written).\n");
}

/* A growing buffer behind a FILE. open_memstream would do, but glibc's
 * copies and zero-fills it at every doubling: for the 75 MB of a million
 * rows that was a third of the command's time. realloc of a large block
 * moves pages (mremap) instead of bytes. */
struct buffer {
	char *s;
	size_t len, cap;
};

static ssize_t buffer_write(void *cookie, const char *data, size_t n)
{
	struct buffer *b = cookie;

	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 1 << 16;
		while (cap < b->len + n)
			cap *= 2;
		char *grown = realloc(b->s, cap);
		if (!grown) {
			errno = ENOMEM;
			return -1;
		}
		b->s = grown;
		b->cap = cap;
	}
	memcpy(b->s + b->len, data, n);
	b->len += n;
	return (ssize_t)n;
}

int cvb_cmd_export(int argc, char **argv)
{
	struct buffer buf = {0};
	enum { OPT_CSV = 256, OPT_SUMMARY, OPT_OUT, OPT_HELP };
	static const struct option opts[] = {
	    {"csv", no_argument, NULL, OPT_CSV},
	    {"summary", no_argument, NULL, OPT_SUMMARY},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"help", no_argument, NULL, OPT_HELP},
	    {0},
	};
	struct cvb_results_file f = {0};
	struct cvb_error err = {0};
	const char *out_path = NULL;
	bool summary = false;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = NULL;
	int c, rc, status = CVB_EXIT_USAGE;

	cvb_signals_install_reading();
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_CSV:
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case OPT_OUT:
			out_path = optarg;
			break;
		case OPT_HELP:
			usage(stdout);
			return CVB_EXIT_OK;
		case ':':
			fprintf(stderr,
			        "cvbench export: option '%s' needs a value (see 'cvbench export "
			        "--help')\n",
			        argv[optind - 1]);
			return CVB_EXIT_USAGE;
		default:
			fprintf(
			    stderr,
			    "cvbench export: unknown option '%s' (see 'cvbench export --help')\n",
			    argv[optind - 1]);
			return CVB_EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr,
		        "cvbench export: expected one results file, got %d (see 'cvbench export "
		        "--help')\n",
		        argc - optind);
		return CVB_EXIT_USAGE;
	}
	if (out_path && cvb_out_not_an_input(out_path, argv + optind, 1, &err) < 0)
		goto fail;
	if (out_path && cvb_atomic_check_writable(out_path, &err) < 0) {
		cvb_error_prefix(&err, "cannot write the CSV");
		goto fail;
	}
	if (cvb_results_load(argv[optind], &f, &err) < 0)
		goto fail;

	/* Built in memory first: a half-written CSV is never left behind. */
	mem = fopencookie(&buf, "w", (cookie_io_functions_t){.write = buffer_write});
	if (!mem) {
		cvb_error_errno(&err, errno, "cannot buffer the CSV");
		goto fail;
	}
	setvbuf(mem, NULL, _IOFBF, 1 << 16);
	rc =
	    summary ? cvb_export_summary_csv(mem, &f, &err) : cvb_export_samples_csv(mem, &f, &err);
	if (fclose(mem) != 0 && rc == 0)
		rc = cvb_error_set(&err, ENOMEM, "out of memory writing the CSV");
	text = buf.s;
	len = buf.len;
	buf.s = NULL;
	if (rc < 0 || cvb_stop_signal)
		goto fail;
	if (out_path)
		rc = cvb_atomic_write(out_path, text, len, &err);
	else
		rc = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0
		         ? 0
		         : cvb_error_errno(&err, errno, "cannot write to standard output");
	if (rc < 0) {
		/* A signal can cut a write to a slow pipe short. */
		if ((status = cvb_signals_stopped("export")))
			goto out;
		fprintf(stderr, "cvbench export: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	status = CVB_EXIT_OK;
	goto out;
fail:
	if ((status = cvb_signals_stopped("export")))
		goto out;
	fprintf(stderr, "cvbench export: %s\n", err.msg);
	status = err.code == ENOMEM ? CVB_EXIT_FAILED : CVB_EXIT_USAGE;
out:
	free(text);
	free(buf.s);
	cvb_results_free(&f);
	return status;
}
