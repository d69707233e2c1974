/* SPDX-License-Identifier: MIT */
#ifndef KP_BRIDGE_PERSIST_H
#define KP_BRIDGE_PERSIST_H

#include "bridge.h"

/* --persist: the link comes back at boot, written in the configuration of
 * the host's network manager (owner.h's host_manager()):
 *   systemd-networkd  /etc/systemd/network/60-kvmprep-NAME.netdev (+ .network),
 *                     a port's or macvtap lower's setting as a drop-in of
 *                     the .network file that matches it
 *   NetworkManager    /etc/NetworkManager/system-connections/kvmprep-NAME.nmconnection
 *   ifupdown          /etc/network/interfaces.d/kvmprep-NAME (kvmprep-bridge
 *                     itself as the pre-up hook: no bridge-utils needed)
 * Every file is named after the link (kvmprep-NAME), written atomically,
 * 0600 for NM keyfiles. */
enum persist_kind { PERSIST_BRIDGE, PERSIST_PORT, PERSIST_TAP, PERSIST_MACVTAP };

struct persist_info {
	enum persist_kind kind;
	const char *name;
	const char *other;  /* port: its bridge; tap: its bridge or NULL; macvtap: lower */
	int stp;            /* bridge */
	long forward_delay; /* centiseconds */
	int vlan_filtering; /* -1 not set */
	unsigned mtu;       /* 0 not set */
	const char *mac;    /* bridge, macvtap: as given, or NULL */
	const char *mode;   /* macvtap */
	long owner, group;  /* tap: -1 none */
	int multi_queue, vnet_hdr;
};

/* Write (or, dry-run, describe) the files; 0 or an exit status (error
 * printed). The files written are added to c->steps as "write FILE". */
int persist_link(struct ctx *c, const struct persist_info *pi);
/* Remove the files persist_link wrote for NAME (missing: nothing). */
int unpersist_link(struct ctx *c, const char *name);

#endif
