/* SPDX-License-Identifier: MIT */
/*
 * Whether a guest or the host uses a VF, asked before its removal: the
 * in-use engine (lib/inuse.h, one context per run, with open handles: a
 * guest holding the VF's /dev/vfio/N blocks the kernel's removal in vfio
 * until it lets go; addresses, routes, masters and stacked links on its
 * interface), an mdev created on it, and an NVIDIA vendor-specific vGPU
 * set on it (nvidia/current_vgpu_type).
 */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "ids.h"
#include "inuse.h"
#include "net.h"
#include "root.h"
#include "sysfs.h"

struct vf_usage {
	struct kp_inuse *ctx; /* the in-use engine, one per run */
};

int vf_usage_new(struct vf_usage **out)
{
	struct vf_usage *u = calloc(1, sizeof(*u));
	int r;

	if (!u)
		return -ENOMEM;
	r = kp_inuse_new(&u->ctx);
	if (r < 0) {
		free(u);
		return r;
	}
	*out = u;
	return 0;
}

void vf_usage_free(struct vf_usage *u)
{
	if (!u)
		return;
	kp_inuse_free(u->ctx);
	free(u);
}

int vf_in_use(struct vf_usage *u, const char *vf, char *why, size_t n)
{
	char p[PATH_MAX];
	struct kp_dev_usage du;
	struct dirent *de;
	DIR *d;
	int r;

	/* mdevs on it: directories named by a UUID with an mdev_type */
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s", vf);
	d = opendir(p);
	while (d && (de = readdir(d))) {
		char t[PATH_MAX];

		if (kp_uuid_check(de->d_name) < 0)
			continue;
		snprintf(t, sizeof(t), "%s/%s/mdev_type", p, de->d_name);
		if (kp_sysfs_exists(t)) {
			snprintf(why, n, "mdev %s is created on it", de->d_name);
			closedir(d);
			return 1;
		}
	}
	if (d)
		closedir(d);
	/* NVIDIA's vendor-specific vGPU (vGPU 17+): a type set on the VF is a
	 * vGPU a guest is given; the VF's removal destroys it */
	{
		long cur = 0;

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", vf);
		if (kp_sysfs_read_long(p, &cur) == 0 && cur > 0) {
			snprintf(why, n, "vGPU type %ld is set on it", cur);
			return 1;
		}
	}
	/* the engine: a guest's open /dev/vfio/N or /dev/vfio/devices/vfioX,
	 * addresses, routes, masters and stacked links on its interface */
	r = kp_inuse_bdf(u->ctx, vf, KP_INUSE_HANDLES, &du);
	if (r < 0)
		return r;
	if (du.in_use) {
		snprintf(why, n, "%s", du.reason);
		return 1;
	}
	return 0;
}
