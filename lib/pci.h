/* SPDX-License-Identifier: MIT */
#ifndef KP_PCI_H
#define KP_PCI_H

#include <stddef.h>

/*
 * PCI devices: one libpci scan of /sys/bus/pci (identity, class, config
 * space capabilities, names from pci.ids) plus the sysfs attributes that say
 * what the kernel does with each device (driver, driver_override, IOMMU
 * group, network interfaces, reset methods, …).
 *
 * libpci is forced to its sysfs back end (never /proc/bus/pci or port I/O)
 * and its error hook never exits the process. pci.ids is read from the
 * root prefix when the prefixed host has one, else from libpci's default.
 */

/* What kp_pci_scan() fills beyond identity, class, driver and group. */
enum kp_pci_fill {
	KP_PCI_NAMES = 1 << 0,  /* vendor/device/class names from pci.ids */
	KP_PCI_CAPS = 1 << 1,   /* config space: PCIe type, FLR, ACS, SR-IOV */
	KP_PCI_DETAIL = 1 << 2, /* numa, net, reset_method, boot_vga */
	KP_PCI_SRIOV = 1 << 3,  /* physfn, sriov_totalvfs */
	KP_PCI_PCIE = 1 << 4,   /* of KP_PCI_CAPS only PCIe type and FLR (the
				 * first 256 bytes of config space) */
	KP_PCI_USE = 1 << 5,    /* of KP_PCI_DETAIL only net and boot_vga (what
				 * the host-use checks need) */
	KP_PCI_ALL = KP_PCI_NAMES | KP_PCI_CAPS | KP_PCI_DETAIL | KP_PCI_SRIOV,
};

/* PCIe device/port type (PCI_EXP_FLAGS_TYPE), or KP_PCIE_NONE. */
enum kp_pcie_type {
	KP_PCIE_NONE = -1, /* conventional PCI (no PCIe capability) */
	KP_PCIE_ENDPOINT = 0,
	KP_PCIE_LEGACY_ENDPOINT = 1,
	KP_PCIE_ROOT_PORT = 4,
	KP_PCIE_UPSTREAM = 5,
	KP_PCIE_DOWNSTREAM = 6,
	KP_PCIE_PCI_BRIDGE = 7,  /* PCIe to PCI/PCI-X bridge */
	KP_PCIE_PCIE_BRIDGE = 8, /* PCI/PCI-X to PCIe bridge */
	KP_PCIE_RC_ENDPOINT = 9, /* root complex integrated endpoint */
	KP_PCIE_RC_EC = 10,
};

/* The ACS control bits the kernel requires for isolation (SV RR CR UF). */
#define KP_ACS_REQUIRED 0x001d

struct kp_pcidev {
	char bdf[13];           /* "0000:01:00.0" */
	unsigned domain, bus, dev, func;
	unsigned vendor, device;
	unsigned subvendor, subdevice;
	unsigned class;         /* 24 bits: class, subclass, prog-if */
	unsigned revision;
	char parent[13];        /* upstream bridge, "" on a root bus */
	char driver[64];        /* bound driver, "" when none */
	char driver_override[64]; /* "" when none ("(null)" in sysfs) */
	int group;              /* IOMMU group, -1 when none */

	/* KP_PCI_NAMES ("" when unknown) */
	char vendor_name[128];
	char device_name[128];
	char class_name[64];

	/* KP_PCI_CAPS (KP_PCI_PCIE: config_ok, multifunction, pcie_type, flr) */
	int config_ok;          /* the config space could be read */
	int config_len;         /* bytes of it read: 64 when not root (the
				 * kernel shows the rest to root only) */
	int multifunction;      /* header type bit 7 */
	int pcie_type;          /* enum kp_pcie_type */
	int flr;                /* FLR in DevCap: 1, 0, -1 unknown */
	int has_acs;            /* ACS extended capability present */
	unsigned acs_cap, acs_ctrl;
	int has_sriov;          /* SR-IOV extended capability present */
	int sriov_cap_totalvfs; /* its TotalVFs (0: SR-IOV off in the firmware), -1 none */

