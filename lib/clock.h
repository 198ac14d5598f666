/* Host CLOCK_MONOTONIC in nanoseconds: the only clock startup is measured on. */
#ifndef CVB_CLOCK_H
#define CVB_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t cvb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

#endif
