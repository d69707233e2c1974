/* SPDX-License-Identifier: MIT */
#include "vfnl.h"

#include <errno.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <json-c/json.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct kp_vfnl {
	struct nl_sock *sk;
};

/* libnl's own codes: the nearest errno (only for libnl's local failures;
 * the kernel's answers are read as errnos from the error message). */
static int nlerr(int e)
{
	switch (e < 0 ? -e : e) {
	case 0: return 0;
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_NOACCESS: return -EACCES;
	case NLE_INVAL: return -EINVAL;
	case NLE_OPNOTSUPP: return -EOPNOTSUPP;
	case NLE_NODEV:
	case NLE_OBJ_NOTFOUND: return -ENODEV;
	case NLE_MSGSIZE: return -EMSGSIZE;
	case NLE_RANGE: return -ERANGE;
	case NLE_BUSY: return -EBUSY;
	default: return -EIO;
	}
}

int kp_vfnl_open(struct kp_vfnl **out)
{
	struct kp_vfnl *nl = calloc(1, sizeof(*nl));
	int one = 1, r;

	if (!nl)
		return -ENOMEM;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return -ENOMEM;
	}
	r = nl_connect(nl->sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(nl->sk);
		free(nl);
		return nlerr(r);
	}
	/* acks are asked for per message (changes), not for reads */
	nl_socket_disable_auto_ack(nl->sk);
	/* the kernel's reason with its errors, without the request echoed */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	*out = nl;
	return 0;
}

void kp_vfnl_close(struct kp_vfnl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

const char *kp_vfnl_state_name(int state)
{
	switch (state) {
	case IFLA_VF_LINK_STATE_AUTO: return "auto";
	case IFLA_VF_LINK_STATE_ENABLE: return "enable";
	case IFLA_VF_LINK_STATE_DISABLE: return "disable";
	}
	return "?";
}

/* ---- answers ---------------------------------------------------------- */

struct answer {
	int done;
	int err;        /* -errno from the kernel */
	char msg[256];  /* NLMSGERR_ATTR_MSG */
	struct rtnl_link *link; /* a parsed RTM_NEWLINK */
};

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	static struct nla_policy pol[NLMSGERR_ATTR_MAX + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
		[NLMSGERR_ATTR_OFFS] = { .type = NLA_U32 },
	};
	struct answer *a = arg;
	struct nlmsghdr *h = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off = sizeof(*e);

	(void)who;
	a->done = 1;
	a->err = e->error;
	/* the TLVs follow the error (and the request, unless capped) */
	if (!(h->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len > NLMSG_HDRLEN)
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(off);
	if ((h->nlmsg_flags & NLM_F_ACK_TLVS) && h->nlmsg_len > NLMSG_HDRLEN + off &&
	    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      (int)(h->nlmsg_len - NLMSG_HDRLEN - off), pol) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(a->msg, tb[NLMSGERR_ATTR_MSG], sizeof(a->msg));
	return NL_STOP;
}

static int on_ack(struct nl_msg *m, void *arg)
{
	struct answer *a = arg;

	(void)m;
	a->done = 1;
	a->err = 0;
	return NL_STOP;
}

static void on_link(struct nl_object *obj, void *arg)
{
	struct answer *a = arg;

	if (!a->link) {
		nl_object_get(obj);
		a->link = (struct rtnl_link *)obj;
	}
}

static int on_valid(struct nl_msg *m, void *arg)
{
	struct answer *a = arg;

	if (nlmsg_hdr(m)->nlmsg_type == RTM_NEWLINK)
		nl_msg_parse(m, on_link, a);
	a->done = 1;
	return NL_OK;
}

/* Send msg, read until the answer is complete. 0 or -errno (a->err). */
static int exchange(struct kp_vfnl *nl, struct nl_msg *msg, struct answer *a)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int r;

	if (!cb)
		return -ENOMEM;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, a);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, a);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, a);
	r = nl_send_auto(nl->sk, msg);
	if (r < 0) {
		nl_cb_put(cb);
		return nlerr(r);
	}
	while (!a->done) {
		r = nl_recvmsgs(nl->sk, cb);
		if (r < 0 && !a->done) {
			nl_cb_put(cb);
			return nlerr(r);
		}
	}
	nl_cb_put(cb);
	return a->err;
}

