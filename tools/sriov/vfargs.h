/* SPDX-License-Identifier: MIT */
#ifndef KP_SRIOV_VFARGS_H
#define KP_SRIOV_VFARGS_H

#include <limits.h>
#include <stddef.h>

#include "vfnl.h"

/* max=MAX alone: the minimum is read from the VF (the rate always carries
 * both bounds). */
#define VF_RATE_KEEP UINT_MAX

/*
 * The settings of `vf PF INDEX SETTING=VALUE…` as changes, one per kernel
 * request, in the order given (vlan, qos and proto are one request):
 * mac=M (unicast, not all-zero), vlan=V (0..4094, 0: none) [qos=Q (0..7)]
 * [proto=802.1Q|802.1ad], rate=MIN-MAX | max=MAX (Mbit/s, MIN <= MAX
 * unless MAX is 0: no limit), spoofchk=, trust=, query_rss= on|off,
 * state=auto|enable|disable. The number of changes, or -EINVAL with err
 * set ("vlan=4095: VLAN must be 0..4094").
 */
int vf_args_parse(int argc, char **argv, struct kp_vf_change *out, int max, char *err,
		  size_t errlen);

/* "cannot set trust: REASON (strerror)", REASON the kernel's extended-ack
 * message when it sent one, else the errno's meaning for a VF setting. */
void vf_errmsg(enum kp_vf_attr a, int err, const char *kmsg, char *buf, size_t n);

#endif
