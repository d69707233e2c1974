/* SPDX-License-Identifier: MIT */
#include "netsnap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

/* one request of the restore program */
struct req {
	char *what;
	unsigned char *bytes;
	size_t len;
};

struct kp_netsnap {
	struct kp_linkinfo link;
	char bridge[IF_NAMESIZE];
	int bridge_ifindex; /* > 0: made by this move */
	struct rtnl_addr **addrs;
	size_t naddrs;
	struct rtnl_route **routes;
	size_t nroutes;
	struct req *addr_reqs, *route_reqs;
	size_t naddr_reqs, nroute_reqs;
};

static int is_v6_ll(struct nl_addr *a)
{
	const unsigned char *b;

	if (!a || nl_addr_get_family(a) != AF_INET6 || nl_addr_get_len(a) != 16)
		return 0;
	b = nl_addr_get_binary_addr(a);
	return b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

void kp_netsnap_addr_text(struct rtnl_addr *a, char *buf, size_t n)
{
	struct nl_addr *l = rtnl_addr_get_local(a);
	char ip[64] = "?";

	if (l)
		nl_addr2str(l, ip, sizeof(ip));
	/* nl_addr2str prints the prefix only when it is not the full length */
	if (!strchr(ip, '/'))
		snprintf(buf, n, "%s/%d", ip, rtnl_addr_get_prefixlen(a));
	else
		snprintf(buf, n, "%s", ip);
}

void kp_netsnap_route_text(struct rtnl_route *r, char *buf, size_t n)
{
	struct nl_addr *dst = rtnl_route_get_dst(r);
	char d[64] = "default", gw[64] = "", tab[32];
	struct rtnl_nexthop *nh = rtnl_route_get_nnexthops(r) ? rtnl_route_nexthop_n(r, 0) : NULL;

	if (dst && nl_addr_get_prefixlen(dst) > 0)
		nl_addr2str(dst, d, sizeof(d));
	if (nh && rtnl_route_nh_get_gateway(nh)) {
		char g[56];

		nl_addr2str(rtnl_route_nh_get_gateway(nh), g, sizeof(g));
		snprintf(gw, sizeof(gw), " via %s", g);
	}
	switch (rtnl_route_get_table(r)) {
	case RT_TABLE_MAIN: snprintf(tab, sizeof(tab), "main"); break;
	case RT_TABLE_DEFAULT: snprintf(tab, sizeof(tab), "default"); break;
	default: snprintf(tab, sizeof(tab), "%u", rtnl_route_get_table(r)); break;
	}
	snprintf(buf, n, "%s%s table %s metric %u", d, gw, tab, rtnl_route_get_priority(r));
}

static int req_from_msg(struct req *q, struct nl_msg *m, const char *what)
{
	struct nlmsghdr *h = nlmsg_hdr(m);

	q->len = h->nlmsg_len;
	q->bytes = malloc(q->len);
	q->what = strdup(what);
	if (!q->bytes || !q->what)
		return -ENOMEM;
	memcpy(q->bytes, h, q->len);
	return 0;
}

static void reqs_free(struct req *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].what);
		free(v[i].bytes);
	}
	free(v);
}

void kp_netsnap_free(struct kp_netsnap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->naddrs; i++)
		rtnl_addr_put(s->addrs[i]);
	for (size_t i = 0; i < s->nroutes; i++)
		rtnl_route_put(s->routes[i]);
	free(s->addrs);
	free(s->routes);
	reqs_free(s->addr_reqs, s->naddr_reqs);
	reqs_free(s->route_reqs, s->nroute_reqs);
	free(s);
}

static int route_through(struct rtnl_route *r, int ifindex)
{
	int n = rtnl_route_get_nnexthops(r);

	for (int i = 0; i < n; i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(r, i);

		if (nh && rtnl_route_nh_get_ifindex(nh) == ifindex)
			return 1;
	}
	return 0;
}

