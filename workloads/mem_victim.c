/* `mem-victim`: a pointer chase over a working set larger than the last-level
 * cache, so that every load goes to memory. The victim of memory neighbour
 * tests: a mem-hog next to it takes memory bandwidth and evicts the shared
 * cache, and a hypervisor adds its second level of address translation to
 * every TLB miss.
 *
 * The chain is one random cycle through all cache lines of the buffer
 * (Sattolo's algorithm, fixed seed: the same chain on every run), one
 * pointer per 64-byte line: each load depends on the previous one and lands
 * on a line, usually a page, that no prefetcher could guess. Building it
 * touches every page, before the clock starts. */
#include "victim_stats.h"
#include "workload.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

enum { MEM_VICTIM_SIZE_MIB, MEM_VICTIM_ACCESSES };

static const struct cvb_param_desc mem_victim_params[] = {
    [MEM_VICTIM_SIZE_MIB] = {"size_mib",
                             "working set in MiB (0: 2x the largest cache, at least 64)", 0, 0,
                             1048576},
    [MEM_VICTIM_ACCESSES] = {"accesses", "dependent loads timed", 2000000, 1, 1000000000},
    {0},
};

static const struct cvb_metric_desc mem_victim_metrics[] = {
    {"victim_total_ns", "ns", CVB_LOWER_IS_BETTER, "wall time of all timed loads"},
    {"access_ns", "ns", CVB_LOWER_IS_BETTER, "mean wall time of one dependent load"},
    {"access_p99_ns", "ns", CVB_LOWER_IS_BETTER,
     "99th percentile over batches of the per-load time within a batch"},
    {0},
};

#define MIB ((int64_t)1 << 20)
/* The working set when sysfs says nothing, and its floor otherwise: above
 * the L3 of most servers even when their caches are hidden (some VMs). */
#define MEM_VICTIM_MIN_AUTO (64 * MIB)
/* What stays free for the rest of the instance (a VM guest has ~256 MiB). */
#define MEM_VICTIM_HEADROOM (32 * MIB)
/* Loads per clock read: ~1 ms natively, so reading the clock costs nothing
 * measurable, and a 2-million-load run still gives 200 batches for its p99. */
#define MEM_VICTIM_BATCH 10000
#define MEM_VICTIM_SEED UINT64_C(0x6376622d6d656d21) /* "cvb-mem!" */

/* One cache line. While the chain is built the field holds a line index,
 * afterwards the pointer to the next line. */
struct chase_line {
	union {
		struct chase_line *next;
		size_t idx;
	};
	char pad[64 - sizeof(void *)];
};

_Static_assert(sizeof(struct chase_line) == 64, "one chase line per 64-byte cache line");

static volatile uintptr_t mem_victim_sink;

/* Largest cache of CPU 0 in bytes, -1 if sysfs has none (some VMs, or no
 * /sys in the instance). */
static int64_t largest_cache(void)
{
	int64_t best = -1;
	for (int i = 0; i < 16; i++) {
		char path[80], buf[32];
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		FILE *f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			int64_t v = cvb_victim_parse_cache_size(buf);
			if (v > best)
				best = v;
		}
		fclose(f);
	}
	return best;
}

/* Builds the chain in lines[0..n) and returns its start. The first pass
 * writes every line in order, which also makes the kernel back every page. */
static struct chase_line *build_chain(struct chase_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lines[i].idx = i;
	/* Sattolo: like Fisher-Yates but j < i strictly, which yields a single
	 * cycle through all n lines (i -> idx[i]), never shorter loops that
	 * would fit in the cache. */
	uint64_t rng = MEM_VICTIM_SEED;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(cvb_wl_splitmix64(&rng) % i);
		size_t t = lines[i].idx;
		lines[i].idx = lines[j].idx;
		lines[j].idx = t;
	}
	for (size_t i = 0; i < n; i++)
		lines[i].next = &lines[lines[i].idx];
	return &lines[0];
}

/* noinline: the loop the clock brackets is exactly this one. */
__attribute__((noinline)) static struct chase_line *chase(struct chase_line *p, size_t loads)
{
	while (loads--)
		p = p->next;
	return p;
}

