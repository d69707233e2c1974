/* SPDX-License-Identifier: MIT */
/* Journal kind "mdev": a mediated device created; undo removes it. */
#include "journal_kinds.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int kp_jundo_mdev(const struct kp_jstep *s, char *why, size_t n)
{
	const char *uuid = kp_jstep_get(s, "uuid");
	char path[256];
	int r;

	if (!uuid[0] || strchr(uuid, '/') || uuid[0] == '.') {
		snprintf(why, n, "not a UUID");
		return -EINVAL;
	}
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	if (!kp_sysfs_exists(path))
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/remove", uuid);
	r = kp_sysfs_write(path, "1");
	snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", uuid);
	if (r < 0 || kp_sysfs_exists(path)) {
		snprintf(why, n, "cannot be removed%s%s", r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
		return r < 0 ? r : -EIO;
	}
	return 0;
}
