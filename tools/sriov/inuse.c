/* SPDX-License-Identifier: MIT */
/*
 * Whether a guest or the host uses a VF, asked before its removal: the
 * in-use engine (lib/inuse.h, one context per run, with open handles: a
 * guest holding the VF's /dev/vfio/N blocks the kernel's removal in vfio
 * until it lets go; addresses, routes, masters and stacked links on its
 * interface; mdevs created on it, an NVIDIA vendor-specific vGPU set on
 * it).
 */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <ctype.h>
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
	struct kp_dev_usage du;
	int r;

	/* the engine: a guest's open /dev/vfio/N or /dev/vfio/devices/vfioX,
	 * addresses, routes, masters and stacked links on its interface, mdevs
	 * and vGPUs on it */
	r = kp_inuse_bdf(u->ctx, vf, KP_INUSE_HANDLES, &du);
	if (r < 0)
		return r;
	if (du.in_use) {
		snprintf(why, n, "%s", du.reason);
		return 1;
	}
	return 0;
}
