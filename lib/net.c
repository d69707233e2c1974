/* SPDX-License-Identifier: MIT */
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/link.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <linux/rtnetlink.h>

struct kp_net {
	struct nl_sock *sock;
	struct nl_cache *links, *addrs, *routes;
};

/* libnl's error codes are its own: the nearest errno. */
static int nlerr(int e)
{
	switch (e < 0 ? -e : e) {
	case 0:
		return 0;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_AF_NOSUPPORT:
	case NLE_PROTO_MISMATCH:
		return -EAFNOSUPPORT;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

static void drop_caches(struct kp_net *net)
{
	if (net->links)
		nl_cache_free(net->links);
	if (net->addrs)
		nl_cache_free(net->addrs);
	if (net->routes)
		nl_cache_free(net->routes);
	net->links = net->addrs = net->routes = NULL;
}

/*
 * The link cache, filled from our own dump request: libnl's
 * rtnl_link_alloc_cache asks for RTEXT_FILTER_VF, so the kernel puts every
 * VF's settings (IFLA_VFINFO_LIST: ~250 VFs on one PF are tens of KiB, past
 * a default socket buffer) in the answer of a plain lookup that never reads
 * them. Here: no VF information, no statistics (RTEXT_FILTER_SKIP_STATS;
 * a kernel before 4.9 ignores the bit). lib/vfnl.c asks for VF information
 * itself, of one PF, where it is shown.
 */
static int link_cache(struct nl_sock *sock, struct nl_cache **out)
{
	struct ifinfomsg hdr = { .ifi_family = AF_UNSPEC };
	struct nl_cache *c = NULL;
	struct nl_msg *msg;
	int r;

	r = nl_cache_alloc_name("route/link", &c);
	if (r < 0)
		return r;
	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_DUMP);
	if (!msg) {
		nl_cache_free(c);
		return -NLE_NOMEM;
	}
	if (nlmsg_append(msg, &hdr, sizeof(hdr), NLMSG_ALIGNTO) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		nl_cache_free(c);
		return -NLE_MSGSIZE;
	}
	r = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	if (r >= 0)
		r = nl_cache_pickup(sock, c);
	if (r < 0) {
		nl_cache_free(c);
		return r;
	}
	*out = c;
	return 0;
}

int kp_net_refresh(struct kp_net *net)
{
	int r;

	if (!net)
		return -EINVAL;
	drop_caches(net);
	r = link_cache(net->sock, &net->links);
	if (r == 0)
		r = rtnl_addr_alloc_cache(net->sock, &net->addrs);
	if (r == 0)
		r = rtnl_route_alloc_cache(net->sock, AF_UNSPEC, 0, &net->routes);
	if (r < 0) {
		drop_caches(net);
		return nlerr(r);
	}
	return 0;
}

int kp_net_new(struct kp_net **netp)
{
	struct kp_net *net;
	int r;

	if (!netp)
		return -EINVAL;
	net = calloc(1, sizeof(*net));
	if (!net)
		return -ENOMEM;
	net->sock = nl_socket_alloc();
	if (!net->sock) {
		free(net);
		return -ENOMEM;
	}
	errno = 0;
	r = nl_connect(net->sock, NETLINK_ROUTE);
	if (r < 0) {
		/* libnl folds "out of file descriptors" into NLE_FAILURE:
		 * say what socket() said */
		int e = errno;

		r = (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) ? -e : nlerr(r);
		nl_socket_free(net->sock);
		free(net);
		return r;
	}
	r = kp_net_refresh(net);
	if (r < 0) {
		kp_net_free(net);
		return r;
	}
	*netp = net;
	return 0;
}

void kp_net_free(struct kp_net *net)
{
	if (!net)
		return;
	drop_caches(net);
	if (net->sock)
		nl_socket_free(net->sock);
	free(net);
}

static int is_v6_linklocal(struct nl_addr *a)
{
	const unsigned char *b;

	if (!a || nl_addr_get_family(a) != AF_INET6 || nl_addr_get_len(a) != 16)
		return 0;
	b = nl_addr_get_binary_addr(a);
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

static void addr_text(struct nl_addr *a, char *out, size_t n)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(nl_addr_get_family(a), nl_addr_get_binary_addr(a), ip, sizeof(ip))) {
		snprintf(out, n, "?");
		return;
	}
	snprintf(out, n, "%s/%u", ip, nl_addr_get_prefixlen(a));
}

static void fill_addrs(struct kp_net *net, struct kp_link_usage *u)
{
	for (struct nl_object *o = nl_cache_get_first(net->addrs); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_addr *ra = (struct rtnl_addr *)o;
		struct nl_addr *local = rtnl_addr_get_local(ra);
		int fam = rtnl_addr_get_family(ra);

		if (rtnl_addr_get_ifindex(ra) != u->ifindex || !local)
			continue;
		if (fam != AF_INET && fam != AF_INET6)
			continue;
		if (is_v6_linklocal(local))
			continue;
		if (u->naddrs_listed < KP_LINK_ADDRS_MAX)
			addr_text(local, u->addrs[u->naddrs_listed++], KP_ADDR_TEXT_MAX);
		u->naddrs++;
	}
}

