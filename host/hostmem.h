/* The host's memory as the kernel accounts it: MemAvailable, dropping the
 * page cache before a reading, and KSM (kernel same-page merging). */
#ifndef CVB_HOSTMEM_H
#define CVB_HOSTMEM_H

#include "cvb_error.h"

#include <stdbool.h>
#include <stdint.h>

/* MemAvailable and MemTotal from <root>/proc/meminfo, in bytes; -1 on error. */
int cvb_hostmem_read(const char *root, int64_t *available, int64_t *total, struct cvb_error *err);

/* Writes back dirty pages and drops clean caches (root only), so that
 * MemAvailable before and after differ by what instances hold, not by
 * what the page cache happened to keep. */
int cvb_hostmem_drop_caches(struct cvb_error *err);

/* Memory to leave free whatever a density sweep wants: the larger of 1 GiB
 * and 10% of MemTotal. */
int64_t cvb_hostmem_reserve(int64_t total);

/* KSM: reads /sys/kernel/mm/ksm/<name> ("run", "pages_sharing", ...). */
int cvb_ksm_read(const char *name, int64_t *value);
int cvb_ksm_set_run(int on, struct cvb_error *err);

/* Waits until KSM has made two full scans since the call and its
 * pages_sharing stopped changing (less than 1% over two consecutive
 * one-second readings), at most max_ms; returns the final pages_sharing,
 * or -1 if KSM is unreadable. *settled tells whether it settled in time. */
int64_t cvb_ksm_wait_settled(int64_t max_ms, bool *settled);

#endif
