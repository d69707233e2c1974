/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: the PCI bus. bind/unbind/new_id/remove_id (drivers/base/bus.c,
 * drivers/pci/pci-driver.c), driver_override (drivers/base/driver.c),
 * drivers_probe, and the vfio group nodes vfio-pci makes.
 */
#include "fh.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCI_ANY 0xffffffffu
#define VFIO_GROUP_MAJOR 243

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* sysfs_streq(): the value with one trailing newline dropped */
static void value(const char *buf, size_t len, char *out, size_t n)
{
	if (len && buf[len - 1] == '\n')
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(out, buf, len);
	out[len] = '\0';
}

int fh_dev_dir(const char *bdf, char *dir)
{
	char p[FH_PATH], real[PATH_MAX];

	if (!*bdf || strchr(bdf, '/'))
		return -ENODEV;
	if (!realpath(fh_p(p, "/sys/bus/pci/devices/%s", bdf), real))
		return -ENODEV;
	snprintf(dir, FH_PATH, "%s", real);
	return 0;
}

int fh_dev_driver(const char *dir, char *drv, size_t n)
{
	char p[FH_PATH];

	snprintf(p, sizeof(p), "%s/driver", dir);
	return fh_link_name(p, drv, n);
}

static unsigned long attr_hex(const char *dir, const char *name)
{
	char p[FH_PATH], v[64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (fh_read(p, v, sizeof(v)) <= 0)
		return PCI_ANY;
	return strtoul(v, NULL, 16);
}

static void override_of(const char *dir, char *ov, size_t n)
{
	char p[FH_PATH];

	snprintf(p, sizeof(p), "%s/driver_override", dir);
	if (fh_read(p, ov, n) < 0 || !strcmp(ov, "(null)"))
		ov[0] = '\0';
}

/* the PF of a VF (physfn link), or -ENOENT */
static int pf_of(const char *dir, char *pfdir)
{
	char p[FH_PATH], real[PATH_MAX];

	snprintf(p, sizeof(p), "%s/physfn", dir);
	if (!realpath(p, real))
		return -ENOENT;
	snprintf(pfdir, FH_PATH, "%s", real);
	return 0;
}

struct pci_id {
	unsigned long vendor, device, subvendor, subdevice, class, class_mask;
};

static void dev_id(const char *dir, struct pci_id *id)
{
	id->vendor = attr_hex(dir, "vendor");
	id->device = attr_hex(dir, "device");
	id->subvendor = attr_hex(dir, "subsystem_vendor");
	id->subdevice = attr_hex(dir, "subsystem_device");
	id->class = attr_hex(dir, "class");
}

/* pci_match_one_device() */
static int id_match(const struct pci_id *id, const struct pci_id *dev)
{
	return (id->vendor == PCI_ANY || id->vendor == dev->vendor) &&
	       (id->device == PCI_ANY || id->device == dev->device) &&
	       (id->subvendor == PCI_ANY || id->subvendor == dev->subvendor) &&
	       (id->subdevice == PCI_ANY || id->subdevice == dev->subdevice) &&
	       !((id->class ^ dev->class) & id->class_mask);
}

static int dynid_match(const char *drv, const struct pci_id *dev)
{
	char p[FH_PATH], *data, *s;
	int hit = 0;

	data = fh_slurp(fh_p(p, "/fakehost/dynids/%s", drv), NULL);
	for (s = data; s && *s && !hit;) {
		char *nl = strchr(s, '\n');
		struct pci_id id;

		if (nl)
			*nl = '\0';
		if (sscanf(s, "%lx %lx %lx %lx %lx %lx", &id.vendor, &id.device, &id.subvendor,
			   &id.subdevice, &id.class, &id.class_mask) == 6 && id_match(&id, dev))
			hit = 1;
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	return hit;
}

/* the static id table: meta fakehost/drivers/D lines "id VVVV:DDDD[:SV:SD]"
 * and "class CCCCCC/MMMMMM" */
static int static_match(const char *drv, const struct pci_id *dev)
{
	char p[FH_PATH], v[4096], *tok, *save = NULL;

	fh_p(p, "/fakehost/drivers/%s", drv);
	if (fh_meta(p, "id", v, sizeof(v)) == 0) {
		for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct pci_id id = { PCI_ANY, PCI_ANY, PCI_ANY, PCI_ANY, 0, 0 };
			char f[4][16] = { "", "", "", "" };
			int k, n = sscanf(tok, "%15[^:]:%15[^:]:%15[^:]:%15s", f[0], f[1], f[2], f[3]);
			unsigned long *slot[4] = { &id.vendor, &id.device, &id.subvendor, &id.subdevice };

			for (k = 0; k < n; k++)
				if (strcmp(f[k], "*") && strcmp(f[k], "ffff") && strcmp(f[k], "ffffffff"))
					*slot[k] = strtoul(f[k], NULL, 16);
			if (n >= 2 && id_match(&id, dev))
				return 1;
		}
	}
	save = NULL;
	if (fh_meta(p, "class", v, sizeof(v)) == 0) {
		for (tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			unsigned long c = 0, m = 0xffffff;

			if (sscanf(tok, "%lx/%lx", &c, &m) >= 1 && !((c ^ dev->class) & m))
				return 1;
		}
	}
	return 0;
}

/* a VF matches its PF's VF driver (the VF driver's id table) */
static int vf_match(const char *drv, const char *dir)
{
	char pf[FH_PATH], p[FH_PATH], v[128];

	if (pf_of(dir, pf) < 0)
		return 0;
	fh_p(p, "/fakehost/pf/%s", base(pf));
	if (fh_meta(p, "vf_driver", v, sizeof(v)) < 0)
		return 0;
	return !strcmp(v, drv);
}

/* pci_match_device() */
static int drv_match(const char *drv, const char *dir)
{
	struct pci_id dev;
	char ov[256];

	override_of(dir, ov, sizeof(ov));
	if (ov[0] && strcmp(ov, drv))
		return 0;
	dev_id(dir, &dev);
	if (dynid_match(drv, &dev) || static_match(drv, &dev) || vf_match(drv, dir))
		return 1;
	return ov[0] != '\0';
}

static int drv_loaded(const char *drv)
{
	char p[FH_PATH];

	return *drv && !strchr(drv, '/') && fh_isdir(fh_p(p, "/sys/bus/pci/drivers/%s", drv));
}

static void uevent_set_driver(const char *dir, const char *drv)
{
	char p[FH_PATH], *data, *s, out[8192] = "";

	snprintf(p, sizeof(p), "%s/uevent", dir);
	data = fh_slurp(p, NULL);
	if (drv)
		snprintf(out, sizeof(out), "DRIVER=%s\n", drv);
	for (s = data; s && *s;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(s, "DRIVER=", 7) && *s) {
			strncat(out, s, sizeof(out) - strlen(out) - 2);
			strcat(out, "\n");
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	fh_write(p, out);
}

static void pci_uevent(const char *action, const char *dir, const char *drv)
{
	char d[300], slot[300];
	const char *extra[3] = { NULL, NULL, NULL };
	int i = 0;

	if (drv) {
		snprintf(d, sizeof(d), "DRIVER=%s", drv);
		extra[i++] = d;
	}
	snprintf(slot, sizeof(slot), "PCI_SLOT_NAME=%s", base(dir));
	extra[i++] = slot;
	fh_uevent(action, dir, "pci", extra);
}

/* ---- net interfaces follow their driver ----------------------------- */

static void net_links(const char *dir, int add)
{
	char p[FH_PATH], l[FH_PATH], **ifs;
	int n, i;

	snprintf(p, sizeof(p), "%s/net", dir);
	n = fh_list(p, &ifs);
	for (i = 0; i < n; i++) {
		char ifdir[FH_PATH];
		const char *extra[2] = { l, NULL };

		snprintf(ifdir, sizeof(ifdir), "%s/net/%s", dir, ifs[i]);
		fh_p(p, "/sys/class/net/%s", ifs[i]);
		if (add) {
			fh_mkdirs(fh_p(l, "/sys/class/net"));
			fh_symlink(ifdir, p);
		} else {
			unlink(p);
		}
		snprintf(l, sizeof(l), "INTERFACE=%s", ifs[i]);
		fh_uevent(add ? "add" : "remove", ifdir, "net", extra);
	}
	fh_list_free(ifs, n);
}

/*
 * Where a device's interfaces live: DIR/net, or DIR/SUB/net when a bus of
 * the driver's sits between (virtio-pci's virtioN, a USB controller's
 * usbN/…: the builder's netdir). sub is "" for DIR/net. 0, or -1 when the
 * device has no interfaces.
 */
static int net_sub(const char *dir, char *sub, size_t n)
{
	char p[FH_PATH], **ents;
	int i, k, found = -1;

	sub[0] = '\0';
	snprintf(p, sizeof(p), "%s/net", dir);
	if (fh_isdir(p))
		return 0;
	k = fh_list(dir, &ents);
	for (i = 0; i < k && found < 0; i++) {
		struct stat st;

		/* a child device's directory, never a link out of the device
		 * (a VF's physfn leads to its PF's own net/) */
		snprintf(p, sizeof(p), "%s/%s", dir, ents[i]);
		if (lstat(p, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		snprintf(p, sizeof(p), "%s/%s/net", dir, ents[i]);
		if (fh_isdir(p) && strlen(ents[i]) < n) {
			strcpy(sub, ents[i]);
			found = 0;
		}
	}
	fh_list_free(ents, k);
	return found;
}

/* the driver's remove(): its netdevs go (with the virtioN device that
 * carries them); kept aside to come back on rebind */
static void net_stash(const char *dir, const char *drv)
{
	char p[FH_PATH], s[FH_PATH], sub[256], netdir[FH_PATH];

	if (net_sub(dir, sub, sizeof(sub)) < 0)
		return;
	snprintf(netdir, sizeof(netdir), "%s%s%s", dir, sub[0] ? "/" : "", sub);
	net_links(netdir, 0);
	fh_p(s, "/fakehost/netstash/%s/%s", base(dir), drv);
	fh_rmrf(s);
	fh_mkdirs(s);
	snprintf(p, sizeof(p), "%s/sub", s);
	fh_write(p, sub);
	/* the whole virtioN (or the net directory itself) goes */
	snprintf(p, sizeof(p), "%s/%s", netdir, sub[0] ? "" : "net");
	strcat(s, sub[0] ? "/dev" : "/net");
	if (rename(sub[0] ? netdir : p, s) < 0)
		fh_rmrf(sub[0] ? netdir : p);
}

static int net_restore(const char *dir, const char *drv)
{
	char p[FH_PATH], s[FH_PATH], sub[256] = "", netdir[FH_PATH];

	fh_p(s, "/fakehost/netstash/%s/%s/sub", base(dir), drv);
	if (fh_read(s, sub, sizeof(sub)) < 0)
		sub[0] = '\0';
	fh_p(s, "/fakehost/netstash/%s/%s/%s", base(dir), drv, sub[0] ? "dev" : "net");
	if (!fh_isdir(s))
		return 0;
	snprintf(netdir, sizeof(netdir), "%s%s%s", dir, sub[0] ? "/" : "", sub);
	snprintf(p, sizeof(p), "%s/net", dir);
	if (rename(s, sub[0] ? netdir : p) < 0)
		return 0;
	net_links(netdir, 1);
	return 1;
}

/* ---- vfio group nodes -------------------------------------------------- */

static void dev_node(const char *name, unsigned maj, unsigned min)
{
	char p[FH_PATH], node[FH_PATH], t[32], *c;

	fh_p(p, "/dev/%s", name);
	snprintf(node, sizeof(node), "%s", p);
	*strrchr(node, '/') = '\0';
	fh_mkdirs(node);
	fh_write(p, "");
	chmod(p, 0600);
	/* umockdev reads a node's major:minor from dev/.node/NAME (/ -> _) */
	fh_mkdirs(fh_p(p, "/dev/.node"));
	snprintf(node, sizeof(node), "%s", name);
	for (c = node; *c; c++)
		if (*c == '/')
			*c = '_';
	fh_p(p, "/dev/.node/%s", node);
	snprintf(t, sizeof(t), "%u:%u", maj, min);
	unlink(p);
	if (symlink(t, p) < 0) {
		/* the node still exists, only without its numbers */
	}
}

static void dev_node_remove(const char *name)
{
	char p[FH_PATH], node[FH_PATH], *c;

	unlink(fh_p(p, "/dev/%s", name));
	snprintf(node, sizeof(node), "%s", name);
	for (c = node; *c; c++)
		if (*c == '/')
			*c = '_';
	unlink(fh_p(p, "/dev/.node/%s", node));
}

int fh_vfio_group_add(const char *group)
{
	char p[FH_PATH], dir[FH_PATH], name[64], l[FH_PATH];
	char ma[32], mi[32], dn[96];
	const char *extra[4] = { ma, mi, dn, NULL };
	unsigned minor = (unsigned)strtoul(group, NULL, 10);

	snprintf(name, sizeof(name), "vfio/%s", group);
	if (fh_exists(fh_p(p, "/dev/%s", name)))
		return 0;
	if (fh_fault_no_vfio_node(group))
		return 0; /* the group is bound, its node never comes */
	fh_p(dir, "/sys/devices/virtual/vfio/%s", group);
	fh_mkdirs(dir);
	snprintf(p, sizeof(p), "%s/dev", dir);
	fh_writef(p, "%u:%u\n", VFIO_GROUP_MAJOR, minor);
	snprintf(p, sizeof(p), "%s/uevent", dir);
	fh_writef(p, "MAJOR=%u\nMINOR=%u\nDEVNAME=vfio/%s\n", VFIO_GROUP_MAJOR, minor, group);
	fh_mkdirs(fh_p(l, "/sys/class/vfio"));
	snprintf(p, sizeof(p), "%s/subsystem", dir);
	fh_symlink(l, p);
	fh_symlink(dir, fh_p(p, "/sys/class/vfio/%s", group));
	dev_node(name, VFIO_GROUP_MAJOR, minor);
	fh_log("vfio-add %s", group);
	snprintf(ma, sizeof(ma), "MAJOR=%u", VFIO_GROUP_MAJOR);
	snprintf(mi, sizeof(mi), "MINOR=%u", minor);
	snprintf(dn, sizeof(dn), "DEVNAME=/dev/vfio/%s", group);
	fh_uevent("add", dir, "vfio", extra);
	return 0;
}

int fh_vfio_group_remove(const char *group)
{
	char p[FH_PATH], dir[FH_PATH], name[64], dn[96];
	const char *extra[2] = { dn, NULL };

	snprintf(name, sizeof(name), "vfio/%s", group);
	fh_p(dir, "/sys/devices/virtual/vfio/%s", group);
	if (!fh_exists(fh_p(p, "/dev/%s", name)) && !fh_exists(dir))
		return 0;
	dev_node_remove(name);
	unlink(fh_p(p, "/sys/class/vfio/%s", group));
	fh_rmrf(dir);
	fh_log("vfio-remove %s", group);
	snprintf(dn, sizeof(dn), "DEVNAME=/dev/vfio/%s", group);
	fh_uevent("remove", dir, "vfio", extra);
	return 0;
}

int fh_vfio_container(void)
{
	char p[FH_PATH];

	if (!fh_exists(fh_p(p, "/dev/vfio/vfio")))
		dev_node("vfio/vfio", 10, 196);
	return 0;
}

static int group_of(const char *dir, char *group, size_t n)
{
	char p[FH_PATH];

	snprintf(p, sizeof(p), "%s/iommu_group", dir);
	return fh_link_name(p, group, n);
}

/* 1 when another device of the group is still bound to vfio-pci */
static int group_in_vfio(const char *group, const char *except)
{
	char p[FH_PATH], **devs;
	int n, i, busy = 0;

	n = fh_list(fh_p(p, "/sys/kernel/iommu_groups/%s/devices", group), &devs);
	for (i = 0; i < n && !busy; i++) {
		char l[FH_PATH], drv[128];

		if (!strcmp(devs[i], except))
			continue;
		fh_p(l, "/sys/kernel/iommu_groups/%s/devices/%s/driver", group, devs[i]);
		if (fh_link_name(l, drv, sizeof(drv)) == 0 && !strcmp(drv, "vfio-pci"))
			busy = 1;
	}
	fh_list_free(devs, n);
	return busy;
}

int fh_group_new(void)
{
	char p[FH_PATH], **g;
	int n, i, max = -1;

	n = fh_list(fh_p(p, "/sys/kernel/iommu_groups"), &g);
	for (i = 0; i < n; i++)
		if (atoi(g[i]) > max)
			max = atoi(g[i]);
	fh_list_free(g, n);
	return max + 1;
}

/* ---- bind / unbind ------------------------------------------------------ */

static int do_bind(const char *drv, const char *dir)
{
	char p[FH_PATH], d[FH_PATH], group[64];

	fh_p(d, "/sys/bus/pci/drivers/%s", drv);
	snprintf(p, sizeof(p), "%s/driver", dir);
	fh_symlink(d, p);
	snprintf(p, sizeof(p), "%s/%s", d, base(dir));
	fh_symlink(dir, p);
	uevent_set_driver(dir, drv);
	fh_log("bind %s %s", base(dir), drv);
	if (!strcmp(drv, "vfio-pci") && group_of(dir, group, sizeof(group)) == 0)
		fh_vfio_group_add(group);
	if (!net_restore(dir, drv))
		fh_vf_netdev(dir, drv);
	fh_vfcfg_bound(dir);
	pci_uevent("bind", dir, drv);
	return 0;
}

/* the driver's probe(): 0 or a positive errno (really_probe) */
static int drv_probe(const char *drv, const char *dir)
{
	char pf[FH_PATH], p[FH_PATH], v[32], ov[256], group[64];

	if (fh_fault_refuse(base(dir), drv))
		return ENODEV;
	/* pci_device_can_probe(): VFs of a PF with autoprobe off need an override */
	override_of(dir, ov, sizeof(ov));
	if (pf_of(dir, pf) == 0 && !ov[0]) {
		snprintf(p, sizeof(p), "%s/sriov_drivers_autoprobe", pf);
		if (fh_read(p, v, sizeof(v)) > 0 && atoi(v) == 0)
			return ENODEV;
	}
	if (!strcmp(drv, "vfio-pci")) {
		char cfg[FH_PATH];
		unsigned char hdr[16];
		FILE *f;

		/* vfio_pci_probe(): normal header only; vfio needs an IOMMU group */
		snprintf(cfg, sizeof(cfg), "%s/config", dir);
		f = fopen(cfg, "rb");
		if (f) {
			if (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr) && (hdr[14] & 0x7f) != 0) {
				fclose(f);
				return EINVAL;
			}
			fclose(f);
		}
		if (group_of(dir, group, sizeof(group)) < 0)
			return EINVAL;
	}
	return do_bind(drv, dir);
}

int fh_pci_detach(const char *dir);
int fh_pci_detach(const char *dir)
{
	char drv[128], group[64], p[FH_PATH];

	if (fh_dev_driver(dir, drv, sizeof(drv)) < 0)
		return 0;
	/* the PF driver's remove() disables SR-IOV */
	snprintf(p, sizeof(p), "%s/sriov_numvfs", dir);
	if (fh_read(p, group, sizeof(group)) > 0 && atoi(group) > 0)
		fh_sriov_disable(dir);
	fh_vfcfg_unbinding(dir);
	net_stash(dir, drv);
	snprintf(p, sizeof(p), "%s/driver", dir);
	unlink(p);
	unlink(fh_p(p, "/sys/bus/pci/drivers/%s/%s", drv, base(dir)));
	uevent_set_driver(dir, NULL);
	fh_log("unbind %s %s", base(dir), drv);
	if (!strcmp(drv, "vfio-pci") && group_of(dir, group, sizeof(group)) == 0 &&
	    !group_in_vfio(group, base(dir)))
		fh_vfio_group_remove(group);
	pci_uevent("unbind", dir, NULL);
	return 0;
}

int fh_pci_device_attach(const char *dir);
/* device_attach(): 1 bound, 0 no driver took it */
int fh_pci_device_attach(const char *dir)
{
	char p[FH_PATH], drv[128], **drvs;
	int n, i, bound = 0;

	if (fh_dev_driver(dir, drv, sizeof(drv)) == 0)
		return 1;
	n = fh_list(fh_p(p, "/sys/bus/pci/drivers"), &drvs);
	for (i = 0; i < n && !bound; i++)
		if (drv_loaded(drvs[i]) && drv_match(drvs[i], dir) && drv_probe(drvs[i], dir) == 0)
			bound = 1;
	fh_list_free(drvs, n);
	return bound;
}

/* driver_attach(): the driver probes every unbound device it matches */
int fh_pci_attach_driver(const char *drv)
{
	char p[FH_PATH], **devs;
	int n, i;

	n = fh_list(fh_p(p, "/sys/bus/pci/devices"), &devs);
	for (i = 0; i < n; i++) {
		char dir[FH_PATH], cur[128];

		if (fh_dev_dir(devs[i], dir) < 0 || fh_dev_driver(dir, cur, sizeof(cur)) == 0)
			continue;
		if (drv_match(drv, dir))
			drv_probe(drv, dir);
	}
	fh_list_free(devs, n);
	return 0;
}

int fh_pci_detach_driver(const char *drv)
{
	char p[FH_PATH], **devs;
	int n, i;

	n = fh_list(fh_p(p, "/sys/bus/pci/drivers/%s", drv), &devs);
	for (i = 0; i < n; i++) {
		char dir[FH_PATH], cur[128];

		if (fh_dev_dir(devs[i], dir) == 0 && fh_dev_driver(dir, cur, sizeof(cur)) == 0 &&
		    !strcmp(cur, drv))
			fh_pci_detach(dir);
	}
	fh_list_free(devs, n);
	return 0;
}

/* ---- attribute stores ------------------------------------------------ */

static int bind_store(const char *drv, const char *bdf)
{
	char dir[FH_PATH], cur[128];
	int r;

	if (fh_dev_dir(bdf, dir) < 0 || !drv_match(drv, dir))
		return ENODEV;
	if (fh_dev_driver(dir, cur, sizeof(cur)) == 0)
		return EBUSY;
	r = drv_probe(drv, dir);
	return r;
}

static int unbind_store(const char *drv, const char *bdf)
{
	char dir[FH_PATH], cur[128];

	if (fh_dev_dir(bdf, dir) < 0 || fh_dev_driver(dir, cur, sizeof(cur)) < 0 ||
	    strcmp(cur, drv))
		return ENODEV;
	fh_pci_detach(dir);
	return 0;
}

static int drivers_probe_store(const char *bdf)
{
	char dir[FH_PATH];

	if (fh_dev_dir(bdf, dir) < 0)
		return ENODEV;
	fh_pci_device_attach(dir);
	return 0;
}

static int new_id_store(const char *drv, const char *buf)
{
	struct pci_id id = { 0, 0, PCI_ANY, PCI_ANY, 0, 0 };
	unsigned long data = 0;
	char p[FH_PATH], line[160];
	int fields, fd;

	fields = sscanf(buf, "%lx %lx %lx %lx %lx %lx %lx", &id.vendor, &id.device, &id.subvendor,
			&id.subdevice, &id.class, &id.class_mask, &data);
	if (fields < 2)
		return EINVAL;
	if (fields != 7) {
		struct pci_id dev = { id.vendor, id.device, id.subvendor, id.subdevice, id.class, 0 };

		if (dynid_match(drv, &dev) || static_match(drv, &dev))
			return EEXIST;
	} else if (data != 0) {
		/* driver_data must be one of the id table's: ours are all 0 */
		return EINVAL;
	}
	fh_mkdirs(fh_p(p, "/fakehost/dynids"));
	fh_p(p, "/fakehost/dynids/%s", drv);
	snprintf(line, sizeof(line), "%04lx %04lx %lx %lx %lx %lx\n", id.vendor & 0xffffffff,
		 id.device & 0xffffffff, id.subvendor & 0xffffffff, id.subdevice & 0xffffffff,
		 id.class, id.class_mask);
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, strlen(line)) < 0) {
			/* the id is lost; nothing else to do */
		}
		close(fd);
	}
	fh_log("new_id %s %04lx %04lx", drv, id.vendor, id.device);
	fh_pci_attach_driver(drv);
	return 0;
}

