/* SPDX-License-Identifier: MIT */
/*
 * lib/vfnl.c without an SR-IOV NIC: the requests are checked attribute by
 * attribute as libnl builds and sends them, and the kernel's answers are
 * played back. Link-time wrapping (see the ldflags line): nl_send_auto
 * completes the message as libnl would and keeps a copy instead of
 * sending it; nl_recvmsgs hands libnl's own receive loop a canned answer
 * through the callback set's receive hook, so libnl's parser, sequence
 * check and error dispatch run unchanged.
 */
// ldflags: -Wl,--wrap=nl_send_auto -Wl,--wrap=nl_recvmsgs
// tool-sources: tools/sriov/vfargs.c
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/handlers.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "sriov/vfargs.h"
#include "vfnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* ---- the stand-in for the kernel ------------------------------------- */

static unsigned char sent[65536];
static size_t sent_len;
static int nsent;
static int ext_ack_on;

enum reply { R_ACK, R_ERR, R_ERR_UNCAPPED, R_LINK };
static enum reply reply = R_ACK;
static int reply_errno;
static const char *reply_msg;
static int reply_nvfs;

int __real_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __real_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb);
int __wrap_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb);

int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h;
	int one = 0;
	socklen_t l = sizeof(one);

	nl_complete_msg(sk, msg);
	h = nlmsg_hdr(msg);
	assert_true(h->nlmsg_len <= sizeof(sent));
	memcpy(sent, h, h->nlmsg_len);
	sent_len = h->nlmsg_len;
	nsent++;
	ext_ack_on = getsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, &l) == 0 &&
		     one == 1;
	return (int)h->nlmsg_len;
}

static struct nlmsghdr *req(void)
{
	return (struct nlmsghdr *)sent;
}

static int hand_back(struct nl_msg *m, unsigned char **buf)
{
	struct nlmsghdr *h = nlmsg_hdr(m);
	int len = (int)h->nlmsg_len;

	*buf = malloc((size_t)len);
	memcpy(*buf, h, (size_t)len);
	nlmsg_free(m);
	return len;
}

