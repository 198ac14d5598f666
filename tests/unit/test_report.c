/* The report's pieces: the seed table filled from a small synthetic results
 * document (values, intervals, 'not measured' and its reasons, ratios from
 * derived or from the medians), HTML and Markdown escaping, base64, gnuplot
 * quoting and which plots a document has data for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "plot_data.h"
#include "report_doc.h"
#include "report_html.h"
#include "report_md.h"
#include "seed_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* JSON written with ' for " to keep it readable here. */
static cJSON *parse_quoted(const char *text)
{
	char *s = strdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	cJSON *doc = cJSON_Parse(s);
	free(s);
	assert_non_null(doc);
	return doc;
}

#define STARTUP(p50, lo, hi)                                                                       \
	"'startup_ns':{'unit':'ns','better':'lower','samples':[" #p50 "," #p50 "," #p50 "],"       \
	"'launch_index':[0,1,2],'summary':{'n':3,'min':" #p50 ",'p50':" #p50 ",'p90':" #p50        \
	",'p99':" #p50 ",'max':" #p50 ",'mean':" #p50 ",'sd':0,'cov':0,'ci95':[" #lo "," #hi       \
	"],'outliers':[]}}"

#define METRIC(name, unit, p50, lo, hi)                                                            \
	"'" name "':{'unit':'" unit "','better':'lower','samples':[" #p50 "],'launch_index':[0],"  \
	"'summary':{'n':1,'min':" #p50 ",'p50':" #p50 ",'p90':" #p50 ",'p99':" #p50 ",'max':" #p50 \
	",'mean':" #p50 ",'sd':0,'cov':0,'ci95':[" #lo "," #hi "],'outliers':[]}}"

/* One cell per line reads better than clang-format's reflow. */
/* clang-format off */
static const char base_doc[] =
    "{'schema_version':1,'run_id':'20260101T000000-abc','status':'failed',"
    "'config':{'backends':['native','container','vm'],'statistics':{'bootstrap_seed':'42',"
    "'bootstrap_resamples':200}},"
    "'host':{'hostname':'h<1>','kernel':{'release':'6.1.0-host'},'cpu':{'model':'Test CPU'},"
    "'topology':{'pus':2}},"
    "'cells':["
    "{'backend':'native','workload':'ready','params':{},'status':'ok','metrics':{"
        STARTUP(1000000, 900000, 1100000) "},'launches':[]},"
    "{'backend':'container','workload':'ready','params':{},'status':'ok','metrics':{"
        STARTUP(16000000, 15000000, 17000000) "},'launches':[]},"
    "{'backend':'vm','workload':'ready','params':{},'status':'skipped',"
        "'reason':'libvirtd not reachable at qemu:///system','metrics':{},'launches':[]},"
    "{'backend':'native','workload':'idle','params':{'max_s':600},'status':'ok','metrics':{"
        METRIC("host_pss_bytes", "bytes", 811008, 808960, 811008) "},'launches':[]},"
    "{'backend':'native','workload':'syscall','params':{},'status':'ok','metrics':{"
        METRIC("syscall_getppid_ns", "ns", 200, 190, 210) "},'launches':[]},"
    "{'backend':'container','workload':'syscall','params':{},'status':'ok','metrics':{"
        METRIC("syscall_getppid_ns", "ns", 220, 200, 230) "},'launches':[]},"
    "{'backend':'native','workload':'audit','params':{},'status':'ok','metrics':{},"
        "'launches':[{'index':0,'warmup':false,'status':'ok','facts':{"
        "'kernel_release':'6.1.0-host','visible_processes':77,'net_interfaces':'lo,eth0',"
        "'cap_effective':'000001ffffffffff','uid_map':'0 0 4294967295','seccomp_mode':'2',"
        "'no_new_privs':'1','can_load_module':'no','can_set_clock':'yes',"
        "'proc_kcore_readable':'no'}}]},"
    "{'backend':'vm','workload':'audit','params':{},'status':'ok','metrics':{},"
        "'launches':[{'index':0,'warmup':false,'status':'ok','facts':{"
        "'kernel_release':'6.1.0-guest','visible_processes':1,'net_interfaces':'lo',"
        "'cap_effective':'3f','uid_map':'0 0 4294967295'}}]}"
    "]}";
