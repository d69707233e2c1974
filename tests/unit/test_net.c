/* SPDX-License-Identifier: MIT */
/* lib/net.c in a fresh network namespace of its own (unshare, as root):
 * only "lo", down, without addresses. The richer cases (addresses, routes,
 * bridges) are tests/lib/net-usage.t. The link dump lib/net sends is
 * seen through a link-time wrap of nl_send_auto (then sent as it is). */
// ldflags: -Wl,--wrap=nl_send_auto
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/attr.h>
#include <netlink/netlink.h>

#include "net.h"

static int own_netns;

/* the last RTM_GETLINK dump lib/net sent: its IFLA_EXT_MASK (-1: none) */
static long getlink_mask = -2;

int __real_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);

int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);

	if (h->nlmsg_type == RTM_GETLINK && (h->nlmsg_flags & NLM_F_DUMP)) {
		struct nlattr *a = nlmsg_find_attr(h, sizeof(struct ifinfomsg), IFLA_EXT_MASK);

		getlink_mask = a ? (long)nla_get_u32(a) : -1;
	}
	return __real_nl_send_auto(sk, msg);
}

static int setup(void **state)
{
	/* the machine's links are never looked at: a namespace of our own */
	own_netns = unshare(CLONE_NEWNET) == 0;
	return 0;
}

static void test_args(void **state)
{
	struct kp_link_usage u;

	assert_int_equal(kp_link_usage(NULL, NULL, &u), -EINVAL);
	assert_int_equal(kp_link_usage("lo", NULL, NULL), -EINVAL);
	assert_int_equal(kp_net_new(NULL), -EINVAL);
	assert_int_equal(kp_net_refresh(NULL), -EINVAL);
	assert_int_equal(kp_link_in_use(NULL), 0);
	kp_net_free(NULL);
}

static void test_fresh_namespace(void **state)
{
	struct kp_net *net = NULL;
	struct kp_link_usage u;

	if (!own_netns)
		fail_msg("unshare(CLONE_NEWNET) failed: the unit tests run as root");
	assert_int_equal(kp_net_new(&net), 0);
	/* a plain lookup asks for no VF information (a PF with 250 VFs would
	 * answer tens of KiB per link) and no statistics */
	assert_true(getlink_mask >= 0);
	assert_int_equal(getlink_mask & RTEXT_FILTER_VF, 0);
	assert_int_equal(getlink_mask & RTEXT_FILTER_SKIP_STATS, RTEXT_FILTER_SKIP_STATS);

	memset(&u, 0xff, sizeof(u));
	assert_int_equal(kp_link_usage("lo", net, &u), 0);
	assert_int_equal(u.exists, 1);
	assert_int_equal(u.ifindex, 1);
	assert_int_equal(u.up, 0);
	assert_int_equal(u.naddrs, 0);
	assert_int_equal(u.naddrs_listed, 0);
	assert_int_equal(u.nroutes, 0);
	assert_int_equal(u.default_route, 0);
	assert_int_equal(u.master_ifindex, 0);
	assert_string_equal(u.master, "");
	assert_string_equal(u.master_kind, "");
	assert_int_equal(kp_link_in_use(&u), 0);

	memset(&u, 0xff, sizeof(u));
	assert_int_equal(kp_link_usage("eth0", net, &u), 0);
	assert_int_equal(u.exists, 0);
	assert_int_equal(u.ifindex, 0);
	assert_int_equal(u.naddrs, 0);
	assert_int_equal(kp_link_in_use(&u), 0);

	/* a refresh, and a one-off context */
	assert_int_equal(kp_net_refresh(net), 0);
	assert_int_equal(kp_link_usage("lo", net, &u), 0);
	assert_int_equal(u.exists, 1);
	kp_net_free(net);
	assert_int_equal(kp_link_usage("lo", NULL, &u), 0);
	assert_int_equal(u.exists, 1);
}

static void test_in_use_rule(void **state)
{
	struct kp_link_usage u;

	memset(&u, 0, sizeof(u));
	assert_int_equal(kp_link_in_use(&u), 0);
	u.naddrs = 1; /* but the link does not exist */
	assert_int_equal(kp_link_in_use(&u), 0);
	u.exists = 1;
	assert_int_equal(kp_link_in_use(&u), 1);
	u.naddrs = 0;
	u.nroutes = 1;
	assert_int_equal(kp_link_in_use(&u), 1);
	u.nroutes = 0;
	u.master_ifindex = 7;
	assert_int_equal(kp_link_in_use(&u), 1);
	u.master_ifindex = 0;
	u.up = 1; /* up alone is not use */
	assert_int_equal(kp_link_in_use(&u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_fresh_namespace),
		cmocka_unit_test(test_in_use_rule),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
