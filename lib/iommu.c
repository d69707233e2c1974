/* SPDX-License-Identifier: MIT */
#include "iommu.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUPS_DIR "/sys/kernel/iommu_groups"

static int cmp_group(const void *a, const void *b)
{
	const struct kp_iommu_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int read_members(struct kp_iommu_group *g)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), GROUPS_DIR "/%d/devices", g->id);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= 16)
			continue;
		if (g->ndevices == cap) {
			size_t nc = cap ? cap * 2 : 4;
			char(*nd)[16] = realloc(g->devices, nc * sizeof(*nd));

			if (!nd) {
				closedir(dir);
				return -ENOMEM;
			}
			g->devices = nd;
			cap = nc;
		}
		/* the length is checked above: a copy, not a snprintf that
		 * -O0/-O1 builds flag as a possible truncation */
		memcpy(g->devices[g->ndevices++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(dir);
	if (g->ndevices)
		qsort(g->devices, g->ndevices, sizeof(*g->devices), cmp_addr);
	return 0;
}

int kp_iommu_group_read(int id, struct kp_iommu_group *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	g->id = id;
	r = read_members(g);
	if (r < 0) {
		free(g->devices);
		g->devices = NULL;
		g->ndevices = 0;
	}
	return r;
}

int kp_iommu_groups(struct kp_iommu_group **out, size_t *nout)
{
	struct kp_iommu_group *gs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dir;
	int r = 0;

	*out = NULL;
	*nout = 0;
	dir = opendir(GROUPS_DIR);
	if (!dir)
		return -ENOENT;
	while ((e = readdir(dir))) {
		char *end;
		long id = strtol(e->d_name, &end, 10);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || id > INT_MAX)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct kp_iommu_group *ng = realloc(gs, nc * sizeof(*ng));

			if (!ng) {
				r = -ENOMEM;
				break;
			}
			gs = ng;
			cap = nc;
		}
		memset(&gs[n], 0, sizeof(gs[n]));
		gs[n].id = (int)id;
		n++;
		r = read_members(&gs[n - 1]);
		if (r < 0)
			break;
	}
	closedir(dir);
	if (r < 0) {
		kp_iommu_groups_free(gs, n);
		return r;
	}
	if (n == 0) {
		free(gs);
		return -ENOENT;
	}
	qsort(gs, n, sizeof(*gs), cmp_group);
	*out = gs;
	*nout = n;
	return 0;
}

void kp_iommu_groups_free(struct kp_iommu_group *gs, size_t n)
{
	size_t i;

	for (i = 0; i < n && gs; i++)
		free(gs[i].devices);
	free(gs);
}

int kp_iommu_enabled(void)
{
	struct dirent *e;
	int found = 0;
	DIR *dir;

	dir = opendir(GROUPS_DIR);
	if (!dir)
		return 0;
	while (!found && (e = readdir(dir)))
		found = e->d_name[0] >= '0' && e->d_name[0] <= '9';
	closedir(dir);
	return found;
}

/* A vfio-pci variant driver (mlx5_vfio_pci, hisi_acc_vfio_pci, …): its
 * module is built on vfio_pci_core, i.e. holds it. */
static int vfio_variant(const char *driver)
{
	char path[PATH_MAX], mod[64];

	if (snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/module", driver) >=
	    (int)sizeof(path) || kp_sysfs_link_name(path, mod, sizeof(mod)) <= 0)
		return 0;
	if (strcmp(mod, "vfio_pci_core") == 0)
		return 1;
	if (snprintf(path, sizeof(path), "/sys/module/vfio_pci_core/holders/%s", mod) >=
	    (int)sizeof(path))
		return 0;
	return kp_sysfs_exists(path);
}

