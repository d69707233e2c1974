/* SPDX-License-Identifier: MIT */
/*
 * VF settings kept across changes, without an SR-IOV NIC (as test_vfnl.c):
 *  - the snapshot (kp_vfnl_snap_json/parse) and its restore
 *    (kp_vfnl_restore): one RTM_GETLINK, then one RTM_SETLINK per setting
 *    that differs, checked attribute by attribute, every setting tried
 *    after a refusal;
 *  - the administrative MAC before vfio-pci (kp_sriov_bind_vfs): every
 *    VF's IFLA_VF_MAC goes to the PF before the bind engine is entered
 *    (kp_bind is wrapped: the order is the test), which MAC each VF gets,
 *    and nothing is moved when the PF refuses one.
 * Link-time wrapping: nl_send_auto keeps a copy of each request instead of
 * sending it, nl_recvmsgs hands libnl's receive loop the stand-in kernel's
 * answer, kp_bind records its call. The interface is "lo" (if_nametoindex
 * must find it); nothing reaches a kernel or /sys.
 */
// ldflags: -Wl,--wrap=nl_send_auto -Wl,--wrap=nl_recvmsgs -Wl,--wrap=kp_bind
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
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

#include "bind.h"
#include "pci.h"
#include "sriov.h"
#include "vfnl.h"

/* ---- the stand-in kernel ----------------------------------------------- */

#define MAXLOG 64
static unsigned char *sent[MAXLOG]; /* every request, in order */
static int nsent;
static int event_bind = -1;          /* nsent when kp_bind was entered */
static size_t bind_n;
static unsigned bind_flags;

/* the PF's VFs as the kernel reports them */
static struct kp_vfnl_info cur[8];
static int ncur;
/* a SETLINK of this IFLA_VF_* type is answered with -fail_errno */
static int fail_type = -1, fail_errno;

int __real_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __real_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb);
int __wrap_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb);
int __wrap_kp_bind(struct kp_bind_item *items, size_t n, const char *driver, unsigned flags,
		   int timeout_ms, struct kp_bind_err *e);

int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h;

	nl_complete_msg(sk, msg);
	h = nlmsg_hdr(msg);
	assert_true(nsent < MAXLOG);
	sent[nsent] = malloc(h->nlmsg_len);
	memcpy(sent[nsent], h, h->nlmsg_len);
	nsent++;
	return (int)h->nlmsg_len;
}

int __wrap_kp_bind(struct kp_bind_item *items, size_t n, const char *driver, unsigned flags,
		   int timeout_ms, struct kp_bind_err *e)
{
	(void)items;
	(void)driver;
	(void)timeout_ms;
	(void)e;
	event_bind = nsent;
	bind_n = n;
	bind_flags = flags;
	return 0;
}

static void reset(void)
{
	int i;

	for (i = 0; i < nsent; i++)
		free(sent[i]);
	nsent = 0;
	event_bind = -1;
	bind_n = 0;
	fail_type = -1;
	ncur = 0;
	memset(cur, 0, sizeof(cur));
}

