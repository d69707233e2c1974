/* SPDX-License-Identifier: MIT */
/* lib/net.c in a fresh network namespace of its own (unshare, as root):
 * only "lo", down, without addresses. The richer cases (addresses, routes,
 * bridges) are tests/lib/net-usage.t. */
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "net.h"

static int own_netns;

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
