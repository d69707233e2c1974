/* SPDX-License-Identifier: MIT */
#include "link.h"
#include "journal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/neighbour.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libudev.h>

struct kp_nl {
	struct nl_sock *sock;
	int dry;
	kp_nl_log_fn log;
	void *log_arg;
	unsigned nsteps;
	int ack_errno; /* the kernel's errno from the last error ack */
};

/* libnl's own error codes, for the few failures that never reach the kernel */
static int nlerr(int e)
{
	switch (e < 0 ? -e : e) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	case NLE_RANGE: return -ERANGE;
	case NLE_BUSY: return -EBUSY;
	case NLE_AGAIN: return -EAGAIN;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_NOADDR: return -EADDRNOTAVAIL;
	case NLE_OBJ_NOTFOUND: return -ENOENT;
	case NLE_NODEV: return -ENODEV;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_AF_NOSUPPORT: return -EAFNOSUPPORT;
	default: return -EIO;
	}
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct kp_nl *nl = arg;

	nl->ack_errno = e->error < 0 ? -e->error : e->error;
	return NL_STOP;
}

int kp_nl_new(struct kp_nl **out)
{
	struct kp_nl *nl;
	int r;

	if (!out)
		return -EINVAL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->sock = nl_socket_alloc();
	if (!nl->sock) {
		free(nl);
		return -ENOMEM;
	}
	r = nl_connect(nl->sock, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(nl->sock);
		free(nl);
		return nlerr(r);
	}
	nl_socket_modify_err_cb(nl->sock, NL_CB_CUSTOM, err_cb, nl);
	*out = nl;
	return 0;
}

void kp_nl_free(struct kp_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sock);
	free(nl);
}

void kp_nl_set_dry(struct kp_nl *nl, int dry) { nl->dry = dry; }
int kp_nl_dry(const struct kp_nl *nl) { return nl->dry; }
void kp_nl_set_log(struct kp_nl *nl, kp_nl_log_fn fn, void *arg) { nl->log = fn; nl->log_arg = arg; }
unsigned kp_nl_nsteps(const struct kp_nl *nl) { return nl->nsteps; }
struct nl_sock *kp_nl_sock(struct kp_nl *nl) { return nl->sock; }

int kp_nl_send(struct kp_nl *nl, struct nl_msg *msg, const char *what)
{
	int r;

	if (!msg)
		return -ENOMEM;
	nl->nsteps++;
	if (nl->log)
		nl->log(nl->log_arg, what);
	if (nl->dry) {
		nlmsg_free(msg);
		return 0;
	}
	nl->ack_errno = 0;
	r = nl_send_sync(nl->sock, msg); /* frees msg; the one place a change is sent */
	if (r >= 0)
		return 0;
	return nl->ack_errno ? -nl->ack_errno : nlerr(r);
}

/* After a create: done, or (the name was taken) an ifindex no link has, so
 * that the undo never deletes the link that had the name already. */
static void not_ours(int step, int r)
{
	if (r == 0)
		kp_journal_done(step);
	else if (r == -EEXIST || r == -EBUSY)
		kp_journal_update(step, "ifindex", "2147483647");
}

/* A request that creates link name: recorded in the active journal first
 * (lib/journal.h, kind "link": undo deletes it), marked done after. */
static int send_create(struct kp_nl *nl, struct nl_msg *msg, const char *name, const char *what)
{
	int step = -1, r;

	if (!nl->dry && (r = kp_journal_add_link(name, 0, &step)) < 0) {
		nlmsg_free(msg);
		return r;
	}
	r = kp_nl_send(nl, msg, what);
	if (step >= 0)
		not_ours(step, r);
	return r;
}

/* ---- names and addresses ---------------------------------------------- */

int kp_mac_parse(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	char end;
	int any = 0;

	if (!s || strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 17; i++)
		if ((i % 3 == 2) ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -EINVAL;
	for (int i = 0; i < 6; i++) {
		mac[i] = (unsigned char)v[i];
		any |= v[i];
	}
	if (!any || (mac[0] & 1))
		return -EADDRNOTAVAIL;
	return 0;
}

void kp_mac_format(const unsigned char m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

void kp_mac_random_fe(unsigned char mac[6])
{
	unsigned char r[5] = { 0 };

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
		unsigned long t = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);

		for (int i = 0; i < 5; i++)
			r[i] = (unsigned char)(t >> (i * 8));
	}
	mac[0] = 0xfe;
	memcpy(mac + 1, r, 5);
}

