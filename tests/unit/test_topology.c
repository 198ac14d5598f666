/* cvb_topology_describe() on synthetic and XML topologies: counts, cache
 * grouping and order, allowed CPUs; plus the real host's load. */
#include "topology.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A hybrid-core package: one P-core (2 PUs) under a 2 MiB L2, two E-cores
 * sharing a 4 MiB L2, one 12 MiB L3, and PU 1 outside the allowed cpuset. */
static const char mixed_l2_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE topology SYSTEM \"hwloc2.dtd\">\n"
    "<topology version=\"2.0\">\n"
    "<object type=\"Machine\" os_index=\"0\" cpuset=\"0x0000000f\" complete_cpuset=\"0x0000000f\""
    " allowed_cpuset=\"0x0000000d\" nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\""
    " allowed_nodeset=\"0x00000001\" gp_index=\"1\">\n"
    "<object type=\"Package\" os_index=\"0\" cpuset=\"0x0000000f\" complete_cpuset=\"0x0000000f\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"2\">\n"
    "<object type=\"NUMANode\" os_index=\"0\" cpuset=\"0x0000000f\" complete_cpuset=\"0x0000000f\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"3\""
    " local_memory=\"1073741824\"/>\n"
    "<object type=\"L3Cache\" cpuset=\"0x0000000f\" complete_cpuset=\"0x0000000f\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"4\""
    " cache_size=\"12582912\" depth=\"3\" cache_linesize=\"64\" cache_associativity=\"12\""
    " cache_type=\"0\">\n"
    "<object type=\"L2Cache\" cpuset=\"0x00000003\" complete_cpuset=\"0x00000003\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"5\""
    " cache_size=\"2097152\" depth=\"2\" cache_linesize=\"64\" cache_associativity=\"16\""
    " cache_type=\"0\">\n"
    "<object type=\"Core\" os_index=\"0\" cpuset=\"0x00000003\" complete_cpuset=\"0x00000003\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"6\">\n"
    "<object type=\"PU\" os_index=\"0\" cpuset=\"0x00000001\" complete_cpuset=\"0x00000001\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"7\"/>\n"
    "<object type=\"PU\" os_index=\"1\" cpuset=\"0x00000002\" complete_cpuset=\"0x00000002\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"8\"/>\n"
    "</object>\n"
    "</object>\n"
    "<object type=\"L2Cache\" cpuset=\"0x0000000c\" complete_cpuset=\"0x0000000c\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"9\""
    " cache_size=\"4194304\" depth=\"2\" cache_linesize=\"64\" cache_associativity=\"16\""
    " cache_type=\"0\">\n"
    "<object type=\"Core\" os_index=\"8\" cpuset=\"0x00000004\" complete_cpuset=\"0x00000004\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"10\">\n"
    "<object type=\"PU\" os_index=\"2\" cpuset=\"0x00000004\" complete_cpuset=\"0x00000004\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"11\"/>\n"
    "</object>\n"
    "<object type=\"Core\" os_index=\"9\" cpuset=\"0x00000008\" complete_cpuset=\"0x00000008\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"12\">\n"
    "<object type=\"PU\" os_index=\"3\" cpuset=\"0x00000008\" complete_cpuset=\"0x00000008\""
    " nodeset=\"0x00000001\" complete_nodeset=\"0x00000001\" gp_index=\"13\"/>\n"
    "</object>\n"
    "</object>\n"
    "</object>\n"
    "</object>\n"
    "</object>\n"
    "</topology>\n";

static int number(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_non_null(it);
	assert_true(cJSON_IsNumber(it));
	return it->valueint;
}

static double number_d(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsNumber(it));
	return it->valuedouble;
}

