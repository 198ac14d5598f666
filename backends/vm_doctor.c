#include "vm_doctor.h"
#include "vm_libvirt.h"
#include "clock.h"
#include "vm_host.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUBJECT "vm"
#define CAPS_FILES_MAX 32

static const char services_fix[] = "scripts/services.sh (or: chgrp kvm /dev/kvm && chmod 0660 "
                                   "/dev/kvm)";

static int64_t ms_since(int64_t t0)
{
	return (cvb_now_ns() - t0) / 1000000;
}


/* ---- daemons ------------------------------------------------------------- */

/* vm.virtlogd: libvirt hands every domain's console to it; without it a
 * domain does not start. */
static void check_virtlogd(struct cvb_findings *out)
{
	pid_t pid = cvb_vm_process_find("/proc", "virtlogd");
	if (pid > 0)
		cvb_findings_add(out, "vm.virtlogd", SUBJECT, CVB_LEVEL_OK, NULL,
		                 "virtlogd runs (pid %d)", (int)pid);
	else
		cvb_findings_add(
		    out, "vm.virtlogd", SUBJECT, CVB_LEVEL_FAIL,
		    "scripts/services.sh (or: /usr/sbin/virtlogd -d)",
		    "no virtlogd process runs: libvirt cannot start a domain without it "
		    "(it keeps the domain's log)");
}

/* ---- files and devices ----------------------------------------------------- */

/* vm.kernel: the guest kernel a run would boot. True if it is there. */
static bool check_kernel(const struct cvb_probe_ctx *ctx, char *kernel, size_t len,
                         struct cvb_findings *out)
{
	struct cvb_error err = {0};
	const char *opt = ctx->config ? ctx->config->vm.kernel : NULL;
	struct stat st;
	if (cvb_vm_kernel_path(ctx->agent_path, opt, kernel, len, &err) < 0) {
		cvb_findings_add(
		    /* A warning: the run skips VM cells with this reason. */
		    out, "vm.kernel", SUBJECT, CVB_LEVEL_WARN,
		    opt ? "give a readable kernel with --kernel PATH"
		        : "make guest (fetches Debian's cloud kernel), or --kernel PATH",
		    "%s; VM cells will be skipped", err.msg);
		return false;
	}
	double mib = stat(kernel, &st) == 0 ? (double)st.st_size / (1 << 20) : 0;
	cvb_findings_add(out, "vm.kernel", SUBJECT, CVB_LEVEL_OK, NULL,
	                 "guest kernel %s (%.1f MiB, readable; each run boots a copy)", kernel,
	                 mib);
	return true;
}

void cvb_vm_kvm_node_finding(const struct cvb_vm_kvm_node_facts *f, struct cvb_findings *out)
{
	char fix[384];
	if (!f->present) {
		cvb_findings_add(
		    out, "vm.kvm_device", SUBJECT, CVB_LEVEL_WARN,
		    "load kvm_intel or kvm_amd (modprobe), or enable virtualisation in the "
		    "firmware or the hypervisor below this host",
		    "there is no /dev/kvm: VMs run under TCG (emulation)");
		return;
	}
	if (!f->user_known) {
		cvb_findings_add(
		    out, "vm.kvm_device", SUBJECT, CVB_LEVEL_FAIL,
		    "reinstall libvirt-daemon-system (it creates the user), or set `user` "
		    "in /etc/libvirt/qemu.conf",
		    "QEMU's user '%s' (qemu.conf `user`) does not exist", f->user);
		return;
	}
	if (f->accessible) {
		cvb_findings_add(out, "vm.kvm_device", SUBJECT, CVB_LEVEL_OK, NULL,
		                 "/dev/kvm %s: QEMU's user %s can open it", f->node, f->user);
		return;
	}
	if (f->udev)
		snprintf(fix, sizeof(fix),
		         "udev runs here: check its rule for kvm (Debian: GROUP=\"kvm\", "
		         "MODE=\"0660\") and run udevadm trigger; or: chgrp kvm /dev/kvm && "
		         "chmod 0660 /dev/kvm%s",
		         f->user_in_kvm_group ? "" : " && usermod -a -G kvm <qemu user>");
	else
		snprintf(fix, sizeof(fix), "%s%s%s", services_fix,
		         f->user_in_kvm_group ? "" : " && usermod -a -G kvm ",
		         f->user_in_kvm_group ? "" : f->user);
	cvb_findings_add(out, "vm.kvm_device", SUBJECT, CVB_LEVEL_FAIL, fix,
	                 "/dev/kvm %s is closed to QEMU's user %s%s%s: libvirt 9.0 then finds its "
	                 "capability cache invalid and re-probes QEMU on every call (each VM start "
	                 "waits tens of seconds)",
	                 f->node, f->user, f->user_in_kvm_group ? "" : " (not in group kvm)",
	                 f->udev ? "" : ", and no udev runs here to apply Debian's rule");
}