/* ---- the link dump ---------------------------------------------------- */

struct linkvec {
	struct kp_linkinfo *v;
	size_t n, cap;
	int err;
	int only_index;
	const char *only_name;
};

static void parse_linkinfo(struct nlattr *li, struct kp_linkinfo *l)
{
	static struct nla_policy ipol[IFLA_INFO_MAX + 1] = {
		[IFLA_INFO_KIND] = { .type = NLA_STRING },
		[IFLA_INFO_DATA] = { .type = NLA_NESTED },
		[IFLA_INFO_SLAVE_KIND] = { .type = NLA_STRING },
	};
	struct nlattr *ti[IFLA_INFO_MAX + 1];

	if (nla_parse_nested(ti, IFLA_INFO_MAX, li, ipol) < 0)
		return;
	if (ti[IFLA_INFO_KIND])
		nla_strlcpy(l->kind, ti[IFLA_INFO_KIND], sizeof(l->kind));
	if (ti[IFLA_INFO_SLAVE_KIND])
		nla_strlcpy(l->slave_kind, ti[IFLA_INFO_SLAVE_KIND], sizeof(l->slave_kind));
	if (!ti[IFLA_INFO_DATA])
		return;
	if (!strcmp(l->kind, "bridge")) {
		static struct nla_policy bp[IFLA_BR_MAX + 1] = {
			[IFLA_BR_FORWARD_DELAY] = { .type = NLA_U32 },
			[IFLA_BR_STP_STATE] = { .type = NLA_U32 },
			[IFLA_BR_VLAN_FILTERING] = { .type = NLA_U8 },
		};
		struct nlattr *tb[IFLA_BR_MAX + 1];

		if (nla_parse_nested(tb, IFLA_BR_MAX, ti[IFLA_INFO_DATA], bp) < 0)
			return;
		if (tb[IFLA_BR_STP_STATE])
			l->stp_state = (int)nla_get_u32(tb[IFLA_BR_STP_STATE]);
		if (tb[IFLA_BR_FORWARD_DELAY])
			l->forward_delay = nla_get_u32(tb[IFLA_BR_FORWARD_DELAY]);
		if (tb[IFLA_BR_VLAN_FILTERING])
			l->vlan_filtering = nla_get_u8(tb[IFLA_BR_VLAN_FILTERING]);
	} else if (!strcmp(l->kind, "macvtap") || !strcmp(l->kind, "macvlan")) {
		static struct nla_policy mp[IFLA_MACVLAN_MAX + 1] = {
			[IFLA_MACVLAN_MODE] = { .type = NLA_U32 },
		};
		struct nlattr *tb[IFLA_MACVLAN_MAX + 1];

		if (nla_parse_nested(tb, IFLA_MACVLAN_MAX, ti[IFLA_INFO_DATA], mp) < 0)
			return;
		if (tb[IFLA_MACVLAN_MODE])
			l->macvtap_mode = nla_get_u32(tb[IFLA_MACVLAN_MODE]);
	} else if (!strcmp(l->kind, "tun")) {
		static struct nla_policy tp[IFLA_TUN_MAX + 1] = {
			[IFLA_TUN_OWNER] = { .type = NLA_U32 },
			[IFLA_TUN_GROUP] = { .type = NLA_U32 },
			[IFLA_TUN_TYPE] = { .type = NLA_U8 },
			[IFLA_TUN_VNET_HDR] = { .type = NLA_U8 },
			[IFLA_TUN_PERSIST] = { .type = NLA_U8 },
			[IFLA_TUN_MULTI_QUEUE] = { .type = NLA_U8 },
		};
		struct nlattr *tb[IFLA_TUN_MAX + 1];

		if (nla_parse_nested(tb, IFLA_TUN_MAX, ti[IFLA_INFO_DATA], tp) < 0)
			return;
		if (tb[IFLA_TUN_TYPE])
			l->tun_type = nla_get_u8(tb[IFLA_TUN_TYPE]);
		if (tb[IFLA_TUN_OWNER])
			l->tun_owner = nla_get_u32(tb[IFLA_TUN_OWNER]);
		if (tb[IFLA_TUN_GROUP])
			l->tun_group = nla_get_u32(tb[IFLA_TUN_GROUP]);
		if (tb[IFLA_TUN_VNET_HDR])
			l->tun_vnet_hdr = nla_get_u8(tb[IFLA_TUN_VNET_HDR]);
		if (tb[IFLA_TUN_PERSIST])
			l->tun_persist = nla_get_u8(tb[IFLA_TUN_PERSIST]);
		if (tb[IFLA_TUN_MULTI_QUEUE])
			l->tun_multi_queue = nla_get_u8(tb[IFLA_TUN_MULTI_QUEUE]);
	}
}

