/* `cvbench compare`: did NEW get worse than BASE? For CI: exit 1 on a
 * regression, 2 on input that cannot be compared. */
#include "atomic_file.h"
#include "commands.h"
#include "compare.h"
#include "compare_report.h"
#include "out_guard.h"
#include "parse_num.h"
#include "results_load.h"
#include "signals.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: cvbench compare BASE.json NEW.json [OPTIONS]\n"
	    "\n"
	    "Pairs the cells of two results files by label and their metrics by name, and\n"
	    "for every pair with samples on both sides reports the base and new medians, the\n"
	    "change in %% (+: new is larger) with its 95%% interval (bootstrap of the ratio\n"
	    "of medians), the two-sided Mann-Whitney U p-value (exact when a side has\n"
	    "fewer than 8 samples, else normal approximation with tie correction) and a\n"
	    "verdict:\n"
	    "  regression   p < alpha, |change| > threshold, in the metric's worse direction\n"
	    "  improvement  the same in the better direction\n"
	    "  noise        |change| > threshold but not significant: take more samples\n"
	    "  same         |change| <= threshold\n"
	    "The text report is a table per metric (benchstat's layout): medians in their\n"
	    "units with half their 95%% interval, the change, p, n, '~' when p >= alpha,\n"
	    "and a geometric-mean row over the cells with positive medians.\n"
	    "\n"
	    "MDE, the minimum detectable effect: the smallest change of the median the\n"
	    "rank test could have flagged at alpha with these samples' noise and n. The\n"
	    "new samples are moved onto the base (until the ranks show no shift) and then\n"
	    "shifted up and down, by bisection, until base against them gives p < alpha;\n"
	    "the larger shift, in %% of the base median, is the MDE (\"none\" when no shift\n"
	    "can, e.g. 4+4 samples at alpha 0.01). A real change of the MDE's size is\n"
	    "flagged about half the time, one 1.33x larger about 80%% (at alpha 0.01).\n"
	    "A \"noise\" verdict whose MDE exceeds the threshold reads \"too few samples to\n"
	    "tell\", with the --reps that would tell the observed change at 80%% power.\n"
	    "Both files of one run (one run_id, or identical samples): a warning on\n"
	    "stderr and in the report.\n"
	    "\n"
	    "Cells in one file only are listed. Exit status: 0 no regression, 1 at least one\n"
	    "regression, 2 bad input (unreadable or not a results file, different\n"
	    "schema_version, nothing comparable); nothing is written then.\n"
	    "\n"
	    "options:\n"
	    "  --threshold PCT          |change| a verdict needs, in %% (default: %g)\n"
	    "  --threshold METRIC=PCT   for metrics matching the glob METRIC; repeatable,\n"
	    "                           the last match wins\n"
	    "  --alpha P                significance level (default: %g)\n"
	    "  --metric GLOB            compare only matching metrics; repeatable\n"
	    "  --format FORMAT          text (default), json, markdown, or github: the JSON\n"
	    "                           array github-action-benchmark reads, [{name: \"<label>\n"
	    "                           <metric>\", unit, value: new median, range: \"± half\n"
	    "                           the new median's 95%% interval\", extra}]\n"
	    "  --github-direction DIR   smaller (default): only lower-is-better metrics, for\n"
	    "                           tool: customSmallerIsBetter; bigger: only\n"
	    "                           higher-is-better ones, for customBiggerIsBetter. The\n"
	    "                           tool takes one direction per file; the exit status\n"
	    "                           still counts every compared metric\n"
	    "  --out FILE               write the report to FILE (atomically), not stdout\n"
	    "  --seed N                 bootstrap seed (default: %llu)\n",
	    CVB_COMPARE_THRESHOLD_DEFAULT, CVB_COMPARE_ALPHA_DEFAULT,
	    (unsigned long long)CVB_BOOTSTRAP_SEED_DEFAULT);
}

/* A percentage ("5", "5%", "2.5") in [0, 1e6]. */
static int parse_pct(const char *what, const char *text, double *out, struct cvb_error *err)
{
	char *end;

	errno = 0;
	double v = strtod(text, &end);
	if (end != text && *end == '%')
		end++;
	if (end == text || *end || errno || !isfinite(v) || v < 0 || v > 1e6)
		return cvb_error_set(
		    err, EINVAL, "%s: '%s' is not a percentage from 0 to 1000000 (e.g. 5 or 2.5%%)",
		    what, text);
	*out = v;
	return 0;
}