static struct nlmsghdr *req(int i)
{
	return (struct nlmsghdr *)sent[i];
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

static void put_vf(struct nl_msg *m, const struct kp_vfnl_info *v)
{
	struct nlattr *info = nla_nest_start(m, IFLA_VF_INFO), *vl;
	struct ifla_vf_mac mac = { .vf = v->index };
	struct ifla_vf_vlan vlan = { .vf = v->index, .vlan = v->vlan, .qos = v->qos };
	struct ifla_vf_rate rate = { .vf = v->index, .min_tx_rate = v->min_rate,
				     .max_tx_rate = v->max_rate };
	struct ifla_vf_tx_rate txr = { .vf = v->index, .rate = v->max_rate };
	struct ifla_vf_spoofchk sp = { .vf = v->index, .setting = (uint32_t)v->spoofchk };
	struct ifla_vf_trust tr = { .vf = v->index, .setting = (uint32_t)v->trust };
	struct ifla_vf_link_state ls = { .vf = v->index, .link_state = (uint32_t)v->link_state };
	struct ifla_vf_rss_query_en rss = { .vf = v->index, .setting = (uint32_t)v->query_rss };
	struct ifla_vf_vlan_info vi = { .vf = v->index, .vlan = v->vlan, .qos = v->qos,
					.vlan_proto = htons(v->vlan_proto ? v->vlan_proto : 0x8100) };

	kp_vfnl_mac_parse(v->mac, mac.mac);
	nla_put(m, IFLA_VF_MAC, sizeof(mac), &mac);
	nla_put(m, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	nla_put(m, IFLA_VF_RATE, sizeof(rate), &rate);
	nla_put(m, IFLA_VF_TX_RATE, sizeof(txr), &txr);
	nla_put(m, IFLA_VF_SPOOFCHK, sizeof(sp), &sp);
	nla_put(m, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	nla_put(m, IFLA_VF_RSS_QUERY_EN, sizeof(rss), &rss);
	nla_put(m, IFLA_VF_TRUST, sizeof(tr), &tr);
	vl = nla_nest_start(m, IFLA_VF_VLAN_LIST);
	nla_put(m, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
	nla_nest_end(m, vl);
	nla_nest_end(m, info);
}

/* the one IFLA_VF_* attribute of a SETLINK (checked to be the only one) */
static struct nlattr *vf_attr(int i)
{
	struct nlmsghdr *h = req(i);
	struct nlattr *a, *list = NULL, *info = NULL, *one = NULL;
	int rem, n = 0;

	assert_int_equal(h->nlmsg_type, RTM_SETLINK);
	nlmsg_for_each_attr(a, h, sizeof(struct ifinfomsg), rem) {
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
	n = 0;
	nla_for_each_nested(a, info, rem) {
		n++;
		one = a;
	}
	assert_int_equal(n, 1);
	return one;
}

static int fake_recv(struct nl_sock *sk, struct sockaddr_nl *who, unsigned char **buf,
		     struct ucred **creds)
{
	struct nlmsghdr *rq = req(nsent - 1);
	struct nl_msg *m;

	(void)sk;
	memset(who, 0, sizeof(*who));
	who->nl_family = AF_NETLINK;
	if (creds)
		*creds = NULL;
	if (rq->nlmsg_type == RTM_GETLINK) {
		struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 1 };
		struct nlattr *list;
		int i;

		m = nlmsg_alloc_size(1 << 16);
		nlmsg_put(m, rq->nlmsg_pid, rq->nlmsg_seq, RTM_NEWLINK, 0, 0);
		nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO);
		nla_put_string(m, IFLA_IFNAME, "lo");
		nla_put_u32(m, IFLA_NUM_VF, (uint32_t)ncur);
		list = nla_nest_start(m, IFLA_VFINFO_LIST);
		for (i = 0; i < ncur; i++)
			put_vf(m, &cur[i]);
		nla_nest_end(m, list);
		return hand_back(m, buf);
	}
	{
		int err = fail_type >= 0 && nla_type(vf_attr(nsent - 1)) == fail_type ? -fail_errno : 0;
		struct nlmsgerr *e;

		m = nlmsg_alloc_size(4096);
		nlmsg_put(m, rq->nlmsg_pid, rq->nlmsg_seq, NLMSG_ERROR, 0, NLM_F_CAPPED);
		e = nlmsg_reserve(m, sizeof(*e), NLMSG_ALIGNTO);
		e->error = err;
		memcpy(&e->msg, rq, sizeof(*rq));
		return hand_back(m, buf);
	}
}

int __wrap_nl_recvmsgs(struct nl_sock *sk, struct nl_cb *cb)
{
	nl_cb_overwrite_recv(cb, fake_recv);
	return __real_nl_recvmsgs(sk, cb);
}

/* a VF as a PF driver reports it with nothing set (no rate limit: libnl
 * reports no rate when both bounds are 0) */
static void vf_default(struct kp_vfnl_info *v, unsigned i, const char *mac)
{
	memset(v, 0, sizeof(*v));
	v->index = i;
	v->has_mac = 1;
	snprintf(v->mac, sizeof(v->mac), "%s", mac);
	v->has_vlan = 1;
	v->vlan_proto = 0x8100;
	v->spoofchk = 1;
	v->trust = 0;
	v->link_state = IFLA_VF_LINK_STATE_AUTO;
	v->query_rss = 0;
}

/* ---- the snapshot ------------------------------------------------------ */

static void test_snap_roundtrip(void **state)
{
	struct kp_vfnl_info v[2], *back = NULL;
	size_t n;
	char *json = NULL;

	(void)state;
	vf_default(&v[0], 0, "52:54:00:00:00:a0");
	v[0].vlan = 100;
	v[0].qos = 3;
	v[0].vlan_proto = 0x88a8;
	v[0].has_rate = 1;
	v[0].min_rate = 10;
	v[0].max_rate = 1000;
	v[0].trust = 1;
	v[0].link_state = IFLA_VF_LINK_STATE_DISABLE;
	memset(&v[1], 0, sizeof(v[1]));
	v[1].index = 5;
	v[1].spoofchk = v[1].trust = v[1].link_state = v[1].query_rss = -1; /* nothing reported */
	assert_int_equal(kp_vfnl_snap_json(v, 2, &json), 0);
	assert_string_equal(json, "[{\"vf\":0,\"mac\":\"52:54:00:00:00:a0\",\"vlan\":100,\"qos\":3,"
				  "\"proto\":\"802.1ad\",\"min_rate\":10,\"max_rate\":1000,"
				  "\"spoofchk\":true,\"trust\":true,\"link_state\":\"disable\","
				  "\"query_rss\":false},{\"vf\":5}]");
	assert_int_equal(kp_vfnl_snap_parse(json, &back, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(&back[0], &v[0], sizeof(v[0]));
	assert_memory_equal(&back[1], &v[1], sizeof(v[1]));
	free(back);
	free(json);
}

static void test_snap_bad(void **state)
{
	static const char *const bad[] = {
		"", "{}", "[1]", "[{}]", "[{\"vf\":-1}]", "[{\"vf\":0,\"mac\":\"52:54:00\"}]",
		"[{\"vf\":0,\"vlan\":4096,\"qos\":0}]", "[{\"vf\":0,\"vlan\":1,\"qos\":8}]",
		"[{\"vf\":0,\"proto\":\"802.1x\",\"vlan\":1}]", "[{\"vf\":0,\"trust\":1}]",
		"[{\"vf\":0,\"link_state\":\"up\"}]", "[{\"vf\":0,\"frob\":true}]", NULL,
	};
	struct kp_vfnl_info *v;
	size_t n, i;

	(void)state;
	for (i = 0; bad[i]; i++)
		assert_int_equal(kp_vfnl_snap_parse(bad[i], &v, &n), -EINVAL);
}

/* ---- the restore ---------------------------------------------------------- */

static struct kp_vfnl *nl;

static int setup(void **state)
{
	(void)state;
	reset();
	return kp_vfnl_open(&nl);
}

static int teardown(void **state)
{
	(void)state;
	reset();
	kp_vfnl_close(nl);
	return 0;
}

static void test_restore(void **state)
{
	struct kp_vfnl_info want[3];
	struct ifla_vf_mac *mac;
	struct ifla_vf_vlan_info *vi;
	struct ifla_vf_rate *rate;
	struct nlattr *a, *in;
	char why[256];
	int changed, k = 1;

	(void)state;
	/* recreated VFs: the defaults, no MAC */
	ncur = 2;
	vf_default(&cur[0], 0, "00:00:00:00:00:00");
	vf_default(&cur[1], 1, "00:00:00:00:00:00");
	vf_default(&want[0], 0, "52:54:00:00:00:a0");
	want[0].vlan = 100;
	want[0].qos = 3;
	want[0].vlan_proto = 0x88a8;
	want[0].has_rate = 1;
	want[0].min_rate = 10;
	want[0].max_rate = 1000;
	want[0].spoofchk = 0;
	want[0].trust = 1;
	want[0].link_state = IFLA_VF_LINK_STATE_DISABLE;
	want[0].query_rss = 1;
	/* VF 1 got a rate limit meanwhile: "no rate" in the snapshot is no
	 * limit, sent as 0-0; the rest as it is, not sent */
	cur[1].has_rate = 1;
	cur[1].min_rate = 5;
	cur[1].max_rate = 50;
	vf_default(&want[1], 1, "00:00:00:00:00:00");
	vf_default(&want[2], 2, "52:54:00:00:00:a2"); /* no such VF now: skipped */
	assert_int_equal(kp_vfnl_restore(nl, "lo", 8, want, 3, &changed, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(changed, 8);
	assert_int_equal(nsent, 9);
	/* one read of every VF, no statistics */
	assert_int_equal(req(0)->nlmsg_type, RTM_GETLINK);
	/* then VF 0's seven settings, in order, one per request */
	a = vf_attr(k++);
	assert_int_equal(nla_type(a), IFLA_VF_MAC);
	mac = nla_data(a);
	assert_int_equal(mac->vf, 0);
	assert_memory_equal(mac->mac, "\x52\x54\x00\x00\x00\xa0", 6);
	a = vf_attr(k++);
	assert_int_equal(nla_type(a), IFLA_VF_VLAN_LIST); /* 802.1ad */
	in = nla_data(a);
	vi = nla_data(in);
	assert_int_equal(vi->vf, 0);
	assert_int_equal(vi->vlan, 100);
	assert_int_equal(vi->qos, 3);
	assert_int_equal(ntohs(vi->vlan_proto), 0x88a8);
	a = vf_attr(k++);
	assert_int_equal(nla_type(a), IFLA_VF_RATE);
	rate = nla_data(a);
	assert_int_equal(rate->min_tx_rate, 10);
	assert_int_equal(rate->max_tx_rate, 1000);
	assert_int_equal(nla_type(vf_attr(k++)), IFLA_VF_SPOOFCHK);
	assert_int_equal(((struct ifla_vf_spoofchk *)nla_data(vf_attr(k - 1)))->setting, 0);
	assert_int_equal(nla_type(vf_attr(k++)), IFLA_VF_TRUST);
	assert_int_equal(((struct ifla_vf_trust *)nla_data(vf_attr(k - 1)))->setting, 1);
	assert_int_equal(nla_type(vf_attr(k++)), IFLA_VF_LINK_STATE);
	assert_int_equal(((struct ifla_vf_link_state *)nla_data(vf_attr(k - 1)))->link_state,
			 IFLA_VF_LINK_STATE_DISABLE);
	assert_int_equal(nla_type(vf_attr(k++)), IFLA_VF_RSS_QUERY_EN);
	assert_int_equal(((struct ifla_vf_rss_query_en *)nla_data(vf_attr(k - 1)))->setting, 1);
	a = vf_attr(k++);
	assert_int_equal(nla_type(a), IFLA_VF_RATE);
	rate = nla_data(a);
	assert_int_equal(rate->vf, 1);
	assert_int_equal(rate->min_tx_rate, 0);
	assert_int_equal(rate->max_tx_rate, 0);
}

static void test_restore_refused(void **state)
{
	struct kp_vfnl_info want[2];
	char why[256];
	int changed;

	(void)state;
	ncur = 2;
	vf_default(&cur[0], 0, "00:00:00:00:00:00");
	vf_default(&cur[1], 1, "00:00:00:00:00:00");
	vf_default(&want[0], 0, "00:00:00:00:00:00");
	want[0].trust = 1;
	vf_default(&want[1], 1, "52:54:00:00:00:a1");
	want[1].trust = 1;
	/* the driver has no trust op: both refused, VF 1's MAC still sent */
	fail_type = IFLA_VF_TRUST;
	fail_errno = EOPNOTSUPP;
	assert_int_equal(kp_vfnl_restore(nl, "lo", 8, want, 2, &changed, why, sizeof(why)),
			 -EOPNOTSUPP);
	assert_string_equal(why, "VF 0: cannot set trust: Operation not supported");
	assert_int_equal(changed, 3);
	assert_int_equal(nla_type(vf_attr(1)), IFLA_VF_TRUST);
	assert_int_equal(nla_type(vf_attr(2)), IFLA_VF_MAC);
	assert_int_equal(nla_type(vf_attr(3)), IFLA_VF_TRUST);
}

/* ---- the administrative MAC before vfio-pci --------------------------------- */

static struct kp_pcidev devs[4];
static struct kp_bind_item items[4];
static const int idx[4] = { 0, 1, 2, 3 };

static void four_vfs(void)
{
	static const char *const drv[4] = { "iavf", "", "", "vfio-pci" };
	int i;

	memset(devs, 0, sizeof(devs));
	memset(items, 0, sizeof(items));
	ncur = 4;
	for (i = 0; i < 4; i++) {
		/* addresses no machine has: their interfaces are not found in
		 * /sys, so VF 0's MAC comes from the PF's report */
		snprintf(devs[i].bdf, sizeof(devs[i].bdf), "0000:fe:1f.%d", i);
		snprintf(devs[i].driver, sizeof(devs[i].driver), "%s", drv[i]);
		items[i].dev = &devs[i];
	}
	vf_default(&cur[0], 0, "52:54:00:00:00:b0"); /* iavf's own MAC */
	vf_default(&cur[1], 1, "52:54:00:00:00:b1"); /* no driver: administrative */
	vf_default(&cur[2], 2, "00:00:00:00:00:00"); /* no driver ever ran */
	vf_default(&cur[3], 3, "52:54:00:00:00:b3"); /* a guest's already */
}

static void test_macs_before_bind(void **state)
{
	struct kp_bind_err e;
	struct ifla_vf_mac *m;
	char macs[4][18];
	int kept;

	(void)state;
	four_vfs();
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "vfio-pci", 0,
					   1000, macs, &kept, &e), 0);
	/* GETLINK, VF 0's MAC, VF 2's MAC, and only then the bind engine */
	assert_int_equal(nsent, 3);
	assert_int_equal(event_bind, 3);
	assert_int_equal(bind_n, 4);
	assert_int_equal(req(0)->nlmsg_type, RTM_GETLINK);
	m = nla_data(vf_attr(1));
	assert_int_equal(nla_type(vf_attr(1)), IFLA_VF_MAC);
	assert_int_equal(m->vf, 0);
	assert_memory_equal(m->mac, "\x52\x54\x00\x00\x00\xb0", 6);
	m = nla_data(vf_attr(2));
	assert_int_equal(m->vf, 2);
	/* random, unicast, locally administered, not zero */
	assert_int_equal(m->mac[0] & 3, 2);
	assert_true(m->mac[1] | m->mac[2] | m->mac[3] | m->mac[4] | m->mac[5] | (m->mac[0] & ~3));
	assert_int_equal(kept, 3);
	assert_string_equal(macs[0], "52:54:00:00:00:b0");
	assert_string_equal(macs[1], "52:54:00:00:00:b1");
	assert_int_equal(strlen(macs[2]), 17);
	assert_string_equal(macs[3], "52:54:00:00:00:b3");
	/* two calls: two different random MACs */
	{
		char first[18];

		snprintf(first, sizeof(first), "%s", macs[2]);
		reset();
		four_vfs();
		assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "vfio-pci",
						   0, 1000, macs, &kept, &e), 0);
		assert_string_not_equal(first, macs[2]);
	}
}

static void test_mac_refused(void **state)
{
	struct kp_bind_err e;
	int kept;

	(void)state;
	four_vfs();
	fail_type = IFLA_VF_MAC;
	fail_errno = EPERM;
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "vfio-pci", 0,
					   1000, NULL, &kept, &e), -EPERM);
	assert_int_equal(event_bind, -1); /* nothing moved */
	assert_int_equal(nsent, 2);       /* stopped at VF 0 */
	assert_string_equal(e.bdf, "0000:fe:00.0");
	assert_non_null(strstr(e.what, "cannot set VF 0's MAC 52:54:00:00:00:b0 on lo"));
	assert_int_equal(e.err, -EPERM);
}

static void test_mac_not_for_other_drivers(void **state)
{
	struct kp_bind_err e;
	int kept;

	(void)state;
	four_vfs();
	/* a host driver, or a dry run: no MAC sent */
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "iavf", 0, 1000,
					   NULL, &kept, &e), 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(event_bind, 0);
	assert_int_equal(kept, -1);
	reset();
	four_vfs();
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "vfio-pci",
					   KP_BIND_DRY_RUN, 1000, NULL, &kept, &e), 0);
	assert_int_equal(nsent, 1); /* the read only */
	assert_int_equal(bind_flags, KP_BIND_DRY_RUN);
	assert_int_equal(kept, 3);
	/* not a NIC: no netlink at all */
	reset();
	four_vfs();
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "", 8, items, idx, 4, "vfio-pci", 0,
					   1000, NULL, &kept, &e), 0);
	assert_int_equal(nsent, 0);
	assert_int_equal(event_bind, 0);
	/* a PF driver that reports no VF settings: nothing to keep */
	reset();
	four_vfs();
	ncur = 0;
	assert_int_equal(kp_sriov_bind_vfs("0000:fe:00.0", "lo", 8, items, idx, 4, "vfio-pci", 0,
					   1000, NULL, &kept, &e), 0);
	assert_int_equal(nsent, 1);
	assert_int_equal(event_bind, 1);
	assert_int_equal(kept, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_snap_roundtrip),
		cmocka_unit_test(test_snap_bad),
		cmocka_unit_test_setup_teardown(test_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_macs_before_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mac_not_for_other_drivers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