static int remove_id_store(const char *drv, const char *buf)
{
	struct pci_id want = { 0, 0, PCI_ANY, PCI_ANY, 0, 0 };
	char p[FH_PATH], *data, *s, out[8192] = "";
	int fields, found = 0;

	fields = sscanf(buf, "%lx %lx %lx %lx %lx %lx", &want.vendor, &want.device,
			&want.subvendor, &want.subdevice, &want.class, &want.class_mask);
	if (fields < 2)
		return EINVAL;
	data = fh_slurp(fh_p(p, "/fakehost/dynids/%s", drv), NULL);
	for (s = data; s && *s;) {
		char *nl = strchr(s, '\n');
		struct pci_id id;

		if (nl)
			*nl = '\0';
		if (sscanf(s, "%lx %lx %lx %lx %lx %lx", &id.vendor, &id.device, &id.subvendor,
			   &id.subdevice, &id.class, &id.class_mask) == 6) {
			if (!found && id.vendor == want.vendor && id.device == want.device &&
			    (want.subvendor == PCI_ANY || id.subvendor == want.subvendor) &&
			    (want.subdevice == PCI_ANY || id.subdevice == want.subdevice) &&
			    !((id.class ^ want.class) & want.class_mask)) {
				found = 1;
			} else {
				strncat(out, s, sizeof(out) - strlen(out) - 2);
				strcat(out, "\n");
			}
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	if (!found)
		return ENODEV;
	fh_write(p, out);
	fh_log("remove_id %s %04lx %04lx", drv, want.vendor, want.device);
	return 0;
}

/* driver_set_override() */
static int override_store(const char *dir, const char *buf, size_t len)
{
	char p[FH_PATH], v[4096];
	const char *nl;

	if (len >= 4096 - 1)
		return EINVAL;
	nl = memchr(buf, '\n', len);
	if (nl)
		len = (size_t)(nl - buf);
	memcpy(v, buf, len);
	v[len] = '\0';
	snprintf(p, sizeof(p), "%s/driver_override", dir);
	fh_writef(p, "%s\n", len ? v : "(null)");
	fh_log("override %s %s", base(dir), len ? v : "(null)");
	return 0;
}

static int is_pci_dev(const char *dir)
{
	char p[FH_PATH], real[PATH_MAX];

	if (!realpath(fh_p(p, "/sys/bus/pci/devices/%s", base(dir)), real))
		return 0;
	return !strcmp(real, dir);
}

int fh_pci_write(const char *path, const char *buf, size_t len, int *err)
{
	char rel[FH_PATH], dir[FH_PATH], val[256];
	const char *r = path + fh_treelen, *attr = base(path);

	snprintf(rel, sizeof(rel), "%s", r);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	value(buf, len, val, sizeof(val));

	if (!strncmp(rel, "/sys/bus/pci/drivers/", 21)) {
		char drv[128];
		const char *d = rel + 21, *slash = strchr(d, '/');

		if (!slash || strchr(slash + 1, '/'))
			return 0;
		snprintf(drv, sizeof(drv), "%.*s", (int)(slash - d), d);
		if (!strcmp(attr, "bind"))
			*err = bind_store(drv, val);
		else if (!strcmp(attr, "unbind"))
			*err = unbind_store(drv, val);
		else if (!strcmp(attr, "new_id"))
			*err = new_id_store(drv, val);
		else if (!strcmp(attr, "remove_id"))
			*err = remove_id_store(drv, val);
		else
			return 0;
		return 1;
	}
	if (!strcmp(rel, "/sys/bus/pci/drivers_probe")) {
		*err = drivers_probe_store(val);
		return 1;
	}
	if (!strcmp(attr, "driver_override") && is_pci_dev(dir)) {
		*err = override_store(dir, buf, len);
		return 1;
	}
	if (!strcmp(attr, "sriov_numvfs") && is_pci_dev(dir)) {
		*err = -fh_sriov_numvfs(dir, buf, len);
		return 1;
	}
	return fh_mdev_write(path, buf, len, err);
}
