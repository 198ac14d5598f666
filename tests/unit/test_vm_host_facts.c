/* The VM backend's host facts (backends/vm_host_facts.c, its host_facts
 * hook): what it adds to the "kvm" object hostfacts.c collected, and that
 * it leaves facts without one alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backend.h"
#include "vm_host.h"

#include <string.h>

static void test_no_kvm_object(void **state)
{
	cJSON *facts = cJSON_CreateObject();
	(void)state;
	assert_true(cvb_vm_host_facts(facts));
	assert_null(facts->child);
	cJSON_Delete(facts);
}

/* No /dev/kvm: nobody can open it, and the node has no owner to show. */
static void test_no_device(void **state)
{
	cJSON *facts = cJSON_CreateObject();
	cJSON *kvm = cJSON_AddObjectToObject(facts, "kvm");
	(void)state;
	cJSON_AddFalseToObject(kvm, "device");
	cJSON_AddNullToObject(kvm, "paravirtual");
	assert_true(cvb_vm_host_facts(facts));
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(kvm, "node")));
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(kvm, "qemu_user")));
	assert_true(
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(kvm, "accessible_to_qemu_user")));
	const cJSON *probe = cJSON_GetObjectItemCaseSensitive(kvm, "probe");
	assert_true(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(probe, "probed")));
	/* Its keys come after the host's, in this order (results stay identical). */
	const char *want[] = {
	    "device", "paravirtual", "node", "qemu_user", "accessible_to_qemu_user", "probe"};
	size_t i = 0;
	for (const cJSON *k = kvm->child; k; k = k->next, i++) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_string_equal(k->string, want[i]);
	}
	assert_int_equal(i, 6);
	cJSON_Delete(facts);
}

/* The registry's VM backend is the one that adds them. */
static void test_hook_registered(void **state)
{
	const struct cvb_backend *vm = cvb_backend_find("vm");
	(void)state;
	assert_non_null(vm);
	assert_ptr_equal(vm->host_facts, cvb_vm_host_facts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_kvm_object),
	    cmocka_unit_test(test_no_device),
	    cmocka_unit_test(test_hook_registered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
