/* `mem-hog`: map `mib` MiB, write every page, then read and write it all
 * over for a duration. The aggressor of memory-bandwidth neighbour tests and
 * the probe of memory-limit tests: past a cgroup limit the kernel OOM-kills
 * it, which the harness reports, so nothing here tries to survive that. */
#include "workload.h"

#include <stdint.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { MEM_HOG_MIB, MEM_HOG_DURATION_MS };

static const struct cvb_param_desc mem_hog_params[] = {
    [MEM_HOG_MIB] = {"mib", "MiB to map and touch", 64, 1, 1048576},
    [MEM_HOG_DURATION_MS] = {"duration_ms", "time to stream over it after touching (0: none)", 1000,
                             0, 3600000},
    {0},
};

static const struct cvb_metric_desc mem_hog_metrics[] = {
    {"mem_hog_touched_bytes", "bytes", CVB_HIGHER_IS_BETTER, "bytes mapped and written"},
    {"mem_hog_bandwidth_bytes_per_s", "bytes/s", CVB_HIGHER_IS_BETTER,
     "bytes read plus written per second while streaming (0 if duration_ms=0)"},
    {0},
};

/* Clock reads happen once per chunk: ~100 us of streaming at 10 GB/s. */
#define MEM_HOG_CHUNK ((size_t)1 << 20)

static volatile uint64_t mem_hog_sink;

static int mem_hog_run(const struct cvb_workload_ctx *ctx)
{
	const size_t size = (size_t)ctx->param[MEM_HOG_MIB] << 20;
	/* No output on failure: a line between READY and DONE that is not a
	 * result is a protocol error, and DONE 1 already says what happened. */
	uint8_t *buf = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		return 1;

	/* One write per page makes the kernel back all of it. */
	const size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t touched = 0;
	for (size_t off = 0; off < size; off += page) {
		buf[off] = 1;
		touched += page;
	}

	double bandwidth = 0;
	if (ctx->param[MEM_HOG_DURATION_MS] > 0) {
		const int64_t t0 = cvb_wl_now_ns();
		const int64_t deadline = t0 + ctx->param[MEM_HOG_DURATION_MS] * 1000000;
		uint64_t *words = (uint64_t *)buf;
		/* size is whole MiB, so chunks tile it exactly. */
		const size_t chunk = MEM_HOG_CHUNK / sizeof(*words);
		const size_t total = size / sizeof(*words);
		size_t pos = 0;
		uint64_t streamed = 0;
		int64_t t1;
		do {
			/* Read-modify-write, wrapping around the buffer: each word
			 * is read once and written once. */
			for (size_t i = 0; i < chunk; i++)
				words[pos + i] += 1;
			pos += chunk;
			if (pos >= total)
				pos = 0;
			streamed += chunk * sizeof(*words);
			t1 = cvb_wl_now_ns();
		} while (t1 < deadline && !cvb_stop_requested(ctx->in_fd));
		mem_hog_sink = words[0];
		bandwidth = 2.0 * (double)streamed * 1e9 / (double)(t1 - t0);
	}
	munmap(buf, size);

	cvb_emit_metric(ctx->out_fd, "mem_hog_touched_bytes", (double)touched);
	cvb_emit_metric(ctx->out_fd, "mem_hog_bandwidth_bytes_per_s", bandwidth);
	return 0;
}

const struct cvb_workload cvb_workload_mem_hog = {
    .name = "mem-hog",
    .help = "map and touch mib MiB, then stream over it (memory limits, bandwidth neighbour)",
    .params = mem_hog_params,
    .metrics = mem_hog_metrics,
    .stoppable = true,
    .run = mem_hog_run,
};
