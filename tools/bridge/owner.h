/* SPDX-License-Identifier: MIT */
#ifndef KP_BRIDGE_OWNER_H
#define KP_BRIDGE_OWNER_H

#include <stddef.h>

struct kp_netsnap;

/* The network managers kvmprep knows (their configuration read under the
 * root prefix). */
enum netmgr { NETMGR_NONE, NETMGR_NM, NETMGR_NETWORKD, NETMGR_IFUPDOWN };

const char *netmgr_name(enum netmgr m);

/* Who configures link NAME: the manager, the file that names it, and
 * whether it takes its IPv4 address by DHCP. NETMGR_NONE when nobody. */
enum netmgr owner_of(const char *name, char *file, size_t n, int *dhcp);

/* The manager this host's network configuration is in (for --persist):
 * the one configuring any link, else the one installed, else NONE. */
enum netmgr host_manager(void);

/* Refuse to move a managed uplink behind its manager's back: prints the
 * error and the exact configuration that does the move through the
 * manager; exit status 1, or 0 when nobody manages NIC. */
int owner_refuse(const char *nic, const char *bridge, const struct kp_netsnap *s, int force);

#endif
