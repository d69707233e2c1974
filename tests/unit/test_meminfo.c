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

#include "meminfo.h"

static void test_parse(void **state)
{
	static const char text[] =
		"MemTotal:       24730032 kB\n"
		"MemFree:        22465908 kB\n"
		"MemAvailable:   24349604 kB\n"
		"Buffers:           77112 kB\n"
		"HugePages_Total:     512\n"
		"HugePages_Free:      500\n"
		"HugePages_Rsvd:        0\n"
		"Hugepagesize:       2048 kB\n"
		"Hugetlb:         1048576 kB\n";
	struct kp_meminfo mi;

	assert_int_equal(kp_meminfo_parse(text, &mi), 0);
	assert_true(mi.total_kb == 24730032);
	assert_true(mi.free_kb == 22465908);
	assert_true(mi.available_kb == 24349604);
	assert_true(mi.hp_total == 512);
	assert_true(mi.hp_free == 500);
	assert_true(mi.hp_size_kb == 2048);
}

static void test_missing_keys(void **state)
{
	struct kp_meminfo mi;

	/* an old kernel without MemAvailable, no hugetlbfs */
	assert_int_equal(kp_meminfo_parse("MemTotal: 1024 kB\nMemFree: 512 kB", &mi), 0);
	assert_true(mi.total_kb == 1024);
	assert_true(mi.free_kb == 512);
	assert_true(mi.available_kb == -1);
	assert_true(mi.hp_total == -1);
	/* no MemTotal: not a meminfo */
	assert_int_equal(kp_meminfo_parse("MemFree: 512 kB\n", &mi), -EINVAL);
	assert_int_equal(kp_meminfo_parse("", &mi), -EINVAL);
	/* a key that only starts like one is not it */
	assert_int_equal(kp_meminfo_parse("MemTotalX: 5 kB\n", &mi), -EINVAL);
}

static void test_hugepage_dirsize(void **state)
{
	long long kb = 0;

	assert_int_equal(kp_hugepage_dirsize("hugepages-2048kB", &kb), 0);
	assert_true(kb == 2048);
	assert_int_equal(kp_hugepage_dirsize("hugepages-1048576kB", &kb), 0);
	assert_true(kb == 1048576);
	assert_int_equal(kp_hugepage_dirsize("hugepages-2048", &kb), -EINVAL);
	assert_int_equal(kp_hugepage_dirsize("hugepages-kB", &kb), -EINVAL);
	assert_int_equal(kp_hugepage_dirsize("nr_hugepages", &kb), -EINVAL);
	assert_int_equal(kp_hugepage_dirsize("hugepages-0kB", &kb), -EINVAL);
}

static void test_list_count(void **state)
{
	assert_int_equal(kp_list_count("0"), 1);
	assert_int_equal(kp_list_count("0-1"), 2);
	assert_int_equal(kp_list_count("0-3,8,10-11\n"), 7);
	assert_int_equal(kp_list_count(""), 0);
	assert_int_equal(kp_list_count("3-1"), -EINVAL);
	assert_int_equal(kp_list_count("a"), -EINVAL);
	assert_int_equal(kp_list_count("1-"), -EINVAL);
	assert_int_equal(kp_list_count("1;2"), -EINVAL);
	/* found by fuzzing: no overflow, no double count */
	assert_int_equal(kp_list_count("0-9223372036854775807"), -ERANGE);
	assert_int_equal(kp_list_count("0-99999999999999999999999"), -ERANGE);
	assert_int_equal(kp_list_count("65536"), -ERANGE);
	assert_int_equal(kp_list_count("0-65535"), 65536);
	assert_int_equal(kp_list_count("0-65535,0-65535,100-200"), 65536);
	assert_int_equal(kp_list_count("0-5,3-8"), 9);
	assert_int_equal(kp_list_count("2,2,2"), 1);
	assert_int_equal(kp_list_count("-1"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_hugepage_dirsize),
		cmocka_unit_test(test_list_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
