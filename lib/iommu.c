/* SPDX-License-Identifier: MIT */
#include "iommu.h"
#include "acpi.h"
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
 * The kernel's ACS quirks: pci_dev_acs_enabled[] and its functions in
 * drivers/pci/quirks.c, ported from linux-next 26f71eab75e2 (the 6.19
 * cycle; the same table as 6.18 plus the Qualcomm Hamoa and Glymur root
 * ports). pci_dev_specific_acs_enabled() walks the rows in order; the first
 * row whose vendor and device match (or PCI_ANY_ID) and whose function
 * answers >= 0 decides: 1 isolates, 0 does not (whatever the ACS
 * capability says), -ENOTTY (here -1) goes on to the next row and, after
 * the last, to the standard rule. acs_flags is always REQ_ACS_FLAGS
 * (SV RR CR UF) here, which every function below either covers or not as
 * a whole, so each returns 1 where the kernel's pci_acs_ctrl_enabled()
 * would.
 */
enum acs_fn {
	Q_AMD_SB, Q_MF_ENDPOINT, Q_RCIEP, Q_INTEL_PCH, Q_INTEL_SPT, Q_QCOM_RP, Q_NXP_RP,
	Q_AL, Q_CAVIUM, Q_XGENE, Q_ZHAOXIN_PORTS, Q_BRCM, Q_LOONGSON, Q_WANGXUN,
};

static const char *const acs_fn_name[] = {
	[Q_AMD_SB] = "pci_quirk_amd_sb_acs",
	[Q_MF_ENDPOINT] = "pci_quirk_mf_endpoint_acs",
	[Q_RCIEP] = "pci_quirk_rciep_acs",
	[Q_INTEL_PCH] = "pci_quirk_intel_pch_acs",
	[Q_INTEL_SPT] = "pci_quirk_intel_spt_pch_acs",
	[Q_QCOM_RP] = "pci_quirk_qcom_rp_acs",
	[Q_NXP_RP] = "pci_quirk_nxp_rp_acs",
	[Q_AL] = "pci_quirk_al_acs",
	[Q_CAVIUM] = "pci_quirk_cavium_acs",
	[Q_XGENE] = "pci_quirk_xgene_acs",
	[Q_ZHAOXIN_PORTS] = "pci_quirk_zhaoxin_pcie_ports_acs",
	[Q_BRCM] = "pci_quirk_brcm_acs",
	[Q_LOONGSON] = "pci_quirk_loongson_acs",
	[Q_WANGXUN] = "pci_quirk_wangxun_nic_acs",
};

#define ANY_ID 0x10000 /* PCI_ANY_ID */

