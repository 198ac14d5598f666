/* Matrix files: several blocks of `cvbench run` options measured in one run,
 * their cells interleaved. A block is parsed by the very code that parses
 * the command line, so a matrix can say nothing the CLI cannot. */
#include "plan.h"
#include "plan_options.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MATRIX_MAX_BYTES (1 << 20)
#define BLOCK_MAX_ARGS 256

void cvb_matrix_free(struct cvb_matrix *m)
{
	for (size_t i = 0; i < m->n_blocks; i++)
		free(m->blocks[i]);
	for (size_t i = 0; i < m->n_strings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->source);
	memset(m, 0, sizeof(*m));
}

/* Keeps a copy of text for as long as the matrix lives (plans point into
 * their arguments). */
static char *keep(struct cvb_matrix *m, const char *text)
{
	if (m->n_strings == m->cap_strings) {
		size_t cap = m->cap_strings ? m->cap_strings * 2 : 64;
		char **n = realloc(m->strings, cap * sizeof(*n));
		if (!n)
			return NULL;
		m->strings = n;
		m->cap_strings = cap;
	}
	char *s = strdup(text);
	if (s)
		m->strings[m->n_strings++] = s;
	return s;
}

static int line_of(const char *text, const char *at, int *col)
{
	int line = 1;
	const char *bol = text;
	for (const char *p = text; p < at && *p; p++)
		if (*p == '\n') {
			line++;
			bol = p + 1;
		}
	*col = (int)(at - bol) + 1;
	return line;
}

/* One JSON value as option text: numbers without a needless ".0". */
static int scalar_text(const cJSON *v, char *buf, size_t len)
{
	if (cJSON_IsString(v))
		return snprintf(buf, len, "%s", v->valuestring) < (int)len ? 0 : -1;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d > -9e18 && d < 9e18 && d == (double)(long long)d)
			snprintf(buf, len, "%lld", (long long)d);
		else
			snprintf(buf, len, "%g", d);
		return 0;
	}
	return -1;
}

struct argv_builder {
	char *argv[BLOCK_MAX_ARGS + 1];
	int argc;
};

static int push(struct cvb_matrix *m, struct argv_builder *b, const char *text)
{
	if (b->argc == BLOCK_MAX_ARGS)
		return -1;
	char *s = keep(m, text);
	if (!s)
		return -1;
	b->argv[b->argc++] = s;
	b->argv[b->argc] = NULL;
	return 0;
}

/* True if the command-line options ov name option k ("--k" or "--k=..."). */
static bool in_overrides(const char *k, int n_ov, char **ov)
{
	size_t len = strlen(k);
	for (int i = 0; i < n_ov; i++)
		if (strncmp(ov[i], "--", 2) == 0 && strncmp(ov[i] + 2, k, len) == 0 &&
		    (ov[i][2 + len] == '\0' || ov[i][2 + len] == '='))
			return true;
	return false;
}

/* The options of one JSON object: "key": value becomes --key=value; true a
 * bare --key (false: nothing); a list is comma-joined, or repeated for the
 * repeatable options (param, scenario); "param" may also be an object.
 * A key that a later source sets too (the block over the defaults, the
 * command line over both) is left out, so that the later one replaces it
 * whole, lists included; parameters instead apply one by one, last wins. */
