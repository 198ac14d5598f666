/* Unit tests for lib/json_fast.c: its parse gives the tree cJSON's does
 * (values bit for bit, the same error offsets), with long arrays of numbers
 * held aside or put back; its print lays documents out as cJSON_Print does
 * and every number reads back as exactly the same double; a stop signal
 * ends both. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_fast.h"
#include "signals.h"
#include "stats.h"
#include "strbuf.h"

/* Bitwise equality of two trees' numbers (cJSON_Compare allows a
 * tolerance), and equal structure. */
static void assert_same_tree(const cJSON *a, const cJSON *b)
{
	for (; a && b; a = a->next, b = b->next) {
		if ((a->type & 0xff) != (b->type & 0xff))
			fail_msg("type %d, cJSON has %d (key %s)", a->type, b->type,
			         b->string ? b->string : "-");
		if ((a->string || b->string) &&
		    (!a->string || !b->string || strcmp(a->string, b->string) != 0))
			fail_msg("key %s, cJSON has %s", a->string ? a->string : "-",
			         b->string ? b->string : "-");
		if (cJSON_IsString(a) && strcmp(a->valuestring, b->valuestring) != 0)
			fail_msg("string %s, cJSON has %s", a->valuestring, b->valuestring);
		if (cJSON_IsNumber(a) &&
		    memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0)
			fail_msg("number %.17g, cJSON has %.17g", a->valuedouble, b->valuedouble);
		if (cJSON_IsNumber(a) && a->valueint != b->valueint)
			fail_msg("valueint %d, cJSON has %d", a->valueint, b->valueint);
		assert_same_tree(a->child, b->child);
	}
	if (a || b)
		fail_msg("%s has more elements", a ? "this tree" : "cJSON's");
}

static cJSON *parse_ok(const char *text, struct cvb_json_aside **aside)
{
	int code = -1;
	size_t at = 0;
	cJSON *doc = cvb_json_parse(text, strlen(text), aside, &code, &at);

	if (!doc)
		fail_msg("cvb_json_parse failed: code %d at %zu", code, at);
	assert_int_equal(code, 0);
	return doc;
}

/* A document with long arrays of numbers in every form cJSON reads,
 * strings that look like arrays, short arrays and mixed ones. */
static char *sample_document(void)
{
	static const char *const forms[] = {"0",
	                                    "-0",
	                                    "7",
	                                    "-42",
	                                    "1234567890123",
	                                    "0.1",
	                                    "-2.5",
	                                    "3.14159265358979",
	                                    "1e5",
	                                    "1E-5",
	                                    "-1.5e+3",
	                                    "2e22",
	                                    "2e23",
	                                    "9007199254740993",
	                                    "123456789012345678901234",
	                                    "1.7976931348623157e308",
	                                    "4.9e-324",
	                                    "0.000001",
	                                    "55332850601",
	                                    "1e-300",
	                                    "12345678901234567890.5",
	                                    "0.30000000000000004",
	                                    "100.0",
	                                    "5.",
	                                    "1e400"};
	struct cvb_strbuf b = {0};
	const size_t nf = sizeof(forms) / sizeof(forms[0]);

	cvb_strbuf_puts(&b, "{\"schema_version\": 1, \"s\": \"[1, 2, 3, \\\"x\\\" ]\", \"m\": {");
	cvb_strbuf_puts(&b, "\"samples\": [");
	for (size_t i = 0; i < 200; i++)
		cvb_strbuf_printf(&b, "%s%s", i ? ", " : "", forms[i % nf]);
	cvb_strbuf_puts(&b, "], \"launch_index\": [");
	for (size_t i = 0; i < 200; i++)
		cvb_strbuf_printf(&b, "%s%zu", i ? ",\n\t" : "", i / 3);
	cvb_strbuf_puts(&b, "], \"short\": [1, 2.5, 3], \"empty\": [], \"mixed\": [");
	for (size_t i = 0; i < 100; i++)
		cvb_strbuf_printf(&b, "%s%zu", i ? "," : "", i);
	cvb_strbuf_puts(&b, ", null, \"x\", [1]], \"nested\": [[");
	for (size_t i = 0; i < 70; i++)
		cvb_strbuf_printf(&b, "%s%zu", i ? "," : "", i * 7);
	cvb_strbuf_puts(&b, "], {\"k\": [true, false]}, []]}, \"tail\": [");
	for (size_t i = 0; i < 64; i++)
		cvb_strbuf_printf(&b, "%s-%zu.25", i ? " , " : "", i);
	cvb_strbuf_puts(&b, "]}");
	assert_true(cvb_strbuf_ok(&b));
	return cvb_strbuf_take(&b);
}

