/* SPDX-License-Identifier: MIT */
#ifndef KP_ROOT_H
#define KP_ROOT_H

#include <stddef.h>

/*
 * The host root prefix.
 *
 * /sys and /dev are always read with their plain absolute paths (in tests
 * umockdev's preload redirects them). Every other host file the tools read
 * or write (/proc, /etc, /run, /var, /usr/share, /lib/modules, …) goes
 * through kp_path(), which prepends $KVMPREP_ROOT when it is set: that is
 * how the fake hosts and a captured host reach the tools. This is the only
 * place the prefix is applied. With a target (--root DIR, lib/target.h),
 * kp_path() prepends DIR instead to the paths of a system's configuration
 * (/etc, /usr, /lib, /boot, /var, …) and keeps the live ones (/proc, /run).
 */

/* The prefix ("" when unset). Never NULL. */
const char *kp_root(void);

/* Write ROOT + abs into buf. 0, or -ENAMETOOLONG; -EINVAL when abs does
 * not start with '/'. */
int kp_path(char *buf, size_t n, const char *abs);

/* Read a whole host file (prefixed) into a NUL-terminated malloc'ed buffer.
 * 0 and *out set (caller frees), or -errno. *len may be NULL. */
int kp_read_file(const char *abs, char **out, size_t *len);

/* Read the first line of a host file (prefixed), newline stripped. 0 or -errno. */
int kp_read_line(const char *abs, char *buf, size_t n);

/* 1 when the prefixed path exists, else 0. */
int kp_exists(const char *abs);

#endif