static void add_vf(struct nl_msg *m, unsigned i)
{
	struct nlattr *info = nla_nest_start(m, IFLA_VF_INFO);
	struct ifla_vf_mac mac = { .vf = i, .mac = { 0x52, 0x54, 0x00, 0x00, (uint8_t)(i >> 8),
						      (uint8_t)i } };
	struct ifla_vf_vlan vlan = { .vf = i, .vlan = 100 + i % 8, .qos = i % 8 };
	struct ifla_vf_rate rate = { .vf = i, .min_tx_rate = 10, .max_tx_rate = 1000 + i };
	struct ifla_vf_tx_rate txr = { .vf = i, .rate = 1000 + i };
	struct ifla_vf_spoofchk sp = { .vf = i, .setting = i % 2 };
	struct ifla_vf_trust tr = { .vf = i, .setting = 1 };
	struct ifla_vf_link_state ls = { .vf = i, .link_state = IFLA_VF_LINK_STATE_DISABLE };
	struct ifla_vf_rss_query_en rss = { .vf = i, .setting = 0 };
	struct nlattr *vl = NULL;
	struct ifla_vf_vlan_info vi = { .vf = i, .vlan = 100 + i % 8, .qos = i % 8,
					.vlan_proto = htons(i == 1 ? 0x88a8 : 0x8100) };

	nla_put(m, IFLA_VF_MAC, sizeof(mac), &mac);
	nla_put(m, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	vl = nla_nest_start(m, IFLA_VF_VLAN_LIST);
	nla_put(m, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	nla_nest_end(m, vl);
	nla_put(m, IFLA_VF_TX_RATE, sizeof(txr), &txr);
	nla_put(m, IFLA_VF_RATE, sizeof(rate), &rate);
	nla_put(m, IFLA_VF_SPOOFCHK, sizeof(sp), &sp);
	nla_put(m, IFLA_VF_TRUST, sizeof(tr), &tr);
	nla_put(m, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	nla_put(m, IFLA_VF_RSS_QUERY_EN, sizeof(rss), &rss);
	nla_nest_end(m, info);
}

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *who, unsigned char **buf,
		     struct ucred **creds)
{
	struct nlmsghdr *rq = req();
	struct nl_msg *m;

	(void)sk;
	memset(who, 0, sizeof(*who));
	who->nl_family = AF_NETLINK;
	if (creds)
		*creds = NULL;
	if (reply == R_LINK) {
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7 };
		struct nlattr *list;
		int i;

		m = nlmsg_alloc_size(1 << 20);
		nlmsg_put(m, rq->nlmsg_pid, rq->nlmsg_seq, RTM_NEWLINK, 0, 0);
		nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
		nla_put_string(m, IFLA_IFNAME, "enp3s0f0");
		nla_put_u32(m, IFLA_NUM_VF, (uint32_t)reply_nvfs);
		list = nla_nest_start(m, IFLA_VFINFO_LIST);
		for (i = 0; i < reply_nvfs; i++)
			add_vf(m, (unsigned)i);
		nla_nest_end(m, list);
		return hand_back(m, buf);
	}
	{
		int err = reply == R_ACK ? 0 : -reply_errno;
		int capped = reply != R_ERR_UNCAPPED;
		size_t echo = capped ? 0 : rq->nlmsg_len - NLMSG_HDRLEN;
		struct nlmsgerr *e;

		m = nlmsg_alloc_size(65536);
		nlmsg_put(m, rq->nlmsg_pid, rq->nlmsg_seq, NLMSG_ERROR, 0,
			  (capped ? NLM_F_CAPPED : 0) | (reply_msg ? NLM_F_ACK_TLVS : 0));
		e = nlmsg_reserve(m, sizeof(*e) + echo, NLMSG_ALIGNTO);
		e->error = err;
		memcpy(&e->msg, rq, capped ? sizeof(*rq) : rq->nlmsg_len);
		if (reply_msg)
			nla_put_string(m, NLMSGERR_ATTR_MSG, reply_msg);
		return hand_back(m, buf);
	}
}

int __wrap_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb)
{
	nl_cb_overwrite_recv(cb, fake_recv);
	return __real_nl_recvmsgs(sk, cb);
}

/* ---- reading the request with libnl's parser -------------------------- */

/* The one attribute inside IFLA_VFINFO_LIST / IFLA_VF_INFO, checked to be
 * the only one at every level. */
static struct nlattr *only_vf_attr(void)
{
	struct nlmsghdr *h = req();
	struct ifinfomsg *ifi = nlmsg_data(h);
	struct nlattr *a, *list = NULL, *info = NULL, *one = NULL;
	int rem, n = 0;

	assert_int_equal(h->nlmsg_type, RTM_SETLINK);
	assert_int_equal(h->nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK), NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(h->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE), 0);
	assert_int_equal(ifi->ifi_index, 7);
	nlmsg_for_each_attr(a, h, sizeof(*ifi), rem) {
		n++;
		list = a;
	}
	assert_int_equal(n, 1);
	assert_int_equal(nla_type(list), IFLA_VFINFO_LIST);
	n = 0;
	nla_for_each_nested(a, list, rem) {
		n++;
		info = a;
	}
	assert_int_equal(n, 1);
	assert_int_equal(nla_type(info), IFLA_VF_INFO);
	n = 0;
	nla_for_each_nested(a, info, rem) {
		n++;
		one = a;
	}
	assert_int_equal(n, 1);
	return one;
}

static struct kp_vfnl *nl;

static int setup(void **state)
{
	(void)state;
	return kp_vfnl_open(&nl);
}

static int teardown(void **state)
{
	(void)state;
	kp_vfnl_close(nl);
	return 0;
}

static int set1(const struct kp_vf_change *c, char *msg, size_t n)
{
	reply = R_ACK;
	return kp_vfnl_set(nl, 7, 3, c, msg, n);
}

