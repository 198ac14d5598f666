/* Findings: adding, counting, the worst verdict, level names, the JSON round
 * trip a results file relies on, and the printed form `cvbench doctor` shows. */
#include "findings.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_empty(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_OK);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_OK), 0);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_WARN), 0);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_FAIL), 0);
	cvb_findings_free(&f);
	cvb_findings_free(&f); /* twice is harmless */
	assert_null(f.v);
	assert_int_equal(f.n, 0);
}

static void test_add_count_worst(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	struct cvb_finding *x = cvb_findings_add(&f, "host.load", NULL, CVB_LEVEL_OK, NULL,
	                                         "%.2f CPUs over %d ms", 0.01, 200);
	assert_non_null(x);
	assert_string_equal(x->check, "host.load");
	assert_string_equal(x->subject, "");
	assert_string_equal(x->evidence, "0.01 CPUs over 200 ms");
	assert_string_equal(x->fix, "");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_OK);

	x = cvb_findings_add(&f, "cpu.governor", "", CVB_LEVEL_WARN, "cpupower frequency-set",
	                     "governor '%s'", "powersave");
	assert_non_null(x);
	assert_string_equal(x->subject, "");
	assert_string_equal(x->fix, "cpupower frequency-set");
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_WARN);

	x = cvb_findings_add(&f, "host.memory", "vm", CVB_LEVEL_FAIL, "free memory", "short");
	assert_non_null(x);
	assert_string_equal(x->subject, "vm");
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_FAIL);

	/* Order does not matter to worst. */
	cvb_findings_add(&f, "x", NULL, CVB_LEVEL_OK, NULL, "fine");
	cvb_findings_add(&f, "y", NULL, CVB_LEVEL_WARN, NULL, "meh");
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_FAIL);

	assert_int_equal(f.n, 5);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_OK), 2);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_WARN), 2);
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_FAIL), 1);
	assert_false(f.broken);
	cvb_findings_free(&f);
}

static void test_many_grow(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	for (int i = 0; i < 100; i++)
		assert_non_null(cvb_findings_add(
		    &f, "c", NULL, i == 57 ? CVB_LEVEL_WARN : CVB_LEVEL_OK, NULL, "item %d", i));
	assert_int_equal(f.n, 100);
	assert_true(f.cap >= 100);
	for (int i = 0; i < 100; i++) {
		char want[32];
		snprintf(want, sizeof(want), "item %d", i);
		assert_string_equal(f.v[i].evidence, want);
	}
	assert_int_equal(cvb_findings_count(&f, CVB_LEVEL_WARN), 1);
	assert_int_equal(cvb_findings_worst(&f), CVB_LEVEL_WARN);
	cvb_findings_free(&f);
}

static void test_truncation(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	char longer[2000];

	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	struct cvb_finding *x =
	    cvb_findings_add(&f, longer, longer, CVB_LEVEL_WARN, longer, "%s", longer);
	assert_non_null(x);
	assert_int_equal(strlen(x->check), sizeof(x->check) - 1);
	assert_int_equal(strlen(x->subject), sizeof(x->subject) - 1);
	assert_int_equal(strlen(x->evidence), sizeof(x->evidence) - 1);
	assert_int_equal(strlen(x->fix), sizeof(x->fix) - 1);
	cvb_findings_free(&f);
}

static void test_fix_dropped_for_ok(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	struct cvb_finding *x =
	    cvb_findings_add(&f, "cpu.governor", NULL, CVB_LEVEL_OK, "cpupower ...", "performance");
	assert_string_equal(x->fix, "");
	x = cvb_findings_add(&f, "cpu.governor", NULL, CVB_LEVEL_WARN, "cpupower ...", "powersave");
	assert_string_equal(x->fix, "cpupower ...");
	x = cvb_findings_add(&f, "cpu.governor", NULL, CVB_LEVEL_FAIL, "cpupower ...", "bad");
	assert_string_equal(x->fix, "cpupower ...");
	x = cvb_findings_add(&f, "cpu.governor", NULL, CVB_LEVEL_WARN, NULL, "no fix");
	assert_string_equal(x->fix, "");
	cvb_findings_free(&f);
}

