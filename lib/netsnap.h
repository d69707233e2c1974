/* SPDX-License-Identifier: MIT */
#ifndef KP_NETSNAP_H
#define KP_NETSNAP_H

#include <net/if.h>
#include <stddef.h>
#include <json-c/json.h>

#include "link.h"

/*
 * A link snapshot: everything the host had on a NIC before kvmprep moved it
 * into a bridge (MTU, MAC, up, master, promote_secondaries, IPv6 accept_ra
 * and autoconf, every address with its flags, lifetimes and label, every
 * route in every table that goes out through it), and how to give it all
 * back. The restore is a convergence, not a replay: it looks at the link
 * now and sends only what differs, so it can run after a failure at any
 * step, after a kill (from the journal on disk) and twice.
 *
 * It is also the journal's "link snapshot" step: kp_netsnap_json() is what
 * goes on disk before the first change, kp_netsnap_from_json() and
 * kp_netsnap_restore() are the undo any kvmprep tool can run.
 */

struct kp_netsnap;
struct rtnl_addr;
struct rtnl_route;

/* Snapshot NIC (by name) for a move into BRIDGE. 0 or -errno. */
int kp_netsnap_take(struct kp_nl *nl, const char *nic, const char *bridge,
		    struct kp_netsnap **out);
void kp_netsnap_free(struct kp_netsnap *s);

const struct kp_linkinfo *kp_netsnap_link(const struct kp_netsnap *s);
const char *kp_netsnap_bridge(const struct kp_netsnap *s);
/* The bridge was made by this move (restore deletes it): its ifindex, or -1
 * before it is made (under the lock, a bridge of that name is this move's). */
void kp_netsnap_set_bridge_created(struct kp_netsnap *s, int ifindex);
int kp_netsnap_bridge_created(const struct kp_netsnap *s);

/* The addresses (IPv6 link-local aside, which stays on the NIC) and the
 * routes, as libnl objects, in dump order (a primary before its
 * secondaries). Only in a snapshot taken by this process. */
size_t kp_netsnap_naddrs(const struct kp_netsnap *s);
struct rtnl_addr *kp_netsnap_addr(const struct kp_netsnap *s, size_t i);
size_t kp_netsnap_nroutes(const struct kp_netsnap *s);
struct rtnl_route *kp_netsnap_route(const struct kp_netsnap *s, size_t i);
/* "192.0.2.10/24", "2001:db8::10/64" */
void kp_netsnap_addr_text(struct rtnl_addr *a, char *buf, size_t n);
void kp_netsnap_route_text(struct rtnl_route *r, char *buf, size_t n);

/* Give the NIC back what it had, delete the bridge when this move made it.
 * Every difference is put back even when one step fails; the first error
 * is returned. */
int kp_netsnap_restore(struct kp_nl *nl, const struct kp_netsnap *s);

/* On-disk form (json-c). The restore program is kept as the netlink
 * requests libnl built for it, with their descriptions. */
json_object *kp_netsnap_json(const struct kp_netsnap *s);
int kp_netsnap_from_json(json_object *j, struct kp_netsnap **out);

#endif
