/* The VM backend: the same static agent as /init of a small Linux guest,
 * started through libvirt as a transient domain (virDomainCreateXML with
 * auto-destroy) booting the kernel and a per-run initramfs directly. The
 * agent speaks on its own serial port, wired to a UNIX socket this backend
 * listens on before the domain exists, so every line is timestamped on the
 * host. KVM where it works for this guest, else TCG, with the reason. */
#include "backend.h"
#include "vm_options.h"
#include "clock.h"
#include "config_label.h"
#include "cvb_spawn.h"
#include "initramfs.h"
#include "procfs.h"
#include "fsutil.h"
#include "vm_accel.h"
#include "vm_channel.h"
#include "vm_doctor.h"
#include "vm_domain.h"
#include "vm_host.h"
#include "vm_libvirt.h"
#include "vm_probe_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VM_RUN_DIR "/var/lib/cvbench"
#define VM_CONNECT_BOUND_MS 10000
#define VM_GONE_BOUND_MS 10000
#define VM_KVM_PROBE_MS 4000
#define VM_CMDLINE_BASE "console=ttyS0 quiet loglevel=3 panic=-1 CVB_CHANNEL=/dev/ttyS1"

extern const struct cvb_backend cvb_backend_vm;

struct vm_run {
	char dir[PATH_MAX];         /* /var/lib/cvbench/cvb-<run-id>-vm */
	char kernel[PATH_MAX + 16]; /* copied here: readable by QEMU's user */
	char initrd[PATH_MAX + 16];
	virConnectPtr conn;
	uid_t qemu_uid; /* who libvirt runs QEMU as: the only peer of a channel */
	gid_t qemu_gid;
	struct cvb_instance_config config;
	enum cvb_vm_accel accel;
	char accel_reason[512];
	int64_t prepare_ns, probe_ns;
	const char *probe_source;   /* where the KVM verdict came from (describe_run) */
	int64_t probed_at;          /* unix time of that verdict's probe, 0 if none */
	char probe_cache_note[384]; /* why the verdict was not cached, "" if it was */
	bool cached;                /* the verdict is in CVB_VM_PROBE_CACHE_PATH */
	char last_xml[8192];        /* the exact domain XML of the last launch */
};

struct vm_inst {
	struct vm_run *run;
	virDomainPtr dom;
	struct cvb_vm_channel ch;
	pid_t qemu_pid;
	char name[96], log[PATH_MAX + 32];
	int64_t t0;
	bool destroyed;
	struct cvb_exit exit;
	char *xml; /* the exact domain XML of this launch, for its record */
};

static virConnectPtr connect_libvirt(const char *uri, struct cvb_error *err)
{
	cvb_vm_libvirt_quiet();
	virConnectPtr c = virConnectOpen(uri);
	if (!c)
		cvb_error_set(
		    err, ECONNREFUSED,
		    "libvirt is not reachable at %s: %s (start it with scripts/services.sh, "
		    "or 'libvirtd -d' and 'virtlogd -d')",
		    uri, cvb_vm_libvirt_error());
	return c;
}

/* The note `cvbench list` prints beside "available": what the cached KVM
 * verdict and /dev/kvm say about how VMs will run. */
static void probe_note(const char *kernel, char *note, size_t len)
{
	struct cvb_vm_probe_verdict v;
	struct cvb_vm_access a;
	char why[512], qemu_user[64], desc[320];
	bool pv = access("/sys/module/kvm_pvm", F_OK) == 0;
	cvb_vm_qemu_user(qemu_user, sizeof(qemu_user));
	note[0] = '\0';
	if (access(CVB_VM_KVM_DEVICE, F_OK) < 0) {
		snprintf(note, len, "TCG only: there is no /dev/kvm");
		return;
	}
	if (cvb_vm_probe_cache_load(CVB_VM_PROBE_CACHE_PATH, kernel, &v, NULL, 0, why,
	                            sizeof(why)) == 1 &&
	    v.probe != CVB_PROBE_READY) {
		cvb_vm_probe_verdict_describe(&v, pv, desc, sizeof(desc));
		snprintf(note, len, "TCG only: KVM does not boot a guest here (%s)", desc);
	}
	if (cvb_vm_user_access(CVB_VM_KVM_DEVICE, qemu_user, &a, NULL) == 0 && !a.accessible)
		snprintf(note + strlen(note), len - strlen(note),
		         "%s/dev/kvm (%s) is closed to %s: each VM start waits for libvirt to "
		         "re-probe QEMU (see cvbench doctor; fix: scripts/services.sh)",
		         note[0] ? "; " : "", a.owner, qemu_user);
}