/* ---- reading ----------------------------------------------------------- */

int kp_vfnl_get(struct kp_vfnl *nl, const char *ifname, int totalvfs,
		struct kp_vfnl_info **out, size_t *n)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct answer a = { 0 };
	struct kp_vfnl_info *v = NULL;
	struct nl_msg *msg;
	uint32_t num = 0, i;
	size_t buf;
	int r;

	*out = NULL;
	*n = 0;
	/* one PF's message carries every VF's IFLA_VF_INFO (about 200 bytes
	 * each without statistics): size the receive buffer for totalvfs */
	buf = 32768 + (size_t)(totalvfs > 0 ? totalvfs : 256) * 512;
	nl_socket_set_buffer_size(nl->sk, (int)buf, 0);
	nl_socket_set_msg_buf_size(nl->sk, buf);
	nl_socket_enable_msg_peek(nl->sk);

	msg = nlmsg_alloc_simple(RTM_GETLINK, NLM_F_REQUEST);
	if (!msg)
		return -ENOMEM;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, ifname) < 0 ||
	    nla_put_u32(msg, IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS) < 0) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	r = exchange(nl, msg, &a);
	nlmsg_free(msg);
	if (r < 0)
		goto out;
	if (!a.link) {
		r = -EIO;
		goto out;
	}
	if (rtnl_link_get_num_vf(a.link, &num) < 0 || num == 0)
		goto out;
	v = calloc(num, sizeof(*v));
	if (!v) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < num; i++) {
		struct rtnl_link_vf *vf = rtnl_link_vf_get(a.link, i);
		struct kp_vfnl_info *x = &v[*n];
		struct nl_addr *addr = NULL;
		nl_vf_vlans_t *vl = NULL;
		struct nl_vf_rate rate;
		uint32_t u;

		if (!vf)
			continue;
		x->spoofchk = x->trust = x->link_state = x->query_rss = -1;
		rtnl_link_vf_get_index(vf, &x->index);
		if (rtnl_link_vf_get_addr(vf, &addr) == 0 && addr) {
			nl_addr2str(addr, x->mac, sizeof(x->mac));
			x->has_mac = 1;
		}
		if (rtnl_link_vf_get_vlans(vf, &vl) == 0 && vl && vl->size > 0) {
			x->has_vlan = 1;
			x->vlan = vl->vlans[0].vf_vlan;
			x->qos = vl->vlans[0].vf_vlan_qos;
			x->vlan_proto = vl->vlans[0].vf_vlan_proto;
		}
		if (vl)
			rtnl_link_vf_vlan_put(vl); /* the getter took a reference */
		memset(&rate, 0, sizeof(rate));
		if (rtnl_link_vf_get_rate(vf, &rate) == 0) {
			x->has_rate = 1;
			x->min_rate = rate.min_tx_rate;
			x->max_rate = rate.max_tx_rate ? rate.max_tx_rate : rate.rate;
		}
		if (rtnl_link_vf_get_spoofchk(vf, &u) == 0)
			x->spoofchk = u != 0;
		if (rtnl_link_vf_get_trust(vf, &u) == 0)
			x->trust = u != 0;
		if (rtnl_link_vf_get_linkstate(vf, &u) == 0)
			x->link_state = (int)u;
		if (rtnl_link_vf_get_rss_query_en(vf, &u) == 0)
			x->query_rss = u != 0;
		rtnl_link_vf_put(vf);
		(*n)++;
	}
	*out = v;
	v = NULL;
	r = 0;