static void parse_afspec(struct nlattr *af, struct kp_linkinfo *l)
{
	struct nlattr *fam;
	int rem;

	nla_for_each_nested(fam, af, rem) {
		if (nla_type(fam) == AF_INET) {
			struct nlattr *tb[IFLA_INET_MAX + 1];

			if (nla_parse_nested(tb, IFLA_INET_MAX, fam, NULL) < 0 || !tb[IFLA_INET_CONF])
				continue;
			/* an array of u32, index IPV4_DEVCONF_* - 1 */
			if (nla_len(tb[IFLA_INET_CONF]) >= (int)(IPV4_DEVCONF_PROMOTE_SECONDARIES * 4)) {
				const uint32_t *c = nla_data(tb[IFLA_INET_CONF]);

				l->promote_secondaries = (int)c[IPV4_DEVCONF_PROMOTE_SECONDARIES - 1];
			}
		} else if (nla_type(fam) == AF_INET6) {
			struct nlattr *tb[IFLA_INET6_MAX + 1];

			if (nla_parse_nested(tb, IFLA_INET6_MAX, fam, NULL) < 0 || !tb[IFLA_INET6_CONF])
				continue;
			/* an array of s32 indexed by DEVCONF_* */
			if (nla_len(tb[IFLA_INET6_CONF]) > (int)(DEVCONF_AUTOCONF * 4)) {
				const int32_t *c = nla_data(tb[IFLA_INET6_CONF]);

				l->accept_ra = c[DEVCONF_ACCEPT_RA];
				l->autoconf = c[DEVCONF_AUTOCONF];
			}
		}
	}
}

static int link_cb(struct nl_msg *msg, void *arg)
{
	static struct nla_policy pol[IFLA_MAX + 1] = {
		[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
		[IFLA_MTU] = { .type = NLA_U32 },
		[IFLA_MIN_MTU] = { .type = NLA_U32 },
		[IFLA_MAX_MTU] = { .type = NLA_U32 },
		[IFLA_MASTER] = { .type = NLA_U32 },
		[IFLA_LINK] = { .type = NLA_U32 },
		[IFLA_LINKINFO] = { .type = NLA_NESTED },
		[IFLA_AF_SPEC] = { .type = NLA_NESTED },
	};
	struct linkvec *v = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct kp_linkinfo l;

	if (h->nlmsg_type != RTM_NEWLINK || !nlmsg_valid_hdr(h, sizeof(*ifi)))
		return NL_SKIP;
	ifi = nlmsg_data(h);
	if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, pol) < 0 || !tb[IFLA_IFNAME])
		return NL_SKIP;
	memset(&l, 0, sizeof(l));
	l.stp_state = -1;
	l.tun_owner = l.tun_group = -1;
	l.promote_secondaries = l.accept_ra = l.autoconf = -1;
	l.ifindex = ifi->ifi_index;
	l.flags = ifi->ifi_flags;
	nla_strlcpy(l.name, tb[IFLA_IFNAME], sizeof(l.name));
	if (v->only_index && l.ifindex != v->only_index)
		return NL_SKIP;
	if (v->only_name && strcmp(l.name, v->only_name))
		return NL_SKIP;
	if (tb[IFLA_MTU])
		l.mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_MIN_MTU])
		l.min_mtu = nla_get_u32(tb[IFLA_MIN_MTU]);
	if (tb[IFLA_MAX_MTU])
		l.max_mtu = nla_get_u32(tb[IFLA_MAX_MTU]);
	if (tb[IFLA_MASTER])
		l.master = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l.lower = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6) {
		memcpy(l.mac, nla_data(tb[IFLA_ADDRESS]), 6);
		l.has_mac = 1;
	}
	if (tb[IFLA_LINKINFO])
		parse_linkinfo(tb[IFLA_LINKINFO], &l);
	if (tb[IFLA_AF_SPEC])
		parse_afspec(tb[IFLA_AF_SPEC], &l);
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		struct kp_linkinfo *nv = realloc(v->v, cap * sizeof(*nv));

		if (!nv) {
			v->err = -ENOMEM;
			return NL_STOP;
		}
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = l;
	return NL_OK;
}

