/* SPDX-License-Identifier: MIT */
/* The change journal: record, done marks, commit, rollback, signals,
 * recovery of a killed call, corrupt records. Uses the kinds that need no
 * kernel ("file", "sysfs-attr" on plain files, "mdev"/"link" that are
 * absent); "pci-driver" is exercised on fake hosts (tests/cli/iommu). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

static json_object *parse_n(const char *t, size_t n)
{
	char *b = strndup(t, n);
	json_object *o = json_tokener_parse(b);

	free(b);
	return o;
}

/* The record as one object: the header line's fields and "steps", each
 * step with its "done" and the keys its amendment lines set (the reader's
 * view of the appended lines, rebuilt here independently). */
static json_object *record(void)
{
	const char *t = get("/run/kvmprep/journal"), *nl;
	json_object *o, *steps;

	if (!t)
		return NULL;
	nl = strchr(t, '\n');
	assert_non_null(nl);
	o = parse_n(t, (size_t)(nl - t));
	assert_non_null(o);
	steps = json_object_new_array();
	json_object_object_add(o, "steps", steps);
	for (t = nl + 1; *t; t = nl + 1) {
		json_object *l, *n, *s;

		nl = strchr(t, '\n');
		assert_non_null(nl); /* every line complete */
		l = parse_n(t, (size_t)(nl - t));
		assert_non_null(l);
		assert_true(json_object_object_get_ex(l, "step", &n));
		if (json_object_object_get_ex(l, "kind", NULL)) {
			assert_int_equal(json_object_get_int(n), json_object_array_length(steps) + 1);
			s = json_object_new_object();
			json_object_object_foreach(l, k, v)
				if (strcmp(k, "step"))
					json_object_object_add(s, k, json_object_get(v));
			json_object_object_add(s, "done", json_object_new_boolean(0));
			json_object_array_add(steps, s);
		} else {
			json_object *set;

			s = json_object_array_get_idx(steps, (size_t)json_object_get_int(n) - 1);
			assert_non_null(s);
			if (json_object_object_get_ex(l, "done", NULL))
				json_object_object_add(s, "done", json_object_new_boolean(1));
			if (json_object_object_get_ex(l, "set", &set)) {
				json_object_object_foreach(set, k, v)
					json_object_object_add(s, k, json_object_get(v));
			}
		}
		json_object_put(l);
	}
	return o;
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
	assert_int_equal(json_object_get_int(v), 2);
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
	if (kp_journal_recover(&info) != 1)
		fail_msg("recover: %s", info.detail);
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

#define V2H "{\"schema\":2,\"tool\":\"t\",\"command\":\"c\",\"pid\":1,\"boot_id\":\"\",\"started\":0}"
#define V2S "{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/e.conf\",\"absent\":\"1\"}"

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
	/* schema 2 (lines): a header without its newline */
	V2H,
	/* a step line that is not JSON, then a good one: nothing undone */
	V2H "\n{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/e.conf\",\"absent\":\"1\"\n"
	"{\"step\":2,\"kind\":\"file\",\"path\":\"/etc/e.conf\",\"absent\":\"1\"}\n",
	/* steps out of order, duplicated */
	V2H "\n{\"step\":2,\"kind\":\"file\",\"path\":\"/etc/e.conf\",\"absent\":\"1\"}\n",
	V2H "\n" V2S "\n" V2S "\n",
	/* an amendment of a step never recorded, of nothing, with an unknown key */
	V2H "\n" V2S "\n{\"step\":2,\"done\":true}\n",
	V2H "\n" V2S "\n{\"step\":1}\n",
	V2H "\n" V2S "\n{\"step\":1,\"undone\":true}\n",
	V2H "\n" V2S "\n{\"step\":1,\"set\":{\"kind\":\"link\"}}\n",
	V2H "\n" V2S "\n{\"step\":1,\"done\":false}\n",
	/* a value that is not a string, a header that says steps, an empty line */
	V2H "\n{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/e.conf\",\"absent\":1}\n",
	"{\"schema\":2,\"tool\":\"t\",\"command\":\"c\",\"pid\":1,\"boot_id\":\"\",\"started\":0,\"steps\":[]}\n",
	V2H "\n\n" V2S "\n",
	/* a second header */
	V2H "\n" V2H "\n",
	/* a kind nobody knows, a step without its key */
	V2H "\n" V2S "\n{\"step\":2,\"kind\":\"teleport\"}\n",
	V2H "\n{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/e.conf\"}\n",
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

/* Schema 2: a final line without its newline is an append the killed call
 * never finished (its change was not started): dropped, the rest undone. */
static void test_torn_tail(void **state)
{
	struct kp_journal_info info;
	char text[1024];

	put("/etc/g.conf", "made by the killed run\n");
	snprintf(text, sizeof(text), "%s\n%s\n%s\n%s", V2H,
		 "{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/g.conf\",\"absent\":\"1\"}",
		 "{\"step\":1,\"done\":true}",
		 "{\"step\":2,\"kind\":\"file\",\"path\":\"/etc/h.co");
	put("/run/kvmprep/journal", text);
	assert_int_equal(kp_journal_recover(&info), 1);
	assert_int_equal(info.nsteps, 1);
	assert_int_equal(info.ndone, 1);
	assert_null(get("/etc/g.conf"));
	assert_null(get("/run/kvmprep/journal"));
	/* a torn done mark: the step is undone all the same */
	put("/etc/g.conf", "again\n");
	snprintf(text, sizeof(text), "%s\n%s\n%s", V2H,
		 "{\"step\":1,\"kind\":\"file\",\"path\":\"/etc/g.conf\",\"absent\":\"1\"}",
		 "{\"step\":1,\"do");
	put("/run/kvmprep/journal", text);
	assert_int_equal(kp_journal_recover(&info), 1);
	assert_int_equal(info.nsteps, 1);
	assert_int_equal(info.ndone, 0);
	assert_null(get("/etc/g.conf"));
	/* schema 1, as an older kvmprep wrote it, is still recovered */
	put("/etc/g.conf", "old format\n");
	put("/run/kvmprep/journal",
	    "{\n  \"schema\":1,\n  \"tool\":\"t\",\n  \"command\":\"c\",\n  \"pid\":1,\n"
	    "  \"boot_id\":\"\",\n  \"started\":0,\n  \"steps\":[\n    {\n      \"kind\":\"file\",\n"
	    "      \"done\":true,\n      \"path\":\"/etc/g.conf\",\n      \"absent\":\"1\"\n    }\n  ]\n}\n");
	assert_int_equal(kp_journal_recover(&info), 1);
	assert_int_equal(info.nsteps, 1);
	assert_null(get("/etc/g.conf"));
}

/* Steps are appended: the record grows by one line per step or mark, the
 * lines before stay byte for byte; a batch is one append of all its steps;
 * an update is a "set" line the reader applies. */
static void test_append_batch_update(void **state)
{
	const char *kv1[] = { "path", "/etc/i1.conf", "absent", "1", NULL };
	const char *kv2[] = { "path", "/etc/i2.conf", "absent", "1", NULL };
	const char *bad[] = { "path", "/etc/i3.conf", NULL };
	struct kp_journal_step batch[] = { { "file", kv1 }, { "file", kv2 } };
	struct kp_journal_step badbatch[] = { { "file", kv1 }, { "file", bad } };
	struct kp_journal_info info;
	json_object *o, *steps, *v;
	char before[8192];
	int first = -5, link;

	assert_int_equal(kp_journal_begin("kvmprep-test", "batch"), 0);
	snprintf(before, sizeof(before), "%s", get("/run/kvmprep/journal"));
	assert_int_equal(kp_journal_add_batch(batch, 2, &first), 0);
	assert_int_equal(first, 0);
	assert_int_equal(strncmp(get("/run/kvmprep/journal"), before, strlen(before)), 0);
	/* one step of a batch is wrong: none of it is recorded */
	snprintf(before, sizeof(before), "%s", get("/run/kvmprep/journal"));
	assert_int_equal(kp_journal_add_batch(badbatch, 2, &first), -EINVAL);
	assert_int_equal(first, -1);
	assert_string_equal(get("/run/kvmprep/journal"), before);
	assert_int_equal(kp_journal_add_link("kpjt-nolink1", 0, &link), 0);
	assert_int_equal(link, 2);
	assert_int_equal(kp_journal_update(link, "ifindex", "4242"), 0);
	assert_int_equal(kp_journal_update(link, "step", "1"), -EINVAL);
	assert_int_equal(kp_journal_done(1), 0);
	assert_int_equal(strncmp(get("/run/kvmprep/journal"), before, strlen(before)), 0);
	o = record();
	json_object_object_get_ex(o, "steps", &steps);
	assert_int_equal(json_object_array_length(steps), 3);
	json_object_object_get_ex(json_object_array_get_idx(steps, 1), "done", &v);
	assert_true(json_object_get_boolean(v));
	json_object_object_get_ex(json_object_array_get_idx(steps, 0), "done", &v);
	assert_false(json_object_get_boolean(v));
	json_object_object_get_ex(json_object_array_get_idx(steps, 2), "ifindex", &v);
	assert_string_equal(json_object_get_string(v), "4242");
	json_object_put(o);
	/* what a killed run would leave: the reader sees the same */
	assert_int_equal(kp_journal_peek(&info), 1);
	assert_int_equal(info.nsteps, 3);
	assert_int_equal(info.ndone, 1);
	assert_int_equal(kp_journal_rollback(NULL, 0), 0);
	assert_null(get("/run/kvmprep/journal"));
}

/* An append that fails half-way (here: the file size limit cuts the write
 * short, then EFBIG) is cut back off the file: the record stays complete
 * lines only, and the next step appends after them. */
static void test_failed_append_cut_back(void **state)
{
	const char *kv[] = { "path", "/etc/j.conf", "absent", "1", NULL };
	char before[8192], p[512];
	struct rlimit old, lim;
	struct stat st;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(kp_journal_begin("kvmprep-test", "full"), 0);
	assert_int_equal(kp_journal_add("file", kv, NULL), 0);
	snprintf(before, sizeof(before), "%s", get("/run/kvmprep/journal"));
	rootpath(p, sizeof(p), "/run/kvmprep/journal");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)st.st_size + 10; /* room for 10 bytes of the line */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	assert_int_equal(kp_journal_add("file", kv, NULL), -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	assert_string_equal(get("/run/kvmprep/journal"), before);
	{
		int s;
		json_object *o, *steps;

		assert_int_equal(kp_journal_add("file", kv, &s), 0);
		assert_int_equal(s, 1);
		o = record();
		json_object_object_get_ex(o, "steps", &steps);
		assert_int_equal(json_object_array_length(steps), 2);
		json_object_put(o);
	}
	assert_int_equal(kp_journal_rollback(NULL, 0), 0);
	signal(SIGXFSZ, SIG_DFL);
}

/* A "link" step records its network namespace: a killed run's link is
 * never deleted from another namespace (where its name is some other
 * link); the record is kept. Needs CAP_SYS_ADMIN for the child's own
 * namespace: skipped without it. */
static void test_link_other_netns(void **state)
{
	struct kp_journal_info info;
	int status;
	pid_t pid;

	kp_lock_release(lockfd);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		if (kp_lock_take_wait(1000, NULL) < 0 || kp_journal_begin("kvmprep-test", "ns") < 0 ||
		    kp_journal_add_link("lo", 1, NULL) < 0)
			_exit(1);
		raise(SIGKILL);
		_exit(2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	lockfd = kp_lock_take_wait(1000, NULL);
	assert_true(lockfd >= 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		skip();
		return;
	}
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_non_null(strstr(get("/run/kvmprep/journal"), "\"netns\":\""));
	/* here, "lo" (index 1) is this namespace's own loopback: refused */
	assert_int_equal(kp_journal_recover(&info), -EIO);
	assert_non_null(strstr(info.detail, "another network namespace"));
	assert_non_null(get("/run/kvmprep/journal"));
	{
		char path[512];

		rootpath(path, sizeof(path), "/run/kvmprep/journal");
		unlink(path);
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
		cmocka_unit_test_setup_teardown(test_torn_tail, take, give),
		cmocka_unit_test_setup_teardown(test_link_other_netns, take, give),
		cmocka_unit_test_setup_teardown(test_failed_append_cut_back, take, give),
		cmocka_unit_test_setup_teardown(test_append_batch_update, take, give),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
