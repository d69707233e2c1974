/* SPDX-License-Identifier: MIT */
#ifndef KP_RESET_H
#define KP_RESET_H

#include <stddef.h>

#include "pci.h"

/*
 * How a device is reset between guests, judged as the kernel and QEMU do
 * it (drivers/pci/pci.c, drivers/vfio/pci/vfio_pci_core.c):
 *
 *  - the per-function methods (device_specific, acpi, flr, af_flr, pm)
 *    reset the function alone; `reset_method` lists those that probed;
 *  - `bus` is in `reset_method` only for a device alone on its bus
 *    (pci_parent_bus_reset: no other device on the bus, a bridge above
 *    it, no PCI_DEV_FLAGS_NO_BUS_RESET on the bridge);
 *  - functions that share a bus without a per-function reset (a GPU and
 *    its audio function without FLR) are reset together by a secondary
 *    bus reset of their bridge: vfio's hot reset, which QEMU does when
 *    the guest owns every device the reset touches (every device below
 *    the bridge). pci_bus_resettable() refuses it when the bridge or any
 *    of those devices has the no-bus-reset quirk, and a root bus has no
 *    bridge to reset.
 */

enum kp_reset_kind {
	KP_RESET_FUNCTION, /* a per-function method */
	KP_RESET_BUS,      /* bus reset, the device alone on its bus */
	KP_RESET_SET,      /* bus reset of the set of devices below the bridge */
	KP_RESET_NONE,     /* nothing resets it */
};

/* A device with a known reset defect: the kernel offers a reset that
 * does not bring it back (the AMD GPUs vendor-reset exists for). */
struct kp_reset_defect {
	unsigned vendor, device;
	const char *family; /* "AMD Navi 10" */
};

/* The kernel's quirks that take a reset away (drivers/pci/quirks.c). */
enum kp_reset_quirk {
	KP_QUIRK_NO_BUS_RESET = 1 << 0, /* quirk_no_bus_reset, quirk_nvidia_no_bus_reset */
	KP_QUIRK_NO_FLR = 1 << 1,       /* quirk_no_flr */
	KP_QUIRK_NO_PM_RESET = 1 << 2,  /* quirk_no_pm_reset (ATI/AMD VGA, Mellanox Spectrum) */
};

struct kp_reset_judgement {
	enum kp_reset_kind kind;
	char methods[128];   /* the per-function methods, or "bus" */
	char bridge[13];     /* the bridge whose bus a set reset resets */
	char set[512];       /* the set's devices, space-separated, the device first */
	char outside[512];   /* devices of the set a guest would not own: "BDF (driver), …" */
	char blocker[256];   /* why there is no reset at all */
	const struct kp_reset_defect *defect; /* NULL when none is known */
};

/* The known reset defect of the device, NULL when none. */
const struct kp_reset_defect *kp_reset_defect_of(unsigned vendor, unsigned device);
/* The kernel's reset quirks of a vendor:device (and class, for the
 * class-wide ones, and whether it sits on a root bus): KP_QUIRK_* bits. */
unsigned kp_reset_quirks(unsigned vendor, unsigned device, unsigned class, int root_bus);

/* Judge how d is reset. pci must hold every device below d's bridge
 * (a whole-host scan, KP_PCI_DETAIL for reset_method). 0 or -errno. */
int kp_reset_judge(struct kp_pci *pci, const struct kp_pcidev *d, struct kp_reset_judgement *j);

#endif