static int dump_links(struct kp_nl *nl, struct linkvec *v)
{
	struct nl_cb *cb;
	int r;

	r = nl_rtgen_request(nl->sock, RTM_GETLINK, AF_UNSPEC, NLM_F_DUMP);
	if (r < 0)
		return nlerr(r);
	{
		struct nl_cb *own = nl_socket_get_cb(nl->sock); /* a reference */

		cb = nl_cb_clone(own);
		nl_cb_put(own);
	}
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, link_cb, v);
	r = nl_recvmsgs(nl->sock, cb);
	nl_cb_put(cb);
	if (v->err)
		return v->err;
	if (r < 0) {
		free(v->v);
		v->v = NULL;
		v->n = 0;
		return nlerr(r);
	}
	return 0;
}

int kp_nl_links(struct kp_nl *nl, struct kp_linkinfo **out, size_t *n)
{
	struct linkvec v = { 0 };
	int r = dump_links(nl, &v);

	if (r < 0) {
		free(v.v);
		return r;
	}
	*out = v.v;
	*n = v.n;
	return 0;
}

static int one_link(struct kp_nl *nl, struct linkvec *v, struct kp_linkinfo *out)
{
	int r = dump_links(nl, v);

	if (r == 0 && v->n == 0)
		r = -ENODEV;
	if (r == 0)
		*out = v->v[0];
	free(v->v);
	return r;
}

int kp_nl_link(struct kp_nl *nl, const char *name, struct kp_linkinfo *out)
{
	struct linkvec v = { .only_name = name };

	return one_link(nl, &v, out);
}

int kp_nl_link_by_index(struct kp_nl *nl, int ifindex, struct kp_linkinfo *out)
{
	struct linkvec v = { .only_index = ifindex };

	if (ifindex <= 0)
		return -ENODEV;
	return one_link(nl, &v, out);
}

/* ---- link changes ----------------------------------------------------- */

static struct nl_msg *link_msg(int type, int flags, int ifindex, unsigned iff, unsigned change)
{
	struct ifinfomsg ifi = {
		.ifi_family = AF_UNSPEC,
		.ifi_index = ifindex,
		.ifi_flags = iff,
		.ifi_change = change,
	};
	struct nl_msg *m = nlmsg_alloc_simple(type, flags);

