/* SPDX-License-Identifier: MIT */
/* Whether the host uses a device (lib/inuse.c), with one netlink context
 * for the whole run: one dump answers every NIC of a listing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "inuse.h"
#include "net.h"

static struct kp_net *net;
static int net_err;

static void net_done(void)
{
	kp_net_free(net);
	net = NULL;
}

/* Classes whose devices can carry what the host uses: network interfaces,
 * block devices (storage controllers, USB and other serial-bus hosts), the
 * boot display. Other devices are not asked (a listing of 1024 devices
 * stays one netlink dump and a few hundred sysfs reads). */
static int may_be_used(const struct kp_pcidev *d)
{
	unsigned base = d->class >> 16;

	return d->net[0] || base == 0x01 || base == 0x0c ||
	       (base == 0x03 && d->boot_vga == 1);
}

/* A network controller is only asked in full (lib/inuse.c) when one of its
 * links is in use: the shared netlink dump answers that for free. */
static int nic_links_used(const struct kp_pcidev *d)
{
	const char *s = d->net;

	while (*s) {
		struct kp_link_usage lu;
		char ifname[IF_NAMESIZE];
		size_t w = strcspn(s, ",");
		int r;

		snprintf(ifname, sizeof(ifname), "%.*s", (int)w, s);
		s += w + (s[w] == ',');
		r = kp_link_usage(ifname, net, &lu);
		if (r < 0)
			return r;
		if (lu.exists && kp_link_in_use(&lu))
			return 1;
	}
	return 0;
}

int device_in_use(struct kp_pci *pci, const struct kp_pcidev *d, char *why, size_t n)
{
	struct kp_dev_usage u;
	int r;

	(void)pci;
	why[0] = '\0';
	if (!may_be_used(d))
		return 0;
	if (d->net[0] && !net && !net_err) {
		net_err = kp_net_new(&net);
		if (net_err == 0)
			atexit(net_done);
	}
	if (d->net[0] && !net)
		return net_err;
	if (d->net[0] && (d->class >> 16) == 0x02) {
		r = nic_links_used(d);
		if (r <= 0)
			return r;
	}
	r = kp_pcidev_usage(d->bdf, net, &u);
	if (r < 0)
		return r;
	if (u.in_use)
		snprintf(why, n, "%s", u.reason);
	return u.in_use;
}
