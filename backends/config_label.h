/* How a backend's options read in a cell's label (its describe_config hook,
 * backend.h). Labels identify results across runs and files: the words here
 * must stay byte for byte what earlier versions wrote. */
#ifndef CVB_CONFIG_LABEL_H
#define CVB_CONFIG_LABEL_H

#include "backend.h"

#include <stddef.h>

/* Appends printf-style text to buf at *off, bounded by len. *off advances by
 * what snprintf would have written, so once past len nothing more is added
 * and the caller can tell the label was cut. */
void cvb_label_append(char *buf, size_t len, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The describe_config hooks of the container and VM backends. */
void cvb_container_describe_config(const struct cvb_config_desc *desc, char *buf, size_t len,
                                   size_t *off);
void cvb_vm_describe_config(const struct cvb_config_desc *desc, char *buf, size_t len, size_t *off);

#endif
