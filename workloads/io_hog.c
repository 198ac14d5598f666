/* `io-hog`: write blocks to a scratch file and fsync every few of them until
 * the host stops it. The aggressor of I/O neighbour tests: it fills the
 * page cache, keeps writeback and the journal busy and queues flushes on the
 * device that a victim shares.
 *
 * Whether it reaches a device depends on where it can write: in a container
 * with a read-only root only the tmpfs /tmp is writable, and a VM's
 * initramfs root is memory too. There fsync does no I/O at all, and io-hog
 * is a memory and page-cache aggressor. The facts io_hog_fs and
 * io_hog_real_io say which it was; a comparison must read them.
 *
 * The file is rewritten in place once it reaches its size (no truncation):
 * after the first pass the file system allocates nothing new, so a long run
 * is a steady overwrite load rather than a series of allocate-and-free
 * cycles. It is unlinked right after it is opened: nothing is left behind,
 * whatever kills the instance. A write or fsync that fails (a full disk, an
 * I/O error, a quota) ends the writing but not the run: an aggressor that
 * hits a limit is a result, reported in the fact io_hog_error. */
#include "victim_stats.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

enum { IO_HOG_BLOCK_KIB, IO_HOG_FSYNC_EVERY, IO_HOG_FILE_MIB, IO_HOG_MAX_S };

static const struct cvb_param_desc io_hog_params[] = {
    [IO_HOG_BLOCK_KIB] = {"block_kib", "KiB per write", 64, 1, 65536},
    [IO_HOG_FSYNC_EVERY] = {"fsync_every", "writes between fsyncs", 16, 1, 1000000},
    [IO_HOG_FILE_MIB] = {"file_mib", "scratch file size in MiB before rewriting from the start", 64,
                         1, 1048576},
    [IO_HOG_MAX_S] = {"max_s", "deadline in seconds if the host never stops it", 600, 1, 86400},
    {0},
};

static const struct cvb_metric_desc io_hog_metrics[] = {
    {"io_hog_bytes_per_s", "bytes/s", CVB_HIGHER_IS_BETTER,
     "bytes written per second, from start to stop"},
    {"io_hog_fsyncs_per_s", "ops/s", CVB_HIGHER_IS_BETTER, "fsyncs per second, start to stop"},
    {"io_hog_fsync_p99_ns", "ns", CVB_LOWER_IS_BETTER,
     "99th percentile fsync duration (0 if none completed)"},
    {0},
};

/* fsync durations kept for the p99: a uniform sample (reservoir) once there
 * are more, so that a long hold needs no more memory (512 KiB). */
#define IO_HOG_RESERVOIR 65536
#define IO_HOG_SEED UINT64_C(0x6376622d696f2d68) /* "cvb-io-h" */
#define MIB ((int64_t)1 << 20)

struct io_hog {
	const struct cvb_workload_ctx *ctx;
	int fd;
	char path[160];   /* of the scratch file, while it still has a name */
	char dir[16];     /* where it was made */
	int64_t file_len; /* bytes written before starting over */
	int64_t *fsync_ns;
	uint64_t fsyncs, rng;
	int64_t bytes;
};

/* Unique bits for the file name. GRND_INSECURE first: as a VM's /init the
 * agent may run before the kernel's pool is ready, where a plain getrandom
 * blocks; a name needs no secrecy. Old kernels reject the flag. */
static uint64_t name_bits(void)
{
	uint64_t v;
#ifdef GRND_INSECURE
	if (getrandom(&v, sizeof(v), GRND_INSECURE) == (ssize_t)sizeof(v))
		return v;
#endif
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	uint64_t s = (uint64_t)cvb_wl_now_ns() ^ ((uint64_t)getpid() << 32);
	return cvb_wl_splitmix64(&s);
}

/* The run id goes into the name (cvbench cleanup's convention) if it is one
 * a file name can carry. */
