/* SPDX-License-Identifier: MIT */
#include "lock.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define KP_LOCK_DIR "/run/kvmprep"
#define KP_LOCK_FILE KP_LOCK_DIR "/lock"

static int mkdir_one(const char *abs)
{
	char path[4096];
	int r;

	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int kp_lock_take(void)
{
	char path[4096];
	int fd, r;

	/* mkdir -p below the root prefix (the prefix itself must exist) */
	r = mkdir_one("/run");
	if (r < 0)
		return r;
	r = mkdir_one(KP_LOCK_DIR);
	if (r < 0)
		return r;
	r = kp_path(path, sizeof(path), KP_LOCK_FILE);
	if (r < 0)
		return r;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

void kp_lock_release(int fd)
{
	if (fd < 0)
		return;
	flock(fd, LOCK_UN);
	close(fd);
}
