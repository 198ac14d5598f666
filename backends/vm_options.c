/* The VM backend's `cvbench run` options, stored in struct cvb_vm_config. */
#include "backend_options.h"
#include "instance_config.h"
#include "vm_accel.h"
#include "vm_options.h"

#include <errno.h>
#include <stddef.h>

#define VM(field) offsetof(struct cvb_instance_config, vm.field)

static int parse_accel(const struct cvb_option *o, void *storage, const char *arg,
                       struct cvb_error *err)
{
	struct cvb_instance_config *config = storage;
	(void)o;
	if (cvb_accel_request_parse(arg, (enum cvb_accel_request *)&config->vm.accel) < 0)
		return cvb_error_set(err, EINVAL, "--accel: expected auto, kvm or tcg, got '%s'",
		                     arg);
	return 0;
}

/* One row per option, compact: clang-format would spread each over a
 * dozen lines. */
/* clang-format off */
const struct cvb_option cvb_vm_option_rows[] = {
    {.name = "accel", .kind = CVB_OPT_CUSTOM, .parse = parse_accel, .arg = "auto|kvm|tcg",
     .help = "auto: KVM only where a probe guest proves it works,\n"
             "else TCG, with the reason recorded (default: auto)"},
    {.name = "connect", .kind = CVB_OPT_STRING, .offset = VM(connect), .expect = "URI",
     .guard = CVB_GUARD_CONNECT, .arg = "URI",
     .help = "libvirt connection (default: qemu:///system)"},
    {.name = "kernel", .kind = CVB_OPT_STRING, .offset = VM(kernel), .guard = CVB_GUARD_KERNEL,
     .arg = "PATH",
     .help = "guest kernel (default: guest/vmlinuz next to the agent,\n"
             "made by 'make guest')"},
    {.name = "vcpus", .kind = CVB_OPT_UINT, .offset = VM(vcpus), .min = 1, .max = 256,
     .arg = "N", .help = "vCPUs (default 1)"},
    {.name = "vm-memory", .kind = CVB_OPT_SIZE_MIB, .offset = VM(memory_mib), .min = 16 << 20,
     .max = (int64_t)1 << 40, .flags = CVB_OPTF_HELP_INLINE, .arg = "SIZE",
     .help = "guest RAM (default 256M)"},
    {.name = "machine", .kind = CVB_OPT_STRING, .offset = VM(machine), .arg = "TYPE",
     .help = "QEMU machine (default q35)"},
    {.name = "cpu-model", .kind = CVB_OPT_STRING, .offset = VM(cpu_model),
     .flags = CVB_OPTF_HELP_INLINE, .arg = "NAME",
     .help = "(default: host\nwith KVM, max with TCG)"},
    {.name = "vm-pin-vcpus", .kind = CVB_OPT_CPULIST, .offset = VM(pin_vcpus),
     .expect = "a CPU list such as 1 or 0-1", .arg = "LIST",
     .help = "pin vCPUs / QEMU's other threads"},
    {.name = "vm-pin-emulator", .kind = CVB_OPT_CPULIST, .offset = VM(pin_emulator),
     .expect = "a CPU list such as 1 or 0-1", .flags = CVB_OPTF_HELP_PAIR, .arg = "LIST",
     .help = "pin vCPUs / QEMU's other threads"},
    {0},
};
/* clang-format on */