static const char *string(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

static void assert_cache(const cJSON *caches, int index, int level, const char *type,
                         double size_bytes, int count)
{
	const cJSON *c = cJSON_GetArrayItem(caches, index);

	assert_non_null(c);
	assert_int_equal(number(c, "level"), level);
	assert_string_equal(string(c, "type"), type);
	assert_true(number_d(c, "size_bytes") == size_bytes);
	assert_int_equal(number(c, "count"), count);
	assert_int_equal(cJSON_GetArraySize(c), 4);
}

/* Every description names its NUMA level: when it has none, hwloc 2.9 inserts
 * one with an overlapping memcpy() that valgrind reports. */
static cJSON *describe_synthetic(const char *description)
{
	struct cvb_error err = {0};
	hwloc_topology_t topo;
	cJSON *desc;

	assert_int_equal(cvb_topology_load_synthetic(&topo, description, &err), 0);
	desc = cvb_topology_describe(topo);
	hwloc_topology_destroy(topo);
	assert_non_null(desc);
	return desc;
}

static void test_describe_brief_example(void **state)
{
	(void)state;
	/* "pack:2 l3:1 core:4 pu:2" with the single NUMA node hwloc would add. */
	cJSON *desc = describe_synthetic("numa:1 pack:2 l3:1 core:4 pu:2");
	const cJSON *caches = cJSON_GetObjectItemCaseSensitive(desc, "caches");

	assert_int_equal(number(desc, "packages"), 2);
	assert_int_equal(number(desc, "cores"), 8);
	assert_int_equal(number(desc, "pus"), 16);
	assert_int_equal(number(desc, "numa_nodes"), 1);
	assert_true(cJSON_IsArray(caches));
	assert_int_equal(cJSON_GetArraySize(caches), 1);
	/* Synthetic L3 caches default to 16 MiB. */
	assert_cache(caches, 0, 3, "unified", 16.0 * 1024 * 1024, 2);
	assert_string_equal(string(desc, "allowed_cpus"), "0-15");
	assert_int_equal(cJSON_GetArraySize(desc), 6);
	cJSON_Delete(desc);
}

static void test_describe_numa_and_all_cache_kinds(void **state)
{
	(void)state;
	cJSON *desc = describe_synthetic("pack:2 numa:2 l3:1(size=32MiB) l2:2(size=1MiB) "
	                                 "l1d:1(size=48KiB) l1i:1(size=32KiB) core:1 pu:2");
	const cJSON *caches = cJSON_GetObjectItemCaseSensitive(desc, "caches");

	assert_int_equal(number(desc, "packages"), 2);
	assert_int_equal(number(desc, "numa_nodes"), 4);
	assert_int_equal(number(desc, "cores"), 8);
	assert_int_equal(number(desc, "pus"), 16);
	assert_int_equal(cJSON_GetArraySize(caches), 4);
	/* Data before instruction within a level; instruction caches are kept. */
	assert_cache(caches, 0, 1, "data", 48.0 * 1024, 8);
	assert_cache(caches, 1, 1, "instruction", 32.0 * 1024, 8);
	assert_cache(caches, 2, 2, "unified", 1024.0 * 1024, 8);
	assert_cache(caches, 3, 3, "unified", 32.0 * 1024 * 1024, 4);
	assert_string_equal(string(desc, "allowed_cpus"), "0-15");
	cJSON_Delete(desc);
}

static void test_describe_single_pu(void **state)
{
	(void)state;
	cJSON *desc = describe_synthetic("numa:1 pu:1");

	assert_int_equal(number(desc, "packages"), 0);
	assert_int_equal(number(desc, "cores"), 0);
	assert_int_equal(number(desc, "pus"), 1);
	assert_int_equal(number(desc, "numa_nodes"), 1);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(desc, "caches")), 0);
	assert_string_equal(string(desc, "allowed_cpus"), "0");
	cJSON_Delete(desc);
}

/* Heterogeneous cores: same level, different sizes stay apart, sorted by
 * size; a disallowed PU is counted in the machine but not in allowed_cpus. */