static int vm_probe(const struct cvb_probe_ctx *ctx, char *reason, size_t len)
{
	struct cvb_error err = {0};
	char kernel[PATH_MAX];
	const char *uri = ctx->config ? ctx->config->vm.connect : "qemu:///system";
	if (access(CVB_VM_QEMU_BINARY, X_OK) < 0) {
		snprintf(reason, len, "qemu-system-x86_64 is not installed (scripts/setup.sh)");
		return -1;
	}
	if (cvb_vm_kernel_path(ctx->agent_path, ctx->config ? ctx->config->vm.kernel : NULL, kernel,
	                       sizeof(kernel), &err) < 0) {
		snprintf(reason, len, "%s", err.msg);
		return -1;
	}
	virConnectPtr c = connect_libvirt(uri, &err);
	if (!c) {
		snprintf(reason, len, "%s", err.msg);
		return -1;
	}
	virConnectClose(c);
	probe_note(kernel, reason, len);
	return 0;
}

static int vm_validate(const struct cvb_instance_config *c, struct cvb_error *err)
{
	/* Everything the domain XML checks, before any domain exists. */
	struct cvb_vm_options o = {.name = "cvb-check",
	                           .kernel = "/k",
	                           .initrd = "/i",
	                           .cmdline = "",
	                           .vcpus = c->vm.vcpus,
	                           .memory_mib = c->vm.memory_mib,
	                           .machine = c->vm.machine,
	                           .cpu_model = c->vm.cpu_model,
	                           .console_log = "/l",
	                           .channel_socket = "/s",
	                           .vcpu_cpus = c->vm.pin_vcpus,
	                           .emulator_cpus = c->vm.pin_emulator};
	char *xml = NULL;
	if (cvb_vm_domain_xml(&o, &xml, err) < 0)
		return -1;
	free(xml);
	/* The local daemon only: the guest's files and the agent's channel are
	 * made on this host, and QEMU's pid is read from that daemon's own pid
	 * file, so another driver or a remote host could never be checked. */
	if (strcmp(c->vm.connect, "qemu:///system") != 0 &&
	    strcmp(c->vm.connect, "qemu:///session") != 0)
		return cvb_error_set(err, EINVAL,
		                     "--connect %s: cvbench drives only the local libvirt, "
		                     "qemu:///system or qemu:///session",
		                     c->vm.connect);
	if (c->vm.kernel && access(c->vm.kernel, R_OK) < 0)
		return cvb_error_errno(err, errno, "--kernel '%s'", c->vm.kernel);
	/* An unknown machine type is QEMU's to say. */
	char out[8192];
	char *argv[] = {"qemu-system-x86_64", "-machine", "help", NULL};
	struct cvb_error e2 = {0};
	if (cvb_spawn_capture(argv, out, sizeof(out), 10000, &e2) == 0) {
		char word[80];
		snprintf(word, sizeof(word), "\n%s ", c->vm.machine);
		if (!strstr(out, word))
			return cvb_error_set(err, EINVAL,
			                     "--machine '%s': QEMU has no such machine type "
			                     "(see qemu-system-x86_64 -machine help)",
			                     c->vm.machine);
	}
	return 0;
}

/* ---- one domain ---------------------------------------------------------- */

/* The last lines of the guest's console, for a failure's reason. */
static void console_tail(const char *log, char *out, size_t len)
{
	char buf[4096];
	out[0] = '\0';
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > (off_t)sizeof(buf) - 1 ? size - (off_t)sizeof(buf) + 1 : 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, from);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0)
		return;
	int lines = 0;
	char *p = buf + n;
	while (p > buf && lines < 3)
		if (*--p == '\n')
			lines++;
	snprintf(out, len, "guest console: %s", p + (*p == '\n'));
	for (char *c = out; *c; c++)
		if (*c == '\n' || *c == '\r')
			*c = '|';
}

