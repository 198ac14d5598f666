/* A command's output file must not be one of its inputs: a report written
 * over the results it was made from loses them for good. */
#ifndef CVB_OUT_GUARD_H
#define CVB_OUT_GUARD_H

#include "cvb_error.h"

/* 0 when out is not the same file (device and inode) as any of the n
 * inputs (a missing out or input is not the same file); -1 with err. */
int cvb_out_not_an_input(const char *out, char *const *inputs, int n, struct cvb_error *err);

#endif