out:
	free(v);
	if (a.link)
		rtnl_link_put(a.link);
	return r;
}

/* ---- changing ---------------------------------------------------------- */

int kp_vfnl_build(int ifindex, unsigned vfi, const struct kp_vf_change *c, struct nl_msg **out)
{
	struct rtnl_link *orig = NULL, *chg = NULL;
	struct rtnl_link_vf *vf = NULL;
	struct nl_addr *mac = NULL;
	nl_vf_vlans_t *vl = NULL;
	struct nl_vf_rate rate;
	int r = -ENOMEM;

	*out = NULL;
	orig = rtnl_link_alloc();
	chg = rtnl_link_alloc();
	vf = rtnl_link_vf_alloc();
	if (!orig || !chg || !vf)
		goto out;
	rtnl_link_set_ifindex(orig, ifindex);
	rtnl_link_vf_set_index(vf, vfi);
	switch (c->attr) {
	case KP_VF_MAC:
		mac = nl_addr_build(AF_LLC, c->mac, 6);
		if (!mac)
			goto out;
		rtnl_link_vf_set_addr(vf, mac);
		break;
	case KP_VF_VLAN:
		if (rtnl_link_vf_vlan_alloc(&vl, 1) < 0)
			goto out;
		vl->vlans[0].vf_vlan = c->vlan;
		vl->vlans[0].vf_vlan_qos = c->qos;
		/* libnl (3.7, lib/route/link/sriov.c) sends 802.1Q as
		 * IFLA_VF_VLAN and any other protocol as IFLA_VF_VLAN_LIST,
		 * copying vf_vlan_proto as it is while the kernel reads it as
		 * __be16 (and libnl's own parser applies ntohs): hand it
		 * network order. tests/unit/test_vfnl.c checks the bytes. */
		vl->vlans[0].vf_vlan_proto = !c->vlan_proto || c->vlan_proto == 0x8100
					     ? 0x8100 : htons((uint16_t)c->vlan_proto);
		rtnl_link_vf_set_vlans(vf, vl);
		break;
	case KP_VF_RATE:
		memset(&rate, 0, sizeof(rate));
		rate.api = RTNL_LINK_VF_RATE_API_NEW;
		rate.min_tx_rate = c->min_rate;
		rate.max_tx_rate = c->max_rate;
		rtnl_link_vf_set_rate(vf, &rate);
		break;
	case KP_VF_SPOOFCHK:
		rtnl_link_vf_set_spoofchk(vf, c->on ? 1 : 0);
		break;
	case KP_VF_TRUST:
		rtnl_link_vf_set_trust(vf, c->on ? 1 : 0);
		break;
	case KP_VF_STATE:
		rtnl_link_vf_set_linkstate(vf, (uint32_t)c->state);
		break;
	case KP_VF_QUERY_RSS:
		rtnl_link_vf_set_rss_query_en(vf, c->on ? 1 : 0);
		break;
	default:
		r = -EINVAL;
		goto out;
	}
	r = rtnl_link_vf_add(chg, vf);
	if (r < 0) {
		r = nlerr(r);
		goto out;
	}
	r = rtnl_link_build_change_request(orig, chg, 0, out);
	if (r < 0) {
		r = nlerr(r);
		goto out;
	}
	/* a change of an existing link; the kernel acks each one */
	nlmsg_hdr(*out)->nlmsg_type = RTM_SETLINK;
	nlmsg_hdr(*out)->nlmsg_flags |= NLM_F_ACK;
	r = 0;
out:
	if (vl)
		rtnl_link_vf_vlan_put(vl);
	if (mac)
		nl_addr_put(mac);
	if (vf)
		rtnl_link_vf_put(vf);
	if (chg)
		rtnl_link_put(chg);
	if (orig)
		rtnl_link_put(orig);
	return r;
}

