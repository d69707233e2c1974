/* SPDX-License-Identifier: MIT */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "sriov.h"
#include "journal.h"
#include "lock.h"
#include "pci.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#define DEVS "/sys/bus/pci/devices"

static int devattr(const char *bdf, const char *attr, char *buf, size_t n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), DEVS "/%s/%s", bdf, attr);
	return kp_sysfs_read(p, buf, n);
}

static int devattr_long(const char *bdf, const char *attr, long *v)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), DEVS "/%s/%s", bdf, attr);
	return kp_sysfs_read_long(p, v);
}

static int devwrite(const char *bdf, const char *attr, const char *val)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), DEVS "/%s/%s", bdf, attr);
	return kp_sysfs_write(p, val);
}

static int devlink(const char *bdf, const char *link, char *buf, size_t n)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), DEVS "/%s/%s", bdf, link);
	return kp_sysfs_link_name(p, buf, n);
}

int kp_sriov_physfn(const char *bdf, char pf[13])
{
	char buf[64];
	int r = devlink(bdf, "physfn", buf, sizeof(buf));

	pf[0] = '\0';
	if (r < 0)
		return r;
	snprintf(pf, 13, "%.12s", buf);
	return 0;
}

int kp_sriov_cap_totalvfs(const char *bdf)
{
	struct kp_pci *pci;
	const char *one[1] = { bdf };
	struct kp_pcidev *d;
	int r;

	r = kp_pci_scan_only(&pci, KP_PCI_CAPS, one, 1);
	if (r < 0)
		return r;
	d = kp_pci_find(pci, bdf);
	r = !d ? -ENODEV : d->sriov_cap_totalvfs < 0 ? -ENOENT : d->sriov_cap_totalvfs;
	kp_pci_free(pci);
	return r;
}

static void first_netdev(const char *bdf, char *out, size_t n)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;

	out[0] = '\0';
	snprintf(p, sizeof(p), DEVS "/%s/net", bdf);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (strlen(de->d_name) < n && (!out[0] || strcmp(de->d_name, out) < 0))
			memcpy(out, de->d_name, strlen(de->d_name) + 1);
	}
	closedir(d);
}

int kp_sriov_pf_read(const char *bdf, struct kp_sriov_pf *pf)
{
	char p[PATH_MAX], phys[13];
	long v;
	int r;

	memset(pf, 0, sizeof(*pf));
	snprintf(pf->bdf, sizeof(pf->bdf), "%s", bdf);
	snprintf(p, sizeof(p), DEVS "/%s", bdf);
	if (!kp_sysfs_exists(p))
		return -ENODEV;
	if (kp_sriov_physfn(bdf, phys) == 0)
		return -EXDEV;
	if (devlink(bdf, "driver", pf->driver, sizeof(pf->driver)) < 0)
		pf->driver[0] = '\0';
	first_netdev(bdf, pf->ifname, sizeof(pf->ifname));
	if (devattr_long(bdf, "vendor", &v) == 0)
		pf->vendor = (unsigned)v;
	if (devattr_long(bdf, "device", &v) == 0)
		pf->device = (unsigned)v;
	if (devattr_long(bdf, "class", &v) == 0)
		pf->class = (unsigned)v;
	r = devattr_long(bdf, "sriov_totalvfs", &v);
	if (r == -ENOENT)
		return -EOPNOTSUPP;
	if (r < 0)
		return r;
	pf->totalvfs = (int)v;
	r = devattr_long(bdf, "sriov_numvfs", &v);
	if (r < 0)
		return r;
	pf->numvfs = (int)v;
	pf->autoprobe = devattr_long(bdf, "sriov_drivers_autoprobe", &v) == 0 ? v != 0 : 1;
	{
		char buf[32];

		/* sriov_vf_device is hex without 0x */
		if (devattr(bdf, "sriov_vf_device", buf, sizeof(buf)) > 0)
			pf->vf_device = (unsigned)strtoul(buf, NULL, 16);
	}
	return 0;
}

int kp_sriov_vf_bdf(const char *pf, int i, char bdf[13])
{
	char name[32], buf[64];
	int r;

	snprintf(name, sizeof(name), "virtfn%d", i);
	r = devlink(pf, name, buf, sizeof(buf));
	if (r < 0)
		return r;
	snprintf(bdf, 13, "%.12s", buf);
	return 0;
}

