#include "plot_gnuplot.h"
#include "signals.h"
#include "atomic_file.h"
#include "cvb_spawn.h"
#include "report_view.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GNUPLOT_TIMEOUT_MS 60000

int cvb_plot_formats_parse(const char *list, struct cvb_plot_formats *f, struct cvb_error *err)
{
	*f = (struct cvb_plot_formats){0};
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		if (n == 3 && strncmp(p, "png", 3) == 0)
			f->png = true;
		else if (n == 3 && strncmp(p, "svg", 3) == 0)
			f->svg = true;
		else
			return cvb_error_set(
			    err, EINVAL, "unknown plot format '%.*s' in '%s' (formats: png, svg)",
			    (int)n, p, list);
		p += n + (p[n] == ',');
	}
	if (!f->png && !f->svg)
		return cvb_error_set(err, EINVAL, "no plot format in '%s' (formats: png, svg)",
		                     list);
	return 0;
}

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int cvb_gnuplot_locate(char *out, size_t len, struct cvb_error *err)
{
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		char cand[PATH_MAX];
		/* An empty PATH entry means the current directory. */
		if (snprintf(cand, sizeof(cand), "%.*s/gnuplot", (int)(n ? n : 1), n ? path : ".") <
		        (int)sizeof(cand) &&
		    is_executable_file(cand) && realpath(cand, out) && strlen(out) < len)
			return 0;
		path += n + (path[n] == ':');
	}
	return cvb_error_set(err, ENOENT, CVB_GNUPLOT_MISSING_MSG);
}

static bool templates_in(const char *dir)
{
	char a[PATH_MAX + 32], b[PATH_MAX + 32];
	snprintf(a, sizeof(a), "%s/common.gp", dir);
	snprintf(b, sizeof(b), "%s/startup.gp", dir);
	return access(a, R_OK) == 0 && access(b, R_OK) == 0;
}

