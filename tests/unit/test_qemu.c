/* SPDX-License-Identifier: MIT */
/*
 * QEMU's version and strings as kvmprep-validate reads them from the binary
 * (tools/validate/qemu.c), and a file that shrinks while it is read.
 * memmem is wrapped at link time so that a test can truncate the file at
 * the moment the search starts.
 */
// tool-sources: tools/validate/qemu.c
// ldflags: -Wl,--wrap=memmem
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "validate/validate.h"

static char dir[] = "/tmp/kp-qemu-test.XXXXXX";
static char path[256];
static int truncate_on_search; /* the next memmem truncates path first */

void *__real_memmem(const void *h, size_t hl, const void *n, size_t nl);
void *__wrap_memmem(const void *h, size_t hl, const void *n, size_t nl);

void *__wrap_memmem(const void *h, size_t hl, const void *n, size_t nl)
{
	if (truncate_on_search) {
		truncate_on_search = 0;
		assert_int_equal(truncate(path, 0), 0);
	}
	return __real_memmem(h, hl, n, nl);
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_version(void **state)
{
	static const char script[] = "#!/bin/sh\necho 'QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)'\n";
	char v[64];

	write_file("qemu-system-x86_64", script, sizeof(script) - 1, 0755);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), 0);
	assert_string_equal(v, "8.2.2");
	/* a buffer too small for the line: cut, still terminated */
	assert_int_equal(vqemu_version(path, v, 4), 0);
	assert_string_equal(v, "8.2");
}

static void test_no_version(void **state)
{
	static const char script[] = "#!/bin/sh\nexec /usr/bin/true\n";
	static const char text[] = "QEMU emulator version 1.0\n"; /* not a program */
	char v[64];

	write_file("script", script, sizeof(script) - 1, 0755);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -ENOENT);
	write_file("text", text, sizeof(text) - 1, 0644);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -ENOEXEC);
	write_file("empty", "", 0, 0755);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -ENOEXEC);
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -ENOENT);
	snprintf(path, sizeof(path), "%s", dir); /* a directory */
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -EISDIR);
}

/* the file is truncated after its first chunk was read (an upgrade that
 * rewrites it in place): no version, no crash, and the next read of the
 * whole file works */
static void test_truncated_while_read(void **state)
{
	static char big[64 * 1024];
	char v[64];

	memcpy(big, "#!/bin/sh\n", 10);
	memset(big + 10, 'x', sizeof(big) - 10);
	memcpy(big + sizeof(big) - 40, "QEMU emulator version 9.0.0\n", 28);
	write_file("shrinking", big, sizeof(big), 0755);
	truncate_on_search = 1;
	assert_int_equal(vqemu_version(path, v, sizeof(v)), -ENOENT);
	write_file("shrinking", big, sizeof(big), 0755);
	assert_int_equal(vqemu_version(path, v, sizeof(v)), 0);
	assert_string_equal(v, "9.0.0");
}

struct seen {
	char names[8][32];
	int n;
};

static void collect(const char *s, size_t len, void *arg)
{
	struct seen *w = arg;

	if (w->n < 8 && len < sizeof(w->names[0]))
		snprintf(w->names[w->n++], sizeof(w->names[0]), "%.*s", (int)len, s);
}

static void test_strings(void **state)
{
	/* NUL-terminated strings; the last one is cut by the end of the
	 * file, so it is not one */
	static const char data[] = "#!/bin/sh\n\0pc-q35-7.2\0xen\0pc-i440fx-7.2\0\0microvm\0pc-cut";
	struct seen w = { 0 };

	write_file("strings", data, sizeof(data) - 1, 0755);
	assert_int_equal(vqemu_strings(path, "pm", collect, &w), 0);
	assert_int_equal(w.n, 3);
	assert_string_equal(w.names[0], "pc-q35-7.2");
	assert_string_equal(w.names[1], "pc-i440fx-7.2");
	assert_string_equal(w.names[2], "microvm");
	/* not a program: nothing, and no error */
	memset(&w, 0, sizeof(w));
	write_file("notes", "pc-q35\0", 7, 0644);
	assert_int_equal(vqemu_strings(path, NULL, collect, &w), 0);
	assert_int_equal(w.n, 0);
}

/* a native ELF64 executable (this test itself): its .rodata is found and
 * lies inside the file */
static void test_rodata(void **state)
{
	off_t off = -1, len = -1, size;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	size = lseek(fd, 0, SEEK_END);
	assert_int_equal(vqemu_rodata_range(fd, &off, &len), 0);
	assert_true(off > 0 && len > 0 && off + len <= size);
	close(fd);
	fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		assert_int_equal(vqemu_rodata_range(fd, &off, &len), -ENOENT);
		close(fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_no_version),
		cmocka_unit_test(test_truncated_while_read),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_rodata),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
