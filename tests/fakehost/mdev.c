/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: mediated devices (drivers/vfio/mdev/mdev_sysfs.c,
 * mdev_core.c). mdev_supported_types/T/create makes PARENT/UUID, its
 * remove attribute takes it away. NVIDIA's vendor-specific vGPU (vGPU 17+
 * on Ada/Hopper): a VF's nvidia/current_vgpu_type takes a type id from its
 * nvidia/creatable_vgpu_types, 0 gives it back.
 */
#include "fh.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* the type's meta file: fakehost/mdev/PARENT/TYPE */
static char *type_meta(const char *typedir, char *out)
{
	char tmp[FH_PATH], parent[FH_PATH];

	dirname_of(typedir, tmp);
	dirname_of(tmp, parent);
	return fh_p(out, "/fakehost/mdev/%s/%s", base(parent), base(typedir));
}

static int remove_dev(const char *dir);

/* fault mdev-unregister=PARENT: the parent's driver goes away right after a
 * create on it (mdev_unregister_parent(): its mdevs, mdev_supported_types
 * and the mdev_bus link go) */
static void maybe_unregister(const char *parent)
{
	char p[FH_PATH], want[FH_PATH], **names;
	int i, n;

	snprintf(want, sizeof(want), "mdev-unregister=%s", base(parent));
	if (!fh_fault_named(want))
		return;
	n = fh_list(parent, &names);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s/mdev_type", parent, names[i]);
		if (fh_exists(p)) {
			snprintf(p, sizeof(p), "%s/%s", parent, names[i]);
			remove_dev(p);
		}
	}
	fh_list_free(names, n);
	snprintf(p, sizeof(p), "%s/mdev_supported_types", parent);
	fh_rmrf(p);
	unlink(fh_p(p, "/sys/class/mdev_bus/%s", base(parent)));
	fh_log("mdev-unregister %s", base(parent));
	{
		const char *extra[2] = { "MDEV_STATE=unregistered", NULL };

		fh_uevent("change", parent, "pci", extra);
	}
}

static int create_store(const char *typedir, const char *buf, size_t len)
{
	char uuid[37], parent[FH_PATH], tmp[FH_PATH], dir[FH_PATH], p[FH_PATH], v[32];
	char group[32], g[FH_PATH], ev[96], meta[FH_PATH], attrs[1024], *a, *save = NULL;
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
	if (fh_read(p, v, sizeof(v)) > 0 && strtol(v, NULL, 10) <= 0) {
		/* none left: EUSERS from the mdev core (a parent without
		 * get_available, e.g. mdpy), ENOSPC from a driver that counts
		 * its own (mtty, mbochs): the description's full= */
		type_meta(typedir, meta);
		if (fh_meta(meta, "full", v, sizeof(v)) == 0 && !strcmp(v, "ENOSPC"))
			return ENOSPC;
		return EUSERS;
	}

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
	/* mdev_create_sysfs_files(): the type's devices/UUID */
	snprintf(p, sizeof(p), "%s/devices/%s", typedir, uuid);
	fh_symlink(dir, p);
	/* the vendor driver's own attributes (vfio_ap: assign_adapter, …) */
	if (fh_meta(type_meta(typedir, meta), "attr", attrs, sizeof(attrs)) == 0) {
		for (a = strtok_r(attrs, ",", &save); a; a = strtok_r(NULL, ",", &save)) {
			snprintf(p, sizeof(p), "%s/%s", dir, a);
			fh_write(p, "");
			chmod(p, 0644);
		}
	}
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
	maybe_unregister(parent);
	return 0;
}

static int remove_store(const char *dir, const char *buf, size_t len)
{
	char v[64];
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
	return remove_dev(dir);
}

static int remove_dev(const char *dir)
{
	char p[FH_PATH], typedir[PATH_MAX], group[32];

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
	if (typedir[0]) {
		snprintf(p, sizeof(p), "%s/devices/%s", typedir, base(dir));
		unlink(p);
		avail_add(typedir, 1);
	}
	fh_log("mdev-remove %s", base(dir));
	fh_uevent("remove", dir, "mdev", NULL);
	return 0;
}

/* ---- NVIDIA vendor-specific vGPU ------------------------------------ */

/* fakehost/vgpu/BDF: "type ID NAME…" lines, optionally "ID:MAX" limits in
 * "max ID N" lines. A VF takes one type at a time; VFs on the same bus
 * (one GPU's VFs) take only the type the others have (NVIDIA's default
 * equal-size mode) and at most max of it. */
struct vtype { int id; char name[96]; int max; };

static int vgpu_types(const char *bdf, struct vtype *t, int nmax)
{
	char p[FH_PATH], *data, *line, *save = NULL;
	int n = 0;

	data = fh_slurp(fh_p(p, "/fakehost/vgpu/%s", bdf), NULL);
	if (!data)
		return -1;
	for (line = strtok_r(data, "\n", &save); line && n < nmax;
	     line = strtok_r(NULL, "\n", &save)) {
		int id, mx, off = 0;

		if (sscanf(line, "type %d %n", &id, &off) == 1 && off) {
			t[n].id = id;
			t[n].max = 0;
			snprintf(t[n].name, sizeof(t[n].name), "%s", line + off);
			n++;
		} else if (sscanf(line, "max %d %d", &id, &mx) == 2) {
			int i;

			for (i = 0; i < n; i++)
				if (t[i].id == id)
					t[i].max = mx;
		}
	}
	free(data);
	return n;
}

