/* SPDX-License-Identifier: MIT */
/* Journal kind "link": a network link created; undo deletes it (libnl). */
#include "journal_kinds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

int kp_jundo_link(const struct kp_jstep *s, char *why, size_t n)
{
	const char *name = kp_jstep_get(s, "name"), *idx = kp_jstep_get(s, "ifindex");
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	long want = idx[0] ? strtol(idx, NULL, 10) : 0;
	int r;

	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		snprintf(why, n, "cannot reach the kernel over netlink: %s", nl_geterror(r));
		return -EIO;
	}
	r = rtnl_link_get_kernel(sk, 0, name, &link);
	if (r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV) {
		nl_socket_free(sk);
		return 0; /* not there: nothing to undo */
	}
	if (r < 0) {
		nl_socket_free(sk);
		snprintf(why, n, "cannot be looked up: %s", nl_geterror(r));
		return -EIO;
	}
	if (want > 0 && rtnl_link_get_ifindex(link) != want) {
		/* another link took the name since: not ours */
		rtnl_link_put(link);
		nl_socket_free(sk);
		return 0;
	}
	r = rtnl_link_delete(sk, link);
	rtnl_link_put(link);
	nl_socket_free(sk);
	if (r < 0) {
		snprintf(why, n, "cannot be deleted: %s", nl_geterror(r));
		return -EIO;
	}
	return 0;
}
