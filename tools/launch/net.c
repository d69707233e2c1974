/* SPDX-License-Identifier: MIT */
/* kvmprep-launch: the links NICs attach to, over netlink (libnl-route-3). */
#include "launch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>

static int nl_errno(int e)
{
	switch (-e) {
	case NLE_NOMEM: return -ENOMEM;
	case NLE_PERM: return -EPERM;
	case NLE_OBJ_NOTFOUND: case NLE_NODEV: return -ENODEV;
	case NLE_BUSY: return -EBUSY;
	case NLE_EXIST: return -EEXIST;
	case NLE_INVAL: return -EINVAL;
	default: return -EIO;
	}
}

int l_link_get(const char *ifname, struct l_link *out)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL;
	int r;

	memset(out, 0, sizeof(*out));
	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		nl_socket_free(sk);
		return nl_errno(r);
	}
	r = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (r < 0) {
		nl_socket_free(sk);
		return (r == -NLE_OBJ_NOTFOUND || r == -NLE_NODEV) ? 0 : nl_errno(r);
	}
	out->exists = 1;
	out->ifindex = rtnl_link_get_ifindex(link);
	if (rtnl_link_get_type(link))
		snprintf(out->kind, sizeof(out->kind), "%s", rtnl_link_get_type(link));
	{
		struct nl_addr *a = rtnl_link_get_addr(link);

		if (a && nl_addr_get_len(a) == 6) {
			const unsigned char *b = nl_addr_get_binary_addr(a);

			snprintf(out->mac, sizeof(out->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
				 b[0], b[1], b[2], b[3], b[4], b[5]);
		}
	}
	rtnl_link_put(link);
	nl_socket_free(sk);
	return 0;
}

int l_link_enslave_up(const char *ifname, const char *master)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *link = NULL, *br = NULL, *chg = NULL;
	int r;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0)
		goto out;
	r = rtnl_link_get_kernel(sk, 0, ifname, &link);
	if (r < 0)
		goto out;
	r = rtnl_link_get_kernel(sk, 0, master, &br);
	if (r < 0)
		goto out;
	chg = rtnl_link_alloc();
	if (!chg) {
		r = -NLE_NOMEM;
		goto out;
	}
	rtnl_link_set_master(chg, rtnl_link_get_ifindex(br));
	rtnl_link_set_flags(chg, IFF_UP);
	/* the tap takes the bridge's MTU, as libvirt does */
	rtnl_link_set_mtu(chg, rtnl_link_get_mtu(br));
	r = rtnl_link_change(sk, link, chg, 0);
out:
	if (chg)
		rtnl_link_put(chg);
	if (link)
		rtnl_link_put(link);
	if (br)
		rtnl_link_put(br);
	nl_socket_free(sk);
	return r < 0 ? nl_errno(r) : 0;
}
