/* Helpers shared by the noisy-neighbour workloads (cpu-victim, mem-victim,
 * wake-victim, io-hog): percentiles of per-operation samples taken inside the
 * agent, and the two system readings that size their memory (the instance's
 * MemAvailable, a cache size from sysfs). Parsing takes paths or strings so
 * that unit tests can feed it made-up files. */
#ifndef CVB_VICTIM_STATS_H
#define CVB_VICTIM_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sort ascending, in place (qsort). */
void cvb_victim_sort_i64(int64_t *v, size_t n);
void cvb_victim_sort_f64(double *v, size_t n);

/* Quantile q (0..1, clamped) of an ascending array by linear interpolation
 * between closest ranks (Hyndman & Fan type 7, the default of R and numpy):
 * h = (n - 1) q, result v[floor h] + (h - floor h) (v[floor h + 1] - v[floor h]).
 * Returns NAN for n == 0: callers that must print a number decide what an
 * empty sample means. */
double cvb_victim_quantile_i64(const int64_t *sorted, size_t n, double q);
double cvb_victim_quantile_f64(const double *sorted, size_t n, double q);

/* MemAvailable from a meminfo-format file (normally "/proc/meminfo"), in
 * bytes; -1 if the file or the line is missing or malformed. */
int64_t cvb_victim_mem_available(const char *meminfo_path);

/* A sysfs cache size such as "32768K", "8M", "512" (bytes), with or without
 * a trailing newline; -1 if malformed or not positive. */
int64_t cvb_victim_parse_cache_size(const char *text);

#endif
