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

#include "cgroup.h"

static void test_v2(void **state)
{
	static const char m[] =
		"sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0\n"
		"cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate,memory_recursiveprot 0 0\n"
		"/dev/sda1 / ext4 rw,relatime 0 0\n";
	struct kp_cgroup cg;

	assert_int_equal(kp_cgroup_parse_mounts(m, &cg), 0);
	assert_int_equal(cg.layout, KP_CG_V2);
	assert_string_equal(cg.v2_mount, "/sys/fs/cgroup");
	assert_string_equal(cg.v1_controllers, "");
	/* memory_recursiveprot is a mount option, not a v1 controller */
	assert_false(kp_cgroup_v1_has(&cg, "memory"));
	assert_string_equal(kp_cg_layout_name(cg.layout), "v2");
}

static void test_v1(void **state)
{
	static const char m[] =
		"tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0\n"
		"cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0\n"
		"cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0\n"
		"cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0\n"
		"cgroup /sys/fs/cgroup/devices cgroup rw,nosuid,nodev,noexec,relatime,devices 0 0\n";
	struct kp_cgroup cg;

	assert_int_equal(kp_cgroup_parse_mounts(m, &cg), 0);
	assert_int_equal(cg.layout, KP_CG_V1);
	assert_string_equal(cg.v2_mount, "");
	assert_true(kp_cgroup_v1_has(&cg, "cpu"));
	assert_true(kp_cgroup_v1_has(&cg, "cpuacct"));
	assert_true(kp_cgroup_v1_has(&cg, "memory"));
	assert_true(kp_cgroup_v1_has(&cg, "devices"));
	assert_false(kp_cgroup_v1_has(&cg, "cpuset"));
	assert_false(kp_cgroup_v1_has(&cg, "systemd"));
	assert_false(kp_cgroup_v1_has(&cg, "xattr"));
	assert_string_equal(cg.v1_controllers, " cpu cpuacct memory devices ");
}

static void test_hybrid(void **state)
{
	static const char m[] =
		"cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n"
		"cgroup /sys/fs/cgroup/cpuset cgroup rw,cpuset 0 0\n"
		"cgroup /sys/fs/cgroup/blkio cgroup rw,blkio 0 0\n"
		"cgroup /sys/fs/cgroup/blkio2 cgroup rw,blkio 0 0\n";
	struct kp_cgroup cg;

	assert_int_equal(kp_cgroup_parse_mounts(m, &cg), 0);
	assert_int_equal(cg.layout, KP_CG_HYBRID);
	assert_string_equal(cg.v2_mount, "/sys/fs/cgroup/unified");
	assert_string_equal(cg.v1_controllers, " cpuset blkio "); /* listed once */
}

static void test_none_and_escapes(void **state)
{
	struct kp_cgroup cg;

	assert_int_equal(kp_cgroup_parse_mounts("proc /proc proc rw 0 0\n", &cg), 0);
	assert_int_equal(cg.layout, KP_CG_NONE);
	assert_string_equal(kp_cg_layout_name(cg.layout), "none");
	assert_int_equal(kp_cgroup_parse_mounts("", &cg), 0);
	assert_int_equal(cg.layout, KP_CG_NONE);
	/* the mount table escapes spaces as \040 */
	assert_int_equal(kp_cgroup_parse_mounts("none /my\\040cg cgroup2 rw 0 0\nshort line\n", &cg), 0);
	assert_string_equal(cg.v2_mount, "/my cg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2),
		cmocka_unit_test(test_v1),
		cmocka_unit_test(test_hybrid),
		cmocka_unit_test(test_none_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