static const struct acs_row {
	unsigned vendor, device;
	enum acs_fn fn;
} acs_rows[] = {
	{ 0x1002, 0x4385, Q_AMD_SB }, /* PCI_VENDOR_ID_ATI */
	{ 0x1002, 0x439c, Q_AMD_SB },
	{ 0x1002, 0x4383, Q_AMD_SB },
	{ 0x1002, 0x439d, Q_AMD_SB },
	{ 0x1002, 0x4384, Q_AMD_SB },
	{ 0x1002, 0x4399, Q_AMD_SB },
	{ 0x1022, 0x780f, Q_AMD_SB }, /* PCI_VENDOR_ID_AMD */
	{ 0x1022, 0x7809, Q_AMD_SB },
	{ 0x1924, 0x0903, Q_MF_ENDPOINT }, /* Solarflare */
	{ 0x1924, 0x0923, Q_MF_ENDPOINT },
	{ 0x1924, 0x0a03, Q_MF_ENDPOINT },
	{ 0x8086, 0x10c6, Q_MF_ENDPOINT }, /* Intel 82598 … */
	{ 0x8086, 0x10db, Q_MF_ENDPOINT },
	{ 0x8086, 0x10dd, Q_MF_ENDPOINT },
	{ 0x8086, 0x10e1, Q_MF_ENDPOINT },
	{ 0x8086, 0x10f1, Q_MF_ENDPOINT },
	{ 0x8086, 0x10f7, Q_MF_ENDPOINT },
	{ 0x8086, 0x10f8, Q_MF_ENDPOINT },
	{ 0x8086, 0x10f9, Q_MF_ENDPOINT },
	{ 0x8086, 0x10fa, Q_MF_ENDPOINT },
	{ 0x8086, 0x10fb, Q_MF_ENDPOINT },
	{ 0x8086, 0x10fc, Q_MF_ENDPOINT },
	{ 0x8086, 0x1507, Q_MF_ENDPOINT },
	{ 0x8086, 0x1514, Q_MF_ENDPOINT },
	{ 0x8086, 0x151c, Q_MF_ENDPOINT },
	{ 0x8086, 0x1529, Q_MF_ENDPOINT },
	{ 0x8086, 0x152a, Q_MF_ENDPOINT },
	{ 0x8086, 0x154d, Q_MF_ENDPOINT },
	{ 0x8086, 0x154f, Q_MF_ENDPOINT },
	{ 0x8086, 0x1551, Q_MF_ENDPOINT },
	{ 0x8086, 0x1558, Q_MF_ENDPOINT },
	{ 0x8086, 0x1509, Q_MF_ENDPOINT }, /* 82580 */
	{ 0x8086, 0x150e, Q_MF_ENDPOINT },
	{ 0x8086, 0x150f, Q_MF_ENDPOINT },
	{ 0x8086, 0x1510, Q_MF_ENDPOINT },
	{ 0x8086, 0x1511, Q_MF_ENDPOINT },
	{ 0x8086, 0x1516, Q_MF_ENDPOINT },
	{ 0x8086, 0x1527, Q_MF_ENDPOINT },
	{ 0x8086, 0x10c9, Q_MF_ENDPOINT }, /* 82576 */
	{ 0x8086, 0x10e6, Q_MF_ENDPOINT },
	{ 0x8086, 0x10e7, Q_MF_ENDPOINT },
	{ 0x8086, 0x10e8, Q_MF_ENDPOINT },
	{ 0x8086, 0x150a, Q_MF_ENDPOINT },
	{ 0x8086, 0x150d, Q_MF_ENDPOINT },
	{ 0x8086, 0x1518, Q_MF_ENDPOINT },
	{ 0x8086, 0x1526, Q_MF_ENDPOINT },
	{ 0x8086, 0x10a7, Q_MF_ENDPOINT }, /* 82575 */
	{ 0x8086, 0x10a9, Q_MF_ENDPOINT },
	{ 0x8086, 0x10d6, Q_MF_ENDPOINT },
	{ 0x8086, 0x1521, Q_MF_ENDPOINT }, /* I350 */
	{ 0x8086, 0x1522, Q_MF_ENDPOINT },
	{ 0x8086, 0x1523, Q_MF_ENDPOINT },
	{ 0x8086, 0x1524, Q_MF_ENDPOINT },
	{ 0x8086, 0x105e, Q_MF_ENDPOINT }, /* 82571 (the quads omitted: non-ACS switch) */
	{ 0x8086, 0x105f, Q_MF_ENDPOINT },
	{ 0x8086, 0x1060, Q_MF_ENDPOINT },
	{ 0x8086, 0x10d9, Q_MF_ENDPOINT },
	{ 0x8086, 0x15b7, Q_MF_ENDPOINT }, /* I219 */
	{ 0x8086, 0x15b8, Q_MF_ENDPOINT },
	{ 0x8086, ANY_ID, Q_RCIEP },
	{ 0x17cb, 0x0400, Q_QCOM_RP }, /* QCOM QDF2xxx root ports */
	{ 0x17cb, 0x0401, Q_QCOM_RP },
	{ 0x17cb, 0x0115, Q_QCOM_RP }, /* QCOM SA8775P */
	{ 0x17cb, 0x0111, Q_QCOM_RP }, /* QCOM Hamoa */
	{ 0x17cb, 0x0120, Q_QCOM_RP }, /* QCOM Glymur */
	{ 0x1dbf, 0x0401, Q_QCOM_RP }, /* HXT SD4800 */
	{ 0x8086, ANY_ID, Q_INTEL_PCH },
	{ 0x8086, ANY_ID, Q_INTEL_SPT },
	{ 0x19a2, 0x0710, Q_MF_ENDPOINT }, /* Emulex BE3-R */
	{ 0x10df, 0x0720, Q_MF_ENDPOINT }, /* Emulex Skyhawk-R */
	{ 0x177d, ANY_ID, Q_CAVIUM }, /* Cavium ThunderX root ports */
	{ 0x177d, 0xa026, Q_MF_ENDPOINT }, /* Cavium multi-function devices */
	{ 0x177d, 0xa059, Q_MF_ENDPOINT },
	{ 0x177d, 0xa060, Q_MF_ENDPOINT },
	{ 0x10e8, 0xe004, Q_XGENE }, /* APM X-Gene */
	{ 0x1def, 0xe005, Q_XGENE }, /* Ampere Computing */
	{ 0x1def, 0xe006, Q_XGENE },
	{ 0x1def, 0xe007, Q_XGENE },
	{ 0x1def, 0xe008, Q_XGENE },
	{ 0x1def, 0xe009, Q_XGENE },
	{ 0x1def, 0xe00a, Q_XGENE },
	{ 0x1def, 0xe00b, Q_XGENE },
	{ 0x1def, 0xe00c, Q_XGENE },
	{ 0x14e4, 0x16d7, Q_MF_ENDPOINT }, /* Broadcom multi-function devices */
	{ 0x14e4, 0x1750, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1751, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1752, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1760, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1761, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1762, Q_MF_ENDPOINT },
	{ 0x14e4, 0x1763, Q_MF_ENDPOINT },
	{ 0x14e4, 0xd714, Q_BRCM }, /* Broadcom iProc PAXB root port */
	{ 0x0014, 0x3c09, Q_LOONGSON }, /* Loongson PCIe root ports */
	{ 0x0014, 0x3c19, Q_LOONGSON },
	{ 0x0014, 0x3c29, Q_LOONGSON },
	{ 0x0014, 0x7a09, Q_LOONGSON },
	{ 0x0014, 0x7a19, Q_LOONGSON },
	{ 0x0014, 0x7a29, Q_LOONGSON },
	{ 0x0014, 0x7a39, Q_LOONGSON },
	{ 0x0014, 0x7a49, Q_LOONGSON },
	{ 0x0014, 0x7a59, Q_LOONGSON },
	{ 0x0014, 0x7a69, Q_LOONGSON },
	{ 0x1c36, 0x0031, Q_AL }, /* Amazon Annapurna Labs */
	{ 0x1d17, 0x3038, Q_MF_ENDPOINT }, /* Zhaoxin multi-function devices */
	{ 0x1d17, 0x3104, Q_MF_ENDPOINT },
	{ 0x1d17, 0x9083, Q_MF_ENDPOINT },
	{ 0x1957, 0x8d81, Q_NXP_RP }, /* NXP LX2xx0A */
	{ 0x1957, 0x8da1, Q_NXP_RP },
	{ 0x1957, 0x8d83, Q_NXP_RP },
	{ 0x1957, 0x8d80, Q_NXP_RP }, /* LX2xx0C */
	{ 0x1957, 0x8da0, Q_NXP_RP },
	{ 0x1957, 0x8d82, Q_NXP_RP },
	{ 0x1957, 0x8d90, Q_NXP_RP }, /* LX2xx0E */
	{ 0x1957, 0x8db0, Q_NXP_RP },
	{ 0x1957, 0x8d92, Q_NXP_RP },
	{ 0x1957, 0x8d91, Q_NXP_RP }, /* LX2xx0N */
	{ 0x1957, 0x8db1, Q_NXP_RP },
	{ 0x1957, 0x8d93, Q_NXP_RP },
	{ 0x1957, 0x8d89, Q_NXP_RP }, /* LX2xx2A */
	{ 0x1957, 0x8da9, Q_NXP_RP },
	{ 0x1957, 0x8d8b, Q_NXP_RP },
	{ 0x1957, 0x8d88, Q_NXP_RP }, /* LX2xx2C */
	{ 0x1957, 0x8da8, Q_NXP_RP },
	{ 0x1957, 0x8d8a, Q_NXP_RP },
	{ 0x1957, 0x8d98, Q_NXP_RP }, /* LX2xx2E */
	{ 0x1957, 0x8db8, Q_NXP_RP },
	{ 0x1957, 0x8d9a, Q_NXP_RP },
	{ 0x1957, 0x8d99, Q_NXP_RP }, /* LX2xx2N */
	{ 0x1957, 0x8db9, Q_NXP_RP },
	{ 0x1957, 0x8d9b, Q_NXP_RP },
	{ 0x1d17, ANY_ID, Q_ZHAOXIN_PORTS }, /* Zhaoxin root and downstream ports */
	{ 0x8088, ANY_ID, Q_WANGXUN }, /* Wangxun NICs */
};

