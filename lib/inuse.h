/* SPDX-License-Identifier: MIT */
#ifndef KP_INUSE_H
#define KP_INUSE_H

#include "net.h"

/*
 * Whether the host itself uses a PCI device, so that taking it away (to
 * vfio-pci, a guest, another driver) would cut the host off something:
 *
 *  - a network interface of the device (/sys/bus/pci/devices/BDF/net/IF)
 *    with an address (IPv6 link-local aside), a route, or a master (bridge,
 *    bond): "enp3s0f0 has 192.0.2.10/24";
 *  - a block device below the device (NVMe namespaces, disks behind an
 *    AHCI/SCSI/RAID host), whole disk or partition, that is mounted
 *    (/proc/self/mountinfo, by major:minor), used as swap (/proc/swaps),
 *    or held by another block device (device-mapper, md, LVM):
 *    "nvme0n1p2 is mounted on /", "sda2 is used as swap",
 *    "nvme0n1p3 is held by dm-0";
 *  - the boot display: boot_vga is 1 and a driver other than vfio-pci or
 *    pci-stub is bound: "boot display (driven by i915)".
 *
 * /sys paths are plain, /proc goes through the root prefix; links are
 * asked of the kernel (the caller's network namespace) through net.
 */

enum kp_usage_kind {
	KP_USE_NET = 1 << 0,
	KP_USE_BLOCK = 1 << 1,
	KP_USE_DISPLAY = 1 << 2,
};

#define KP_USAGE_REASONS_MAX 8
#define KP_USAGE_REASON_LEN 160

struct kp_dev_usage {
	int in_use;         /* 1 when any reason was found */
	unsigned kinds;     /* KP_USE_* found */
	int nreasons;       /* reasons found (may exceed KP_USAGE_REASONS_MAX) */
	char reasons[KP_USAGE_REASONS_MAX][KP_USAGE_REASON_LEN];
	char reason[512];   /* the listed reasons joined with ", " (for messages) */
};

/* Fill u for the PCI device bdf ("0000:03:00.0"). net may be NULL (a
 * context is made when the device has network interfaces). 0, or -errno
 * (-ENODEV: no such PCI device; a netlink failure is returned, never taken
 * for "not in use"). */
int kp_pcidev_usage(const char *bdf, struct kp_net *net, struct kp_dev_usage *u);

#endif
