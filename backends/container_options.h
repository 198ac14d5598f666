/* The container backend's option rows (backends/container_options.c). */
#ifndef CVB_CONTAINER_OPTIONS_H
#define CVB_CONTAINER_OPTIONS_H

#include "backend_options.h"

extern const struct cvb_option cvb_container_option_rows[];

#endif
