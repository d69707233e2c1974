/* SPDX-License-Identifier: MIT */
/* Atomic writes under the root prefix, vfio.conf parsing and the udev rule. */
#include <dirent.h>
#include <errno.h>
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

#include "persist.h"
#include "rfile.h"
#include "root.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	strcpy(root, "/tmp/kp-persist.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("KVMPREP_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	unsetenv("KVMPREP_ROOT");
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *abs)
{
	char *buf = NULL;

	if (kp_read_file(abs, &buf, NULL) < 0)
		return NULL;
	return buf;
}

static int count_entries(const char *abs_dir)
{
	char path[256];
	struct dirent *e;
	int n = 0;
	DIR *d;

	kp_path(path, sizeof(path), abs_dir);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_write_atomic(void **state)
{
	char path[256];
	struct stat st;
	int changed = -1;
	char *s;

	(void)state;
	assert_int_equal(kp_persist_write("/etc/kvmprep/x.conf", "one\n", 4, 0640, &changed), 0);
	assert_int_equal(changed, 1);
	s = slurp("/etc/kvmprep/x.conf");
	assert_string_equal(s, "one\n");
	free(s);
	kp_path(path, sizeof(path), "/etc/kvmprep/x.conf");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	/* same content: not rewritten */
	assert_int_equal(kp_persist_write("/etc/kvmprep/x.conf", "one\n", 4, 0640, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(kp_persist_write("/etc/kvmprep/x.conf", "two\n", 4, 0640, &changed), 0);
	assert_int_equal(changed, 1);
	s = slurp("/etc/kvmprep/x.conf");
	assert_string_equal(s, "two\n");
	free(s);
	assert_int_equal(count_entries("/etc/kvmprep"), 1); /* no temp file left */
	assert_int_equal(kp_persist_remove("/etc/kvmprep/x.conf", &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(kp_persist_remove("/etc/kvmprep/x.conf", &changed), 0);
	assert_int_equal(changed, 0);
}

static void test_write_error(void **state)
{
	char path[256];

	(void)state;
	/* a file where a directory should be */
	kp_path(path, sizeof(path), "/etc/blocker");
	mkdir(path, 0755);
	rmdir(path);
	assert_int_equal(kp_persist_write("/etc/blocker", "x", 1, 0644, NULL), 0);
	assert_int_equal(kp_persist_write("/etc/blocker/y", "x", 1, 0644, NULL), -ENOTDIR);
}

static int parse(const char *text, struct kp_persist_entry **e, size_t *n, char *err)
{
	struct kp_rfile f;
	int r = kp_rfile_from_buffer(&f, "/etc/kvmprep/vfio.conf", text, strlen(text), 0);

	if (r == 0)
		r = kp_persist_parse(&f, e, n);
	strcpy(err, f.err);
	kp_rfile_close(&f);
	return r;
}

static void test_parse(void **state)
{
	struct kp_persist_entry *e;
	char err[KP_RFILE_ERRLEN];
	size_t n;

	(void)state;
	assert_int_equal(parse("# c\n\n0000:01:00.0 10de:1eb8 vfio-pci\n"
			       "  02:00.0 144D:A808 vfio-pci  # the NVMe\r\n", &e, &n, err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].bdf, "0000:01:00.0");
	assert_int_equal(e[0].vendor, 0x10de);
	assert_int_equal(e[0].device, 0x1eb8);
	assert_string_equal(e[0].driver, "vfio-pci");
	assert_string_equal(e[1].bdf, "0000:02:00.0");
	assert_int_equal(e[1].vendor, 0x144d);
	free(e);
	assert_int_equal(parse("", &e, &n, err), 0);
	assert_int_equal(n, 0);
	free(e);
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci\nbogus\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:2: want ADDRESS VVVV:DDDD DRIVER "
			    "[subsys=VVVV:DDDD] [dsn=SERIAL] [host=DRIVER], got 1 field");
	assert_null(e);
	assert_int_equal(parse("0000:01:00.0 10de vfio-pci\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:1: invalid vendor:device (want VVVV:DDDD, e.g. 10de:1eb8)");
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci extra\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:1: unknown field 'extra' (want subsys=, dsn= or host=)");
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci host=a host=b\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:1: host= given twice");
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci a=1 b=2 c=3 d=4\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:1: too many fields (at most 6)");
	/* the optional fields, in any order */
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci host=nouveau dsn=00-11-22-33-44-55-66-77 "
			       "subsys=10DE:12a2\n", &e, &n, err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].has_subsys, 1);
	assert_int_equal(e[0].subvendor, 0x10de);
	assert_int_equal(e[0].subdevice, 0x12a2);
	assert_string_equal(e[0].dsn, "00-11-22-33-44-55-66-77");
	assert_string_equal(e[0].host, "nouveau");
	free(e);
	/* a driver that would break out of the udev rule's quotes */
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci\",RUN+=\"/x\n", &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:1: invalid driver name (1-31 of A-Z a-z 0-9 _ -)");
	/* the same device twice (in either spelling) */
	assert_int_equal(parse("0000:01:00.0 10de:1eb8 vfio-pci\n#\n01:00.0 10de:1eb8 pci-stub\n",
			       &e, &n, err), -EINVAL);
	assert_string_equal(err, "/etc/kvmprep/vfio.conf:3: duplicate entry for 0000:01:00.0 (first on line 1)");
	/* a NUL: the whole file is refused, not truncated */
	{
		static const char nul[] = "0000:01:00.0 10de:1eb8 vfio-pci\n\0" "0000:02:00.0 10de:1eb8 vfio-pci\n";
		struct kp_rfile f;

		assert_int_equal(kp_rfile_from_buffer(&f, "/etc/kvmprep/vfio.conf", nul, sizeof(nul) - 1, 0),
				 -EINVAL);
		assert_string_equal(f.err, "/etc/kvmprep/vfio.conf:2: contains a NUL byte: file refused");
		kp_rfile_close(&f);
	}
}

static void test_entry_check(void **state)
{
	struct kp_persist_entry bad[] = {
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci\",RUN+=\"/x" },
		{ .bdf = "01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci" },   /* not canonical */
		{ .bdf = "0000:01:00.0", .vendor = 0x10000, .device = 0x1eb8, .driver = "vfio-pci" },
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "" },
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "a b" },
		/* the optional fields are checked too */
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci",
		  .dsn = "00-11-22-33-44-55-66-7G" },
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci",
		  .host = "nou\"veau" },
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci",
		  .has_subsys = 1, .subvendor = 0x10000 },
	};
	int changed;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(kp_persist_entry_check(&bad[i]), -EINVAL);
		assert_null(kp_persist_rules_text(&bad[i], 1));
		assert_null(kp_persist_conf_text(&bad[i], 1));
		assert_int_equal(kp_persist_save(&bad[i], 1, &changed), -EINVAL);
		assert_false(kp_exists(KP_VFIO_CONF));
		assert_false(kp_exists(KP_VFIO_RULES));
	}
}

