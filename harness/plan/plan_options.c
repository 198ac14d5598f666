/* The option list's machinery: built from the rows once, then getopt's
 * array, the dispatch by kind and the generated help. */
#include "plan_options.h"
#include "cvb_spawn.h"
#include "parse_num.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

extern const struct cvb_option cvb_plan_generic_rows[]; /* plan_rows.c */

static struct cvb_plan_option all[CVB_PLAN_MAX_OPTIONS];
static size_t n_all;

static void add_rows(const struct cvb_option *rows, const struct cvb_backend *b)
{
	for (size_t i = 0; rows && rows[i].name; i++) {
		if (n_all == CVB_PLAN_MAX_OPTIONS)
			abort(); /* a programming error: raise CVB_PLAN_MAX_OPTIONS */
		all[n_all++] = (struct cvb_plan_option){.row = &rows[i], .backend = b};
	}
}

size_t cvb_plan_options(const struct cvb_plan_option **out)
{
	if (!n_all) {
		add_rows(cvb_plan_generic_rows, NULL);
		for (size_t i = 0; cvb_backends[i]; i++)
			add_rows(cvb_backends[i]->options, cvb_backends[i]);
	}
	*out = all;
	return n_all;
}

const struct cvb_plan_option *cvb_plan_option_find(const char *name)
{
	const struct cvb_plan_option *o;
	size_t n = cvb_plan_options(&o);
	for (size_t i = 0; i < n; i++)
		if (strcmp(o[i].row->name, name) == 0)
			return &o[i];
	return NULL;
}

static bool takes_no_value(const struct cvb_option *r)
{
	return r->kind == CVB_OPT_FLAG || r->kind == CVB_OPT_FLAG_OFF || r->kind == CVB_OPT_HELP;
}

bool cvb_plan_option_is_flag(const char *name)
{
	const struct cvb_plan_option *o = cvb_plan_option_find(name);
	return o && takes_no_value(o->row);
}

bool cvb_plan_option_runs_program(const char *name)
{
	const struct cvb_plan_option *o = cvb_plan_option_find(name);
	return o && o->row->guard != CVB_GUARD_NONE && o->row->guard != CVB_GUARD_OUT;
}

void cvb_plan_options_getopt(struct option *out)
{
	const struct cvb_plan_option *o;
	size_t n = cvb_plan_options(&o), k = 0;
	for (size_t i = 0; i < n; i++)
		if (!(o[i].row->flags & CVB_OPTF_NOT_IN_BLOCK))
			out[k++] = (struct option){o[i].row->name,
			                           takes_no_value(o[i].row) ? no_argument
			                                                    : required_argument,
			                           NULL, CVB_PLAN_OPTION_VAL + (int)i};
	out[k] = (struct option){0};
}

/* The integer kinds: parsed as int64_t in [min, max], stored by width. */
static int apply_number(const struct cvb_option *r, void *dst, const char *what, const char *arg,
                        struct cvb_error *err)
{
	int64_t v;
	int rc;
	if (r->kind == CVB_OPT_SIZE || r->kind == CVB_OPT_SIZE_MIB)
		rc = cvb_parse_size(what, arg, r->min, r->max, &v, err);
	else if (r->kind == CVB_OPT_SECONDS_MS)
		rc = cvb_parse_seconds_ms(what, arg, r->min, r->max, &v, err);
	else
		rc = cvb_parse_int64(what, arg, r->min, r->max, &v, err);
	if (rc < 0)
		return -1;
	if (r->kind == CVB_OPT_UINT)
		*(unsigned *)dst = (unsigned)v;
	else if (r->kind == CVB_OPT_SIZE_MIB)
		*(unsigned *)dst = (unsigned)(v >> 20);
	else if (r->kind == CVB_OPT_U64)
		*(uint64_t *)dst = (uint64_t)v;
	else
		*(int64_t *)dst = v;
	return 0;
}

