/* SPDX-License-Identifier: MIT */
#ifndef KP_LINK_H
#define KP_LINK_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Links for guests over netlink (libnl-3, libnl-route-3): bridges, ports,
 * macvtap, tap; the addresses and routes of a link. A kp_nl context holds
 * one rtnetlink socket; every change is one netlink request sent through
 * kp_nl_send(), which first hands the step's description to the log
 * callback (the tool prints it for --dry-run and -v) and, in dry-run
 * mode, sends nothing. Everything answers for the caller's network
 * namespace. 0 or -errno everywhere (the kernel's errno from the ack).
 */

struct kp_nl;
struct nl_msg;
struct nl_cache;

int kp_nl_new(struct kp_nl **nl);
void kp_nl_free(struct kp_nl *nl);
/* Dry-run: steps are described, nothing is sent (kp_nl_send returns 0). */
void kp_nl_set_dry(struct kp_nl *nl, int dry);
int kp_nl_dry(const struct kp_nl *nl);
/* Called with each change's description before it is sent. */
typedef void (*kp_nl_log_fn)(void *arg, const char *what);
void kp_nl_set_log(struct kp_nl *nl, kp_nl_log_fn fn, void *arg);
/* Number of requests sent (or described) so far. */
unsigned kp_nl_nsteps(const struct kp_nl *nl);

/* Send one request (freed), described by what; wait for the kernel's ack. */
int kp_nl_send(struct kp_nl *nl, struct nl_msg *msg, const char *what);

/* Interface names are checked with kp_ifname_check() (ids.h). */
/* "aa:bb:cc:dd:ee:ff" -> 6 bytes. -EINVAL when malformed; -EADDRNOTAVAIL
 * when multicast (group bit) or all zero (no unicast address a NIC can use). */
int kp_mac_parse(const char *s, unsigned char mac[6]);
void kp_mac_format(const unsigned char mac[6], char out[18]);
/* A random locally administered unicast MAC starting with fe: (as libvirt
 * gives taps: the bridge never takes a port's lower address). */
void kp_mac_random_fe(unsigned char mac[6]);

struct kp_linkinfo {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[16];       /* IFLA_INFO_KIND: "bridge", "macvtap", "tun", "veth", "" */
	char slave_kind[16]; /* "bridge" when it is a bridge port */
	unsigned flags;      /* IFF_* */
	unsigned mtu, min_mtu, max_mtu; /* max_mtu 0: unknown */
	unsigned char mac[6];
	int has_mac;
	int master;          /* ifindex, 0 none */
	int lower;           /* IFLA_LINK (macvtap's lower link), 0 none */
	/* bridge */
	int stp_state;       /* -1 unknown */
	unsigned forward_delay; /* centiseconds (USER_HZ) */
	int vlan_filtering;
	/* macvtap */
	unsigned macvtap_mode; /* MACVLAN_MODE_* */
	/* tun/tap */
	int tun_type;        /* IFF_TUN 1 / IFF_TAP 2, 0 unknown */
	long tun_owner, tun_group; /* -1 none */
	int tun_vnet_hdr, tun_multi_queue, tun_persist;
	/* IPv4/IPv6 per-link settings (IFLA_AF_SPEC), -1 unknown */
	int promote_secondaries, accept_ra, autoconf;
};

/* Every link (malloc'ed array, caller frees). */
int kp_nl_links(struct kp_nl *nl, struct kp_linkinfo **out, size_t *n);
/* One link by name (-ENODEV when there is none). */
int kp_nl_link(struct kp_nl *nl, const char *name, struct kp_linkinfo *out);
int kp_nl_link_by_index(struct kp_nl *nl, int ifindex, struct kp_linkinfo *out);

/* Bridge settings: -1 (or 0 for mtu, NULL for mac) leaves one as the
 * kernel makes it. */
struct kp_bridge_opts {
	int stp;                /* 0/1 */
	long forward_delay;     /* centiseconds */
	int vlan_filtering;     /* 0/1 */
	unsigned mtu;
	const unsigned char *mac;
};
/* ifindex 0: create NAME (down); else change the existing bridge. */
int kp_nl_bridge_set(struct kp_nl *nl, int ifindex, const char *name,
		     const struct kp_bridge_opts *o);
int kp_nl_link_del(struct kp_nl *nl, int ifindex, const char *name);
/* master 0: leave the master */
/* master 0 and master_name NULL: leave the master (nomaster) */
int kp_nl_link_set_master(struct kp_nl *nl, int ifindex, const char *name, int master,
			  const char *master_name);
int kp_nl_link_set_up(struct kp_nl *nl, int ifindex, const char *name, int up);
int kp_nl_link_set_mtu(struct kp_nl *nl, int ifindex, const char *name, unsigned mtu);
int kp_nl_link_set_mac(struct kp_nl *nl, int ifindex, const char *name,
		       const unsigned char mac[6]);
/* IPv4 devconf through IFLA_AF_SPEC (IPV4_DEVCONF_* index, 1-based). */
int kp_nl_inet_set_conf(struct kp_nl *nl, int ifindex, const char *name, int cfg,
			unsigned value);
/* IPv6 per-link sysctl net.ipv6.conf.NAME.KEY (accept_ra, autoconf): the
 * one per-link IPv6 setting netlink cannot write. One write(2) of
 * /proc/sys/…, which is this network namespace's (not under the root
 * prefix: it is kernel state, like netlink's). Described like a step. */
int kp_nl_ipv6_sysctl(struct kp_nl *nl, const char *name, const char *key, int value);

/* macvtap NAME on lower (mode MACVLAN_MODE_*, mac may be NULL). */
int kp_nl_macvtap_add(struct kp_nl *nl, const char *name, int lower, const char *lower_name,
		      unsigned mode, const unsigned char *mac);

/* Persistent tap NAME (/dev/net/tun, TUNSETPERSIST). owner/group -1: none. */
struct kp_tap_opts {
	long owner, group;
	int multi_queue, vnet_hdr;
};
int kp_tap_add(struct kp_nl *nl, const char *name, const struct kp_tap_opts *o);

/* The macvtap's character device: waits (libudev, kernel uevents) until
 * /dev/tapIFINDEX is there with the device number of this link's tap
 * device. mon is from kp_tapdev_watch() made before the link was created
 * (the event may come before the call); timeout in ms. 0 and path, or
 * -ETIMEDOUT, -EEXIST (the path is another device's: a macvtap with the same
 * index in another network namespace), -errno. */
struct kp_tapwatch;
int kp_tapdev_watch(struct kp_tapwatch **w);
int kp_tapdev_wait(struct kp_tapwatch *w, int ifindex, int timeout_ms, char *path, size_t n);
void kp_tapdev_unwatch(struct kp_tapwatch *w);

/* Neighbour resolution of addr (family AF_INET/AF_INET6, 4/16 bytes) on
 * the link: a datagram to it (UDP port 9, bound to the link) makes the
 * kernel resolve it; 0 once the neighbour table has it reachable (or
 * stale/delay/probe: answered), -EHOSTUNREACH after timeout_ms. */
int kp_nl_neigh_resolve(struct kp_nl *nl, int ifindex, const char *ifname, int family,
			const void *addr, int timeout_ms);

/* Caches of every address and every route (all tables), for the snapshot
 * code. Freed with nl_cache_free. */
int kp_nl_addr_cache(struct kp_nl *nl, struct nl_cache **c);
int kp_nl_route_cache(struct kp_nl *nl, struct nl_cache **c);
struct nl_sock *kp_nl_sock(struct kp_nl *nl);

#endif
