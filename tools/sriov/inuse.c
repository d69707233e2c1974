/* SPDX-License-Identifier: MIT */
/*
 * Whether a guest or the host uses a VF, asked before its removal:
 *  - bound to vfio-pci and its group's /dev/vfio/N (or its iommufd
 *    /dev/vfio/devices/vfioX) open in a process: a guest holds it (the
 *    kernel's removal would block in vfio until it is released);
 *  - an mdev created on it;
 *  - its network interface with addresses, routes or a master (lib/inuse).
 * The processes' open files are read once per run (ROOT/proc/PID/fd).
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

struct holder {
	char path[64]; /* "/dev/vfio/19" */
	int pid;
	char comm[32];
};

struct vf_usage {
	struct holder *h;
	size_t n;
	struct kp_net *net; /* made on first need */
};

static void add_holder(struct vf_usage *u, const char *path, int pid, const char *procdir)
{
	struct holder *nh = realloc(u->h, (u->n + 1) * sizeof(*nh));
	char p[PATH_MAX];
	FILE *f;

	if (!nh)
		return;
	u->h = nh;
	memset(&nh[u->n], 0, sizeof(nh[0]));
	snprintf(nh[u->n].path, sizeof(nh[0].path), "%s", path);
	nh[u->n].pid = pid;
	snprintf(p, sizeof(p), "%s/comm", procdir);
	f = fopen(p, "re");
	if (f) {
		if (fgets(nh[u->n].comm, sizeof(nh[0].comm), f))
			nh[u->n].comm[strcspn(nh[u->n].comm, "\n")] = '\0';
		fclose(f);
	}
	u->n++;
}

int vf_usage_new(struct vf_usage **out)
{
	struct vf_usage *u = calloc(1, sizeof(*u));
	char proc[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (!u)
		return -ENOMEM;
	if (kp_path(proc, sizeof(proc), "/proc") < 0 || !(d = opendir(proc))) {
		*out = u;
		return 0;
	}
	while ((de = readdir(d))) {
		char fddir[PATH_MAX], pdir[PATH_MAX];
		struct dirent *fe;
		DIR *fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(pdir, sizeof(pdir), "%s/%s", proc, de->d_name);
		snprintf(fddir, sizeof(fddir), "%s/fd", pdir);
		fd = opendir(fddir);
		if (!fd)
			continue;
		while ((fe = readdir(fd))) {
			char l[PATH_MAX], t[PATH_MAX];
			ssize_t len;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(l, sizeof(l), "%s/%s", fddir, fe->d_name);
			len = readlink(l, t, sizeof(t) - 1);
			if (len <= 0)
				continue;
			t[len] = '\0';
			if (strncmp(t, "/dev/vfio/", 10) == 0 && strcmp(t, "/dev/vfio/vfio") != 0)
				add_holder(u, t, atoi(de->d_name), pdir);
		}
		closedir(fd);
	}
	closedir(d);
	*out = u;
	return 0;
}

void vf_usage_free(struct vf_usage *u)
{
	if (!u)
		return;
	kp_net_free(u->net);
	free(u->h);
	free(u);
}

static int held(struct vf_usage *u, const char *node, char *why, size_t n)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (strcmp(u->h[i].path, node) == 0) {
			snprintf(why, n, "%s is open by %s (pid %d)", node,
				 u->h[i].comm[0] ? u->h[i].comm : "a process", u->h[i].pid);
			return 1;
		}
	return 0;
}

int vf_in_use(struct vf_usage *u, const char *vf, char *why, size_t n)
{
	char p[PATH_MAX], drv[64] = "", grp[32], node[64];
	struct kp_dev_usage du;
	struct dirent *de;
	DIR *d;
	int r;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", vf);
	kp_sysfs_link_name(p, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci") == 0) {
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", vf);
		if (kp_sysfs_link_name(p, grp, sizeof(grp)) > 0) {
			snprintf(node, sizeof(node), "/dev/vfio/%s", grp);
			if (held(u, node, why, n))
				return 1;
		}
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev", vf);
		d = opendir(p);
		while (d && (de = readdir(d))) {
			if (strncmp(de->d_name, "vfio", 4) != 0)
				continue;
			snprintf(node, sizeof(node), "/dev/vfio/devices/%.40s", de->d_name);
			if (held(u, node, why, n)) {
				closedir(d);
				return 1;
			}
		}
		if (d)
			closedir(d);
	}
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
	/* the host: addresses, routes, masters on its interface */
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/net", vf);
	if (!kp_sysfs_exists(p))
		return 0;
	if (!u->net) {
		r = kp_net_new(&u->net);
		if (r < 0)
			return r;
	}
	r = kp_pcidev_usage(vf, u->net, &du);
	if (r < 0)
		return r;
	if (du.in_use) {
		snprintf(why, n, "%s", du.reason);
		return 1;
	}
	return 0;
}
