/* SPDX-License-Identifier: MIT */
#ifndef KP_DEVID_H
#define KP_DEVID_H

#include <stddef.h>
#include <stdint.h>

/*
 * A device's identity beyond its slot: the PCI Express Device Serial
 * Number (extended capability 0x0003: a 64-bit number unique to the card,
 * PCIe base spec 7.9.3), read from the config space in sysfs. Only root
 * reads config space beyond 64 bytes, where extended capabilities live.
 */

#define KP_DSN_LEN 24 /* "00-11-22-33-44-55-66-77" and its NUL */

/* The serial number of the device at the canonical address bdf, as lspci
 * prints it ("Device Serial Number 00-11-22-ff-ff-33-44-55": most
 * significant byte first). 0, -ENOENT when the device has no DSN
 * capability, -EACCES when its extended config space cannot be read (not
 * root), -ENODEV no such device, other -errno. */
int kp_pcidev_dsn(const char *bdf, char out[KP_DSN_LEN]);

/* A serial in that form (16 hex digits in 8 dash-separated pairs,
 * lowercase). 0 or -EINVAL. */
int kp_dsn_check(const char *s);

#endif