static int vm_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                      struct cvb_error *err);
static void vm_release(struct cvb_instance *inst);

static cJSON *vm_describe_instance(struct cvb_instance *inst)
{
	struct vm_inst *vi = inst->priv;
	cJSON *o = cJSON_CreateObject();
	if (vi->qemu_pid > 0)
		cJSON_AddNumberToObject(o, "qemu_pid", vi->qemu_pid);
	/* Who else connected to the agent's channel before QEMU, turned away. */
	cJSON *refused = cJSON_AddArrayToObject(o, "channel_refused_pids");
	for (int i = 0; i < vi->ch.n_refused && i < CVB_VM_CHANNEL_MAX_REFUSED; i++)
		cJSON_AddItemToArray(refused, cJSON_CreateNumber(vi->ch.refused[i]));
	if (vi->ch.n_refused > CVB_VM_CHANNEL_MAX_REFUSED)
		cJSON_AddNumberToObject(o, "channel_refused", vi->ch.n_refused);
	if (vi->xml)
		cJSON_AddStringToObject(o, "domain_xml", vi->xml);
	return o;
}

static int start_domain(struct vm_run *run, const struct cvb_vm_config *pins,
                        enum cvb_vm_accel accel, const char *name, char *const *args, int64_t t0,
                        struct cvb_instance **out, struct cvb_error *err)
{
	const struct cvb_vm_config *c = &run->config.vm;
	struct cvb_instance *inst = calloc(1, sizeof(*inst));
	struct vm_inst *vi = calloc(1, sizeof(*vi));
	char cmdline[2048], *xml = NULL;
	if (!inst || !vi) {
		free(inst);
		free(vi);
		return cvb_error_set(err, ENOMEM, "out of memory");
	}
	inst->backend = &cvb_backend_vm;
	inst->priv = vi;
	inst->out_fd = inst->in_fd = vi->ch.fd = -1;
	vi->run = run;
	vi->t0 = t0;
	vi->exit = (struct cvb_exit){.cpu_ns = -1, .max_rss_bytes = -1};
	snprintf(vi->name, sizeof(vi->name), "%s", name);
	snprintf(vi->log, sizeof(vi->log), "%s/%s.console", run->dir, name);

	size_t off = (size_t)snprintf(cmdline, sizeof(cmdline), "%s --", VM_CMDLINE_BASE);
	for (char *const *a = args; *a && off < sizeof(cmdline); a++)
		off += (size_t)snprintf(cmdline + off, sizeof(cmdline) - off, " %s", *a);
	if (off >= sizeof(cmdline)) {
		cvb_error_set(err, E2BIG, "the guest's kernel command line would be too long");
		goto fail;
	}
	/* Listening before the domain exists: QEMU connects as it starts, so
	 * no early line of the agent is lost. */
	if (cvb_vm_channel_open(&vi->ch, run->dir, run->qemu_uid, run->qemu_gid, err) < 0)
		goto fail;
	struct cvb_vm_options o = {.name = name,
	                           .kernel = run->kernel,
	                           .initrd = run->initrd,
	                           .cmdline = cmdline,
	                           .vcpus = c->vcpus,
	                           .memory_mib = c->memory_mib,
	                           .machine = c->machine,
	                           .cpu_model = c->cpu_model,
	                           .accel = accel,
	                           .console_log = vi->log,
	                           .channel_socket = vi->ch.path,
	                           /* The launch's own: noisy-neighbour placement. */
	                           .vcpu_cpus = pins->pin_vcpus,
	                           .emulator_cpus = pins->pin_emulator};
	if (cvb_vm_domain_xml(&o, &xml, err) < 0)
		goto fail;
	vi->xml = strdup(xml);
	int logfd = open(vi->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0) {
		cvb_error_errno(err, errno, "cannot create '%s'", vi->log);
		goto fail;
	}
	close(logfd);
	vi->dom = virDomainCreateXML(run->conn, xml, VIR_DOMAIN_START_AUTODESTROY);
	if (!vi->dom) {
		cvb_error_set(err, EIO, "libvirt could not start the domain: %s",
		              cvb_vm_libvirt_error());
		goto fail;
	}
	cvb_instance_mark(inst, "create_returned", t0);
	/* libvirt returns once QEMU runs the guest: this is its start. Only
	 * that QEMU may speak for the agent; without its pid, nobody may. */
	if (cvb_vm_qemu_pid(name, run->qemu_uid, &vi->qemu_pid, err) < 0)
		goto fail;
	inst->out_fd = cvb_vm_channel_accept(
	    &vi->ch, vi->qemu_pid, cvb_now_ns() + (int64_t)VM_CONNECT_BOUND_MS * 1000000, err);
	if (inst->out_fd < 0)
		goto fail;
	cvb_instance_mark(inst, "channel_connected", t0);
	inst->in_fd = fcntl(inst->out_fd, F_DUPFD_CLOEXEC, 0);
	if (inst->in_fd < 0) {
		cvb_error_errno(err, errno, "cannot duplicate the agent's channel");
		goto fail;
	}
	free(xml);
	*out = inst;
	return 0;
fail:
	free(xml);
	struct cvb_error terr = {0};
	if (vm_destroy(inst, false, NULL, &terr) < 0 && err)
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
		         "; teardown also failed: %s", terr.msg);
	vm_release(inst);
	return -1;
}

