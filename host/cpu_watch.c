#include "cpu_watch.h"
#include "clock.h"

#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PF_KTHREAD_FLAG 0x00200000u

/* Daemons whose CPU time is work done for a run (domain creation, console
 * logging), not competition: counting them would flag every VM run. */
static const char *const serving_daemons[] = {"libvirtd", "virtlogd", "virtqemud", NULL};

static int parse_stat(const char *text, struct cvb_proc_ticks *p, unsigned *flags)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	if (!open || !close || close < open)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, open + 1, n);
	p->comm[n] = '\0';
	/* After ") ": state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime priority nice threads
	 * itrealvalue starttime */
	char state;
	int ppid;
	unsigned long long f, ut, st, cut, cst, start;
	if (sscanf(close + 2,
	           "%c %d %*d %*d %*d %*d %llu %*u %*u %*u %*u %llu %llu %llu %llu %*d %*d %*d "
	           "%*d %llu",
	           &state, &ppid, &f, &ut, &st, &cut, &cst, &start) != 8)
		return -1;
	p->ppid = ppid;
	p->ticks = ut + st + cut + cst;
	p->reaped = cut + cst;
	p->start = start;
	*flags = (unsigned)f;
	return 0;
}

static bool qemu_of_run(const char *proc_root, pid_t pid, const char *run_id)
{
	char path[256], buf[4096];
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	char want[96];
	snprintf(want, sizeof(want), "guest=cvb-%s-", run_id);
	return strstr(buf, want) != NULL;
}

static int read_proc(const char *proc_root, pid_t pid, const char *run_id,
                     struct cvb_proc_ticks *p)
{
	char path[256], buf[1024];
	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1; /* gone meanwhile */
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unsigned flags = 0;
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	if (parse_stat(buf, p, &flags) < 0)
		return -1;
	p->kind = CVB_PROC_FOREIGN;
	if ((flags & PF_KTHREAD_FLAG) || pid == 2 || p->ppid == 2)
		p->kind = CVB_PROC_IGNORED;
	for (size_t i = 0; serving_daemons[i]; i++)
		if (strcmp(p->comm, serving_daemons[i]) == 0)
			p->kind = CVB_PROC_IGNORED;
	if (run_id && strncmp(p->comm, "qemu", 4) == 0 && qemu_of_run(proc_root, pid, run_id))
		p->kind = CVB_PROC_OURS;
	return 0;
}

static uint64_t host_busy_ticks(const char *proc_root)
{
	char path[256], buf[512];
	snprintf(path, sizeof(path), "%s/stat", proc_root);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	unsigned long long v[8] = {0};
	bool ok = fgets(buf, sizeof(buf), f) &&
	          sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
	                 &v[3], &v[4], &v[5], &v[6], &v[7]) >= 4;
	fclose(f);
	/* user nice system idle iowait irq softirq steal: all but idle, iowait */
	return ok ? v[0] + v[1] + v[2] + v[5] + v[6] + v[7] : 0;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct cvb_proc_ticks *x = a, *y = b;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static const struct cvb_proc_ticks *find_pid(const struct cvb_cpu_snapshot *s, pid_t pid)
{
	struct cvb_proc_ticks key = {.pid = pid};
	return bsearch(&key, s->procs, s->n, sizeof(key), cmp_pid);
}

/* Descendants of self are ours: walk each process's parents (bounded, as a
 * snapshot is not atomic and a loop is conceivable). */
static void mark_descendants(struct cvb_cpu_snapshot *s, pid_t self)
{
	for (size_t i = 0; i < s->n; i++) {
		struct cvb_proc_ticks *p = &s->procs[i];
		const struct cvb_proc_ticks *q = p;
		for (int depth = 0; q && depth < 64; depth++) {
			if (q->pid == self) {
				p->kind = CVB_PROC_OURS;
				break;
			}
			if (q->ppid <= 1)
				break;
			q = find_pid(s, q->ppid);
		}
	}
}

