/* SPDX-License-Identifier: MIT */
#ifndef KP_VFNL_H
#define KP_VFNL_H

#include <stddef.h>

/*
 * SR-IOV VF settings over netlink (libnl-route-3): what the PF's driver
 * keeps per VF (administrative MAC, VLAN/QoS/protocol, min/max TX rate,
 * spoof checking, trust, link state, RSS query), read with one RTM_GETLINK
 * of the PF asking for VF information (IFLA_EXT_MASK RTEXT_FILTER_VF,
 * statistics skipped) and changed with RTM_SETLINK, one attribute per
 * request so the kernel's answer is known per setting.
 *
 * The socket has NETLINK_EXT_ACK on: a refused change comes back with the
 * kernel's (often the driver's) message, read from the NLMSGERR_ATTR_MSG
 * attribute of the error with libnl's attribute parser.
 */

struct kp_vfnl;

/* 0 or -errno. */
int kp_vfnl_open(struct kp_vfnl **nl);
void kp_vfnl_close(struct kp_vfnl *nl);

struct kp_vfnl_info {
	unsigned index;
	int has_mac;
	char mac[18];        /* "52:54:00:12:34:56" */
	int has_vlan;
	unsigned vlan, qos;
	unsigned vlan_proto; /* 0x8100, 0x88a8 */
	int has_rate;
	unsigned min_rate, max_rate; /* Mbit/s, 0: no limit */
	int spoofchk, trust, link_state, query_rss; /* -1 unknown */
};

/* The VF settings of the PF's interface ifname. The receive buffer is
 * sized for totalvfs VFs (a PF with 250+ VFs overflows a default one).
 * 0 (caller frees *out; *n may be 0) or -errno. */
int kp_vfnl_get(struct kp_vfnl *nl, const char *ifname, int totalvfs,
		struct kp_vfnl_info **out, size_t *n);

/* "auto", "enable", "disable" (IFLA_VF_LINK_STATE_*), "?" otherwise. */
const char *kp_vfnl_state_name(int state);

/* One change to one VF. */
enum kp_vf_attr {
	KP_VF_MAC,
	KP_VF_VLAN,      /* vlan, qos, vlan_proto */
	KP_VF_RATE,      /* min_rate, max_rate: both always sent */
	KP_VF_SPOOFCHK,
	KP_VF_TRUST,
	KP_VF_STATE,
	KP_VF_QUERY_RSS,
};

/* The setting's word ("mac", "vlan", "rate", …), "?" otherwise. */
const char *kp_vf_attr_name(enum kp_vf_attr a);

struct kp_vf_change {
	enum kp_vf_attr attr;
	unsigned char mac[6];
	unsigned vlan, qos, vlan_proto;
	unsigned min_rate, max_rate;
	int on;     /* spoofchk, trust, query_rss */
	int state;  /* IFLA_VF_LINK_STATE_* */
};

/* Send one change (RTM_SETLINK of ifindex with one IFLA_VF_* attribute in
 * IFLA_VFINFO_LIST) and wait for the kernel's answer. 0, or -errno with
 * the kernel's extended-ack message in msg ("" when it sent none). */
int kp_vfnl_set(struct kp_vfnl *nl, int ifindex, unsigned vf, const struct kp_vf_change *c,
		char *msg, size_t msglen);

/* The RTM_SETLINK message kp_vfnl_set sends, built without sending (for
 * --dry-run and the tests). 0 or -errno; caller frees with nlmsg_free. */
struct nl_msg;
int kp_vfnl_build(int ifindex, unsigned vf, const struct kp_vf_change *c, struct nl_msg **out);

/* ---- snapshots: what recreating VFs loses --------------------------------- */

/* The settings of kp_vfnl_get as JSON text (json-c; malloc'ed, caller
 * frees): an array of {"vf":N, "mac":…, "vlan":…, "qos":…, "proto":
 * "802.1Q"|"802.1ad", "min_rate":…, "max_rate":…, "spoofchk":bool,
 * "trust":bool, "link_state":"auto"|"enable"|"disable", "query_rss":bool},
 * each key only where the driver reported it. 0 or -ENOMEM. */
int kp_vfnl_snap_json(const struct kp_vfnl_info *v, size_t n, char **out);
/* The reverse. 0, -EINVAL (not such a document), -ENOMEM. */
int kp_vfnl_snap_parse(const char *json, struct kp_vfnl_info **out, size_t *n);

/* Bring VFs back to a snapshot: the current settings of the PF's interface
 * ifname are read (one request), then for each VF of want that exists, each
 * setting the snapshot knows and that differs is sent (one request each:
 * mac, vlan, rate, spoofchk, trust, state, query_rss). Every setting is
 * tried; 0, or the first failure's -errno with why ("VF 3: cannot set
 * trust: Operation not supported"; the kernel's extended ack when it
 * sent one). *nchanged (may be NULL) counts the settings sent. */
int kp_vfnl_restore(struct kp_vfnl *nl, const char *ifname, int totalvfs,
		    const struct kp_vfnl_info *want, size_t n, int *nchanged, char *why,
		    size_t whylen);

/* "52:54:00:12:34:56" -> bytes. 0 or -EINVAL. */
int kp_vfnl_mac_parse(const char *s, unsigned char mac[6]);

#endif
