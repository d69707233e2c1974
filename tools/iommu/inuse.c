/* SPDX-License-Identifier: MIT */
/* Whether the host uses a device (lib/inuse.c), with one netlink context
 * for the whole run: one dump answers every NIC of a listing. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * PCI functions with block devices below them: every /sys/class/block
 * entry links into its device's directory, whose path names each PCI
 * function above it. One listing answers this for every device, where
 * asking lib/inuse.c would resolve and read the mount tables per device.
 */
static char (*blk_bdfs)[13];
static size_t nblk;
static int blk_read;

static void blk_done(void)
{
	free(blk_bdfs);
	blk_bdfs = NULL;
}

static void blk_add(const char *b)
{
	char (*nb)[13];
	size_t i;

	for (i = 0; i < nblk; i++)
		if (memcmp(blk_bdfs[i], b, 12) == 0)
			return;
	nb = realloc(blk_bdfs, (nblk + 1) * sizeof(*nb));
	if (!nb)
		return;
	blk_bdfs = nb;
	memcpy(blk_bdfs[nblk], b, 12);
	blk_bdfs[nblk++][12] = '\0';
}

static int is_bdf(const char *s)
{
	return s[4] == ':' && s[7] == ':' && s[10] == '.' && (s[12] == '/' || s[12] == '\0');
}

/* 1 when some block device sits below the function, 0 when none does,
 * -1 when that could not be read (then lib/inuse.c is asked). */
static int has_block(const char *bdf)
{
	size_t i;

	if (!blk_read) {
		int fd = open("/sys/class/block", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct dirent *e;
		DIR *dir;

		blk_read = 1;
		atexit(blk_done);
		if (fd < 0) {
			if (errno != ENOENT)
				blk_read = -1; /* ENOENT: no block devices at all */
			return blk_read > 0 ? 0 : -1;
		}
		dir = fdopendir(fd);
		if (!dir) {
			close(fd);
			blk_read = -1;
			return -1;
		}
		while ((e = readdir(dir))) {
			char target[PATH_MAX], *s;
			ssize_t len;

			if (e->d_name[0] == '.')
				continue;
			len = readlinkat(fd, e->d_name, target, sizeof(target) - 1);
			if (len <= 0) {
				blk_read = -1;
				break;
			}
			target[len] = '\0';
			for (s = target; (s = strchr(s, '/')); s++)
				if (strlen(s + 1) >= 12 && is_bdf(s + 1))
					blk_add(s + 1);
		}
		closedir(dir);
	}
	if (blk_read < 0)
		return -1;
	for (i = 0; i < nblk; i++)
		if (strcmp(blk_bdfs[i], bdf) == 0)
			return 1;
	return 0;
}

/* Devices that can carry what the host uses: network interfaces, block
 * devices, the boot display. Other devices are not asked (a listing of
 * 1024 devices stays one netlink dump, one /sys/class/block listing and a
 * few sysfs reads). */
static int may_be_used(const struct kp_pcidev *d)
{
	return d->net[0] || has_block(d->bdf) != 0 ||
	       ((d->class >> 16) == 0x03 && d->boot_vga == 1);
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
		if (r < 0)
			return r;
		if (r == 0 && has_block(d->bdf) == 0)
			return 0;
	}
	r = kp_pcidev_usage(d->bdf, net, &u);
	if (r < 0)
		return r;
	if (u.in_use)
		snprintf(why, n, "%s", u.reason);
	return u.in_use;
}
