/* SPDX-License-Identifier: MIT */
/* The change journal: record, done marks, commit, rollback, signals,
 * recovery of a killed call, corrupt records. Uses the kinds that need no
 * kernel ("file", "sysfs-attr" on plain files, "mdev"/"link" that are
 * absent); "pci-driver" is exercised on fake hosts (tests/cli/iommu). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <json.h>

#include "journal.h"
#include "lock.h"

static char root[] = "/tmp/kp-journal-test.XXXXXX";
static int lockfd = -1;

static void rootpath(char *buf, size_t n, const char *rel)
{
	snprintf(buf, n, "%s%s", root, rel);
}

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	rootpath(p, sizeof(p), rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The content of ROOT/rel, or NULL when absent (static buffer). */
static const char *get(const char *rel)
{
	static char buf[65536];
	char p[512];
	ssize_t n;
	int fd;

	rootpath(p, sizeof(p), rel);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static json_object *record(void)
{
	const char *t = get("/run/kvmprep/journal");

	return t ? json_tokener_parse(t) : NULL;
}

static int setup(void **state)
{
	char p[512];

	if (!mkdtemp(root))
		return -1;
	setenv("KVMPREP_ROOT", root, 1);
	rootpath(p, sizeof(p), "/etc");
	mkdir(p, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static int take(void **state)
{
	lockfd = kp_lock_take_wait(1000, NULL);
	return lockfd >= 0 ? 0 : -1;
}

static int give(void **state)
{
	kp_lock_release(lockfd);
	lockfd = -1;
	return 0;
}

static void test_needs_lock(void **state)
{
	struct kp_journal_info info;

	assert_int_equal(kp_journal_begin("kvmprep-test", "x"), -ENOLCK);
	assert_int_equal(kp_journal_recover(&info), -ENOLCK);
	assert_false(kp_journal_active());
	/* without an active journal an add records nothing and succeeds */
	assert_int_equal(kp_journal_add_mdev("0b6ea3e2-4e55-4c2b-9a9c-7c2b1c1b0a01", NULL, NULL), 0);
}

static void test_record_done_commit(void **state)
{
	json_object *o, *steps, *s, *v;
	int step = -7;
	char p[512];
	struct stat st;

	put("/etc/a.conf", "old\n");
	assert_int_equal(kp_journal_begin("kvmprep-test", "write"), 0);
	assert_true(kp_journal_active());
	assert_int_equal(kp_journal_begin("kvmprep-test", "again"), -EBUSY);
	o = record();
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "schema", &v));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(o, "pid", &v));
	assert_int_equal(json_object_get_int(v), getpid());
	assert_true(json_object_object_get_ex(o, "steps", &steps));
	assert_int_equal(json_object_array_length(steps), 0);
	json_object_put(o);
	rootpath(p, sizeof(p), "/run/kvmprep/journal");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(kp_journal_save_file("/etc/a.conf", &step), 0);
	assert_int_equal(step, 0);
	o = record();
	json_object_object_get_ex(o, "steps", &steps);
	assert_int_equal(json_object_array_length(steps), 1);
	s = json_object_array_get_idx(steps, 0);
	json_object_object_get_ex(s, "kind", &v);
	assert_string_equal(json_object_get_string(v), "file");
	json_object_object_get_ex(s, "done", &v);
	assert_false(json_object_get_boolean(v));
	json_object_object_get_ex(s, "content", &v);
	assert_string_equal(json_object_get_string(v), "6f6c640a"); /* "old\n" */
	json_object_put(o);

	put("/etc/a.conf", "new\n");
	assert_int_equal(kp_journal_done(step), 0);
	o = record();
	json_object_object_get_ex(o, "steps", &steps);
	json_object_object_get_ex(json_object_array_get_idx(steps, 0), "done", &v);
	assert_true(json_object_get_boolean(v));
	json_object_put(o);
	assert_int_equal(kp_journal_done(5), -EINVAL);
	/* an unknown kind, a missing key */
	{
		const char *kv[] = { "x", "y", NULL };
		const char *nokey[] = { "path", "/sys/x", NULL };

		assert_int_equal(kp_journal_add("frobnicate", kv, NULL), -EINVAL);
		assert_int_equal(kp_journal_add("sysfs-attr", nokey, NULL), -EINVAL);
	}
	assert_int_equal(kp_journal_commit(), 0);
	assert_false(kp_journal_active());
	assert_null(get("/run/kvmprep/journal"));
	assert_string_equal(get("/etc/a.conf"), "new\n");
}