int kp_vfnl_set(struct kp_vfnl *nl, int ifindex, unsigned vf, const struct kp_vf_change *c,
		char *msgbuf, size_t msglen)
{
	struct answer a = { 0 };
	struct nl_msg *msg;
	int r;

	if (msgbuf && msglen)
		msgbuf[0] = '\0';
	r = kp_vfnl_build(ifindex, vf, c, &msg);
	if (r < 0)
		return r;
	r = exchange(nl, msg, &a);
	nlmsg_free(msg);
	if (msgbuf && msglen)
		snprintf(msgbuf, msglen, "%s", a.msg);
	return r;
}

/* ---- snapshots ----------------------------------------------------------- */

int kp_vfnl_mac_parse(const char *s, unsigned char mac[6])
{
	unsigned m[6];
	char end;

	if (!s || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5],
			 &end) != 6 || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (unsigned char)m[i];
	return 0;
}

int kp_vfnl_snap_json(const struct kp_vfnl_info *v, size_t n, char **out)
{
	json_object *arr = json_object_new_array();
	size_t i;

	*out = NULL;
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		if (!o) {
			json_object_put(arr);
			return -ENOMEM;
		}
		json_object_object_add(o, "vf", json_object_new_int64(v[i].index));
		if (v[i].has_mac)
			json_object_object_add(o, "mac", json_object_new_string(v[i].mac));
		if (v[i].has_vlan) {
			json_object_object_add(o, "vlan", json_object_new_int64(v[i].vlan));
			json_object_object_add(o, "qos", json_object_new_int64(v[i].qos));
			json_object_object_add(o, "proto", json_object_new_string(
						       v[i].vlan_proto == 0x88a8 ? "802.1ad" : "802.1Q"));
		}
		if (v[i].has_rate) {
			json_object_object_add(o, "min_rate", json_object_new_int64(v[i].min_rate));
			json_object_object_add(o, "max_rate", json_object_new_int64(v[i].max_rate));
		}
		if (v[i].spoofchk >= 0)
			json_object_object_add(o, "spoofchk", json_object_new_boolean(v[i].spoofchk));
		if (v[i].trust >= 0)
			json_object_object_add(o, "trust", json_object_new_boolean(v[i].trust));
		if (v[i].link_state >= 0)
			json_object_object_add(o, "link_state",
					       json_object_new_string(kp_vfnl_state_name(v[i].link_state)));
		if (v[i].query_rss >= 0)
			json_object_object_add(o, "query_rss", json_object_new_boolean(v[i].query_rss));
		json_object_array_add(arr, o);
	}
	{
		const char *s = json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN);

		*out = s ? strdup(s) : NULL;
	}
	json_object_put(arr);
	return *out ? 0 : -ENOMEM;
}

static int get_uint(json_object *o, const char *key, unsigned *v)
{
	json_object *x;
	int64_t i;

	if (!json_object_object_get_ex(o, key, &x))
		return 0;
	if (!json_object_is_type(x, json_type_int))
		return -EINVAL;
	i = json_object_get_int64(x);
	if (i < 0 || i > 0xffffffffLL)
		return -EINVAL;
	*v = (unsigned)i;
	return 1;
}

static int get_bool(json_object *o, const char *key, int *v)
{
	json_object *x;

	*v = -1;
	if (!json_object_object_get_ex(o, key, &x))
		return 0;
	if (!json_object_is_type(x, json_type_boolean))
		return -EINVAL;
	*v = json_object_get_boolean(x);
	return 1;
}

