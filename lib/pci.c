/* SPDX-License-Identifier: MIT */
#include "pci.h"
#include "root.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

struct kp_pci {
	struct kp_pcidev *devs;
	size_t n;
};

/* libpci's error hook must not return; it jumps back to the scan. */
static __thread jmp_buf *pci_jmp;

static void PCI_NONRET pci_error_hook(char *msg, ...)
{
	(void)msg;
	if (pci_jmp)
		longjmp(*pci_jmp, 1);
	abort();
}

static void pci_quiet_hook(char *msg, ...)
{
	(void)msg;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct kp_pcidev *x = a, *y = b;

	return strcmp(x->bdf, y->bdf);
}

static void read_driver(struct kp_pcidev *d)
{
	char path[PATH_MAX], buf[64];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", d->bdf);
	if (kp_sysfs_link_name(path, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	d->driver_override[0] = '\0';
	if (kp_sysfs_readf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/driver_override",
			   d->bdf) > 0 && strcmp(buf, "(null)") != 0)
		snprintf(d->driver_override, sizeof(d->driver_override), "%s", buf);
}

static void read_group(struct kp_pcidev *d)
{
	char path[PATH_MAX], buf[32], *end;
	long g;

	d->group = -1;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", d->bdf);
	if (kp_sysfs_link_name(path, buf, sizeof(buf)) <= 0)
		return;
	g = strtol(buf, &end, 10);
	if (*end == '\0' && g >= 0 && g < INT_MAX)
		d->group = (int)g;
}

/* The upstream bridge: the path component before ours, when it is a BDF. */
static void read_parent(struct kp_pcidev *d)
{
	char path[PATH_MAX], target[PATH_MAX], *last, *prev;
	ssize_t len;

	d->parent[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->bdf);
	len = readlink(path, target, sizeof(target) - 1);
	if (len <= 0)
		return;
	target[len] = '\0';
	last = strrchr(target, '/');
	if (!last)
		return;
	*last = '\0';
	prev = strrchr(target, '/');
	prev = prev ? prev + 1 : target;
	if (strlen(prev) == 12 && prev[4] == ':' && prev[7] == ':' && prev[10] == '.')
		snprintf(d->parent, sizeof(d->parent), "%s", prev);
}

static void read_net(struct kp_pcidev *d)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t len = 0;
	DIR *dir;

	d->net[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/net", d->bdf);
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir))) {
		int w;

		if (e->d_name[0] == '.')
			continue;
		w = snprintf(d->net + len, sizeof(d->net) - len, "%s%s", len ? "," : "",
			     e->d_name);
		if (w < 0 || (size_t)w >= sizeof(d->net) - len) {
			d->net[len] = '\0';
			break;
		}
		len += (size_t)w;
	}
	closedir(dir);
}

/* Classes that SR-IOV physical and virtual functions come in. */
static int sriov_class(unsigned class)
{
	unsigned base = class >> 16;

	return base == 0x01 || base == 0x02 || base == 0x03 || base == 0x0b || base == 0x12;
}

static void read_detail(struct kp_pcidev *d, unsigned fill)
{
	char buf[128], path[PATH_MAX];
	long v;
	int r;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/numa_node", d->bdf);
	d->numa_node = kp_sysfs_read_long(path, &v) == 0 && v >= 0 ? (int)v : -1;

	if (d->class >> 16 == 0x02)
		read_net(d);

	r = kp_sysfs_readf(buf, sizeof(buf), "/sys/bus/pci/devices/%s/reset_method", d->bdf);
	d->has_reset_method = r >= 0;
	snprintf(d->reset_method, sizeof(d->reset_method), "%s", r > 0 ? buf : "");

	/* the kernel makes boot_vga for VGA-class devices only */
	d->boot_vga = -1;
	if (d->class >> 8 == 0x0300) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/boot_vga", d->bdf);
		if (kp_sysfs_read_long(path, &v) == 0)
			d->boot_vga = v != 0;
	}

	d->physfn[0] = '\0';
	d->sriov_totalvfs = -1;
	if (!sriov_class(d->class))
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", d->bdf);
	if (kp_sysfs_link_name(path, d->physfn, sizeof(d->physfn)) < 0)
		d->physfn[0] = '\0';
	if ((fill & KP_PCI_CAPS) && !d->has_sriov)
		return;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_totalvfs", d->bdf);
	d->sriov_totalvfs = kp_sysfs_read_long(path, &v) == 0 ? (int)v : -1;
}

