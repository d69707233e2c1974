/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: SR-IOV (drivers/pci/iov.c). sriov_numvfs creates and removes
 * the VFs as pci_enable_sriov()/pci_disable_sriov() do: a PCI device per VF
 * beside its PF, physfn/virtfnN links, an IOMMU group each, the probe of
 * the VF driver when sriov_drivers_autoprobe is 1, and its netdev.
 */
#include "fh.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int fh_pci_detach(const char *dir);
int fh_pci_device_attach(const char *dir);

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

static long attr_num(const char *dir, const char *name, int b, long dflt)
{
	char p[FH_PATH], v[64];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (fh_read(p, v, sizeof(v)) <= 0)
		return dflt;
	return strtol(v, NULL, b);
}

static void copy_attr(const char *from, const char *to, const char *name)
{
	char p[FH_PATH], *data;
	size_t len;

	snprintf(p, sizeof(p), "%s/%s", from, name);
	data = fh_slurp(p, &len);
	if (!data)
		return;
	snprintf(p, sizeof(p), "%s/%s", to, name);
	{
		FILE *f = fopen(p, "wb");

		if (f) {
			fwrite(data, 1, len, f);
			fclose(f);
		}
	}
	free(data);
}

/* the BDF of VF i: routing ID = PF's + offset + stride * i */
static void vf_bdf(const char *pfbdf, long offset, long stride, int i, char *out, size_t n)
{
	unsigned dom = 0, bus = 0, dev = 0, fn = 0, rid;

	sscanf(pfbdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
	rid = (bus << 8 | dev << 3 | fn) + (unsigned)(offset + stride * i);
	snprintf(out, n, "%04x:%02x:%02x.%x", dom, (rid >> 8) & 0xff, (rid >> 3) & 0x1f, rid & 7);
}

/* a number from the PF's meta (fakehost/pf/BDF), or -1 ("-", missing) */
static long pf_meta_num(const char *pfdir, const char *key, int b)
{
	char p[FH_PATH], v[64];

	fh_p(p, "/fakehost/pf/%s", base(pfdir));
	if (fh_meta(p, key, v, sizeof(v)) < 0 || !strcmp(v, "-"))
		return -1;
	return strtol(v, NULL, b);
}

static long num_or(long v, long dflt)
{
	return v < 0 ? dflt : v;
}

static int vf_create(const char *pfdir, int i)
{
	char vfdir[FH_PATH], bdf[32], p[FH_PATH], l[FH_PATH], group[32];
	long offset = num_or(pf_meta_num(pfdir, "offset", 10), attr_num(pfdir, "sriov_offset", 10, 1));
	long stride = num_or(pf_meta_num(pfdir, "stride", 10), attr_num(pfdir, "sriov_stride", 10, 1));
	unsigned long vendor = (unsigned long)num_or(pf_meta_num(pfdir, "vf_vendor", 16),
						     attr_num(pfdir, "vendor", 16, 0xffff));
	unsigned long device = (unsigned long)num_or(pf_meta_num(pfdir, "vf_device", 16),
						     attr_num(pfdir, "sriov_vf_device", 16, 0xffff));
	unsigned long cls = (unsigned long)num_or(pf_meta_num(pfdir, "vf_class", 16),
						  attr_num(pfdir, "class", 16, 0));
	unsigned long sv = (unsigned long)attr_num(pfdir, "subsystem_vendor", 16, 0);
	unsigned long sd = (unsigned long)attr_num(pfdir, "subsystem_device", 16, 0);
	long group_base = pf_meta_num(pfdir, "group_base", 10);
	static const char *const same[] = { "revision", "resource", "numa_node", "local_cpulist",
					    "local_cpus", "reset_method", "config", NULL };
	char v[128];
	int k;

	fh_p(p, "/fakehost/pf/%s", base(pfdir));
	if (fh_meta(p, "vf_subsys", v, sizeof(v)) == 0)
		sscanf(v, "%lx:%lx", &sv, &sd);
	vf_bdf(base(pfdir), offset, stride, i, bdf, sizeof(bdf));
	snprintf(vfdir, sizeof(vfdir), "%s", pfdir);
	*strrchr(vfdir, '/') = '\0';
	strcat(vfdir, "/");
	strcat(vfdir, bdf);
	if (fh_mkdirs(vfdir) < 0)
		return -EIO;
	for (k = 0; same[k]; k++)
		copy_attr(pfdir, vfdir, same[k]);
	snprintf(p, sizeof(p), "%s/vendor", vfdir);
	fh_writef(p, "0x%04lx\n", vendor);
	snprintf(p, sizeof(p), "%s/device", vfdir);
	fh_writef(p, "0x%04lx\n", device);
	snprintf(p, sizeof(p), "%s/class", vfdir);
	fh_writef(p, "0x%06lx\n", cls);
	snprintf(p, sizeof(p), "%s/subsystem_vendor", vfdir);
	fh_writef(p, "0x%04lx\n", sv);
	snprintf(p, sizeof(p), "%s/subsystem_device", vfdir);
	fh_writef(p, "0x%04lx\n", sd);
	snprintf(p, sizeof(p), "%s/irq", vfdir);
	fh_write(p, "0\n");
	snprintf(p, sizeof(p), "%s/enable", vfdir);
	fh_write(p, "0\n");
	snprintf(p, sizeof(p), "%s/driver_override", vfdir);
	fh_write(p, "(null)\n");
	snprintf(p, sizeof(p), "%s/uevent", vfdir);
	fh_writef(p, "PCI_CLASS=%lX\nPCI_ID=%04lX:%04lX\nPCI_SUBSYS_ID=%04lX:%04lX\n"
		  "PCI_SLOT_NAME=%s\nMODALIAS=pci:v%08lXd%08lXsv%08lXsd%08lXbc%02lXsc%02lXi%02lX\n",
		  cls, vendor, device, sv, sd, bdf, vendor, device, sv, sd,
		  cls >> 16, (cls >> 8) & 0xff, cls & 0xff);
	/* the config space says the VF's own IDs (byte 0-3) */
	snprintf(p, sizeof(p), "%s/config", vfdir);
	{
		FILE *f = fopen(p, "r+b");

		if (f) {
			unsigned char id[4] = { vendor & 0xff, vendor >> 8, device & 0xff, device >> 8 };
			unsigned char sub[4] = { sv & 0xff, sv >> 8, sd & 0xff, sd >> 8 };
			unsigned char cl[3] = { cls & 0xff, (cls >> 8) & 0xff, (cls >> 16) & 0xff };

			fwrite(id, 1, 4, f);
			fseek(f, 9, SEEK_SET);
			fwrite(cl, 1, 3, f);
			fseek(f, 0x2c, SEEK_SET);
			fwrite(sub, 1, 4, f);
			fclose(f);
		}
	}
	fh_p(l, "/sys/bus/pci");
	snprintf(p, sizeof(p), "%s/subsystem", vfdir);
	fh_symlink(l, p);
	snprintf(p, sizeof(p), "%s/physfn", vfdir);
	fh_symlink(pfdir, p);
	snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, i);
	fh_symlink(vfdir, p);
	fh_symlink(vfdir, fh_p(p, "/sys/bus/pci/devices/%s", bdf));

	/* its own IOMMU group, when the PF has one */
	snprintf(p, sizeof(p), "%s/iommu_group", pfdir);
	if (fh_link_name(p, group, sizeof(group)) == 0) {
		char gdir[FH_PATH], type[64] = "DMA";
		int g = group_base >= 0 ? (int)group_base + i : fh_group_new();

		fh_p(l, "/sys/kernel/iommu_groups/%s/type", group);
		fh_read(l, type, sizeof(type));
		fh_p(gdir, "/sys/kernel/iommu_groups/%d", g);
		snprintf(l, sizeof(l), "%s/devices", gdir);
		fh_mkdirs(l);
		snprintf(l, sizeof(l), "%s/type", gdir);
		fh_writef(l, "%s\n", type);
		snprintf(l, sizeof(l), "%s/devices/%s", gdir, bdf);
		fh_symlink(vfdir, l);
		snprintf(p, sizeof(p), "%s/iommu_group", vfdir);
		fh_symlink(gdir, p);
	}
	/* the PF driver's VF data (netlink settings: vfnl.c), defaults */
	fh_vfcfg_create(base(pfdir), i);
	fh_vgpu_vf_add(pfdir, vfdir);
	snprintf(v, sizeof(v), "PCI_SLOT_NAME=%s", bdf);
	{
		const char *extra[2] = { v, NULL };

		fh_uevent("add", vfdir, "pci", extra);
	}
	return 0;
}