	if (m && nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

static int put_fail(struct nl_msg *m)
{
	nlmsg_free(m);
	return -EMSGSIZE;
}

int kp_nl_bridge_set(struct kp_nl *nl, int ifindex, const char *name,
		     const struct kp_bridge_opts *o)
{
	char what[256], mac[18];
	struct nlattr *li, *data;
	struct nl_msg *m;
	size_t off;

	m = link_msg(RTM_NEWLINK, ifindex ? 0 : NLM_F_CREATE | NLM_F_EXCL, ifindex, 0, 0);
	if (!m)
		return -ENOMEM;
	off = (size_t)snprintf(what, sizeof(what), "%s bridge %s", ifindex ? "set" : "create", name);
	/* the name only to create: on an existing link the kernel takes it
	 * as a rename, and before 6.2 dev_change_name() refuses any rename
	 * of a link that is up with EBUSY, even to its own name (found on
	 * Debian 12's 6.1 in the lab, vmlab/bridge-vlan) */
	if (!ifindex && nla_put_string(m, IFLA_IFNAME, name) < 0)
		return put_fail(m);
	if (o->mtu) {
		if (nla_put_u32(m, IFLA_MTU, o->mtu) < 0)
			return put_fail(m);
		off += (size_t)snprintf(what + off, sizeof(what) - off, " mtu %u", o->mtu);
	}
	if (o->mac) {
		if (nla_put(m, IFLA_ADDRESS, 6, o->mac) < 0)
			return put_fail(m);
		kp_mac_format(o->mac, mac);
		off += (size_t)snprintf(what + off, sizeof(what) - off, " address %s", mac);
	}
	li = nla_nest_start(m, IFLA_LINKINFO);
	if (!li || nla_put_string(m, IFLA_INFO_KIND, "bridge") < 0)
		return put_fail(m);
	data = nla_nest_start(m, IFLA_INFO_DATA);
	if (!data)
		return put_fail(m);
	if (o->stp >= 0) {
		if (nla_put_u32(m, IFLA_BR_STP_STATE, (uint32_t)o->stp) < 0)
			return put_fail(m);
		off += (size_t)snprintf(what + off, sizeof(what) - off, " stp_state %d", o->stp);
	}
	if (o->forward_delay >= 0) {
		if (nla_put_u32(m, IFLA_BR_FORWARD_DELAY, (uint32_t)o->forward_delay) < 0)
			return put_fail(m);
		off += (size_t)snprintf(what + off, sizeof(what) - off, " forward_delay %ld",
					o->forward_delay);
	}
	if (o->vlan_filtering >= 0) {
		if (nla_put_u8(m, IFLA_BR_VLAN_FILTERING, (uint8_t)o->vlan_filtering) < 0)
			return put_fail(m);
		off += (size_t)snprintf(what + off, sizeof(what) - off, " vlan_filtering %d",
					o->vlan_filtering);
	}
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	(void)off;
	return ifindex ? kp_nl_send(nl, m, what) : send_create(nl, m, name, what);
}

int kp_nl_link_del(struct kp_nl *nl, int ifindex, const char *name)
{
	char what[64];
	struct nl_msg *m = link_msg(RTM_DELLINK, 0, ifindex, 0, 0);

	if (!m)
		return -ENOMEM;
	if (!ifindex && nla_put_string(m, IFLA_IFNAME, name) < 0)
		return put_fail(m);
	snprintf(what, sizeof(what), "delete link %s", name);
	return kp_nl_send(nl, m, what);
}

int kp_nl_link_set_master(struct kp_nl *nl, int ifindex, const char *name, int master,
			  const char *master_name)
{
	char what[80];
	struct nl_msg *m = link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, IFLA_MASTER, (uint32_t)master) < 0)
		return put_fail(m);
	if (master_name)
		snprintf(what, sizeof(what), "set %s master %s", name, master_name);
	else
		snprintf(what, sizeof(what), "set %s nomaster", name);
	return kp_nl_send(nl, m, what);
}

int kp_nl_link_set_up(struct kp_nl *nl, int ifindex, const char *name, int up)
{
	char what[64];
	struct nl_msg *m = link_msg(RTM_NEWLINK, 0, ifindex, up ? IFF_UP : 0, IFF_UP);

	snprintf(what, sizeof(what), "set %s %s", name, up ? "up" : "down");
	return kp_nl_send(nl, m, what);
}

int kp_nl_link_set_mtu(struct kp_nl *nl, int ifindex, const char *name, unsigned mtu)
{
	char what[64];
	struct nl_msg *m = link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_u32(m, IFLA_MTU, mtu) < 0)
		return put_fail(m);
	snprintf(what, sizeof(what), "set %s mtu %u", name, mtu);
	return kp_nl_send(nl, m, what);
}

int kp_nl_link_set_mac(struct kp_nl *nl, int ifindex, const char *name,
		       const unsigned char mac[6])
{
	char what[64], t[18];
	struct nl_msg *m = link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put(m, IFLA_ADDRESS, 6, mac) < 0)
		return put_fail(m);
	kp_mac_format(mac, t);
	snprintf(what, sizeof(what), "set %s address %s", name, t);
	return kp_nl_send(nl, m, what);
}

int kp_nl_inet_set_conf(struct kp_nl *nl, int ifindex, const char *name, int cfg,
			unsigned value)
{
	struct nlattr *af, *in, *conf;
	char what[96];
	struct nl_msg *m = link_msg(RTM_NEWLINK, 0, ifindex, 0, 0);

	if (!m)
		return -ENOMEM;
	af = nla_nest_start(m, IFLA_AF_SPEC);
	in = af ? nla_nest_start(m, AF_INET) : NULL;
	conf = in ? nla_nest_start(m, IFLA_INET_CONF) : NULL;
	if (!conf || nla_put_u32(m, cfg, value) < 0)
		return put_fail(m);
	nla_nest_end(m, conf);
	nla_nest_end(m, in);
	nla_nest_end(m, af);
	snprintf(what, sizeof(what), "set %s ipv4 %s %u", name,
		 cfg == IPV4_DEVCONF_PROMOTE_SECONDARIES ? "promote_secondaries" : "devconf", value);
	return kp_nl_send(nl, m, what);
}

