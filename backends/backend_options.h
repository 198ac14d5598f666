/* Options as data: one row per `cvbench run` option, declared by whoever
 * owns it (the harness for generic ones, a backend for its own, the way
 * fio's ioengines carry their .options). The rows drive getopt, the
 * dispatch, matrix keys, the guarded check and the help text
 * (harness/plan/plan_options.c). */
#ifndef CVB_BACKEND_OPTIONS_H
#define CVB_BACKEND_OPTIONS_H

#include "cvb_error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Options whose value names what cvbench, as root, executes or boots: the
 * agent, a launcher command, a guest kernel, a libvirt URI (a transport such
 * as qemu+ext:// names a command libvirt runs) and, written to, --out. The
 * parser notes where each came from, so that the text of a file (a matrix,
 * a results file's recorded command line) cannot name them. */
enum cvb_guarded_option {
	CVB_GUARD_NONE, /* an ordinary option */
	CVB_GUARD_AGENT,
	CVB_GUARD_LAUNCHER,
	CVB_GUARD_KERNEL,
	CVB_GUARD_CONNECT,
	CVB_GUARD_OUT,
	CVB_N_GUARDED
};

/* How a value is read and where it goes (at .offset of the row's storage:
 * struct cvb_plan for generic rows, struct cvb_instance_config for a
 * backend's). Range checks use .min/.max. */
enum cvb_option_kind {
	CVB_OPT_FLAG,       /* no value: bool set to true */
	CVB_OPT_FLAG_OFF,   /* no value: bool set to false (--no-...) */
	CVB_OPT_INT,        /* int64_t */
	CVB_OPT_UINT,       /* unsigned */
	CVB_OPT_U64,        /* uint64_t (63 bits suffice: parsed as int64_t) */
	CVB_OPT_SIZE,       /* int64_t bytes, "64M" */
	CVB_OPT_SIZE_MIB,   /* unsigned MiB, from a size in bytes */
	CVB_OPT_SECONDS_MS, /* int64_t ms, from seconds */
	CVB_OPT_STRING,     /* const char * to the argument; with .expect: not empty */
	CVB_OPT_CPULIST,    /* const char *, a CPU list; .expect says what one looks like */
	CVB_OPT_NAMES,      /* unsigned bits from a comma list of .names, all or none */
	CVB_OPT_CUSTOM,     /* .parse does it */
	CVB_OPT_HELP,       /* --help */
};

enum cvb_option_flags {
	/* Matrix files give it in "defaults" only: it is about the whole run. */
	CVB_OPTF_RUN_WIDE = 1u << 0,
	/* Given alone, `cvbench run` still measures the default matrix. */
	CVB_OPTF_KEEPS_DEFAULT = 1u << 1,
	/* Never a matrix field (--matrix, --resume, --help). */
	CVB_OPTF_NOT_IN_MATRIX = 1u << 2,
	/* Read before the block parser (matrix.c): not a getopt row. */
	CVB_OPTF_NOT_IN_BLOCK = 1u << 3,
	/* A cgroup limit a --scenario may give its aggressor (KEY=VALUE). */
	CVB_OPTF_SCENARIO_LIMIT = 1u << 4,
	/* Given several times, each counts (a matrix list becomes one each). */
	CVB_OPTF_REPEATABLE = 1u << 7,
	/* Help: shares the previous row's line and text ("--a L, --b L  text"). */
	CVB_OPTF_HELP_PAIR = 1u << 5,
	/* Help: continues the previous row's text ("text; --b N its text"). */
	CVB_OPTF_HELP_INLINE = 1u << 6,
};

/* Which commands take the option (all are `run` options today). */
enum cvb_option_commands { CVB_OPT_CMD_RUN = 1u << 0 };

struct cvb_option;
typedef int (*cvb_option_parse_fn)(const struct cvb_option *o, void *storage, const char *arg,
                                   struct cvb_error *err);

struct cvb_option {
	const char *name; /* the long option, without "--" */
	enum cvb_option_kind kind;
	size_t offset;             /* of the value in the row's storage */
	int64_t min, max;          /* integer and size kinds */
	const char *const *names;  /* CVB_OPT_NAMES: NULL-terminated, bit i = names[i] */
	const char *expect;        /* STRING: what may not be empty; CPULIST: an example */
	cvb_option_parse_fn parse; /* CVB_OPT_CUSTOM */
	enum cvb_guarded_option guard;
	unsigned flags;    /* enum cvb_option_flags */
	unsigned commands; /* enum cvb_option_commands; 0 means run */
	/* Help: the value's name ("LIST"), the text (lines split by '\n';
	 * "{def}" shows what .def_text writes, else the number .def), and for
	 * generic rows a heading starting a new group ("" a group without one). */
	const char *arg;
	const char *help;
	int64_t def;
	void (*def_text)(char *buf, size_t len);
	const char *group;
};

/* A comma list of names into bits (bit i for names[i]); "none" is 0, "all"
 * every bit. what names the option in errors ("--ns"). */
int cvb_option_parse_names(const char *what, const char *arg, const char *const *names,
                           unsigned *out, struct cvb_error *err);

#endif
