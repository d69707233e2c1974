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
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lock.h"

static char root[] = "/tmp/kp-lock-test.XXXXXX";

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	setenv("KVMPREP_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_creates_dir_and_file(void **state)
{
	char path[512];
	struct stat st;
	int fd, flags;

	fd = kp_lock_take();
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "%s/run/kvmprep", root);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(path, sizeof(path), "%s/run/kvmprep/lock", root);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	flags = fcntl(fd, F_GETFD);
	assert_true(flags & FD_CLOEXEC);
	/* the lock is really held: another open file description cannot take it */
	{
		int other = open(path, O_RDONLY);

		assert_true(other >= 0);
		assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
		assert_int_equal(errno, EWOULDBLOCK);
		kp_lock_release(fd);
		assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
		close(other);
	}
	/* taken again: the directory exists already */
	fd = kp_lock_take();
	assert_true(fd >= 0);
	kp_lock_release(fd);
	kp_lock_release(-1);
}

static void test_second_process_waits(void **state)
{
	int pfd[2], fd, status;
	double t0, held_for;
	pid_t pid;
	char c;

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* child: take the lock, tell the parent, hold it 400 ms */
		int cfd = kp_lock_take();

		if (cfd < 0)
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		usleep(400000);
		kp_lock_release(cfd);
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	t0 = now();
	fd = kp_lock_take(); /* blocks until the child releases */
	held_for = now() - t0;
	assert_true(fd >= 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (held_for < 0.25)
		fail_msg("second taker did not wait (%.3fs)", held_for);
	kp_lock_release(fd);
}

/* A child holds the lock (as kvmprep does: its pid in the file, or as a
 * foreign process would: a bare flock on the file); the parent's bounded
 * wait times out and names it. */
static void held_by_child(int bare, int wait_ms)
{
	int pfd[2], status, fd;
	char path[512], c;
	pid_t pid, holder = -1;
	double t0, took;

	snprintf(path, sizeof(path), "%s/run/kvmprep/lock", root);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int cfd = bare ? open(path, O_RDONLY) : kp_lock_take_wait(0, NULL);

		if (cfd < 0 || (bare && flock(cfd, LOCK_EX) < 0))
			_exit(1);
		if (write(pfd[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	t0 = now();
	fd = kp_lock_take_wait(wait_ms, &holder);
	took = now() - t0;
	assert_int_equal(fd, -ETIMEDOUT);
	assert_int_equal(holder, pid);
	if (took < wait_ms / 1000.0 - 0.01 || took > wait_ms / 1000.0 + 2)
		fail_msg("waited %.3fs for a %d ms bound", took, wait_ms);
	assert_false(kp_lock_held());
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* the holder is gone: the lock is free again */
	fd = kp_lock_take_wait(wait_ms, &holder);
	assert_true(fd >= 0);
	assert_true(kp_lock_held());
	assert_true(kp_lock_dirfd() >= 0);
	kp_lock_release(fd);
	assert_false(kp_lock_held());
	assert_int_equal(kp_lock_dirfd(), -1);
}

static void test_bounded_wait_names_holder(void **state)
{
	held_by_child(0, 300);
	held_by_child(0, 0);
}

static void test_foreign_holder_of_old_file(void **state)
{
	char path[512];
	struct stat st;
	int fd;

	/* an older version left the directory 0755 and the file 0644 */
	snprintf(path, sizeof(path), "%s/run/kvmprep", root);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/run/kvmprep/lock", root);
	chmod(path, 0644);
	held_by_child(1, 200);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	snprintf(path, sizeof(path), "%s/run/kvmprep", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	fd = kp_lock_take_wait(0, NULL);
	assert_true(fd >= 0);
	kp_lock_release(fd);
}

static void test_symlinks_refused(void **state)
{
	char dir[512], file[512], aside[512], target[512];
	pid_t holder = 7;

	snprintf(dir, sizeof(dir), "%s/run/kvmprep", root);
	snprintf(aside, sizeof(aside), "%s/run/kvmprep.real", root);
	snprintf(file, sizeof(file), "%s/run/kvmprep/lock", root);
	snprintf(target, sizeof(target), "%s/run/elsewhere", root);
	/* the lock file is a symlink */
	unlink(file);
	assert_int_equal(symlink(target, file), 0);
	assert_int_equal(kp_lock_take_wait(0, &holder), -ELOOP);
	assert_int_equal(holder, 0);
	assert_int_equal(access(target, F_OK), -1); /* not created through it */
	unlink(file);
	/* the directory is a symlink */
	assert_int_equal(rename(dir, aside), 0);
	assert_int_equal(symlink(aside, dir), 0);
	assert_int_equal(kp_lock_take_wait(0, NULL), -ELOOP);
	assert_int_equal(unlink(dir), 0);
	assert_int_equal(rename(aside, dir), 0);
	/* a lock path that is a FIFO */
	assert_int_equal(mkfifo(file, 0600), 0);
	assert_int_equal(kp_lock_take_wait(0, NULL), -EINVAL);
	unlink(file);
	/* a directory owned by another user */
	if (geteuid() == 0) {
		assert_int_equal(chown(dir, 65534, 65534), 0);
		assert_int_equal(kp_lock_take_wait(0, NULL), -EPERM);
		assert_int_equal(chown(dir, 0, 0), 0);
	}
	{
		int fd = kp_lock_take_wait(0, NULL);

		assert_true(fd >= 0);
		kp_lock_release(fd);
	}
}

static void test_unwritable_root(void **state)
{
	char saved[sizeof(root)];

	memcpy(saved, root, sizeof(root));
	setenv("KVMPREP_ROOT", "/nonexistent-kp-root", 1);
	assert_int_equal(kp_lock_take(), -ENOENT);
	setenv("KVMPREP_ROOT", saved, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creates_dir_and_file),
		cmocka_unit_test(test_second_process_waits),
		cmocka_unit_test(test_bounded_wait_names_holder),
		cmocka_unit_test(test_foreign_holder_of_old_file),
		cmocka_unit_test(test_symlinks_refused),
		cmocka_unit_test(test_unwritable_root),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
