/* SPDX-License-Identifier: MIT */
#ifndef KP_SRIOV_H
#define KP_SRIOV_H

#include <net/if.h>
#include <stddef.h>

/*
 * SR-IOV physical functions and their virtual functions, as the kernel's
 * drivers/pci/iov.c shows them in sysfs: sriov_totalvfs, sriov_numvfs,
 * sriov_drivers_autoprobe, virtfnN and physfn links.
 *
 * The kernel's rules (sriov_numvfs_store): the count is a u16 (EINVAL
 * otherwise), above sriov_totalvfs is ERANGE, the same count is a no-op,
 * a PF without a driver (or whose driver has no sriov_configure) is ENOENT,
 * and changing a non-zero count to another non-zero one is EBUSY: go
 * through 0. Removing VFs unbinds their drivers (a VF held open by vfio
 * blocks the removal until it is released), so VFs are taken from their
 * users first, never by the removal itself.
 */

struct kp_sriov_pf {
	char bdf[13];
	char driver[64];         /* "" when none */
	char ifname[IF_NAMESIZE]; /* the PF's first network interface, "" none */
	int totalvfs;            /* sriov_totalvfs */
	int numvfs;              /* sriov_numvfs */
	int autoprobe;           /* sriov_drivers_autoprobe */
	unsigned vendor, device, vf_device;
	unsigned class;          /* 24 bits */
};

/* Read a PF's SR-IOV state. 0, or -ENODEV (no such device), -EXDEV (the
 * device is a VF: physfn names its PF in *pf->... see kp_sriov_physfn),
 * -EOPNOTSUPP (no sriov_totalvfs: not SR-IOV capable, or the capability
 * has TotalVFs 0 so the kernel made no SR-IOV attributes), -errno. */
int kp_sriov_pf_read(const char *bdf, struct kp_sriov_pf *pf);

/* The PF of a VF ("" and -ENOENT when bdf is not a VF). */
int kp_sriov_physfn(const char *bdf, char pf[13]);

/* TotalVFs of the SR-IOV capability in config space: >= 0, -ENOENT when
 * the device has no SR-IOV capability, -errno. (A capability whose
 * TotalVFs is 0 is SR-IOV switched off in the firmware.) */
int kp_sriov_cap_totalvfs(const char *bdf);

/* VF i's address (the PF's virtfnI link). 0 or -ENOENT. */
int kp_sriov_vf_bdf(const char *pf, int i, char bdf[13]);

/* Write sriov_numvfs with a bounded wait: the write runs in a child
 * process so that a driver stuck in sriov_configure cannot hang the
 * caller. 0, -errno (the kernel's answer), or -ETIMEDOUT when the write
 * did not return within timeout_ms. After a timeout the child stays
 * behind the stuck write; if the write was a creation (n > 0) and
 * completes later, the child takes the lock (/run/kvmprep/lock) and
 * writes 0, so a late success does not leave VFs nobody asked for. */
int kp_sriov_write_numvfs(const char *pf, int n, int timeout_ms);

/* sriov_drivers_autoprobe. 0 or -errno. */
int kp_sriov_set_autoprobe(const char *pf, int on);

/* Wait (libudev events, bounded by timeout_ms) until VFs 0..n-1 exist
 * and, with netdevs, every VF bound to a host driver (not vfio-pci,
 * pci-stub) has its network interface. 0, -ETIMEDOUT, -errno. */
int kp_sriov_wait_vfs(const char *pf, int n, int netdevs, int timeout_ms);
/* The same; bdfs (n entries) gets VF i's address as the last look saw it
 * (the virtfnI links it read: a caller needs no second walk). */
int kp_sriov_wait_vfs_bdfs(const char *pf, int n, int netdevs, int timeout_ms, char (*bdfs)[13]);

/* A snapshot of a PF's VFs: what recreating them must bring back. */
struct kp_sriov_vfsnap {
	char bdf[13];
	char driver[64];   /* "" none */
	char override[64]; /* "" none */
};

struct kp_sriov_snap {
	char pf[13];
	int numvfs, autoprobe;
	size_t nvfs;
	struct kp_sriov_vfsnap *vfs; /* malloc'ed, nvfs entries */
};

/* Take a snapshot (drivers and overrides of every VF). 0 or -errno. */
int kp_sriov_snap_take(const char *pf, struct kp_sriov_snap *s);
void kp_sriov_snap_free(struct kp_sriov_snap *s);

/*
 * Bring a PF back to a snapshot: its count (through 0, VFs created with
 * autoprobe off), each VF's driver_override and driver, then autoprobe as
 * it was. Idempotent: a PF already there is left alone. The undo of every
 * SR-IOV step (any tool's, and a killed run's recovery). 0, or -errno
 * with *bad naming the VF or PF that could not be restored.
 */
int kp_sriov_snap_restore(const struct kp_sriov_snap *s, int timeout_ms, char bad[13]);

/* Put one VF on a driver state: override, then the driver ("" none).
 * Verified. 0 or -errno. */
int kp_sriov_vf_set_driver(const char *vf, const char *driver, const char *override);

/*
 * Bind VFs of PF (items[i] is VF index[i]) to driver through the bind
 * engine (lib/bind.h; flags and e as kp_bind's). With vfio-pci and a PF
 * interface (ifname; "" or NULL: not a NIC), each VF's MAC first becomes
 * its administrative MAC on the PF (kp_sriov_keep_macs), so the guest's VF
 * driver keeps it. *kept: how many VFs have one (-1: not a NIC, or its
 * driver reports no VF settings, so there is none to keep). macs (may be
 * NULL, n entries): each VF's MAC ("" none; in a dry run also "" for a
 * random one, which only the real run makes). 0 or -errno (*e filled;
 * nothing was moved when the MACs failed).
 */
struct kp_bind_item;
struct kp_bind_err;
int kp_sriov_bind_vfs(const char *pf, const char *ifname, int totalvfs,
		      struct kp_bind_item *items, const int *index, size_t n, const char *driver,
		      unsigned flags, int timeout_ms, char (*macs)[18], int *kept,
		      struct kp_bind_err *e);

/*
 * The MAC step alone: for each VF not on vfio-pci yet, the MAC its host
 * driver uses (its interface's address, read before that driver lets it
 * go: the PF may report the VF's own MAC only while it runs), else the one
 * the PF reports when not all zero (administrative already: not sent
 * again), else (no host driver ever ran: created with autoprobe off, or
 * --no-probe) a random unicast, locally administered MAC, as the VF's own
 * driver would pick (eth_random_addr). One IFLA_VF_MAC per VF through the
 * PF. Without KP_BIND_CREATED the VFs' settings are recorded in the
 * journal (vf-settings) before the first one is sent; with KP_BIND_DRY_RUN
 * nothing is sent. 0 or -errno with why.
 */
int kp_sriov_keep_macs(const char *pf, const char *ifname, int totalvfs,
		       struct kp_bind_item *items, const int *index, size_t n, unsigned flags,
		       char (*macs)[18], int *kept, char *why, size_t whylen);

#endif