static int vm_launch(const struct cvb_launch_spec *spec, struct cvb_instance **out,
                     struct cvb_error *err)
{
	struct vm_run *run = spec->run_state;
	char name[96];
	snprintf(name, sizeof(name), "cvb-%s-%u", spec->run_id, spec->index);
	return start_domain(run, spec->config ? &spec->config->vm : &run->config.vm, run->accel,
	                    name, spec->agent_args, spec->t_start_ns, out, err);
}

/* A workload that holds until stopped reads a line on its serial port. */
static int vm_stop(struct cvb_instance *inst, struct cvb_error *err)
{
	if (inst->in_fd >= 0 && write(inst->in_fd, "STOP\n", 5) != 5)
		return cvb_error_errno(err, errno, "cannot ask the guest's agent to stop");
	return 0;
}

/* Host-side cost of the VM: the QEMU process, with the guest's RAM told
 * apart where it is one mapping. */
static int vm_measure(struct cvb_instance *inst, struct cvb_usage *u, struct cvb_error *err)
{
	struct vm_inst *vi = inst->priv;
	struct cvb_proc_memory m;
	*u = CVB_USAGE_UNKNOWN;
	if (vi->qemu_pid <= 0)
		return 0; /* unknown: recorded as no measurement, not as a failure */
	if (cvb_proc_memory_read("/proc", vi->qemu_pid, &m, err) < 0)
		return -1;
	u->rss_bytes = m.rss_bytes;
	u->pss_bytes = m.pss_bytes;
	u->uss_bytes = m.uss_bytes;
	/* Guest RAM is QEMU's one mapping of exactly the guest's size: what is
	 * left is QEMU's own cost. Not found (hugepages, a file backing): unknown. */
	if (cvb_proc_mapping_of_size("/proc", vi->qemu_pid,
	                             (int64_t)vi->run->config.vm.memory_mib << 20,
	                             &u->guest_ram_rss_bytes, &u->guest_ram_pss_bytes, NULL) < 0)
		u->guest_ram_rss_bytes = u->guest_ram_pss_bytes = -1;
	return cvb_proc_cpu_ns_read("/proc", vi->qemu_pid, &u->cpu_ns, err);
}

/* 1 running, 0 gone (a transient domain that ended no longer exists), -1
 * when libvirt cannot tell. */
static int domain_active(virDomainPtr dom)
{
	int a = virDomainIsActive(dom);
	if (a < 0) {
		virErrorPtr e = virGetLastError();
		if (e && e->code == VIR_ERR_NO_DOMAIN)
			return 0;
	}
	return a;
}