int kp_driver_manages_dma(const char *driver)
{
	static struct {
		char name[64];
		int yes;
	} seen[16];
	static size_t nseen;
	int yes;

	if (!driver || !driver[0])
		return 0;
	/* the in-tree drivers that set driver_managed_dma besides the vfio-pci
	 * variants: drivers/vfio/pci/vfio_pci.c, drivers/pci/pci-stub.c,
	 * drivers/pci/pcie/portdrv.c */
	if (!strcmp(driver, "vfio-pci") || !strcmp(driver, "pci-stub") ||
	    !strcmp(driver, "pcieport"))
		return 1;
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i].name, driver))
			return seen[i].yes;
	yes = vfio_variant(driver);
	if (nseen < sizeof(seen) / sizeof(seen[0]) && strlen(driver) < sizeof(seen[0].name)) {
		strcpy(seen[nseen].name, driver);
		seen[nseen++].yes = yes;
	}
	return yes;
}

int kp_iommu_member_ok(const struct kp_pcidev *d, const char *driver)
{
	if (!d->driver[0])
		return 1;
	if (driver && strcmp(d->driver, driver) == 0)
		return 1;
	return kp_driver_manages_dma(d->driver);
}

int kp_iommu_members(struct kp_pci *pci, int g, struct kp_pcidev ***out, size_t *nout)
{
	size_t i, n = 0, total = kp_pci_count(pci);
	struct kp_pcidev **m;

	*out = NULL;
	*nout = 0;
	m = calloc(total ? total : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		struct kp_pcidev *d = kp_pci_dev(pci, i);

		if (d->group == g && g >= 0)
			m[n++] = d;
	}
	*out = m; /* the scan is sorted, so are the members */
	*nout = n;
	return 0;
}

int kp_iommu_group_viable(struct kp_pci *pci, int g, const char *driver)
{
	size_t i, n = 0, total = kp_pci_count(pci);
	int ok = 1;

	for (i = 0; i < total; i++) {
		struct kp_pcidev *d = kp_pci_dev(pci, i);

		if (d->group != g || g < 0)
			continue;
		n++;
		if (!kp_iommu_member_ok(d, driver))
			ok = 0;
	}
	return n ? ok : -ENOENT;
}

/* ---- why -------------------------------------------------------------- */

struct whys {
	struct kp_why *v;
	size_t n, cap;
};

static struct kp_why *why_add(struct whys *w, enum kp_why_kind kind, const struct kp_pcidev *at)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i].kind == kind && strcmp(w->v[i].bdf, at->bdf) == 0)
			return NULL; /* already there */
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 4;
		struct kp_why *nv = realloc(w->v, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		w->v = nv;
		w->cap = nc;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	w->v[w->n].kind = kind;
	w->v[w->n].pcie_type = at->pcie_type;
	snprintf(w->v[w->n].bdf, sizeof(w->v[0].bdf), "%s", at->bdf);
	return &w->v[w->n++];
}

static void list_add(char *buf, size_t n, const char *bdf)
{
	size_t len = strlen(buf);

	if (len + strlen(bdf) + 3 < n)
		snprintf(buf + len, n - len, "%s%s", len ? ", " : "", bdf);
}

/*
 * The kernel's ACS quirks (drivers/pci/quirks.c, pci_dev_acs_enabled[]):
 * devices that isolate without an ACS capability, or whose ACS the kernel
 * reads elsewhere. A subset: the families a passthrough host meets,
 * checked against the kernel's table (the AMD southbridge, Intel PCH and
 * multifunction-endpoint rows as in pci_dev_acs_enabled[]; Wangxun from
 * its mainline commit); not covered: the ARM server root ports (Cavium,
 * X-Gene/Ampere, Qualcomm/HXT, NXP, Annapurna), Zhaoxin, Loongson. Each
 * row: vendor, device range, PCIe types it applies to (0: any), and the
 * kernel's function.
 */