/* pci_quirk_intel_pch_acs_ids[]: Intel's list (Red Hat bugzilla 1037684);
 * not ranges: Patsburg and the 9 series have the even IDs only */
static const unsigned short intel_pch_ids[] = {
	0x3b42, 0x3b43, 0x3b44, 0x3b45, 0x3b46, 0x3b47, 0x3b48, 0x3b49, /* Ibexpeak */
	0x3b4a, 0x3b4b, 0x3b4c, 0x3b4d, 0x3b4e, 0x3b4f, 0x3b50, 0x3b51,
	0x1c10, 0x1c11, 0x1c12, 0x1c13, 0x1c14, 0x1c15, 0x1c16, 0x1c17, /* Cougarpoint */
	0x1c18, 0x1c19, 0x1c1a, 0x1c1b, 0x1c1c, 0x1c1d, 0x1c1e, 0x1c1f,
	0x1e10, 0x1e11, 0x1e12, 0x1e13, 0x1e14, 0x1e15, 0x1e16, 0x1e17, /* Pantherpoint */
	0x1e18, 0x1e19, 0x1e1a, 0x1e1b, 0x1e1c, 0x1e1d, 0x1e1e, 0x1e1f,
	0x8c10, 0x8c11, 0x8c12, 0x8c13, 0x8c14, 0x8c15, 0x8c16, 0x8c17, /* Lynxpoint-H */
	0x8c18, 0x8c19, 0x8c1a, 0x8c1b, 0x8c1c, 0x8c1d, 0x8c1e, 0x8c1f,
	0x9c10, 0x9c11, 0x9c12, 0x9c13, 0x9c14, 0x9c15, 0x9c16, 0x9c17, /* Lynxpoint-LP */
	0x9c18, 0x9c19, 0x9c1a, 0x9c1b,
	0x9c90, 0x9c91, 0x9c92, 0x9c93, 0x9c94, 0x9c95, 0x9c96, 0x9c97, /* Wildcat */
	0x9c98, 0x9c99, 0x9c9a, 0x9c9b,
	0x1d10, 0x1d12, 0x1d14, 0x1d16, 0x1d18, 0x1d1a, 0x1d1c, 0x1d1e, /* Patsburg (X79) */
	0x8d10, 0x8d11, 0x8d12, 0x8d13, 0x8d14, 0x8d15, 0x8d16, 0x8d17, /* Wellsburg (X99) */
	0x8d18, 0x8d19, 0x8d1a, 0x8d1b, 0x8d1c, 0x8d1d, 0x8d1e,
	0x8c90, 0x8c92, 0x8c94, 0x8c96, 0x8c98, 0x8c9a, 0x8c9c, 0x8c9e, /* Lynx Point (9 series) */
};