/* clang-format on */

static const char derived[] =
    "{'ratios_to_native':[{'label':'container/syscall','baseline_label':'native/syscall',"
    "'backend':'container','workload':'syscall','metric':'syscall_getppid_ns','ratio':1.05,"
    "'ci95':[1.01,1.09]}],"
    "'slowdowns':[{'label':'c1','baseline_label':'c0','backend':'container',"
    "'victim':'cpu-victim','scenario':'cpu-hog','placement':'same-pu',"
    "'metric':'victim_total_ns','slowdown':2,'ci95':[1.8,2.2],'p99_metric':null,"
    "'p99_inflation':null,'p99_ci95':null},"
    "{'label':'c2','baseline_label':'c0','backend':'container','victim':'cpu-victim',"
    "'scenario':'cpu-hog:cpu-quota=20','placement':'same-pu','metric':'victim_total_ns',"
    "'slowdown':1.1,'ci95':[1.05,1.15]}],"
    "'density':[{'backend':'container','workload':'idle','metric':'host_pss_bytes',"
    "'unit':'bytes','points':[],'fit':{'slope':1048576,'slope_ci95':[1000000,1100000],"
    "'intercept':0,'r2':0.99}}]}";

static const char *value(const struct cvb_seed_table *t, const char *feature, const char *b)
{
	const char *v = cvb_seed_table_value(t, feature, b);
	assert_non_null(v);
	return v;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' does not contain '%s'", hay, needle);
}

static void test_seed_table_values(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	struct cvb_seed_table t;
	struct cvb_error err = {0};
	assert_int_equal(cvb_seed_table_build(doc, &t, &err), 0);
	assert_int_equal(t.n_cols, 3);
	assert_string_equal(t.backend[2], "vm");

	assert_string_equal(value(&t, "Startup time, p50", "native"), "1 ms [900 us .. 1.1 ms]");
	assert_string_equal(value(&t, "Startup time, p50", "container"), "16 ms [15 ms .. 17 ms]");
	/* Three equal samples: the bootstrap of p99 cannot move. */
	assert_string_equal(value(&t, "Startup time, p99", "native"), "1 ms [1 ms .. 1 ms], n=3");
	assert_string_equal(value(&t, "Startup time, p50", "vm"),
	                    "not measured (skipped: libvirtd not reachable at qemu:///system)");
	cJSON_Delete(doc);
	cvb_seed_table_free(&t);
}

static void test_seed_table_memory_and_syscall(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	struct cvb_seed_table t;
	struct cvb_error err = {0};
	assert_int_equal(cvb_seed_table_build(doc, &t, &err), 0);
	/* From the idle workload, its own row's workload: no provenance note. */
	assert_string_equal(value(&t, "Memory per instance", "native"),
	                    "792 KiB [790 KiB .. 792 KiB]");
	assert_string_equal(value(&t, "Memory per instance", "container"),
	                    "not measured (no cell with host_pss_bytes)");
	/* Without derived: from the medians, the interval from their intervals. */
	assert_string_equal(value(&t, "Syscall overhead", "native"),
	                    "1× (baseline: 200 ns per call)");
	assert_string_equal(value(&t, "Syscall overhead", "container"),
	                    "1.1× [0.952 .. 1.21] (from medians; 220 ns per call)");
	assert_string_equal(value(&t, "Syscall overhead", "vm"),
	                    "not measured (no syscall cell in this run)");
	bool said = false;
	for (size_t i = 0; i < t.n_notes; i++)
		said |= strstr(t.notes[i], "from medians") != NULL;
	assert_true(said);
	cJSON_Delete(doc);
	cvb_seed_table_free(&t);
}

