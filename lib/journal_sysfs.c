/* SPDX-License-Identifier: MIT */
/* Journal kind "sysfs-attr": a sysfs attribute's previous value. */
#include "journal.h"
#include "journal_kinds.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kp_journal_save_sysfs_attr(const char *path, const char *reset, int *step)
{
	char val[4096];
	int r;

	if (step)
		*step = -1;
	if (!kp_journal_active())
		return 0;
	r = kp_sysfs_read(path, val, sizeof(val));
	if (r < 0)
		return r;
	return kp_journal_add_sysfs_attr(path, val, reset, step);
}

static int same(const char *path, const char *want)
{
	char cur[4096];

	if (kp_sysfs_read(path, cur, sizeof(cur)) < 0)
		return -1;
	/* an empty attribute reads back as the kernel shows "none" */
	if (!want[0] && strcmp(cur, "(null)") == 0)
		return 1;
	return strcmp(cur, want) == 0;
}

int kp_jundo_sysfs_attr(const struct kp_jstep *s, char *why, size_t n)
{
	const char *path = kp_jstep_get(s, "path"), *val = kp_jstep_get(s, "value");
	const char *reset = kp_jstep_get(s, "reset");
	int r;

	r = same(path, val);
	if (r < 0) {
		if (!kp_sysfs_exists(path))
			return 0; /* the object is gone with its attribute */
		snprintf(why, n, "cannot be read");
		return -EIO;
	}
	if (r == 1)
		return 0;
	r = kp_sysfs_write(path, val[0] ? val : "\n");
	if (r == -EBUSY && reset[0] && kp_sysfs_write(path, reset) == 0)
		r = kp_sysfs_write(path, val[0] ? val : "\n");
	if (r < 0 || same(path, val) != 1) {
		snprintf(why, n, "cannot be set back to '%.64s'%s%s", val, r < 0 ? ": " : "",
			 r < 0 ? strerror(-r) : "");
		return r < 0 ? r : -EIO;
	}
	return 0;
}