/* The kernel's automatic route for IPv6 link-local addresses: fe80::/64. */
static int is_v6_linklocal_route(struct nl_addr *dst)
{
	return dst && is_v6_linklocal(dst) && nl_addr_get_prefixlen(dst) == 64;
}

static void fill_routes(struct kp_net *net, struct kp_link_usage *u)
{
	for (struct nl_object *o = nl_cache_get_first(net->routes); o;
	     o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *dst = rtnl_route_get_dst(rt);
		int n = rtnl_route_get_nnexthops(rt), through = 0;

		if (rtnl_route_get_table(rt) != RT_TABLE_MAIN)
			continue;
		if (rtnl_route_get_type(rt) != RTN_UNICAST)
			continue;
		if (is_v6_linklocal_route(dst))
			continue;
		for (int i = 0; i < n; i++) {
			struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, i);

			if (nh && rtnl_route_nh_get_ifindex(nh) == u->ifindex)
				through = 1;
		}
		if (!through)
			continue;
		u->nroutes++;
		if (!dst || nl_addr_get_prefixlen(dst) == 0)
			u->default_route = 1;
	}
}

static void fill_link(struct kp_net *net, struct rtnl_link *link, struct kp_link_usage *u)
{
	struct rtnl_link *master;
	const char *kind = rtnl_link_get_type(link);
	int32_t nsid;

	u->exists = 1;
	u->ifindex = rtnl_link_get_ifindex(link);
	snprintf(u->name, sizeof(u->name), "%s", rtnl_link_get_name(link));
	u->up = !!(rtnl_link_get_flags(link) & IFF_UP);
	u->master_ifindex = rtnl_link_get_master(link);
	snprintf(u->kind, sizeof(u->kind), "%s", kind ? kind : "");
	/* IFLA_LINK names a link of another namespace when a netnsid comes
	 * with it (a veth peer, a macvlan moved away) */
	if (rtnl_link_get_link(link) > 0 && rtnl_link_get_link(link) != u->ifindex &&
	    rtnl_link_get_link_netnsid(link, &nsid) != 0 && !(kind && !strcmp(kind, "veth")))
		u->lower_ifindex = rtnl_link_get_link(link);
	if (u->master_ifindex > 0) {
		master = rtnl_link_get(net->links, u->master_ifindex);
		if (master) {
			const char *mkind = rtnl_link_get_type(master);

			snprintf(u->master, sizeof(u->master), "%s",
				 rtnl_link_get_name(master));
			snprintf(u->master_kind, sizeof(u->master_kind), "%s",
				 mkind ? mkind : "");
			rtnl_link_put(master);
		}
	}
	fill_addrs(net, u);
	fill_routes(net, u);
}

int kp_link_usage(const char *ifname, struct kp_net *net, struct kp_link_usage *u)
{
	struct kp_net *own = NULL;
	struct rtnl_link *link;
	int r;

	if (!ifname || !u)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	if (!net) {
		r = kp_net_new(&own);
		if (r < 0)
			return r;
		net = own;
	}
	if (!net->links) {
		kp_net_free(own);
		return -EINVAL;
	}
	link = rtnl_link_get_by_name(net->links, ifname);
	if (link) {
		fill_link(net, link, u);
		rtnl_link_put(link);
	}
	kp_net_free(own);
	return 0;
}

int kp_link_usage_index(int ifindex, struct kp_net *net, struct kp_link_usage *u)
{
	struct rtnl_link *link;

	if (!net || !u || !net->links)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	link = rtnl_link_get(net->links, ifindex);
	if (link) {
		fill_link(net, link, u);
		rtnl_link_put(link);
	}
	return 0;
}

int kp_net_uppers(struct kp_net *net, int ifindex, int *out, int max)
{
	int n = 0;

	if (!net || !net->links || ifindex <= 0)
		return -EINVAL;
	for (struct nl_object *o = nl_cache_get_first(net->links); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		const char *kind = rtnl_link_get_type(l);
		int32_t nsid;

		if (rtnl_link_get_link(l) != ifindex || rtnl_link_get_ifindex(l) == ifindex)
			continue;
		if (rtnl_link_get_link_netnsid(l, &nsid) == 0 || (kind && !strcmp(kind, "veth")))
			continue;
		if (n < max && out)
			out[n] = rtnl_link_get_ifindex(l);
		n++;
	}
	return n;
}

int kp_link_in_use(const struct kp_link_usage *u)
{
	return u && u->exists && (u->naddrs > 0 || u->nroutes > 0 || u->master_ifindex > 0);
}
