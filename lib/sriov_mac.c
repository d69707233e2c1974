/* SPDX-License-Identifier: MIT */
/*
 * VFs handed to vfio-pci keep their MAC: before the bind engine moves them,
 * each VF's MAC becomes its administrative MAC on the PF (IFLA_VF_MAC
 * through the PF's interface, lib/vfnl.c). Without one, the guest's VF
 * driver (iavf, ixgbevf, mlx5) picks a random MAC at every boot, and PF
 * drivers that pin the VF to its administrative MAC (spoof checking)
 * then drop its traffic.
 */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "sriov.h"
#include "bind.h"
#include "journal.h"
#include "sysfs.h"
#include "vfnl.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/random.h>

static int host_driver(const char *drv)
{
	return drv[0] && strcmp(drv, "vfio-pci") != 0 && strcmp(drv, "pci-stub") != 0;
}

/* The MAC of a VF's interface (its host driver's), from sysfs. 0 or -ENOENT. */
static int netdev_mac(const char *vf, unsigned char mac[6])
{
	char p[PATH_MAX], buf[64];
	struct dirent *de;
	DIR *d;
	int r = -ENOENT;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/net", vf);
	d = opendir(p);
	if (!d)
		return -ENOENT;
	while (r < 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/net/%s/address", vf, de->d_name);
		if (kp_sysfs_read(p, buf, sizeof(buf)) > 0 && kp_vfnl_mac_parse(buf, mac) == 0)
			r = 0;
	}
	closedir(d);
	return r;
}

static int mac_zero(const unsigned char *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* eth_random_addr(): random, unicast, locally administered */
static int random_mac(unsigned char mac[6])
{
	size_t got = 0;

	while (got < 6) {
		ssize_t r = getrandom(mac + got, 6 - got, 0);

		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			got += (size_t)r;
	}
	mac[0] = (unsigned char)((mac[0] & 0xfe) | 0x02);
	return 0;
}

int kp_sriov_keep_macs(const char *pf, const char *ifname, int totalvfs,
		       struct kp_bind_item *items, const int *index, size_t n, unsigned flags,
		       char (*macs)[18], int *kept, char *why, size_t whylen)
{
	struct kp_vfnl_info *info = NULL;
	struct kp_vfnl *nl = NULL;
	size_t ninfo = 0, i, j;
	int ifindex, r, recorded = 0;

	*kept = -1;
	why[0] = '\0';
	for (i = 0; macs && i < n; i++)
		macs[i][0] = '\0';
	if (!ifname || !ifname[0])
		return 0; /* not a NIC: its VFs have no MAC */
	/* sysfs shows only the interfaces of its own network namespace: one
	 * it names and netlink does not know is not the caller's to change */
	ifindex = (int)if_nametoindex(ifname);
	if (!ifindex)
		return 0;
	r = kp_vfnl_open(&nl);
	if (r < 0) {
		snprintf(why, whylen, "cannot open a netlink socket");
		return r;
	}
	r = kp_vfnl_get(nl, ifname, totalvfs, &info, &ninfo);
	if (r < 0 || ninfo == 0) {
		/* a PF driver without ndo_get_vf_config: it keeps no VF MAC */
		kp_vfnl_close(nl);
		free(info);
		return 0;
	}
	*kept = 0;
	for (i = 0; i < n; i++) {
		struct kp_pcidev *d = items[i].dev;
		const struct kp_vfnl_info *now = NULL;
		struct kp_vf_change c = { .attr = KP_VF_MAC };
		unsigned char pfmac[6] = { 0 };
		char kmsg[256];
		int random_made;

		for (j = 0; j < ninfo; j++)
			if ((int)info[j].index == index[i])
				now = &info[j];
		if (now && now->has_mac)
			kp_vfnl_mac_parse(now->mac, pfmac);
		if (!strcmp(d->driver, "vfio-pci")) {
			/* already a guest's (perhaps running): not touched */
			if (macs && !mac_zero(pfmac))
				snprintf(macs[i], 18, "%s", now->mac);
			continue;
		}
		if (host_driver(d->driver)) {
			/* the MAC its host driver uses, read before it lets go
			 * (the PF may report the VF's own MAC only while that
			 * driver runs): its interface's, else the PF's report */
			if (netdev_mac(d->bdf, c.mac) < 0)
				memcpy(c.mac, pfmac, 6);
		} else if (!mac_zero(pfmac)) {
			/* no driver holds it: the PF's MAC is administrative
			 * already, nothing to send */
			if (macs)
				snprintf(macs[i], 18, "%s", now->mac);
			(*kept)++;
			continue;
		}
		random_made = mac_zero(c.mac);
		if (random_made && (r = random_mac(c.mac)) < 0) {
			/* no host driver ever ran: a MAC as its own driver would pick */
			snprintf(why, whylen, "cannot make a MAC address");
			goto out;
		}
		/* a dry run reports the MAC a VF would keep, but not a random
		 * one: the real run makes another */
		if (macs && !(random_made && (flags & KP_BIND_DRY_RUN)))
			snprintf(macs[i], 18, "%02x:%02x:%02x:%02x:%02x:%02x", c.mac[0], c.mac[1],
				 c.mac[2], c.mac[3], c.mac[4], c.mac[5]);
		if (flags & KP_BIND_DRY_RUN) {
			(*kept)++;
			continue;
		}
		/* VFs the call did not create: their settings as they were, for
		 * the rollback (the created ones go with the count's undo) */
		if (!recorded && !(flags & KP_BIND_CREATED)) {
			char *json = NULL;

			r = kp_vfnl_snap_json(info, ninfo, &json);
			if (r == 0)
				r = kp_journal_add_vf_settings(pf, ifname, json, NULL);
			free(json);
			if (r < 0) {
				snprintf(why, whylen, "cannot record the VFs' settings");
				goto out;
			}
			recorded = 1;
		}
		r = kp_vfnl_set(nl, ifindex, (unsigned)index[i], &c, kmsg, sizeof(kmsg));
		if (r < 0) {
			snprintf(why, whylen,
				 "cannot set VF %d's MAC %02x:%02x:%02x:%02x:%02x:%02x on %s: %s",
				 index[i], c.mac[0], c.mac[1], c.mac[2], c.mac[3], c.mac[4], c.mac[5],
				 ifname, kmsg[0] ? kmsg : strerror(-r));
			goto out;
		}
		(*kept)++;
	}
	r = 0;
out:
	free(info);
	kp_vfnl_close(nl);
	return r;
}

int kp_sriov_bind_vfs(const char *pf, const char *ifname, int totalvfs,
		      struct kp_bind_item *items, const int *index, size_t n, const char *driver,
		      unsigned flags, int timeout_ms, char (*macs)[18], int *kept,
		      struct kp_bind_err *e)
{
	int r;

	*kept = -1;
	if (!strcmp(driver, "vfio-pci")) {
		char why[256];

		r = kp_sriov_keep_macs(pf, ifname, totalvfs, items, index, n, flags, macs, kept, why,
				       sizeof(why));
		if (r < 0) {
			memset(e, 0, sizeof(*e));
			snprintf(e->bdf, sizeof(e->bdf), "%s", pf);
			snprintf(e->what, sizeof(e->what), "%s", why);
			e->err = r;
			e->rolled_back = 1;
			return r;
		}
	}
	return kp_bind(items, n, driver, flags, timeout_ms, e);
}
