/* Read-only access to a results document (the parsed JSON) for `plot` and
 * `report`. Files come from older and newer builds, so every getter
 * tolerates a missing or mistyped field by answering NULL / false: missing
 * data is reported as "not measured", never as a crash or a zero. */
#ifndef CVB_REPORT_VIEW_H
#define CVB_REPORT_VIEW_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

/* obj.key, or NULL (obj may be NULL or not an object). */
const cJSON *cvb_rv_get(const cJSON *obj, const char *key);

/* A dotted path ("host.kernel.release") from obj, or NULL. */
const cJSON *cvb_rv_path(const cJSON *obj, const char *dotted);

/* The string at obj.key / the dotted path, or NULL when absent or not a string. */
const char *cvb_rv_str(const cJSON *obj, const char *key);
const char *cvb_rv_path_str(const cJSON *obj, const char *dotted);

/* The number at obj.key into *out; false (out untouched) when absent. */
bool cvb_rv_num(const cJSON *obj, const char *key, double *out);

/* The cell's identity: its "label", or for files written before labels
 * existed backend "/" workload and " name=value" per parameter, sorted by
 * name (cvb_cell_label_fallback: the same derivation compare and merge use). */
void cvb_rv_cell_label(const cJSON *cell, char *buf, size_t len);

/* The host facts: "host", or the first of a merged file's "hosts"; NULL
 * when the file has neither. */
const cJSON *cvb_rv_host(const cJSON *doc);

/* "ok", "failed", "skipped", "incomplete" (or "unknown"). */
const char *cvb_rv_cell_status(const cJSON *cell);

/* The cell's reason when not ok, or NULL. */
const char *cvb_rv_cell_reason(const cJSON *cell);

/* N of a density cell; 1 when the field is absent. */
int cvb_rv_cell_instances(const cJSON *cell);

/* A density cell: N instances up at once, no noisy-neighbour scenario. */
bool cvb_rv_cell_density(const cJSON *cell);

/* A plain cell: one instance at a time, no noisy-neighbour scenario. The
 * seed table's startup, memory and isolation rows come from these. */
bool cvb_rv_cell_plain(const cJSON *cell);

/* The summary of one metric of a cell, flattened. */
struct cvb_rv_stat {
	const char *unit; /* points into the document */
	size_t n;
	double min, p50, p90, p99, max;
	double ci_lo, ci_hi; /* 95% interval of the median */
	bool has_ci;
};

/* Fills st from cell.metrics[metric].summary; false when the metric or its
 * summary is absent (no ok samples). */
bool cvb_rv_metric_stat(const cJSON *cell, const char *metric, struct cvb_rv_stat *st);

/* The metric's raw samples, malloc'd into *out (caller frees); returns their
 * number, 0 (and *out NULL) when there are none. */
size_t cvb_rv_metric_samples(const cJSON *cell, const char *metric, double **out);

/* Backend names in the order of config.backends, then any other backend a
 * cell names; pointers into the document. Returns how many (at most max). */
size_t cvb_rv_backends(const cJSON *doc, const char **names, size_t max);

/* Formats "1.02 ms [970 us .. 1.08 ms]" (value and 95% interval of the
 * median with units), or the value alone when there is no interval. */
void cvb_rv_format_stat(const struct cvb_rv_stat *st, char *buf, size_t len);

/* The VM accelerator the run used ("kvm" or "tcg") and, in *reason, why
 * (may be NULL), from the VM cells' backend_setup or launch facts; NULL
 * when no VM cell says. */
const char *cvb_rv_vm_accel(const cJSON *doc, const char **reason);

/* One line for plot captions: host, CPU, PUs, kernel, accelerator. */
void cvb_rv_caption(const cJSON *doc, char *buf, size_t len);

#endif
