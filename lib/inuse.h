/* SPDX-License-Identifier: MIT */
#ifndef KP_INUSE_H
#define KP_INUSE_H

#include "net.h"
#include "pci.h"

/*
 * The in-use engine: whether the host or a guest uses a PCI device (or a
 * network link), so that taking it away (to vfio-pci, a guest, another
 * driver) would cut the host off something or pull it from under a guest.
 *
 * One context per run (struct kp_inuse) reads each source once, on first
 * need, and answers every device from what it read:
 *
 *  - the block listing (/sys/class/block: one readlink per entry), with
 *    NVMe native multipath: a disk under
 *    /sys/devices/virtual/nvme-subsystem/nvme-subsysN/ belongs to every
 *    PCI function whose controller the subsystem links (nvme-subsysN/nvmeK
 *    -> …/BDF/nvme/nvmeK; only the hidden path device nvmeNcKnM lies below
 *    the function);
 *  - the mount table (/proc/self/mountinfo), matched by device number
 *    (field 3) and by mount source (a btrfs mount shows an anonymous 0:NN
 *    and the real device only as its source); every member device of a
 *    mounted btrfs filesystem (/sys/fs/btrfs/FSID/devices/); without
 *    mountinfo, /proc/self/mounts by name;
 *  - swaps (/proc/swaps), holders (device-mapper, md, bcache: holders/);
 *  - ZFS: the imported pools (/proc/spl/kstat/zfs/POOL/, the ZFS module's
 *    own kstats) and the block devices that carry a vdev label of one of
 *    them (udev's blkid probe, ID_FS_TYPE=zfs_member and ID_FS_LABEL=POOL,
 *    read through libudev): ZFS opens its vdevs without holders/ links;
 *  - the links (one netlink dump through kp_net): a device's interfaces
 *    with addresses, routes, a master (bond, team, bridge: the NIC is a
 *    port), or links stacked on them (VLAN, macvlan, macvtap, ipvlan) that
 *    carry addresses or routes, or a guest's tap (macvtap, ipvtap);
 *  - the display: the boot VGA device on a host driver, and the firmware
 *    framebuffer (efifb, simpledrm, vesafb: the kernel's sysfb makes the
 *    platform device efi-framebuffer.0 / simple-framebuffer.0 /
 *    vesa-framebuffer.0 a child of the PCI function whose BAR holds the
 *    framebuffer, drivers/firmware/sysfb.c) with a driver bound to it;
 *  - SR-IOV: a PF with VFs enabled (sriov_numvfs), and what the VFs carry
 *    (for a known PF, sriov_totalvfs > 0 in the scan, or with
 *    KP_INUSE_SRIOV);
 *  - with KP_INUSE_HANDLES (for the devices a command changes, never a
 *    listing): processes holding the device's nodes open (/proc/PID/fd):
 *    its group's /dev/vfio/N, its /dev/vfio/devices/vfioN, DRM nodes
 *    (/dev/dri/cardN, renderDN), block devices and NVMe character nodes
 *    below it. Unbinding such a device blocks in the kernel until they
 *    let go.
 *
 * /sys paths are plain, /proc goes through the root prefix; links are
 * asked of the kernel in the caller's network namespace. Never prints.
 */

enum kp_usage_kind {
	KP_USE_NET = 1 << 0,
	KP_USE_BLOCK = 1 << 1,
	KP_USE_DISPLAY = 1 << 2,
	KP_USE_SRIOV = 1 << 3,   /* VFs enabled */
	KP_USE_HANDLE = 1 << 4,  /* a process holds a node of the device */
	KP_USE_MDEV = 1 << 5,    /* mdevs made on it, or an NVIDIA vGPU set on it */
};

#define KP_USAGE_REASONS_MAX 8
#define KP_USAGE_REASON_LEN 192

struct kp_dev_usage {
	int in_use;         /* 1 when any reason was found */
	unsigned kinds;     /* KP_USE_* found */
	int nreasons;       /* reasons found (may exceed KP_USAGE_REASONS_MAX) */
	char reasons[KP_USAGE_REASONS_MAX][KP_USAGE_REASON_LEN];
	char reason[768];   /* the listed reasons joined with ", " (for messages) */
	char hint[160];     /* what would free it, "" when nothing to say
			     * ("boot with video=efifb:off") */
	int numvfs;         /* VFs enabled on a PF (KP_USE_SRIOV), else 0 */
	unsigned whose;     /* KP_FOR_*: whose use the reasons are */
};

/* Whose use a reason is. The host's: its disks, links, display, the VFs on
 * its drivers. A guest's (or a device prepared for one): mdevs created on
 * a parent, an NVIDIA vGPU type set on a VF, a guest's tap on a link, VFs
 * on vfio-pci. */
enum kp_usage_whose {
	KP_FOR_HOST = 1 << 0,
	KP_FOR_GUEST = 1 << 1,
};

/* What a refusal says of u: "in use by the host", "in use for guests" or
 * "in use by the host and for guests" (u->reason says what). */
const char *kp_usage_whose(const struct kp_dev_usage *u);

/* Flags of a question. */
enum kp_inuse_flags {
	KP_INUSE_HANDLES = 1 << 0, /* also look for processes holding its nodes */
	KP_INUSE_SRIOV = 1 << 1,   /* read sriov_numvfs even when the scan did not
				    * say the device is a PF (sriov_totalvfs -1);
				    * without it only known PFs are asked, so a
				    * listing pays nothing per device */
};

struct kp_inuse;

/* A context; nothing is read yet. 0 or -errno. */
int kp_inuse_new(struct kp_inuse **ctx);
void kp_inuse_free(struct kp_inuse *ctx);
/* The whole host's scan (kp_pci_scan with KP_PCI_SRIOV, kept by the
 * caller while the context is used): a listing's PFs then have their VFs
 * from it (the scanned devices whose physfn names them) instead of a read
 * of sriov_numvfs each. NULL forgets it; kp_inuse_reset does too. */
void kp_inuse_set_scan(struct kp_inuse *ctx, struct kp_pci *pci);

/* Forget what was read (after a change); the next question reads again. */
void kp_inuse_reset(struct kp_inuse *ctx);

/* Fill u for a scanned device (bdf, class, driver; the rest is read from
 * sysfs as needed). 0, or -errno (-ENODEV: no such device; a netlink or
 * mount table failure is returned, never taken for "not in use"). */
int kp_inuse_pcidev(struct kp_inuse *ctx, const struct kp_pcidev *d, unsigned flags,
		    struct kp_dev_usage *u);
/* The same by address ("0000:03:00.0"), for callers without a scan. */
int kp_inuse_bdf(struct kp_inuse *ctx, const char *bdf, unsigned flags,
		 struct kp_dev_usage *u);
/* Whether the host uses a network link (addresses, routes, master, links
 * stacked on it). 0 (u->in_use says), -ENODEV (no such link), -errno. */
int kp_inuse_link(struct kp_inuse *ctx, const char *ifname, struct kp_dev_usage *u);

/* One question without a context (reads everything for this one call).
 * net may be NULL. Kept for callers of the first version. */
int kp_pcidev_usage(const char *bdf, struct kp_net *net, struct kp_dev_usage *u);

#endif