/* Capabilities, from the config space cached by read_config. */
static void read_caps(struct pci_dev *p, struct kp_pcidev *d)
{
	struct pci_cap *cap;

	d->pcie_type = KP_PCIE_NONE;
	d->flr = -1;
	if (!d->config_ok)
		return;
	pci_fill_info(p, PCI_FILL_CAPS | PCI_FILL_EXT_CAPS);
	cap = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (cap) {
		u16 flags = pci_read_word(p, cap->addr + PCI_EXP_FLAGS);
		u32 devcap = pci_read_long(p, cap->addr + PCI_EXP_DEVCAP);

		d->pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
		d->flr = (devcap & PCI_EXP_DEVCAP_FLRESET) != 0;
	}
	cap = pci_find_cap(p, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	if (cap) {
		d->has_acs = 1;
		d->acs_cap = pci_read_word(p, cap->addr + PCI_ACS_CAP);
		d->acs_ctrl = pci_read_word(p, cap->addr + PCI_ACS_CTRL);
	}
	d->has_sriov = pci_find_cap(p, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED) != NULL;
}

static void read_names(struct pci_access *a, struct kp_pcidev *d)
{
	char buf[256], *s;

	s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS,
			    d->vendor);
	snprintf(d->vendor_name, sizeof(d->vendor_name), "%s", s ? s : "");
	s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS,
			    d->vendor, d->device);
	snprintf(d->device_name, sizeof(d->device_name), "%s", s ? s : "");
	s = pci_lookup_name(a, buf, sizeof(buf), PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS,
			    d->class >> 8);
	snprintf(d->class_name, sizeof(d->class_name), "%s", s ? s : "");
}

static u16 le16(const u8 *b)
{
	return (u16)(b[0] | b[1] << 8);
}

/*
 * Read the config space in as few reads as the kernel allows (the standard
 * header, then the rest, then the extended space when there is one) and
 * hand it to libpci as the device's cache, so that its capability walk
 * costs no further read. Identity comes from the same bytes; an SR-IOV VF
 * (vendor 0xffff in its config space) and an unreadable config space fall
 * back to libpci's sysfs attributes. Returns the bytes cached.
 */
static int read_config(struct pci_dev *p, struct kp_pcidev *d, u8 *cfg, unsigned fill)
{
	int len = 0;

	if (pci_read_block(p, 0, cfg, 64)) {
		len = 64;
		if ((fill & KP_PCI_CAPS) && pci_read_block(p, 64, cfg + 64, 192)) {
			len = 256;
			if (pci_read_block(p, 256, cfg + 256, 4096 - 256))
				len = 4096;
		}
	}
	if (len && le16(cfg + PCI_VENDOR_ID) != 0xffff) {
		u8 htype = cfg[PCI_HEADER_TYPE] & 0x7f;

		d->config_ok = 1;
		d->multifunction = (cfg[PCI_HEADER_TYPE] & 0x80) != 0;
		d->vendor = le16(cfg + PCI_VENDOR_ID);
		d->device = le16(cfg + PCI_DEVICE_ID);
		d->revision = cfg[PCI_REVISION_ID];
		d->class = (unsigned)cfg[PCI_CLASS_DEVICE + 1] << 16 |
			   (unsigned)cfg[PCI_CLASS_DEVICE] << 8 | cfg[PCI_CLASS_PROG];
		if (htype == PCI_HEADER_TYPE_NORMAL) {
			d->subvendor = le16(cfg + PCI_SUBSYSTEM_VENDOR_ID);
			d->subdevice = le16(cfg + PCI_SUBSYSTEM_ID);
		}
		pci_setup_cache(p, cfg, len);
		return len;
	}
	pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
	d->vendor = p->vendor_id;
	d->device = p->device_id;
	d->subvendor = p->subsys_vendor_id;
	d->subdevice = p->subsys_id;
	d->class = ((unsigned)p->device_class << 8) | p->prog_if;
	d->revision = p->rev_id;
	if (len) {
		d->config_ok = 1;
		d->multifunction = (cfg[PCI_HEADER_TYPE] & 0x80) != 0;
		pci_setup_cache(p, cfg, len);
	}
	return len;
}