static void test_level_names(void **state)
{
	(void)state;
	enum cvb_level v = CVB_LEVEL_FAIL;

	assert_string_equal(cvb_level_name(CVB_LEVEL_OK), "ok");
	assert_string_equal(cvb_level_name(CVB_LEVEL_WARN), "warn");
	assert_string_equal(cvb_level_name(CVB_LEVEL_FAIL), "fail");
	assert_string_equal(cvb_level_name((enum cvb_level)3), "?");
	assert_string_equal(cvb_level_name((enum cvb_level) - 1), "?");

	assert_int_equal(cvb_level_parse("ok", &v), 0);
	assert_int_equal(v, CVB_LEVEL_OK);
	assert_int_equal(cvb_level_parse("warn", &v), 0);
	assert_int_equal(v, CVB_LEVEL_WARN);
	assert_int_equal(cvb_level_parse("fail", &v), 0);
	assert_int_equal(v, CVB_LEVEL_FAIL);

	v = CVB_LEVEL_WARN;
	assert_int_equal(cvb_level_parse("OK", &v), -1);
	assert_int_equal(cvb_level_parse("warning", &v), -1);
	assert_int_equal(cvb_level_parse("", &v), -1);
	assert_int_equal(cvb_level_parse(NULL, &v), -1);
	assert_int_equal(v, CVB_LEVEL_WARN); /* untouched on failure */

	/* Every name parses back to its level. */
	for (int i = CVB_LEVEL_OK; i <= CVB_LEVEL_FAIL; i++) {
		assert_int_equal(cvb_level_parse(cvb_level_name((enum cvb_level)i), &v), 0);
		assert_int_equal(v, i);
	}
}

static void fill(struct cvb_findings *f)
{
	cvb_findings_add(f, "host.load", NULL, CVB_LEVEL_OK, "ignored", "0.00 CPUs");
	cvb_findings_add(f, "cpu.governor", "", CVB_LEVEL_WARN,
	                 "cpupower frequency-set -g performance", "scaling governor 'powersave'");
	cvb_findings_add(f, "host.memory", "density/vm", CVB_LEVEL_FAIL, "free memory",
	                 "MemAvailable %d MiB \"quoted\" \\ and\nnewline", 512);
}

static void assert_same_findings(const struct cvb_findings *a, const struct cvb_findings *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_string_equal(a->v[i].check, b->v[i].check);
		assert_string_equal(a->v[i].subject, b->v[i].subject);
		assert_int_equal(a->v[i].verdict, b->v[i].verdict);
		assert_string_equal(a->v[i].evidence, b->v[i].evidence);
		assert_string_equal(a->v[i].fix, b->v[i].fix);
	}
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!cJSON_IsString(s))
		fail_msg("%s is not a string", key);
	return s->valuestring;
}

static void test_to_json_shape(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	fill(&f);
	cJSON *arr = cvb_findings_to_json(&f);
	assert_non_null(arr);
	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 3);
	const cJSON *o = cJSON_GetArrayItem(arr, 0);
	assert_string_equal(jstr(o, "check"), "host.load");
	assert_string_equal(jstr(o, "subject"), "");
	assert_string_equal(jstr(o, "verdict"), "ok");
	assert_string_equal(jstr(o, "evidence"), "0.00 CPUs");
	assert_string_equal(jstr(o, "fix"), "");
	o = cJSON_GetArrayItem(arr, 2);
	assert_string_equal(jstr(o, "check"), "host.memory");
	assert_string_equal(jstr(o, "subject"), "density/vm");
	assert_string_equal(jstr(o, "verdict"), "fail");
	assert_string_equal(jstr(o, "fix"), "free memory");
	cJSON_Delete(arr);

	/* An empty list is an empty array. */
	struct cvb_findings none = {0};
	arr = cvb_findings_to_json(&none);
	assert_non_null(arr);
	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 0);
	cJSON_Delete(arr);
	cvb_findings_free(&f);
}