static const struct acs_quirk {
	unsigned vendor, first, last;
	int type; /* KP_PCIE_*, or -2 for any */
	const char *fn;
	int needs_cap; /* the quirk reads an ACS capability at a vendor offset */
} acs_quirks[] = {
	/* AMD/ATI southbridge ports: isolated when the IVRS table is there */
	{ 0x1002, 0x4383, 0x4385, -2, "pci_quirk_amd_sb_acs", 0 },
	{ 0x1002, 0x4399, 0x4399, -2, "pci_quirk_amd_sb_acs", 0 },
	{ 0x1002, 0x439c, 0x439d, -2, "pci_quirk_amd_sb_acs", 0 },
	{ 0x1022, 0x7809, 0x7809, -2, "pci_quirk_amd_sb_acs", 0 },
	{ 0x1022, 0x780f, 0x780f, -2, "pci_quirk_amd_sb_acs", 0 },
	/* Intel PCH root ports without an ACS capability: the kernel enables
	 * isolation in a chipset register (pci_quirk_enable_intel_pch_acs) */
	{ 0x8086, 0x3b42, 0x3b51, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x1c10, 0x1c1f, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x1e10, 0x1e1f, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x8c10, 0x8c1f, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x9c10, 0x9c1b, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x9c90, 0x9c9b, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x1d10, 0x1d1e, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x8d10, 0x8d1e, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	{ 0x8086, 0x8c90, 0x8c9e, KP_PCIE_ROOT_PORT, "pci_quirk_intel_pch_acs", 0 },
	/* Intel Sunrise Point / Union Point PCH root ports: the ACS control
	 * register at a non-standard offset, which the kernel enables and reads
	 * there (lspci's reading of the standard one is wrong) */
	{ 0x8086, 0xa110, 0xa11f, KP_PCIE_ROOT_PORT, "pci_quirk_intel_spt_pch_acs", 1 },
	{ 0x8086, 0xa167, 0xa16a, KP_PCIE_ROOT_PORT, "pci_quirk_intel_spt_pch_acs", 1 },
	{ 0x8086, 0xa290, 0xa29f, KP_PCIE_ROOT_PORT, "pci_quirk_intel_spt_pch_acs", 1 },
	{ 0x8086, 0xa2e7, 0xa2ee, KP_PCIE_ROOT_PORT, "pci_quirk_intel_spt_pch_acs", 1 },
	{ 0x8086, 0x9d10, 0x9d1b, KP_PCIE_ROOT_PORT, "pci_quirk_intel_spt_pch_acs", 1 },
	/* Intel root-complex integrated endpoints */
	{ 0x8086, 0x0000, 0xffff, KP_PCIE_RC_ENDPOINT, "pci_quirk_rciep_acs", 0 },
	/* multifunction endpoints without peer-to-peer between functions */
	{ 0x8086, 0x10c6, 0x10c6, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82598 */
	{ 0x8086, 0x10db, 0x10db, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10dd, 0x10dd, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10e1, 0x10e1, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10f1, 0x10f1, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10f7, 0x10fc, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82599 */
	{ 0x8086, 0x1507, 0x1507, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1514, 0x1514, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x151c, 0x151c, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1529, 0x152a, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x154d, 0x154d, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x154f, 0x154f, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1551, 0x1551, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1558, 0x1558, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1509, 0x1509, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82580 */
	{ 0x8086, 0x150e, 0x1511, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1516, 0x1516, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1527, 0x1527, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10c9, 0x10c9, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82576 */
	{ 0x8086, 0x10e6, 0x10e8, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x150a, 0x150a, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x150d, 0x150d, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1518, 0x1518, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1526, 0x1526, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10a7, 0x10a7, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82575 */
	{ 0x8086, 0x10a9, 0x10a9, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x10d6, 0x10d6, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x1521, 0x1524, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* I350 */
	{ 0x8086, 0x105e, 0x1060, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* 82571 */
	{ 0x8086, 0x10d9, 0x10d9, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x8086, 0x15b7, 0x15b9, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* I219 */
	{ 0x1924, 0x0903, 0x0903, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* Solarflare */
	{ 0x1924, 0x0923, 0x0923, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x1924, 0x0a03, 0x0a03, -2, "pci_quirk_mf_endpoint_acs", 0 },
	{ 0x19a2, 0x0710, 0x0710, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* Emulex BE3-R */
	{ 0x10df, 0x0720, 0x0720, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* Emulex Skyhawk-R */
	{ 0x14e4, 0x1750, 0x1752, -2, "pci_quirk_mf_endpoint_acs", 0 }, /* Broadcom BCM5741x */
	/* Wangxun SFxxx 1G and RP1000/RP2000 10G NICs (pci_quirk_wangxun_nic_acs) */
	{ 0x8088, 0x0100, 0x010f, -2, "pci_quirk_wangxun_nic_acs", 0 },
	{ 0x8088, 0x1001, 0x1001, -2, "pci_quirk_wangxun_nic_acs", 0 },
	{ 0x8088, 0x2001, 0x2001, -2, "pci_quirk_wangxun_nic_acs", 0 },
};

const char *kp_acs_quirk(const struct kp_pcidev *d)
{
	for (size_t i = 0; i < sizeof(acs_quirks) / sizeof(acs_quirks[0]); i++) {
		const struct acs_quirk *q = &acs_quirks[i];

		if (d->vendor != q->vendor || d->device < q->first ||
		    d->device > q->last)
			continue;
		if (q->type != -2 && q->type != d->pcie_type)
			continue;
		if (q->needs_cap && !d->has_acs)
			continue; /* no capability: the kernel's quirk does not apply */
		return q->fn;
	}
	return NULL;
}

/* The kernel's pci_acs_enabled(dev, REQ_ACS_FLAGS) (drivers/pci/pci.c):
 * 1 isolates; 0 does not, with *kind saying why. */
static int acs_enabled(const struct kp_pcidev *d, enum kp_why_kind *kind)
{
	if (kp_acs_quirk(d))
		return 1;
	switch (d->pcie_type) {
	case KP_PCIE_NONE:
		/* conventional PCI and PCI-X never isolate */
		*kind = kp_pcidev_is_bridge(d) ? KP_WHY_PCI_BRIDGE : KP_WHY_CONVENTIONAL;
		return 0;
	case KP_PCIE_PCIE_BRIDGE: /* PCI/PCI-X to PCIe: handled as PCI */
	case KP_PCIE_PCI_BRIDGE:  /* PCIe to PCI/PCI-X: ACS never applies */
	case KP_PCIE_RC_EC:       /* root complex event collector */
		*kind = d->pcie_type == KP_PCIE_PCI_BRIDGE ? KP_WHY_PCI_BRIDGE : KP_WHY_NEVER_ACS;
		return 0;
	case KP_PCIE_ROOT_PORT:
	case KP_PCIE_DOWNSTREAM:
		break;
	case KP_PCIE_ENDPOINT:
	case KP_PCIE_UPSTREAM:
	case KP_PCIE_LEGACY_ENDPOINT:
	case KP_PCIE_RC_ENDPOINT:
		if (!d->multifunction || d->physfn[0])
			return 1; /* single function: nothing to isolate from */
		break;
	default:
		return 1;
	}
	if (!d->has_acs) {
		*kind = KP_WHY_NO_ACS;
		return 0;
	}
	if (!kp_pcidev_acs_ok(d)) {
		*kind = KP_WHY_ACS_OFF;
		return 0;
	}
	return 1;
}

/* pci_acs_path_enabled(p, NULL, …): p and every bridge above it isolate. */
static int acs_path_enabled(struct kp_pci *pci, const struct kp_pcidev *p)
{
	enum kp_why_kind k;
	int hops = 0;

	while (p && hops++ < 64) {
		if (!acs_enabled(p, &k))
			return 0;
		if (!p->parent[0])
			return 1;
		p = kp_pci_find(pci, p->parent);
	}
	return 1;
}

/* Where the kernel's pci_device_group() puts d: the device whose group it
 * joins (the DMA alias of a PCI bridge above it, then up past every
 * bridge whose path does not isolate). Each bridge that made it move up
 * is handed to step(). */
static const struct kp_pcidev *anchor_of(struct kp_pci *pci, const struct kp_pcidev *d,
					 void (*step)(void *, const struct kp_pcidev *,
						      enum kp_why_kind),
					 void *arg)
{
	const struct kp_pcidev *a = d, *p;
	int hops = 0;

	/* pci_for_each_dma_alias: a conventional bridge or a PCIe-to-PCI
	 * bridge above takes the requester ID of everything behind it */
	for (p = d->parent[0] ? kp_pci_find(pci, d->parent) : NULL; p && hops++ < 64;
	     p = p->parent[0] ? kp_pci_find(pci, p->parent) : NULL)
		if (p->pcie_type == KP_PCIE_PCI_BRIDGE ||
		    (p->pcie_type == KP_PCIE_NONE && kp_pcidev_is_bridge(p))) {
			a = p;
			if (step)
				step(arg, p, KP_WHY_PCI_BRIDGE);
		}
	/* up from the alias to where the path isolates */
	hops = 0;
	while (a->parent[0] && hops++ < 64) {
		enum kp_why_kind k;

		p = kp_pci_find(pci, a->parent);
		if (!p || acs_path_enabled(pci, p))
			break;
		if (step && !acs_enabled(p, &k))
			step(arg, p, k);
		a = p;
	}
	return a;
}

struct why_ctx {
	struct whys *w;
	struct kp_pci *pci;
	const struct kp_pcidev *member;
	struct kp_pcidev **m;
	size_t n;
};

static int in_members(struct kp_pcidev **m, size_t n, const struct kp_pcidev *d)
{
	for (size_t i = 0; i < n; i++)
		if (m[i] == d)
			return 1;
	return 0;
}

static void why_step(void *arg, const struct kp_pcidev *p, enum kp_why_kind kind)
{
	struct why_ctx *c = arg;
	struct kp_why *y = NULL;

	/* a bridge outside the group is never the reason */
	if (!in_members(c->m, c->n, p) || p == c->member)
		return;
	for (size_t i = 0; i < c->w->n; i++)
		if (c->w->v[i].kind == kind && !strcmp(c->w->v[i].bdf, p->bdf))
			y = &c->w->v[i];
	if (!y) {
		y = why_add(c->w, kind, p);
		if (!y)
			return;
		if (kind == KP_WHY_ACS_OFF)
			kp_acs_missing(p->acs_ctrl | (~p->acs_cap & KP_ACS_REQUIRED), y->missing,
				       sizeof(y->missing));
	}
	if (!strstr(y->devices, c->member->bdf))
		list_add(y->devices, sizeof(y->devices), c->member->bdf);
}

static int cmp_why(const void *a, const void *b)
{
	const struct kp_why *x = a, *y = b;

	if ((x->kind == KP_WHY_MULTIFUNCTION) != (y->kind == KP_WHY_MULTIFUNCTION))
		return x->kind == KP_WHY_MULTIFUNCTION ? 1 : -1;
	return strcmp(x->bdf, y->bdf);
}

int kp_iommu_why(struct kp_pci *pci, int g, struct kp_why **out, size_t *nout)
{
	const struct kp_pcidev **anchor;
	struct kp_pcidev **m;
	struct whys w = { 0 };
	size_t n, i, j;
	int r, *explained;

	*out = NULL;
	*nout = 0;
	r = kp_iommu_members(pci, g, &m, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		free(m);
		return -ENOENT;
	}
	if (n == 1) {
		struct kp_why *y = why_add(&w, KP_WHY_ALONE, m[0]);

		if (y)
			snprintf(y->devices, sizeof(y->devices), "%s", m[0]->bdf);
		free(m);
		*out = w.v;
		*nout = w.n;
		return 0;
	}
	anchor = calloc(n, sizeof(*anchor));
	explained = calloc(n, sizeof(*explained));
	if (!anchor || !explained) {
		free(anchor);
		free(explained);
		free(m);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct why_ctx c = { &w, pci, m[i], m, n };

		anchor[i] = anchor_of(pci, m[i], why_step, &c);
	}
	/* the functions pass (get_pci_function_alias_group): the anchor's
	 * slot, when it is a multifunction device (header bit; never a VF)
	 * that does not isolate, joins its other such functions */
	for (i = 0; i < n; i++) {
		const struct kp_pcidev *a = anchor[i];
		enum kp_why_kind k;
		struct kp_why *y = NULL;

		if (!a->multifunction || a->physfn[0] || acs_enabled(a, &k))
			continue;
		for (j = 0; j < n; j++) {
			const struct kp_pcidev *b = anchor[j];

			if (b == a || b->domain != a->domain || b->bus != a->bus || b->dev != a->dev ||
			    b->physfn[0] || !b->multifunction || acs_enabled(b, &k))
				continue;
			for (size_t q = 0; q < w.n && !y; q++)
				if (w.v[q].kind == KP_WHY_MULTIFUNCTION && w.v[q].bdf[10] &&
				    !strncmp(w.v[q].bdf, a->bdf, 10))
					y = &w.v[q];
			if (!y) {
				const struct kp_pcidev *f0 = a->func < b->func ? a : b;

				y = why_add(&w, KP_WHY_MULTIFUNCTION, f0);
			}
			if (!y)
				break;
			if (!strstr(y->devices, a->bdf))
				list_add(y->devices, sizeof(y->devices), a->bdf);
			if (!strstr(y->devices, b->bdf))
				list_add(y->devices, sizeof(y->devices), b->bdf);
			explained[i] = explained[j] = 1;
		}
	}
	/* members whose anchor is another member are explained by the steps */
	for (i = 0; i < n; i++)
		if (anchor[i] != m[i] && in_members(m, n, anchor[i]))
			explained[i] = 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			if (anchor[j] == m[i] && j != i)
				explained[i] = 1;
	for (i = 0; i < n; i++) {
		int mf = 0;

		/* an anchor that is in a function group of the pass above */
		for (size_t q = 0; q < w.n; q++)
			if (w.v[q].kind == KP_WHY_MULTIFUNCTION &&
			    strstr(w.v[q].devices, anchor[i]->bdf))
				mf = 1;
		if (mf)
			explained[i] = 1;
	}
	for (i = 0; i < n; i++) {
		struct kp_why *y = NULL;

		if (explained[i])
			continue;
		/* DMA aliases the kernel knows from quirks or firmware (IVRS,
		 * DMAR): nothing on the PCI path says so */
		for (size_t q = 0; q < w.n && !y; q++)
			if (w.v[q].kind == KP_WHY_UNKNOWN)
				y = &w.v[q];
		if (!y)
			y = why_add(&w, KP_WHY_UNKNOWN, m[i]);
		if (y)
			list_add(y->devices, sizeof(y->devices), m[i]->bdf);
	}
	if (w.n > 1)
		qsort(w.v, w.n, sizeof(*w.v), cmp_why);
	free(anchor);
	free(explained);
	free(m);
	*out = w.v;
	*nout = w.n;
	return 0;
}

const char *kp_why_kind_name(enum kp_why_kind k)
{
	switch (k) {
	case KP_WHY_ALONE: return "alone";
	case KP_WHY_NO_ACS: return "no_acs";
	case KP_WHY_ACS_OFF: return "acs_disabled";
	case KP_WHY_PCI_BRIDGE: return "pci_bridge";
	case KP_WHY_MULTIFUNCTION: return "multifunction";
	case KP_WHY_UNKNOWN: return "platform";
	case KP_WHY_NEVER_ACS: return "never_isolates";
	case KP_WHY_CONVENTIONAL: return "conventional_pci";
	}
	return "unknown";
}