/* Gathers the facts of vm.kvm_device; strings point into node/user. */
static void kvm_node_facts(struct cvb_vm_kvm_node_facts *f, char *node, size_t node_len, char *user,
                           size_t user_len)
{
	struct cvb_vm_access a;
	struct cvb_error err = {0};
	memset(f, 0, sizeof(*f));
	cvb_vm_qemu_user(user, user_len);
	snprintf(node, node_len, "?");
	f->node = node;
	f->user = user;
	f->present = access(CVB_VM_KVM_DEVICE, F_OK) == 0;
	f->udev = cvb_vm_udev_running();
	if (!f->present)
		return;
	int rc = cvb_vm_user_access(CVB_VM_KVM_DEVICE, user, &a, &err);
	snprintf(node, node_len, "%s", a.owner);
	f->user_known = rc == 0;
	f->accessible = rc == 0 && a.accessible;
	struct group *kvm = getgrnam("kvm");
	gid_t gids[256];
	int n = (int)(sizeof(gids) / sizeof(gids[0]));
	if (rc == 0 && kvm && getgrouplist(user, a.gid, gids, &n) >= 0)
		for (int i = 0; i < n; i++)
			f->user_in_kvm_group |= gids[i] == kvm->gr_gid;
}

void cvb_vm_kvm_boots_finding(int load_rc, const struct cvb_vm_probe_verdict *v, const char *why,
                              bool paravirtual, struct cvb_findings *out)
{
	char when[32], desc[320];
	if (load_rc < 0) {
		cvb_findings_add(out, "vm.kvm_boots", SUBJECT, CVB_LEVEL_WARN,
		                 "rm -f " CVB_VM_PROBE_CACHE_PATH " (the next VM run probes again)",
		                 "the cached KVM verdict is not used: %s", why);
		return;
	}
	if (load_rc == 0) {
		cvb_findings_add(out, "vm.kvm_boots", SUBJECT, CVB_LEVEL_OK, NULL,
		                 "%s: the first VM run probes (~5 s) and caches it", why);
		return;
	}
	cvb_vm_probe_time_format(v->probed_at, when, sizeof(when));
	if (v->probe == CVB_PROBE_READY) {
		cvb_findings_add(
		    out, "vm.kvm_boots", SUBJECT, CVB_LEVEL_OK, NULL,
		    "KVM boots a guest: a probe guest reached READY under KVM in %d ms "
		    "(probed %s, cached for this boot): VMs use KVM",
		    v->probe_ms, when);
		return;
	}
	cvb_vm_probe_verdict_describe(v, paravirtual, desc, sizeof(desc));
	cvb_findings_add(out, "vm.kvm_boots", SUBJECT, CVB_LEVEL_OK, NULL,
	                 "KVM does not boot a guest here: %s (probed %s, cached for this boot). "
	                 "VMs run under TCG: figures are emulation, and labelled tcg",
	                 desc, when);
}

/* vm.kvm_boots for the kernel a run would boot (or, without one, the
 * kernel the verdict was probed with). */
static void check_kvm_boots(const char *kernel, struct cvb_findings *out)
{
	struct cvb_vm_probe_verdict v = {0};
	char why[512];
	int rc =
	    cvb_vm_probe_cache_load(CVB_VM_PROBE_CACHE_PATH, kernel, &v, NULL, 0, why, sizeof(why));
	cvb_vm_kvm_boots_finding(rc, &v, why, access("/sys/module/kvm_pvm", F_OK) == 0, out);
}