static int mem_victim_run(const struct cvb_workload_ctx *ctx)
{
	const int fd = ctx->out_fd;
	const int64_t llc = largest_cache();
	int64_t size = ctx->param[MEM_VICTIM_SIZE_MIB] * MIB;
	if (size == 0) {
		size = llc > 0 ? 2 * llc : MEM_VICTIM_MIN_AUTO;
		if (size < MEM_VICTIM_MIN_AUTO)
			size = MEM_VICTIM_MIN_AUTO;
	}
	/* The instance's own view: a VM guest's RAM, or the host's for a
	 * process or container. A chase that pushed the guest into its OOM
	 * killer would take the agent, PID 1, and with it the whole guest. */
	const int64_t avail = cvb_victim_mem_available("/proc/meminfo");
	bool shrunk = false;
	if (avail >= 0 && avail < size + MEM_VICTIM_HEADROOM) {
		size = (avail - MEM_VICTIM_HEADROOM) / MIB * MIB;
		shrunk = true;
		if (size < MIB) {
			char msg[128];
			snprintf(msg, sizeof(msg),
			         "only %lld MiB available, too little for a working set beside "
			         "%lld MiB of headroom",
			         (long long)(avail / MIB), (long long)(MEM_VICTIM_HEADROOM / MIB));
			cvb_emit_fact_str(fd, "mem_victim_error", msg);
			return 1;
		}
	}
	cvb_emit_fact_num(fd, "mem_victim_llc_bytes", llc > 0 ? (double)llc : 0);
	cvb_emit_fact_num(fd, "mem_victim_working_set_bytes", (double)size);
	cvb_emit_fact_num(fd, "mem_victim_shrunk", shrunk ? 1 : 0);
	if (avail >= 0)
		cvb_emit_fact_num(fd, "mem_victim_mem_available_bytes", (double)avail);

	struct chase_line *lines =
	    mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lines == MAP_FAILED)
		return 1;
	/* Base pages everywhere: whether THP backs the buffer depends on each
	 * kernel's policy (host, guest), and huge pages would change how many
	 * loads also miss the TLB. Advisory: failure changes nothing. */
	madvise(lines, (size_t)size, MADV_NOHUGEPAGE);

	const size_t n = (size_t)size / sizeof(struct chase_line);
	const uint64_t accesses = (uint64_t)ctx->param[MEM_VICTIM_ACCESSES];
	const size_t batches = (size_t)((accesses + MEM_VICTIM_BATCH - 1) / MEM_VICTIM_BATCH);
	double *per_access = malloc(batches * sizeof(*per_access));
	if (!per_access) {
		munmap(lines, (size_t)size);
		return 1;
	}
	struct chase_line *p = build_chain(lines, n);
	/* One untimed batch: the lines the build left in the cache belong to
	 * the build, not to the chase. */
	p = chase(p, MEM_VICTIM_BATCH);

	const int64_t t0 = cvb_wl_now_ns();
	int64_t prev = t0;
	uint64_t left = accesses;
	for (size_t b = 0; b < batches; b++) {
		const size_t len = left < MEM_VICTIM_BATCH ? (size_t)left : MEM_VICTIM_BATCH;
		p = chase(p, len);
		const int64_t t = cvb_wl_now_ns();
		per_access[b] = (double)(t - prev) / (double)len;
		prev = t;
		left -= len;
	}
	const int64_t total = prev - t0;
	mem_victim_sink = (uintptr_t)p;
	munmap(lines, (size_t)size);

	cvb_victim_sort_f64(per_access, batches);
	cvb_emit_metric(fd, "victim_total_ns", (double)total);
	cvb_emit_metric(fd, "access_ns", (double)total / (double)accesses);
	cvb_emit_metric(fd, "access_p99_ns", cvb_victim_quantile_f64(per_access, batches, 0.99));
	free(per_access);
	return 0;
}

const struct cvb_workload cvb_workload_mem_victim = {
    .name = "mem-victim",
    .help = "pointer chase beyond the last-level cache (memory neighbour victim: ns per load)",
    .params = mem_victim_params,
    .metrics = mem_victim_metrics,
    .typical_ms = 600,
    .run = mem_victim_run,
};
