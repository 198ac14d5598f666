#include "vm_domain.h"
#include "cvb_spawn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing string; `failed` sticks after an allocation failure. */
struct buf {
	char *s;
	size_t len, cap;
	bool failed;
};

static void add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	for (int tries = 0; tries < 2 && !b->failed; tries++) {
		va_start(ap, fmt);
		int n = vsnprintf(b->s ? b->s + b->len : NULL, b->s ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->s && b->len + (size_t)n < b->cap) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = (b->cap + (size_t)n + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->failed = true;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
}

/* Text with XML's five special characters escaped. */
static void add_text(struct buf *b, const char *text)
{
	for (const char *c = text; *c; c++) {
		switch (*c) {
		case '&':
			add(b, "&amp;");
			break;
		case '<':
			add(b, "&lt;");
			break;
		case '>':
			add(b, "&gt;");
			break;
		case '"':
			add(b, "&quot;");
			break;
		case '\'':
			add(b, "&apos;");
			break;
		default:
			add(b, "%c", *c);
		}
	}
}

static bool only_chars(const char *s, const char *allowed)
{
	return s && *s && strspn(s, allowed) == strlen(s);
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-"

static int validate(const struct cvb_vm_options *o, struct cvb_error *err)
{
	if (!only_chars(o->name, NAME_CHARS))
		return cvb_error_set(err, EINVAL,
		                     "VM name '%s': use letters, digits, '_', '.', '-'",
		                     o->name ? o->name : "");
	if (o->vcpus < 1 || o->vcpus > 256)
		return cvb_error_set(err, ERANGE, "--vcpus: %u is out of range (1..256)", o->vcpus);
	if (o->memory_mib < 16 || o->memory_mib > 1048576)
		return cvb_error_set(err, ERANGE,
		                     "--vm-memory: %u MiB is out of range (16..1048576)",
		                     o->memory_mib);
	if (!only_chars(o->machine, NAME_CHARS))
		return cvb_error_set(err, EINVAL, "--machine '%s': not a machine type name",
		                     o->machine ? o->machine : "");
	if (o->cpu_model && !only_chars(o->cpu_model, NAME_CHARS))
		return cvb_error_set(err, EINVAL, "--cpu-model '%s': not a CPU model name",
		                     o->cpu_model);
	const char *const paths[][2] = {{"kernel", o->kernel},
	                                {"initramfs", o->initrd},
	                                {"console log", o->console_log},
	                                {"channel socket", o->channel_socket}};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (!paths[i][1] || paths[i][1][0] != '/')
			return cvb_error_set(err, EINVAL, "the %s path must be absolute, got '%s'",
			                     paths[i][0], paths[i][1] ? paths[i][1] : "");
	if (!o->cmdline)
		return cvb_error_set(err, EINVAL, "no kernel command line");
	const char *const lists[][2] = {{"--vm-pin-vcpus", o->vcpu_cpus},
	                                {"--vm-pin-emulator", o->emulator_cpus}};
	for (size_t i = 0; i < 2; i++)
		if (lists[i][1] && cvb_cpulist_valid(lists[i][1], err) < 0)
			return cvb_error_prefix(err, "%s", lists[i][0]);
	return 0;
}

int cvb_vm_domain_xml(const struct cvb_vm_options *o, char **xml, struct cvb_error *err)
{
	struct buf b = {0};
	if (validate(o, err) < 0)
		return -1;
	add(&b, "<domain type='%s'>\n", o->accel == CVB_ACCEL_KVM ? "kvm" : "qemu");
	add(&b, "  <name>%s</name>\n", o->name);
	add(&b, "  <memory unit='MiB'>%u</memory>\n", o->memory_mib);
	add(&b, "  <vcpu placement='static'>%u</vcpu>\n", o->vcpus);
	if (o->vcpu_cpus || o->emulator_cpus) {
		add(&b, "  <cputune>\n");
		for (unsigned i = 0; o->vcpu_cpus && i < o->vcpus; i++)
			add(&b, "    <vcpupin vcpu='%u' cpuset='%s'/>\n", i, o->vcpu_cpus);
		if (o->emulator_cpus)
			add(&b, "    <emulatorpin cpuset='%s'/>\n", o->emulator_cpus);
		add(&b, "  </cputune>\n");
	}
	add(&b, "  <os>\n    <type arch='x86_64' machine='%s'>hvm</type>\n", o->machine);
	add(&b, "    <kernel>");
	add_text(&b, o->kernel);
	add(&b, "</kernel>\n    <initrd>");
	add_text(&b, o->initrd);
	add(&b, "</initrd>\n    <cmdline>");
	add_text(&b, o->cmdline);
	add(&b, "</cmdline>\n  </os>\n");
	/* Without ACPI the guest's power-off only halts it. */
	add(&b, "  <features>\n    <acpi/>\n  </features>\n");
	if (o->cpu_model)
		add(&b,
		    "  <cpu mode='custom' match='exact'>\n    <model fallback='forbid'>%s</model>\n"
		    "  </cpu>\n",
		    o->cpu_model);
	else if (o->accel == CVB_ACCEL_KVM)
		add(&b, "  <cpu mode='host-passthrough'/>\n");
	else /* QEMU's "max" model: everything TCG can emulate */
		add(&b, "  <cpu mode='maximum'/>\n");
	add(&b, "  <clock offset='utc'/>\n");
	add(&b, "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
	        "  <on_crash>destroy</on_crash>\n");
	add(&b, "  <devices>\n    <emulator>");
	add_text(&b, o->emulator ? o->emulator : "/usr/bin/qemu-system-x86_64");
	add(&b, "</emulator>\n");
	add(&b, "    <serial type='file'>\n      <source path='");
	add_text(&b, o->console_log);
	add(&b, "'/>\n      <target port='0'/>\n    </serial>\n");
	add(&b, "    <serial type='unix'>\n      <source mode='connect' path='");
	add_text(&b, o->channel_socket);
	add(&b, "'/>\n      <target port='1'/>\n    </serial>\n");
	/* No disk, network, graphics, USB or balloon: only what the agent needs. */
	add(&b, "    <controller type='usb' model='none'/>\n");
	add(&b, "    <memballoon model='none'/>\n");
	add(&b, "  </devices>\n</domain>\n");
	if (b.failed) {
		free(b.s);
		return cvb_error_set(err, ENOMEM, "out of memory");
	}
	*xml = b.s;
	return 0;
}