static int vm_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                      struct cvb_error *err)
{
	struct vm_inst *vi = inst->priv;
	int rc = 0;
	if (!vi->destroyed && vi->dom) {
		vi->destroyed = true;
		/* After DONE the agent powers the guest off by itself. */
		int64_t deadline =
		    cvb_now_ns() + (int64_t)(graceful ? VM_GONE_BOUND_MS : 0) * 1000000;
		int active;
		while ((active = domain_active(vi->dom)) == 1 && cvb_now_ns() < deadline)
			usleep(2000);
		if (active == 0 && inst->n_phases < CVB_MAX_PHASES)
			cvb_instance_mark(inst, "domain_gone", vi->t0);
		vi->exit.killed = active != 0;
		vi->exit.exited = active == 0;
		if (active != 0) {
			virDomainDestroy(vi->dom);
			if (domain_active(vi->dom) != 0)
				rc = cvb_error_set(err, EIO, "cannot destroy domain %s: %s",
				                   vi->name, cvb_vm_libvirt_error());
		}
		/* With `quiet` the console stays empty unless something went
		 * wrong (a panic, a missing init): then its last lines explain. */
		console_tail(vi->log, vi->exit.note, sizeof(vi->exit.note));
		virDomainFree(vi->dom);
		vi->dom = NULL;
	}
	vi->destroyed = true;
	cvb_vm_channel_close(&vi->ch);
	if (inst->in_fd >= 0) {
		close(inst->in_fd);
		inst->in_fd = -1;
	}
	if (inst->out_fd >= 0) {
		close(inst->out_fd);
		inst->out_fd = -1;
	}
	if (exit)
		*exit = vi->exit;
	return rc;
}

static void vm_release(struct cvb_instance *inst)
{
	if (!inst)
		return;
	struct vm_inst *vi = inst->priv;
	if (vi)
		free(vi->xml);
	free(inst->priv);
	free(inst);
}

/* ---- the run --------------------------------------------------------------- */

/* Boots a probe guest under KVM and waits a bounded time for READY. */
static enum cvb_kvm_probe kvm_probe(struct vm_run *run, const char *run_id, int *ms, char *detail,
                                    size_t len)
{
	char name[96];
	char *args[] = {"ready", NULL};
	struct cvb_instance *inst = NULL;
	struct cvb_error err = {0};
	int64_t t0 = cvb_now_ns();
	enum cvb_kvm_probe result = CVB_PROBE_TIMEOUT;
	snprintf(name, sizeof(name), "cvb-%s-kvmprobe", run_id);
	if (start_domain(run, &run->config.vm, CVB_ACCEL_KVM, name, args, t0, &inst, &err) < 0) {
		snprintf(detail, len, "%s", err.msg);
		for (char *c = detail; *c; c++) /* QEMU's words span lines */
			if (*c == '\n' || *c == '\r')
				*c = ' ';
		*ms = (int)((cvb_now_ns() - t0) / 1000000);
		return CVB_PROBE_FAILED;
	}
	char buf[4096];
	size_t have = 0;
	while (cvb_now_ns() - t0 < (int64_t)VM_KVM_PROBE_MS * 1000000) {
		struct pollfd pfd = {.fd = inst->out_fd, .events = POLLIN};
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		ssize_t n = read(inst->out_fd, buf + have, sizeof(buf) - 1 - have);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "READY ")) {
			result = CVB_PROBE_READY;
			break;
		}
		if (have == sizeof(buf) - 1)
			have = 0;
	}
	*ms = (int)((cvb_now_ns() - t0) / 1000000);
	vm_destroy(inst, result == CVB_PROBE_READY, NULL, NULL);
	vm_release(inst);
	return result;
}

static void vm_run_end(void *state)
{
	struct vm_run *r = state;
	if (!r)
		return;
	if (r->conn)
		virConnectClose(r->conn);
	if (r->dir[0])
		cvb_remove_tree(r->dir);
	rmdir(VM_RUN_DIR); /* only if no other run uses it */
	free(r);
}

/* The verdict of this process's last probe: the fallback when the cache
 * file cannot be written, so that a matrix with several VM blocks still
 * boots the probe guest once, not once per block. */
static struct {
	bool valid;
	struct cvb_vm_probe_key key;
	struct cvb_vm_probe_verdict v;
} kvm_probe_memo;

/* Only verdicts that hold for the whole key are kept: READY, a hang, or
 * QEMU/libvirt refusing the guest under KVM (kvm_pvm's MSR abort). Anything
 * else (a socket error, a lost connection) is probed again next time. */
