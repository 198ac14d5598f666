/* Percentiles and system readings of the neighbour workloads; see victim_stats.h. */
#include "victim_stats.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_f64(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

void cvb_victim_sort_i64(int64_t *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_i64);
}

void cvb_victim_sort_f64(double *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_f64);
}

/* The rank h and its integral part, shared by both element types. */
static size_t type7_rank(size_t n, double q, double *frac)
{
	if (!(q > 0)) /* also NaN */
		q = 0;
	if (q > 1)
		q = 1;
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)h;
	if (lo >= n - 1) {
		*frac = 0;
		return n - 1;
	}
	*frac = h - (double)lo;
	return lo;
}

double cvb_victim_quantile_i64(const int64_t *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	double frac;
	size_t lo = type7_rank(n, q, &frac);
	if (frac == 0)
		return (double)sorted[lo];
	/* The difference in double: int64 subtraction of far-apart values
	 * could overflow. */
	return (double)sorted[lo] + frac * ((double)sorted[lo + 1] - (double)sorted[lo]);
}

double cvb_victim_quantile_f64(const double *sorted, size_t n, double q)
{
	if (n == 0)
		return NAN;
	double frac;
	size_t lo = type7_rank(n, q, &frac);
	if (frac == 0)
		return sorted[lo];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int64_t cvb_victim_mem_available(const char *meminfo_path)
{
	char line[128];
	int64_t bytes = -1;
	FILE *f = fopen(meminfo_path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long long kb;
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1) {
			if (kb >= 0 && kb < INT64_MAX / 1024)
				bytes = (int64_t)kb * 1024;
			break;
		}
	}
	fclose(f);
	return bytes;
}

int64_t cvb_victim_parse_cache_size(const char *text)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || v <= 0)
		return -1;
	int shift = 0;
	switch (*end) {
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	}
	while (isspace((unsigned char)*end))
		end++;
	if (*end || v > (INT64_MAX >> shift))
		return -1;
	return (int64_t)v << shift;
}