static void test_json_round_trip(void **state)
{
	(void)state;
	struct cvb_findings f = {0}, g = {0};

	fill(&f);
	cJSON *arr = cvb_findings_to_json(&f);
	assert_non_null(arr);
	/* Through text, as a results file does. */
	char *text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	assert_non_null(text);
	cJSON *back = cJSON_Parse(text);
	free(text);
	assert_non_null(back);
	assert_int_equal(cvb_findings_from_json(&g, back), 3);
	assert_same_findings(&f, &g);

	/* Appends to what is there. */
	assert_int_equal(cvb_findings_from_json(&g, back), 3);
	assert_int_equal(g.n, 6);
	assert_string_equal(g.v[3].check, "host.load");
	assert_string_equal(g.v[5].check, "host.memory");
	cJSON_Delete(back);
	cvb_findings_free(&f);
	cvb_findings_free(&g);
}

static void test_from_json_malformed(void **state)
{
	(void)state;
	struct cvb_findings g = {0};
	const char *text =
	    "["
	    "{\"check\":\"a.ok\",\"subject\":\"s\",\"verdict\":\"warn\",\"evidence\":\"e\","
	    "\"fix\":\"f\"},"
	    "{\"subject\":\"s\",\"verdict\":\"warn\",\"evidence\":\"no check\"},"
	    "{\"check\":\"b\",\"verdict\":\"warn\"},"                    /* no evidence */
	    "{\"check\":\"c\",\"verdict\":\"bad\",\"evidence\":\"e\"},"  /* unknown verdict */
	    "{\"check\":\"d\",\"evidence\":\"e\"},"                      /* no verdict */
	    "{\"check\":7,\"verdict\":\"ok\",\"evidence\":\"e\"},"       /* check not a string */
	    "{\"check\":\"e\",\"verdict\":2,\"evidence\":\"e\"},"        /* verdict not a string */
	    "{\"check\":\"f\",\"verdict\":\"ok\",\"evidence\":[\"e\"]}," /* evidence not a string */
	    "\"a string\", 42, null, [],"
	    "{\"check\":\"g.min\",\"verdict\":\"fail\",\"evidence\":\"only the needed keys\"},"
	    "{\"check\":\"h\",\"subject\":5,\"verdict\":\"ok\",\"evidence\":\"odd subject\","
	    "\"fix\":9}"
	    "]";
	cJSON *arr = cJSON_Parse(text);
	assert_non_null(arr);
	assert_int_equal(cvb_findings_from_json(&g, arr), 3);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.v[0].check, "a.ok");
	assert_string_equal(g.v[0].subject, "s");
	assert_int_equal(g.v[0].verdict, CVB_LEVEL_WARN);
	assert_string_equal(g.v[0].evidence, "e");
	assert_string_equal(g.v[0].fix, "f");
	assert_string_equal(g.v[1].check, "g.min");
	assert_string_equal(g.v[1].subject, "");
	assert_int_equal(g.v[1].verdict, CVB_LEVEL_FAIL);
	assert_string_equal(g.v[1].fix, "");
	assert_string_equal(g.v[2].check, "h");
	assert_string_equal(g.v[2].subject, "");
	assert_string_equal(g.v[2].evidence, "odd subject");
	cJSON_Delete(arr);

	/* Evidence holding a '%' is taken literally, not as a format. */
	arr = cJSON_Parse("[{\"check\":\"p\",\"verdict\":\"warn\",\"evidence\":\"100%s %d\"}]");
	assert_non_null(arr);
	assert_int_equal(cvb_findings_from_json(&g, arr), 1);
	assert_string_equal(g.v[3].evidence, "100%s %d");
	cJSON_Delete(arr);

	/* Not an array: nothing. */
	size_t before = g.n;
	arr = cJSON_Parse("{\"check\":\"a\",\"verdict\":\"ok\",\"evidence\":\"e\"}");
	assert_int_equal(cvb_findings_from_json(&g, arr), 0);
	cJSON_Delete(arr);
	assert_int_equal(cvb_findings_from_json(&g, NULL), 0);
	assert_int_equal(g.n, before);
	cvb_findings_free(&g);
}

