/* SPDX-License-Identifier: MIT */
/* The frame of a change (lib/change.h): its exit statuses and messages. */
#include <errno.h>
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

#include "change.h"
#include "err.h"
#include "exitcodes.h"
#include "lock.h"

static char root[] = "/tmp/kp-change-test.XXXXXX";

static int setup(void **state)
{
	char p[512];

	if (!mkdtemp(root))
		return -1;
	setenv("KVMPREP_ROOT", root, 1);
	snprintf(p, sizeof(p), "%s/etc", root);
	mkdir(p, 0755);
	kp_set_program("kvmprep-test");
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_lock_held(void **state)
{
	char msg[KP_CHANGE_MSGLEN], want[64];
	int pfd[2], lock, status;
	pid_t pid;
	char c;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	if (pid == 0) {
		if (kp_lock_take_wait(0, NULL) < 0 || write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	assert_int_equal(read(pfd[0], &c, 1), 1);
	assert_int_equal(kp_change_lock(100, &lock, NULL, msg, sizeof(msg)), KP_EXIT_FAIL);
	assert_int_equal(lock, -1);
	snprintf(want, sizeof(want), "held by pid %ld for more than 0.1 s", (long)pid);
	assert_non_null(strstr(msg, want));
	assert_non_null(strstr(msg, "/run/kvmprep/lock: cannot take the lock"));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(pfd[0]);
	close(pfd[1]);
	assert_int_equal(kp_change_lock(100, &lock, NULL, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	kp_lock_release(lock);
}

static void test_signal_and_recovery(void **state)
{
	char msg[KP_CHANGE_MSGLEN];
	struct kp_journal_info info;
	int lock, status;
	pid_t pid;

	put("/etc/x.conf", "x0\n");
	assert_int_equal(kp_change_lock(100, &lock, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(kp_change_begin("kvmprep-test", "set", msg, sizeof(msg)), 0);
	assert_int_equal(kp_journal_save_file("/etc/x.conf", NULL), 0);
	put("/etc/x.conf", "x1\n");
	raise(SIGTERM);
	assert_int_equal(kp_change_end(msg, sizeof(msg)), KP_EXIT_SIGNAL + SIGTERM);
	assert_string_equal(msg, "interrupted by SIGTERM: every change rolled back");
	kp_lock_release(lock);

	/* a killed call: the next kp_change_lock rolls it back and says so */
	pid = fork();
	if (pid == 0) {
		if (kp_change_lock(100, &lock, NULL, msg, sizeof(msg)) ||
		    kp_change_begin("kvmprep-test", "set", msg, sizeof(msg)) ||
		    kp_journal_save_file("/etc/x.conf", NULL))
			_exit(1);
		put("/etc/x.conf", "x2\n");
		raise(SIGKILL);
		_exit(1);
	}
	waitpid(pid, &status, 0);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(kp_change_lock(100, &lock, &info, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "/run/kvmprep/journal: rolled back an interrupted "
				    "'kvmprep-test set'"));
	assert_string_equal(info.command, "set");
	kp_lock_release(lock);
	{
		char p[512], buf[16] = "";
		FILE *f;

		snprintf(p, sizeof(p), "%s/etc/x.conf", root);
		f = fopen(p, "r");
		assert_non_null(f);
		assert_non_null(fgets(buf, sizeof(buf), f));
		fclose(f);
		assert_string_equal(buf, "x0\n");
	}
	/* a failure without a signal: fail_rc, nothing to say */
	assert_int_equal(kp_change_lock(100, &lock, NULL, msg, sizeof(msg)), 0);
	assert_int_equal(kp_change_begin("kvmprep-test", "set", msg, sizeof(msg)), 0);
	assert_int_equal(kp_change_undo(KP_EXIT_FAIL, msg, sizeof(msg)), KP_EXIT_FAIL);
	assert_string_equal(msg, "");
	kp_lock_release(lock);
}

static void test_corrupt(void **state)
{
	char msg[KP_CHANGE_MSGLEN];
	int lock;

	put("/run/kvmprep/journal", "{\"schema\":");
	kp_change_dry_run_note(msg, sizeof(msg));
	assert_non_null(strstr(msg, "corrupt"));
	assert_int_equal(kp_change_lock(100, &lock, NULL, msg, sizeof(msg)), KP_EXIT_FAIL);
	assert_int_equal(lock, -1);
	assert_non_null(strstr(msg, "cannot recover: corrupt journal (not valid JSON (truncated))"));
	assert_false(kp_lock_held());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_held),
		cmocka_unit_test(test_signal_and_recovery),
		cmocka_unit_test(test_corrupt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
