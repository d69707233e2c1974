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

#include "root.h"

static char root[] = "/tmp/kp-root-test.XXXXXX";

static void put(const char *rel, const char *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int setup(void **state)
{
	char path[512];

	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/sys", root);
	mkdir(path, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_prefix(void **state)
{
	char buf[64];

	unsetenv("KVMPREP_ROOT");
	assert_string_equal(kp_root(), "");
	assert_int_equal(kp_path(buf, sizeof(buf), "/proc/cmdline"), 0);
	assert_string_equal(buf, "/proc/cmdline");

	setenv("KVMPREP_ROOT", "/", 1); /* "/" is no prefix */
	assert_int_equal(kp_path(buf, sizeof(buf), "/proc/cmdline"), 0);
	assert_string_equal(buf, "/proc/cmdline");

	setenv("KVMPREP_ROOT", "", 1);
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/x"), 0);
	assert_string_equal(buf, "/etc/x");

	setenv("KVMPREP_ROOT", "/mnt/sysimage", 1);
	assert_string_equal(kp_root(), "/mnt/sysimage");
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/kvmprep/x"), 0);
	assert_string_equal(buf, "/mnt/sysimage/etc/kvmprep/x");

	/* a trailing slash in the prefix does not double up */
	setenv("KVMPREP_ROOT", "/mnt/sysimage/", 1);
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/x"), 0);
	assert_string_equal(buf, "/mnt/sysimage/etc/x");
	setenv("KVMPREP_ROOT", "/mnt/sysimage//", 1);
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/x"), 0);
	assert_string_equal(buf, "/mnt/sysimage/etc/x");

	/* exactly fits / one byte short */
	setenv("KVMPREP_ROOT", "/r", 1);
	assert_int_equal(kp_path(buf, 8, "/abcd"), 0); /* "/r/abcd" + NUL = 8 */
	assert_string_equal(buf, "/r/abcd");
	assert_int_equal(kp_path(buf, 7, "/abcd"), -ENAMETOOLONG);
	/* relative paths make no sense under a prefix */
	assert_int_equal(kp_path(buf, sizeof(buf), "etc/x"), -EINVAL);
	assert_int_equal(kp_path(buf, sizeof(buf), ""), -EINVAL);
	setenv("KVMPREP_ROOT", "//", 1);
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/x"), 0);
	assert_string_equal(buf, "/etc/x");
	unsetenv("KVMPREP_ROOT");
}

static void test_read_file(void **state)
{
	char big[20000];
	char *data = NULL;
	size_t len = 0;

	setenv("KVMPREP_ROOT", root, 1);
	put("/proc/cmdline", "BOOT_IMAGE=/vmlinuz intel_iommu=on\n", 35);
	assert_int_equal(kp_read_file("/proc/cmdline", &data, &len), 0);
	assert_int_equal(len, 35);
	assert_string_equal(data, "BOOT_IMAGE=/vmlinuz intel_iommu=on\n");
	free(data);

	/* bigger than the first buffer, and len may be NULL */
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = '\n';
	put("/proc/big", big, sizeof(big));
	assert_int_equal(kp_read_file("/proc/big", &data, NULL), 0);
	assert_int_equal(strlen(data), sizeof(big));
	assert_memory_equal(data, big, sizeof(big));
	free(data);

	/* empty file */
	put("/proc/empty", "", 0);
	assert_int_equal(kp_read_file("/proc/empty", &data, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	data = (char *)0x1;
	assert_int_equal(kp_read_file("/proc/nope", &data, &len), -ENOENT);
	assert_ptr_equal(data, (char *)0x1); /* untouched on error */
	assert_int_equal(kp_read_file("/proc", &data, &len), -EISDIR);
	unsetenv("KVMPREP_ROOT");
}

static void test_read_line(void **state)
{
	char buf[32];

	setenv("KVMPREP_ROOT", root, 1);
	put("/proc/sys/osrelease", "6.1.0-18-amd64\n", 15);
	assert_int_equal(kp_read_line("/proc/sys/osrelease", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "6.1.0-18-amd64");
	/* only the first line */
	put("/proc/two", "first\nsecond\n", 13);
	assert_int_equal(kp_read_line("/proc/two", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "first");
	/* no newline at all */
	put("/proc/nonl", "abc", 3);
	assert_int_equal(kp_read_line("/proc/nonl", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abc");
	/* too long for the buffer */
	assert_int_equal(kp_read_line("/proc/sys/osrelease", buf, 14), -ENAMETOOLONG);
	assert_int_equal(kp_read_line("/proc/sys/osrelease", buf, 15), 0);
	assert_string_equal(buf, "6.1.0-18-amd64");
	assert_int_equal(kp_read_line("/proc/missing", buf, sizeof(buf)), -ENOENT);
	unsetenv("KVMPREP_ROOT");
}

static void test_exists(void **state)
{
	setenv("KVMPREP_ROOT", root, 1);
	put("/proc/here", "x", 1);
	assert_int_equal(kp_exists("/proc/here"), 1);
	assert_int_equal(kp_exists("/proc"), 1);
	assert_int_equal(kp_exists("/proc/not-here"), 0);
	/* the machine's own file is not seen through the prefix */
	assert_int_equal(kp_exists("/etc/passwd"), 0);
	unsetenv("KVMPREP_ROOT");
	assert_int_equal(kp_exists("/etc/passwd"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_read_line),
		cmocka_unit_test(test_exists),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