static int in_range(unsigned v, unsigned lo, unsigned hi)
{
	return v >= lo && v <= hi;
}

/* One row's function: 1, 0, or -1 (-ENOTTY/-ENODEV: the next row). */
static int acs_fn_eval(enum acs_fn fn, const struct kp_pcidev *d)
{
	int pcie = d->pcie_type != KP_PCIE_NONE; /* pci_is_pcie() */
	unsigned id = d->device;
	size_t i;

	switch (fn) {
	case Q_AMD_SB:
		/* multifunction devices of the southbridge (on a root bus), and
		 * only with an AMD IOMMU (the IVRS table); RR CR are what a
		 * multifunction device needs, and these redirect everything */
		if (!d->multifunction || d->parent[0] || !kp_acpi_has_table("IVRS"))
			return -1;
		return 1;
	case Q_MF_ENDPOINT:
	case Q_QCOM_RP:
	case Q_NXP_RP:
	case Q_XGENE:
	case Q_BRCM:
	case Q_LOONGSON:
		return 1; /* by ID alone, whatever the type */
	case Q_RCIEP:
		return d->pcie_type == KP_PCIE_RC_ENDPOINT ? 1 : -1;
	case Q_INTEL_PCH:
		if (!pcie || d->pcie_type != KP_PCIE_ROOT_PORT)
			return -1;
		for (i = 0; i < sizeof(intel_pch_ids) / sizeof(intel_pch_ids[0]); i++)
			if (intel_pch_ids[i] == id)
				/* 1 once pci_quirk_enable_intel_pch_acs() set
				 * PCI_DEV_FLAGS_ACS_ENABLED_QUIRK, which it does at
				 * enumeration whenever an IOMMU asked for ACS (the
				 * kernel logs "Intel PCH root port ACS workaround
				 * enabled"; only firmware without an RCBA makes it
				 * fail, and that is not visible from userspace) */
				return 1;
		return -1;
	case Q_INTEL_SPT:
		if (!pcie || d->pcie_type != KP_PCIE_ROOT_PORT)
			return -1;
		if (!in_range(id, 0xa110, 0xa11f) && !in_range(id, 0xa167, 0xa16a) &&
		    !in_range(id, 0xa290, 0xa29f) && !in_range(id, 0xa2e7, 0xa2ee) &&
		    !in_range(id, 0x9d10, 0x9d1b))
			return -1;
		if (!d->has_acs)
			return -1; /* no capability: the standard rule, which fails */
		/* the control dword at the capability + 8, which
		 * pci_quirk_enable_intel_spt_pch_acs() set at enumeration to
		 * every SV RR CR UF bit the capability has (the standard
		 * control word, which lspci shows, is not the one that counts) */
		return 1;
	case Q_AL:
		return d->pcie_type == KP_PCIE_ROOT_PORT ? 1 : -1;
	case Q_CAVIUM:
		if (!pcie || d->pcie_type != KP_PCIE_ROOT_PORT)
			return -1;
		return in_range(id, 0xa000, 0xa7ff) || id == 0xaf84 || id == 0xb884 ? 1 : -1;
	case Q_ZHAOXIN_PORTS:
		if (!pcie || (d->pcie_type != KP_PCIE_ROOT_PORT && d->pcie_type != KP_PCIE_DOWNSTREAM))
			return -1;
		/* listed ports isolate; every other Zhaoxin port is "false":
		 * not isolated, even with an ACS capability */
		return in_range(id, 0x0710, 0x071e) || id == 0x0721 || in_range(id, 0x0723, 0x0752);
	case Q_WANGXUN:
		/* listed NICs isolate; any other Wangxun device is "false" */
		return in_range(id, 0x0100, 0x010f) || id == 0x1001 || id == 0x2001 ||
		       id == 0x5010 || id == 0x5025 || id == 0x5040 || id == 0x5110 ||
		       id == 0x5125 || id == 0x5140;
	}
	return -1;
}

