/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "sysfs.h"

/* These tests use files in a temporary directory: sysfs paths are plain
 * paths, and the functions do not care where they point. */
static char dir[] = "/tmp/kp-sysfs-test.XXXXXX";

static const char *P(const char *rel)
{
	static char path[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(path[i], sizeof(path[i]), "%s/%s", dir, rel);
	return path[i];
}

static void put(const char *rel, const char *data)
{
	FILE *f = fopen(P(rel), "w");

	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_read(void **state)
{
	char buf[16];

	put("vendor", "0x8086\n");
	assert_int_equal(kp_sysfs_read(P("vendor"), buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0x8086");
	/* trailing newlines and blanks go, inner ones stay */
	put("ro", "a b  \n\n");
	assert_int_equal(kp_sysfs_read(P("ro"), buf, sizeof(buf)), 3);
	assert_string_equal(buf, "a b");
	put("empty", "");
	assert_int_equal(kp_sysfs_read(P("empty"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	put("nl", "\n");
	assert_int_equal(kp_sysfs_read(P("nl"), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");

	/* exactly fits: 15 chars + NUL in 16; 16 chars do not */
	put("fit", "123456789012345");
	assert_int_equal(kp_sysfs_read(P("fit"), buf, sizeof(buf)), 15);
	assert_string_equal(buf, "123456789012345");
	put("long", "1234567890123456");
	assert_int_equal(kp_sysfs_read(P("long"), buf, sizeof(buf)), -ENAMETOOLONG);
	/* 15 chars and a newline: the newline is what does not fit */
	put("fitnl", "123456789012345\n");
	assert_int_equal(kp_sysfs_read(P("fitnl"), buf, sizeof(buf)), -ENAMETOOLONG);

	assert_int_equal(kp_sysfs_read(P("missing"), buf, sizeof(buf)), -ENOENT);
	assert_int_equal(kp_sysfs_read(dir, buf, sizeof(buf)), -EISDIR);
	assert_int_equal(kp_sysfs_read(P("vendor"), buf, 0), -EINVAL);
}

static void test_readf(void **state)
{
	char buf[16];

	put("class", "0x020000\n");
	assert_int_equal(kp_sysfs_readf(buf, sizeof(buf), "%s/%s", dir, "class"), 8);
	assert_string_equal(buf, "0x020000");
	{
		char longname[5000];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		assert_int_equal(kp_sysfs_readf(buf, sizeof(buf), "/%s", longname),
				 -ENAMETOOLONG);
	}
}

static void long_is(const char *content, long want)
{
	long v = 12345;

	put("num", content);
	if (kp_sysfs_read_long(P("num"), &v) != 0)
		fail_msg("'%s' rejected", content);
	if (v != want)
		fail_msg("'%s' read as %ld, wanted %ld", content, v, want);
}

static void long_bad(const char *content)
{
	long v = 12345;

	put("num", content);
	if (kp_sysfs_read_long(P("num"), &v) != -EINVAL)
		fail_msg("'%s' accepted", content);
	assert_int_equal(v, 12345);
}

static void test_read_long(void **state)
{
	long v;

	long_is("0\n", 0);
	long_is("64\n", 64);
	long_is("-1\n", -1);           /* numa_node */
	long_is("0x8086\n", 0x8086);   /* vendor */
	long_is("0X10DE", 0x10de);
	long_is("010\n", 10);          /* decimal, never octal */
	long_is("08\n", 8);
	long_is("0x020000\n", 0x20000);
	long_bad("");
	long_bad("\n");
	long_bad("abc\n");
	long_bad("12abc\n");
	long_bad("0x\n");
	long_bad("0xg\n");
	long_bad("0x-5\n");
	long_bad(" 5\n");
	long_bad("+5\n");
	long_bad("5 6\n");
	long_bad("99999999999999999999999\n");
	assert_int_equal(kp_sysfs_read_long(P("nope"), &v), -ENOENT);
}

static void test_write(void **state)
{
	char buf[32];

	put("bind", "");
	assert_int_equal(kp_sysfs_write(P("bind"), "0000:01:00.0"), 0);
	/* no newline added */
	{
		FILE *f = fopen(P("bind"), "r");
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);

		fclose(f);
		buf[n] = '\0';
		assert_string_equal(buf, "0000:01:00.0");
	}
	assert_int_equal(kp_sysfs_write(P("no/such"), "1"), -ENOENT);
	assert_int_equal(kp_sysfs_write(dir, "1"), -EISDIR);
	/* the write(2) error comes back as -errno */
	assert_int_equal(kp_sysfs_write("/dev/full", "1"), -ENOSPC);
	/* a write that the kernel takes: /dev/null */
	assert_int_equal(kp_sysfs_write("/dev/null", "1"), 0);
}

static void test_link_name(void **state)
{
	char buf[32];

	assert_int_equal(symlink("../../../bus/pci/drivers/e1000e", P("driver")), 0);
	assert_int_equal(kp_sysfs_link_name(P("driver"), buf, sizeof(buf)), 6);
	assert_string_equal(buf, "e1000e");
	assert_int_equal(symlink("12", P("group")), 0); /* no slash at all */
	assert_int_equal(kp_sysfs_link_name(P("group"), buf, sizeof(buf)), 2);
	assert_string_equal(buf, "12");
	assert_int_equal(kp_sysfs_link_name(P("driver"), buf, 6), -ENAMETOOLONG);
	assert_int_equal(kp_sysfs_link_name(P("driver"), buf, 7), 6);
	assert_int_equal(kp_sysfs_link_name(P("nolink"), buf, sizeof(buf)), -ENOENT);
	put("plain", "x");
	assert_int_equal(kp_sysfs_link_name(P("plain"), buf, sizeof(buf)), -EINVAL);
}

static void test_exists(void **state)
{
	put("here", "1");
	assert_int_equal(kp_sysfs_exists(P("here")), 1);
	assert_int_equal(kp_sysfs_exists(dir), 1);
	assert_int_equal(kp_sysfs_exists(P("not-here")), 0);
	/* a dangling link does not exist */
	assert_int_equal(symlink("nowhere", P("dangling")), 0);
	assert_int_equal(kp_sysfs_exists(P("dangling")), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_readf),
		cmocka_unit_test(test_read_long),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_link_name),
		cmocka_unit_test(test_exists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
