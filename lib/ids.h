/* SPDX-License-Identifier: MIT */
#ifndef KP_IDS_H
#define KP_IDS_H

#include <stddef.h>

/* Validation and normalisation of what users type. 0 or -EINVAL. */

/* "01:00.0" or "0000:01:00.0" (any case) -> "0000:01:00.0" (lowercase). */
int kp_bdf_parse(const char *in, char out[13]);

/* "10de:1eb8" -> vendor, device. */
int kp_pciid_parse(const char *in, unsigned *vendor, unsigned *device);

/* A canonical UUID, 8-4-4-4-12 hex digits. 0 or -EINVAL. */
int kp_uuid_check(const char *in);

/* A valid network interface name (1..15 chars, no '/', ':', space, not "." or ".."). */
int kp_ifname_check(const char *in);

/* A kernel driver (and module) name as --driver takes it: 1..31 of
 * [A-Za-z0-9_-]. The same check guards vfio.conf's driver field, which is
 * copied into the generated udev rule. */
int kp_driver_check(const char *in);

#endif
