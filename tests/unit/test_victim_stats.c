/* Unit tests for workloads/victim_stats.c: type-7 quantiles (expected values
 * checked with Python's statistics.quantiles(method="inclusive"), which is
 * type 7 like R's default and numpy's), sorting, the MemAvailable reader on
 * made-up meminfo files, and sysfs cache sizes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "double_asserts.h"

#include "victim_stats.h"

static void test_quantile_type7_small(void **state)
{
	(void)state;
	/* Type 7 of [1, 2, 3, 4] at 0, 25, 50, 90, 99 and 100 % */
	const int64_t v[] = {1, 2, 3, 4};
	assert_near(cvb_victim_quantile_i64(v, 4, 0.0), 1.0, 0);
	assert_near(cvb_victim_quantile_i64(v, 4, 0.25), 1.75, 1e-12);
	assert_near(cvb_victim_quantile_i64(v, 4, 0.5), 2.5, 1e-12);
	assert_near(cvb_victim_quantile_i64(v, 4, 0.9), 3.7, 1e-12);
	assert_near(cvb_victim_quantile_i64(v, 4, 0.99), 3.97, 1e-12);
	assert_near(cvb_victim_quantile_i64(v, 4, 1.0), 4.0, 0);
}

static void test_quantile_odd_count_median_is_middle(void **state)
{
	(void)state;
	const int64_t v[] = {10, 20, 30, 40, 1000};
	assert_near(cvb_victim_quantile_i64(v, 5, 0.5), 30.0, 0);
	/* h = 4 * 0.99 = 3.96: 40 + 0.96 * 960 */
	assert_near(cvb_victim_quantile_i64(v, 5, 0.99), 961.6, 1e-9);
}

static void test_quantile_single_and_empty(void **state)
{
	(void)state;
	const int64_t one = 42;
	const double d = 2.5;
	assert_near(cvb_victim_quantile_i64(&one, 1, 0.0), 42, 0);
	assert_near(cvb_victim_quantile_i64(&one, 1, 0.99), 42, 0);
	assert_near(cvb_victim_quantile_f64(&d, 1, 0.5), 2.5, 0);
	assert_true(isnan(cvb_victim_quantile_i64(NULL, 0, 0.5)));
	assert_true(isnan(cvb_victim_quantile_f64(NULL, 0, 0.5)));
}

static void test_quantile_clamps_q(void **state)
{
	(void)state;
	const double v[] = {1.0, 2.0, 3.0};
	assert_near(cvb_victim_quantile_f64(v, 3, -0.5), 1.0, 0);
	assert_near(cvb_victim_quantile_f64(v, 3, 7.0), 3.0, 0);
	assert_near(cvb_victim_quantile_f64(v, 3, NAN), 1.0, 0);
}

static void test_quantile_large_int64_no_overflow(void **state)
{
	(void)state;
	/* Far-apart values whose int64 difference would overflow. */
	const int64_t v[] = {INT64_MIN / 2 - 10, INT64_MAX / 2 + 10};
	double mid = cvb_victim_quantile_i64(v, 2, 0.5);
	assert_near(mid, 0.0, 1e4);
}

static void test_sort_then_quantile(void **state)
{
	(void)state;
	int64_t v[] = {9, -3, 7, 7, 0, 100, 2};
	cvb_victim_sort_i64(v, 7);
	const int64_t want[] = {-3, 0, 2, 7, 7, 9, 100};
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(v[i], want[i]);
	assert_near(cvb_victim_quantile_i64(v, 7, 0.5), 7.0, 0);
	/* h = 6 * 0.99 = 5.94: 9 + 0.94 * 91 */
	assert_near(cvb_victim_quantile_i64(v, 7, 0.99), 94.54, 1e-9);

	double d[] = {0.5, -1.25, 3.0, 0.5};
	cvb_victim_sort_f64(d, 4);
	assert_near(d[0], -1.25, 0);
	assert_near(d[3], 3.0, 0);
	assert_near(cvb_victim_quantile_f64(d, 4, 0.5), 0.5, 0);
	/* Zero and one element: nothing to do, nothing touched. */
	cvb_victim_sort_i64(NULL, 0);
	cvb_victim_sort_f64(d, 1);
	assert_near(d[0], -1.25, 0);
}

static void test_quantile_many_uniform(void **state)
{
	(void)state;
	/* 0..999 shuffled: type 7 of q is 999 q exactly. */
	enum { N = 1000 };
	int64_t v[N];
	for (int i = 0; i < N; i++)
		v[i] = (int64_t)((i * 7919) % N); /* 7919 is prime: a permutation */
	cvb_victim_sort_i64(v, N);
	for (int i = 0; i < N; i++)
		assert_int_equal(v[i], i);
	assert_near(cvb_victim_quantile_i64(v, N, 0.5), 499.5, 1e-9);
	assert_near(cvb_victim_quantile_i64(v, N, 0.99), 989.01, 1e-9);
}

/* Writes text to a fresh temporary file; returns its path (static buffer). */
static const char *temp_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/cvb-test-victim-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_mem_available(void **state)
{
	(void)state;
	const char *p = temp_file("MemTotal:       24683656 kB\n"
	                          "MemFree:        24387328 kB\n"
	                          "MemAvailable:     262144 kB\n"
	                          "Buffers:           12345 kB\n");
	assert_int_equal(cvb_victim_mem_available(p), (int64_t)262144 * 1024);
	unlink(p);

	/* Kernels before 3.14 have no MemAvailable line. */
	p = temp_file("MemTotal:       24683656 kB\nMemFree:        24387328 kB\n");
	assert_int_equal(cvb_victim_mem_available(p), -1);
	unlink(p);

	p = temp_file("MemAvailable: lots\n");
	assert_int_equal(cvb_victim_mem_available(p), -1);
	unlink(p);

	assert_int_equal(cvb_victim_mem_available("/nonexistent/meminfo"), -1);
}

static void test_parse_cache_size(void **state)
{
	(void)state;
	assert_int_equal(cvb_victim_parse_cache_size("32768K\n"), (int64_t)32 << 20);
	assert_int_equal(cvb_victim_parse_cache_size("32K"), 32768);
	assert_int_equal(cvb_victim_parse_cache_size("8M"), (int64_t)8 << 20);
	assert_int_equal(cvb_victim_parse_cache_size("1G"), (int64_t)1 << 30);
	assert_int_equal(cvb_victim_parse_cache_size("4096"), 4096);
	assert_int_equal(cvb_victim_parse_cache_size(""), -1);
	assert_int_equal(cvb_victim_parse_cache_size("K"), -1);
	assert_int_equal(cvb_victim_parse_cache_size("0K"), -1);
	assert_int_equal(cvb_victim_parse_cache_size("-5K"), -1);
	assert_int_equal(cvb_victim_parse_cache_size("12KB"), -1);
	assert_int_equal(cvb_victim_parse_cache_size("99999999999999999999K"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_quantile_type7_small),
	    cmocka_unit_test(test_quantile_odd_count_median_is_middle),
	    cmocka_unit_test(test_quantile_single_and_empty),
	    cmocka_unit_test(test_quantile_clamps_q),
	    cmocka_unit_test(test_quantile_large_int64_no_overflow),
	    cmocka_unit_test(test_sort_then_quantile),
	    cmocka_unit_test(test_quantile_many_uniform),
	    cmocka_unit_test(test_mem_available),
	    cmocka_unit_test(test_parse_cache_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
