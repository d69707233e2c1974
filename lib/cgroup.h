/* SPDX-License-Identifier: MIT */
#ifndef KP_CGROUP_H
#define KP_CGROUP_H

#include <stddef.h>

/*
 * The cgroup layout, from the mount table (/proc/self/mounts, root prefix
 * applied) and, for v2, the root's cgroup.controllers (plain /sys path).
 */

enum kp_cg_layout {
	KP_CG_NONE,    /* no cgroup filesystem mounted */
	KP_CG_V1,      /* legacy: v1 hierarchies only */
	KP_CG_HYBRID,  /* v1 hierarchies plus a v2 mount without controllers */
	KP_CG_V2,      /* unified: only cgroup2 */
};

struct kp_cgroup {
	enum kp_cg_layout layout;
	char v2_mount[256];       /* where cgroup2 is mounted, "" when not */
	char v1_controllers[256]; /* " cpu cpuacct memory … " mounted v1 controllers */
	char v2_controllers[256]; /* " cpu io memory … " from cgroup.controllers */
	int v2_controllers_known; /* cgroup.controllers could be read */
};

/* Parse a mount table (/proc/mounts format). 0 or -EINVAL. The v2
 * controllers are not read here. */
int kp_cgroup_parse_mounts(const char *mounts, struct kp_cgroup *cg);

/* Read the host's mount table and the v2 controllers. 0 or -errno. */
int kp_cgroup_read(struct kp_cgroup *cg);

/* 1 when controller is available (v1: mounted; v2: listed). */
int kp_cgroup_v1_has(const struct kp_cgroup *cg, const char *ctrl);
int kp_cgroup_v2_has(const struct kp_cgroup *cg, const char *ctrl);

/* "none", "v1", "hybrid", "v2". */
const char *kp_cg_layout_name(enum kp_cg_layout l);

#endif