/* ---- libvirt's capability cache -------------------------------------------- */

struct caps_snap {
	int n;
	bool unreadable;
	struct {
		char name[96];
		ino_t ino;
		int64_t mtime_ns;
	} f[CAPS_FILES_MAX];
};

static void caps_snapshot(struct caps_snap *s)
{
	DIR *d = opendir(CVB_VM_CAPS_CACHE_DIR);
	struct dirent *e;
	memset(s, 0, sizeof(*s));
	s->unreadable = !d && errno != ENOENT;
	while (d && s->n < CAPS_FILES_MAX && (e = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;
		size_t len = strlen(e->d_name);
		if (len < 5 || strcmp(e->d_name + len - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", CVB_VM_CAPS_CACHE_DIR, e->d_name);
		if (stat(path, &st) < 0)
			continue;
		snprintf(s->f[s->n].name, sizeof(s->f[s->n].name), "%s", e->d_name);
		s->f[s->n].ino = st.st_ino;
		s->f[s->n].mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
		s->n++;
	}
	if (d)
		closedir(d);
}

/* True if a file was written, replaced (new inode), added or removed
 * between a and b; says which, in `what` ("rewrote X", "removed X"). */
static bool caps_changed(const struct caps_snap *a, const struct caps_snap *b, char *what,
                         size_t len)
{
	for (int i = 0; i < b->n; i++) {
		int j = 0;
		while (j < a->n && strcmp(a->f[j].name, b->f[i].name) != 0)
			j++;
		if (j == a->n || a->f[j].ino != b->f[i].ino ||
		    a->f[j].mtime_ns != b->f[i].mtime_ns) {
			snprintf(what, len, "%s %.24s...", j == a->n ? "wrote" : "rewrote",
			         b->f[i].name);
			return true;
		}
	}
	for (int j = 0; j < a->n; j++) {
		int i = 0;
		while (i < b->n && strcmp(a->f[j].name, b->f[i].name) != 0)
			i++;
		if (i == b->n) { /* libvirt deletes a cache file it judged invalid */
			snprintf(what, len, "removed %.24s...", a->f[j].name);
			return true;
		}
	}
	return false;
}

/* One capability query for the default emulator and machine: measured here
 * it takes ~1 ms from a valid cache and ~4 s when libvirt re-probes QEMU
 * (virConnectGetCapabilities, which probes every emulator, ~8 s). */
static void caps_query(virConnectPtr c, struct cvb_vm_caps_obs *o)
{
	struct caps_snap before, after;
	int i = o->n++;
	caps_snapshot(&before);
	if (i == 0) {
		o->n_files = before.n;
		o->cache_unreadable = before.unreadable;
	}
	int64_t t0 = cvb_now_ns();
	char *xml = virConnectGetDomainCapabilities(c, NULL, NULL, NULL, NULL, 0);
	o->ms[i] = xml ? ms_since(t0) : -1;
	if (!xml)
		snprintf(o->error, sizeof(o->error), "%s", cvb_vm_libvirt_error());
	free(xml);
	caps_snapshot(&after);
	o->rewritten[i] = caps_changed(&before, &after, o->changed[i], sizeof(o->changed[i]));
}

bool cvb_vm_caps_query_bad(const struct cvb_vm_caps_obs *o, int i)
{
	return o->ms[i] < 0 || o->ms[i] >= CVB_VM_CAPS_QUERY_SLOW_MS || o->rewritten[i];
}

bool cvb_vm_caps_want_second(bool thorough, bool first_bad, bool known_cause)
{
	return first_bad ? !known_cause : thorough;
}

/* "3918 ms, rewrote X.xml" for query i. */
static void caps_query_describe(const struct cvb_vm_caps_obs *o, int i, char *out, size_t len)
{
	if (o->ms[i] == CVB_VM_CAPS_PENDING)
		snprintf(out, len, "no answer within %d ms%s%s", CVB_VM_LIBVIRT_DEADLINE_MS,
		         o->rewritten[i] ? ", meanwhile libvirt " : "",
		         o->rewritten[i] ? o->changed[i] : "");
	else if (o->ms[i] < 0)
		snprintf(out, len, "failed (%s)", o->error);
	else if (o->rewritten[i])
		snprintf(out, len, "%lld ms, and %s", (long long)o->ms[i], o->changed[i]);
	else
		snprintf(out, len, "%lld ms%s", (long long)o->ms[i],
		         o->ms[i] >= CVB_VM_CAPS_QUERY_SLOW_MS ? " (slow)" : "");
}

void cvb_vm_caps_finding(const struct cvb_vm_caps_obs *o, bool known_cause, const char *user,
                         struct cvb_findings *out)
{
	char q[2][160] = {"", ""}, files[160];
	for (int i = 0; i < o->n && i < 2; i++)
		caps_query_describe(o, i, q[i], sizeof(q[i]));
	if (o->cache_unreadable)
		snprintf(files, sizeof(files),
		         "the cache files could not be read (not root?): "
		         "judged by time alone");
	else if (o->n_files == 0)
		snprintf(files, sizeof(files),
		         "no cache file in " CVB_VM_CAPS_CACHE_DIR " before the queries");
	else
		snprintf(files, sizeof(files), "%d cache file(s) in " CVB_VM_CAPS_CACHE_DIR,
		         o->n_files);
	int last = o->n - 1;
	if (!cvb_vm_caps_query_bad(o, last)) {
		cvb_findings_add(out, "libvirt.caps_cache", SUBJECT, CVB_LEVEL_OK, NULL,
		                 "virConnectGetDomainCapabilities: %s%s%s, nothing rewritten; %s%s",
		                 q[0], o->n > 1 ? ", then " : "", q[1], files,
		                 cvb_vm_caps_query_bad(o, 0) ? " (the first query re-probed QEMU "
		                                               "once; the cache holds now)"
		                                             : "");
		return;
	}
	char fix[384];
	if (known_cause)
		snprintf(fix, sizeof(fix), "%s; libvirtd then stops re-probing by itself",
		         services_fix);
	else if (o->ms[last] < 0 && o->ms[last] != CVB_VM_CAPS_PENDING)
		snprintf(fix, sizeof(fix),
		         "see why libvirt cannot describe QEMU (virsh "
		         "domcapabilities); scripts/setup.sh reinstalls QEMU");
	else
		snprintf(fix, sizeof(fix),
		         "run it again (one re-probe after libvirtd starts or QEMU changes is "
		         "normal); if it persists, restart libvirtd (kill $(pidof libvirtd); "
		         "/usr/sbin/libvirtd -d), then remove " CVB_VM_CAPS_CACHE_DIR "/*.xml and "
		         "restart it again");
	cvb_findings_add(
	    out, "libvirt.caps_cache", SUBJECT, CVB_LEVEL_FAIL, fix,
	    "virConnectGetDomainCapabilities: %s%s%s (over %d ms or a rewrite: libvirt "
	    "re-probed QEMU instead of answering from its cache; every VM start waits "
	    "for such probes); %s%s%s",
	    q[0], o->n > 1 ? ", then " : "", q[1], CVB_VM_CAPS_QUERY_SLOW_MS, files,
	    known_cause && o->n == 1 ? "; no second query: /dev/kvm is closed to " : "",
	    known_cause && o->n == 1 ? user : "");
}

/* ---- the libvirt part, bounded in time ------------------------------------ */

/* libvirt calls block for as long as the daemon takes (seconds while it
 * re-probes QEMU, forever if it hangs): a worker thread makes them and the
 * doctor waits CVB_VM_LIBVIRT_DEADLINE_MS at most. An abandoned worker
 * finishes on its own; the last of the two to let go frees the job. */
struct libvirt_seen {
	enum { JOB_CONNECTING, JOB_CONNECTED, JOB_DONE } stage;
	int64_t open_ms;
	char open_error[256];       /* libvirt's words when the connection failed */
	struct cvb_vm_caps_obs obs; /* the queries answered so far */
	bool in_flight;             /* a query was asked and not answered yet */
};

struct libvirt_job {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs;
	char uri[256];
	bool thorough, known_cause;
	struct libvirt_seen seen; /* under mu */
};

static void job_put(struct libvirt_job *j)
{
	pthread_mutex_lock(&j->mu);
	bool last = --j->refs == 0;
	pthread_mutex_unlock(&j->mu);
	if (!last)
		return;
	pthread_mutex_destroy(&j->mu);
	pthread_cond_destroy(&j->cv);
	free(j);
}

/* Publishes progress: the stage, the queries so far, one in flight or not. */
static void job_publish(struct libvirt_job *j, int stage, const struct cvb_vm_caps_obs *o,
                        bool in_flight)
{
	pthread_mutex_lock(&j->mu);
	j->seen.stage = stage;
	if (o)
		j->seen.obs = *o;
	j->seen.in_flight = in_flight;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

/* Connects, then one or two capability queries (cvb_vm_caps_want_second). */
static void *libvirt_worker(void *arg)
{
	struct libvirt_job *j = arg;
	struct cvb_vm_caps_obs o = {0};
	int64_t t0 = cvb_now_ns();
	virConnectPtr c = virConnectOpen(j->uri);
	pthread_mutex_lock(&j->mu);
	j->seen.open_ms = ms_since(t0);
	if (!c)
		snprintf(j->seen.open_error, sizeof(j->seen.open_error), "%s", cvb_vm_libvirt_error());
	pthread_mutex_unlock(&j->mu);
	if (c) {
		job_publish(j, JOB_CONNECTED, NULL, true);
		caps_query(c, &o);
		bool again = cvb_vm_caps_want_second(j->thorough, cvb_vm_caps_query_bad(&o, 0),
		                                     j->known_cause);
		job_publish(j, JOB_CONNECTED, &o, again);
		if (again) {
			caps_query(c, &o);
			job_publish(j, JOB_CONNECTED, &o, false);
		}
		virConnectClose(c);
	}
	job_publish(j, JOB_DONE, NULL, false);
	job_put(j);
	return NULL;
}

/* Waits for the worker until it is done or the deadline passes; copies
 * what it saw (a query still in flight shows as pending). */
static void job_wait(struct libvirt_job *j, struct libvirt_seen *seen)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until); /* the condition variable's clock */
	until.tv_sec += CVB_VM_LIBVIRT_DEADLINE_MS / 1000;
	until.tv_nsec += (long)(CVB_VM_LIBVIRT_DEADLINE_MS % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&j->mu);
	while (j->seen.stage != JOB_DONE && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0)
		;
	*seen = j->seen;
	pthread_mutex_unlock(&j->mu);
	if (seen->in_flight && seen->obs.n < 2)
		seen->obs.ms[seen->obs.n++] = CVB_VM_CAPS_PENDING;
}

/* A query still unanswered at the deadline: what the cache files did
 * meanwhile is its evidence (the worker's own snapshot comes too late). */
static void caps_pending_evidence(struct cvb_vm_caps_obs *o, const struct caps_snap *before,
                                  struct caps_snap *after)
{
	int i = o->n - 1;
	if (i < 0 || o->ms[i] != CVB_VM_CAPS_PENDING)
		return;
	if (i == 0) {
		o->n_files = before->n;
		o->cache_unreadable = before->unreadable;
	}
	caps_snapshot(after);
	o->rewritten[i] = caps_changed(before, after, o->changed[i], sizeof(o->changed[i]));
}

/* vm.libvirtd from what the worker saw. */
static void libvirtd_finding(const char *uri, const struct libvirt_seen *r,
                             struct cvb_findings *out)
{
	pid_t pid = cvb_vm_process_find("/proc", "libvirtd");
	char state[64] = "no libvirtd process runs";
	if (pid > 0)
		snprintf(state, sizeof(state), "libvirtd runs (pid %d)", (int)pid);
	if (r->stage == JOB_CONNECTING)
		cvb_findings_add(out, "vm.libvirtd", SUBJECT, CVB_LEVEL_FAIL,
		                 "restart libvirtd (kill $(pidof libvirtd); /usr/sbin/libvirtd -d)",
		                 "%s did not answer within %d ms; %s", uri,
		                 CVB_VM_LIBVIRT_DEADLINE_MS, state);
	else if (r->open_error[0])
		/* A warning: the run skips VM cells with this reason (a daemon
		 * that hangs is a failure: the run would hang with it). */
		cvb_findings_add(
		    out, "vm.libvirtd", SUBJECT, CVB_LEVEL_WARN,
		    "scripts/services.sh (or: /usr/sbin/virtlogd -d && /usr/sbin/libvirtd "
		    "-d)",
		    "cannot connect to %s: %s; %s; VM cells will be skipped", uri, r->open_error,
		    state);
	else
		cvb_findings_add(out, "vm.libvirtd", SUBJECT, CVB_LEVEL_OK, NULL,
		                 "%s answers (connected in %lld ms; %s)", uri,
		                 (long long)r->open_ms, state);
}

/* Starts the worker; NULL if it could not. */
static struct libvirt_job *job_start(const char *uri, bool thorough, bool known_cause)
{
	struct libvirt_job *j = calloc(1, sizeof(*j));
	pthread_t tid;
	pthread_attr_t attr;
	if (!j)
		return NULL;
	pthread_condattr_t cattr;
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_mutex_init(&j->mu, NULL);
	pthread_cond_init(&j->cv, &cattr);
	pthread_condattr_destroy(&cattr);
	snprintf(j->uri, sizeof(j->uri), "%s", uri);
	j->thorough = thorough;
	j->known_cause = known_cause;
	j->refs = 2;
	cvb_vm_libvirt_quiet();
	/* Signals stay with the harness's own thread: the worker starts with
	 * all of them blocked (a thread inherits the mask it is created with). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	bool started = pthread_create(&tid, &attr, libvirt_worker, j) == 0;
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!started) {
		pthread_mutex_destroy(&j->mu);
		pthread_cond_destroy(&j->cv);
		free(j);
		return NULL;
	}
	return j;
}

/* Copies findings from one list to another (the libvirt ones go first). */
static void findings_append(struct cvb_findings *out, const struct cvb_findings *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct cvb_finding *x = &from->v[i];
		cvb_findings_add(out, x->check, x->subject, x->verdict, x->fix, "%s", x->evidence);
	}
	out->broken |= from->broken;
}

void cvb_vm_doctor(const struct cvb_probe_ctx *ctx, struct cvb_findings *out)
{
	const char *uri =
	    ctx->config && ctx->config->vm.connect ? ctx->config->vm.connect : "qemu:///system";
	char kernel[PATH_MAX], node[64], user[64];
	struct cvb_vm_kvm_node_facts kf;
	struct cvb_findings local = {0};
	struct libvirt_seen seen;
	struct caps_snap before, after;
	kvm_node_facts(&kf, node, sizeof(node), user, sizeof(user));
	bool known_cause = kf.present && kf.user_known && !kf.accessible;
	caps_snapshot(&before);
	struct libvirt_job *j = job_start(uri, ctx->thorough, known_cause);
	/* The file and /proc checks meanwhile: they take a millisecond or two. */
	check_virtlogd(&local);
	bool have_kernel = check_kernel(ctx, kernel, sizeof(kernel), &local);
	cvb_vm_kvm_node_finding(&kf, &local);
	check_kvm_boots(have_kernel ? kernel : NULL, &local);
	if (j) {
		job_wait(j, &seen);
		job_put(j);
		caps_pending_evidence(&seen.obs, &before, &after);
		libvirtd_finding(uri, &seen, out);
		if (seen.stage != JOB_CONNECTING && !seen.open_error[0])
			cvb_vm_caps_finding(&seen.obs, known_cause, user, out);
	} else {
		cvb_findings_add(out, "vm.libvirtd", SUBJECT, CVB_LEVEL_WARN, NULL,
		                 "not checked: no memory or thread for the libvirt checks");
	}
	findings_append(out, &local);
	cvb_findings_free(&local);
}