int cvb_plot_templates_locate(char *out, size_t len, struct cvb_error *err)
{
	const char *env = getenv("CVB_PLOTS_DIR");
	if (env && *env) {
		if (!templates_in(env) || !realpath(env, out) || strlen(out) >= len)
			return cvb_error_set(err, ENOENT,
			                     "$CVB_PLOTS_DIR '%s' holds no gnuplot templates "
			                     "(common.gp, startup.gp)",
			                     env);
		return 0;
	}
	char exe[PATH_MAX], cand[2][PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return cvb_error_errno(err, errno, "cannot read /proc/self/exe");
	exe[n] = '\0';
	const char *dir = dirname(exe);
	snprintf(cand[0], sizeof(cand[0]), "%s/../share/cvbench/plots", dir);
	snprintf(cand[1], sizeof(cand[1]), "%s/../plots", dir);
	for (int i = 0; i < 2; i++)
		if (templates_in(cand[i]) && realpath(cand[i], out) && strlen(out) < len)
			return 0;
	return cvb_error_set(err, ENOENT,
	                     "cannot find the gnuplot templates (looked in %s and %s); "
	                     "'make install' puts them in share/cvbench/plots, or set "
	                     "$CVB_PLOTS_DIR",
	                     cand[0], cand[1]);
}

static int write_file(const char *dir, const char *name, const char *ext, const char *text,
                      struct cvb_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s%s", dir, name, ext);
	return cvb_atomic_write(path, text, strlen(text), err);
}

/* The driver: sets the variables, then loads the template once per
 * format. It names its directory through `plotdir` (given with -e), so the
 * copy kept beside the images redraws them in place: `gnuplot NAME.gnuplot`. */
static void driver_text(const cJSON *doc, const struct cvb_plot *p, const char *templates,
                        struct cvb_plot_formats fmt, struct cvb_strbuf *b)
{
	char caption[512];
	cvb_rv_caption(doc, caption, sizeof(caption));
	cvb_strbuf_printf(b,
	                  "# %s: made by cvbench plot. Redraw in this directory with "
	                  "'gnuplot %s.gnuplot'.\n",
	                  p->name, p->name);
	cvb_strbuf_puts(b, "if (!exists(\"plotdir\")) plotdir = '.'\n"
	                   "if (!exists(\"template_dir\")) template_dir = ");
	cvb_gp_quote(b, templates);
	cvb_strbuf_printf(b, "\ndatafile = plotdir.'/%s.dat'\n", p->name);
	cvb_gp_var_str(b, "caption", caption);
	cvb_strbuf_puts(b, cvb_strbuf_str(&p->vars));
	static const struct {
		const char *ext, *term;
	} terms[] = {
	    {"png", "pngcairo size 1100,650 noenhanced font 'Sans,10'"},
	    {"svg", "svg size 1100,650 dynamic noenhanced font 'Sans,10' background rgb 'white'"},
	};
	for (int i = 0; i < 2; i++) {
		if ((i == 0 && !fmt.png) || (i == 1 && !fmt.svg))
			continue;
		cvb_strbuf_printf(b,
		                  "set terminal %s\nset output plotdir.'/%s.%s'\n"
		                  "load template_dir.'/%s.gp'\nset output\n",
		                  terms[i].term, p->name, terms[i].ext, p->name);
	}
}

/* The last three lines of gnuplot's output on one line: enough to say
 * what broke, and error messages are one line. */
static const char *tail_of(char *out)
{
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	char *start = out;
	int lines = 0;
	for (size_t i = n; i > 0; i--)
		if (out[i - 1] == '\n' && ++lines == 3) {
			start = out + i;
			break;
		}
	for (char *c = start; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return start;
}

static int run_gnuplot(const char *gnuplot, const char *dir, const struct cvb_plot *p,
                       struct cvb_plot_formats fmt, struct cvb_error *err)
{
	char script[PATH_MAX], setdir[PATH_MAX + 32], out[4096];
	struct cvb_strbuf q = {0};
	snprintf(script, sizeof(script), "%s/%s.gnuplot", dir, p->name);
	cvb_strbuf_puts(&q, "plotdir = ");
	cvb_gp_quote(&q, dir);
	snprintf(setdir, sizeof(setdir), "%s", cvb_strbuf_str(&q));
	cvb_strbuf_free(&q);
	char *argv[] = {(char *)gnuplot, (char *)"-e", setdir, script, NULL};
	int rc = cvb_spawn_capture(argv, out, sizeof(out), GNUPLOT_TIMEOUT_MS, err);
	if (rc < 0)
		return cvb_error_prefix(err, "plot '%s'", p->name);
	if (rc != 0)
		return cvb_error_set(err, EIO, "gnuplot failed on plot '%s' (exit %d): %s", p->name,
		                     rc, tail_of(out));
	for (int i = 0; i < 2; i++) {
		const char *ext = i ? "svg" : "png";
		struct stat st;
		char img[PATH_MAX];
		if ((i == 0 && !fmt.png) || (i == 1 && !fmt.svg))
			continue;
		snprintf(img, sizeof(img), "%s/%s.%s", dir, p->name, ext);
		if (stat(img, &st) < 0 || st.st_size == 0)
			return cvb_error_set(err, EIO, "gnuplot wrote no %s for plot '%s': %s", ext,
			                     p->name, out[0] ? tail_of(out) : "(no output)");
	}
	return 0;
}

int cvb_plot_render(const cJSON *doc, const struct cvb_plot_set *set, const char *dir,
                    const char *gnuplot, const char *templates, struct cvb_plot_formats fmt,
                    struct cvb_error *err)
{
	for (int k = 0; k < CVB_PLOT_COUNT; k++) {
		const struct cvb_plot *p = &set->plot[k];
		if (!p->made)
			continue;
		/* A stop signal ends the plots between gnuplot runs (one runs to
		 * its end, under a second with the decimated data). */
		if (cvb_stop_signal)
			return cvb_error_set(err, EINTR, "interrupted by signal %d",
			                     (int)cvb_stop_signal);
		struct cvb_strbuf drv = {0};
		driver_text(doc, p, templates, fmt, &drv);
		int rc = cvb_strbuf_ok(&drv) ? 0 : cvb_error_set(err, ENOMEM, "out of memory");
		if (rc == 0)
			rc = write_file(dir, p->name, ".dat", cvb_strbuf_str(&p->data), err);
		if (rc == 0)
			rc = write_file(dir, p->name, ".gnuplot", cvb_strbuf_str(&drv), err);
		cvb_strbuf_free(&drv);
		if (rc == 0)
			rc = run_gnuplot(gnuplot, dir, p, fmt, err);
		if (rc < 0 && cvb_stop_signal) /* gnuplot got the terminal's signal too */
			return cvb_error_set(err, EINTR, "interrupted by signal %d",
			                     (int)cvb_stop_signal);
		if (rc < 0)
			return -1;
	}
	if (cvb_stop_signal)
		return cvb_error_set(err, EINTR, "interrupted by signal %d", (int)cvb_stop_signal);
	return 0;
}
