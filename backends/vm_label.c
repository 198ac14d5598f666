/* The VM backend's words in a cell's label: accelerator, guest shape,
 * pinning and KSM, where they differ from the defaults (config_label.h). */
#include "config_label.h"

#include <string.h>

void cvb_vm_describe_config(const struct cvb_config_desc *desc, char *buf, size_t len, size_t *off)
{
	const struct cvb_instance_config *c = desc->config;
	struct cvb_instance_config def;
	cvb_instance_config_init(&def);
	if (c->vm.accel != def.vm.accel)
		cvb_label_append(buf, len, off, " accel=%s", c->vm.accel == 1 ? "kvm" : "tcg");
	if (c->vm.vcpus != def.vm.vcpus)
		cvb_label_append(buf, len, off, " vcpus=%u", c->vm.vcpus);
	if (c->vm.memory_mib != def.vm.memory_mib)
		cvb_label_append(buf, len, off, " vm-memory=%uM", c->vm.memory_mib);
	if (strcmp(c->vm.machine, def.vm.machine) != 0)
		cvb_label_append(buf, len, off, " machine=%s", c->vm.machine);
	if (c->vm.cpu_model)
		cvb_label_append(buf, len, off, " cpu-model=%s", c->vm.cpu_model);
	if (c->vm.pin_vcpus)
		cvb_label_append(buf, len, off, " vm-pin-vcpus=%s", c->vm.pin_vcpus);
	if (c->vm.pin_emulator)
		cvb_label_append(buf, len, off, " vm-pin-emulator=%s", c->vm.pin_emulator);
	if (desc->ksm >= 0)
		cvb_label_append(buf, len, off, " ksm=%s", desc->ksm ? "on" : "off");
}