static int vf_current(const char *bdf)
{
	char p[FH_PATH], v[32];

	if (fh_read(fh_p(p, "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", bdf), v,
		    sizeof(v)) <= 0)
		return 0;
	return atoi(v);
}

/* siblings: every vgpu VF on the same domain:bus */
static int siblings(const char *bdf, char ***names)
{
	char p[FH_PATH], **all;
	int i, n, k = 0;

	n = fh_list(fh_p(p, "/fakehost/vgpu"), &all);
	*names = calloc((size_t)(n > 0 ? n : 1), sizeof(char *));
	for (i = 0; i < n; i++) {
		if (!strncmp(all[i], bdf, 7))
			(*names)[k++] = strdup(all[i]);
	}
	fh_list_free(all, n);
	return k;
}

/* may VF bdf take type id now? 0, or the errno */
static int vgpu_allowed(const char *bdf, int id, const struct vtype *t, int nt)
{
	char **sib;
	int i, ns, used = 0, other = 0, known = 0, mx = 0;

	for (i = 0; i < nt; i++)
		if (t[i].id == id) {
			known = 1;
			mx = t[i].max;
		}
	if (!known)
		return EINVAL;
	ns = siblings(bdf, &sib);
	for (i = 0; i < ns; i++) {
		int c = vf_current(sib[i]);

		if (c == id)
			used++;
		else if (c)
			other = 1;
		free(sib[i]);
	}
	free(sib);
	if (other || (mx && used >= mx))
		return EINVAL;
	return 0;
}

static void vgpu_refresh_one(const char *bdf)
{
	struct vtype t[64];
	char p[FH_PATH], out[8192];
	int i, nt = vgpu_types(bdf, t, 64);

	snprintf(out, sizeof(out), "ID    : vGPU Name\n");
	if (nt > 0 && !vf_current(bdf))
		for (i = 0; i < nt; i++)
			if (!vgpu_allowed(bdf, t[i].id, t, nt))
				snprintf(out + strlen(out), sizeof(out) - strlen(out), "%-5d : %s\n",
					 t[i].id, t[i].name);
	fh_write(fh_p(p, "/sys/bus/pci/devices/%s/nvidia/creatable_vgpu_types", bdf), out);
}

static void vgpu_refresh(const char *bdf)
{
	char **sib;
	int i, ns = siblings(bdf, &sib);

	for (i = 0; i < ns; i++) {
		vgpu_refresh_one(sib[i]);
		free(sib[i]);
	}
	free(sib);
}

/*
 * A vGPU-capable PF (a "vgpu" line on a PF with sriov=): NVIDIA's driver
 * gives each VF nvidia/creatable_vgpu_types and nvidia/current_vgpu_type
 * once SR-IOV is enabled (sriov-manage -e writes sriov_numvfs); they go
 * with the VF. fakehost/vgpu-pf/PF holds the types every VF gets.
 */
void fh_vgpu_vf_add(const char *pfdir, const char *vfdir)
{
	char p[FH_PATH], *data;

	data = fh_slurp(fh_p(p, "/fakehost/vgpu-pf/%s", base(pfdir)), NULL);
	if (!data)
		return;
	fh_write(fh_p(p, "/fakehost/vgpu/%s", base(vfdir)), data);
	free(data);
	snprintf(p, sizeof(p), "%s/nvidia", vfdir);
	fh_mkdirs(p);
	snprintf(p, sizeof(p), "%s/nvidia/current_vgpu_type", vfdir);
	fh_write(p, "0\n");
	vgpu_refresh(base(vfdir));
}

/* the VF is gone (sriov_numvfs 0): so is its vGPU, whatever a guest did with it */
void fh_vgpu_vf_del(const char *bdf)
{
	char p[FH_PATH];

	if (unlink(fh_p(p, "/fakehost/vgpu/%s", bdf)) == 0)
		vgpu_refresh(bdf);
}

static int vgpu_store(const char *vfdir, const char *buf, size_t len)
{
	struct vtype t[64];
	char v[32], p[FH_PATH], *end;
	const char *bdf = base(vfdir);
	long id;
	int nt, cur, r;

	if (len >= sizeof(v))
		return EINVAL;
	memcpy(v, buf, len);
	v[len] = '\0';
	if (len && v[len - 1] == '\n')
		v[len - 1] = '\0';
	errno = 0;
	id = strtol(v, &end, 10);
	if (!v[0] || *end || errno || id < 0)
		return EINVAL;
	nt = vgpu_types(bdf, t, 64);
	if (nt < 0)
		return ENODEV;
	cur = vf_current(bdf);
	if (id == cur)
		return 0;
	if (id && cur)
		return EBUSY;	/* one vGPU per VF: clear it first */
	if (id && (r = vgpu_allowed(bdf, (int)id, t, nt)))
		return r;
	snprintf(p, sizeof(p), "%s/nvidia/current_vgpu_type", vfdir);
	fh_writef(p, "%ld\n", id);
	fh_log("vgpu %s %ld", bdf, id);
	vgpu_refresh(bdf);
	return 0;
}

int fh_mdev_write(const char *path, const char *buf, size_t len, int *err)
{
	char dir[FH_PATH], up[FH_PATH], p[FH_PATH];
	const char *attr = base(path);

	dirname_of(path, dir);
	if (!strcmp(attr, "current_vgpu_type") && !strcmp(base(dir), "nvidia")) {
		dirname_of(dir, up);
		*err = vgpu_store(up, buf, len);
		return 1;
	}
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