int kp_netsnap_take(struct kp_nl *nl, const char *nic, const char *bridge,
		    struct kp_netsnap **out)
{
	struct nl_cache *ac = NULL, *rc = NULL;
	struct kp_netsnap *s;
	struct nl_object *o;
	size_t na = 0, nr = 0;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = kp_nl_link(nl, nic, &s->link);
	if (r < 0)
		goto out;
	snprintf(s->bridge, sizeof(s->bridge), "%s", bridge);
	if ((r = kp_nl_addr_cache(nl, &ac)) < 0 || (r = kp_nl_route_cache(nl, &rc)) < 0)
		goto out;
	na = (size_t)nl_cache_nitems(ac);
	nr = (size_t)nl_cache_nitems(rc);
	s->addrs = calloc(na + 1, sizeof(*s->addrs));
	s->routes = calloc(nr + 1, sizeof(*s->routes));
	s->addr_reqs = calloc(2 * na + 1, sizeof(*s->addr_reqs));
	s->route_reqs = calloc(nr + 1, sizeof(*s->route_reqs));
	if (!s->addrs || !s->routes || !s->addr_reqs || !s->route_reqs) {
		r = -ENOMEM;
		goto out;
	}
	for (o = nl_cache_get_first(ac); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		int fam = rtnl_addr_get_family(a);
		struct nl_msg *m = NULL;
		char t[96], what[128];

		if (rtnl_addr_get_ifindex(a) != s->link.ifindex || (fam != AF_INET && fam != AF_INET6))
			continue;
		if (is_v6_ll(rtnl_addr_get_local(a)))
			continue;
		nl_object_get(o);
		s->addrs[s->naddrs++] = a;
		kp_netsnap_addr_text(a, t, sizeof(t));
		if (fam == AF_INET6 && !(rtnl_addr_get_flags(a) & IFA_F_NODAD)) {
			/* back without DAD (the host's own address, returning), then
			 * its own flags: it is never tentative on the way */
			struct rtnl_addr *b = (struct rtnl_addr *)nl_object_clone(o);

			if (!b) {
				r = -ENOMEM;
				goto out;
			}
			rtnl_addr_set_flags(b, IFA_F_NODAD);
			snprintf(what, sizeof(what), "add %s to %s nodad", t, nic);
			r = rtnl_addr_build_add_request(b, NLM_F_CREATE | NLM_F_REPLACE, &m);
			rtnl_addr_put(b);
			if (r < 0) {
				r = -ENOMEM;
				goto out;
			}
			r = req_from_msg(&s->addr_reqs[s->naddr_reqs++], m, what);
			nlmsg_free(m);
			if (r < 0)
				goto out;
			m = NULL;
			snprintf(what, sizeof(what), "set %s flags on %s", t, nic);
		} else {
			snprintf(what, sizeof(what), "add %s to %s", t, nic);
		}
		if ((r = rtnl_addr_build_add_request(a, NLM_F_CREATE | NLM_F_REPLACE, &m)) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = req_from_msg(&s->addr_reqs[s->naddr_reqs++], m, what);
		nlmsg_free(m);
		if (r < 0)
			goto out;
	}
	for (o = nl_cache_get_first(rc); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_msg *m = NULL;
		char t[160], what[200];

		if (rtnl_route_get_table(rt) == RT_TABLE_LOCAL ||
		    rtnl_route_get_protocol(rt) == RTPROT_KERNEL || !route_through(rt, s->link.ifindex))
			continue;
		nl_object_get(o);
		s->routes[s->nroutes++] = rt;
		kp_netsnap_route_text(rt, t, sizeof(t));
		snprintf(what, sizeof(what), "replace route %s dev %s", t, nic);
		if ((r = rtnl_route_build_add_request(rt, NLM_F_CREATE | NLM_F_REPLACE, &m)) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = req_from_msg(&s->route_reqs[s->nroute_reqs++], m, what);
		nlmsg_free(m);
		if (r < 0)
			goto out;
	}
	r = 0;
out:
	if (ac)
		nl_cache_free(ac);
	if (rc)
		nl_cache_free(rc);
	if (r < 0) {
		kp_netsnap_free(s);
		return r;
	}
	*out = s;
	return 0;
}

const struct kp_linkinfo *kp_netsnap_link(const struct kp_netsnap *s) { return &s->link; }
const char *kp_netsnap_bridge(const struct kp_netsnap *s) { return s->bridge; }
void kp_netsnap_set_bridge_created(struct kp_netsnap *s, int ifindex) { s->bridge_ifindex = ifindex; }
int kp_netsnap_bridge_created(const struct kp_netsnap *s) { return s->bridge_ifindex; }
size_t kp_netsnap_naddrs(const struct kp_netsnap *s) { return s->naddrs; }
struct rtnl_addr *kp_netsnap_addr(const struct kp_netsnap *s, size_t i) { return s->addrs[i]; }
size_t kp_netsnap_nroutes(const struct kp_netsnap *s) { return s->nroutes; }
struct rtnl_route *kp_netsnap_route(const struct kp_netsnap *s, size_t i) { return s->routes[i]; }

static int send_req(struct kp_nl *nl, const struct req *q)
{
	struct nl_msg *m = nlmsg_convert((struct nlmsghdr *)q->bytes);

	if (!m)
		return -ENOMEM;
	return kp_nl_send(nl, m, q->what);
}

static void first(int *err, int r)
{
	if (r < 0 && !*err)
		*err = r;
}

int kp_netsnap_restore(struct kp_nl *nl, const struct kp_netsnap *s)
{
	const struct kp_linkinfo *was = &s->link;
	struct kp_linkinfo now, br;
	int err = 0, r;

	r = kp_nl_link_by_index(nl, was->ifindex, &now);
	if (r < 0 || strcmp(now.name, was->name))
		return r < 0 ? r : -ENODEV; /* the NIC is gone or renamed: nothing to give back */
	/* 1. the addresses back on the NIC (the bridge still answers meanwhile) */
	for (size_t i = 0; i < s->naddr_reqs; i++)
		first(&err, send_req(nl, &s->addr_reqs[i]));
	/* 2. out of the bridge, its own MTU, MAC, state and settings */
	if (now.master != was->master)
		first(&err, kp_nl_link_set_master(nl, was->ifindex, was->name, was->master,
						    was->master ? "its old master" : NULL));
	if (now.mtu != was->mtu)
		first(&err, kp_nl_link_set_mtu(nl, was->ifindex, was->name, was->mtu));
	if (was->has_mac && memcmp(now.mac, was->mac, 6))
		first(&err, kp_nl_link_set_mac(nl, was->ifindex, was->name, was->mac));
	if ((now.flags & IFF_UP) != (was->flags & IFF_UP))
		first(&err, kp_nl_link_set_up(nl, was->ifindex, was->name, !!(was->flags & IFF_UP)));
	/* 3. the routes through it again */
	for (size_t i = 0; i < s->nroute_reqs; i++)
		first(&err, send_req(nl, &s->route_reqs[i]));
	/* 4. the bridge this move made */
	if (((s->bridge_ifindex > 0 && kp_nl_link_by_index(nl, s->bridge_ifindex, &br) == 0) ||
	     (s->bridge_ifindex < 0 && kp_nl_link(nl, s->bridge, &br) == 0)) &&
	    !strcmp(br.name, s->bridge) && !strcmp(br.kind, "bridge"))
		first(&err, kp_nl_link_del(nl, br.ifindex, br.name));
	/* 5. per-link settings */
	if (was->promote_secondaries >= 0 && now.promote_secondaries != was->promote_secondaries)
		first(&err, kp_nl_inet_set_conf(nl, was->ifindex, was->name,
						IPV4_DEVCONF_PROMOTE_SECONDARIES,
						(unsigned)was->promote_secondaries));
	if (was->accept_ra >= 0 && now.accept_ra != was->accept_ra)
		first(&err, kp_nl_ipv6_sysctl(nl, was->name, "accept_ra", was->accept_ra));
	if (was->autoconf >= 0 && now.autoconf != was->autoconf)
		first(&err, kp_nl_ipv6_sysctl(nl, was->name, "autoconf", was->autoconf));
	return err;
}

/* ---- on disk ------------------------------------------------------------- */

static json_object *hex(const unsigned char *b, size_t n)
{
	static const char d[] = "0123456789abcdef";
	char *s = malloc(n * 2 + 1);
	json_object *j;

	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		s[2 * i] = d[b[i] >> 4];
		s[2 * i + 1] = d[b[i] & 15];
	}
	s[2 * n] = '\0';
	j = json_object_new_string(s);
	free(s);
	return j;
}

static int unhex(const char *s, unsigned char **out, size_t *n)
{
	size_t len = strlen(s);
	unsigned char *b;

	if (len % 2 || len < 2 * sizeof(struct nlmsghdr) || len > 65536)
		return -EINVAL;
	b = malloc(len / 2);
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1) {
			free(b);
			return -EINVAL;
		}
		b[i] = (unsigned char)v;
	}
	/* a request the tool wrote: its length field says the same, and it
	 * adds an address or a route, nothing else */
	if (((struct nlmsghdr *)b)->nlmsg_len != len / 2 ||
	    (((struct nlmsghdr *)b)->nlmsg_type != RTM_NEWADDR &&
	     ((struct nlmsghdr *)b)->nlmsg_type != RTM_NEWROUTE)) {
		free(b);
		return -EINVAL;
	}
	*out = b;
	*n = len / 2;
	return 0;
}

