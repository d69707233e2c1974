/* SPDX-License-Identifier: MIT */
#ifndef KP_IOMMU_H
#define KP_IOMMU_H

#include <stddef.h>

#include "pci.h"

/* IOMMU groups, read from /sys/kernel/iommu_groups. */

struct kp_iommu_group {
	int id;
	size_t ndevices;
	char (*devices)[16]; /* PCI addresses "0000:01:00.0", sorted */
};

/* Every group, sorted by id. 0, or -errno (-ENOENT: the kernel has no
 * IOMMU groups, i.e. no IOMMU is enabled). *groups may be NULL when n is 0. */
int kp_iommu_groups(struct kp_iommu_group **groups, size_t *n);
void kp_iommu_groups_free(struct kp_iommu_group *groups, size_t n);
/* One group's members (g->id set by the call; free g->devices). 0 or
 * -errno (-ENOENT: no such group). */
int kp_iommu_group_read(int id, struct kp_iommu_group *g);

/* 1 when the kernel has at least one IOMMU group (an IOMMU is on). */
int kp_iommu_enabled(void);

/*
 * Group viability, the kernel's rule since 5.19 (drivers/iommu/iommu.c:
 * a driver without driver_managed_dma takes the group's DMA ownership at
 * probe, iommu_device_use_default_domain(); vfio's claim,
 * iommu_group_claim_dma_owner(), then fails with EBUSY): a group can go to
 * a guest when every member is unbound or bound to a driver that manages
 * its own DMA. driver is the one a command is binding the group to (it
 * counts as fine), may be NULL.
 */
int kp_iommu_member_ok(const struct kp_pcidev *d, const char *driver);
/* 1 when the driver manages its own DMA (driver_managed_dma): vfio-pci,
 * pci-stub, pcieport, and every vfio-pci variant driver (its module holds
 * vfio_pci_core: mlx5_vfio_pci, hisi_acc_vfio_pci, pds_vfio_pci, …). */
int kp_driver_manages_dma(const char *driver);

/* Members of group g in a scan (pointers into it), sorted by address.
 * 0 or -ENOMEM; *n may be 0. Caller frees *out. */
int kp_iommu_members(struct kp_pci *pci, int g, struct kp_pcidev ***out, size_t *n);

/* 1 when every member of group g is kp_iommu_member_ok, 0 when not,
 * -ENOENT when no scanned device is in g. */
int kp_iommu_group_viable(struct kp_pci *pci, int g, const char *driver);

/*
 * Why devices share a group, read from the PCIe path (the kernel's own
 * rules in pci_device_group / pci_acs_enabled): a root port or switch
 * downstream port without ACS (or with SV/RR/CR/UF off), a conventional PCI
 * bridge that aliases everything behind it, the functions of one
 * multifunction device without ACS.
 */
enum kp_why_kind {
	KP_WHY_ALONE,         /* the device is alone in its group */
	KP_WHY_NO_ACS,        /* bridge/port without the ACS capability */
	KP_WHY_ACS_OFF,       /* ACS present, required controls off */
	KP_WHY_PCI_BRIDGE,    /* conventional PCI bridge: shared requester ID */
	KP_WHY_MULTIFUNCTION, /* functions of one device without ACS */
	KP_WHY_UNKNOWN,       /* path isolated: platform or quirk */
	KP_WHY_NEVER_ACS,     /* a root-complex event collector or a PCI/PCI-X-to-PCIe
			       * bridge: the kernel never counts them as isolating */
	KP_WHY_CONVENTIONAL,  /* a conventional PCI device on the path */
	KP_WHY_QUIRK_DENIES,  /* the kernel's ACS quirk says it does not isolate,
			       * whatever its ACS capability (quirk: which) */
	KP_WHY_ACS_QUIRK,     /* kp_iommu_quirks(): isolates only through the
			       * kernel's ACS quirk (quirk: which) */
};

struct kp_why {
	enum kp_why_kind kind;
	char bdf[13];      /* the bridge, port or function 0 the reason is about */
	char devices[160]; /* the group members it puts together, comma-separated */
	char missing[32];  /* KP_WHY_ACS_OFF: missing controls ("SV RR") */
	int pcie_type;     /* of bdf */
	char quirk[40];    /* the kernel's quirk function, "" when none */
};

/* The kernel's ACS quirk that makes d isolate without (or despite) its
 * ACS capability (drivers/pci/quirks.c: "pci_quirk_intel_spt_pch_acs", …),
 * NULL when none applies. */
const char *kp_acs_quirk(const struct kp_pcidev *d);
/* The kernel's pci_dev_specific_acs_enabled(d, REQ_ACS_FLAGS): 1 the
 * quirk table says d isolates, 0 it says d does not (whatever its ACS
 * capability: a Zhaoxin port or Wangxun device outside the quirk's ID
 * list), -1 no row decides (the PCIe rule applies). *fn (may be NULL):
 * the deciding function's name, NULL for -1. */
int kp_acs_quirk_verdict(const struct kp_pcidev *d, const char **fn);

/* Reasons for group g, as the kernel's pci_device_group() forms it
 * (drivers/iommu/iommu.c): the DMA alias of a PCI bridge above a device,
 * then up past every bridge whose path is not ACS-isolated
 * (pci_acs_path_enabled, pci_acs_enabled with its quirks), then the other
 * functions of a multifunction device that does not isolate. Only group
 * members are named. Bridges first (by address), then functions. 0 or -errno (-ENOENT: empty group). */
int kp_iommu_why(struct kp_pci *pci, int g, struct kp_why **out, size_t *n);
const char *kp_why_kind_name(enum kp_why_kind k); /* "no_acs", … */

/* The devices on the paths of group g's members (each multifunction
 * member itself, then every bridge above it) that isolate only through
 * the kernel's ACS quirk table, where the PCIe rule alone would not:
 * KP_WHY_ACS_QUIRK entries (bdf, quirk, devices: the members they
 * isolate). 0 (*n may be 0) or -errno (-ENOENT: empty group). */
int kp_iommu_quirks(struct kp_pci *pci, int g, struct kp_why **out, size_t *n);

#endif