static int parse_vf(json_object *o, struct kp_vfnl_info *x)
{
	static const char *const known[] = { "vf", "mac", "vlan", "qos", "proto", "min_rate",
					     "max_rate", "spoofchk", "trust", "link_state",
					     "query_rss", NULL };
	json_object *s;
	unsigned char mac[6];
	unsigned u;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return -EINVAL;
	json_object_object_foreach(o, key, val) {
		int k;

		(void)val;
		for (k = 0; known[k] && strcmp(known[k], key); k++)
			;
		if (!known[k])
			return -EINVAL;
	}
	memset(x, 0, sizeof(*x));
	if (get_uint(o, "vf", &u) != 1)
		return -EINVAL;
	x->index = u;
	if (json_object_object_get_ex(o, "mac", &s)) {
		if (!json_object_is_type(s, json_type_string) ||
		    kp_vfnl_mac_parse(json_object_get_string(s), mac) < 0)
			return -EINVAL;
		snprintf(x->mac, sizeof(x->mac), "%s", json_object_get_string(s));
		x->has_mac = 1;
	}
	r = get_uint(o, "vlan", &x->vlan);
	if (r < 0)
		return r;
	if (r == 1) {
		x->has_vlan = 1;
		if (get_uint(o, "qos", &x->qos) < 0 || x->vlan > 4095 || x->qos > 7)
			return -EINVAL;
		x->vlan_proto = 0x8100;
		if (json_object_object_get_ex(o, "proto", &s)) {
			const char *p = json_object_get_string(s);

			if (p && !strcmp(p, "802.1ad"))
				x->vlan_proto = 0x88a8;
			else if (!p || strcmp(p, "802.1Q"))
				return -EINVAL;
		}
	}
	r = get_uint(o, "max_rate", &x->max_rate);
	if (r < 0 || get_uint(o, "min_rate", &x->min_rate) < 0)
		return -EINVAL;
	x->has_rate = r == 1;
	if (get_bool(o, "spoofchk", &x->spoofchk) < 0 || get_bool(o, "trust", &x->trust) < 0 ||
	    get_bool(o, "query_rss", &x->query_rss) < 0)
		return -EINVAL;
	x->link_state = -1;
	if (json_object_object_get_ex(o, "link_state", &s)) {
		const char *p = json_object_get_string(s);

		x->link_state = !p ? -1 : !strcmp(p, "auto") ? IFLA_VF_LINK_STATE_AUTO
			       : !strcmp(p, "enable") ? IFLA_VF_LINK_STATE_ENABLE
			       : !strcmp(p, "disable") ? IFLA_VF_LINK_STATE_DISABLE : -1;
		if (x->link_state < 0)
			return -EINVAL;
	}
	return 0;
}

int kp_vfnl_snap_parse(const char *json, struct kp_vfnl_info **out, size_t *n)
{
	json_object *arr = json ? json_tokener_parse(json) : NULL;
	struct kp_vfnl_info *v = NULL;
	size_t i, len;
	int r = 0;

	*out = NULL;
	*n = 0;
	if (!arr || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return -EINVAL;
	}
	len = json_object_array_length(arr);
	v = calloc(len ? len : 1, sizeof(*v));
	if (!v) {
		json_object_put(arr);
		return -ENOMEM;
	}
	for (i = 0; i < len && r == 0; i++)
		r = parse_vf(json_object_array_get_idx(arr, i), &v[i]);
	json_object_put(arr);
	if (r < 0) {
		free(v);
		return r;
	}
	*out = v;
	*n = len;
	return 0;
}

/* The changes that take cur (may be NULL: unknown) to want, in the order
 * they are sent. Returns how many (at most 7). */
static int changes_to(const struct kp_vfnl_info *want, const struct kp_vfnl_info *cur,
		      struct kp_vf_change *c)
{
	int k = 0;

