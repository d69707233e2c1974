/* SPDX-License-Identifier: MIT */
#include "sysfs.h"
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kp_sysfs_read_at(int dirfd, const char *name, char *buf, size_t n)
{
	ssize_t got;
	int fd, err;

	if (n == 0)
		return -EINVAL;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		got = read(fd, buf, n);
	while (got < 0 && errno == EINTR);
	err = errno;
	close(fd);
	if (got < 0)
		return -err;
	if ((size_t)got == n) {
		buf[n - 1] = '\0';
		return -ENAMETOOLONG;
	}
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		got--;
	buf[got] = '\0';
	return (int)got;
}

int kp_sysfs_read(const char *path, char *buf, size_t n)
{
	return kp_sysfs_read_at(AT_FDCWD, path, buf, n);
}

int kp_sysfs_readf(char *buf, size_t n, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	return kp_sysfs_read(path, buf, n);
}

int kp_sysfs_read_long(const char *path, long *val)
{
	return kp_sysfs_read_long_at(AT_FDCWD, path, val);
}

int kp_sysfs_read_long_at(int dirfd, const char *name, long *val)
{
	char buf[64], *end;
	long v;
	int r;

	r = kp_sysfs_read_at(dirfd, name, buf, sizeof(buf));
	if (r < 0)
		return r;
	if (r == 0)
		return -EINVAL;
	/* decimal, or 0x-prefixed hex: never octal ("010" is ten), no
	 * leading blanks or signs that strtol would skip */
	if (!(buf[0] == '-' && buf[1] >= '0' && buf[1] <= '9') &&
	    !(buf[0] >= '0' && buf[0] <= '9'))
		return -EINVAL;
	errno = 0;
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		if (!isxdigit((unsigned char)buf[2]))
			return -EINVAL;
		v = strtol(buf + 2, &end, 16);
	} else
		v = strtol(buf, &end, 10);
	if (errno || *end != '\0')
		return -EINVAL;
	*val = v;
	return 0;
}

int kp_sysfs_write_at(int dirfd, const char *name, const char *val)
{
	size_t len = strlen(val);
	ssize_t put;
	int fd, err;

	/* --offline / --root: nothing live changes (lib/target.h) */
	if (kp_offline())
		return -EROFS;
	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		put = write(fd, val, len);
	while (put < 0 && errno == EINTR);
	err = errno;
	if (close(fd) < 0 && put >= 0) {
		/* some attributes report their error at close */
		return -errno;
	}
	if (put < 0)
		return -err;
	if ((size_t)put != len)
		return -EIO;
	return 0;
}

int kp_sysfs_write(const char *path, const char *val)
{
	return kp_sysfs_write_at(AT_FDCWD, path, val);
}

int kp_sysfs_link_name(const char *path, char *buf, size_t n)
{
	char target[PATH_MAX];
	const char *base;
	ssize_t len;

	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return (int)strlen(buf);
}

int kp_sysfs_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}