static void test_rollback(void **state)
{
	char attr[512], stuck[256];
	int s1, s2, s3;

	put("/etc/b.conf", "before\n");
	put("/etc/gone.conf", "x\n");
	unlink(strcat(strcpy(attr, root), "/etc/gone.conf"));
	/* a plain file stands for a sysfs attribute */
	rootpath(attr, sizeof(attr), "/attr");
	put("/attr", "4\n");
	assert_int_equal(kp_journal_begin("kvmprep-test", "change"), 0);
	assert_int_equal(kp_journal_save_file("/etc/b.conf", &s1), 0);
	put("/etc/b.conf", "after\n");
	assert_int_equal(kp_journal_save_file("/etc/gone.conf", &s2), 0);
	put("/etc/gone.conf", "created\n");
	assert_int_equal(kp_journal_save_sysfs_attr(attr, "0", &s3), 0);
	put("/attr", "8");
	assert_int_equal(kp_journal_add_mdev("0b6ea3e2-4e55-4c2b-9a9c-7c2b1c1b0a01",
					     "0000:05:00.0", NULL), 0);
	assert_int_equal(kp_journal_add_link("kpjt-nolink0", 0, NULL), 0);
	assert_int_equal(kp_journal_rollback(stuck, sizeof(stuck)), 0);
	assert_string_equal(stuck, "");
	assert_false(kp_journal_active());
	assert_string_equal(get("/etc/b.conf"), "before\n");
	assert_null(get("/etc/gone.conf"));
	assert_string_equal(get("/attr"), "4");
	assert_null(get("/run/kvmprep/journal"));
}

static void test_rollback_stuck_keeps_record(void **state)
{
	char attr[512], stuck[256];

	/* an "attribute" that cannot be written back: a directory */
	rootpath(attr, sizeof(attr), "/adir");
	mkdir(attr, 0755);
	assert_int_equal(kp_journal_begin("kvmprep-test", "stuck"), 0);
	assert_int_equal(kp_journal_add_sysfs_attr(attr, "1", NULL, NULL), 0);
	assert_int_equal(kp_journal_rollback(stuck, sizeof(stuck)), -EIO);
	assert_non_null(strstr(stuck, "sysfs-attr"));
	assert_non_null(strstr(stuck, attr));
	assert_non_null(get("/run/kvmprep/journal"));
	/* the next taker tries again, fails the same way, keeps it */
	{
		struct kp_journal_info info;

		assert_int_equal(kp_journal_recover(&info), -EIO);
		assert_non_null(strstr(info.detail, attr));
		assert_int_equal(info.nsteps, 1);
	}
	assert_non_null(get("/run/kvmprep/journal"));
	rmdir(attr);
	put("/adir", "1");
	/* now its state is the recorded one: recovered */
	assert_int_equal(kp_journal_recover(NULL), 1);
	assert_null(get("/run/kvmprep/journal"));
}