	if (want->has_mac && (!cur || !cur->has_mac || strcasecmp(cur->mac, want->mac))) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].attr = KP_VF_MAC;
		if (kp_vfnl_mac_parse(want->mac, c[k].mac) == 0)
			k++;
	}
	if (want->has_vlan &&
	    (!cur || !cur->has_vlan || cur->vlan != want->vlan || cur->qos != want->qos ||
	     (cur->vlan_proto ? cur->vlan_proto : 0x8100) !=
		     (want->vlan_proto ? want->vlan_proto : 0x8100))) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].attr = KP_VF_VLAN;
		c[k].vlan = want->vlan;
		c[k].qos = want->qos;
		c[k].vlan_proto = want->vlan_proto ? want->vlan_proto : 0x8100;
		k++;
	}
	/* libnl reports no rate when both bounds are 0 (the kernel always
	 * sends them): no rate is "no limit", put back over a limit */
	if (want->has_rate ? !cur || !cur->has_rate || cur->min_rate != want->min_rate ||
				     cur->max_rate != want->max_rate
			   : cur && cur->has_rate && (cur->min_rate || cur->max_rate)) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].attr = KP_VF_RATE;
		c[k].min_rate = want->has_rate ? want->min_rate : 0;
		c[k].max_rate = want->has_rate ? want->max_rate : 0;
		k++;
	}
#define FLAG(field, a)                                                        \
	if (want->field >= 0 && (!cur || cur->field != want->field)) {        \
		memset(&c[k], 0, sizeof(c[k]));                               \
		c[k].attr = a;                                                \
		c[k].on = want->field;                                        \
		c[k].state = want->field;                                     \
		k++;                                                          \
	}
	FLAG(spoofchk, KP_VF_SPOOFCHK)
	FLAG(trust, KP_VF_TRUST)
	FLAG(link_state, KP_VF_STATE)
	FLAG(query_rss, KP_VF_QUERY_RSS)
#undef FLAG
	return k;
}

const char *kp_vf_attr_name(enum kp_vf_attr a)
{
	switch (a) {
	case KP_VF_MAC: return "mac";
	case KP_VF_VLAN: return "vlan";
	case KP_VF_RATE: return "rate";
	case KP_VF_SPOOFCHK: return "spoofchk";
	case KP_VF_TRUST: return "trust";
	case KP_VF_STATE: return "state";
	case KP_VF_QUERY_RSS: return "query_rss";
	}
	return "?";
}

int kp_vfnl_restore(struct kp_vfnl *nl, const char *ifname, int totalvfs,
		    const struct kp_vfnl_info *want, size_t n, int *nchanged, char *why,
		    size_t whylen)
{
	struct kp_vfnl_info *cur = NULL;
	size_t ncur = 0, i, j;
	int ifindex, r, rc = 0, sent = 0;

	if (why && whylen)
		why[0] = '\0';
	if (nchanged)
		*nchanged = 0;
	if (n == 0)
		return 0;
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex) {
		if (why && whylen)
			snprintf(why, whylen, "%s: no such interface in this network namespace", ifname);
		return -ENODEV;
	}
	r = kp_vfnl_get(nl, ifname, totalvfs, &cur, &ncur);
	if (r < 0) {
		if (why && whylen)
			snprintf(why, whylen, "cannot read the VFs of %s: %s", ifname, strerror(-r));
		return r;
	}
	for (i = 0; i < n; i++) {
		const struct kp_vfnl_info *now = NULL;
		struct kp_vf_change c[8];
		int k, m;

		for (j = 0; j < ncur; j++)
			if (cur[j].index == want[i].index)
				now = &cur[j];
		if (!now)
			continue; /* no such VF now: nothing of it to give back */
		k = changes_to(&want[i], now, c);
		for (m = 0; m < k; m++) {
			char kmsg[256];

			r = kp_vfnl_set(nl, ifindex, want[i].index, &c[m], kmsg, sizeof(kmsg));
			sent++;
			if (r < 0 && rc == 0) {
				rc = r;
				if (why && whylen)
					snprintf(why, whylen, "VF %u: cannot set %s: %s", want[i].index,
						 kp_vf_attr_name(c[m].attr), kmsg[0] ? kmsg : strerror(-r));
			}
		}
	}
	free(cur);
	if (nchanged)
		*nchanged = sent;
	return rc;
}
