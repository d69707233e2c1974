/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: mediated devices (drivers/vfio/mdev/mdev_sysfs.c,
 * mdev_core.c). mdev_supported_types/T/create makes PARENT/UUID, its
 * remove attribute takes it away.
 */
#include "fh.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static void dirname_of(const char *p, char *out)
{
	snprintf(out, FH_PATH, "%s", p);
	*strrchr(out, '/') = '\0';
}

/* uuid_is_valid(): 36 characters, dashes at 8, 13, 18, 23, hex elsewhere */
static int uuid_valid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}

static int avail_add(const char *typedir, int delta)
{
	char p[FH_PATH], v[32];
	long n;

	snprintf(p, sizeof(p), "%s/available_instances", typedir);
	if (fh_read(p, v, sizeof(v)) <= 0)
		return -1;
	n = strtol(v, NULL, 10) + delta;
	fh_writef(p, "%ld\n", n);
	return 0;
}

static int create_store(const char *typedir, const char *buf, size_t len)
{
	char uuid[37], parent[FH_PATH], tmp[FH_PATH], dir[FH_PATH], p[FH_PATH], v[32];
	char group[32], g[FH_PATH], ev[96];
	const char *extra[2] = { ev, NULL };
	int i, gn;

	if (len < 36 || len > 37)
		return EINVAL;
	memcpy(uuid, buf, 36);
	uuid[36] = '\0';
	if (!uuid_valid(uuid))
		return EINVAL;
	for (i = 0; i < 36; i++)
		uuid[i] = (char)tolower((unsigned char)uuid[i]);
	if (fh_exists(fh_p(p, "/sys/bus/mdev/devices/%s", uuid)))
		return EEXIST;
	snprintf(p, sizeof(p), "%s/available_instances", typedir);
	if (fh_read(p, v, sizeof(v)) > 0 && strtol(v, NULL, 10) <= 0)
		return EUSERS;	/* mdev_device_create(): no instance left */

	dirname_of(typedir, tmp);	/* …/mdev_supported_types */
	dirname_of(tmp, parent);
	snprintf(dir, sizeof(dir), "%s/%s", parent, uuid);
	fh_mkdirs(dir);
	snprintf(p, sizeof(p), "%s/mdev_type", dir);
	fh_symlink(typedir, p);
	snprintf(p, sizeof(p), "%s/remove", dir);
	fh_write(p, "");
	snprintf(p, sizeof(p), "%s/uevent", dir);
	fh_writef(p, "MDEV_TYPE=%s\n", base(typedir));
	fh_mkdirs(fh_p(p, "/sys/bus/mdev/devices"));
	snprintf(tmp, sizeof(tmp), "%s/subsystem", dir);
	fh_symlink(fh_p(p, "/sys/bus/mdev"), tmp);
	fh_symlink(dir, fh_p(p, "/sys/bus/mdev/devices/%s", uuid));
	/* its vfio driver puts it in an IOMMU group of its own */
	gn = fh_group_new();
	snprintf(group, sizeof(group), "%d", gn);
	fh_p(g, "/sys/kernel/iommu_groups/%d/devices", gn);
	fh_mkdirs(g);
	snprintf(p, sizeof(p), "%s/%s", g, uuid);
	fh_symlink(dir, p);
	fh_p(p, "/sys/kernel/iommu_groups/%d", gn);
	snprintf(tmp, sizeof(tmp), "%s/iommu_group", dir);
	fh_symlink(p, tmp);
	avail_add(typedir, -1);
	fh_log("mdev-create %s %s %s", uuid, base(typedir), base(parent));
	snprintf(ev, sizeof(ev), "MDEV_TYPE=%s", base(typedir));
	fh_uevent("add", dir, "mdev", extra);
	fh_vfio_group_add(group);
	return 0;
}

static int remove_store(const char *dir, const char *buf, size_t len)
{
	char v[64], p[FH_PATH], typedir[PATH_MAX], group[32];
	unsigned long val;
	char *end;

	if (len >= sizeof(v))
		return EINVAL;
	memcpy(v, buf, len);
	v[len] = '\0';
	if (len && v[len - 1] == '\n')
		v[len - 1] = '\0';
	errno = 0;
	val = strtoul(v, &end, 0);
	if (!v[0] || *end || errno || v[0] == '-')
		return EINVAL;
	if (!val)
		return 0;
	snprintf(p, sizeof(p), "%s/mdev_type", dir);
	if (!realpath(p, typedir))
		typedir[0] = '\0';
	snprintf(p, sizeof(p), "%s/iommu_group", dir);
	if (fh_link_name(p, group, sizeof(group)) == 0) {
		fh_vfio_group_remove(group);
		fh_rmrf(fh_p(p, "/sys/kernel/iommu_groups/%s", group));
	}
	unlink(fh_p(p, "/sys/bus/mdev/devices/%s", base(dir)));
	fh_rmrf(dir);
	if (typedir[0])
		avail_add(typedir, 1);
	fh_log("mdev-remove %s", base(dir));
	fh_uevent("remove", dir, "mdev", NULL);
	return 0;
}

int fh_mdev_write(const char *path, const char *buf, size_t len, int *err)
{
	char dir[FH_PATH], up[FH_PATH], p[FH_PATH];
	const char *attr = base(path);

	dirname_of(path, dir);
	if (!strcmp(attr, "create")) {
		dirname_of(dir, up);
		if (strcmp(base(up), "mdev_supported_types"))
			return 0;
		*err = create_store(dir, buf, len);
		return 1;
	}
	if (!strcmp(attr, "remove")) {
		snprintf(p, sizeof(p), "%s/mdev_type", dir);
		if (!fh_exists(p))
			return 0;
		*err = remove_store(dir, buf, len);
		return 1;
	}
	return 0;
}
