/* SPDX-License-Identifier: MIT */
#ifndef KP_SYSFS_H
#define KP_SYSFS_H

#include <stddef.h>

/*
 * Sysfs attributes. Paths are plain absolute paths (/sys/…): never prefixed,
 * umockdev redirects them under test.
 *
 * Writes are one write(2) of the whole value on a freshly opened fd, the way
 * the kernel's attribute store() expects them; the kernel's error comes back
 * as -errno.
 */

/* Read an attribute, trailing newline stripped. Length, or -errno
 * (-ENAMETOOLONG when it does not fit). */
int kp_sysfs_read(const char *path, char *buf, size_t n);

/* kp_sysfs_read / kp_sysfs_write relative to a directory fd (AT_FDCWD for
 * none): a listing of many devices opens each device's directory once. */
int kp_sysfs_read_at(int dirfd, const char *name, char *buf, size_t n);
int kp_sysfs_write_at(int dirfd, const char *name, const char *val);
int kp_sysfs_read_long_at(int dirfd, const char *name, long *val);

/* printf-style path, then kp_sysfs_read. */
int kp_sysfs_readf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read an attribute as a number (decimal, or 0x-prefixed hex). 0 or -errno
 * (-EINVAL when it is not a number). */
int kp_sysfs_read_long(const char *path, long *val);

/* One write(2) of val (no newline added). 0 or -errno. */
int kp_sysfs_write(const char *path, const char *val);

/* The last component of a symlink's target (a driver's or a group's name).
 * Length, or -errno (-ENOENT: no link). */
int kp_sysfs_link_name(const char *path, char *buf, size_t n);

/* 1 when the path exists, else 0. */
int kp_sysfs_exists(const char *path);

#endif
