/* SPDX-License-Identifier: MIT */
/* The hardened reader: regular files only, no blocking open, size cap, NUL
 * refused, owner and mode checked, FILE:LINE messages, field splitting. */
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

#include "rfile.h"
#include "root.h"

static char root[64];

static int setup(void **state)
{
	char path[128];

	(void)state;
	strcpy(root, "/tmp/kp-rfile.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(path, sizeof(path), "%s/etc", root);
	mkdir(path, 0755);
	setenv("KVMPREP_ROOT", root, 1);
	/* a FIFO open must not block: fail the test instead of hanging it */
	alarm(10);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	alarm(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	unsetenv("KVMPREP_ROOT");
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *abs, const char *data, size_t len, mode_t mode)
{
	char path[256];
	int fd;

	kp_path(path, sizeof(path), abs);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	fchmod(fd, mode);
	close(fd);
}

static void test_regular(void **state)
{
	struct kp_rfile f;

	(void)state;
	put("/etc/a.conf", "one\ntwo\n", 8, 0644);
	assert_int_equal(kp_rfile_open(&f, "/etc/a.conf", 0, 0), 0);
	assert_int_equal(f.len, 8);
	assert_string_equal(f.text, "one\ntwo\n");
	assert_string_equal(f.name, "/etc/a.conf");
	kp_rfile_close(&f);
	/* missing: -ENOENT, and a message anyway */
	assert_int_equal(kp_rfile_open(&f, "/etc/none.conf", 0, 0), -ENOENT);
	assert_string_equal(f.err, "/etc/none.conf: cannot open: No such file or directory");
	kp_rfile_close(&f);
}

static void test_not_regular(void **state)
{
	char path[256], target[256];
	struct kp_rfile f;

	(void)state;
	kp_path(path, sizeof(path), "/etc/fifo.conf");
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(kp_rfile_open(&f, "/etc/fifo.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/fifo.conf: is a FIFO, not a regular file: file refused");
	kp_rfile_close(&f);

	kp_path(path, sizeof(path), "/etc/dir.conf");
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(kp_rfile_open(&f, "/etc/dir.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/dir.conf: is a directory, not a regular file: file refused");
	kp_rfile_close(&f);

	/* a symlink is not followed (to /dev/zero, or to a good file) */
	kp_path(path, sizeof(path), "/etc/zero.conf");
	assert_int_equal(symlink("/dev/zero", path), 0);
	assert_int_equal(kp_rfile_open(&f, "/etc/zero.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/zero.conf: is a symbolic link: file refused");
	kp_rfile_close(&f);
	put("/etc/good.conf", "x\n", 2, 0644);
	kp_path(path, sizeof(path), "/etc/link.conf");
	kp_path(target, sizeof(target), "/etc/good.conf");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(kp_rfile_open(&f, "/etc/link.conf", 0, 0), -EINVAL);
	kp_rfile_close(&f);

	/* a device itself (no prefix: the machine's /dev/zero, read-only) */
	unsetenv("KVMPREP_ROOT");
	assert_int_equal(kp_rfile_open(&f, "/dev/zero", 0, KP_RFILE_ANY_OWNER), -EINVAL);
	assert_string_equal(f.err, "/dev/zero: is a character device, not a regular file: file refused");
	kp_rfile_close(&f);
	setenv("KVMPREP_ROOT", root, 1);
}

static void test_cap_and_nul(void **state)
{
	static const char nul[] = "a\nb\nc\0d\n";
	struct kp_rfile f;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big));
	put("/etc/big.conf", big, sizeof(big), 0644);
	assert_int_equal(kp_rfile_open(&f, "/etc/big.conf", 299, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/big.conf: is larger than 299 bytes: file refused");
	kp_rfile_close(&f);
	assert_int_equal(kp_rfile_open(&f, "/etc/big.conf", 300, 0), 0);
	assert_int_equal(f.len, 300);
	kp_rfile_close(&f);

	put("/etc/nul.conf", nul, sizeof(nul) - 1, 0644);
	assert_int_equal(kp_rfile_open(&f, "/etc/nul.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/nul.conf:3: contains a NUL byte: file refused");
	kp_rfile_close(&f);
	assert_int_equal(kp_rfile_from_buffer(&f, "buf", nul, sizeof(nul) - 1, 0), -EINVAL);
	assert_string_equal(f.err, "buf:3: contains a NUL byte: file refused");
	kp_rfile_close(&f);
	assert_int_equal(kp_rfile_from_buffer(&f, "buf", big, sizeof(big), 10), -EINVAL);
	kp_rfile_close(&f);
}

static void test_mode(void **state)
{
	struct kp_rfile f;

	(void)state;
	put("/etc/gw.conf", "x\n", 2, 0664);
	assert_int_equal(kp_rfile_open(&f, "/etc/gw.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/gw.conf: is writable by its group (mode 0664): file refused");
	kp_rfile_close(&f);
	put("/etc/ow.conf", "x\n", 2, 0646);
	assert_int_equal(kp_rfile_open(&f, "/etc/ow.conf", 0, 0), -EINVAL);
	assert_string_equal(f.err, "/etc/ow.conf: is writable by others (mode 0646): file refused");
	kp_rfile_close(&f);
	assert_int_equal(kp_rfile_open(&f, "/etc/ow.conf", 0, KP_RFILE_ANY_OWNER), 0);
	kp_rfile_close(&f);
}

static void test_next(void **state)
{
	static const char text[] = "# comment\n\n  a  b\tc  # trailing\r\nd\n   # indented\ne f";
	struct kp_rfile f;
	char *fld[3];
	size_t n;

	(void)state;
	assert_int_equal(kp_rfile_from_buffer(&f, "t", text, sizeof(text) - 1, 0), 0);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 1);
	assert_int_equal(f.line, 3);
	assert_int_equal(n, 3);
	assert_string_equal(fld[0], "a");
	assert_string_equal(fld[1], "b");
	assert_string_equal(fld[2], "c");
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 1);
	assert_int_equal(n, 1);
	assert_string_equal(fld[0], "d");
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 1);
	assert_int_equal(f.line, 6);
	assert_int_equal(n, 2);
	assert_string_equal(fld[1], "f");
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 0);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 0);
	kp_rfile_close(&f);

	assert_int_equal(kp_rfile_from_buffer(&f, "t", "a b c d\n", 8, 0), 0);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), -EINVAL);
	assert_string_equal(f.err, "t:1: too many fields (at most 3)");
	kp_rfile_close(&f);

	assert_int_equal(kp_rfile_from_buffer(&f, "t", "ok\na\033[2Jb\n", 10, 0), 0);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 1);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), -EINVAL);
	assert_string_equal(f.err, "t:2: control character 0x1b: file refused");
	kp_rfile_close(&f);

	assert_int_equal(kp_rfile_from_buffer(&f, "t", "a\n", 2, 0), 0);
	assert_int_equal(kp_rfile_next(&f, fld, 3, &n), 1);
	assert_int_equal(kp_rfile_bad(&f, "bad %s", "thing"), -EINVAL);
	assert_string_equal(f.err, "t:1: bad thing");
	assert_int_equal(kp_rfile_bad_at(&f, 0, "whole"), -EINVAL);
	assert_string_equal(f.err, "t: whole");
	kp_rfile_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_and_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_next, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