static void test_parse_like_cjson(void **state)
{
	char *text = sample_document();
	cJSON *ref = cJSON_Parse(text), *fast;

	(void)state;
	assert_non_null(ref);
	fast = parse_ok(text, NULL);
	assert_same_tree(fast, ref);
	cJSON_Delete(fast);

	/* Held aside: the long arrays are empty, their numbers found; put back,
	 * the same tree again. */
	struct cvb_json_aside *aside = NULL;
	fast = parse_ok(text, &aside);
	assert_non_null(aside);
	cJSON *m = cJSON_GetObjectItem(fast, "m");
	cJSON *samples = cJSON_GetObjectItem(m, "samples");
	assert_null(samples->child);
	size_t n = 0;
	const double *v = cvb_json_aside_find(aside, samples, &n);
	assert_non_null(v);
	assert_int_equal(n, 200);
	assert_true(v == cvb_json_numbers(samples, &n));
	assert_true(v[2] == 7.0 && v[5] == 0.1 && v[19] == 1e-300);
	assert_true(isinf(v[24])); /* 1e400: strtod's infinity, as cJSON */
	/* short and mixed arrays stay in the tree */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "short")), 3);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m, "mixed")), 103);
	assert_null(cvb_json_numbers(cJSON_GetObjectItem(m, "short"), &n));
	assert_int_equal(cvb_json_aside_materialize(aside), 0);
	assert_same_tree(fast, ref);
	assert_null(cvb_json_numbers(samples, &n)); /* filled now */
	cvb_json_aside_free(aside);
	cJSON_Delete(fast);

	/* Freed tables are no longer searched. */
	fast = parse_ok(text, &aside);
	samples = cJSON_GetObjectItem(cJSON_GetObjectItem(fast, "m"), "samples");
	cvb_json_aside_free(aside);
	assert_null(cvb_json_numbers(samples, &n));
	cJSON_Delete(fast);
	cJSON_Delete(ref);
	free(text);
}

/* cJSON_ParseWithLengthOpts without a NUL check takes the first value and
 * ignores the rest: so must this parse when what follows holds a long
 * array of numbers (found by fuzzing: a second results file appended to
 * the first made the whole text "not valid JSON at byte 0"). */
static void test_text_after_the_document(void **state)
{
	(void)state;
	struct cvb_strbuf b = {0};
	cvb_strbuf_puts(&b, "{\"a\": [");
	for (size_t i = 0; i < 70; i++)
		cvb_strbuf_printf(&b, "%s%zu", i ? "," : "", i);
	cvb_strbuf_puts(&b, "]}\n");
	assert_true(cvb_strbuf_ok(&b));
	char *one = cvb_strbuf_take(&b);
	const char *tails[] = {"", "[1]", "4.0,[[0", NULL};
	for (size_t t = 0; tails[t]; t++)
		for (int doubled = 0; doubled < 2; doubled++) {
			struct cvb_strbuf c = {0};
			/* a value first, then the text with the long array after it */
			cvb_strbuf_puts(&c, doubled ? one : "4.0,");
			cvb_strbuf_puts(&c, one);
			cvb_strbuf_puts(&c, tails[t]);
			assert_true(cvb_strbuf_ok(&c));
			char *text = cvb_strbuf_take(&c);
			const char *end = NULL;
			cJSON *ref = cJSON_ParseWithLengthOpts(text, strlen(text), &end, false);
			assert_non_null(ref);
			struct cvb_json_aside *aside = NULL;
			cJSON *plain = parse_ok(text, NULL), *held = parse_ok(text, &aside);
			assert_same_tree(plain, ref);
			assert_int_equal(cvb_json_aside_materialize(aside), 0);
			assert_same_tree(held, ref);
			cvb_json_aside_free(aside);
			cJSON_Delete(held);
			cJSON_Delete(plain);
			cJSON_Delete(ref);
			free(text);
		}
	free(one);
}

/* Random doubles in the forms printf writes them, read by the fast path
 * or strtod: every one bit for bit what strtod gives. */
