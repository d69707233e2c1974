/* SPDX-License-Identifier: MIT */
#ifndef KP_NET_H
#define KP_NET_H

#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>

/*
 * How the host uses a network link, asked of the kernel over netlink
 * (libnl-route-3). A kp_net context dumps links, addresses and routes once
 * (three netlink dumps) and answers any number of kp_link_usage() calls
 * from those caches, so checking 1024 devices asks the kernel once. The
 * answer is that of the caller's network namespace.
 */

struct kp_net;

/* 0 or -errno (the netlink socket or a dump failed). */
int kp_net_new(struct kp_net **net);
void kp_net_free(struct kp_net *net);
/* Dump again (after a change). 0 or -errno. */
int kp_net_refresh(struct kp_net *net);

#define KP_LINK_ADDRS_MAX 4
#define KP_ADDR_TEXT_MAX (INET6_ADDRSTRLEN + 4) /* "2001:db8::1/64" */

struct kp_link_usage {
	int exists;   /* 0: no such link (every other field 0 / "") */
	int ifindex;
	char name[IF_NAMESIZE];
	int up;       /* administratively up (IFF_UP) */
	int naddrs;   /* IPv4 and IPv6 addresses, IPv6 link-local (fe80::/10) not counted */
	int naddrs_listed; /* how many of them are in addrs (at most KP_LINK_ADDRS_MAX) */
	char addrs[KP_LINK_ADDRS_MAX][KP_ADDR_TEXT_MAX]; /* "192.0.2.10/24", in dump order */
	int nroutes;  /* main-table routes (any family) out through it, the kernel's
		       * automatic IPv6 link-local fe80::/64 not counted */
	int default_route; /* a main-table default route (v4 or v6) goes out through it */
	int master_ifindex; /* enslaved to this link (bridge, bond, team, …), else 0 */
	char master[IF_NAMESIZE];    /* its name, "" when none */
	char master_kind[16];        /* its kind, "bridge", "bond", …, "" when unknown */
	char kind[16];      /* the link's own kind ("vlan", "macvtap", …), "" for a plain NIC */
	int lower_ifindex;  /* the link it is stacked on (IFLA_LINK, same namespace), else 0 */
};

/* Fill u for ifname. net may be NULL: a context is made for this one call.
 * 0 (u->exists says whether the link is there), or -errno. */
int kp_link_usage(const char *ifname, struct kp_net *net, struct kp_link_usage *u);

/* The same for the link with this index. 0 (u->exists), or -errno. */
int kp_link_usage_index(int ifindex, struct kp_net *net, struct kp_link_usage *u);

/* The links stacked on ifindex: whose lower link (IFLA_LINK, in this
 * namespace) it is: VLAN, macvlan, macvtap, ipvlan, … (a veth's peer is
 * not stacked on it). Their indexes, in dump order, into out (at most
 * max); returns how many there are (may exceed max), or -errno. */
int kp_net_uppers(struct kp_net *net, int ifindex, int *out, int max);

/* 1 when the host uses the link: it has an address, a route or a master. */
int kp_link_in_use(const struct kp_link_usage *u);

#endif
