/* `cvbench plot` as one all-or-nothing step: a temporary directory beside
 * the target, filled and then renamed into place. */
#include "plot_gnuplot.h"
#include "atomic_file.h"
#include "fsutil.h"
#include "report_view.h"
#include "signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* 1 if dir is absent, 0 if it may be replaced (an empty directory or an
 * earlier plots directory), -1 with err otherwise: a user's --out-dir that
 * happens to be /tmp must never be swapped out and deleted. */
static int check_target(const char *dir, struct cvb_error *err)
{
	struct stat st;
	if (lstat(dir, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return cvb_error_errno(err, errno, "cannot inspect '%s'", dir);
	}
	if (!S_ISDIR(st.st_mode))
		return cvb_error_set(err, ENOTDIR, "'%s' exists and is not a directory", dir);
	char manifest[PATH_MAX];
	snprintf(manifest, sizeof(manifest), "%s/%s", dir, CVB_PLOT_MANIFEST);
	if (access(manifest, F_OK) == 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return cvb_error_errno(err, errno, "cannot read '%s'", dir);
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)))
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	if (!empty)
		return cvb_error_set(
		    err, EEXIST,
		    "'%s' is not empty and holds no %s, so it is not a cvbench plots "
		    "directory; give a new or empty --out-dir",
		    dir, CVB_PLOT_MANIFEST);
	return 0;
}

static int write_manifest(const cJSON *doc, const struct cvb_plot_set *set, const char *dir,
                          struct cvb_error *err)
{
	struct cvb_strbuf b = {0};
	const char *run_id = cvb_rv_str(doc, "run_id");
	cvb_strbuf_printf(&b, "# cvbench plots\trun_id\t%s\n# plot\tstatus\ttitle or reason\n",
	                  run_id ? run_id : "unknown");
	for (int k = 0; k < CVB_PLOT_COUNT; k++) {
		const struct cvb_plot *p = &set->plot[k];
		cvb_strbuf_printf(&b, "%s\t%s\t", p->name, p->made ? "made" : "not made");
		cvb_dat_text(&b, p->made ? p->title : p->why_not, '\n');
	}
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, CVB_PLOT_MANIFEST);
	int rc = cvb_strbuf_ok(&b) ? cvb_atomic_write(path, b.s, b.len, err)
	                           : cvb_error_set(err, ENOMEM, "out of memory");
	cvb_strbuf_free(&b);
	return rc;
}

/* Puts tmp where dir is: a plain rename when dir is absent, else an atomic
 * exchange after which tmp holds the old directory, which is removed. */
static int install_dir(const char *tmp, const char *dir, bool exists, struct cvb_error *err)
{
	if (!exists) {
		if (rename(tmp, dir) < 0)
			return cvb_error_errno(err, errno, "cannot rename '%s' to '%s'", tmp, dir);
		return 0;
	}
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) < 0)
		return cvb_error_errno(err, errno, "cannot swap '%s' into place at '%s'", tmp, dir);
	if (cvb_remove_tree(tmp) < 0)
		fprintf(stderr, "cvbench: warning: the old plots remain in '%s': %s\n", tmp,
		        strerror(errno));
	return 0;
}

int cvb_plot_write(const cJSON *doc, const char *out_dir, struct cvb_plot_formats fmt,
                   struct cvb_plot_set *set_out, struct cvb_error *err)
{
	char gnuplot[PATH_MAX], templates[PATH_MAX], tmp[PATH_MAX], dbuf[PATH_MAX], bbuf[PATH_MAX];
	struct cvb_plot_set set;
	int rc = -1;
	bool made_tmp = false;

	if (cvb_gnuplot_locate(gnuplot, sizeof(gnuplot), err) < 0)
		return CVB_PLOT_NO_GNUPLOT;
	if (cvb_plot_templates_locate(templates, sizeof(templates), err) < 0)
		return -1;
	if (cvb_plot_data_build(doc, &set, err) < 0)
		goto out;
	int absent = check_target(out_dir, err);
	if (absent < 0) {
		rc = CVB_PLOT_BAD_TARGET;
		goto out;
	}
	snprintf(dbuf, sizeof(dbuf), "%s", out_dir);
	snprintf(bbuf, sizeof(bbuf), "%s", out_dir);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.XXXXXX", dirname(dbuf), basename(bbuf)) >=
	    (int)sizeof(tmp)) {
		cvb_error_set(err, ENAMETOOLONG, "path too long: '%s'", out_dir);
		goto out;
	}
	if (!mkdtemp(tmp)) {
		cvb_error_errno(err, errno, "cannot create a directory beside '%s'", out_dir);
		goto out;
	}
	made_tmp = true;
	if (chmod(tmp, 0755) < 0) {
		cvb_error_errno(err, errno, "chmod '%s'", tmp);
		goto out;
	}
	if (cvb_plot_render(doc, &set, tmp, gnuplot, templates, fmt, err) < 0 ||
	    write_manifest(doc, &set, tmp, err) < 0)
		goto out;
	/* The last moment a stop signal can keep the plots out of place. */
	if (cvb_stop_signal) {
		cvb_error_set(err, EINTR, "interrupted by signal %d", (int)cvb_stop_signal);
		goto out;
	}
	if (install_dir(tmp, out_dir, !absent, err) < 0)
		goto out;
	made_tmp = false;
	rc = 0;
out:
	if (made_tmp)
		cvb_remove_tree(tmp);
	if (set_out && rc == 0)
		*set_out = set;
	else
		cvb_plot_data_free(&set);
	return rc;
}