static int do_scan(struct pci_access *a, struct kp_pci *ctx, unsigned fill)
{
	struct pci_dev *p;
	size_t cap = 0;
	u8 cfg[4096];

	pci_scan_bus(a);
	for (p = a->devices; p; p = p->next) {
		struct kp_pcidev *d;

		if (ctx->n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct kp_pcidev *nd = realloc(ctx->devs, nc * sizeof(*nd));

			if (!nd)
				return -ENOMEM;
			ctx->devs = nd;
			cap = nc;
		}
		d = &ctx->devs[ctx->n++];
		memset(d, 0, sizeof(*d));
		d->domain = (unsigned)p->domain;
		d->bus = p->bus;
		d->dev = p->dev;
		d->func = p->func;
		snprintf(d->bdf, sizeof(d->bdf), "%04x:%02x:%02x.%u", d->domain & 0xffff,
			 d->bus & 0xff, d->dev & 0x1f, d->func & 7);
		read_config(p, d, cfg, fill);
		d->pcie_type = KP_PCIE_NONE;
		d->flr = -1;
		d->numa_node = -1;
		d->boot_vga = -1;
		d->sriov_totalvfs = -1;
		read_driver(d);
		read_group(d);
		read_parent(d);
		if (fill & KP_PCI_CAPS)
			read_caps(p, d);
		if (fill & KP_PCI_NAMES)
			read_names(a, d);
		if (fill & KP_PCI_DETAIL)
			read_detail(d, fill);
		pci_setup_cache(p, NULL, 0); /* cfg is reused for the next device */
	}
	return 0;
}

int kp_pci_scan(struct kp_pci **out, unsigned fill)
{
	struct pci_access *a;
	struct kp_pci *ctx;
	jmp_buf jb;
	char ids[PATH_MAX];
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	a = pci_alloc();
	if (!a) {
		free(ctx);
		return -ENOMEM;
	}
	a->error = pci_error_hook;
	a->warning = pci_quiet_hook;
	a->debug = pci_quiet_hook;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	a->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	if (kp_root()[0] && kp_path(ids, sizeof(ids), "/usr/share/misc/pci.ids") == 0 &&
	    access(ids, R_OK) == 0)
		pci_set_name_list_path(a, ids, 0);

	pci_jmp = &jb;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		pci_cleanup(a);
		free(ctx->devs);
		free(ctx);
		/* libpci gave up: no sysfs PCI bus, or an unreadable one */
		return kp_sysfs_exists("/sys/bus/pci/devices") ? -EIO : -ENOENT;
	}
	pci_init(a);
	r = do_scan(a, ctx, fill);
	pci_jmp = NULL;
	pci_cleanup(a);
	if (r < 0) {
		free(ctx->devs);
		free(ctx);
		return r;
	}
	if (ctx->n)
		qsort(ctx->devs, ctx->n, sizeof(*ctx->devs), cmp_dev);
	*out = ctx;
	return 0;
}

int kp_pci_from_devs(struct kp_pci **out, const struct kp_pcidev *devs, size_t n)
{
	struct kp_pci *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->devs = malloc((n ? n : 1) * sizeof(*devs));
	if (!ctx->devs) {
		free(ctx);
		return -ENOMEM;
	}
	if (n)
		memcpy(ctx->devs, devs, n * sizeof(*devs));
	ctx->n = n;
	if (n)
		qsort(ctx->devs, n, sizeof(*ctx->devs), cmp_dev);
	*out = ctx;
	return 0;
}

void kp_pci_free(struct kp_pci *ctx)
{
	if (!ctx)
		return;
	free(ctx->devs);
	free(ctx);
}

size_t kp_pci_count(const struct kp_pci *ctx)
{
	return ctx->n;
}

