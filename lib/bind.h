/* SPDX-License-Identifier: MIT */
#ifndef KP_BIND_H
#define KP_BIND_H

#include <stddef.h>

#include "pci.h"

/*
 * The bind engine: moves PCI devices between drivers the way the kernel
 * expects it (driver_override, unbind, drivers_probe), verifies the driver
 * link after every move, and keeps an undo log: when any step fails, every
 * device of the call goes back to the driver and driver_override it had,
 * in reverse order, and is verified there.
 *
 * With a journal active (lib/journal.h) every device is recorded in it
 * ("pci-driver": its driver and override before the call) before its first
 * write and marked done once verified; a signal caught meanwhile stops the
 * call (-EINTR, rolled back like any failure).
 *
 * driver_override stays set while a device is bound (what keeps it on
 * vfio-pci across a rebind or hotplug); kp_unbind() clears it.
 */

enum kp_bind_flags {
	KP_BIND_DRY_RUN = 1 << 0, /* decide and report, write nothing */
};

struct kp_bind_item {
	struct kp_pcidev *dev;  /* in; refreshed by the engine */
	char old_driver[64];    /* out: before the call ("" none) */
	char old_override[64];
	int changed;            /* out: the call changed (or would change) it */
	unsigned steps;         /* internal: what was done, for the undo */
	int jstep;              /* internal: its step in the journal, -1 none */
};

struct kp_bind_err {
	char bdf[13];      /* the device the failure is about */
	char what[128];    /* "cannot unbind from e1000e" */
	int err;           /* -errno: the kernel's reason */
	int rolled_back;   /* 1: every device is back where it was */
	char stuck[13];    /* when rolled_back is 0: a device not restored */
};

/* Bind every item to driver (the driver must be registered: load its
 * module first). With vfio-pci, waits up to timeout_ms for /dev/vfio/N of
 * every group. 0 or -errno with *e filled (after the rollback). */
int kp_bind(struct kp_bind_item *items, size_t n, const char *driver, unsigned flags,
	    int timeout_ms, struct kp_bind_err *e);

/* Return every item to its own driver: clear driver_override, unbind from
 * the current driver, reprobe. Rolls back like kp_bind. 0 or -errno. */
int kp_unbind(struct kp_bind_item *items, size_t n, unsigned flags, struct kp_bind_err *e);

/* Undo a successful kp_bind/kp_unbind (a later step of the caller
 * failed, e.g. persisting it): every changed item back, in reverse. 0, or
 * -EIO with e->stuck naming a device that could not be put back. */
int kp_bind_rollback(struct kp_bind_item *items, size_t n, struct kp_bind_err *e);

/* Put one device back on driver (NULL or "": none) with driver_override
 * override ("": none), verified: the undo of the journal's "pci-driver"
 * steps. 0, -ENODEV (no such device), -EIO (not back), -EINVAL. */
int kp_bind_restore(const char *bdf, const char *driver, const char *override);

/* 1 when the driver is registered (/sys/bus/pci/drivers/NAME). */
int kp_driver_registered(const char *driver);

/* Wait for /dev/vfio/GROUP to exist: looks first, then listens to udev
 * (subsystem vfio) until the node appears. 0 or -ETIMEDOUT / -errno. */
int kp_vfio_wait(int group, int timeout_ms);

#endif