static bool verdict_cacheable(const struct cvb_vm_probe_verdict *v)
{
	return v->probe == CVB_PROBE_READY || v->probe == CVB_PROBE_TIMEOUT ||
	       (v->probe == CVB_PROBE_FAILED &&
	        strncmp(v->detail, "libvirt could not start the domain", 34) == 0);
}

/* Whether KVM boots this guest: from the per-boot cache, else from this
 * process's memo, else by booting a probe guest (~5 s) whose verdict is
 * then cached. Records in r where the verdict came from. */
static void kvm_verdict(struct vm_run *r, const char *run_id, const char *kernel,
                        struct cvb_vm_probe_verdict *v)
{
	struct cvb_vm_probe_key key;
	struct cvb_error err = {0};
	char why[512];
	bool have_key = cvb_vm_probe_key_read(kernel, &key, &err) == 0;
	if (!have_key)
		snprintf(r->probe_cache_note, sizeof(r->probe_cache_note), "not cached: %s",
		         err.msg);
	if (have_key && cvb_vm_probe_cache_load(CVB_VM_PROBE_CACHE_PATH, kernel, v, NULL, 0, why,
	                                        sizeof(why)) == 1) {
		r->probe_source = "cache";
		r->probed_at = v->probed_at;
		r->cached = true;
		return;
	}
	if (have_key && kvm_probe_memo.valid && !cvb_vm_probe_key_diff(&kvm_probe_memo.key, &key)) {
		*v = kvm_probe_memo.v;
		r->probe_source = "memo";
		r->probed_at = v->probed_at;
		return;
	}
	int64_t t = cvb_now_ns();
	memset(v, 0, sizeof(*v));
	v->probed_at = (int64_t)time(NULL);
	v->probe = kvm_probe(r, run_id, &v->probe_ms, v->detail, sizeof(v->detail));
	r->probe_ns = cvb_now_ns() - t;
	r->probe_source = "probe";
	r->probed_at = v->probed_at;
	if (!have_key)
		return;
	if (!verdict_cacheable(v)) {
		snprintf(r->probe_cache_note, sizeof(r->probe_cache_note),
		         "not cached: the probe failed in a way that may not last; the next run "
		         "probes again");
		return;
	}
	kvm_probe_memo.valid = true;
	kvm_probe_memo.key = key;
	kvm_probe_memo.v = *v;
	if (cvb_vm_probe_cache_store(CVB_VM_PROBE_CACHE_PATH, &key, v, &err) < 0)
		snprintf(r->probe_cache_note, sizeof(r->probe_cache_note), "not cached: %s",
		         err.msg);
	else
		r->cached = true;
}

/* The accelerator, decided once per run; -1 with err when --accel kvm
 * cannot work here. */
static int accel_choose(struct vm_run *r, const char *run_id, const char *kernel,
                        struct cvb_error *err)
{
	struct cvb_kvm_facts f = {0};
	struct cvb_vm_probe_verdict v = {0};
	f.device = access(CVB_VM_KVM_DEVICE, F_OK) == 0;
	int kfd = open(CVB_VM_KVM_DEVICE, O_RDWR | O_CLOEXEC);
	f.accessible = kfd >= 0;
	if (kfd >= 0)
		close(kfd);
	f.paravirtual = access("/sys/module/kvm_pvm", F_OK) == 0;
	f.probe = CVB_PROBE_NOT_RUN;
	r->probe_source = "none";
	if (r->config.vm.accel != CVB_ACCEL_REQ_TCG && f.device && f.accessible) {
		kvm_verdict(r, run_id, kernel, &v);
		f.probe = v.probe;
		f.probe_ms = v.probe_ms;
		f.probe_detail = v.detail;
	}
	int rc = cvb_accel_decide((enum cvb_accel_request)r->config.vm.accel, &f, &r->accel,
	                          r->accel_reason, sizeof(r->accel_reason));
	bool cache = strcmp(r->probe_source, "cache") == 0;
	if (cache || strcmp(r->probe_source, "memo") == 0) {
		char when[32];
		size_t used = strlen(r->accel_reason);
		cvb_vm_probe_time_format(r->probed_at, when, sizeof(when));
		snprintf(r->accel_reason + used, sizeof(r->accel_reason) - used,
		         " (verdict of a probe at %s, %s)", when,
		         cache ? "cached for this boot; rm -f " CVB_VM_PROBE_CACHE_PATH
		                 " to probe again"
		               : "earlier in this run");
	}
	return rc < 0 ? cvb_error_set(err, EINVAL, "%s", r->accel_reason) : 0;
}