static const char *run_id(void)
{
	const char *id = getenv("CVB_RUN_ID");
	if (!id || !*id || strlen(id) > 48)
		return NULL;
	for (const char *c = id; *c; c++)
		if (!(*c == '-' || *c == '_' || (*c >= '0' && *c <= '9') ||
		      (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
			return NULL;
	return id;
}

/* Creates the scratch file in the first directory where that works (a
 * directory can look writable and still be a read-only mount) and unlinks
 * it. Returns 0, or -1 with msg filled. */
static int open_scratch(struct io_hog *h, char *msg, size_t len)
{
	static const char *const dirs[] = {"/scratch", "/tmp", "/"};
	const char *id = run_id();
	int last_err = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const char *sep = dirs[i][1] ? "/" : "";
		snprintf(h->path, sizeof(h->path), "%s%scvb-%s%sio-hog-%016llx", dirs[i], sep,
		         id ? id : "", id ? "-" : "", (unsigned long long)name_bits());
		h->fd = open(h->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (h->fd < 0) {
			last_err = errno;
			continue;
		}
		snprintf(h->dir, sizeof(h->dir), "%s", dirs[i]);
		if (unlink(h->path) == 0)
			h->path[0] = '\0';
		/* else the name stays in h->path, and cleanup tries again */
		return 0;
	}
	h->path[0] = '\0';
	snprintf(msg, len, "no writable directory among /scratch, /tmp, /: %s", strerror(last_err));
	return -1;
}

/* statfs magic numbers (linux/magic.h). ext2 and ext3 share ext4's. */
static const char *fs_name(unsigned long type, char *hex, size_t len)
{
	switch (type) {
	case 0x01021994:
		return "tmpfs";
	case 0x858458f6:
		return "ramfs";
	case 0xef53:
		return "ext4";
	case 0x794c7630:
		return "overlay";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	default:
		snprintf(hex, len, "0x%lx", type);
		return hex;
	}
}

/* Facts about where the file is, and its size: the configured one, capped
 * so that the hog never takes more than half of the file system's free
 * space (a full disk hurts the whole host, not only the neighbour) nor, on
 * a memory file system, more than a quarter of the instance's available
 * memory (in a small VM guest the file is RAM). */
static void describe_scratch(struct io_hog *h, int64_t block)
{
	const int fd = h->ctx->out_fd;
	char hex[24];
	struct statfs sfs;
	int64_t want = h->ctx->param[IO_HOG_FILE_MIB] * MIB, len = want;
	cvb_emit_fact_str(fd, "io_hog_dir", h->dir);
	if (fstatfs(h->fd, &sfs) == 0) {
		const unsigned long type = (unsigned long)sfs.f_type;
		const bool in_memory = type == 0x01021994 || type == 0x858458f6;
		cvb_emit_fact_str(fd, "io_hog_fs", fs_name(type, hex, sizeof(hex)));
		cvb_emit_fact_num(fd, "io_hog_real_io", in_memory ? 0 : 1);
		if (in_memory)
			cvb_emit_fact_str(fd, "io_hog_note",
			                  "the scratch file system is memory: fsync does no I/O, "
			                  "io-hog loads memory and the page cache, not a device");
		const int64_t free_bytes = (int64_t)sfs.f_bavail * (int64_t)sfs.f_bsize;
		/* ramfs reports no size at all (0 free): only the memory cap
		 * applies there. */
		if (free_bytes > 0 && len > free_bytes / 2)
			len = free_bytes / 2;
		const int64_t avail = in_memory ? cvb_victim_mem_available("/proc/meminfo") : -1;
		if (avail >= 0 && len > avail / 4)
			len = avail / 4;
	} else {
		cvb_emit_fact_str(fd, "io_hog_fs", "unknown");
	}
	len = len / block * block;
	if (len < block)
		len = block;
	h->file_len = len;
	cvb_emit_fact_num(fd, "io_hog_file_bytes", (double)len);
	cvb_emit_fact_num(fd, "io_hog_file_capped", len < want ? 1 : 0);
}

/* Writes all of buf at off; 0, or -1 with errno set. */
static int write_full(int fd, const char *buf, int64_t len, int64_t off)
{
	while (len > 0) {
		ssize_t n = pwrite(fd, buf, (size_t)len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = ENOSPC; /* no progress: the same as a full disk */
			return -1;
		}
		buf += n;
		len -= n;
		off += n;
	}
	return 0;
}

static void note_fsync(struct io_hog *h, int64_t ns)
{
	if (h->fsyncs < IO_HOG_RESERVOIR) {
		h->fsync_ns[h->fsyncs] = ns;
	} else {
		uint64_t j = cvb_wl_splitmix64(&h->rng) % (h->fsyncs + 1);
		if (j < IO_HOG_RESERVOIR)
			h->fsync_ns[j] = ns;
	}
	h->fsyncs++;
}

/* Sleeps until the host's stop (cvb_stop_requested) or timeout_ms, for a hog
 * that has nothing left to write. */
static bool wait_for_stop(int in_fd, int timeout_ms)
{
	struct pollfd pfd = {.fd = in_fd, .events = POLLIN};
	/* An input that is no file descriptor can never carry a stop: end
	 * rather than spin (as idle does). EINTR, timeout: the caller loops. */
	if (poll(&pfd, 1, timeout_ms) > 0 && (pfd.revents & POLLNVAL))
		return true;
	return cvb_stop_requested(in_fd);
}

static int io_hog_run(const struct cvb_workload_ctx *ctx)
{
	struct io_hog h = {.ctx = ctx, .fd = -1, .rng = IO_HOG_SEED};
	const int64_t block = ctx->param[IO_HOG_BLOCK_KIB] * 1024;
	const int64_t fsync_every = ctx->param[IO_HOG_FSYNC_EVERY];
	char *buf = malloc((size_t)block);
	h.fsync_ns = malloc(IO_HOG_RESERVOIR * sizeof(*h.fsync_ns));
	if (!buf || !h.fsync_ns) {
		free(buf);
		free(h.fsync_ns);
		return 1;
	}
	/* Random bytes: a compressing or deduplicating file system would make
	 * light work of zeros. */
	uint64_t fill = IO_HOG_SEED;
	for (int64_t i = 0; i + 8 <= block; i += 8) {
		uint64_t v = cvb_wl_splitmix64(&fill);
		memcpy(buf + i, &v, 8);
	}

	char msg[200];
	bool writing = open_scratch(&h, msg, sizeof(msg)) == 0;
	if (writing)
		describe_scratch(&h, block);
	else
		cvb_emit_fact_str(ctx->out_fd, "io_hog_error", msg);

	const int64_t t0 = cvb_wl_now_ns();
	const int64_t deadline = t0 + ctx->param[IO_HOG_MAX_S] * 1000000000;
	int64_t off = 0, blocks = 0, t1;
	for (;;) {
		t1 = cvb_wl_now_ns();
		if (t1 >= deadline)
			break;
		if (!writing) {
			/* Nothing left to do but wait for the stop. */
			int64_t left_ms = (deadline - t1 + 999999) / 1000000;
			if (wait_for_stop(ctx->in_fd, left_ms > 60000 ? 60000 : (int)left_ms))
				break;
			continue;
		}
		if (cvb_stop_requested(ctx->in_fd))
			break;
		if (write_full(h.fd, buf, block, off) < 0) {
			snprintf(msg, sizeof(msg), "write at %lld: %s", (long long)off,
			         strerror(errno));
			cvb_emit_fact_str(ctx->out_fd, "io_hog_error", msg);
			writing = false;
			continue;
		}
		h.bytes += block;
		off += block;
		if (off + block > h.file_len)
			off = 0;
		if (++blocks % fsync_every == 0) {
			const int64_t s = cvb_wl_now_ns();
			if (fsync(h.fd) < 0) {
				snprintf(msg, sizeof(msg), "fsync: %s", strerror(errno));
				cvb_emit_fact_str(ctx->out_fd, "io_hog_error", msg);
				writing = false;
				continue;
			}
			note_fsync(&h, cvb_wl_now_ns() - s);
		}
	}
	t1 = cvb_wl_now_ns();

	if (h.fd >= 0)
		close(h.fd); /* frees the unlinked file's space */
	if (h.path[0])
		unlink(h.path);

	const double secs = (double)(t1 - t0) / 1e9;
	const size_t kept = h.fsyncs < IO_HOG_RESERVOIR ? (size_t)h.fsyncs : IO_HOG_RESERVOIR;
	cvb_victim_sort_i64(h.fsync_ns, kept);
	cvb_emit_fact_num(ctx->out_fd, "io_hog_fsyncs", (double)h.fsyncs);
	cvb_emit_metric(ctx->out_fd, "io_hog_bytes_per_s", secs > 0 ? (double)h.bytes / secs : 0);
	cvb_emit_metric(ctx->out_fd, "io_hog_fsyncs_per_s", secs > 0 ? (double)h.fsyncs / secs : 0);
	cvb_emit_metric(ctx->out_fd, "io_hog_fsync_p99_ns",
	                kept ? cvb_victim_quantile_i64(h.fsync_ns, kept, 0.99) : 0);
	free(buf);
	free(h.fsync_ns);
	return 0;
}

const struct cvb_workload cvb_workload_io_hog = {
    .name = "io-hog",
    .help = "write and fsync a scratch file until stopped (I/O neighbour aggressor)",
    .params = io_hog_params,
    .metrics = io_hog_metrics,
    .holds_until_stopped = true,
    .run = io_hog_run,
};
