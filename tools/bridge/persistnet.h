/* SPDX-License-Identifier: MIT */
#ifndef KP_BRIDGE_PERSIST_H
#define KP_BRIDGE_PERSIST_H

#include "bridge.h"

#include <sys/types.h>

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

/* Write one file of the link configuration (journaled first, c->steps,
 * c->files_changed; a dry run says "would: write FILE"). 0 or an exit
 * status (error printed). */
int persist_write(struct ctx *c, const char *abs, const char *text, size_t len, mode_t mode);

/* bridge add NAME --uplink NIC --persist --offline: the move written for
 * the next boot in the configuration of NIC's manager: NetworkManager (a
 * bridge profile with the NIC profile's [ipv4]/[ipv6], a port profile for
 * NIC that autoconnect-priority prefers), systemd-networkd (the bridge's
 * .netdev and a .network with the NIC file's addressing, and
 * 00-kvmprep-NIC.network that makes NIC a port: the first match wins),
 * none (kvmprep's net.conf: kvmprep-net.service moves what NIC has at
 * boot); ifupdown is refused with the stanza to write. The bridge gets
 * NIC's MAC (read here: the same hardware). */
int persist_uplink(struct ctx *c, const struct persist_info *bridge, const char *nic);

/* netconf.c: kvmprep's own boot configuration for hosts without a network
 * manager, /etc/kvmprep/net.conf, one line per link:
 *   bridge NAME [stp=on|off] [forward-delay=S] [vlan-filtering=on|off] [mtu=N] [mac=M]
 *   uplink NIC bridge=NAME [the bridge's keys]
 *   port IFACE bridge=NAME
 *   tap NAME [owner=UID] [group=GID] [bridge=NAME] [multi-queue] [vnet-hdr]
 *   macvtap NAME link=LOWER [mode=MODE] [mac=M]
 * (each link name on one line), read back through the hardened reader,
 * every field checked as its option; applied at boot by
 * `kvmprep-bridge apply-persisted` (kvmprep-net.service). */
#define KP_NET_CONF "/etc/kvmprep/net.conf"
int netconf_persist(struct ctx *c, const struct persist_info *pi);
int netconf_uplink(struct ctx *c, const struct persist_info *bridge, const char *nic);
/* Remove NAME's line and the port/uplink lines of bridge NAME. */
int netconf_unpersist(struct ctx *c, const char *name);

#endif