static int parse_threshold(const char *arg, struct cvb_compare_options *o,
                           struct cvb_metric_threshold *overrides, struct cvb_error *err)
{
	const char *eq = strrchr(arg, '=');

	if (!eq)
		return parse_pct("--threshold", arg, &o->threshold_pct, err);
	if (eq == arg)
		return cvb_error_set(err, EINVAL,
		                     "--threshold '%s': name a metric before '=' (e.g. "
		                     "startup_ns=10)",
		                     arg);
	struct cvb_metric_threshold *t = &overrides[o->n_thresholds];
	/* The pattern is the argument up to '='; argv is ours to cut. */
	((char *)arg)[eq - arg] = '\0';
	t->pattern = arg;
	if (parse_pct("--threshold", eq + 1, &t->pct, err) < 0)
		return -1;
	o->n_thresholds++;
	return 0;
}

enum {
	OPT_THRESHOLD = 256,
	OPT_ALPHA,
	OPT_FORMAT,
	OPT_METRIC,
	OPT_OUT,
	OPT_SEED,
	OPT_GITHUB_DIRECTION,
	OPT_HELP,
};

struct args {
	char *paths[2]; /* argv's */
	const char *out;
	enum cvb_compare_format format;
	const char *github_direction;
	struct cvb_compare_options o;
};

/* 0 parsed, 1 help shown, -1 with err. overrides and globs have argc slots. */
static int parse_args(int argc, char **argv, struct args *a, struct cvb_metric_threshold *overrides,
                      const char **globs, struct cvb_error *err)
{
	static const struct option opts[] = {
	    {"threshold", required_argument, NULL, OPT_THRESHOLD},
	    {"alpha", required_argument, NULL, OPT_ALPHA},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"metric", required_argument, NULL, OPT_METRIC},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"github-direction", required_argument, NULL, OPT_GITHUB_DIRECTION},
	    {"help", no_argument, NULL, OPT_HELP},
	    {0},
	};
	int64_t v;
	int c;

	memset(a, 0, sizeof(*a));
	cvb_compare_options_init(&a->o);
	a->o.thresholds = overrides;
	a->o.metric_globs = globs;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case OPT_THRESHOLD:
			if (parse_threshold(optarg, &a->o, overrides, err) < 0)
				return -1;
			break;
		case OPT_ALPHA: {
			char *end;
			errno = 0;
			a->o.alpha = strtod(optarg, &end);
			if (end == optarg || *end || errno || !(a->o.alpha > 0 && a->o.alpha < 1))
				return cvb_error_set(err, EINVAL,
				                     "--alpha: '%s' is not a probability between 0 "
				                     "and 1 (e.g. 0.01)",
				                     optarg);
			break;
		}
		case OPT_FORMAT:
			if (cvb_compare_format_parse(optarg, &a->format) < 0)
				return cvb_error_set(err, EINVAL,
				                     "--format: unknown format '%s' (text, json, "
				                     "markdown, github)",
				                     optarg);
			break;
		case OPT_METRIC:
			globs[a->o.n_metric_globs++] = optarg;
			break;
		case OPT_OUT:
			a->out = optarg;
			break;
		case OPT_SEED:
			if (cvb_parse_int64("--seed", optarg, 0, INT64_MAX, &v, err) < 0)
				return -1;
			a->o.seed = (uint64_t)v;
			break;
		case OPT_GITHUB_DIRECTION:
			if (strcmp(optarg, "smaller") != 0 && strcmp(optarg, "bigger") != 0)
				return cvb_error_set(
				    err, EINVAL,
				    "--github-direction: '%s' is neither smaller nor "
				    "bigger",
				    optarg);
			a->github_direction = optarg;
			break;
		case OPT_HELP:
			return 1;
		case ':':
			return cvb_error_set(
			    err, EINVAL, "option '%s' needs a value (see 'cvbench compare --help')",
			    argv[optind - 1]);
		default:
			return cvb_error_set(err, EINVAL,
			                     "unknown option '%s' (see 'cvbench compare --help')",
			                     argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cvb_error_set(err, EINVAL,
		                     "expected two results files, BASE.json and NEW.json, got %d "
		                     "(see 'cvbench compare --help')",
		                     argc - optind);
	if (a->github_direction && a->format != CVB_COMPARE_GITHUB)
		return cvb_error_set(err, EINVAL,
		                     "--github-direction applies to --format github only");
	a->paths[0] = argv[optind];
	a->paths[1] = argv[optind + 1];
	return 0;
}