struct kp_pcidev *kp_pci_dev(struct kp_pci *ctx, size_t i)
{
	return i < ctx->n ? &ctx->devs[i] : NULL;
}

struct kp_pcidev *kp_pci_find(struct kp_pci *ctx, const char *bdf)
{
	struct kp_pcidev key;

	if (!ctx->n)
		return NULL;
	snprintf(key.bdf, sizeof(key.bdf), "%s", bdf);
	return bsearch(&key, ctx->devs, ctx->n, sizeof(*ctx->devs), cmp_dev);
}

struct kp_pcidev *kp_pci_find_net(struct kp_pci *ctx, const char *ifname)
{
	size_t i, l = strlen(ifname);

	for (i = 0; i < ctx->n; i++) {
		const char *s = ctx->devs[i].net;

		while (*s) {
			size_t w = strcspn(s, ",");

			if (w == l && strncmp(s, ifname, l) == 0)
				return &ctx->devs[i];
			s += w;
			if (*s == ',')
				s++;
		}
	}
	return NULL;
}

int kp_pcidev_refresh(struct kp_pcidev *d)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->bdf);
	if (!kp_sysfs_exists(path))
		return -ENODEV;
	read_driver(d);
	read_group(d);
	return 0;
}

int kp_pcidev_is_bridge(const struct kp_pcidev *d)
{
	unsigned c = d->class >> 8;

	return c == 0x0604 || c == 0x0609;
}

int kp_pcidev_acs_ok(const struct kp_pcidev *d)
{
	unsigned need;

	if (!d->has_acs)
		return 0;
	/* a control bit only counts when the capability offers it; the
	 * kernel treats an absent capability as not needed (pci_acs_flags_enabled) */
	need = KP_ACS_REQUIRED & d->acs_cap;
	return (d->acs_ctrl & need) == need;
}

void kp_acs_missing(unsigned ctrl, char *buf, size_t n)
{
	static const struct {
		unsigned bit;
		const char *name;
	} bits[] = { { 0x01, "SV" }, { 0x04, "RR" }, { 0x08, "CR" }, { 0x10, "UF" } };
	size_t i, len = 0;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		int w;

		if (ctrl & bits[i].bit)
			continue;
		w = snprintf(buf + len, n - len, "%s%s", len ? " " : "", bits[i].name);
		if (w < 0 || (size_t)w >= n - len) {
			buf[len] = '\0'; /* whole words only */
			return;
		}
		len += (size_t)w;
	}
}

const char *kp_pcie_type_name(int type)
{
	switch (type) {
	case KP_PCIE_NONE: return "conventional PCI";
	case KP_PCIE_ENDPOINT: return "endpoint";
	case KP_PCIE_LEGACY_ENDPOINT: return "legacy endpoint";
	case KP_PCIE_ROOT_PORT: return "root port";
	case KP_PCIE_UPSTREAM: return "switch upstream port";
	case KP_PCIE_DOWNSTREAM: return "switch downstream port";
	case KP_PCIE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
	case KP_PCIE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case KP_PCIE_RC_ENDPOINT: return "root complex integrated endpoint";
	case KP_PCIE_RC_EC: return "root complex event collector";
	}
	return "unknown";
}

const char *kp_pci_class_word(unsigned class)
{
	switch (class >> 16) {
	case 0x01: return "storage";
	case 0x02: return "net";
	case 0x03: return "display";
	case 0x04: return "multimedia";
	case 0x06: return "bridge";
	case 0x07: return "serial";
	case 0x0c: return (class >> 8) == 0x0c03 ? "usb" : "serial-bus";
	case 0x10: return "crypto";
	case 0x12: return "accel";
	}
	return "other";
}

void kp_pcidev_resets(const struct kp_pcidev *d, char *buf, size_t n)
{
	if (d->has_reset_method)
		snprintf(buf, n, "%s", d->reset_method);
	else
		snprintf(buf, n, "%s", d->flr == 1 ? "flr" : "");
}

int kp_pcidev_can_reset(const struct kp_pcidev *d)
{
	char buf[128];

	kp_pcidev_resets(d, buf, sizeof(buf));
	return buf[0] != '\0';
}