int kp_nl_ipv6_sysctl(struct kp_nl *nl, const char *name, const char *key, int value)
{
	char path[160], what[128], buf[16];
	int fd, len, r = 0;

	snprintf(what, sizeof(what), "set %s ipv6 %s %d (sysctl)", name, key, value);
	nl->nsteps++;
	if (nl->log)
		nl->log(nl->log_arg, what);
	if (nl->dry)
		return 0;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", name, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 on this link: nothing to stop */
	len = snprintf(buf, sizeof(buf), "%d\n", value);
	if (write(fd, buf, (size_t)len) != len)
		r = -errno;
	close(fd);
	return r;
}

int kp_nl_macvtap_add(struct kp_nl *nl, const char *name, int lower, const char *lower_name,
		      unsigned mode, const unsigned char *mac)
{
	static const char *modes[] = { [MACVLAN_MODE_PRIVATE] = "private",
				       [MACVLAN_MODE_VEPA] = "vepa",
				       [MACVLAN_MODE_BRIDGE] = "bridge",
				       [MACVLAN_MODE_PASSTHRU] = "passthru" };
	struct nlattr *li, *data;
	char what[160], t[18] = "";
	struct nl_msg *m = link_msg(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, 0, 0);

	if (!m)
		return -ENOMEM;
	if (nla_put_string(m, IFLA_IFNAME, name) < 0 || nla_put_u32(m, IFLA_LINK, (uint32_t)lower) < 0)
		return put_fail(m);
	if (mac) {
		if (nla_put(m, IFLA_ADDRESS, 6, mac) < 0)
			return put_fail(m);
		kp_mac_format(mac, t);
	}
	li = nla_nest_start(m, IFLA_LINKINFO);
	if (!li || nla_put_string(m, IFLA_INFO_KIND, "macvtap") < 0)
		return put_fail(m);
	data = nla_nest_start(m, IFLA_INFO_DATA);
	if (!data || nla_put_u32(m, IFLA_MACVLAN_MODE, mode) < 0)
		return put_fail(m);
	nla_nest_end(m, data);
	nla_nest_end(m, li);
	snprintf(what, sizeof(what), "create macvtap %s link %s mode %s%s%s", name, lower_name,
		 mode < sizeof(modes) / sizeof(modes[0]) && modes[mode] ? modes[mode] : "?",
		 mac ? " address " : "", t);
	return send_create(nl, m, name, what);
}

int kp_tap_add(struct kp_nl *nl, const char *name, const struct kp_tap_opts *o)
{
	struct ifreq ifr;
	char what[160];
	int fd, r = 0, step = -1;
	size_t off = (size_t)snprintf(what, sizeof(what), "create tap %s persist%s%s", name,
				      o->multi_queue ? " multi_queue" : "",
				      o->vnet_hdr ? " vnet_hdr" : "");

	if (o->owner >= 0)
		off += (size_t)snprintf(what + off, sizeof(what) - off, " owner %ld", o->owner);
	if (o->group >= 0)
		off += (size_t)snprintf(what + off, sizeof(what) - off, " group %ld", o->group);
	snprintf(what + off, sizeof(what) - off, " (/dev/net/tun)");
	nl->nsteps++;
	if (nl->log)
		nl->log(nl->log_arg, what);
	if (nl->dry)
		return 0;
	if ((r = kp_journal_add_link(name, 0, &step)) < 0)
		return r;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_TUN_EXCL;
	if (o->multi_queue)
		ifr.ifr_flags |= IFF_MULTI_QUEUE;
	if (o->vnet_hdr)
		ifr.ifr_flags |= IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		close(fd);
		if (step >= 0)
			not_ours(step, r);
		return r;
	}
	if (o->owner >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long)o->owner) < 0)
		r = -errno;
	if (!r && o->group >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long)o->group) < 0)
		r = -errno;
	if (!r && ioctl(fd, TUNSETPERSIST, 1UL) < 0)
		r = -errno;
	close(fd); /* not persistent (an error above): the tap goes with the fd */
	if (step >= 0)
		not_ours(step, r);
	return r;
}

/* ---- /dev/tapN -------------------------------------------------------- */

struct kp_tapwatch {
	struct udev *udev;
	struct udev_monitor *mon;
};