/* Prints into memory and returns the text (caller frees). */
static char *print_to_string(const struct cvb_findings *f, bool only_problems)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	cvb_findings_print(out, f, only_problems);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void test_print(void **state)
{
	(void)state;
	struct cvb_findings f = {0};

	cvb_findings_add(&f, "host.load", NULL, CVB_LEVEL_OK, "never shown", "0.01 CPUs");
	cvb_findings_add(&f, "cpu.governor", NULL, CVB_LEVEL_WARN, "cpupower frequency-set",
	                 "governor 'powersave'");
	cvb_findings_add(&f, "host.memory", "density", CVB_LEVEL_FAIL, NULL, "MemAvailable 1 MiB");
	/* A fix forced onto an ok finding is still not printed. */
	struct cvb_finding *x = cvb_findings_add(&f, "x.ok", NULL, CVB_LEVEL_OK, NULL, "fine");
	snprintf(x->fix, sizeof(x->fix), "%s", "do nothing");

	char *text = print_to_string(&f, false);
	const char *want = "  ok    host.load              0.01 CPUs\n"
	                   "  warn  cpu.governor           governor 'powersave'\n"
	                   "                               fix: cpupower frequency-set\n"
	                   "  fail  host.memory            density: MemAvailable 1 MiB\n"
	                   "  ok    x.ok                   fine\n";
	assert_string_equal(text, want);
	free(text);

	text = print_to_string(&f, true);
	want = "  warn  cpu.governor           governor 'powersave'\n"
	       "                               fix: cpupower frequency-set\n"
	       "  fail  host.memory            density: MemAvailable 1 MiB\n";
	assert_string_equal(text, want);
	free(text);

	/* A long check name pushes the evidence on, with one space. */
	struct cvb_findings g = {0};
	cvb_findings_add(&g, "a.very.long.check.name.indeed", NULL, CVB_LEVEL_WARN, NULL, "ev");
	text = print_to_string(&g, false);
	assert_string_equal(text, "  warn  a.very.long.check.name.indeed ev\n");
	free(text);

	/* Only ok findings and only_problems: nothing at all. */
	struct cvb_findings h = {0};
	cvb_findings_add(&h, "a", NULL, CVB_LEVEL_OK, NULL, "fine");
	text = print_to_string(&h, true);
	assert_string_equal(text, "");
	free(text);

	/* A broken list says so. */
	h.broken = true;
	text = print_to_string(&h, true);
	assert_string_equal(text, "  (out of memory: some findings are missing)\n");
	free(text);

	/* Through a real file as well. */
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	cvb_findings_print(tmp, &f, true);
	rewind(tmp);
	char line[256];
	int lines = 0;
	while (fgets(line, sizeof(line), tmp)) {
		assert_null(strstr(line, "  ok  "));
		lines++;
	}
	assert_int_equal(lines, 3);
	fclose(tmp);

	cvb_findings_free(&f);
	cvb_findings_free(&g);
	cvb_findings_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_add_count_worst),
	    cmocka_unit_test(test_many_grow),
	    cmocka_unit_test(test_truncation),
	    cmocka_unit_test(test_fix_dropped_for_ok),
	    cmocka_unit_test(test_level_names),
	    cmocka_unit_test(test_to_json_shape),
	    cmocka_unit_test(test_json_round_trip),
	    cmocka_unit_test(test_from_json_malformed),
	    cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