static void vf_remove(const char *pfdir, int i)
{
	char p[FH_PATH], vfdir[PATH_MAX], group[32], v[128];
	const char *extra[2] = { v, NULL };

	snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, i);
	if (!realpath(p, vfdir))
		return;
	fh_pci_detach(vfdir);
	snprintf(p, sizeof(p), "%s/iommu_group", vfdir);
	if (fh_link_name(p, group, sizeof(group)) == 0) {
		char **left;
		int n;

		unlink(fh_p(p, "/sys/kernel/iommu_groups/%s/devices/%s", group, base(vfdir)));
		n = fh_list(fh_p(p, "/sys/kernel/iommu_groups/%s/devices", group), &left);
		fh_list_free(left, n);
		if (n == 0)
			fh_rmrf(fh_p(p, "/sys/kernel/iommu_groups/%s", group));
	}
	unlink(fh_p(p, "/sys/bus/pci/devices/%s", base(vfdir)));
	fh_rmrf(fh_p(p, "/fakehost/netstash/%s", base(vfdir)));
	fh_vgpu_vf_del(base(vfdir));
	snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, i);
	unlink(p);
	fh_vfcfg_remove(base(pfdir), i);
	fh_rmrf(vfdir);
	snprintf(v, sizeof(v), "PCI_SLOT_NAME=%s", base(vfdir));
	fh_uevent("remove", vfdir, "pci", extra);
}