int kp_tapdev_watch(struct kp_tapwatch **out)
{
	struct kp_tapwatch *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->udev = udev_new();
	if (w->udev)
		/* kernel uevents: the node is devtmpfs's, no udevd needed */
		w->mon = udev_monitor_new_from_netlink(w->udev, "kernel");
	if (!w->mon || udev_monitor_filter_add_match_subsystem_devtype(w->mon, "macvtap", NULL) < 0 ||
	    udev_monitor_enable_receiving(w->mon) < 0) {
		kp_tapdev_unwatch(w);
		return -ENOMEM;
	}
	*out = w;
	return 0;
}

void kp_tapdev_unwatch(struct kp_tapwatch *w)
{
	if (!w)
		return;
	if (w->mon)
		udev_monitor_unref(w->mon);
	if (w->udev)
		udev_unref(w->udev);
	free(w);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int kp_tapdev_wait(struct kp_tapwatch *w, int ifindex, int timeout_ms, char *path, size_t n)
{
	long long end = now_ms() + timeout_ms;
	char name[32];
	dev_t devnum = 0;
	struct stat st;

	snprintf(name, sizeof(name), "tap%d", ifindex);
	snprintf(path, n, "/dev/%s", name);
	while (!devnum) {
		struct pollfd pfd = { .fd = udev_monitor_get_fd(w->mon), .events = POLLIN };
		long long left = end - now_ms();
		struct udev_device *d;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			continue;
		while ((d = udev_monitor_receive_device(w->mon))) {
			const char *sn = udev_device_get_sysname(d), *act = udev_device_get_action(d);

			if (sn && !strcmp(sn, name) && act && !strcmp(act, "add"))
				devnum = udev_device_get_devnum(d);
			udev_device_unref(d);
		}
	}
	/* devtmpfs makes the node before the uevent goes out; a node of that
	 * name with another number is another namespace's tapN */
	while (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		if (now_ms() >= end)
			return -ETIMEDOUT;
		usleep(10000);
	}
	if (!S_ISCHR(st.st_mode) || st.st_rdev != devnum)
		return -EEXIST;
	return 0;
}

/* ---- caches ------------------------------------------------------------ */

int kp_nl_addr_cache(struct kp_nl *nl, struct nl_cache **c)
{
	return nlerr(rtnl_addr_alloc_cache(nl->sock, c));
}

int kp_nl_route_cache(struct kp_nl *nl, struct nl_cache **c)
{
	return nlerr(rtnl_route_alloc_cache(nl->sock, AF_UNSPEC, 0, c));
}

/* ---- neighbours --------------------------------------------------------- */

static int neigh_answered(struct kp_nl *nl, int ifindex, struct nl_addr *dst)
{
	struct nl_cache *c = NULL;
	struct rtnl_neigh *n;
	int ok = 0;

	if (rtnl_neigh_alloc_cache(nl->sock, &c) < 0)
		return 0;
	n = rtnl_neigh_get(c, ifindex, dst);
	if (n) {
		int st = rtnl_neigh_get_state(n);

		ok = !!(st & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |
			      NUD_NOARP));
		rtnl_neigh_put(n);
	}
	nl_cache_free(c);
	return ok;
}

int kp_nl_neigh_resolve(struct kp_nl *nl, int ifindex, const char *ifname, int family,
			const void *addr, int timeout_ms)
{
	struct sockaddr_storage ss;
	struct nl_addr *dst;
	socklen_t sl;
	long long end = now_ms() + timeout_ms, next = 0;
	int fd, r = -EHOSTUNREACH;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(9);
		memcpy(&in->sin_addr, addr, 4);
		sl = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(9);
		memcpy(&in6->sin6_addr, addr, 16);
		in6->sin6_scope_id = (uint32_t)ifindex;
		sl = sizeof(*in6);
	}
	dst = nl_addr_build(family, addr, family == AF_INET ? 4 : 16);
	if (!dst)
		return -ENOMEM;
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		nl_addr_put(dst);
		return -errno;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname) + 1) < 0 ||
	    connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		r = -errno;
		goto out;
	}
	while (now_ms() < end) {
		if (now_ms() >= next) {
			/* each datagram asks again; its ICMP answer (if any) does not matter */
			if (send(fd, "", 0, 0) < 0 && errno != ECONNREFUSED && errno != EAGAIN)
				(void)0;
			next = now_ms() + 500;
		}
		if (neigh_answered(nl, ifindex, dst)) {
			r = 0;
			break;
		}
		usleep(20000);
	}
out:
	close(fd);
	nl_addr_put(dst);
	return r;
}