static void test_describe_mixed_l2_and_disallowed_pu(void **state)
{
	(void)state;
	hwloc_topology_t topo;
	cJSON *desc;

	assert_int_equal(hwloc_topology_init(&topo), 0);
	assert_int_equal(hwloc_topology_set_xmlbuffer(topo, mixed_l2_xml, sizeof(mixed_l2_xml)), 0);
	assert_int_equal(hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED), 0);
	assert_int_equal(hwloc_topology_load(topo), 0);
	desc = cvb_topology_describe(topo);
	hwloc_topology_destroy(topo);
	assert_non_null(desc);

	const cJSON *caches = cJSON_GetObjectItemCaseSensitive(desc, "caches");

	assert_int_equal(number(desc, "packages"), 1);
	assert_int_equal(number(desc, "cores"), 3);
	assert_int_equal(number(desc, "pus"), 4);
	assert_int_equal(number(desc, "numa_nodes"), 1);
	assert_int_equal(cJSON_GetArraySize(caches), 3);
	assert_cache(caches, 0, 2, "unified", 2.0 * 1024 * 1024, 1);
	assert_cache(caches, 1, 2, "unified", 4.0 * 1024 * 1024, 1);
	assert_cache(caches, 2, 3, "unified", 12.0 * 1024 * 1024, 1);
	assert_string_equal(string(desc, "allowed_cpus"), "0,2-3");
	cJSON_Delete(desc);
}

static void test_load_synthetic_invalid(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	hwloc_topology_t topo = NULL;

	assert_int_equal(cvb_topology_load_synthetic(&topo, "pack:x core:?", &err), -1);
	assert_null(topo);
	assert_non_null(strstr(err.msg, "invalid synthetic topology 'pack:x core:?'"));
}

static void test_load_real_host(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	hwloc_topology_t topo;
	cJSON *usable, *machine;

	assert_int_equal(cvb_topology_load(&topo, &err), 0);
	usable = cvb_topology_describe(topo);
	hwloc_topology_destroy(topo);
	assert_int_equal(cvb_topology_load_machine(&topo, &err), 0);
	machine = cvb_topology_describe(topo);
	hwloc_topology_destroy(topo);
	assert_non_null(usable);
	assert_non_null(machine);
	assert_true(number(machine, "pus") >= 1);
	assert_true(number(machine, "pus") >= number(machine, "cores"));
	assert_true(number(machine, "numa_nodes") >= 1);
	/* The usable view never holds more than the machine, and both agree on
	 * which CPUs this process may use. */
	assert_true(number(usable, "pus") <= number(machine, "pus"));
	assert_true(number(usable, "pus") >= 1);
	assert_string_equal(string(usable, "allowed_cpus"), string(machine, "allowed_cpus"));
	cJSON_Delete(usable);
	cJSON_Delete(machine);
}

/* A cpuset that excludes PU 1 (HWLOC_XMLFILE stands in for the host): the
 * usable view drops it, the machine view keeps it and reports the
 * restriction in allowed_cpus. */
static void test_load_restricted_cpuset(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char path[] = "/tmp/cvb-test-topology-XXXXXX";
	hwloc_topology_t topo;
	cJSON *usable = NULL, *machine = NULL;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, mixed_l2_xml, sizeof(mixed_l2_xml) - 1),
	                 (ssize_t)sizeof(mixed_l2_xml) - 1);
	close(fd);
	setenv("HWLOC_XMLFILE", path, 1);
	if (cvb_topology_load(&topo, &err) == 0) {
		usable = cvb_topology_describe(topo);
		hwloc_topology_destroy(topo);
	}
	if (cvb_topology_load_machine(&topo, &err) == 0) {
		machine = cvb_topology_describe(topo);
		hwloc_topology_destroy(topo);
	}
	unsetenv("HWLOC_XMLFILE");
	unlink(path);

	assert_non_null(usable);
	assert_non_null(machine);
	assert_int_equal(number(usable, "pus"), 3);
	assert_string_equal(string(usable, "allowed_cpus"), "0,2-3");
	assert_int_equal(number(machine, "pus"), 4);
	assert_int_equal(number(machine, "cores"), 3);
	assert_string_equal(string(machine, "allowed_cpus"), "0,2-3");
	cJSON_Delete(usable);
	cJSON_Delete(machine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_describe_brief_example),
	    cmocka_unit_test(test_describe_numa_and_all_cache_kinds),
	    cmocka_unit_test(test_describe_single_pu),
	    cmocka_unit_test(test_describe_mixed_l2_and_disallowed_pu),
	    cmocka_unit_test(test_load_synthetic_invalid),
	    cmocka_unit_test(test_load_real_host),
	    cmocka_unit_test(test_load_restricted_cpuset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