int kp_acs_quirk_verdict(const struct kp_pcidev *d, const char **fn)
{
	for (size_t i = 0; i < sizeof(acs_rows) / sizeof(acs_rows[0]); i++) {
		const struct acs_row *q = &acs_rows[i];
		int r;

		if (d->vendor != q->vendor || (q->device != ANY_ID && d->device != q->device))
			continue;
		r = acs_fn_eval(q->fn, d);
		if (r >= 0) {
			if (fn)
				*fn = acs_fn_name[q->fn];
			return r;
		}
	}
	if (fn)
		*fn = NULL;
	return -1;
}

const char *kp_acs_quirk(const struct kp_pcidev *d)
{
	const char *fn;

	return kp_acs_quirk_verdict(d, &fn) == 1 ? fn : NULL;
}

/* pci_acs_enabled() without pci_dev_specific_acs_enabled(): the PCIe
 * rule. 1 isolates; 0 does not, with *kind saying why. */
static int acs_std_enabled(const struct kp_pcidev *d, enum kp_why_kind *kind)
{
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

/* The kernel's pci_acs_enabled(dev, REQ_ACS_FLAGS) (drivers/pci/pci.c):
 * the quirk table first, then the PCIe rule. */
static int acs_enabled(const struct kp_pcidev *d, enum kp_why_kind *kind)
{
	int q = kp_acs_quirk_verdict(d, NULL);

	if (q >= 0) {
		if (!q)
			*kind = KP_WHY_QUIRK_DENIES;
		return q;
	}
	return acs_std_enabled(d, kind);
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

static void quirk_name(const struct kp_pcidev *d, char *buf, size_t n)
{
	const char *fn;

	kp_acs_quirk_verdict(d, &fn);
	snprintf(buf, n, "%s", fn ? fn : "");
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
		if (kind == KP_WHY_QUIRK_DENIES)
			quirk_name(p, y->quirk, sizeof(y->quirk));
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
				/* the kernel's quirk says "not isolated" for them,
				 * whatever their ACS capability */
				if (y && kp_acs_quirk_verdict(f0, NULL) == 0)
					quirk_name(f0, y->quirk, sizeof(y->quirk));
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

/* A device the quirk table isolates where the PCIe rule would not. */
static int quirk_matters(const struct kp_pcidev *d)
{
	enum kp_why_kind k;

	return kp_acs_quirk_verdict(d, NULL) == 1 && !acs_std_enabled(d, &k);
}

int kp_iommu_quirks(struct kp_pci *pci, int g, struct kp_why **out, size_t *nout)
{
	struct kp_pcidev **m;
	struct whys w = { 0 };
	size_t n, i;
	int r;

	*out = NULL;
	*nout = 0;
	r = kp_iommu_members(pci, g, &m, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		free(m);
		return -ENOENT;
	}
	for (i = 0; i < n; i++) {
		/* the member itself (the functions pass), then its path up */
		const struct kp_pcidev *p = m[i]->multifunction && !m[i]->physfn[0] ? m[i] : NULL;
		int hops = 0;

		if (!p)
			p = m[i]->parent[0] ? kp_pci_find(pci, m[i]->parent) : NULL;
		while (p && hops++ < 64) {
			if (quirk_matters(p)) {
				struct kp_why *y = NULL;

				for (size_t q = 0; q < w.n && !y; q++)
					if (!strcmp(w.v[q].bdf, p->bdf))
						y = &w.v[q];
				if (!y) {
					y = why_add(&w, KP_WHY_ACS_QUIRK, p);
					if (!y) {
						free(w.v);
						free(m);
						return -ENOMEM;
					}
					quirk_name(p, y->quirk, sizeof(y->quirk));
				}
				if (!strstr(y->devices, m[i]->bdf))
					list_add(y->devices, sizeof(y->devices), m[i]->bdf);
			}
			p = p->parent[0] ? kp_pci_find(pci, p->parent) : NULL;
		}
	}
	if (w.n > 1)
		qsort(w.v, w.n, sizeof(*w.v), cmp_why);
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
	case KP_WHY_QUIRK_DENIES: return "quirk_not_isolated";
	case KP_WHY_ACS_QUIRK: return "acs_quirk";
	}
	return "unknown";
}