static void test_seed_table_facts(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	struct cvb_seed_table t;
	struct cvb_error err = {0};
	assert_int_equal(cvb_seed_table_build(doc, &t, &err), 0);
	assert_string_equal(value(&t, "Kernel", "native"), "shared: 6.1.0-host, the host's");
	assert_string_equal(value(&t, "Kernel", "vm"), "own: 6.1.0-guest (host 6.1.0-host)");
	assert_string_equal(value(&t, "Kernel", "container"),
	                    "not measured (no audit cell in this run)");
	assert_string_equal(value(&t, "Isolation: processes visible", "native"), "77");
	assert_string_equal(value(&t, "Isolation: processes visible", "vm"), "1");
	assert_string_equal(value(&t, "Isolation: network interfaces", "native"), "2 (lo,eth0)");
	assert_string_equal(value(&t, "Isolation: effective capabilities", "native"),
	                    "41 (0x000001ffffffffff), host root's");
	/* An identity uid map in a VM is the guest's root, not the host's. */
	assert_string_equal(value(&t, "Isolation: effective capabilities", "vm"),
	                    "6 (0x3f), the guest root's (own kernel)");
	assert_string_equal(value(&t, "Isolation: seccomp", "native"), "filter, no_new_privs set");
	/* The VM's audit said nothing of seccomp: that fact alone is missing. */
	assert_string_equal(value(&t, "Isolation: seccomp", "vm"),
	                    "not measured (this audit does not report it)");
	/* An older audit without the privilege probes: those rows only. */
	assert_string_equal(value(&t, "Isolation: can create a user namespace", "native"),
	                    "not measured (this audit does not report it)");
	assert_string_equal(value(&t, "Isolation: can reach host devices", "native"),
	                    "not measured (this audit does not report it)");
	assert_string_equal(value(&t, "Isolation: can set the clock", "native"), "yes");
	assert_string_equal(value(&t, "Noisy-neighbour slowdown, no limits", "container"),
	                    "not measured (no noisy-neighbour scenarios in this run)");
	cJSON_Delete(doc);
	cvb_seed_table_free(&t);
}

/* A hardened container's audit: the profile's summary from backend_setup,
 * the user namespace, the probed calls, the host-reach facts. */
static void test_seed_table_hardened_facts(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	/* clang-format off */
	cJSON *cell = parse_quoted(
	    "{'backend':'container','workload':'audit','params':{},'status':'ok','metrics':{},"
	    "'variant':'harden=caps,nnp,seccomp','backend_setup':{'seccomp_profile':'default',"
	    "'seccomp_profile_summary':'default-deny (289 allowed)'},"
	    "'launches':[{'index':0,'warmup':false,'status':'ok','facts':{"
	    "'kernel_release':'6.1.0-host','seccomp_mode':'2','no_new_privs':'1',"
	    "'can_create_user_namespace':'no','syscalls_reachable':'none',"
	    "'can_open_host_block_device':'no','host_keyring_visible':'no',"
	    "'host_sys_writable':'no'}}]}");
	cJSON *open_cell = parse_quoted(
	    "{'backend':'native','workload':'audit','params':{},'status':'ok','metrics':{},"
	    "'launches':[{'index':0,'warmup':false,'status':'ok','facts':{"
	    "'kernel_release':'6.1.0-host','seccomp_mode':'0','can_create_user_namespace':'yes',"
	    "'syscalls_reachable':'io_uring_setup,personality'}}]}");
	/* clang-format on */
	cJSON *cells = cJSON_GetObjectItem(doc, "cells");
	cJSON_AddItemToArray(cells, cell);
	/* Only the first native audit cell counts: put this one first. */
	cJSON_InsertItemInArray(cells, 0, open_cell);
	struct cvb_seed_table t;
	struct cvb_error err = {0};
	assert_int_equal(cvb_seed_table_build(doc, &t, &err), 0);
	assert_string_equal(value(&t, "Isolation: seccomp", "container"),
	                    "default-deny (289 allowed), no_new_privs set");
	assert_string_equal(value(&t, "Isolation: can create a user namespace", "container"), "no");
	assert_string_equal(value(&t, "Isolation: syscalls the filter lets through", "container"),
	                    "none");
	assert_string_equal(value(&t, "Isolation: can reach host devices", "container"), "no");
	assert_string_equal(value(&t, "Isolation: can see the host keyring", "container"), "no");
	assert_string_equal(value(&t, "Isolation: can write host /sys", "container"), "no");
	assert_string_equal(value(&t, "Isolation: seccomp", "native"), "off");
	assert_string_equal(value(&t, "Isolation: can create a user namespace", "native"), "yes");
	assert_string_equal(value(&t, "Isolation: syscalls the filter lets through", "native"),
	                    "io_uring_setup,personality (no seccomp filter)");
	assert_string_equal(value(&t, "Isolation: can see the host keyring", "native"),
	                    "not measured (this audit does not report it)");
	cJSON_Delete(doc);
	cvb_seed_table_free(&t);
}