static int object_to_args(struct cvb_matrix *m, const cJSON *obj, const cJSON *later, int n_ov,
                          char **ov, const char *where, struct argv_builder *b,
                          struct cvb_error *err)
{
	char val[1024], arg[1200];
	for (const cJSON *f = obj->child; f; f = f->next) {
		const char *k = f->string;
		const struct cvb_plan_option *o = cvb_plan_option_find(k);
		bool repeatable = o && (o->row->flags & CVB_OPTF_REPEATABLE);
		/* Before the skip below: even overridden, the field is refused. */
		if (cvb_plan_option_runs_program(k))
			return cvb_error_set(
			    err, EPERM,
			    "%s: field '%s' names what cvbench runs as root, which "
			    "comes from the command line only: pass --%s there",
			    where, k, k);
		if (strcmp(k, "param") != 0 &&
		    ((later && cJSON_HasObjectItem(later, k)) || in_overrides(k, n_ov, ov)))
			continue;
		if (strcmp(k, "name") == 0 || strcmp(k, "description") == 0 ||
		    strcmp(k, "comment") == 0)
			continue;
		if (o && (o->row->flags & CVB_OPTF_NOT_IN_MATRIX))
			return cvb_error_set(err, EINVAL,
			                     "%s: field '%s' is not allowed in a matrix", where, k);
		/* A flag takes true or false, and only a flag does: a bare
		 * "--out" would swallow the next option as its value. */
		if (cvb_plan_option_is_flag(k) != cJSON_IsBool(f))
			return cvb_error_set(
			    err, EINVAL,
			    cJSON_IsBool(f) ? "%s: field '%s' takes a value, not true or false"
			                    : "%s: field '%s' is a flag: give it true or false",
			    where, k);
		if (cJSON_IsBool(f)) {
			snprintf(arg, sizeof(arg), "--%s", k);
			if (cJSON_IsTrue(f) && push(m, b, arg) < 0)
				goto too_many;
			continue;
		}
		if (strcmp(k, "param") == 0 && cJSON_IsObject(f)) {
			for (const cJSON *p = f->child; p; p = p->next) {
				if (scalar_text(p, val, sizeof(val)) < 0)
					return cvb_error_set(
					    err, EINVAL, "%s: field 'param.%s' must be a number",
					    where, p->string);
				snprintf(arg, sizeof(arg), "--param=%s=%s", p->string, val);
				if (push(m, b, arg) < 0)
					goto too_many;
			}
			continue;
		}
		if (cJSON_IsArray(f)) {
			size_t off = 0;
			val[0] = '\0';
			for (const cJSON *e = f->child; e; e = e->next) {
				char one[256];
				if (scalar_text(e, one, sizeof(one)) < 0)
					return cvb_error_set(
					    err, EINVAL,
					    "%s: field '%s' must list strings or numbers", where,
					    k);
				if (repeatable) {
					snprintf(arg, sizeof(arg), "--%s=%s", k, one);
					if (push(m, b, arg) < 0)
						goto too_many;
				} else {
					off += (size_t)snprintf(val + off, sizeof(val) - off,
					                        "%s%s", off ? "," : "", one);
					if (off >= sizeof(val))
						return cvb_error_set(err, EINVAL,
						                     "%s: field '%s' is too long",
						                     where, k);
				}
			}
			if (!f->child)
				return cvb_error_set(err, EINVAL, "%s: field '%s' is an empty list",
				                     where, k);
			if (!repeatable) {
				snprintf(arg, sizeof(arg), "--%s=%s", k, val);
				if (push(m, b, arg) < 0)
					goto too_many;
			}
			continue;
		}
		if (scalar_text(f, val, sizeof(val)) < 0)
			return cvb_error_set(
			    err, EINVAL, "%s: field '%s' must be a string, number, boolean or list",
			    where, k);
		snprintf(arg, sizeof(arg), "--%s=%s", k, val);
		if (push(m, b, arg) < 0)
			goto too_many;
	}
	return 0;
too_many:
	return cvb_error_set(err, E2BIG, "%s: too many options", where);
}

/* The first field of a block that only "defaults" may give, or NULL. */
static const char *run_wide_field(const cJSON *blk)
{
	const struct cvb_plan_option *o;
	size_t n = cvb_plan_options(&o);
	for (size_t i = 0; i < n; i++)
		if ((o[i].row->flags & CVB_OPTF_RUN_WIDE) &&
		    cJSON_HasObjectItem(blk, o[i].row->name))
			return o[i].row->name;
	return NULL;
}

/* True if the argument is an option ("--out", "--out=F") that, alone, keeps
 * a bare `cvbench run` on the default matrix. */
