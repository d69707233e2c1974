/* SPDX-License-Identifier: MIT */
#include "target.h"
#include "exitcodes.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char target_dir[4096];
static int offline;

int kp_target_set(const char *dir, int off)
{
	char real[PATH_MAX];
	struct stat st;

	if (dir) {
		if (!dir[0])
			return -EINVAL;
		if (!realpath(dir, real))
			return -errno;
		if (stat(real, &st) < 0)
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (strcmp(real, "/") == 0)
			return -EINVAL;
		if (strlen(real) >= sizeof(target_dir))
			return -ENAMETOOLONG;
		snprintf(target_dir, sizeof(target_dir), "%s", real);
		off = 1;
	}
	offline = off ? 1 : 0;
	return 0;
}

const char *kp_target(void)
{
	return target_dir;
}

int kp_offline(void)
{
	return offline;
}

static int under(const char *abs, const char *dir)
{
	size_t l = strlen(dir);

	return strncmp(abs, dir, l) == 0 && (abs[l] == '\0' || abs[l] == '/');
}

int kp_target_path(const char *abs)
{
	static const char *const live[] = { "/proc", "/sys", "/dev", "/run", "/tmp",
					    "/var/run", "/var/tmp", "/var/lock", NULL };

	if (!abs || abs[0] != '/')
		return 0;
	for (size_t i = 0; live[i]; i++)
		if (under(abs, live[i]))
			return 0;
	return 1;
}

void kp_target_swap(const char *dir, int off, struct kp_target_saved *saved)
{
	snprintf(saved->dir, sizeof(saved->dir), "%s", target_dir);
	saved->offline = offline;
	snprintf(target_dir, sizeof(target_dir), "%s", dir ? dir : "");
	offline = off;
}

void kp_target_restore(const struct kp_target_saved *saved)
{
	snprintf(target_dir, sizeof(target_dir), "%s", saved->dir);
	offline = saved->offline;
}

int kp_target_setup(const char *root, int off, char *msg, size_t n)
{
	int r;

	if (msg && n)
		msg[0] = '\0';
	if (!root && !off)
		return 0;
	r = kp_target_set(root, off);
	if (r == 0)
		return 0;
	if (msg && n)
		snprintf(msg, n, "%s: cannot use as the target system: %s", root ? root : "",
			 r == -EINVAL ? "it is the running system's root (use --offline alone)"
				      : strerror(-r));
	return KP_EXIT_USAGE;
}
