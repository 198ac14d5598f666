/* Host-side readings of a process from /proc, shared by the backends. */
#ifndef CVB_PROCFS_H
#define CVB_PROCFS_H

#include "cvb_error.h"

#include <stdint.h>
#include <sys/types.h>

struct cvb_proc_memory {
	int64_t rss_bytes, pss_bytes, uss_bytes; /* USS = private clean + dirty */
};

/* Reads <proc_root>/<pid>/smaps_rollup (proc_root is "/proc" on a host,
 * a fixture directory in tests). -1 with err if unreadable. */
int cvb_proc_memory_read(const char *proc_root, pid_t pid, struct cvb_proc_memory *out,
                         struct cvb_error *err);

/* Parses the text of an smaps_rollup file. -1 with err if Rss/Pss are absent. */
int cvb_proc_memory_parse(const char *text, struct cvb_proc_memory *out, struct cvb_error *err);

/* Rss and Pss (bytes) of the first mapping of exactly size_bytes in
 * <proc_root>/<pid>/smaps (a VM's guest RAM is one such mapping in QEMU).
 * -1 with err when there is none. */
int cvb_proc_mapping_of_size(const char *proc_root, pid_t pid, int64_t size_bytes, int64_t *rss,
                             int64_t *pss, struct cvb_error *err);

/* The same over the text of an smaps file. */
int cvb_proc_mapping_of_size_parse(const char *text, int64_t size_bytes, int64_t *rss, int64_t *pss,
                                   struct cvb_error *err);

/* User + system CPU time of a process from <proc_root>/<pid>/stat, in ns. */
int cvb_proc_cpu_ns_read(const char *proc_root, pid_t pid, int64_t *cpu_ns, struct cvb_error *err);

/* Parses the text of a /proc/<pid>/stat line (the comm may hold spaces and
 * parentheses); ticks_per_s is sysconf(_SC_CLK_TCK). */
int cvb_proc_stat_cpu_parse(const char *text, long ticks_per_s, int64_t *cpu_ns,
                            struct cvb_error *err);

/* Reads a whole small file into buf (NUL-terminated); returns its length or
 * -1 with err naming the path. */
ssize_t cvb_read_file(const char *path, char *buf, size_t buflen, struct cvb_error *err);

#endif
