/* SPDX-License-Identifier: MIT */
/* lib/target: --offline / --root DIR. kp_path sends a system's
 * configuration to DIR and keeps live paths; DIR "/" or not a directory
 * is refused; a file whose directory resolves outside DIR is refused
 * before anything is made; offline, a sysfs write and a module load are
 * refused (-EROFS). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "module.h"
#include "persist.h"
#include "root.h"
#include "sysfs.h"
#include "target.h"

static char dir[] = "/tmp/kp-target-test.XXXXXX";
static char tgt[256], out[256];

static void reset(void)
{
	struct kp_target_saved s;

	kp_target_swap("", 0, &s);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(tgt, sizeof(tgt), "%s/target", dir);
	snprintf(out, sizeof(out), "%s/outside", dir);
	return mkdir(tgt, 0755) || mkdir(out, 0755);
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_routing(void **state)
{
	char buf[PATH_MAX], want[PATH_MAX];

	setenv("KVMPREP_ROOT", "/fake", 1);
	assert_int_equal(kp_target_set(tgt, 0), 0);
	assert_int_equal(kp_offline(), 1); /* --root implies --offline */
	assert_string_equal(kp_target(), tgt);
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/kvmprep/vfio.conf"), 0);
	snprintf(want, sizeof(want), "%s/etc/kvmprep/vfio.conf", tgt);
	assert_string_equal(buf, want);
	assert_int_equal(kp_path(buf, sizeof(buf), "/lib/modules/6.1/modules.dep"), 0);
	assert_int_equal(strncmp(buf, tgt, strlen(tgt)), 0);
	assert_int_equal(kp_path(buf, sizeof(buf), "/var/lib/x"), 0);
	assert_int_equal(strncmp(buf, tgt, strlen(tgt)), 0);
	/* the running host's live state stays its own (under KVMPREP_ROOT) */
	assert_int_equal(kp_path(buf, sizeof(buf), "/proc/cmdline"), 0);
	assert_string_equal(buf, "/fake/proc/cmdline");
	assert_int_equal(kp_path(buf, sizeof(buf), "/run/kvmprep/lock"), 0);
	assert_string_equal(buf, "/fake/run/kvmprep/lock");
	assert_int_equal(kp_path(buf, sizeof(buf), "/var/run/x"), 0);
	assert_string_equal(buf, "/fake/var/run/x");
	assert_int_equal(kp_path(buf, sizeof(buf), "/run"), 0);
	assert_string_equal(buf, "/fake/run");
	/* a name that only starts like a live directory is configuration */
	assert_int_equal(kp_target_path("/running"), 1);
	assert_int_equal(kp_target_path("/proc"), 0);
	unsetenv("KVMPREP_ROOT");
	reset();
	assert_int_equal(kp_path(buf, sizeof(buf), "/etc/x"), 0);
	assert_string_equal(buf, "/etc/x");
	assert_int_equal(kp_offline(), 0);
}

static void test_refused(void **state)
{
	char file[PATH_MAX];
	int fd;

	assert_int_equal(kp_target_set("/", 0), -EINVAL);
	assert_int_equal(kp_target_set("/nonexistent-kvmprep-target", 0), -ENOENT);
	snprintf(file, sizeof(file), "%s/file", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kp_target_set(file, 0), -ENOTDIR);
	assert_string_equal(kp_target(), "");
	/* --offline alone: no target */
	assert_int_equal(kp_target_set(NULL, 1), 0);
	assert_int_equal(kp_offline(), 1);
	assert_string_equal(kp_target(), "");
	reset();
}

static void test_escape(void **state)
{
	char link[PATH_MAX], etc[PATH_MAX], path[PATH_MAX];
	struct stat st;
	int changed = -1;

	snprintf(etc, sizeof(etc), "%s/etc", tgt);
	mkdir(etc, 0755);
	snprintf(link, sizeof(link), "%s/etc/udev", tgt);
	assert_int_equal(symlink(out, link), 0);
	assert_int_equal(kp_target_set(tgt, 0), 0);
	/* through an absolute symlink out of DIR: refused, nothing made there */
	assert_int_equal(kp_persist_write("/etc/udev/rules.d/60-x.rules", "x\n", 2, 0644, &changed),
			 -EXDEV);
	snprintf(path, sizeof(path), "%s/rules.d", out);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_equal(kp_persist_remove("/etc/udev/rules.d/60-x.rules", NULL), 0); /* absent */
	/* inside DIR: written there */
	assert_int_equal(kp_persist_write("/etc/kvmprep/x.conf", "y\n", 2, 0644, &changed), 0);
	assert_int_equal(changed, 1);
	snprintf(path, sizeof(path), "%s/etc/kvmprep/x.conf", tgt);
	assert_int_equal(stat(path, &st), 0);
	reset();
}

static void test_guard(void **state)
{
	char attr[PATH_MAX];
	struct kp_target_saved s;
	struct kp_modctx *mc = NULL;
	int fd;

	snprintf(attr, sizeof(attr), "%s/attr", dir);
	fd = open(attr, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kp_target_set(NULL, 1), 0);
	assert_int_equal(kp_sysfs_write(attr, "1"), -EROFS);
	if (kp_mod_new(&mc) == 0) {
		assert_int_equal(kp_mod_load(mc, "kvmprep_no_such_module"), -EROFS);
		kp_mod_free(mc);
	}
	/* an undo (the journal lifts the guard meanwhile) */
	kp_target_swap(kp_target(), 0, &s);
	assert_int_equal(kp_sysfs_write(attr, "1"), 0);
	kp_target_restore(&s);
	assert_int_equal(kp_offline(), 1);
	reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routing),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_guard),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