int fh_sriov_disable(const char *pfdir)
{
	char p[FH_PATH];
	long n = attr_num(pfdir, "sriov_numvfs", 10, 0), i;

	for (i = n - 1; i >= 0; i--)
		vf_remove(pfdir, (int)i);
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	fh_write(p, "0\n");
	if (n > 0)
		fh_log("numvfs %s 0", base(pfdir));
	return 0;
}

/* sriov_numvfs_store() */
int fh_sriov_numvfs(const char *pfdir, const char *buf, size_t len)
{
	char v[32], p[FH_PATH], drv[128], meta[FH_PATH], sr[16];
	unsigned long want;
	long total, cur, i;
	char *end;

	if (len == 0 || len >= sizeof(v))
		return -EINVAL;
	memcpy(v, buf, len);
	v[len] = '\0';
	if (v[len - 1] == '\n')
		v[len - 1] = '\0';
	/* kstrtou16(buf, 0): one '+' and a base prefix allowed, nothing
	 * after; above 0xffff is the parser's ERANGE */
	end = v[0] == '+' ? v + 1 : v;
	if (!*end || *end == '-' || *end == '+' || *end == ' ')
		return -EINVAL;
	errno = 0;
	want = strtoul(end, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno || want > 0xffff)
		return -ERANGE;
	total = attr_num(pfdir, "sriov_totalvfs", 10, 0);
	if ((long)want > total)
		return -ERANGE;
	cur = attr_num(pfdir, "sriov_numvfs", 10, 0);
	if ((long)want == cur)
		return 0;
	if (fh_dev_driver(pfdir, drv, sizeof(drv)) < 0)
		return -ENOENT;	/* no driver bound to device */
	fh_p(meta, "/fakehost/drivers/%s", drv);
	if (fh_meta(meta, "sriov", sr, sizeof(sr)) == 0 && !strcmp(sr, "no"))
		return -ENOENT;	/* driver has no sriov_configure */
	if (want == 0)
		return fh_sriov_disable(pfdir);
	if (cur)
		return -EBUSY;
	{
		/* the driver's sriov_configure fails at VF k (ENOMEM in
		 * pci_iov_add_virtfn, ENOSPC for MSI-X vectors, EIO from the
		 * firmware): sriov_add_vfs() removes the VFs it added, the
		 * count stays 0 */
		int at = 0, ferr = fh_fault_vf_fail(base(pfdir), &at);

		if (ferr) {
			for (i = 0; i < (long)want && i < at; i++)
				vf_create(pfdir, (int)i);
			for (i = 0; i < (long)want && i < at; i++) {
				char vfdir[PATH_MAX];

				snprintf(p, sizeof(p), "%s/virtfn%ld", pfdir, i);
				if (realpath(p, vfdir) && attr_num(pfdir, "sriov_drivers_autoprobe", 10, 1))
					fh_pci_device_attach(vfdir);
			}
			for (i--; i >= 0; i--)
				vf_remove(pfdir, (int)i);
			return -ferr;
		}
	}
	for (i = 0; i < (long)want; i++)
		if (vf_create(pfdir, (int)i) < 0)
			break;
	snprintf(p, sizeof(p), "%s/sriov_numvfs", pfdir);
	fh_writef(p, "%ld\n", i);
	fh_log("numvfs %s %ld", base(pfdir), i);
	/* pci_bus_add_device(): probe when autoprobe is on */
	for (i = 0; i < (long)want; i++) {
		char vfdir[PATH_MAX];

		snprintf(p, sizeof(p), "%s/virtfn%ld", pfdir, i);
		if (realpath(p, vfdir) && attr_num(pfdir, "sriov_drivers_autoprobe", 10, 1))
			fh_pci_device_attach(vfdir);
	}
	return 0;
}