static json_object *reqs_json(const struct req *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		json_object *q = json_object_new_object();

		json_object_object_add(q, "what", json_object_new_string(v[i].what));
		json_object_object_add(q, "netlink", hex(v[i].bytes, v[i].len));
		json_object_array_add(a, q);
	}
	return a;
}

static int reqs_from(json_object *a, struct req **out, size_t *n)
{
	size_t len;

	if (!a || !json_object_is_type(a, json_type_array))
		return -EINVAL;
	len = json_object_array_length(a);
	*out = calloc(len + 1, sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (*n = 0; *n < len; (*n)++) {
		json_object *q = json_object_array_get_idx(a, *n), *w, *b;
		struct req *r = &(*out)[*n];
		int e;

		if (!json_object_object_get_ex(q, "what", &w) ||
		    !json_object_object_get_ex(q, "netlink", &b) ||
		    !json_object_is_type(w, json_type_string) || !json_object_is_type(b, json_type_string))
			return -EINVAL;
		r->what = strdup(json_object_get_string(w));
		if (!r->what)
			return -ENOMEM;
		if ((e = unhex(json_object_get_string(b), &r->bytes, &r->len)) < 0)
			return e;
	}
	return 0;
}

json_object *kp_netsnap_json(const struct kp_netsnap *s)
{
	json_object *j = json_object_new_object();
	const struct kp_linkinfo *l = &s->link;
	char mac[18];

	kp_mac_format(l->mac, mac);
	json_object_object_add(j, "link", json_object_new_string(l->name));
	json_object_object_add(j, "ifindex", json_object_new_int(l->ifindex));
	json_object_object_add(j, "mtu", json_object_new_int64(l->mtu));
	json_object_object_add(j, "mac", l->has_mac ? json_object_new_string(mac) : NULL);
	json_object_object_add(j, "up", json_object_new_boolean(!!(l->flags & IFF_UP)));
	json_object_object_add(j, "master", json_object_new_int(l->master));
	json_object_object_add(j, "promote_secondaries", json_object_new_int(l->promote_secondaries));
	json_object_object_add(j, "accept_ra", json_object_new_int(l->accept_ra));
	json_object_object_add(j, "autoconf", json_object_new_int(l->autoconf));
	json_object_object_add(j, "bridge", json_object_new_string(s->bridge));
	json_object_object_add(j, "bridge_ifindex", json_object_new_int(s->bridge_ifindex));
	json_object_object_add(j, "addresses", reqs_json(s->addr_reqs, s->naddr_reqs));
	json_object_object_add(j, "routes", reqs_json(s->route_reqs, s->nroute_reqs));
	return j;
}

static int get_int(json_object *j, const char *k, long long lo, long long hi, long long *v)
{
	json_object *x;

	if (!json_object_object_get_ex(j, k, &x) || !json_object_is_type(x, json_type_int))
		return -EINVAL;
	*v = json_object_get_int64(x);
	return *v < lo || *v > hi ? -EINVAL : 0;
}

static int get_name(json_object *j, const char *k, char out[IF_NAMESIZE])
{
	json_object *x;
	const char *s;

	if (!json_object_object_get_ex(j, k, &x) || !json_object_is_type(x, json_type_string))
		return -EINVAL;
	s = json_object_get_string(x);
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/'))
		return -EINVAL;
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

int kp_netsnap_from_json(json_object *j, struct kp_netsnap **out)
{
	struct kp_netsnap *s = calloc(1, sizeof(*s));
	struct kp_linkinfo *l;
	json_object *x;
	long long v;
	int r = -EINVAL;

	if (!s)
		return -ENOMEM;
	l = &s->link;
	if (!j || get_name(j, "link", l->name) || get_name(j, "bridge", s->bridge))
		goto bad;
	if (get_int(j, "ifindex", 1, 0x7fffffff, &v))
		goto bad;
	l->ifindex = (int)v;
	if (get_int(j, "mtu", 0, 0xffffffffLL, &v))
		goto bad;
	l->mtu = (unsigned)v;
	if (get_int(j, "master", 0, 0x7fffffff, &v))
		goto bad;
	l->master = (int)v;
	if (get_int(j, "bridge_ifindex", -1, 0x7fffffff, &v))
		goto bad;
	s->bridge_ifindex = (int)v;
	if (get_int(j, "promote_secondaries", -1, 1, &v))
		goto bad;
	l->promote_secondaries = (int)v;
	if (get_int(j, "accept_ra", -1, 2, &v))
		goto bad;
	l->accept_ra = (int)v;
	if (get_int(j, "autoconf", -1, 1, &v))
		goto bad;
	l->autoconf = (int)v;
	if (!json_object_object_get_ex(j, "up", &x) || !json_object_is_type(x, json_type_boolean))
		goto bad;
	l->flags = json_object_get_boolean(x) ? IFF_UP : 0;
	if (json_object_object_get_ex(j, "mac", &x) && x) {
		if (!json_object_is_type(x, json_type_string) ||
		    kp_mac_parse(json_object_get_string(x), l->mac) < 0)
			goto bad;
		l->has_mac = 1;
	}
	if (!json_object_object_get_ex(j, "addresses", &x) ||
	    (r = reqs_from(x, &s->addr_reqs, &s->naddr_reqs)) < 0)
		goto bad;
	if (!json_object_object_get_ex(j, "routes", &x) ||
	    (r = reqs_from(x, &s->route_reqs, &s->nroute_reqs)) < 0)
		goto bad;
	*out = s;
	return 0;
bad:
	kp_netsnap_free(s);
	return r == -ENOMEM ? r : -EINVAL;
}
