/* Unit tests for lib/csv.c, numfmt.c and export_csv.c: RFC 4180
 * quoting, shortest round-trip numbers, sample and summary rows. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "csv.h"
#include "export_csv.h"
#include "numfmt.h"
#include "results_fixture.h"

struct mem {
	char *text;
	size_t len;
	FILE *f;
};

static void mem_open(struct mem *m)
{
	m->text = NULL;
	m->f = open_memstream(&m->text, &m->len);
	assert_non_null(m->f);
}

static char *mem_close(struct mem *m)
{
	fclose(m->f);
	return m->text;
}

static void test_csv_quoting(void **state)
{
	struct mem m;
	struct cvb_csv csv;

	(void)state;
	mem_open(&m);
	csv = (struct cvb_csv){.out = m.f};
	cvb_csv_field(&csv, "plain");
	cvb_csv_field(&csv, "a,b");
	cvb_csv_field(&csv, "say \"hi\"");
	cvb_csv_field(&csv, "two\nlines");
	cvb_csv_field(&csv, "cr\r");
	cvb_csv_field(&csv, NULL);
	cvb_csv_field(&csv, "");
	cvb_csv_field(&csv, " spaced ");
	cvb_csv_end_row(&csv);
	cvb_csv_number(&csv, 1018292);
	cvb_csv_number(&csv, 0.1);
	cvb_csv_number(&csv, NAN);
	cvb_csv_end_row(&csv);
	assert_string_equal(mem_close(&m),
	                    "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,, "
	                    "spaced \r\n1018292,0.1,\r\n");
	free(m.text);
}

static void test_format_double(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(cvb_format_double(1018292, buf, sizeof(buf)), "1018292");
	assert_string_equal(cvb_format_double(0.1, buf, sizeof(buf)), "0.1");
	assert_string_equal(cvb_format_double(2.5, buf, sizeof(buf)), "2.5");
	assert_string_equal(cvb_format_double(-3, buf, sizeof(buf)), "-3");
	assert_string_equal(cvb_format_double(1.0000000000000002, buf, sizeof(buf)),
	                    "1.0000000000000002");
	assert_string_equal(cvb_format_double(1e300, buf, sizeof(buf)), "1e+300");
	assert_string_equal(cvb_format_double(INFINITY, buf, sizeof(buf)), "inf");
	assert_true(strtod(cvb_format_double(M_PI, buf, sizeof(buf)), NULL) == M_PI);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A cell whose label needs quoting, with sorted parameters. */
static cJSON *export_doc(void)
{
	static const double a[] = {10, 20, 30}, b[] = {1.5, 2.5};
	cJSON *doc = fx_doc("20260101T000000-1", "h"), *c;

	c = fx_cell(doc, "container", "cpu-victim", "container/cpu-victim scenario=\"x,y\"");
	cJSON *params = cJSON_GetObjectItem(c, "params");
	cJSON_AddNumberToObject(params, "units", 200);
	cJSON_AddNumberToObject(params, "max_s", 60);
	fx_metric(c, "startup_ns", "ns", "lower", a, 3);
	fx_metric(c, "ops", "ops/s", "higher", b, 2);
	fx_cell(doc, "native", "ready", NULL); /* no metrics: no rows */
	return doc;
}

static void test_export_samples(void **state)
{
	struct cvb_results_file f;
	struct cvb_error err = {0};
	struct mem m;
	cJSON *doc = export_doc();
	char *text;

	(void)state;
	fx_load(doc, "r.json", &f);
	mem_open(&m);
	assert_int_equal(cvb_export_samples_csv(m.f, &f, &err), 0);
	text = mem_close(&m);
	assert_int_equal(count_lines(text), 1 + 3 + 2); /* header + one per sample */
	assert_ptr_equal(strstr(text, "run_id,label,backend,workload,params,metric,unit,better,"
	                              "launch_index,value\r\n"),
	                 text);
	assert_non_null(strstr(text,
	                       "20260101T000000-1,\"container/cpu-victim scenario=\"\"x,y\"\"\","
	                       "container,cpu-victim,max_s=60;units=200,startup_ns,ns,lower,"
	                       "0,10\r\n"));
	assert_non_null(strstr(text, ",ops,ops/s,higher,1,2.5\r\n"));
	free(text);
	cvb_results_free(&f);
	cJSON_Delete(doc);
}

static void test_export_summary(void **state)
{
	static const double v[] = {4, 1, 3, 2};
	struct cvb_results_file f;
	struct cvb_error err = {0};
	struct mem m;
	cJSON *doc = fx_doc("20260101T000000-1", "h");
	char *text;

	(void)state;
	fx_metric(fx_cell(doc, "native", "ready", NULL), "startup_ns", "ns", "lower", v, 4);
	fx_metric(fx_cell(doc, "native", "idle", NULL), "host_pss_bytes", "bytes", "lower", v, 0);
	fx_load(doc, "r.json", &f);
	mem_open(&m);
	assert_int_equal(cvb_export_summary_csv(m.f, &f, &err), 0);
	text = mem_close(&m);
	assert_int_equal(count_lines(text), 3);
	assert_non_null(strstr(text, "run_id,label,backend,workload,params,metric,unit,better,n,"
	                             "p50,p90,p99,mean,sd,ci95_lo,ci95_hi\r\n"));
	/* type-7 percentiles of 1..4 (p99 = 3 + 0.97, which as a double reads
	 * back only in full), sd = sqrt(5/3) */
	assert_non_null(strstr(text, "20260101T000000-1,native/ready,native,ready,,startup_ns,ns,"
	                             "lower,4,2.5,3.7,3.9699999999999998,2.5,1.2909944487358056,"));
	assert_non_null(strstr(text, ",host_pss_bytes,bytes,lower,0,,,,,,,\r\n"));
	free(text);
	cvb_results_free(&f);
	cJSON_Delete(doc);
}

/* In a merged file each sample's run is its launch's run_ref. */
static void test_export_merged_run_ids(void **state)
{
	static const double v[] = {1, 2};
	struct cvb_results_file f;
	struct cvb_error err = {0};
	struct mem m;
	cJSON *doc = fx_doc("20260101T000000-9", "h"), *c, *from;
	char *text;

	(void)state;
	c = fx_cell(doc, "native", "ready", NULL);
	fx_metric(c, "startup_ns", "ns", "lower", v, 2);
	from = cJSON_AddArrayToObject(doc, "merged_from");
	cJSON_AddItemToArray(from, cJSON_CreateString("20250101T000000-a"));
	cJSON_AddItemToArray(from, cJSON_CreateString("20250101T000000-b"));
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "launches"), 0),
	                        "run_ref", 1);
	cJSON_AddNumberToObject(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "launches"), 1),
	                        "run_ref", 0);
	fx_load(doc, "m.json", &f);
	mem_open(&m);
	assert_int_equal(cvb_export_samples_csv(m.f, &f, &err), 0);
	text = mem_close(&m);
	assert_non_null(strstr(text, "\r\n20250101T000000-b,native/ready,"));
	assert_non_null(strstr(text, "\r\n20250101T000000-a,native/ready,"));
	free(text);
	cvb_results_free(&f);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_quoting),           cmocka_unit_test(test_format_double),
	    cmocka_unit_test(test_export_samples),        cmocka_unit_test(test_export_summary),
	    cmocka_unit_test(test_export_merged_run_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
