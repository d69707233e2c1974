/* SPDX-License-Identifier: MIT */
/*
 * set PF COUNT [--driver D | --no-probe]: the PF gets COUNT VFs.
 *
 * Every check is made before the first write, under the lock. The change
 * is a sequence of steps, each with its undo; the undo of all of them is
 * one: bring the PF back to the snapshot taken first (its count, each
 * VF's driver and override, autoprobe), recorded in the journal
 * (lib/journal.h) before the first write and undone by it.
 *
 *   1. remove the current VFs (write 0)           the kernel answers EBUSY otherwise
 *   2. sriov_drivers_autoprobe 0                  with --driver / --no-probe
 *   3. write COUNT (bounded, in a child)          a stuck driver is an error, not a hang
 *   4. wait for the VFs (libudev) and their netdevs with a host driver
 *   5. verify the count
 *   6. bind every VF to --driver (the bind engine: driver_override + drivers_probe)
 *   7. autoprobe as it was
 */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind.h"
#include "cmds.h"
#include "root.h"
#include "target.h"
#include "err.h"
#include "exitcodes.h"
#include "iommu.h"
#include "journal.h"
#include "lock.h"
#include "module.h"
#include "pci.h"
#include "sysfs.h"
#include "vfnl.h"

enum { S_PF, S_VFS, S_PREVIOUS, S_DRIVER, S_RESULT, S_CHANGED, S_NCOLS };
static const struct kp_col set_cols[S_NCOLS] = {
	[S_PF] = { "pf", "PF", KP_STR, 0 },
	[S_VFS] = { "num_vfs", "VFS", KP_INT, KP_COL_RIGHT },
	[S_PREVIOUS] = { "previous", "PREVIOUS", KP_INT, KP_COL_RIGHT },
	[S_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[S_RESULT] = { "result", "RESULT", KP_STR, KP_COL_LAST },
	[S_CHANGED] = { "changed", "CHANGED", KP_BOOL, KP_COL_NOTABLE },
};

enum { F_INDEX, F_VF, F_DRIVER, F_MAC, F_GROUP, F_VFIO, F_NCOLS };
static const struct kp_col vf_cols[F_NCOLS] = {
	[F_INDEX] = { "index", "VF", KP_INT, KP_COL_RIGHT },
	[F_VF] = { "address", "ADDRESS", KP_STR, 0 },
	[F_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	/* the MAC a vfio-pci VF keeps as its administrative MAC on the PF */
	[F_MAC] = { "mac", "MAC", KP_STR, 0 },
	[F_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[F_VFIO] = { "vfio_device", "VFIO", KP_STR, KP_COL_LAST },
};

/* COUNT: decimal digits only ("-1", "1e3", "0x10", "" are refused). */
static int parse_count(const char *s, int *out)
{
	long v = 0;
	size_t i, n = strlen(s);

	if (n == 0 || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -EINVAL;
		v = v * 10 + (s[i] - '0');
	}
	if (v > 65535)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

static int driver_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 31)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* The driver exists (registered, or a module provides it); loaded unless
 * dry_run. 0 or an exit status, error printed. */
/* kp_mod_free, after a warning for each modprobe.d file the context
 * could not read (lib/module.h). */
static void mod_done(struct kp_modctx *mc)
{
	char note[4200];

	for (size_t i = 0; kp_mod_conf_note(mc, i, note, sizeof(note)) == 0; i++)
		kp_warn(NULL, "%s", note);
	kp_mod_free(mc);
}

static int ensure_driver(const char *driver, int dry_run)
{
	struct kp_modctx *mc;
	enum kp_modstate st;
	int r;

	if (kp_driver_registered(driver))
		return 0;
	r = kp_mod_new(&mc);
	if (r < 0) {
		kp_err_errno(driver, r, "cannot read the kernel's modules");
		return KP_EXIT_HOST;
	}
	r = kp_mod_state(mc, driver, &st);
	if (r < 0 || st == KP_MOD_MISSING) {
		mod_done(mc);
		kp_err(driver, "no such driver (no registered PCI driver, no module)");
		return KP_EXIT_HOST;
	}
	if (dry_run) {
		mod_done(mc);
		return 0;
	}
	r = kp_mod_load(mc, driver);
	mod_done(mc);
	if (r < 0) {
		kp_err_errno(driver, r, "cannot load module");
		return KP_EXIT_FAIL;
	}
	if (!kp_driver_registered(driver)) {
		kp_err(driver, "module loaded but no PCI driver of that name registered");
		return KP_EXIT_HOST;
	}
	return 0;
}

/* The VFs that would be removed, if any is used: refused (or warned
 * with --force). 0 or an exit status. */
static int check_removal(struct opts *o, const struct kp_sriov_pf *pf)
{
	struct vf_usage *use;
	int i, r, rc = 0, nbusy = 0;

	r = vf_usage_new(&use);
	if (r < 0) {
		kp_err_errno(pf->bdf, r, "cannot tell whether its VFs are in use");
		return KP_EXIT_FAIL;
	}
	for (i = 0; i < pf->numvfs; i++) {
		char vf[13], why[256];

		if (kp_sriov_vf_bdf(pf->bdf, i, vf) < 0)
			continue;
		r = vf_in_use(use, vf, why, sizeof(why));
		if (r < 0) {
			kp_err_errno(vf, r, "cannot tell whether it is in use");
			rc = KP_EXIT_FAIL;
			break;
		}
		if (r == 0)
			continue;
		nbusy++;
		if (o->force) {
			kp_warn(vf, "VF %d is in use (%s), removed anyway (--force)", i, why);
			continue;
		}
		if (nbusy == 1)
			kp_err(vf, "cannot remove VF %d of %s: in use: %s (use --force to remove it "
			       "anyway)", i, pf->bdf, why);
		rc = KP_EXIT_FAIL;
	}
	vf_usage_free(use);
	return rc;
}

/* Every step's undo in the journal, before the first write: the VFs'
 * drivers (undone last: once the count is back), their netlink settings
 * (MAC, VLAN, rates, …: recreated VFs have none of them), autoprobe, the
 * count, autoprobe 0 (undone first, for the count's)
 * (with 0 first when the kernel answers EBUSY). 0 or an exit status. */
static int journal_steps(const struct kp_sriov_snap *snap, const char *ifname,
			 const char *settings)
{
	char path[128], val[16];
	size_t i;
	int r = 0;

	for (i = 0; i < snap->nvfs && r == 0; i++)
		r = kp_journal_add_pci_driver(snap->vfs[i].bdf, snap->vfs[i].driver,
					      snap->vfs[i].override, NULL);
	/* undone after the count (the VFs exist again) and before the drivers */
	if (r == 0 && settings)
		r = kp_journal_add_vf_settings(snap->pf, ifname, settings, NULL);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_drivers_autoprobe", snap->pf);
	if (r == 0)
		r = kp_journal_save_sysfs_attr(path, NULL, NULL);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", snap->pf);
	snprintf(val, sizeof(val), "%d", snap->numvfs);
	if (r == 0)
		r = kp_journal_add_sysfs_attr(path, val, "0", NULL);
	/* undone first: the old VFs come back with autoprobe 0, so no host
	 * driver probes them (an asynchronous probe, nvme's, would race the
	 * drivers' undo); autoprobe as it was, their settings, then each VF's
	 * own driver through its undo */
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_drivers_autoprobe", snap->pf);
	if (r == 0 && snap->numvfs > 0)
		r = kp_journal_add_sysfs_attr(path, "0", NULL, NULL);
	if (r == -EINTR)
		return end_signal_exit();
	if (r < 0) {
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot record the change");
		kp_journal_rollback(NULL, 0);
		return KP_EXIT_FAIL;
	}
	return 0;
}

/* The netlink settings of the PF's VFs, as the journal keeps them (one
 * request): *json NULL when there are none to keep (no interface, no VFs,
 * a driver that reports none). 0 or an exit status (error printed). */
static int settings_snapshot(const struct kp_sriov_pf *pf, char **json)
{
	struct kp_vfnl_info *info = NULL;
	struct kp_vfnl *nl = NULL;
	size_t n = 0;
	int r;

	*json = NULL;
	/* sysfs shows only the interfaces of its own network namespace, so
	 * one it names and netlink does not know is not the caller's */
	if (!pf->ifname[0] || pf->numvfs == 0 || !if_nametoindex(pf->ifname))
		return 0;
	r = kp_vfnl_open(&nl);
	if (r == 0)
		r = kp_vfnl_get(nl, pf->ifname, pf->totalvfs, &info, &n);
	kp_vfnl_close(nl);
	if (r == 0 && n > 0)
		r = kp_vfnl_snap_json(info, n, json);
	free(info);
	if (r < 0) {
		kp_err_errno(pf->bdf, r, "cannot read its VFs' settings (%s)", pf->ifname);
		return KP_EXIT_FAIL;
	}
	return 0;
}

/* The bind engine for VFs 0..n-1 (with vfio-pci, their MACs kept first,
 * into macs: n entries, "" none). */
static int bind_vfs(const struct kp_sriov_pf *pf, struct kp_bind_item *items, size_t n,
		    const char *driver, unsigned flags, int timeout_ms, char (*macs)[18],
		    struct kp_bind_err *e)
{
	int *index = calloc(n ? n : 1, sizeof(*index)), kept, r;
	size_t i;

	if (!index) {
		memset(e, 0, sizeof(*e));
		snprintf(e->bdf, sizeof(e->bdf), "%s", pf->bdf);
		snprintf(e->what, sizeof(e->what), "cannot bind its VFs");
		e->err = -ENOMEM;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		index[i] = (int)i;
	r = kp_sriov_bind_vfs(pf->bdf, pf->ifname, pf->totalvfs, items, index, n, driver, flags,
			      timeout_ms, macs, &kept, e);
	free(index);
	return r;
}

/* Roll back every recorded step after a failure (error already printed). */
static int rollback(const char *pf)
{
	char stuck[256];

	if (kp_journal_rollback(stuck, sizeof(stuck)) < 0)
		kp_err(pf, "could not be put back as it was: %s (the journal keeps it: "
		       TOOL " recover)", stuck);
	return end_signal_exit();
}

/* The clean end: the record goes; a signal that came meanwhile rolls back. */
static int commit(const char *pf)
{
	int r = kp_journal_commit();

	if (r == -EINTR) {
		kp_err(pf, "stopped by a signal: rolled back");
		return rollback(pf);
	}
	if (r < 0) {
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot remove");
		return KP_EXIT_FAIL;
	}
	return 0;
}

static void timeout_err(const char *pf, int n, int ms)
{
	kp_err(pf, "cannot set sriov_numvfs to %d: the PF's driver did not answer within %d ms "
	       "(still blocked in the kernel; VFs it creates late are removed again)", n, ms);
}

/* With vfio-pci: every VF alone in its IOMMU group (or with members that
 * vfio accepts). 0 or an exit status. */
static int check_groups(struct kp_bind_item *items, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct kp_iommu_group g;
		struct kp_pcidev *d = items[i].dev;

		if (d->group < 0) {
			kp_err(d->bdf, "has no IOMMU group: vfio-pci cannot take it");
			return KP_EXIT_HOST;
		}
		if (kp_iommu_group_read(d->group, &g) < 0)
			continue;
		for (j = 0; j < g.ndevices; j++) {
			char p[128], drv[64] = "";
			size_t k;
			int ours = 0;

			for (k = 0; k < n; k++)
				ours |= strcmp(items[k].dev->bdf, g.devices[j]) == 0;
			if (ours)
				continue;
			snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", g.devices[j]);
			kp_sysfs_link_name(p, drv, sizeof(drv));
			if (drv[0] && strcmp(drv, "vfio-pci") && strcmp(drv, "pci-stub") &&
			    strcmp(drv, "pcieport")) {
				kp_err(d->bdf, "group %d would not be viable: %s stays on %s", d->group,
				       g.devices[j], drv);
				free(g.devices);
				return KP_EXIT_FAIL;
			}
		}
		free(g.devices);
	}
	return 0;
}

/* known: the bind engine has just waited for every VF's node */
static void vfio_node(const struct kp_pcidev *d, int known, char *buf, size_t n)
{
	struct stat st;

	buf[0] = '\0';
	if (strcmp(d->driver, "vfio-pci") != 0 || d->group < 0)
		return;
	snprintf(buf, n, "/dev/vfio/%d", d->group);
	if (!known && stat(buf, &st) < 0)
		buf[0] = '\0';
}

/* macs (NULL: none): the MAC each VF keeps (kp_sriov_bind_vfs); the MAC
 * column is shown when a VF has one, and is null in JSON otherwise */
static int print_result(struct opts *o, const struct kp_sriov_pf *before, int count,
			const char *driver, int changed, struct kp_pcidev **vfs, size_t nvfs,
			int nodes_known, char (*macs)[18])
{
	struct kp_col cols[F_NCOLS];
	struct kp_table *t = kp_table_new(set_cols, S_NCOLS), *vt;
	size_t i;
	int row, r = 0, anymac = 0;

	memcpy(cols, vf_cols, sizeof(cols));
	for (i = 0; macs && i < nvfs; i++)
		anymac |= macs[i][0] != '\0';
	if (!anymac)
		cols[F_MAC].flags |= KP_COL_NOTABLE;
	vt = kp_table_new(cols, F_NCOLS);

	if (!t || !vt) {
		kp_table_free(t);
		kp_table_free(vt);
		return KP_EXIT_FAIL;
	}
	row = kp_table_add_row(t);
	kp_table_set_str(t, row, S_PF, before->bdf);
	kp_table_set_int(t, row, S_VFS, count);
	kp_table_set_int(t, row, S_PREVIOUS, before->numvfs);
	kp_table_set_str(t, row, S_DRIVER, driver);
	kp_table_set_str(t, row, S_RESULT, !changed ? "unchanged"
					   : kp_offline() ? (o->dry_run ? "would persist" : "persisted")
					   : o->dry_run ? "would set" : "set");
	kp_table_set_bool(t, row, S_CHANGED, changed);
	for (i = 0; i < nvfs; i++) {
		char node[32];

		row = kp_table_add_row(vt);
		kp_table_set_int(vt, row, F_INDEX, (long long)i);
		kp_table_set_str(vt, row, F_VF, vfs[i]->bdf);
		kp_table_set_str(vt, row, F_DRIVER, vfs[i]->driver[0] ? vfs[i]->driver : NULL);
		kp_table_set_str(vt, row, F_MAC, macs && macs[i][0] ? macs[i] : NULL);
		if (vfs[i]->group >= 0)
			kp_table_set_int(vt, row, F_GROUP, vfs[i]->group);
		vfio_node(vfs[i], nodes_known, node, sizeof(node));
		kp_table_set_str(vt, row, F_VFIO, node[0] ? node : NULL);
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL), *arr = kp_table_json(t);

		json_object_object_add(doc, "command", json_object_new_string("set"));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		/* as kvmprep-iommu's: "changed" counts the persisted file too */
		json_object_object_add(doc, "changed",
				       json_object_new_boolean(changed || o->persist_changed > 0));
		if (o->persist_changed >= 0)
			json_object_object_add(doc, "persist_changed",
					       json_object_new_boolean(o->persist_changed));
		json_object_object_add(doc, "pf", json_object_get(json_object_array_get_idx(arr, 0)));
		json_object_object_add(doc, "vfs", kp_table_json(vt));
		json_object_put(arr);
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		r = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
		if (r == 0 && nvfs) {
			putchar('\n');
			r = kp_table_print(vt, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
		}
	}
	kp_table_free(t);
	kp_table_free(vt);
	return r;
}

/* The VFs as scanned devices (for the bind engine and the result). */
static int scan_vfs(const char *pf, int count, struct kp_pci **pci, struct kp_pcidev ***out)
{
	char (*bdfs)[13] = calloc(count ? (size_t)count : 1, sizeof(*bdfs));
	const char **ptrs = calloc(count ? (size_t)count : 1, sizeof(*ptrs));
	struct kp_pcidev **v = calloc(count ? (size_t)count : 1, sizeof(*v));
	int i, r = -ENOMEM;

	*pci = NULL;
	*out = NULL;
	if (!bdfs || !ptrs || !v)
		goto fail;
	for (i = 0; i < count; i++) {
		r = kp_sriov_vf_bdf(pf, i, bdfs[i]);
		if (r < 0)
			goto fail;
		ptrs[i] = bdfs[i];
	}
	r = kp_pci_scan_only(pci, 0, ptrs, (size_t)count);
	if (r < 0)
		goto fail;
	for (i = 0; i < count; i++) {
		v[i] = kp_pci_find(*pci, bdfs[i]);
		if (!v[i]) {
			r = -ENODEV;
			goto fail;
		}
	}
	free(bdfs);
	free(ptrs);
	*out = v;
	return 0;
fail:
	kp_pci_free(*pci);
	*pci = NULL;
	free(bdfs);
	free(ptrs);
	free(v);
	return r;
}

/* The VFs this call created (bdfs: their addresses as the wait read
 * them), for the bind engine and the result. What they are is the PF's
 * (vendor, VF device ID: the kernel makes them so) and nothing of their
 * config space is used, so there is no libpci scan; what each has of its
 * own (driver, override, group) is read by whoever needs it next: the
 * bind engine (it reads them again before it moves a device), the result
 * once the call is over (a host driver's probe), and only the IOMMU group
 * here, with group (vfio-pci: the groups are checked before the engine). */
static int new_vfs(const struct kp_sriov_pf *pf, char (*bdfs)[13], int count, int group,
		   struct kp_pcidev **devs, struct kp_pcidev ***out)
{
	struct kp_pcidev *d = calloc(count ? (size_t)count : 1, sizeof(*d));
	struct kp_pcidev **v = calloc(count ? (size_t)count : 1, sizeof(*v));
	int i, r = 0;

	*devs = NULL;
	*out = NULL;
	if (!d || !v) {
		free(d);
		free(v);
		return -ENOMEM;
	}
	for (i = 0; i < count && r == 0; i++) {
		unsigned dom, bus, dev, fn;

		memcpy(d[i].bdf, bdfs[i], sizeof(d[i].bdf));
		if (sscanf(d[i].bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn) == 4) {
			d[i].domain = dom;
			d[i].bus = bus;
			d[i].dev = dev;
			d[i].func = fn;
		}
		d[i].vendor = pf->vendor;
		d[i].device = pf->vf_device;
		d[i].pcie_type = KP_PCIE_NONE;
		d[i].flr = d[i].numa_node = d[i].boot_vga = d[i].sriov_totalvfs = -1;
		d[i].group = -1;
		if (group) {
			r = kp_pci_group_of(d[i].bdf);
			d[i].group = r >= 0 ? r : -1;
			r = r == -ENODEV ? r : 0;
		}
		v[i] = &d[i];
	}
	if (r < 0) {
		free(d);
		free(v);
		return r;
	}
	*devs = d;
	*out = v;
	return 0;
}

/* Count holds; with --driver, the VFs not yet on it are moved (nothing
 * else changes). */
static int rebind_only(struct opts *o, const struct kp_sriov_pf *pf, int count)
{
	struct kp_pci *pci = NULL;
	struct kp_pcidev **vfs = NULL;
	struct kp_bind_item *items = NULL;
	struct kp_bind_err e;
	char (*macs)[18] = NULL;
	int r, changed = 0, i;

	r = scan_vfs(pf->bdf, count, &pci, &vfs);
	if (r < 0) {
		kp_err_errno(pf->bdf, r, "cannot read its VFs");
		return KP_EXIT_FAIL;
	}
	if (o->driver) {
		items = calloc(count ? (size_t)count : 1, sizeof(*items));
		macs = calloc(count ? (size_t)count : 1, sizeof(*macs));
		if (!items || !macs) {
			r = KP_EXIT_FAIL;
			goto out;
		}
		for (i = 0; i < count; i++)
			items[i].dev = vfs[i];
		if (strcmp(o->driver, "vfio-pci") == 0 && (r = check_groups(items, (size_t)count)))
			goto out;
		if ((r = ensure_driver(o->driver, o->dry_run)))
			goto out;
		if (!o->dry_run && (r = kp_journal_begin(TOOL, "set")) < 0) {
			kp_err_errno(KP_JOURNAL_FILE, r, "cannot start");
			r = KP_EXIT_FAIL;
			goto out;
		}
		if (bind_vfs(pf, items, (size_t)count, o->driver, o->dry_run ? KP_BIND_DRY_RUN : 0,
			     o->timeout_ms, macs, &e) < 0) {
			kp_err_errno(e.bdf, e.err, "%s", e.what);
			r = o->dry_run ? KP_EXIT_FAIL : rollback(pf->bdf);
			goto out;
		}
		if (!o->dry_run && (r = commit(pf->bdf)))
			goto out;
		for (i = 0; i < count; i++)
			changed |= items[i].changed;
	}
	/* the engine waited for every /dev/vfio/N it bound (not in a dry run) */
	r = print_result(o, pf, count, o->driver, changed, vfs, (size_t)count,
			 o->driver && !o->dry_run && !strcmp(o->driver, "vfio-pci"), macs);
out:
	free(macs);
	free(items);
	free(vfs);
	kp_pci_free(pci);
	return r;
}

/* --offline / --root: sriov.conf only, the live count stays (lib/target.h);
 * changed: the file's content changed */
static int offline_set(struct opts *o, const struct kp_sriov_pf *pf, int count)
{
	char *before = NULL, *after = NULL;
	int r, changed;

	kp_read_file(KP_SRIOV_CONF, &before, NULL);
	if (o->dry_run) {
		free(before);
		return print_result(o, pf, count, o->driver, 1, NULL, 0, 0, NULL);
	}
	if (kp_journal_begin(TOOL, "set") < 0) {
		free(before);
		kp_err(KP_JOURNAL_FILE, "cannot start");
		return KP_EXIT_FAIL;
	}
	r = persist_set(pf, count, o->driver, o->no_probe);
	if (r) {
		free(before);
		rollback(pf->bdf);
		return r;
	}
	if ((r = commit(pf->bdf))) {
		free(before);
		return r;
	}
	kp_read_file(KP_SRIOV_CONF, &after, NULL);
	changed = !before || !after ? before != after : strcmp(before, after) != 0;
	free(before);
	free(after);
	return print_result(o, pf, count, o->driver, changed, NULL, 0, 0, NULL);
}

int cmd_set(struct opts *o, int argc, char **argv)
{
	struct kp_sriov_pf pf;
	struct kp_sriov_snap snap = { 0 };
	struct kp_pci *pci = NULL;
	struct kp_pcidev **vfs = NULL;
	struct kp_bind_item *items = NULL;
	char bdf[13], *settings = NULL, (*newbdfs)[13] = NULL, (*macs)[18] = NULL;
	struct kp_pcidev *newdevs = NULL;
	int count, r, lock = -1, i, host_probe;

	if (argc != 2)
		return kp_usage_err("set needs PF and COUNT");
	if (parse_count(argv[1], &count) < 0)
		return kp_usage_err("invalid COUNT '%s' (a number of VFs, 0 or more, in decimal)",
				    argv[1]);
	if (o->driver && !driver_name_ok(o->driver))
		return kp_usage_err("malformed driver name '%s'", o->driver);
	r = resolve_pf(argv[0], bdf);
	if (r)
		return r;
	if (!o->dry_run && (r = need_root()))
		return r;
	/* the lock before the facts the checks use */
	if (!o->dry_run && (r = take_lock(o, &lock)))
		return r;
	r = check_pf(bdf, &pf);
	if (r)
		goto out;
	if (strcmp(pf.driver, "vfio-pci") == 0) {
		kp_err(bdf, "is bound to vfio-pci: a PF given to a guest cannot have VFs on the "
			    "host (give it back first: kvmprep-iommu unbind %s)", bdf);
		r = KP_EXIT_HOST;
		goto out;
	}
	if (!pf.driver[0] && !kp_offline()) {
		kp_err(bdf, "has no driver: SR-IOV is configured through the PF's driver "
			    "(bind it first)");
		r = KP_EXIT_HOST;
		goto out;
	}
	if (count > pf.totalvfs) {
		kp_err(bdf, "cannot set %d VFs: the device offers at most %d (sriov_totalvfs)",
		       count, pf.totalvfs);
		r = KP_EXIT_HOST;
		goto out;
	}
	if (count > 0 && o->driver && strcmp(o->driver, "vfio-pci") == 0 && !kp_iommu_enabled() &&
	    !kp_offline()) {
		kp_err(NULL, "no IOMMU groups: vfio-pci needs an IOMMU (kvmprep-validate --for "
			     "passthrough says what is missing)");
		r = KP_EXIT_HOST;
		goto out;
	}
	{
		char who[512];

		if (sriov_owner(&pf, who, sizeof(who))) {
			if (o->persist) {
				kp_err(bdf, "cannot persist: %s; kvmprep does not persist a second owner "
				       "(change it there)", who);
				r = KP_EXIT_FAIL;
				goto out;
			}
			kp_warn(bdf, "%s: it sets them again when it applies", who);
		}
	}
	/* what --persist changes, known before anything is done (the lock
	 * is held): the document says it, dry run or not */
	o->persist_changed = o->persist ? persist_set_changes(&pf, count, o->driver, o->no_probe) : -1;
	if (kp_offline()) {
		r = offline_set(o, &pf, count);
		goto out;
	}
	if (count == pf.numvfs) {
		r = rebind_only(o, &pf, count);
		if (r == 0 && o->persist && !o->dry_run)
			r = persist_set(&pf, count, o->driver, o->no_probe);
		goto out;
	}
	if (pf.numvfs > 0 && (r = check_removal(o, &pf)))
		goto out;
	if (count > 0 && o->driver && (r = ensure_driver(o->driver, o->dry_run)))
		goto out;
	if (o->dry_run) {
		r = print_result(o, &pf, count, o->driver, 1, NULL, 0, 0, NULL);
		goto out;
	}

	r = kp_sriov_snap_take(bdf, &snap);
	if (r < 0) {
		kp_err_errno(bdf, r, "cannot read its VFs");
		r = KP_EXIT_FAIL;
		goto out;
	}
	if ((r = settings_snapshot(&pf, &settings)))
		goto out;
	r = kp_journal_begin(TOOL, "set");
	if (r < 0) {
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot start");
		r = KP_EXIT_FAIL;
		goto out;
	}
	if ((r = journal_steps(&snap, pf.ifname, settings)))
		goto out;
	/* 1. through 0 */
	if (pf.numvfs > 0) {
		r = kp_sriov_write_numvfs(bdf, 0, o->timeout_ms);
		if (r == -ETIMEDOUT) {
			timeout_err(bdf, 0, o->timeout_ms);
			r = KP_EXIT_FAIL;
			goto out;
		}
		if (r < 0) {
			kp_err_errno(bdf, r, "cannot remove its %d VFs", pf.numvfs);
			r = rollback(bdf);
			goto out;
		}
	}
	if (count == 0) {
		if (o->persist && (r = persist_set(&pf, 0, NULL, 0))) {
			rollback(bdf);
			goto out;
		}
		if (!(r = commit(bdf)))
			r = print_result(o, &pf, 0, NULL, 1, NULL, 0, 0, NULL);
		goto out;
	}
	/* 2. no host driver touches the new VFs */
	host_probe = !o->driver && !o->no_probe && pf.autoprobe;
	if (!host_probe && pf.autoprobe && (r = kp_sriov_set_autoprobe(bdf, 0)) < 0) {
		kp_err_errno(bdf, r, "cannot set sriov_drivers_autoprobe to 0");
		r = rollback(bdf);
		goto out;
	}
	/* 3. the count */
	r = kp_sriov_write_numvfs(bdf, count, o->timeout_ms);
	if (r == -ETIMEDOUT) {
		/* the write is still in the kernel: nothing can be undone
		 * until it returns; the record stays for the next run's
		 * recovery (the writer itself takes back a late creation) */
		timeout_err(bdf, count, o->timeout_ms);
		if (pf.autoprobe)
			kp_sriov_set_autoprobe(bdf, 1);
		r = KP_EXIT_FAIL;
		goto out;
	}
	if (r < 0) {
		kp_err_errno(bdf, r, "cannot create %d VFs (%s)", count,
			     pf.driver[0] ? pf.driver : "no driver");
		r = rollback(bdf);
		goto out;
	}
	/* 4. every VF there, with its interface when a host driver took it */
	/* a network PF's VFs get interfaces from their host driver */
	newbdfs = calloc((size_t)count, sizeof(*newbdfs));
	if (!newbdfs) {
		r = rollback(bdf);
		goto out;
	}
	r = kp_sriov_wait_vfs_bdfs(bdf, count, host_probe && (pf.class >> 16) == 0x02,
				   o->timeout_ms, newbdfs);
	if (r < 0) {
		kp_err(bdf, "cannot create %d VFs: %s within %d ms", count,
		       host_probe ? "not every VF and its interface appeared"
				  : "not every VF appeared", o->timeout_ms);
		r = rollback(bdf);
		goto out;
	}
	/* 5. the count the kernel says */
	{
		struct kp_sriov_pf now;

		if (kp_sriov_pf_read(bdf, &now) < 0 || now.numvfs != count) {
			kp_err(bdf, "cannot create %d VFs: the driver enabled %d", count, now.numvfs);
			r = rollback(bdf);
			goto out;
		}
	}
	r = new_vfs(&pf, newbdfs, count, o->driver && !strcmp(o->driver, "vfio-pci"), &newdevs,
		    &vfs);
	if (r < 0) {
		kp_err_errno(bdf, r, "cannot read its new VFs");
		r = rollback(bdf);
		goto out;
	}
	/* 6. each VF to its driver, through the bind engine */
	if (o->driver) {
		struct kp_bind_err e;

		items = calloc((size_t)count, sizeof(*items));
		macs = calloc((size_t)count, sizeof(*macs));
		if (!items || !macs) {
			r = rollback(bdf);
			goto out;
		}
		for (i = 0; i < count; i++)
			items[i].dev = vfs[i];
		if (strcmp(o->driver, "vfio-pci") == 0 && (r = check_groups(items, (size_t)count))) {
			rollback(bdf);
			goto out;
		}
		/* the VFs are this call's: the count's undo removes them */
		if (bind_vfs(&pf, items, (size_t)count, o->driver, KP_BIND_CREATED, o->timeout_ms,
			     macs, &e) < 0) {
			kp_err_errno(e.bdf, e.err, "%s", e.what);
			r = rollback(bdf);
			goto out;
		}
	}
	/* 7. autoprobe as it was */
	if (!host_probe && pf.autoprobe && (r = kp_sriov_set_autoprobe(bdf, 1)) < 0) {
		kp_err_errno(bdf, r, "cannot set sriov_drivers_autoprobe back to 1");
		r = rollback(bdf);
		goto out;
	}
	if (o->persist && (r = persist_set(&pf, count, o->driver, o->no_probe))) {
		rollback(bdf);
		goto out;
	}
	if ((r = commit(bdf)))
		goto out;
	/* the driver each VF ends on: the bind engine verified it after its
	 * probe; a host driver's probe is read now */
	if (!o->driver)
		for (i = 0; i < count; i++)
			kp_pcidev_refresh(vfs[i]);
	r = print_result(o, &pf, count, o->driver, 1, vfs, (size_t)count,
			 o->driver && !strcmp(o->driver, "vfio-pci"), macs);
out:
	free(macs);
	if (lock >= 0)
		kp_lock_release(lock);
	kp_sriov_snap_free(&snap);
	free(settings);
	free(items);
	free(vfs);
	free(newdevs);
	free(newbdfs);
	kp_pci_free(pci);
	return r;
}
