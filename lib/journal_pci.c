/* SPDX-License-Identifier: MIT */
/* Journal kind "pci-driver": a PCI device's driver and driver_override. */
#include "journal_kinds.h"
#include "bind.h"

#include <errno.h>
#include <stdio.h>

int kp_jundo_pci_driver(const struct kp_jstep *s, char *why, size_t n)
{
	const char *drv = kp_jstep_get(s, "driver");
	int r;

	r = kp_bind_restore(kp_jstep_get(s, "bdf"), drv, kp_jstep_get(s, "driver_override"));
	if (r == -ENODEV)
		return 0; /* the device is gone: nothing of the call is left on it */
	if (r < 0)
		snprintf(why, n, "cannot be put back on %s", drv[0] ? drv : "no driver");
	return r;
}