static void test_seed_table_derived(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	cJSON_AddItemToObject(doc, "derived", parse_quoted(derived));
	struct cvb_seed_table t;
	struct cvb_error err = {0};
	assert_int_equal(cvb_seed_table_build(doc, &t, &err), 0);
	assert_string_equal(value(&t, "Syscall overhead", "container"),
	                    "1.05× [1.01 .. 1.09] (220 ns per call)");
	assert_string_equal(value(&t, "Noisy-neighbour slowdown, no limits", "container"),
	                    "cpu-victim vs cpu-hog (same-pu): 2× [1.8 .. 2.2]");
	assert_string_equal(value(&t, "Noisy-neighbour slowdown, with limits", "container"),
	                    "cpu-victim vs cpu-hog:cpu-quota=20 (same-pu): 1.1× [1.05 .. 1.15]");
	assert_string_equal(value(&t, "Noisy-neighbour slowdown, no limits", "native"),
	                    "not measured (no such scenario for this backend)");
	assert_contains(value(&t, "Memory per instance", "container"),
	                "density fit: +1 MiB [977 KiB .. 1.05 MiB] per added instance");
	assert_contains(value(&t, "Memory per instance", "container"), "r² 0.990");
	cJSON_Delete(doc);
	cvb_seed_table_free(&t);
}

static void test_html_escape(void **state)
{
	(void)state;
	struct cvb_strbuf b = {0};
	cvb_html_escape(&b, "<a href=\"x\">Tom & 'Jerry'</a>");
	assert_string_equal(cvb_strbuf_str(&b),
	                    "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
	cvb_strbuf_free(&b);
	cvb_html_escape(&b, "plain ✓");
	assert_string_equal(cvb_strbuf_str(&b), "plain ✓");
	cvb_strbuf_free(&b);
}

static void test_md_escape(void **state)
{
	(void)state;
	struct cvb_strbuf b = {0};
	cvb_md_escape(&b, "a|b *c* <d>\nnext");
	assert_string_equal(cvb_strbuf_str(&b), "a\\|b \\*c\\* \\<d> next");
	cvb_strbuf_free(&b);
}

static void test_base64(void **state)
{
	(void)state;
	/* RFC 4648, section 10. */
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
	                                  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		struct cvb_strbuf b = {0};
		cvb_base64(&b, (const unsigned char *)in[i], strlen(in[i]));
		assert_string_equal(cvb_strbuf_str(&b), out[i]);
		cvb_strbuf_free(&b);
	}
	static const unsigned char bin[] = {0x00, 0xff, 0xfe, 0x80};
	struct cvb_strbuf b = {0};
	cvb_base64(&b, bin, sizeof(bin));
	assert_string_equal(cvb_strbuf_str(&b), "AP/+gA==");
	cvb_strbuf_free(&b);
}

static void test_gnuplot_quote(void **state)
{
	(void)state;
	struct cvb_strbuf b = {0};
	cvb_gp_var_str(&b, "caption", "it's\ta\nline");
	assert_string_equal(cvb_strbuf_str(&b), "caption = 'it''s a line'\n");
	cvb_strbuf_free(&b);
	char *v[] = {"a", "b'c"};
	cvb_gp_array_str(&b, "t", v, 2);
	assert_string_equal(cvb_strbuf_str(&b), "array t[2] = ['a', 'b''c']\n");
	cvb_strbuf_free(&b);
}