static void test_save_load(void **state)
{
	struct kp_persist_entry in[2] = {
		{ .bdf = "0000:01:00.0", .vendor = 0x10de, .device = 0x1eb8, .driver = "vfio-pci" },
		{ .bdf = "0000:01:00.1", .vendor = 0x10de, .device = 0x10f8, .driver = "vfio-pci",
		  .has_subsys = 1, .subvendor = 0x1043, .subdevice = 0x87b3,
		  .dsn = "00-1b-21-ff-ff-a1-b2-c3", .host = "snd_hda_intel" },
	};
	struct kp_persist_entry *out;
	size_t n;
	char err[KP_RFILE_ERRLEN];
	int changed;
	char *rules;

	(void)state;
	assert_int_equal(kp_persist_save(in, 2, &changed), 0);
	assert_int_equal(changed, 1);
	assert_int_equal(kp_persist_save(in, 2, &changed), 0);
	assert_int_equal(changed, 0); /* idempotent */
	assert_int_equal(kp_persist_load(&out, &n, err), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_string_equal(out[i].bdf, in[i].bdf);
		assert_int_equal(out[i].vendor, in[i].vendor);
		assert_int_equal(out[i].device, in[i].device);
		assert_string_equal(out[i].driver, in[i].driver);
		assert_int_equal(out[i].has_subsys, in[i].has_subsys);
		assert_int_equal(out[i].subvendor, in[i].subvendor);
		assert_int_equal(out[i].subdevice, in[i].subdevice);
		assert_string_equal(out[i].dsn, in[i].dsn);
		assert_string_equal(out[i].host, in[i].host);
	}
	free(out);
	rules = slurp(KP_VFIO_RULES);
	assert_non_null(rules);
	assert_non_null(strstr(rules, "KERNEL==\"0000:01:00.1\", ATTR{vendor}==\"0x10de\", "
				      "ATTR{device}==\"0x10f8\", ATTR{subsystem_vendor}==\"0x1043\", "
				      "ATTR{subsystem_device}==\"0x87b3\", ATTR{driver_override}=\"vfio-pci\""));
	free(rules);
	/* nothing left: both files go */
	assert_int_equal(kp_persist_save(NULL, 0, &changed), 0);
	assert_int_equal(changed, 1);
	assert_false(kp_exists(KP_VFIO_CONF));
	assert_false(kp_exists(KP_VFIO_RULES));
	assert_int_equal(kp_persist_load(&out, &n, err), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
