/* SPDX-License-Identifier: MIT */
/* Whether the host uses a device: one netlink dump (kp_net) for all NICs. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "net.h"

static struct kp_net *net;
static int net_failed;

static void net_done(void)
{
	kp_net_free(net);
}

static int nic_in_use(const struct kp_pcidev *d, char *why, size_t n)
{
	const char *s = d->net;

	if (!net && !net_failed) {
		if (kp_net_new(&net) < 0)
			net_failed = 1;
		else
			atexit(net_done);
	}
	if (!net)
		return -EIO;
	while (*s) {
		struct kp_link_usage u;
		char ifname[IF_NAMESIZE];
		size_t w = strcspn(s, ",");

		snprintf(ifname, sizeof(ifname), "%.*s", (int)w, s);
		s += w + (s[w] == ',');
		if (kp_link_usage(ifname, net, &u) < 0 || !u.exists || !kp_link_in_use(&u))
			continue;
		if (u.naddrs)
			snprintf(why, n, "%s has address %s%s", ifname, u.addrs[0],
				 u.naddrs > 1 ? " and more" : "");
		else if (u.default_route || u.nroutes)
			snprintf(why, n, "%s carries %s", ifname,
				 u.default_route ? "the default route" : "routes");
		else
			snprintf(why, n, "%s is enslaved to %s", ifname, u.master);
		return 1;
	}
	return 0;
}

int device_in_use(struct kp_pci *pci, const struct kp_pcidev *d, char *why, size_t n)
{
	(void)pci;
	why[0] = '\0';
	if (d->net[0])
		return nic_in_use(d, why, n);
	if ((d->class >> 16) == 0x03 && d->boot_vga == 1) {
		snprintf(why, n, "boot display (boot_vga)");
		return 1;
	}
	return 0;
}
