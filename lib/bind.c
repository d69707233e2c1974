/* SPDX-License-Identifier: MIT */
#include "bind.h"
#include "journal.h"
#include "sysfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

enum {
	STEP_OVERRIDE = 1 << 0, /* driver_override written */
	STEP_UNBOUND = 1 << 1,  /* unbound from the old driver */
	STEP_PROBED = 1 << 2,   /* drivers_probe written */
};

int kp_driver_registered(const char *driver)
{
	char path[PATH_MAX];

	if (!driver[0] || strchr(driver, '/') || strcmp(driver, ".") == 0 ||
	    strcmp(driver, "..") == 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", driver);
	return kp_sysfs_exists(path);
}

static void set_err(struct kp_bind_err *e, const char *bdf, int err, const char *fmt,
		    const char *arg)
{
	if (!e)
		return;
	snprintf(e->bdf, sizeof(e->bdf), "%s", bdf);
	snprintf(e->what, sizeof(e->what), fmt, arg);
	e->err = err;
	e->rolled_back = 1;
	e->stuck[0] = '\0';
}

/*
 * The directories the engine writes in, opened once per call: every
 * attribute is then a short lookup from one of them (BDF/driver_override,
 * D/unbind, drivers_probe) instead of a full /sys path per write and per
 * re-read. -1 when a directory cannot be opened: absolute paths then.
 */
struct sysfds {
	int devs;    /* /sys/bus/pci/devices */
	int drivers; /* /sys/bus/pci/drivers */
	int bus;     /* /sys/bus/pci */
};

static void fds_open(struct sysfds *f)
{
	f->devs = open("/sys/bus/pci/devices", O_PATH | O_DIRECTORY | O_CLOEXEC);
	f->drivers = open("/sys/bus/pci/drivers", O_PATH | O_DIRECTORY | O_CLOEXEC);
	f->bus = open("/sys/bus/pci", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static void fds_close(struct sysfds *f)
{
	if (f->devs >= 0)
		close(f->devs);
	if (f->drivers >= 0)
		close(f->drivers);
	if (f->bus >= 0)
		close(f->bus);
}

/* kp_sysfs_write() of dir/rel (dir -1: of the absolute path "base/rel"):
 * one write(2) on a fresh fd. 0 or -errno. */
static int write_at(int dir, const char *base, const char *rel, const char *val)
{
	char path[PATH_MAX];

	int len;

	if (dir >= 0)
		return kp_sysfs_write_at(dir, rel, val);
	len = snprintf(path, sizeof(path), "%s/%s", base, rel);
	if (len < 0 || (size_t)len >= sizeof(path))
		return -ENAMETOOLONG;
	return kp_sysfs_write(path, val);
}

static int write_override(const struct sysfds *f, const char *bdf, const char *val)
{
	char rel[64];

	snprintf(rel, sizeof(rel), "%s/driver_override", bdf);
	/* the kernel clears the override on an empty line */
	return write_at(f->devs, "/sys/bus/pci/devices", rel, val && val[0] ? val : "\n");
}

static int write_driver_attr(const struct sysfds *f, const char *driver, const char *attr,
			     const char *bdf)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/%s", driver, attr);
	return write_at(f->drivers, "/sys/bus/pci/drivers", rel, bdf);
}

static int probe(const struct sysfds *f, const char *bdf)
{
	return write_at(f->bus, "/sys/bus/pci", "drivers_probe", bdf);
}

static int refresh(const struct sysfds *f, struct kp_pcidev *d)
{
	return kp_pcidev_refresh_at(f->devs, d);
}

/* After a probe only the driver changes (override and group stay). */
static void reread_driver(const struct sysfds *f, struct kp_pcidev *d)
{
	kp_pcidev_driver_at(f->devs, d);
}

/*
 * An SR-IOV PF taken from its driver loses its VFs (the driver's remove
 * disables SR-IOV). What they were is kept here, per PF, for the undo: the
 * VF count, and each VF's driver and override, restored after the PF is
 * back on its driver.
 */
struct vf_state {
	char bdf[13], driver[64], override[64];
};

struct pf_state {
	char bdf[13];
	int numvfs;
	size_t nvfs;
	struct vf_state *vfs;
	struct pf_state *next;
};

static struct pf_state *pf_states;

static struct pf_state *pf_find(const char *bdf)
{
	for (struct pf_state *p = pf_states; p; p = p->next)
		if (!strcmp(p->bdf, bdf))
			return p;
	return NULL;
}

static void link_name_at(int dir, const char *rel, char *out, size_t n)
{
	char t[PATH_MAX];
	ssize_t len = readlinkat(dir, rel, t, sizeof(t) - 1);
	const char *b;

	out[0] = '\0';
	if (len <= 0)
		return;
	t[len] = '\0';
	b = strrchr(t, '/');
	b = b ? b + 1 : t;
	if (strlen(b) < n)
		memcpy(out, b, strlen(b) + 1);
}

/* Before a PF leaves its driver: its VFs, recorded here and in the
 * journal (VFs first, then the count: the journal undoes newest first,
 * and the PF's own step comes after these). 0, or -errno (e filled). */
static int save_pf(const struct sysfds *f, struct kp_bind_item *it, struct kp_bind_err *e)
{
	char rel[64], val[32], path[PATH_MAX];
	struct kp_journal_step *steps;
	const char *(*kvs)[7];
	struct pf_state *p;
	long numvfs;
	size_t k = 0;
	int r;

	snprintf(rel, sizeof(rel), "%s/sriov_numvfs", it->dev->bdf);
	if (f->devs < 0 || kp_sysfs_read_at(f->devs, rel, val, sizeof(val)) <= 0)
		return 0;
	numvfs = strtol(val, NULL, 10);
	if (numvfs <= 0)
		return 0;
	p = pf_find(it->dev->bdf);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return -ENOMEM;
		snprintf(p->bdf, sizeof(p->bdf), "%s", it->dev->bdf);
		p->next = pf_states;
		pf_states = p;
	}
	free(p->vfs);
	p->nvfs = 0;
	p->numvfs = (int)numvfs;
	p->vfs = calloc((size_t)numvfs, sizeof(*p->vfs));
	/* every VF and then the count, in one append (lib/journal.h:
	 * kp_journal_add_batch), all recorded before the PF's first write */
	steps = calloc((size_t)numvfs + 1, sizeof(*steps));
	kvs = calloc((size_t)numvfs + 1, sizeof(*kvs));
	if (!p->vfs || !steps || !kvs) {
		free(steps);
		free(kvs);
		return -ENOMEM;
	}
	for (long i = 0; i < numvfs; i++) {
		struct vf_state *v = &p->vfs[p->nvfs];
		char ov[64];

		snprintf(rel, sizeof(rel), "%s/virtfn%ld", it->dev->bdf, i);
		link_name_at(f->devs, rel, v->bdf, sizeof(v->bdf));
		if (!v->bdf[0])
			continue;
		snprintf(rel, sizeof(rel), "%s/driver", v->bdf);
		link_name_at(f->devs, rel, v->driver, sizeof(v->driver));
		snprintf(rel, sizeof(rel), "%s/driver_override", v->bdf);
		if (kp_sysfs_read_at(f->devs, rel, ov, sizeof(ov)) > 0 && strcmp(ov, "(null)"))
			snprintf(v->override, sizeof(v->override), "%s", ov);
		kvs[k][0] = "bdf", kvs[k][1] = v->bdf;
		kvs[k][2] = "driver", kvs[k][3] = v->driver;
		kvs[k][4] = "driver_override", kvs[k][5] = v->override;
		kvs[k][6] = NULL;
		steps[k].kind = "pci-driver";
		steps[k].kv = kvs[k];
		k++;
		p->nvfs++;
	}
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", it->dev->bdf);
	snprintf(val, sizeof(val), "%ld", numvfs);
	kvs[k][0] = "path", kvs[k][1] = path;
	kvs[k][2] = "value", kvs[k][3] = val;
	kvs[k][4] = "reset", kvs[k][5] = "0";
	kvs[k][6] = NULL;
	steps[k].kind = "sysfs-attr";
	steps[k].kv = kvs[k];
	k++;
	r = kp_journal_add_batch(steps, k, NULL);
	free(steps);
	free(kvs);
	if (r < 0)
		set_err(e, it->dev->bdf, r, "cannot record its VFs and their count in %s",
			KP_JOURNAL_FILE);
	return r;
}

/* After the PF is back on its driver: its VF count, then each VF on the
 * driver (and override) it had. 0, or -EIO. */
static int restore_pf(const struct sysfds *f, const char *bdf)
{
	struct pf_state *p = pf_find(bdf);
	char rel[64], val[32];
	int r = 0;

	if (!p || p->numvfs <= 0)
		return 0;
	snprintf(rel, sizeof(rel), "%s/sriov_numvfs", bdf);
	if (f->devs < 0 || kp_sysfs_read_at(f->devs, rel, val, sizeof(val)) <= 0)
		return -EIO;
	if (strtol(val, NULL, 10) != p->numvfs) {
		snprintf(val, sizeof(val), "%d", p->numvfs);
		if (kp_sysfs_write_at(f->devs, rel, val) < 0)
			return -EIO;
	}
	for (size_t i = 0; i < p->nvfs; i++)
		if (kp_bind_restore(p->vfs[i].bdf, p->vfs[i].driver, p->vfs[i].override) < 0)
			r = -EIO;
	return r;
}

/* Put one device back to its old driver and override. 0 when it is there. */
static int undo_one(const struct sysfds *f, struct kp_bind_item *it)
{
	struct kp_pcidev *d = it->dev;

	if (refresh(f, d) < 0)
		return -ENODEV;
	if (d->driver[0] && strcmp(d->driver, it->old_driver) != 0)
		write_driver_attr(f, d->driver, "unbind", d->bdf);
	if (strcmp(d->driver_override, it->old_override) != 0)
		write_override(f, d->bdf, it->old_override);
	refresh(f, d);
	if (it->old_driver[0] && strcmp(d->driver, it->old_driver) != 0) {
		if (write_driver_attr(f, it->old_driver, "bind", d->bdf) < 0)
			probe(f, d->bdf);
		refresh(f, d);
	}
	it->steps = 0;
	if (strcmp(d->driver, it->old_driver) != 0 ||
	    strcmp(d->driver_override, it->old_override) != 0)
		return -EIO;
	return restore_pf(f, d->bdf);
}

/* Undo items [0, upto) in reverse. */
static void rollback(const struct sysfds *f, struct kp_bind_item *items, size_t upto,
		     struct kp_bind_err *e)
{
	size_t i = upto;

	while (i-- > 0) {
		if (!items[i].steps && !items[i].changed)
			continue;
		if (undo_one(f, &items[i]) < 0 && e && e->rolled_back) {
			e->rolled_back = 0;
			snprintf(e->stuck, sizeof(e->stuck), "%s", items[i].dev->bdf);
		}
		items[i].changed = 0;
	}
}

int kp_bind_rollback(struct kp_bind_item *items, size_t n, struct kp_bind_err *e)
{
	struct kp_bind_err local;
	struct sysfds f;

	if (!e)
		e = &local;

	e->rolled_back = 1;
	e->stuck[0] = '\0';
	fds_open(&f);
	rollback(&f, items, n, e);
	fds_close(&f);
	return e->rolled_back ? 0 : -EIO;
}

int kp_bind_restore(const char *bdf, const char *driver, const char *override)
{
	struct kp_pcidev d;
	struct kp_bind_item it;
	struct sysfds f;
	int r;

	memset(&d, 0, sizeof(d));
	memset(&it, 0, sizeof(it));
	if (snprintf(d.bdf, sizeof(d.bdf), "%s", bdf) >= (int)sizeof(d.bdf) || strchr(bdf, '/'))
		return -EINVAL;
	it.dev = &d;
	snprintf(it.old_driver, sizeof(it.old_driver), "%s", driver ? driver : "");
	snprintf(it.old_override, sizeof(it.old_override), "%s", override ? override : "");
	fds_open(&f);
	r = undo_one(&f, &it);
	fds_close(&f);
	return r;
}

/* A signal came (lib/journal.h): write nothing more, roll back. */
static int stop(struct kp_bind_item *it, struct kp_bind_err *e)
{
	if (!kp_journal_signal())
		return 0;
	set_err(e, it->dev->bdf, -EINTR, "interrupted%s", "");
	return 1;
}

/* Record the device's state before the call in the active journal (none:
 * nothing). 0, or -errno with e filled: no write may follow. */
static int journal_step(struct kp_bind_item *it, struct kp_bind_err *e, const char *action)
{
	int r = kp_journal_add_pci_driver(it->dev->bdf, it->old_driver, it->old_override,
					  &it->jstep);

	if (r == -EINTR)
		set_err(e, it->dev->bdf, r, "%s: interrupted", action);
	else if (r < 0)
		set_err(e, it->dev->bdf, r, "%s: cannot record the change in " KP_JOURNAL_FILE,
			action);
	return r;
}

static void save_old(struct kp_bind_item *it)
{
	snprintf(it->old_driver, sizeof(it->old_driver), "%s", it->dev->driver);
	snprintf(it->old_override, sizeof(it->old_override), "%s", it->dev->driver_override);
	it->changed = 0;
	it->steps = 0;
	it->jstep = -1;
}

/* Unbind the device from the driver it has (none: nothing to do), recording
 * the step for the undo log. 0 or -errno (e filled). */
static int unbind_current(const struct sysfds *f, struct kp_bind_item *it,
			  struct kp_bind_err *e)
{
	struct kp_pcidev *d = it->dev;
	int r;

	if (!d->driver[0])
		return 0;
	r = write_driver_attr(f, d->driver, "unbind", d->bdf);
	if (r < 0) {
		set_err(e, d->bdf, r, "cannot unbind from %s", d->driver);
		return r;
	}
	it->steps |= STEP_UNBOUND;
	return 0;
}

static int bind_writes(const struct sysfds *f, struct kp_bind_item *it, const char *driver,
		       struct kp_bind_err *e);

static int bind_one(const struct sysfds *f, struct kp_bind_item *it, const char *driver,
		    unsigned flags, struct kp_bind_err *e)
{
	struct kp_pcidev *d = it->dev;
	int r;

	r = refresh(f, d);
	if (r < 0) {
		set_err(e, d->bdf, r, "cannot bind to %s", driver);
		return r;
	}
	save_old(it);
	if (strcmp(d->driver, driver) == 0 && strcmp(d->driver_override, driver) == 0)
		return 0; /* unchanged */
	it->changed = 1;
	if (flags & KP_BIND_DRY_RUN)
		return 0;
	if (d->driver[0] && strcmp(d->driver, driver) != 0) {
		r = save_pf(f, it, e);
		if (r < 0)
			return r;
	}
	if (flags & KP_BIND_CREATED) {
		it->jstep = -1;
		return bind_writes(f, it, driver, e);
	}
	r = journal_step(it, e, "cannot bind");
	if (r < 0)
		return r;
	r = bind_writes(f, it, driver, e);
	if (r == 0)
		kp_journal_done(it->jstep);
	return r;
}

/* The writes of bind_one, once the step is recorded. */
static int bind_writes(const struct sysfds *f, struct kp_bind_item *it, const char *driver,
		       struct kp_bind_err *e)
{
	struct kp_pcidev *d = it->dev;
	int r;

	if (strcmp(d->driver_override, driver) != 0) {
		r = write_override(f, d->bdf, driver);
		if (r < 0) {
			set_err(e, d->bdf, r, "cannot set driver_override to %s", driver);
			return r;
		}
		it->steps |= STEP_OVERRIDE;
		snprintf(d->driver_override, sizeof(d->driver_override), "%s", driver);
	}
	if (strcmp(d->driver, driver) == 0)
		return 0; /* already bound: the override was all it lacked */
	if (stop(it, e))
		return -EINTR;
	r = unbind_current(f, it, e);
	if (r < 0)
		return r;
	if (stop(it, e))
		return -EINTR;
	r = probe(f, d->bdf);
	it->steps |= STEP_PROBED;
	reread_driver(f, d);
	if (strcmp(d->driver, driver) == 0)
		return 0;
	if (r == 0 && !d->driver[0]) {
		/* drivers_probe swallows the probe's error: ask the driver
		 * directly, to report the kernel's own reason */
		r = write_driver_attr(f, driver, "bind", d->bdf);
		reread_driver(f, d);
		if (strcmp(d->driver, driver) == 0)
			return 0;
	}
	if (r == 0)
		r = -ENODEV;
	if (d->driver[0])
		set_err(e, d->bdf, -EBUSY, "cannot bind to %s: taken by another driver", driver);
	else
		set_err(e, d->bdf, r, "cannot bind to %s", driver);
	return e ? e->err : r;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int node_exists(int group)
{
	char node[32];
	struct stat st;

	snprintf(node, sizeof(node), "/dev/vfio/%d", group);
	return stat(node, &st) == 0;
}

/*
 * Wait for /dev/vfio/N of every group in groups[0..n) (the array is
 * reordered): look first, then, for the nodes still missing, listen to udev
 * (subsystem vfio) on one monitor until they are all there or the time is
 * up. 0, or -ETIMEDOUT with *missing set to a group still without its node.
 */
static int wait_groups(int *groups, size_t n, int timeout_ms, int *missing)
{
	struct udev_monitor *mon = NULL;
	struct udev *udev = NULL;
	long deadline = now_ms() + timeout_ms;
	int r = 0, subscribed = 0;
	size_t i;

	while (n) {
		long left;

		/* look (again after subscribing: nodes may have come meanwhile) */
		for (i = 0; i < n;) {
			if (node_exists(groups[i]))
				groups[i] = groups[--n];
			else
				i++;
		}
		if (!n)
			break;
		if (!subscribed) {
			subscribed = 1;
			udev = udev_new();
			if (udev)
				mon = udev_monitor_new_from_netlink(udev, "udev");
			if (mon && (udev_monitor_filter_add_match_subsystem_devtype(mon, "vfio",
										    NULL) < 0 ||
				    udev_monitor_enable_receiving(mon) < 0)) {
				udev_monitor_unref(mon);
				mon = NULL;
			}
			continue;
		}
		if (kp_journal_signal()) {
			r = -EINTR;
			break;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			if (missing)
				*missing = groups[0];
			r = -ETIMEDOUT;
			break;
		}
		if (mon) {
			struct pollfd pfd = { .fd = udev_monitor_get_fd(mon), .events = POLLIN };

			if (poll(&pfd, 1, left > 50 ? 50 : (int)left) > 0) {
				struct udev_device *dev;

				while ((dev = udev_monitor_receive_device(mon)))
					udev_device_unref(dev);
			}
		} else {
			struct timespec ts = { 0, 5 * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	if (mon)
		udev_monitor_unref(mon);
	if (udev)
		udev_unref(udev);
	return r;
}

int kp_vfio_wait(int group, int timeout_ms)
{
	return wait_groups(&group, 1, timeout_ms, NULL);
}

/* Wait for /dev/vfio/N of every group the call bound to vfio-pci. */
static int wait_nodes(struct kp_bind_item *items, size_t n, int timeout_ms,
		      struct kp_bind_err *e)
{
	size_t i, j, ng = 0;
	int *groups, missing = -1, r;

	groups = malloc((n ? n : 1) * sizeof(*groups));
	if (!groups)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		int g = items[i].dev->group, seen = 0;

		if (g < 0)
			continue;
		for (j = 0; j < ng && !seen; j++)
			seen = groups[j] == g;
		if (!seen)
			groups[ng++] = g;
	}
	r = wait_groups(groups, ng, timeout_ms, &missing);
	free(groups);
	if (r == -EINTR)
		set_err(e, n ? items[0].dev->bdf : "", r, "interrupted waiting for /dev/vfio%s", "");
	if (r == -ETIMEDOUT) {
		char what[32];

		for (i = 0; i < n && items[i].dev->group != missing; i++)
			;
		snprintf(what, sizeof(what), "/dev/vfio/%d", missing);
		set_err(e, i < n ? items[i].dev->bdf : "", -ETIMEDOUT,
			"no %s after binding to vfio-pci", what);
	}
	return r;
}

int kp_bind(struct kp_bind_item *items, size_t n, const char *driver, unsigned flags,
	    int timeout_ms, struct kp_bind_err *e)
{
	struct sysfds f;
	size_t i;
	int r = 0;

	if (e)
		memset(e, 0, sizeof(*e));
	fds_open(&f);
	for (i = 0; i < n; i++) {
		r = bind_one(&f, &items[i], driver, flags, e);
		if (r < 0) {
			rollback(&f, items, i + 1, e);
			goto out;
		}
	}
	if (!(flags & KP_BIND_DRY_RUN) && strcmp(driver, "vfio-pci") == 0) {
		r = wait_nodes(items, n, timeout_ms, e);
		if (r < 0)
			rollback(&f, items, n, e);
	}
out:
	fds_close(&f);
	return r;
}

static int unbind_writes(const struct sysfds *f, struct kp_bind_item *it, struct kp_bind_err *e);

static int unbind_one(const struct sysfds *f, struct kp_bind_item *it, unsigned flags,
		      struct kp_bind_err *e)
{
	struct kp_pcidev *d = it->dev;
	int r;

	r = refresh(f, d);
	if (r < 0) {
		set_err(e, d->bdf, r, "cannot restore%s", "");
		return r;
	}
	save_old(it);
	/* already on its own driver (or on none, with nothing to undo) */
	if (!d->driver_override[0] && strcmp(d->driver, "vfio-pci") != 0 &&
	    strcmp(d->driver, "pci-stub") != 0)
		return 0;
	it->changed = 1;
	if (flags & KP_BIND_DRY_RUN)
		return 0;
	r = journal_step(it, e, "cannot restore");
	if (r < 0)
		return r;
	r = unbind_writes(f, it, e);
	if (r == 0)
		kp_journal_done(it->jstep);
	return r;
}

static int unbind_writes(const struct sysfds *f, struct kp_bind_item *it, struct kp_bind_err *e)
{
	struct kp_pcidev *d = it->dev;
	int r;

	if (d->driver_override[0]) {
		r = write_override(f, d->bdf, NULL);
		if (r < 0) {
			set_err(e, d->bdf, r, "cannot clear driver_override%s", "");
			return r;
		}
		it->steps |= STEP_OVERRIDE;
	}
	if (stop(it, e))
		return -EINTR;
	r = unbind_current(f, it, e);
	if (r < 0)
		return r;
	if (stop(it, e))
		return -EINTR;
	r = probe(f, d->bdf);
	it->steps |= STEP_PROBED;
	refresh(f, d);
	if (r < 0 && r != -ENODEV) {
		set_err(e, d->bdf, r, "cannot reprobe%s", "");
		return r;
	}
	if (d->driver_override[0]) {
		set_err(e, d->bdf, -EIO, "driver_override is still set%s", "");
		return -EIO;
	}
	/* the reprobe handed it straight back to the passthrough driver: a
	 * dynamic id (new_id) or vfio-pci.ids= matches it. The dynamic id is
	 * removed (remove_id) and the device probed once more; an id the
	 * module was loaded with cannot be removed: said, and rolled back */
	if (!strcmp(d->driver, "vfio-pci") || !strcmp(d->driver, "pci-stub")) {
		char id[32], drv[64];

		snprintf(drv, sizeof(drv), "%s", d->driver);
		snprintf(id, sizeof(id), "%04x %04x", d->vendor, d->device);
		if (write_driver_attr(f, drv, "remove_id", id) == 0 &&
		    write_driver_attr(f, drv, "unbind", d->bdf) == 0) {
			probe(f, d->bdf);
			refresh(f, d);
		}
		if (!strcmp(d->driver, drv)) {
			char idt[16];

			snprintf(idt, sizeof(idt), "%04x:%04x", d->vendor & 0xffff, d->device & 0xffff);
			set_err(e, d->bdf, -EBUSY, !strcmp(drv, "vfio-pci") ?
				"back on vfio-pci after the reprobe: its ids (vfio-pci.ids=, a module "
				"option) claim %s" : "back on pci-stub after the reprobe: its ids "
				"(pci-stub.ids=) claim %s", idt);
			return -EBUSY;
		}
	}
	return 0;
}

int kp_unbind(struct kp_bind_item *items, size_t n, unsigned flags, struct kp_bind_err *e)
{
	struct sysfds f;
	size_t i;
	int r = 0;

	if (e)
		memset(e, 0, sizeof(*e));
	fds_open(&f);
	for (i = 0; i < n; i++) {
		r = unbind_one(&f, &items[i], flags, e);
		if (r < 0) {
			rollback(&f, items, i + 1, e);
			break;
		}
	}
	fds_close(&f);
	return r;
}