int kp_sriov_set_autoprobe(const char *pf, int on)
{
	return devwrite(pf, "sriov_drivers_autoprobe", on ? "1" : "0");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The child's side of a bounded write: write, report, and when nobody
 * listens any more (the caller timed out), take back a late creation. */
static void __attribute__((noreturn)) writer_child(const char *pf, int n, int out)
{
	char val[16];
	int r;

	signal(SIGPIPE, SIG_IGN);
	snprintf(val, sizeof(val), "%d", n);
	r = devwrite(pf, "sriov_numvfs", val);
	if (write(out, &r, sizeof(r)) != (ssize_t)sizeof(r) && r == 0 && n > 0) {
		int lock = kp_lock_take();
		long cur;

		if (devattr_long(pf, "sriov_numvfs", &cur) == 0 && cur == n)
			devwrite(pf, "sriov_numvfs", "0");
		kp_lock_release(lock);
	}
	_exit(0);
}

int kp_sriov_write_numvfs(const char *pf, int n, int timeout_ms)
{
	struct pollfd pfd;
	int p[2], r, res = 0;
	pid_t pid;

	if (n < 0 || n > 0xffff)
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		/* nothing of the caller's stays open in the child (its lock
		 * above all: the child may outlive it) but the pipe */
		if (dup2(p[1], 3) < 0)
			_exit(1);
		close_range(4, ~0U, 0);
		writer_child(pf, n, 3);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	{
		long long end = now_ms() + timeout_ms;

		for (;;) {
			long long left = end - now_ms();

			r = poll(&pfd, 1, left > 0 ? (int)left : 0);
			if (r < 0 && errno == EINTR)
				continue;
			break;
		}
	}
	if (r <= 0) {
		/* the child stays behind the stuck write (and undoes a late
		 * creation); it is not waited for */
		close(p[0]);
		return -ETIMEDOUT;
	}
	if (read(p[0], &res, sizeof(res)) != (ssize_t)sizeof(res))
		res = -EIO;
	close(p[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return res;
}

static int host_driver(const char *drv)
{
	return drv[0] && strcmp(drv, "vfio-pci") != 0 && strcmp(drv, "pci-stub") != 0;
}

/* 1 when VFs 0..n-1 are there (with their netdevs); bdfs (may be NULL)
 * gets their addresses. */
static int vfs_ready(const char *pf, int n, int netdevs, char (*bdfs)[13])
{
	int i;

	for (i = 0; i < n; i++) {
		char vf[13], drv[64], ifn[IF_NAMESIZE];

		if (kp_sriov_vf_bdf(pf, i, vf) < 0)
			return 0;
		if (bdfs)
			memcpy(bdfs[i], vf, sizeof(vf));
		if (!netdevs)
			continue;
		if (devlink(vf, "driver", drv, sizeof(drv)) < 0 || !host_driver(drv))
			continue;
		first_netdev(vf, ifn, sizeof(ifn));
		if (!ifn[0])
			return 0;
	}
	return 1;
}

int kp_sriov_wait_vfs(const char *pf, int n, int netdevs, int timeout_ms)
{
	return kp_sriov_wait_vfs_bdfs(pf, n, netdevs, timeout_ms, NULL);
}

int kp_sriov_wait_vfs_bdfs(const char *pf, int n, int netdevs, int timeout_ms, char (*bdfs)[13])
{
	struct udev *udev;
	struct udev_monitor *mon = NULL;
	long long end = now_ms() + timeout_ms;
	int r = -ETIMEDOUT;

	if (vfs_ready(pf, n, netdevs, bdfs))
		return 0;
	udev = udev_new();
	if (udev)
		mon = udev_monitor_new_from_netlink(udev, "udev");
	if (mon && (udev_monitor_filter_add_match_subsystem_devtype(mon, "pci", NULL) < 0 ||
		    udev_monitor_filter_add_match_subsystem_devtype(mon, "net", NULL) < 0 ||
		    udev_monitor_enable_receiving(mon) < 0)) {
		udev_monitor_unref(mon);
		mon = NULL;
	}
	for (;;) {
		long long left;

		if (vfs_ready(pf, n, netdevs, bdfs)) {
			r = 0;
			break;
		}
		if (kp_journal_signal()) {
			r = -EINTR;
			break;
		}
		left = end - now_ms();
		if (left <= 0)
			break;
		if (mon) {
			struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };

			/* recheck at least every 100 ms: an event may have come
			 * before the monitor listened */
			if (poll(&pfd, 1, left < 100 ? (int)left : 100) > 0) {
				struct udev_device *d;

				while ((d = udev_monitor_receive_device(mon)))
					udev_device_unref(d);
			}
		} else {
			usleep(10000);
		}
	}
	if (mon)
		udev_monitor_unref(mon);
	if (udev)
		udev_unref(udev);
	return r;
}

void kp_sriov_snap_free(struct kp_sriov_snap *s)
{
	free(s->vfs);
	s->vfs = NULL;
	s->nvfs = 0;
}

static void read_override(const char *bdf, char *buf, size_t n)
{
	if (devattr(bdf, "driver_override", buf, n) < 0 || strcmp(buf, "(null)") == 0)
		buf[0] = '\0';
}

int kp_sriov_snap_take(const char *pf, struct kp_sriov_snap *s)
{
	struct kp_sriov_pf p;
	int r, i;

	memset(s, 0, sizeof(*s));
	r = kp_sriov_pf_read(pf, &p);
	if (r < 0)
		return r;
	snprintf(s->pf, sizeof(s->pf), "%s", pf);
	s->numvfs = p.numvfs;
	s->autoprobe = p.autoprobe;
	if (p.numvfs > 0) {
		s->vfs = calloc((size_t)p.numvfs, sizeof(*s->vfs));
		if (!s->vfs)
			return -ENOMEM;
	}
	for (i = 0; i < p.numvfs; i++) {
		struct kp_sriov_vfsnap *v = &s->vfs[s->nvfs];

		if (kp_sriov_vf_bdf(pf, i, v->bdf) < 0)
			continue;
		if (devlink(v->bdf, "driver", v->driver, sizeof(v->driver)) < 0)
			v->driver[0] = '\0';
		read_override(v->bdf, v->override, sizeof(v->override));
		s->nvfs++;
	}
	return 0;
}

int kp_sriov_vf_set_driver(const char *vf, const char *driver, const char *override)
{
	char cur[64] = "", ov[64], p[PATH_MAX];

	if (devlink(vf, "driver", cur, sizeof(cur)) < 0)
		cur[0] = '\0';
	read_override(vf, ov, sizeof(ov));
	if (!strcmp(cur, driver) && !strcmp(ov, override))
		return 0;
	if (cur[0] && strcmp(cur, driver) != 0) {
		snprintf(p, sizeof(p), "/sys/bus/pci/drivers/%s/unbind", cur);
		kp_sysfs_write(p, vf);
	}
	if (strcmp(ov, override) != 0)
		devwrite(vf, "driver_override", override[0] ? override : "\n");
	if (devlink(vf, "driver", cur, sizeof(cur)) < 0)
		cur[0] = '\0';
	if (driver[0] && strcmp(cur, driver) != 0) {
		snprintf(p, sizeof(p), "/sys/bus/pci/drivers/%s/bind", driver);
		if (kp_sysfs_write(p, vf) < 0)
			kp_sysfs_write("/sys/bus/pci/drivers_probe", vf);
	}
	if (devlink(vf, "driver", cur, sizeof(cur)) < 0)
		cur[0] = '\0';
	read_override(vf, ov, sizeof(ov));
	return strcmp(cur, driver) == 0 && strcmp(ov, override) == 0 ? 0 : -EIO;
}

int kp_sriov_snap_restore(const struct kp_sriov_snap *s, int timeout_ms, char bad[13])
{
	struct kp_sriov_pf p;
	size_t i;
	int r, rc = 0;

	snprintf(bad, 13, "%s", s->pf);
	r = kp_sriov_pf_read(s->pf, &p);
	if (r < 0)
		return r;
	if (p.numvfs != s->numvfs) {
		if (p.numvfs > 0) {
			r = kp_sriov_write_numvfs(s->pf, 0, timeout_ms);
			if (r < 0)
				return r;
		}
		if (s->numvfs > 0) {
			/* the VFs come without a driver; each gets its own below */
			kp_sriov_set_autoprobe(s->pf, 0);
			r = kp_sriov_write_numvfs(s->pf, s->numvfs, timeout_ms);
			if (r == 0)
				r = kp_sriov_wait_vfs(s->pf, s->numvfs, 0, timeout_ms);
			if (r < 0) {
				kp_sriov_set_autoprobe(s->pf, s->autoprobe);
				return r;
			}
		}
	}
	/* overrides first (a VF may bind with autoprobe off only through
	 * its override), then autoprobe as it was, then the drivers */
	for (i = 0; i < s->nvfs; i++) {
		char ov[64];

		read_override(s->vfs[i].bdf, ov, sizeof(ov));
		if (strcmp(ov, s->vfs[i].override) != 0)
			devwrite(s->vfs[i].bdf, "driver_override",
				 s->vfs[i].override[0] ? s->vfs[i].override : "\n");
	}
	if (p.autoprobe != s->autoprobe || s->numvfs != p.numvfs)
		kp_sriov_set_autoprobe(s->pf, s->autoprobe);
	for (i = 0; i < s->nvfs; i++) {
		r = kp_sriov_vf_set_driver(s->vfs[i].bdf, s->vfs[i].driver, s->vfs[i].override);
		if (r < 0 && rc == 0) {
			rc = r;
			snprintf(bad, 13, "%s", s->vfs[i].bdf);
		}
	}
	if (rc == 0) {
		r = kp_sriov_pf_read(s->pf, &p);
		if (r < 0)
			return r;
		if (p.numvfs != s->numvfs || p.autoprobe != s->autoprobe)
			return -EIO;
		bad[0] = '\0';
	}
	return rc;
}