static int vm_run_begin(const char *run_id, const struct cvb_instance_config *config,
                        const char *agent_path, void **state, struct cvb_error *err)
{
	struct vm_run *r = calloc(1, sizeof(*r));
	char kernel[PATH_MAX];
	if (!r)
		return cvb_error_set(err, ENOMEM, "out of memory");
	r->config = *config;
	int64_t t = cvb_now_ns();
	if (cvb_vm_kernel_path(agent_path, config->vm.kernel, kernel, sizeof(kernel), err) < 0)
		goto fail;
	r->conn = connect_libvirt(config->vm.connect, err);
	if (!r->conn)
		goto fail;
	/* libvirt's own word on who QEMU runs as: the agent's channel is theirs. */
	char *caps = virConnectGetCapabilities(r->conn);
	int ids = cvb_vm_qemu_ids_parse(caps, NULL, &r->qemu_uid, &r->qemu_gid, err);
	free(caps);
	if (ids < 0)
		goto fail;
	if (mkdir(VM_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		cvb_error_errno(err, errno, "cannot create '%s'", VM_RUN_DIR);
		goto fail;
	}
	snprintf(r->dir, sizeof(r->dir), "%s/cvb-%s-vm", VM_RUN_DIR, run_id);
	if (mkdir(r->dir, 0755) < 0) {
		cvb_error_errno(err, errno, "cannot create '%s'", r->dir);
		r->dir[0] = '\0';
		goto fail;
	}
	/* Copies in a directory QEMU's user can read, made once per run. */
	snprintf(r->kernel, sizeof(r->kernel), "%s/vmlinuz", r->dir);
	snprintf(r->initrd, sizeof(r->initrd), "%s/initramfs.img", r->dir);
	if (cvb_copy_file(kernel, r->kernel, 0644, err) < 0 ||
	    cvb_initramfs_write(r->initrd, agent_path, err) < 0)
		goto fail;
	r->prepare_ns = cvb_now_ns() - t;
	if (accel_choose(r, run_id, kernel, err) < 0)
		goto fail;
	*state = r;
	return 0;
fail:
	vm_run_end(r);
	return -1;
}

static cJSON *vm_describe_run(void *state)
{
	struct vm_run *r = state;
	const struct cvb_vm_config *c = &r->config.vm;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "accel", r->accel == CVB_ACCEL_KVM ? "kvm" : "tcg");
	cJSON_AddStringToObject(o, "accel_reason", r->accel_reason);
	cJSON_AddStringToObject(o, "connect", c->connect);
	cJSON_AddNumberToObject(o, "vcpus", c->vcpus);
	cJSON_AddNumberToObject(o, "memory_mib", c->memory_mib);
	cJSON_AddStringToObject(o, "machine", c->machine);
	cJSON_AddStringToObject(o, "kernel", r->kernel);
	cJSON_AddStringToObject(o, "initramfs", r->initrd);
	cJSON *sh = cJSON_AddObjectToObject(o, "shared_setup_ns");
	cJSON_AddNumberToObject(sh, "kernel_copy_and_initramfs", (double)r->prepare_ns);
	cJSON_AddNumberToObject(sh, "kvm_probe", (double)r->probe_ns);
	/* Where the KVM verdict came from: "probe" (booted now), "cache" (a
	 * probe earlier in this boot, CVB_VM_PROBE_CACHE_PATH), "memo" (earlier
	 * in this process) or "none" (--accel tcg, or no usable /dev/kvm). */
	cJSON_AddStringToObject(o, "kvm_probe_source", r->probe_source);
	if (r->probed_at > 0) {
		char when[32];
		cvb_vm_probe_time_format(r->probed_at, when, sizeof(when));
		cJSON_AddStringToObject(o, "kvm_probed_at", when);
	}
	if (r->cached)
		cJSON_AddStringToObject(o, "kvm_probe_cache", CVB_VM_PROBE_CACHE_PATH);
	if (r->probe_cache_note[0])
		cJSON_AddStringToObject(o, "kvm_probe_cache_note", r->probe_cache_note);
	cJSON_AddStringToObject(o, "per_launch",
	                        "domain XML, virDomainCreateXML, QEMU start, guest boot to READY; "
	                        "after DONE, the guest's power-off until the domain is gone");
	return o;
}

