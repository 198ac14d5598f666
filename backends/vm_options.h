/* The VM backend's option rows (backends/vm_options.c). */
#ifndef CVB_VM_OPTIONS_H
#define CVB_VM_OPTIONS_H

#include "backend_options.h"

extern const struct cvb_option cvb_vm_option_rows[];

#endif
