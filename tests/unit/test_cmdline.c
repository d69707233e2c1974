/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

static const char line[] =
	"BOOT_IMAGE=/vmlinuz-6.1 root=UUID=abcd ro quiet intel_iommu=on,sm_on iommu=pt "
	"hugepagesz=1G hugepages=4 nomodeset acpi=\"force strict\" kvm-intel.nested=1 "
	"intel_iommu=on -- init_arg=1 iommu=off";

static void test_get(void **state)
{
	char v[64];

	assert_int_equal(kp_cmdline_get(line, "iommu", v, sizeof(v)), 1);
	assert_string_equal(v, "pt");
	assert_int_equal(kp_cmdline_get(line, "root", v, sizeof(v)), 1);
	assert_string_equal(v, "UUID=abcd"); /* only the first '=' splits */
	assert_int_equal(kp_cmdline_get(line, "hugepages", v, sizeof(v)), 1);
	assert_string_equal(v, "4");
	assert_int_equal(kp_cmdline_get(line, "hugepagesz", v, sizeof(v)), 1);
	assert_string_equal(v, "1G");
}

static void test_bare_and_absent(void **state)
{
	char v[64] = "x";

	assert_int_equal(kp_cmdline_get(line, "quiet", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(kp_cmdline_get(line, "amd_iommu", v, sizeof(v)), 0);
	assert_int_equal(kp_cmdline_get(line, "iommu.passthrough", v, sizeof(v)), 0);
	/* a prefix of a parameter is not the parameter */
	assert_int_equal(kp_cmdline_get(line, "intel", v, sizeof(v)), 0);
	assert_int_equal(kp_cmdline_get(line, "quie", NULL, 0), 0);
	assert_int_equal(kp_cmdline_get("", "quiet", NULL, 0), 0);
}

static void test_last_wins_and_comma_lists(void **state)
{
	char v[64];

	/* intel_iommu given twice: the last one counts */
	assert_int_equal(kp_cmdline_get(line, "intel_iommu", v, sizeof(v)), 1);
	assert_string_equal(v, "on");
	assert_int_equal(kp_cmdline_has_item(line, "intel_iommu", "on"), 1);
	assert_int_equal(kp_cmdline_has_item(line, "intel_iommu", "sm_on"), 0);
	assert_int_equal(kp_cmdline_has_item("intel_iommu=on,sm_on", "intel_iommu", "sm_on"), 1);
	assert_int_equal(kp_cmdline_has_item("intel_iommu=onx", "intel_iommu", "on"), 0);
	assert_int_equal(kp_cmdline_has_item(line, "missing", "on"), 0);
}

static void test_dash_underscore(void **state)
{
	char v[16];

	assert_int_equal(kp_cmdline_get(line, "kvm_intel.nested", v, sizeof(v)), 1);
	assert_string_equal(v, "1");
	assert_int_equal(kp_cmdline_get("kvm_arm.mode=nested", "kvm-arm.mode", v, sizeof(v)), 1);
	assert_string_equal(v, "nested");
}

static void test_quotes(void **state)
{
	char v[64];

	assert_int_equal(kp_cmdline_get(line, "acpi", v, sizeof(v)), 1);
	assert_string_equal(v, "force strict");
	/* the word after the quoted value is its own parameter */
	assert_int_equal(kp_cmdline_get(line, "nomodeset", NULL, 0), 1);
	assert_int_equal(kp_cmdline_get("\"quoted\" x=1", "quoted", NULL, 0), 1);
}

static void test_double_dash(void **state)
{
	char v[16];

	/* after "--" the words belong to init, not to the kernel */
	assert_int_equal(kp_cmdline_get(line, "init_arg", v, sizeof(v)), 0);
	assert_int_equal(kp_cmdline_get(line, "iommu", v, sizeof(v)), 1);
	assert_string_equal(v, "pt");
}

static void test_too_long(void **state)
{
	char v[3];

	assert_int_equal(kp_cmdline_get(line, "hugepagesz", v, sizeof(v)), 1); /* "1G" fits */
	assert_int_equal(kp_cmdline_get(line, "iommu", v, sizeof(v)), 1);
	assert_int_equal(kp_cmdline_get(line, "root", v, sizeof(v)), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_bare_and_absent),
		cmocka_unit_test(test_last_wins_and_comma_lists),
		cmocka_unit_test(test_dash_underscore),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_double_dash),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