static void test_signal_rolls_back(void **state)
{
	char stuck[256];
	int step;

	put("/etc/c.conf", "c0\n");
	assert_int_equal(kp_journal_begin("kvmprep-test", "sig"), 0);
	assert_int_equal(kp_journal_save_file("/etc/c.conf", &step), 0);
	put("/etc/c.conf", "c1\n");
	kp_journal_done(step);
	assert_int_equal(raise(SIGTERM), 0); /* caught: only a flag */
	assert_int_equal(kp_journal_signal(), SIGTERM);
	assert_int_equal(kp_journal_save_file("/etc/c.conf", NULL), -EINTR);
	assert_int_equal(kp_journal_commit(), -EINTR);
	assert_true(kp_journal_active());
	raise(SIGINT); /* ignored during the rollback too: first one counts */
	assert_int_equal(kp_journal_signal(), SIGTERM);
	assert_int_equal(kp_journal_rollback(stuck, sizeof(stuck)), 0);
	assert_string_equal(get("/etc/c.conf"), "c0\n");
	assert_null(get("/run/kvmprep/journal"));
	/* the handlers are the caller's again */
	{
		struct sigaction sa;

		sigaction(SIGTERM, NULL, &sa);
		assert_ptr_equal(sa.sa_handler, SIG_DFL);
	}
}

