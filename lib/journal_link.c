/* SPDX-License-Identifier: MIT */
/* Journal kind "link": a network link created; undo deletes it (libnl). */
#include "journal_kinds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

int kp_jnetns(char *buf, size_t n)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0) {
		if (n)
			buf[0] = '\0';
		return -errno;
	}
	snprintf(buf, n, "%llu", (unsigned long long)st.st_ino);
	return 0;
}

int kp_jundo_link(const struct kp_jstep *s, char *why, size_t n)
{
	const char *name = kp_jstep_get(s, "name"), *idx = kp_jstep_get(s, "ifindex");
	const char *ns = kp_jstep_get(s, "netns");
	struct rtnl_link *link = NULL;
	struct nl_sock *sk;
	long want = idx[0] ? strtol(idx, NULL, 10) : 0;
	char here[32];
	int r;

	/* a link of one network namespace: never looked up (nor deleted) in
	 * another, where the same name is some other link */
	if (ns[0] && (kp_jnetns(here, sizeof(here)) < 0 || strcmp(ns, here) != 0)) {
		snprintf(why, n, "recorded in another network namespace (net:[%s])", ns);
		return -EIO;
	}

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