static void test_parse_numbers_exact(void **state)
{
	struct cvb_rng rng;
	struct cvb_strbuf b = {0};
	double want[3000];
	const size_t n = sizeof(want) / sizeof(want[0]);

	(void)state;
	cvb_rng_seed(&rng, 99);
	cvb_strbuf_puts(&b, "[");
	for (size_t i = 0; i < n; i++) {
		uint64_t r = cvb_rng_next(&rng);
		double d;
		char buf[64];

		switch (i % 5) {
		case 0: /* any finite double */
			memcpy(&d, &r, sizeof(d));
			if (!isfinite(d))
				d = 1.0;
			snprintf(buf, sizeof(buf), "%.17g", d);
			break;
		case 1: /* short decimals */
			snprintf(buf, sizeof(buf), "%.*f", (int)(r % 10),
			         (double)(r >> 40) / 1000.0);
			break;
		case 2: /* integers up to 2^63 */
			snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(r >> (r % 60)));
			break;
		case 3: /* %g forms with exponents */
			snprintf(buf, sizeof(buf), "%.15g",
			         ldexp(cvb_rng_uniform(&rng), (int)(r % 200) - 100));
			break;
		default: /* negative nanoseconds with a fraction */
			snprintf(buf, sizeof(buf), "-%llu.%03u", (unsigned long long)(r >> 30),
			         (unsigned)(r % 1000));
		}
		want[i] = strtod(buf, NULL);
		cvb_strbuf_printf(&b, "%s%s", i ? "," : "", buf);
	}
	cvb_strbuf_puts(&b, "]");
	assert_true(cvb_strbuf_ok(&b));
	cJSON *doc = parse_ok(cvb_strbuf_str(&b), NULL), *ref = cJSON_Parse(cvb_strbuf_str(&b));
	size_t i = 0;
	for (const cJSON *v = doc->child; v; v = v->next, i++)
		if (memcmp(&v->valuedouble, &want[i], sizeof(double)) != 0)
			fail_msg("element %zu: %.17g, strtod says %.17g", i, v->valuedouble,
			         want[i]);
	assert_int_equal(i, n);
	assert_same_tree(doc, ref);
	cJSON_Delete(doc);
	cJSON_Delete(ref);
	cvb_strbuf_free(&b);
}

/* Not JSON: the error offset is the one cJSON reports, in the text's own
 * offsets even after a long array was cut out; numbers cJSON refuses
 * (".5", "+1", "1e5e3") are refused too. */
static void test_parse_errors(void **state)
{
	static const char *const bad[] = {"[.5, 1]", "[+1, 2]", "{\"a\": [1, 2,, 3]}", "[1e5e3]",
	                                  "{\"a\": 1,}"};
	struct cvb_strbuf b = {0};
	int code;
	size_t at;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		for (int pass = 0; pass < 2; pass++) {
			/* pass 1: behind a long numeric array, which the fast path cuts */
			cvb_strbuf_free(&b);
			cvb_strbuf_puts(&b, "[");
			if (pass)
				for (size_t k = 0; k < 100; k++)
					cvb_strbuf_printf(&b, "%s%zu", k ? ", " : "[", k);
			cvb_strbuf_printf(&b, "%s%s]", pass ? "], " : "", bad[i]);
			const char *text = cvb_strbuf_str(&b), *end = NULL;
			assert_null(cJSON_ParseWithLengthOpts(text, b.len, &end, false));
			assert_null(cvb_json_parse(text, b.len, NULL, &code, &at));
			assert_int_equal(code, EINVAL);
			assert_int_equal(at, (size_t)(end - text));
		}
	}
	cvb_strbuf_free(&b);
}