/* Exactly the names cvbench gives domains: cvb-<YYYYmmddTHHMMSS>-<hex>-<n>
 * or -[b<block>-]kvmprobe; a user's own "cvb-web-01" never matches. */
static bool is_cvbench_domain(const char *name)
{
	const char *p = name;
	if (strncmp(p, "cvb-", 4) != 0)
		return false;
	p += 4;
	for (int i = 0; i < 15; i++, p++)
		if (i == 8 ? *p != 'T' : (*p < '0' || *p > '9'))
			return false;
	if (*p++ != '-')
		return false;
	size_t hex = strspn(p, "0123456789abcdef");
	if (hex == 0 || p[hex] != '-')
		return false;
	p += hex + 1;
	if (p[0] == 'b' && strspn(p + 1, "0123456789") > 0 &&
	    p[1 + strspn(p + 1, "0123456789")] == '-')
		p += 2 + strspn(p + 1, "0123456789");
	return strcmp(p, "kvmprobe") == 0 || (*p && strspn(p, "0123456789") == strlen(p));
}

static int vm_cleanup(bool dry_run, bool (*is_live)(const char *name),
                      void (*report)(void *ctx, const char *what), void *ctx, struct cvb_error *err)
{
	struct cvb_error e2 = {0};
	virConnectPtr c = connect_libvirt("qemu:///system", &e2);
	int found = 0, failed = 0;
	if (!c)
		return 0; /* no daemon: no domain of it can be left */
	virDomainPtr *doms = NULL;
	int n = virConnectListAllDomains(c, &doms, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
	if (n < 0) {
		cvb_error_set(err, EIO, "cannot list libvirt domains: %s", cvb_vm_libvirt_error());
		virConnectClose(c);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = virDomainGetName(doms[i]);
		/* Only transient domains named as cvbench names them, of runs that
		 * are over; cvbench never defines persistent ones. */
		if (name && is_cvbench_domain(name) && !is_live(name)) {
			char what[160];
			snprintf(what, sizeof(what), "libvirt domain %s", name);
			if (!dry_run)
				virDomainDestroy(doms[i]);
			if (dry_run || domain_active(doms[i]) == 0) {
				report(ctx, what);
				found++;
			} else if (!failed++) {
				cvb_error_set(err, EIO, "cannot destroy domain %s: %s", name,
				              cvb_vm_libvirt_error());
			}
		}
		virDomainFree(doms[i]);
	}
	free(doms);
	virConnectClose(c);
	return failed ? -1 : found;
}

const struct cvb_backend cvb_backend_vm = {
    .name = "vm",
    .summary = "the agent as /init of a libvirt/QEMU guest (KVM where it works, else TCG)",
    .caps = CVB_CAP_MEASURE_AT_READY | CVB_CAP_VCPU_PIN | CVB_CAP_GUEST_MEMORY,
    .default_timeout_ms = 120000,
    .describe_config = cvb_vm_describe_config,
    /* TCG emulation is the slow case the estimate must not miss. */
    .typical_launch_s = 6.0,
    .typical_slowdown = 10.0,
    .host_facts = cvb_vm_host_facts,
    .options = cvb_vm_option_rows,
    .options_heading = "VM instances:",
    .probe = vm_probe,
    .doctor = cvb_vm_doctor,
    .validate = vm_validate,
    .run_begin = vm_run_begin,
    .describe_run = vm_describe_run,
    .run_end = vm_run_end,
    .cleanup = vm_cleanup,
    .launch = vm_launch,
    .measure = vm_measure,
    .describe_instance = vm_describe_instance,
    .stop = vm_stop,
    .destroy = vm_destroy,
    .release = vm_release,
};
