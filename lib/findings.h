/* Findings: what a check of the host or of a measurement concluded, as a
 * verdict (ok / warn / fail), the evidence behind it and how to fix it.
 * `cvbench doctor` prints them, `cvbench run` records them (host.preflight[]
 * before it measures, checks[] after) and the report shows the warnings at
 * its top. A finding is plain data: any module can add one. */
#ifndef CVB_FINDINGS_H
#define CVB_FINDINGS_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum cvb_level { CVB_LEVEL_OK, CVB_LEVEL_WARN, CVB_LEVEL_FAIL };

struct cvb_finding {
	char check[48];    /* stable machine name: "libvirt.caps_cache", "host.load" */
	char subject[96];  /* what it is about: "" (the host), a backend, a cell label */
	enum cvb_level verdict;
	char evidence[640]; /* what was seen, with numbers */
	char fix[384];      /* what to do about it; "" when there is nothing to do */
};

struct cvb_findings {
	struct cvb_finding *v; /* owned */
	size_t n, cap;
	bool broken; /* an allocation failed: some findings are missing */
};

/* Appends a finding; evidence is printf-style. fix and subject may be NULL
 * or "". Returns the new finding, or NULL (list marked broken) on ENOMEM. */
struct cvb_finding *cvb_findings_add(struct cvb_findings *f, const char *check,
                                     const char *subject, enum cvb_level verdict,
                                     const char *fix, const char *evidence_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The worst verdict in the list (CVB_LEVEL_OK when empty). */
enum cvb_level cvb_findings_worst(const struct cvb_findings *f);

/* How many findings have exactly this verdict. */
size_t cvb_findings_count(const struct cvb_findings *f, enum cvb_level v);

/* "ok", "warn" or "fail". */
const char *cvb_level_name(enum cvb_level v);

/* Parses "ok"/"warn"/"fail"; -1 if it is none of them. */
int cvb_level_parse(const char *text, enum cvb_level *out);

/* The findings as a JSON array of {check, subject, verdict, evidence, fix}
 * (caller owns), or NULL on ENOMEM. */
cJSON *cvb_findings_to_json(const struct cvb_findings *f);

/* Appends the findings of a JSON array made by cvb_findings_to_json (a
 * results file's host.preflight or checks); items that do not fit the
 * shape are skipped. Returns how many were added. */
size_t cvb_findings_from_json(struct cvb_findings *f, const cJSON *arr);

/* Prints one finding per block: "  warn  host.load  evidence\n        fix: ..."
 * With only_problems, ok findings are left out. */
void cvb_findings_print(FILE *out, const struct cvb_findings *f, bool only_problems);

void cvb_findings_free(struct cvb_findings *f);

#endif