/* Renders the report into memory, so that nothing is written unless all of
 * it could be made. */
static char *render(const struct cvb_compare_report *r, enum cvb_compare_format format, size_t *len,
                    struct cvb_error *err)
{
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);

	if (!mem) {
		cvb_error_errno(err, errno, "cannot buffer the report");
		return NULL;
	}
	int rc = cvb_compare_report_write(mem, format, r, err);
	if (fclose(mem) != 0 && rc == 0)
		rc = cvb_error_set(err, ENOMEM, "out of memory writing the report");
	if (rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}

int cvb_cmd_compare(int argc, char **argv)
{
	struct cvb_metric_threshold *overrides = calloc((size_t)argc, sizeof(*overrides));
	const char **globs = calloc((size_t)argc, sizeof(*globs));
	struct cvb_results_file files[2] = {0};
	struct cvb_comparison cmp = {0};
	struct cvb_error err = {0};
	struct args a;
	char *text = NULL;
	size_t len = 0;
	int status = CVB_EXIT_USAGE, rc;

	cvb_signals_install_reading();
	if (!overrides || !globs) {
		fprintf(stderr, "cvbench compare: out of memory\n");
		status = CVB_EXIT_FAILED;
		goto out;
	}
	rc = parse_args(argc, argv, &a, overrides, globs, &err);
	if (rc == 1) {
		usage(stdout);
		status = CVB_EXIT_OK;
		goto out;
	}
	if (rc < 0)
		goto fail;
	if (a.out && cvb_out_not_an_input(a.out, a.paths, 2, &err) < 0)
		goto fail;
	if (a.out && cvb_atomic_check_writable(a.out, &err) < 0) {
		cvb_error_prefix(&err, "cannot write the report");
		goto fail;
	}
	for (int i = 0; i < 2; i++)
		if (cvb_results_load(a.paths[i], &files[i], &err) < 0)
			goto fail;
	if (cvb_compare(&files[0], &files[1], &a.o, &cmp, &err) < 0)
		goto fail;
	if (cmp.same_run != CVB_SAME_RUN_NO) {
		char warn[1024];

		fprintf(stderr, "cvbench compare: warning: %s\n",
		        cvb_compare_same_run_text(&files[0], &files[1], &cmp, warn, sizeof(warn)));
	}
	struct cvb_compare_report r = {
	    .base = &files[0],
	    .cur = &files[1],
	    .options = &a.o,
	    .comparison = &cmp,
	    .github_bigger = a.github_direction && strcmp(a.github_direction, "bigger") == 0,
	};
	text = render(&r, a.format, &len, &err);
	if (!text || cvb_stop_signal)
		goto fail;
	if (a.out)
		rc = cvb_atomic_write(a.out, text, len, &err);
	else
		rc = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0
		         ? 0
		         : cvb_error_errno(&err, errno, "cannot write to standard output");
	if (rc < 0) {
		fprintf(stderr, "cvbench compare: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	status = cmp.count[CVB_VERDICT_REGRESSION] > 0 ? CVB_EXIT_FAILED : CVB_EXIT_OK;
	goto out;
fail:
	if ((status = cvb_signals_stopped("compare")))
		goto out;
	fprintf(stderr, "cvbench compare: %s\n", err.msg);
	status = err.code == ENOMEM ? CVB_EXIT_FAILED : CVB_EXIT_USAGE;
out:
	free(text);
	cvb_comparison_free(&cmp);
	cvb_results_free(&files[0]);
	cvb_results_free(&files[1]);
	free(overrides);
	free(globs);
	return status;
}