static void test_recover_killed(void **state)
{
	struct kp_journal_info info;
	char line[256];
	int status;
	pid_t pid;

	put("/etc/d.conf", "d0\n");
	kp_lock_release(lockfd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int s;

		if (kp_lock_take_wait(1000, NULL) < 0 || kp_journal_begin("kvmprep-test", "killed") < 0 ||
		    kp_journal_save_file("/etc/d.conf", &s) < 0)
			_exit(1);
		put("/etc/d.conf", "d1\n");
		kp_journal_done(s);
		kp_journal_save_file("/etc/new.conf", NULL);
		put("/etc/new.conf", "half\n");
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	lockfd = kp_lock_take_wait(1000, NULL); /* the kernel let go of its lock */
	assert_true(lockfd >= 0);
	assert_string_equal(get("/etc/d.conf"), "d1\n");
	assert_int_equal(kp_journal_recover(&info), 1);
	assert_string_equal(info.tool, "kvmprep-test");
	assert_string_equal(info.command, "killed");
	assert_int_equal(info.pid, pid);
	assert_int_equal(info.nsteps, 2);
	assert_int_equal(info.ndone, 1);
	assert_false(info.other_boot);
	assert_string_equal(get("/etc/d.conf"), "d0\n");
	assert_null(get("/etc/new.conf"));
	assert_null(get("/run/kvmprep/journal"));
	kp_journal_describe(&info, line, sizeof(line));
	assert_non_null(strstr(line, "'kvmprep-test killed'"));
	assert_non_null(strstr(line, "2 steps, 1 done"));
	/* nothing left: nothing to do */
	assert_int_equal(kp_journal_recover(&info), 0);
}

static const char *const corrupt[] = {
	"",
	"{ \"schema\": 1, \"tool\": \"x\"",
	"[1, 2]",
	"{\"schema\": 2, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, \"boot_id\": \"\", \"started\": 0, \"steps\": []}",
	"{\"schema\": 1, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, \"boot_id\": \"\", \"started\": 0, \"steps\": {}}",
	/* a good step, then a kind nobody knows: the good one is not undone either */
	"{\"schema\": 1, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, \"boot_id\": \"\", \"started\": 0, \"steps\": ["
	"{\"kind\": \"file\", \"done\": true, \"path\": \"/etc/e.conf\", \"absent\": \"1\"},"
	"{\"kind\": \"teleport\", \"done\": false}]}",
	/* a step missing a key */
	"{\"schema\": 1, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, \"boot_id\": \"\", \"started\": 0, \"steps\": ["
	"{\"kind\": \"file\", \"done\": true, \"path\": \"/etc/e.conf\"}]}",
	"{\"schema\": 1, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, \"boot_id\": \"\", \"started\": 0, \"steps\": []} trailing",
};

static void test_corrupt(void **state)
{
	struct kp_journal_info info;
	size_t i;

	put("/etc/e.conf", "keep\n");
	for (i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		put("/run/kvmprep/journal", corrupt[i]);
		assert_int_equal(kp_journal_recover(&info), -EBADMSG);
		if (!info.detail[0])
			fail_msg("record %zu: no detail", i);
		assert_string_equal(get("/run/kvmprep/journal"), corrupt[i]);
		assert_string_equal(get("/etc/e.conf"), "keep\n");
	}
	/* a NUL byte */
	{
		char p[512];
		int fd;

		rootpath(p, sizeof(p), "/run/kvmprep/journal");
		fd = open(p, O_WRONLY | O_TRUNC);
		assert_int_equal(write(fd, "{\"a\"\0}", 6), 6);
		close(fd);
		assert_int_equal(kp_journal_recover(&info), -EBADMSG);
		assert_non_null(strstr(info.detail, "NUL"));
		/* not a regular file */
		unlink(p);
		assert_int_equal(mkfifo(p, 0600), 0);
		assert_int_equal(kp_journal_recover(&info), -EBADMSG);
		unlink(p);
		/* a symlink is not followed */
		assert_int_equal(symlink("/etc/passwd", p), 0);
		assert_int_equal(kp_journal_recover(&info), -ELOOP);
		unlink(p);
	}
	assert_int_equal(kp_journal_recover(&info), 0);
}

static void test_other_boot(void **state)
{
	char p[512], attr[512], text[2048];

	rootpath(p, sizeof(p), "/proc");
	mkdir(p, 0755);
	rootpath(p, sizeof(p), "/proc/sys");
	mkdir(p, 0755);
	rootpath(p, sizeof(p), "/proc/sys/kernel");
	mkdir(p, 0755);
	rootpath(p, sizeof(p), "/proc/sys/kernel/random");
	mkdir(p, 0755);
	put("/proc/sys/kernel/random/boot_id", "11111111-2222-3333-4444-555555555555\n");
	rootpath(attr, sizeof(attr), "/attr2");
	put("/attr2", "7");
	put("/etc/f.conf", "written by the killed run\n");
	snprintf(text, sizeof(text),
		 "{\"schema\": 1, \"tool\": \"t\", \"command\": \"c\", \"pid\": 1, "
		 "\"boot_id\": \"99999999-2222-3333-4444-555555555555\", \"started\": 0, \"steps\": ["
		 "{\"kind\": \"sysfs-attr\", \"done\": true, \"path\": \"%s\", \"value\": \"3\"},"
		 "{\"kind\": \"file\", \"done\": true, \"path\": \"/etc/f.conf\", \"absent\": \"1\"}]}",
		 attr);
	put("/run/kvmprep/journal", text);
	{
		struct kp_journal_info info;

		assert_int_equal(kp_journal_recover(&info), 1);
		assert_true(info.other_boot);
	}
	assert_string_equal(get("/attr2"), "7"); /* a reboot reset it: left alone */
	assert_null(get("/etc/f.conf"));        /* files survive a reboot: undone */
	rootpath(p, sizeof(p), "/proc");
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_file_too_big(void **state)
{
	char p[512];
	int fd;

	rootpath(p, sizeof(p), "/etc/big");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_int_equal(ftruncate(fd, 2 * 1024 * 1024), 0);
	close(fd);
	assert_int_equal(kp_journal_begin("kvmprep-test", "big"), 0);
	assert_int_equal(kp_journal_save_file("/etc/big", NULL), -EFBIG);
	assert_int_equal(kp_journal_rollback(NULL, 0), 0);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs_lock),
		cmocka_unit_test_setup_teardown(test_record_done_commit, take, give),
		cmocka_unit_test_setup_teardown(test_rollback, take, give),
		cmocka_unit_test_setup_teardown(test_rollback_stuck_keeps_record, take, give),
		cmocka_unit_test_setup_teardown(test_signal_rolls_back, take, give),
		cmocka_unit_test_setup_teardown(test_recover_killed, take, give),
		cmocka_unit_test_setup_teardown(test_corrupt, take, give),
		cmocka_unit_test_setup_teardown(test_other_boot, take, give),
		cmocka_unit_test_setup_teardown(test_file_too_big, take, give),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