int cvb_cpu_snapshot_take(const char *proc_root, pid_t self, const char *run_id,
                          struct cvb_cpu_snapshot *snap, struct cvb_error *err)
{
	memset(snap, 0, sizeof(*snap));
	DIR *d = opendir(proc_root);
	if (!d)
		return cvb_error_errno(err, errno, "cannot read '%s'", proc_root);
	size_t cap = 0;
	snap->t_ns = cvb_now_ns();
	snap->host_busy_ticks = host_busy_ticks(proc_root);
	for (struct dirent *e; (e = readdir(d));) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (snap->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct cvb_proc_ticks *np = realloc(snap->procs, nc * sizeof(*np));
			if (!np) {
				closedir(d);
				cvb_cpu_snapshot_free(snap);
				return cvb_error_set(err, ENOMEM, "out of memory");
			}
			snap->procs = np;
			cap = nc;
		}
		if (read_proc(proc_root, (pid_t)atoi(e->d_name), run_id, &snap->procs[snap->n]) == 0)
			snap->n++;
	}
	closedir(d);
	qsort(snap->procs, snap->n, sizeof(*snap->procs), cmp_pid);
	mark_descendants(snap, self);
	return 0;
}

void cvb_cpu_snapshot_free(struct cvb_cpu_snapshot *snap)
{
	free(snap->procs);
	memset(snap, 0, sizeof(*snap));
}

/* Inserts into the short list of the busiest, kept sorted. */
static void keep_top(struct cvb_cpu_use *u, const struct cvb_proc_ticks *p, double cpus)
{
	const size_t max = sizeof(u->top) / sizeof(u->top[0]);
	if (u->n_top == max && u->top[max - 1].cpus >= cpus)
		return;
	size_t i = u->n_top < max ? u->n_top++ : max - 1;
	for (; i > 0 && u->top[i - 1].cpus < cpus; i--)
		u->top[i] = u->top[i - 1];
	u->top[i] = (struct cvb_busy_proc){.pid = p->pid, .cpus = cpus};
	snprintf(u->top[i].comm, sizeof(u->top[i].comm), "%s", p->comm);
}

void cvb_cpu_use_between(const struct cvb_cpu_snapshot *a, const struct cvb_cpu_snapshot *b,
                         long ticks_per_s, struct cvb_cpu_use *use)
{
	memset(use, 0, sizeof(*use));
	use->seconds = (double)(b->t_ns - a->t_ns) / 1e9;
	if (use->seconds <= 0 || ticks_per_s <= 0)
		return;
	const double per = 1.0 / ((double)ticks_per_s * use->seconds);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const double max_cpus = ncpu > 0 ? (double)ncpu : 1;
	if (b->host_busy_ticks >= a->host_busy_ticks)
		use->host_cpus = (double)(b->host_busy_ticks - a->host_busy_ticks) * per;
	for (size_t i = 0; i < b->n; i++) {
		const struct cvb_proc_ticks *p = &b->procs[i];
		if (p->kind != CVB_PROC_FOREIGN)
			continue;
		const struct cvb_proc_ticks *was = find_pid(a, p->pid);
		/* A process born since a (or a reused pid) spent all it has since. */
		bool same = was && was->start == p->start && was->ticks <= p->ticks &&
		            was->reaped <= p->reaped;
		uint64_t own = (p->ticks - p->reaped) - (same ? was->ticks - was->reaped : 0);
		uint64_t reaped = p->reaped - (same ? was->reaped : 0);
		if (p->pid == 1 || (double)reaped * per > max_cpus)
			reaped = 0; /* an orphan's whole life, reaped at once */
		double cpus = (double)(own + reaped) * per;
		if (cpus <= 0)
			continue;
		use->foreign_cpus += cpus;
		keep_top(use, p, cpus);
	}
	if (use->host_cpus > 0 && use->foreign_cpus > use->host_cpus)
		use->foreign_cpus = use->host_cpus;
}

void cvb_cpu_use_describe(const struct cvb_cpu_use *use, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < use->n_top && off < len; i++) {
		if (use->top[i].cpus < 0.05)
			break;
		int n = snprintf(buf + off, len - off, "%s%s (pid %d) %.2f CPU", off ? ", " : "",
		                 use->top[i].comm, (int)use->top[i].pid, use->top[i].cpus);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (!off)
		snprintf(buf, len, "none");
}