/* A VF bound to its VF driver gets a netdev named after the PF's: PFv<i>. */
int fh_vf_netdev(const char *vfdir, const char *drv)
{
	char pfdir[PATH_MAX], p[FH_PATH], meta[FH_PATH], vd[128], **ifs, ifname[64], fmt[64];
	char ifdir[FH_PATH], v[80];
	const char *extra[2] = { v, NULL };
	int n, i, idx = -1, ifindex = 1;

	snprintf(p, sizeof(p), "%s/physfn", vfdir);
	if (!realpath(p, pfdir))
		return 0;
	fh_p(meta, "/fakehost/pf/%s", base(pfdir));
	if (fh_meta(meta, "vf_driver", vd, sizeof(vd)) < 0 || strcmp(vd, drv))
		return 0;
	if (fh_meta(meta, "netdev", fmt, sizeof(fmt)) < 0 || !strcmp(fmt, "-"))
		return 0;
	for (i = 0; i < 4096 && idx < 0; i++) {
		char l[FH_PATH], t[PATH_MAX];

		snprintf(l, sizeof(l), "%s/virtfn%d", pfdir, i);
		if (!realpath(l, t))
			break;
		if (!strcmp(t, vfdir))
			idx = i;
	}
	/* the builder's printf format for VF i: "enp3s0f0v%d" */
	{
		char *pc = strstr(fmt, "%d");

		if (pc)
			snprintf(ifname, sizeof(ifname), "%.*s%d%s", (int)(pc - fmt), fmt,
				 idx < 0 ? 0 : idx, pc + 2);
		else
			snprintf(ifname, sizeof(ifname), "%s%d", fmt, idx < 0 ? 0 : idx);
	}

	n = fh_list(fh_p(p, "/sys/class/net"), &ifs);
	for (i = 0; i < n; i++) {
		char ip[FH_PATH], x[32];

		fh_p(ip, "/sys/class/net/%s/ifindex", ifs[i]);
		if (fh_read(ip, x, sizeof(x)) > 0 && atoi(x) >= ifindex)
			ifindex = atoi(x) + 1;
	}
	fh_list_free(ifs, n);

	snprintf(ifdir, sizeof(ifdir), "%s/net/%s", vfdir, ifname);
	fh_mkdirs(ifdir);
	snprintf(p, sizeof(p), "%s/ifindex", ifdir);
	fh_writef(p, "%d\n", ifindex);
	snprintf(p, sizeof(p), "%s/iflink", ifdir);
	fh_writef(p, "%d\n", ifindex);
	snprintf(p, sizeof(p), "%s/address", ifdir);
	{
		unsigned dom = 0, bus = 0, dev = 0, fn = 0;

		sscanf(base(vfdir), "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
		fh_writef(p, "02:00:00:%02x:%02x:%02x\n", bus & 0xff, dev & 0xff, fn & 0xff);
	}
	snprintf(p, sizeof(p), "%s/operstate", ifdir);
	fh_write(p, "down\n");
	snprintf(p, sizeof(p), "%s/type", ifdir);
	fh_write(p, "1\n");
	snprintf(p, sizeof(p), "%s/mtu", ifdir);
	fh_write(p, "1500\n");
	snprintf(p, sizeof(p), "%s/uevent", ifdir);
	fh_writef(p, "INTERFACE=%s\nIFINDEX=%d\n", ifname, ifindex);
	snprintf(p, sizeof(p), "%s/device", ifdir);
	fh_symlink(vfdir, p);
	fh_mkdirs(fh_p(p, "/sys/class/net"));
	snprintf(p, sizeof(p), "%s/subsystem", ifdir);
	fh_symlink(fh_p(meta, "/sys/class/net"), p);
	fh_symlink(ifdir, fh_p(p, "/sys/class/net/%s", ifname));
	snprintf(v, sizeof(v), "INTERFACE=%s", ifname);
	fh_uevent("add", ifdir, "net", extra);
	return 0;
}