	/* KP_PCI_DETAIL */
	int numa_node;          /* -1 when unknown */
	char net[128];          /* network interfaces, comma-separated, sorted */
	int has_reset_method;   /* the reset_method file exists */
	char reset_method[128]; /* its content (space-separated), "" none */
	int boot_vga;           /* 1, 0, -1 unknown / not a display */

	/* KP_PCI_SRIOV */
	char physfn[13];        /* the PF of a VF, "" otherwise */
	int sriov_totalvfs;     /* -1 when not a PF */
};

struct kp_pci;

/* Scan every device (sorted by address). 0 or -errno. */
int kp_pci_scan(struct kp_pci **ctx, unsigned fill);
/* Scan only the devices at these canonical addresses ("0000:01:00.0");
 * an address with no device is left out. For commands about a few
 * devices on a host with many. 0 or -errno. */
int kp_pci_scan_only(struct kp_pci **ctx, unsigned fill, const char *const *bdfs, size_t n);
/* Without a scan: the IOMMU group of a device (>= 0), -ENOENT when it has
 * none, -ENODEV when there is no such device. */
int kp_pci_group_of(const char *bdf);
/* Without a scan: the PCI function a network interface belongs to.
 * 0, -ENODEV (no such interface, or not a PCI function's). */
int kp_pci_net_bdf(const char *ifname, char bdf[13]);
void kp_pci_free(struct kp_pci *ctx);
/* A context over devices given by the caller (copied and sorted): for
 * analysing a described or captured host, and for unit tests. 0 or -errno. */
int kp_pci_from_devs(struct kp_pci **ctx, const struct kp_pcidev *devs, size_t n);

size_t kp_pci_count(const struct kp_pci *ctx);
struct kp_pcidev *kp_pci_dev(struct kp_pci *ctx, size_t i);
/* By canonical address; NULL when absent. */
struct kp_pcidev *kp_pci_find(struct kp_pci *ctx, const char *bdf);
/* By network interface name (KP_PCI_DETAIL); NULL when absent. */
struct kp_pcidev *kp_pci_find_net(struct kp_pci *ctx, const char *ifname);

/* Re-read driver, driver_override and group of one device from sysfs
 * (after a bind). 0 or -errno (-ENODEV: the device is gone). */
int kp_pcidev_refresh(struct kp_pcidev *d);
/* The same, relative to an open /sys/bus/pci/devices directory (devs):
 * for many devices in a row, without the absolute path each time. */
int kp_pcidev_refresh_at(int devs, struct kp_pcidev *d);
/* Re-read only the bound driver, relative to devs (-1: kp_pcidev_refresh). */
int kp_pcidev_driver_at(int devs, struct kp_pcidev *d);

/* Derived facts (pure, on a filled struct). */
int kp_pcidev_is_bridge(const struct kp_pcidev *d);   /* class 0x0604/0x0609 */
/* Class 06 other than PCI-to-PCI bridges: host bridges, ISA/LPC, … (part
 * of the platform: never bound, never a guest's). */
int kp_pcidev_is_platform(const struct kp_pcidev *d);
/* "host bridge", "ISA bridge", … for a class 06 code. */
const char *kp_pci_bridge_word(unsigned class);
int kp_pcidev_acs_ok(const struct kp_pcidev *d);      /* ACS with SV RR CR UF on */
/* Missing required ACS control bits as words ("SV RR"), "" when none. */
void kp_acs_missing(unsigned ctrl, char *buf, size_t n);
const char *kp_pcie_type_name(int type); /* "root port", "endpoint", … */
/* A short class word for filters and tables: "net", "storage", "display",
 * "multimedia", "bridge", "serial", "usb", "crypto", "accel", "other". */
const char *kp_pci_class_word(unsigned class);

/* Reset methods as the kernel would offer them: the reset_method file when
 * present, else "flr" when DevCap has it. Space-separated into buf, "" none. */
void kp_pcidev_resets(const struct kp_pcidev *d, char *buf, size_t n);
/* 1 when the device has a reset the kernel can use between guests. */
int kp_pcidev_can_reset(const struct kp_pcidev *d);

#endif