int cvb_plan_option_apply(const struct cvb_plan_option *o, struct cvb_plan *plan, const char *arg,
                          struct cvb_error *err)
{
	const struct cvb_option *r = o->row;
	void *storage = o->backend ? (void *)&plan->config : (void *)plan;
	void *dst = (char *)storage + r->offset;
	char what[80];
	snprintf(what, sizeof(what), "--%s", r->name);
	switch (r->kind) {
	case CVB_OPT_FLAG:
	case CVB_OPT_FLAG_OFF:
		*(bool *)dst = r->kind == CVB_OPT_FLAG;
		return 0;
	case CVB_OPT_STRING:
		if (r->expect && !*arg)
			return cvb_error_set(err, EINVAL, "%s: empty %s", what, r->expect);
		*(const char **)dst = arg;
		return 0;
	case CVB_OPT_CPULIST:
		/* 64: what the plan's copies of a list (scenarios) hold */
		if (cvb_cpulist_valid(arg, err) < 0 || strlen(arg) >= 64)
			return cvb_error_set(err, EINVAL, "%s: expected %s, got '%s'", what,
			                     r->expect, arg);
		*(const char **)dst = arg;
		return 0;
	case CVB_OPT_NAMES:
		return cvb_option_parse_names(what, arg, r->names, (unsigned *)dst, err);
	case CVB_OPT_CUSTOM:
		return r->parse(r, storage, arg, err);
	case CVB_OPT_HELP:
		return cvb_error_set(err, EINVAL, "internal: --help is not a value");
	default:
		return apply_number(r, dst, what, arg, err);
	}
}

/* One row's help text from column 21 on: "{def}" becomes its default, every line
 * after the first starts at column 21 too. */
static void print_text(FILE *out, const struct cvb_option *r)
{
	for (const char *p = r->help; *p; p++) {
		if (strncmp(p, "{def}", 5) == 0) {
			char def[128];
			if (r->def_text)
				r->def_text(def, sizeof(def));
			else
				snprintf(def, sizeof(def), "%lld", (long long)r->def);
			fputs(def, out);
			p += 4;
		} else if (*p == '\n') {
			fprintf(out, "\n%21s", "");
		} else {
			fputc(*p, out);
		}
	}
}

static void print_synopsis(FILE *out, const struct cvb_option *r, int *col)
{
	*col += fprintf(out, "--%s%s%s", r->name, r->arg ? " " : "", r->arg ? r->arg : "");
}

/* Rows [from, to) of the list: each on its line, or joined to the previous
 * one's (HELP_PAIR, HELP_INLINE). */
static void print_rows(FILE *out, const struct cvb_plan_option *o, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		const struct cvb_option *r = o[i].row;
		int col = fprintf(out, "  ");
		print_synopsis(out, r, &col);
		size_t j = i + 1;
		for (; j < to && (o[j].row->flags & CVB_OPTF_HELP_PAIR); j++) {
			col += fprintf(out, ", ");
			print_synopsis(out, o[j].row, &col);
		}
		/* A pair's second name gets a wider gap, to stand apart. */
		int gap = j > i + 1 ? 3 : 2;
		fprintf(out, "%*s", col + gap < 21 ? 21 - col : gap, "");
		print_text(out, r);
		for (; j < to && (o[j].row->flags & CVB_OPTF_HELP_INLINE); j++) {
			int dummy = 0;
			fprintf(out, "; ");
			print_synopsis(out, o[j].row, &dummy);
			fprintf(out, " ");
			print_text(out, o[j].row);
		}
		fprintf(out, "\n");
		i = j - 1;
	}
}

static void print_group(FILE *out, const char *heading, const struct cvb_plan_option *o,
                        size_t from, size_t to)
{
	if (from == to)
		return;
	fprintf(out, "\n");
	if (heading && *heading)
		fprintf(out, "%s\n", heading);
	print_rows(out, o, from, to);
}

void cvb_plan_options_usage(FILE *out)
{
	const struct cvb_plan_option *o;
	size_t n = cvb_plan_options(&o), generic = 0, first_end;
	while (generic < n && !o[generic].backend)
		generic++;
	first_end = 1;
	while (first_end < generic && !o[first_end].row->group)
		first_end++;
	print_rows(out, o, 0, first_end);
	for (size_t i = generic; i < n;) {
		size_t j = i;
		while (j < n && o[j].backend == o[i].backend)
			j++;
		print_group(out, o[i].backend->options_heading, o, i, j);
		i = j;
	}
	for (size_t i = first_end; i < generic;) {
		size_t j = i + 1;
		while (j < generic && !o[j].row->group)
			j++;
		print_group(out, o[i].row->group, o, i, j);
		i = j;
	}
}