static void test_plot_data(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	struct cvb_plot_set set;
	struct cvb_error err = {0};
	assert_int_equal(cvb_plot_data_build(doc, &set, &err), 0);
	assert_true(set.plot[CVB_PLOT_STARTUP].made);
	/* 1 ms .. 16 ms: a spread of 16, under the log threshold. */
	assert_non_null(strstr(cvb_strbuf_str(&set.plot[CVB_PLOT_STARTUP].vars), "logx = 0\n"));
	assert_non_null(strstr(cvb_strbuf_str(&set.plot[CVB_PLOT_STARTUP].vars),
	                       "array series_title[2] = ['native/ready (n=3)', "
	                       "'container/ready (n=3)']"));
	assert_true(set.plot[CVB_PLOT_SYSCALL].made);
	assert_non_null(strstr(cvb_strbuf_str(&set.plot[CVB_PLOT_SYSCALL].data),
	                       "getppid\t200\t190\t210\t220\t200\t230\n"));
	assert_false(set.plot[CVB_PLOT_PHASES].made);
	assert_false(set.plot[CVB_PLOT_DENSITY].made);
	assert_false(set.plot[CVB_PLOT_SLOWDOWN].made);
	assert_non_null(strstr(set.plot[CVB_PLOT_SLOWDOWN].why_not, "derived.slowdowns"));
	cvb_plot_data_free(&set);

	cJSON_AddItemToObject(doc, "derived", parse_quoted(derived));
	assert_int_equal(cvb_plot_data_build(doc, &set, &err), 0);
	assert_true(set.plot[CVB_PLOT_SLOWDOWN].made);
	assert_non_null(strstr(cvb_strbuf_str(&set.plot[CVB_PLOT_SLOWDOWN].data),
	                       "0\t2\t1.8\t2.2\tcontainer cpu-victim, cpu-hog, same-pu\n"));
	cvb_plot_data_free(&set);
	cJSON_Delete(doc);
}

static void test_report_renders(void **state)
{
	(void)state;
	cJSON *doc = parse_quoted(base_doc);
	struct cvb_report_plots plots = {.missing = "gnuplot not found"};
	struct cvb_rdoc d;
	struct cvb_error err = {0};
	assert_int_equal(cvb_report_build(doc, &plots, &d, &err), 0);
	struct cvb_strbuf md = {0}, html = {0};
	cvb_report_md(&d, &md);
	cvb_report_html(&d, "/nonexistent", &html);
	assert_contains(cvb_strbuf_str(&md),
	                "| Feature | native | container | vm | Seed's claim (containers / VMs) |\n"
	                "|---|---|---|---|---|\n");
	assert_contains(cvb_strbuf_str(&md), "The plots are missing: gnuplot not found");
	assert_contains(cvb_strbuf_str(&md), "- **vm/ready**: skipped: libvirtd not reachable");
	/* The hostname is data: escaped, never markup. */
	assert_contains(cvb_strbuf_str(&html), "<li><strong>Hostname</strong>: h&lt;1&gt;</li>");
	assert_contains(cvb_strbuf_str(&html), "<td class=\"nm\">not measured");
	assert_null(strstr(cvb_strbuf_str(&html), "http"));
	cvb_strbuf_free(&md);
	cvb_strbuf_free(&html);
	cvb_rdoc_free(&d);
	cJSON_Delete(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_table_values),
	    cmocka_unit_test(test_seed_table_memory_and_syscall),
	    cmocka_unit_test(test_seed_table_facts),
	    cmocka_unit_test(test_seed_table_hardened_facts),
	    cmocka_unit_test(test_seed_table_derived),
	    cmocka_unit_test(test_html_escape),
	    cmocka_unit_test(test_md_escape),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_gnuplot_quote),
	    cmocka_unit_test(test_plot_data),
	    cmocka_unit_test(test_report_renders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