/* Each number outside strings becomes one '#', in place. */
static void mask_numbers(char *t)
{
	char *w = t;
	bool in_string = false;

	for (char *r = t; *r;) {
		if (in_string) {
			if (*r == '\\' && r[1]) {
				*w++ = *r++;
			} else if (*r == '"') {
				in_string = false;
			}
			*w++ = *r++;
		} else if (*r == '"') {
			in_string = true;
			*w++ = *r++;
		} else if (*r == '-' || (*r >= '0' && *r <= '9')) {
			while (*r && strchr("0123456789+-.eE", *r))
				r++;
			*w++ = '#'; /* after the reads: w may be where r was */
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static void test_print_like_cjson(void **state)
{
	/* Everything but non-integral numbers prints as cJSON_Print does. */
	static const char *const docs[] = {
	    "{\"a\": {\"b\": [], \"c\": {}, \"d\": [{}, {\"e\": null}]}, \"s\": \"tab\\t\\\"q\\\" "
	    "\\\\ \\u0001 \\u00e9 \\n\", \"t\": true, \"f\": false, \"n\": [1, -2, 0, 1000000]}",
	    "[]",
	    "{}",
	    "[[[1]], [{\"x\": [2, 3]}], \"\"]",
	    "{\"big\": 55332850601, \"neg\": -123456789012345}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *doc = cJSON_Parse(docs[i]);
		size_t len = 0;
		char *mine = cvb_json_print(doc, &len), *theirs = cJSON_Print(doc);

		assert_non_null(mine);
		assert_string_equal(mine, theirs);
		assert_int_equal(len, strlen(theirs));
		free(mine);
		free(theirs);
		cJSON_Delete(doc);
	}
	/* The real layout: the results fixture, numbers and all. */
	FILE *f = fopen("tests/fixtures/reports/vm-create-52s.json", "r");
	if (f) {
		char buf[1 << 16];
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		cJSON *doc = cJSON_Parse(buf);
		size_t len;
		char *mine = cvb_json_print(doc, &len), *theirs = cJSON_Print(doc);
		cJSON *back = cJSON_Parse(mine);
		assert_same_tree(back, doc);
		/* the same layout, numbers aside */
		mask_numbers(mine);
		mask_numbers(theirs);
		assert_string_equal(mine, theirs);
		free(mine);
		free(theirs);
		cJSON_Delete(back);
		cJSON_Delete(doc);
	}
}

/* Every double prints in a form that reads back as the same double. */
static void test_print_numbers_round_trip(void **state)
{
	static const double special[] = {0.0,
	                                 -0.0,
	                                 0.1,
	                                 -2.5,
	                                 1e15,
	                                 1e15 + 0.5,
	                                 1e-4,
	                                 1e-5,
	                                 123.456,
	                                 1e300,
	                                 5e-324,
	                                 DBL_MAX,
	                                 -DBL_MIN,
	                                 0.30000000000000004,
	                                 55332850601.25,
	                                 1e22,
	                                 2e-7,
	                                 9007199254740993.0};
	struct cvb_rng rng;
	cJSON *arr = cJSON_CreateArray();

	(void)state;
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(special[i]));
	cvb_rng_seed(&rng, 5);
	for (size_t i = 0; i < 20000; i++) {
		uint64_t r = cvb_rng_next(&rng);
		double d;
		memcpy(&d, &r, sizeof(d));
		if (!isfinite(d))
			continue;
		if (i % 2)
			d = round(d * 1000) / 1000; /* many short decimals */
		if (i % 3 == 0)
			d = (double)(r >> 20) / 100.0;
		cJSON_AddItemToArray(arr, cJSON_CreateNumber(d));
	}
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(NAN));
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(INFINITY));
	size_t len;
	char *text = cvb_json_print(arr, &len);
	assert_non_null(text);
	cJSON *back = cJSON_Parse(text);
	assert_non_null(back);
	const cJSON *a = arr->child, *b = back->child;
	for (; a && b; a = a->next, b = b->next) {
		if (!isfinite(a->valuedouble)) {
			assert_true(cJSON_IsNull(b)); /* as cJSON prints them */
			continue;
		}
		if (a->valuedouble != b->valuedouble ||
		    (a->valuedouble != 0.0 &&
		     memcmp(&a->valuedouble, &b->valuedouble, sizeof(double)) != 0))
			fail_msg("%.17g printed so that it reads back as %.17g", a->valuedouble,
			         b->valuedouble);
	}
	assert_true(!a && !b);
	/* Short forms: the digits, not 17 of them. */
	assert_non_null(
	    strstr(text, "[0, 0, 0.1, -2.5, 1e+15, 1000000000000000.5, 0.0001, 1e-05, "));
	assert_non_null(strstr(text, ", 123.456, "));
	assert_non_null(strstr(text, ", 55332850601.25, "));
	free(text);
	cJSON_Delete(back);
	cJSON_Delete(arr);
}

/* A stop signal ends a long parse (checked every megabyte) and a long
 * print (every 2^20 items). */
static void test_stop_signal(void **state)
{
	struct cvb_strbuf b = {0};
	int code;
	size_t at, len;

	(void)state;
	cvb_strbuf_puts(&b, "[");
	for (size_t i = 0; i < 400000; i++)
		cvb_strbuf_printf(&b, "%s%zu", i ? ", " : "", i);
	cvb_strbuf_puts(&b, "]");
	cJSON *doc = parse_ok(cvb_strbuf_str(&b), NULL);
	cJSON *big = cJSON_CreateArray();
	for (int k = 0; k < 3; k++)
		cJSON_AddItemReferenceToArray(big, doc);

	cvb_stop_signal = SIGTERM;
	assert_null(cvb_json_parse(cvb_strbuf_str(&b), b.len, NULL, &code, &at));
	assert_int_equal(code, EINTR);
	errno = 0;
	assert_null(cvb_json_print(big, &len));
	assert_int_equal(errno, EINTR);
	cvb_stop_signal = 0;

	char *text = cvb_json_print(big, &len);
	assert_non_null(text);
	free(text);
	cJSON_Delete(big);
	cJSON_Delete(doc);
	cvb_strbuf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_like_cjson),
	    cmocka_unit_test(test_parse_numbers_exact),
	    cmocka_unit_test(test_text_after_the_document),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_print_like_cjson),
	    cmocka_unit_test(test_print_numbers_round_trip),
	    cmocka_unit_test(test_stop_signal),
	};

	return cmocka_run_group_tests_name("json_fast", tests, NULL, NULL);
}