static bool keeps_default_matrix(const char *a)
{
	char name[64];
	if (strncmp(a, "--", 2) != 0)
		return false;
	size_t len = strcspn(a + 2, "=");
	if (len >= sizeof(name))
		return false;
	memcpy(name, a + 2, len);
	name[len] = '\0';
	const struct cvb_plan_option *o = cvb_plan_option_find(name);
	return o && (o->row->flags & CVB_OPTF_KEEPS_DEFAULT);
}

/* One block: its options after the defaults, then the command line's
 * overrides, parsed as a `cvbench run` command line into a new plan. */
static int parse_block(struct cvb_matrix *m, const cJSON *defaults, const cJSON *blk, int bi,
                       const char *where, int n_overrides, char **overrides, struct cvb_error *err)
{
	const cJSON *bn = cJSON_GetObjectItemCaseSensitive(blk, "name");
	const char *wide = run_wide_field(blk);
	if (wide) {
		cvb_error_set(err, EINVAL,
		              "%s: field '%s' is for the whole run: put it in "
		              "\"defaults\" or on the command line",
		              where, wide);
		return -1;
	}
	struct argv_builder b = {.argc = 0};
	if (push(m, &b, "run") < 0 ||
	    (defaults &&
	     object_to_args(m, defaults, blk, n_overrides, overrides, where, &b, err) < 0) ||
	    object_to_args(m, blk, NULL, n_overrides, overrides, where, &b, err) < 0)
		return -1;
	const int n_matrix_args = b.argc;
	for (int i = 0; i < n_overrides; i++)
		if (push(m, &b, overrides[i]) < 0) {
			cvb_error_set(err, E2BIG, "%s: too many options", where);
			return -1;
		}
	struct cvb_plan *p = calloc(1, sizeof(*p));
	if (!p) {
		cvb_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	m->blocks[m->n_blocks++] = p;
	enum cvb_parse_result r = cvb_plan_parse(b.argc, b.argv, p, err);
	if (r == CVB_PARSE_HELP) {
		cvb_error_set(err, EINVAL, "%s: 'help' is not a run option", where);
		return -1;
	}
	/* An abbreviation ("launch") reaches getopt as the option itself:
	 * where the value came from is what counts. */
	if (r != CVB_PARSE_OK ||
	    cvb_plan_check_sources(p, 1, n_matrix_args, "the matrix", m->from_record, err) < 0 ||
	    cvb_plan_check_sources(p, n_matrix_args, n_matrix_args + m->n_recorded_overrides,
	                           "the results file's command line", true, err) < 0) {
		cvb_error_prefix(err, "%s", where);
		return -1;
	}
	if (cJSON_IsString(bn))
		snprintf(p->name, sizeof(p->name), "%s", bn->valuestring);
	else
		snprintf(p->name, sizeof(p->name), "block %d", bi);
	return 0;
}

int cvb_matrix_from_text(const char *path, const char *text, int n_overrides, char **overrides,
                         struct cvb_matrix *m, struct cvb_error *err)
{
	const char *end = NULL;
	cJSON *doc = cJSON_ParseWithOpts(text, &end, true);
	int rc = -1;
	if (!doc) {
		int col, line = line_of(text, end ? end : text, &col);
		return cvb_error_set(
		    err, EINVAL, "%s: line %d, column %d: not valid JSON (fix the syntax there)",
		    path, line, col);
	}
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(doc, "cvbench_matrix");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
	const cJSON *defaults = cJSON_GetObjectItemCaseSensitive(doc, "defaults");
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(doc, "blocks");
	if (!cJSON_IsObject(doc) || !cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		cvb_error_set(
		    err, EINVAL,
		    "%s: not a cvbench matrix (it needs \"cvbench_matrix\": 1 at the top)", path);
		goto out;
	}
	for (const cJSON *f = doc->child; f; f = f->next)
		if (strcmp(f->string, "cvbench_matrix") && strcmp(f->string, "name") &&
		    strcmp(f->string, "description") && strcmp(f->string, "defaults") &&
		    strcmp(f->string, "blocks")) {
			cvb_error_set(err, EINVAL,
			              "%s: unknown field '%s' at the top (known: cvbench_matrix, "
			              "name, description, defaults, blocks)",
			              path, f->string);
			goto out;
		}
	if (defaults && !cJSON_IsObject(defaults)) {
		cvb_error_set(err, EINVAL, "%s: field 'defaults' must be an object", path);
		goto out;
	}
	if (!cJSON_IsArray(blocks) || cJSON_GetArraySize(blocks) == 0) {
		cvb_error_set(err, EINVAL, "%s: field 'blocks' must be a non-empty list", path);
		goto out;
	}
	if (cJSON_GetArraySize(blocks) > CVB_MATRIX_MAX_BLOCKS) {
		cvb_error_set(err, EINVAL, "%s: at most %d blocks", path, CVB_MATRIX_MAX_BLOCKS);
		goto out;
	}
	if (cJSON_IsString(name))
		snprintf(m->name, sizeof(m->name), "%s", name->valuestring);
	int bi = 0;
	for (const cJSON *blk = blocks->child; blk; blk = blk->next, bi++) {
		char where[PATH_MAX + 128];
		const cJSON *bn = cJSON_GetObjectItemCaseSensitive(blk, "name");
		snprintf(where, sizeof(where), "%s: blocks[%d]%s%s%s", path, bi,
		         cJSON_IsString(bn) ? " '" : "", cJSON_IsString(bn) ? bn->valuestring : "",
		         cJSON_IsString(bn) ? "'" : "");
		if (!cJSON_IsObject(blk)) {
			cvb_error_set(err, EINVAL, "%s: must be an object of run options", where);
			goto out;
		}
		/* Names tell the cells of identical blocks apart: they must differ. */
		int bj = 0;
		for (const cJSON *o = blocks->child; o != blk; o = o->next, bj++) {
			const cJSON *on = cJSON_GetObjectItemCaseSensitive(o, "name");
			if (cJSON_IsString(bn) && cJSON_IsString(on) &&
			    strcmp(bn->valuestring, on->valuestring) == 0) {
				cvb_error_set(
				    err, EINVAL,
				    "%s: the name is already used by blocks[%d]; block names "
				    "must be unique",
				    where, bj);
				goto out;
			}
		}
		if (bn && !cJSON_IsString(bn)) {
			cvb_error_set(err, EINVAL, "%s: field 'name' must be a string", where);
			goto out;
		}
		if (parse_block(m, defaults, blk, bi, where, n_overrides, overrides, err) < 0)
			goto out;
	}
	rc = 0;
out:
	cJSON_Delete(doc);
	return rc;
}

int cvb_matrix_load(const char *path, int n_overrides, char **overrides, struct cvb_matrix *m,
                    struct cvb_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return cvb_error_errno(err, errno, "cannot read matrix '%s'", path);
	char *text = malloc(MATRIX_MAX_BYTES + 1);
	size_t n = text ? fread(text, 1, MATRIX_MAX_BYTES + 1, f) : 0;
	int rerr = ferror(f);
	fclose(f);
	if (!text)
		return cvb_error_set(err, ENOMEM, "out of memory");
	if (rerr || n > MATRIX_MAX_BYTES) {
		free(text);
		return cvb_error_set(err, EINVAL, "matrix '%s': %s", path,
		                     rerr ? "read error" : "larger than 1 MiB");
	}
	text[n] = '\0';
	if (strlen(text) != n) {
		free(text);
		return cvb_error_set(err, EINVAL, "matrix '%s': contains a NUL byte, not JSON text",
		                     path);
	}
	snprintf(m->path, sizeof(m->path), "%s", path);
	m->source = text;
	return cvb_matrix_from_text(path, text, n_overrides, overrides, m, err);
}

int cvb_matrix_locate(const char *name, char *out, size_t len, struct cvb_error *err)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return cvb_error_errno(err, errno, "cannot read /proc/self/exe");
	exe[n] = '\0';
	const char *dir = dirname(exe);
	/* build/cvbench in the source tree; bin/cvbench when installed. */
	const char *const rel[] = {"../matrices", "../share/cvbench/matrices"};
	for (size_t i = 0; i < 2; i++) {
		snprintf(out, len, "%s/%s/%s.json", dir, rel[i], name);
		if (access(out, R_OK) == 0)
			return 0;
	}
	return cvb_error_set(
	    err, ENOENT,
	    "cannot find the built-in matrix '%s' (looked in %s/../matrices and "
	    "%s/../share/cvbench/matrices); reinstall cvbench or pass --matrix FILE",
	    name, dir, dir);
}

