/* SPDX-License-Identifier: MIT */
#include "lock.h"
#include "root.h"

#include <ctype.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int held_fd = -1, held_dir = -1;

static int mkdir_one(const char *abs, mode_t mode)
{
	char path[4096];
	int r;

	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* /run/kvmprep, checked: a directory (not a link), ours, 0700. An
 * O_DIRECTORY fd or -errno. */
static int open_dir(void)
{
	char path[4096];
	struct stat st;
	int fd, r;

	/* mkdir -p below the root prefix (the prefix itself must exist) */
	r = mkdir_one("/run", 0755);
	if (r < 0)
		return r;
	r = mkdir_one(KP_LOCK_DIR, 0700);
	if (r < 0)
		return r;
	r = kp_path(path, sizeof(path), KP_LOCK_DIR);
	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOTDIR && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? -ELOOP
										  : -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	if (st.st_uid != geteuid()) {
		close(fd);
		return -EPERM;
	}
	if ((st.st_mode & 07777) != 0700 && fchmod(fd, 0700) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* The lock file in dir, checked: regular, ours, 0600. fd or -errno. */
static int open_file(int dir)
{
	struct stat st;
	int fd, r;

	fd = openat(dir, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno; /* ELOOP for a symlink */
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto fail;
	}
	if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(fd, geteuid(), getegid()) < 0) {
		r = -EPERM;
		goto fail;
	}
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * The pids /proc/locks shows holding a lock on fd's file (not the ones
 * waiting, "->"). This is the running kernel's table of the locks of real
 * files, so it is read unprefixed: the lock file is a file of this kernel
 * whatever the root prefix. Count (at most max), or -errno.
 */
static int lock_pids(int fd, pid_t *pids, int max)
{
	char want[64], line[256];
	struct stat st;
	FILE *f;
	int n = 0;

	if (fstat(fd, &st) < 0)
		return -errno;
	snprintf(want, sizeof(want), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	f = fopen("/proc/locks", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f) && n < max) {
		char type[16], dev[64];
		long pid;

		if (strstr(line, "->"))
			continue;
		/* "1: FLOCK  ADVISORY  WRITE 1234 08:01:131090 0 EOF" */
		if (sscanf(line, "%*s %15s %*s %*s %ld %63s", type, &pid, dev) != 3)
			continue;
		if (strcmp(type, "FLOCK") == 0 && strcmp(dev, want) == 0 && pid > 0)
			pids[n++] = (pid_t)pid;
	}
	fclose(f);
	return n;
}

static pid_t find_holder(int fd)
{
	pid_t pids[16];
	char buf[32];
	ssize_t len;
	long pid = 0;
	int n, i;

	len = pread(fd, buf, sizeof(buf) - 1, 0);
	if (len > 0) {
		char *end;

		buf[len] = '\0';
		pid = strtol(buf, &end, 10);
		if (end == buf || (*end && !isspace((unsigned char)*end)) || pid <= 0)
			pid = 0;
	}
	n = lock_pids(fd, pids, 16);
	if (n < 0) /* no /proc/locks: the recorded pid, when it lives */
		return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM) ? (pid_t)pid : 0;
	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return (pid_t)pid;
	return n > 0 ? pids[0] : 0;
}

int kp_lock_take_wait(int wait_ms, pid_t *holder)
{
	long deadline = now_ms() + (wait_ms > 0 ? wait_ms : 0);
	int dir, fd, r, delay = 2;
	char pid[32];

	if (holder)
		*holder = 0;
	dir = open_dir();
	if (dir < 0)
		return dir;
	fd = open_file(dir);
	if (fd < 0) {
		close(dir);
		return fd;
	}
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			r = -errno;
			goto fail;
		}
		if (wait_ms >= 0 && now_ms() >= deadline) {
			if (holder)
				*holder = find_holder(fd);
			r = -ETIMEDOUT;
			goto fail;
		}
		/* poll: 2 ms, doubling to 50 ms */
		{
			struct timespec ts = { 0, delay * 1000000L };

			nanosleep(&ts, NULL);
			if (delay < 50)
				delay *= 2;
		}
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, strlen(pid), 0) < 0) {
		/* the pid is a courtesy for whoever waits: not fatal */
	}
	held_fd = fd;
	held_dir = dir;
	return fd;
fail:
	close(fd);
	close(dir);
	return r;
}

int kp_lock_take(void)
{
	return kp_lock_take_wait(KP_LOCK_WAIT_DEFAULT_MS, NULL);
}

int kp_lock_held(void)
{
	return held_fd >= 0;
}

int kp_lock_dirfd(void)
{
	return held_fd >= 0 ? held_dir : -1;
}

void kp_lock_release(int fd)
{
	if (fd < 0)
		return;
	if (fd == held_fd) {
		if (ftruncate(fd, 0) < 0) {
			/* only the courtesy pid stays */
		}
		held_fd = -1;
		if (held_dir >= 0)
			close(held_dir);
		held_dir = -1;
	}
	flock(fd, LOCK_UN);
	close(fd);
}