static void test_mac(void **state)
{
	struct kp_vf_change c = { .attr = KP_VF_MAC, .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
	char msg[128];
	struct nlattr *a;
	struct ifla_vf_mac *m;

	(void)state;
	assert_int_equal(set1(&c, msg, sizeof(msg)), 0);
	assert_true(ext_ack_on);
	a = only_vf_attr();
	assert_int_equal(nla_type(a), IFLA_VF_MAC);
	assert_int_equal(nla_len(a), sizeof(*m));
	m = nla_data(a);
	assert_int_equal(m->vf, 3);
	assert_memory_equal(m->mac, c.mac, 6);
}

static void test_vlan(void **state)
{
	struct kp_vf_change c = { .attr = KP_VF_VLAN, .vlan = 4094, .qos = 7, .vlan_proto = 0x8100 };
	struct ifla_vf_vlan *v;
	struct nlattr *a;

	(void)state;
	assert_int_equal(set1(&c, NULL, 0), 0);
	a = only_vf_attr();
	assert_int_equal(nla_type(a), IFLA_VF_VLAN);
	assert_int_equal(nla_len(a), sizeof(*v));
	v = nla_data(a);
	assert_int_equal(v->vf, 3);
	assert_int_equal(v->vlan, 4094);
	assert_int_equal(v->qos, 7);
}

static void test_vlan_8021ad(void **state)
{
	struct kp_vf_change c = { .attr = KP_VF_VLAN, .vlan = 10, .qos = 0, .vlan_proto = 0x88a8 };
	struct ifla_vf_vlan_info *vi;
	struct nlattr *a, *x, *one = NULL;
	int rem, n = 0;

	(void)state;
	assert_int_equal(set1(&c, NULL, 0), 0);
	a = only_vf_attr();
	/* the protocol needs the list form, one entry */
	assert_int_equal(nla_type(a), IFLA_VF_VLAN_LIST);
	nla_for_each_nested(x, a, rem) {
		n++;
		one = x;
	}
	assert_int_equal(n, 1);
	assert_int_equal(nla_type(one), IFLA_VF_VLAN_INFO);
	assert_int_equal(nla_len(one), sizeof(*vi));
	vi = nla_data(one);
	assert_int_equal(vi->vf, 3);
	assert_int_equal(vi->vlan, 10);
	assert_int_equal(ntohs(vi->vlan_proto), 0x88a8);
}

static void test_rate_both_bounds(void **state)
{
	struct kp_vf_change c = { .attr = KP_VF_RATE, .min_rate = 0, .max_rate = 2500 };
	struct ifla_vf_rate *r;
	struct nlattr *a;

	(void)state;
	assert_int_equal(set1(&c, NULL, 0), 0);
	a = only_vf_attr();
	/* IFLA_VF_RATE (min and max), never the old max-only IFLA_VF_TX_RATE */
	assert_int_equal(nla_type(a), IFLA_VF_RATE);
	assert_int_equal(nla_len(a), sizeof(*r));
	r = nla_data(a);
	assert_int_equal(r->vf, 3);
	assert_int_equal(r->min_tx_rate, 0);
	assert_int_equal(r->max_tx_rate, 2500);
	c.min_rate = 100;
	c.max_rate = 0;
	assert_int_equal(set1(&c, NULL, 0), 0);
	r = nla_data(only_vf_attr());
	assert_int_equal(r->min_tx_rate, 100);
	assert_int_equal(r->max_tx_rate, 0);
}

static void check_setting(enum kp_vf_attr attr, int type, int on, int state_)
{
	struct kp_vf_change c = { .attr = attr, .on = on, .state = state_ };
	struct nlattr *a;
	uint32_t *p;

	assert_int_equal(set1(&c, NULL, 0), 0);
	a = only_vf_attr();
	assert_int_equal(nla_type(a), type);
	assert_int_equal(nla_len(a), 8); /* { __u32 vf; __u32 setting; } */
	p = nla_data(a);
	assert_int_equal(p[0], 3);
	assert_int_equal(p[1], attr == KP_VF_STATE ? (uint32_t)state_ : (uint32_t)on);
}

static void test_flags(void **state)
{
	(void)state;
	check_setting(KP_VF_SPOOFCHK, IFLA_VF_SPOOFCHK, 1, 0);
	check_setting(KP_VF_SPOOFCHK, IFLA_VF_SPOOFCHK, 0, 0);
	check_setting(KP_VF_TRUST, IFLA_VF_TRUST, 1, 0);
	check_setting(KP_VF_QUERY_RSS, IFLA_VF_RSS_QUERY_EN, 1, 0);
	check_setting(KP_VF_STATE, IFLA_VF_LINK_STATE, 0, IFLA_VF_LINK_STATE_DISABLE);
	check_setting(KP_VF_STATE, IFLA_VF_LINK_STATE, 0, IFLA_VF_LINK_STATE_AUTO);
}

/* every errno the kernel answers comes back as itself, with the driver's
 * extended-ack message when it sent one */
static void test_errors(void **state)
{
	static const int errs[] = { EOPNOTSUPP, EINVAL, EPERM, ENODEV, EBUSY, EIO };
	struct kp_vf_change c = { .attr = KP_VF_TRUST, .on = 1 };
	char msg[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		reply = R_ERR;
		reply_errno = errs[i];
		reply_msg = NULL;
		assert_int_equal(kp_vfnl_set(nl, 7, 3, &c, msg, sizeof(msg)), -errs[i]);
		assert_string_equal(msg, "");
		reply_msg = "VF 3: trust not supported by firmware";
		assert_int_equal(kp_vfnl_set(nl, 7, 3, &c, msg, sizeof(msg)), -errs[i]);
		assert_string_equal(msg, "VF 3: trust not supported by firmware");
	}
	/* a kernel that echoes the request (no NETLINK_CAP_ACK): the TLVs
	 * follow it */
	reply = R_ERR_UNCAPPED;
	reply_errno = EINVAL;
	reply_msg = "invalid vlan";
	assert_int_equal(kp_vfnl_set(nl, 7, 3, &c, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "invalid vlan");
	reply_msg = NULL;
}

/* the tool's words for each errno, with the kernel's reason when given */
static void test_messages(void **state)
{
	char buf[256];

	(void)state;
	vf_errmsg(KP_VF_TRUST, -EOPNOTSUPP, "", buf, sizeof(buf));
	assert_string_equal(buf, "cannot set trust: the PF's driver does not support it (Operation not supported)");
	vf_errmsg(KP_VF_VLAN, -EINVAL, "", buf, sizeof(buf));
	assert_string_equal(buf, "cannot set vlan: the PF's driver refused the value (Invalid argument)");
	vf_errmsg(KP_VF_MAC, -EPERM, "", buf, sizeof(buf));
	assert_string_equal(buf, "cannot set mac: not permitted (the VF's MAC is locked, or not root) (Operation not permitted)");
	vf_errmsg(KP_VF_RATE, -ENODEV, "", buf, sizeof(buf));
	assert_string_equal(buf, "cannot set rate: the PF's interface or the VF is gone (No such device)");
	vf_errmsg(KP_VF_SPOOFCHK, -EINVAL, "VF spoofchk needs trust off", buf, sizeof(buf));
	assert_string_equal(buf, "cannot set spoofchk: VF spoofchk needs trust off (Invalid argument)");
}

/* the read: one request with the VF mask (statistics skipped), every VF
 * of a 256-VF PF parsed from one message */
static void test_get_many(void **state)
{
	struct kp_vfnl_info *v;
	struct nlattr *tb[IFLA_MAX + 1];
	size_t n;

	(void)state;
	reply = R_LINK;
	reply_nvfs = 256;
	nsent = 0;
	assert_int_equal(kp_vfnl_get(nl, "enp3s0f0", 256, &v, &n), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(req()->nlmsg_type, RTM_GETLINK);
	assert_int_equal(req()->nlmsg_flags & NLM_F_DUMP, 0);
	assert_int_equal(nlmsg_parse(req(), sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL), 0);
	assert_non_null(tb[IFLA_EXT_MASK]);
	assert_int_equal(nla_get_u32(tb[IFLA_EXT_MASK]), RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
	assert_string_equal(nla_get_string(tb[IFLA_IFNAME]), "enp3s0f0");
	assert_int_equal(n, 256);
	assert_int_equal(v[255].index, 255);
	assert_string_equal(v[255].mac, "52:54:00:00:00:ff");
	assert_int_equal(v[9].vlan, 101);
	assert_int_equal(v[9].qos, 1);
	assert_int_equal(v[1].vlan_proto, 0x88a8);
	assert_int_equal(v[2].vlan_proto, 0x8100);
	assert_int_equal(v[200].min_rate, 10);
	assert_int_equal(v[200].max_rate, 1200);
	assert_int_equal(v[3].spoofchk, 1);
	assert_int_equal(v[4].spoofchk, 0);
	assert_int_equal(v[4].trust, 1);
	assert_int_equal(v[4].link_state, IFLA_VF_LINK_STATE_DISABLE);
	assert_int_equal(v[4].query_rss, 0);
	free(v);
	/* a link without VFs: none */
	reply_nvfs = 0;
	assert_int_equal(kp_vfnl_get(nl, "enp3s0f0", 8, &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	/* no such link: the kernel's ENODEV */
	reply = R_ERR;
	reply_errno = ENODEV;
	assert_int_equal(kp_vfnl_get(nl, "nosuch0", 8, &v, &n), -ENODEV);
}

/* the arguments of `vf PF INDEX …` */
static void test_args(void **state)
{
	struct kp_vf_change c[8];
	char err[160];
	int n;

	(void)state;
	{
		char *a[] = { "mac=52:54:00:12:34:56", "vlan=100", "qos=3", "proto=802.1ad",
			      "rate=10-1000", "spoofchk=off", "trust=on", "state=disable" };

		n = vf_args_parse(8, a, c, 8, err, sizeof(err));
		assert_int_equal(n, 6);
	}
	assert_int_equal(c[0].attr, KP_VF_MAC);
	assert_int_equal(c[0].mac[5], 0x56);
	assert_int_equal(c[1].attr, KP_VF_VLAN);
	assert_int_equal(c[1].vlan, 100);
	assert_int_equal(c[1].qos, 3);
	assert_int_equal(c[1].vlan_proto, 0x88a8);
	assert_int_equal(c[2].attr, KP_VF_RATE);
	assert_int_equal(c[2].min_rate, 10);
	assert_int_equal(c[2].max_rate, 1000);
	assert_int_equal(c[3].attr, KP_VF_SPOOFCHK);
	assert_int_equal(c[3].on, 0);
	assert_int_equal(c[5].state, IFLA_VF_LINK_STATE_DISABLE);
	{
		static const char *const bad[][2] = {
			{ "mac=01:00:5e:00:00:01", "multicast" },
			{ "mac=00:00:00:00:00:00", "all-zero" },
			{ "mac=52:54:00:12:34", "malformed" },
			{ "vlan=4095", "0..4094" },
			{ "vlan=-1", "0..4094" },
			{ "qos=3", "need vlan" },
			{ "rate=100-10", "above" },
			{ "rate=10", "MIN-MAX" },
			{ "spoofchk=maybe", "on or off" },
			{ "state=up", "auto, enable or disable" },
			{ "frob=1", "unknown setting" },
			{ "mac", "SETTING=VALUE" },
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			char *a[1] = { (char *)bad[i][0] };

			assert_int_equal(vf_args_parse(1, a, c, 8, err, sizeof(err)), -EINVAL);
			if (!strstr(err, bad[i][1]))
				fail_msg("%s: '%s' lacks '%s'", bad[i][0], err, bad[i][1]);
		}
	}
	{
		char *a[] = { "vlan=4094", "qos=8" };

		assert_int_equal(vf_args_parse(2, a, c, 8, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "0..7"));
	}
	{
		char *a[] = { "max=500" };

		assert_int_equal(vf_args_parse(1, a, c, 8, err, sizeof(err)), 1);
		assert_int_equal(c[0].attr, KP_VF_RATE);
		assert_int_equal(c[0].max_rate, 500);
		assert_int_equal(c[0].min_rate, VF_RATE_KEEP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_vlan),
		cmocka_unit_test(test_vlan_8021ad),
		cmocka_unit_test(test_rate_both_bounds),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_get_many),
		cmocka_unit_test(test_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