enum cvb_parse_result cvb_matrix_parse_recorded(int argc, char **argv, int n_recorded,
                                                struct cvb_matrix *m, struct cvb_error *err)
{
	const char *matrix = NULL;
	char *rest[BLOCK_MAX_ARGS];
	int n_rest = 0, n_rest_recorded = 0;
	bool bare = true; /* nothing that selects what to measure */
	memset(m, 0, sizeof(*m));
	m->from_record = n_recorded > 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		bool is_matrix = strncmp(a, "--matrix", 8) == 0 && (a[8] == '=' || !a[8]);
		bool is_resume = strncmp(a, "--resume", 8) == 0 && (a[8] == '=' || !a[8]);
		if (is_resume && i < n_recorded)
			return cvb_error_set(
			           err, EINVAL,
			           "the results file's command line has --resume: a record "
			           "never does (not written by cvbench?)"),
			       CVB_PARSE_ERROR;
		if (is_matrix || is_resume) {
			if (a[8] == '=')
				val = a + 9;
			else if (i + 1 < argc)
				val = argv[++i];
			if (!val || !*val)
				return cvb_error_set(
				           err, EINVAL,
				           "option '%s' needs a file (see 'cvbench run --help')",
				           is_matrix ? "--matrix" : "--resume"),
				       CVB_PARSE_ERROR;
			if (is_matrix)
				matrix = val;
			else
				m->resume = val;
			continue;
		}
		if (n_rest == BLOCK_MAX_ARGS)
			return cvb_error_set(err, E2BIG, "too many options"), CVB_PARSE_ERROR;
		rest[n_rest++] = argv[i];
		n_rest_recorded += i < n_recorded;
		/* Only run-wide options (where to write, how quietly...) keep a
		 * bare `cvbench run` on the default matrix; any option about what
		 * to measure makes the command line a block of its own. */
		bool wide = keeps_default_matrix(a);
		if (!wide && a[0] == '-')
			bare = false;
	}
	if (m->resume) { /* the record says what to measure */
		static char *kept[BLOCK_MAX_ARGS];
		memcpy(kept, rest, (size_t)n_rest * sizeof(*rest));
		m->overrides = kept;
		m->n_overrides = n_rest;
		return CVB_PARSE_OK;
	}
	char found[PATH_MAX];
	if (!matrix && bare) {
		if (cvb_matrix_locate("default", found, sizeof(found), err) < 0)
			return CVB_PARSE_ERROR;
		matrix = found;
	}
	m->n_recorded_overrides = n_rest_recorded;
	if (matrix)
		return cvb_matrix_load(matrix, n_rest, rest, m, err) < 0 ? CVB_PARSE_ERROR
		                                                         : CVB_PARSE_OK;
	struct cvb_plan *p = calloc(1, sizeof(*p));
	if (!p)
		return cvb_error_set(err, ENOMEM, "out of memory"), CVB_PARSE_ERROR;
	m->blocks[m->n_blocks++] = p;
	enum cvb_parse_result r = cvb_plan_parse(argc, argv, p, err);
	if (r == CVB_PARSE_OK &&
	    cvb_plan_check_sources(p, 1, n_recorded, "the results file's command line", true, err) <
	        0)
		return CVB_PARSE_ERROR;
	return r;
}

enum cvb_parse_result cvb_matrix_parse_args(int argc, char **argv, struct cvb_matrix *m,
                                            struct cvb_error *err)
{
	return cvb_matrix_parse_recorded(argc, argv, 0, m, err);
}
