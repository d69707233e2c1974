/* SPDX-License-Identifier: MIT */
/* bind, unbind/restore, unpersist, apply-persisted: the commands that
 * change the host. Every argument is resolved and every safety check made
 * before the first write; the bind engine (lib/bind.c) rolls back on any
 * failure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bind.h"
#include "devid.h"
#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "iommu.h"
#include "journal.h"
#include "lock.h"
#include "module.h"
#include "persist.h"
#include "vfioboot.h"
#include "target.h"
#include "rfile.h"
#include "root.h"

enum { B_DEVICE, B_ID, B_DRIVER, B_PREVIOUS, B_GROUP, B_VFIO, B_RESULT, B_CHANGED, B_NCOLS };
static const struct kp_col bind_cols[B_NCOLS] = {
	[B_DEVICE] = { "device", "DEVICE", KP_STR, 0 },
	[B_ID] = { "vendor_device", "ID", KP_STR, 0 },
	[B_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[B_PREVIOUS] = { "previous_driver", "PREVIOUS", KP_STR, 0 },
	[B_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[B_VFIO] = { "vfio_device", "VFIO", KP_STR, 0 },
	[B_RESULT] = { "result", "RESULT", KP_STR, KP_COL_LAST },
	[B_CHANGED] = { "changed", "CHANGED", KP_BOOL, KP_COL_NOTABLE },
};

/* The driver exists: registered, or a module that provides it is
 * installed. Loads the module unless dry_run. 0 or an exit status. */
/* The modprobe.d files the module context could not read, one warning each. */
static void mod_notes(const struct kp_modctx *mc)
{
	char note[4200];

	for (size_t i = 0; kp_mod_conf_note(mc, i, note, sizeof(note)) == 0; i++)
		kp_warn(NULL, "%s", note);
}

/* kp_mod_free, after the context's notes. */
static void mod_done(struct kp_modctx *mc)
{
	mod_notes(mc);
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
	if (r < 0) {
		/* out of file descriptors, an unreadable index: say so, it is
		 * not "no such driver" */
		mod_done(mc);
		kp_err_errno(driver, r, "cannot look the module up");
		return KP_EXIT_FAIL;
	}
	if (st == KP_MOD_MISSING) {
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
	if (r == -ENOENT) {
		kp_err(driver, "no such driver (no module)");
		return KP_EXIT_HOST;
	}
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

static void report_err(const struct kp_bind_err *e)
{
	kp_err_errno(e->bdf, e->err, "%s", e->what);
	if (!e->rolled_back)
		kp_err(e->stuck, "could not be put back on its previous driver: check it by hand");
}

static void vfio_node(const struct kp_pcidev *d, char *buf, size_t n)
{
	struct stat st;

	buf[0] = '\0';
	if (strcmp(d->driver, "vfio-pci") != 0 || d->group < 0)
		return;
	snprintf(buf, n, "/dev/vfio/%d", d->group);
	if (stat(buf, &st) < 0)
		buf[0] = '\0';
}

/* One row per item, then print. Returns 0 or KP_EXIT_FAIL (output error). */
static int print_items(struct opts *o, const char *command, struct kp_bind_item *items,
		       size_t n, const char *target, const char *done_word, const char *would_word,
		       int persisted)
{
	struct kp_table *t = kp_table_new(bind_cols, B_NCOLS);
	size_t i;
	int any = 0, r = 0;

	if (!t)
		return KP_EXIT_FAIL;
	for (i = 0; i < n; i++) {
		const struct kp_pcidev *d = items[i].dev;
		int row = kp_table_add_row(t);
		char node[32];

		if (row < 0)
			break;
		kp_table_set_str(t, row, B_DEVICE, d->bdf);
		kp_table_set_strf(t, row, B_ID, "%04x:%04x", d->vendor, d->device);
		/* a dry run shows the driver the device would have (NULL:
		 * whichever its own is, found by the kernel's probe) */
		if (o->dry_run && items[i].changed)
			kp_table_set_str(t, row, B_DRIVER, target);
		else
			kp_table_set_str(t, row, B_DRIVER, d->driver[0] ? d->driver : NULL);
		kp_table_set_str(t, row, B_PREVIOUS, items[i].old_driver[0] ? items[i].old_driver : NULL);
		if (d->group >= 0)
			kp_table_set_int(t, row, B_GROUP, d->group);
		node[0] = '\0';
		if (!(o->dry_run && items[i].changed))
			vfio_node(d, node, sizeof(node));
		kp_table_set_str(t, row, B_VFIO, node[0] ? node : NULL);
		kp_table_set_str(t, row, B_RESULT, !items[i].changed ? "unchanged"
						  : o->dry_run ? would_word : done_word);
		kp_table_set_bool(t, row, B_CHANGED, items[i].changed);
		any |= items[i].changed;
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string(command));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(doc, "changed", json_object_new_boolean(any || persisted > 0));
		if (persisted >= 0)
			json_object_object_add(doc, "persist_changed", json_object_new_boolean(persisted));
		json_object_object_add(doc, "devices", kp_table_json(t));
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		r = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
	}
	kp_table_free(t);
	return r;
}

/* Add (or update) entries for the items; 0/1 changed, or -errno. */
/* kvmprep-vfio.service is enabled: its link in sysinit.target.wants
 * exists (the link itself: its target is a host path, not under the root). */
static int unit_enabled(void)
{
	char path[4096];
	struct stat st;

	return kp_path(path, sizeof(path),
		       "/etc/systemd/system/sysinit.target.wants/kvmprep-vfio.service") == 0 &&
	       lstat(path, &st) == 0;
}

/* What the files of save_boot mean for the admin: the host drivers that
 * still come first, and the initramfs command when the files changed. */
static void boot_notes(const struct kp_boot_dev *b, size_t n, enum kp_initramfs_tool t,
		       int changed, const struct kp_boot_info *info)
{
	char mods[512] = "";
	size_t i;

	for (i = 0; i < (size_t)info->nnotes; i++)
		kp_warn(NULL, "%s", info->notes[i]);
	/* --offline/--root: the kernels of the system are what is judged;
	 * without one, no host module is known */
	if (n && kp_offline() && !info->installed) {
		char dir[4096];

		if (kp_path(dir, sizeof(dir), "/lib/modules") < 0)
			snprintf(dir, sizeof(dir), "/lib/modules");
		kp_warn(NULL, "%s: no kernel installed (no RELEASE/modules.dep): the host drivers that "
			"take the devices at boot are not known, no softdep is written (install the "
			"kernel first, then run this again)", dir);
	}
	for (i = 0; i < n; i++) {
		if (b[i].builtin)
			kp_warn(b[i].bdf, "%s is built into %s %s%s: no module option keeps it off %s%s; "
				"the kernel argument vfio-pci.ids=%s would (it gives vfio-pci every device "
				"with that id, and needs vfio-pci built in or in the initramfs), else "
				"kvmprep-vfio.service moves the device after boot",
				b[i].builtin_name[0] ? b[i].builtin_name : b[i].host,
				strchr(b[i].builtin_in, ',') ? "kernels" : "kernel", b[i].builtin_in,
				b[i].module[0] ? " (a module in the other kernels, which the softdep "
						 "holds)" : "",
				b[i].module[0] ? "when it boots" : "at boot",
				b[i].module[0] && strchr(b[i].builtin_in, ',') ? " (any of them)" : "",
				b[i].ids[0] ? b[i].ids : "VVVV:DDDD");
		else if (b[i].module[0] && b[i].shared[0]) {
			char first[64];

			snprintf(first, sizeof(first), "%.*s", (int)strcspn(b[i].module, " "),
				 b[i].module);
			kp_warn(b[i].bdf, "its id is also %s's, which the host keeps: vfio-pci is not "
				"given it, so %s may take it at boot first (kvmprep-vfio.service moves it "
				"after boot)", b[i].shared, b[i].host[0] ? b[i].host : first);
		}
		{
			char list[sizeof(b[i].module)], *tok, *save = NULL;

			snprintf(list, sizeof(list), "%s", b[i].module);
			for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				size_t l = strlen(tok);
				const char *p;
				int dup = 0;

				for (p = mods; (p = strstr(p, tok)); p += l)
					dup |= (p == mods || p[-1] == ' ') && (p[l] == ',' || p[l] == '\0');
				if (!dup && strlen(mods) + l + 3 < sizeof(mods))
					snprintf(mods + strlen(mods), sizeof(mods) - strlen(mods), "%s%s",
						 mods[0] ? ", " : "", tok);
			}
		}
	}
	if (!changed || !mods[0])
		return;
	if (t == KP_INITRAMFS_NONE)
		kp_warn(NULL, KP_VFIO_MODPROBE " loads vfio-pci before %s; no initramfs tool found "
			"(initramfs-tools, dracut, mkinitcpio): if your initramfs holds %s, add vfio-pci "
			"and that file to it", mods, mods);
	else
		kp_warn(NULL, KP_VFIO_MODPROBE " loads vfio-pci before %s, and %s puts it in the "
			"initramfs: regenerate the initramfs for it to hold: %s", mods,
			kp_initramfs_conf_path(t), kp_initramfs_command(t));
}

/* The boot-time configuration that keeps host drivers that come first
 * off the persisted devices (lib/vfioboot.h), regenerated from the
 * entries; each file recorded in the journal first. 0 or -errno. */
static int save_boot(const struct kp_persist_entry *e, size_t n, const char **failed)
{
	enum kp_initramfs_tool t = kp_initramfs_tool();
	const char *ipath = kp_initramfs_conf_path(t);
	struct kp_boot_dev *b = NULL;
	struct kp_boot_info info;
	struct kp_pci *pci = NULL;
	size_t nb = 0;
	char *mp = NULL;
	int r, c1 = 0, c2 = 0;

	*failed = KP_VFIO_MODPROBE;
	r = kp_pci_scan(&pci, 0);
	if (r == 0)
		r = kp_boot_plan(e, n, pci, &b, &nb, &info);
	if (r < 0)
		goto out;
	mp = kp_boot_modprobe_text(b, nb);
	if (!mp && errno == ENOMEM) {
		r = -ENOMEM;
		goto out;
	}
	*failed = KP_VFIO_MODPROBE;
	r = kp_journal_save_file(KP_VFIO_MODPROBE, NULL);
	if (r == 0 && ipath) {
		*failed = ipath;
		r = kp_journal_save_file(ipath, NULL);
	}
	if (r < 0)
		goto out;
	*failed = KP_VFIO_MODPROBE;
	r = mp ? kp_persist_write(KP_VFIO_MODPROBE, mp, strlen(mp), 0644, &c1)
	       : kp_persist_remove(KP_VFIO_MODPROBE, &c1);
	if (r == 0 && ipath) {
		const char *text = kp_initramfs_conf_text(t);

		*failed = ipath;
		r = mp ? kp_persist_write(ipath, text, strlen(text), (mode_t)kp_initramfs_conf_mode(t), &c2)
		       : kp_persist_remove(ipath, &c2);
	}
	if (r == 0)
		boot_notes(b, nb, t, c1 || c2, &info);
out:
	free(mp);
	free(b);
	kp_pci_free(pci);
	return r;
}

/* kp_persist_save and the boot configuration, each file recorded in the
 * journal first. On failure *failed is the file that could not be
 * written (for the message). */
static int save_conf(const struct kp_persist_entry *e, size_t n, int *changed,
		     const char **failed)
{
	int r;

	*failed = KP_VFIO_CONF;
	r = kp_journal_save_file(KP_VFIO_CONF, NULL);
	if (r == 0) {
		*failed = KP_VFIO_RULES;
		r = kp_journal_save_file(KP_VFIO_RULES, NULL);
	}
	if (r == 0)
		r = kp_persist_save_ex(e, n, changed, failed);
	if (r == 0)
		r = save_boot(e, n, failed);
	return r;
}

/* The vfio.conf entry for a bound item: its address and ids, what tells
 * this card from another of its model (subsystem ids, the PCIe serial
 * number when it has one) and the host driver it was taken from (from
 * the bind, else what the old entry recorded). */
static void persist_entry_of(const struct kp_bind_item *it, const char *driver,
			     const struct kp_persist_entry *old, struct kp_persist_entry *e)
{
	const struct kp_pcidev *d = it->dev;
	int r;

	memset(e, 0, sizeof(*e));
	snprintf(e->bdf, sizeof(e->bdf), "%s", d->bdf);
	e->vendor = d->vendor;
	e->device = d->device;
	snprintf(e->driver, sizeof(e->driver), "%s", driver);
	e->has_subsys = 1;
	e->subvendor = d->subvendor;
	e->subdevice = d->subdevice;
	r = kp_pcidev_dsn(d->bdf, e->dsn);
	if (r < 0 && r != -ENOENT)
		kp_warn(d->bdf, "cannot read its serial number (%s): persisted by address and ids "
			"only", strerror(-r));
	if (it->old_driver[0] && strcmp(it->old_driver, driver) && strcmp(it->old_driver, "vfio-pci") &&
	    kp_driver_check(it->old_driver) == 0)
		snprintf(e->host, sizeof(e->host), "%s", it->old_driver);
	else if (d->driver[0] && strcmp(d->driver, driver) && strcmp(d->driver, "vfio-pci") &&
		 kp_driver_check(d->driver) == 0)
		snprintf(e->host, sizeof(e->host), "%.31s", d->driver); /* --offline: not moved */
	else if (old && old->vendor == d->vendor && old->device == d->device)
		snprintf(e->host, sizeof(e->host), "%s", old->host);
}

static int persist_add(struct kp_bind_item *items, size_t n, const char *driver, int dry_run,
		       int *changed, const char **failed)
{
	struct kp_persist_entry *e, *ne;
	char err[KP_RFILE_ERRLEN];
	size_t ne_n, i, j;
	int r;

	*changed = 0;
	r = kp_persist_load(&e, &ne_n, err);
	if (r < 0)
		return r;
	ne = realloc(e, (ne_n + n + 1) * sizeof(*e));
	if (!ne) {
		free(e);
		return -ENOMEM;
	}
	e = ne;
	for (i = 0; i < n; i++) {
		const struct kp_pcidev *d = items[i].dev;
		struct kp_persist_entry want;

		for (j = 0; j < ne_n; j++)
			if (strcmp(e[j].bdf, d->bdf) == 0)
				break;
		persist_entry_of(&items[i], driver, j < ne_n ? &e[j] : NULL, &want);
		if (j == ne_n)
			ne_n++;
		else if (memcmp(&e[j], &want, sizeof(want)) == 0)
			continue;
		if (kp_offline())
			items[i].changed = 1; /* --offline: the result is the file's */
		e[j] = want;
		*changed = 1;
	}
	r = 0;
	if (!dry_run && *changed)
		r = save_conf(e, ne_n, changed, failed);
	free(e);
	return r;
}

/* vfio.conf could not be loaded: its one line, exit 2 when the file is
 * refused (hardened reader), 1 when it could not be read */
static int bad_conf(int r, const char *err)
{
	kp_err(NULL, "%s", err);
	return r == -EINVAL ? KP_EXIT_USAGE : KP_EXIT_FAIL;
}

/* bind --persist: vfio.conf must be readable whole before anything moves */
static int check_conf(void)
{
	struct kp_persist_entry *pe;
	char err[KP_RFILE_ERRLEN];
	size_t n;
	int r = kp_persist_load(&pe, &n, err);

	if (r < 0)
		return bad_conf(r, err);
	free(pe);
	return 0;
}

/* The in-use check of a device a command takes from its driver: refused
 * (exit status, error printed) unless --force; a process holding one of
 * its nodes is refused even with --force (the kernel's unbind would
 * wait for it, with our lock held); so is a host that cannot be asked. */
static int refuse_in_use(const struct kp_pcidev *d, int force)
{
	struct kp_dev_usage u;
	int r = device_usage(d, KP_INUSE_HANDLES | KP_INUSE_SRIOV, &u);

	if (r < 0) {
		kp_err_errno(d->bdf, r, "cannot tell whether the host uses it");
		return KP_EXIT_FAIL;
	}
	if (r == 0)
		return 0;
	if (u.kinds & KP_USE_HANDLE) {
		kp_err(d->bdf, "in use: %s (the kernel would wait for it to close; stop it first)",
		       u.reason);
		return KP_EXIT_FAIL;
	}
	if (force) {
		kp_warn(d->bdf, "%s (%s), taken anyway (--force)", kp_usage_whose(&u), u.reason);
		return 0;
	}
	kp_err(d->bdf, "%s: %s (%s%suse --force to take it anyway)", kp_usage_whose(&u), u.reason,
	       u.hint, u.hint[0] ? "; " : "");
	return KP_EXIT_FAIL;
}

/* What bind refuses whatever the options: a device vfio-pci cannot take
 * (no IOMMU group), a PCI bridge, a platform device (class 06). 0 or an
 * exit status after saying why. */
static int check_device(const struct kp_pcidev *d, int vfio)
{
	if (vfio && d->group < 0 && !kp_offline()) {
		kp_err(d->bdf, "has no IOMMU group: vfio-pci cannot take it");
		return KP_EXIT_HOST;
	}
	if (kp_pcidev_is_bridge(d)) {
		kp_err(d->bdf, "is a PCI bridge: bridges stay on pcieport, bind the devices "
			       "behind it");
		return KP_EXIT_FAIL;
	}
	if (kp_pcidev_is_platform(d)) {
		const char *w = kp_pci_bridge_word(d->class);

		kp_err(d->bdf, "is %s %s: part of the platform, never a guest's",
		       strchr("AEIOU", w[0]) ? "an" : "a", w);
		return KP_EXIT_FAIL;
	}
	return 0;
}

/* The members of d's group that stay on host drivers when the devices of
 * set go to driver: "BDF (driver), …" in out, "" when none (the group
 * stays viable). */
static void group_left_out(struct kp_pci *pci, const struct kp_pcidev *d, struct kp_pcidev **set,
			   size_t nset, const char *driver, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t j = 0; j < kp_pci_count(pci); j++) {
		struct kp_pcidev *m = kp_pci_dev(pci, j);
		size_t len = strlen(out);

		if (m->group != d->group || dev_list_has(set, nset, m) ||
		    kp_iommu_member_ok(m, driver))
			continue;
		snprintf(out + len, n - len, "%s%s (%s)", len ? ", " : "", m->bdf, m->driver);
	}
}

int cmd_bind(struct opts *o, int argc, char **argv)
{
	struct kp_pcidev **args = NULL, **set = NULL;
	struct kp_bind_item *items = NULL;
	struct kp_bind_err e;
	struct kp_pci *pci = NULL;
	size_t nargs = 0, nset = 0, i, j;
	int vfio = strcmp(o->driver, "vfio-pci") == 0;
	int r, lock = -1, persisted = -1;

	if (argc == 0 && !o->id)
		return kp_usage_err("bind needs a DEVICE or --id");
	if (kp_offline() && !o->persist)
		return kp_usage_err("--offline and --root go with --persist");
	if (kp_driver_check(o->driver) < 0)
		return kp_usage_err("malformed driver name '%s'", o->driver);
	if (!o->dry_run && (r = need_root()))
		return r;
	/* the lock first: the scan below is what the safety checks read */
	if (o->dry_run)
		dry_run_note();
	else if ((r = take_lock(o, &lock, NULL)))
		return r;
	if (o->persist && (r = check_conf()))
		goto out;
	r = scan_devices(&pci, KP_PCI_USE, argc, argv, o->id, 1);
	if (r)
		goto out;
	r = resolve_devices(pci, argc, argv, o->id, &args, &nargs);
	if (r)
		goto out;
	/* --offline/--root: the groups are the running kernel's, which may
	 * have no IOMMU (an installer without the target's arguments); the
	 * target's modules are not this kernel's: neither is asked */
	if (vfio && !kp_iommu_enabled() && kp_offline())
		kp_warn(NULL, "the running kernel has no IOMMU: groups not checked (--offline)");
	else if (vfio && !kp_iommu_enabled()) {
		r = no_iommu();
		goto out;
	}
	r = kp_offline() ? 0 : ensure_driver(o->driver, 1);
	if (r)
		goto out;

	/* the full set: named devices, with --group their whole groups */
	for (i = 0; i < nargs; i++) {
		struct kp_pcidev *d = args[i];

		if ((r = check_device(d, vfio)))
			goto out;
		if (dev_list_add(&set, &nset, d) < 0)
			goto nomem;
		if (!o->group || d->group < 0)
			continue;
		for (j = 0; j < kp_pci_count(pci); j++) {
			struct kp_pcidev *m = kp_pci_dev(pci, j);

			if (m->group == d->group && !kp_pcidev_is_bridge(m) && !kp_pcidev_is_platform(m) &&
			    dev_list_add(&set, &nset, m) < 0)
				goto nomem;
		}
	}

	/* safety: a group left half on host drivers, devices the host uses */
	for (i = 0; vfio && i < nset; i++) {
		char others[512];

		if (set[i]->group < 0)
			continue; /* --offline: no group on the machine that writes */
		group_left_out(pci, set[i], set, nset, o->driver, others, sizeof(others));
		if (!others[0])
			continue;
		if (o->force) {
			kp_warn(set[i]->bdf, "group %d stays unusable for a guest: %s still on host "
				"drivers (--force)", set[i]->group, others);
			continue;
		}
		kp_err(set[i]->bdf, "group %d would not be viable: %s would stay on host drivers; "
		       "use --group to take the whole group", set[i]->group, others);
		r = KP_EXIT_FAIL;
		goto out;
	}
	/* --root: what the installer uses says nothing about the target */
	for (i = 0; i < nset && !kp_target()[0]; i++) {
		if (strcmp(set[i]->driver, o->driver) == 0)
			continue;
		r = refuse_in_use(set[i], o->force);
		if (r)
			goto out;
	}

	r = kp_offline() ? 0 : ensure_driver(o->driver, o->dry_run);
	if (r)
		goto out;
	items = calloc(nset ? nset : 1, sizeof(*items));
	if (!items)
		goto nomem;
	for (i = 0; i < nset; i++)
		items[i].dev = set[i];
	if (!o->dry_run && (r = begin_change("bind")))
		goto out;
	/* --offline: only the boot-time configuration (lib/target.h) */
	if (!kp_offline() &&
	    kp_bind(items, nset, o->driver, o->dry_run ? KP_BIND_DRY_RUN : 0, o->timeout_ms,
		    &e) < 0) {
		if (!kp_journal_signal())
			report_err(&e);
		r = undo_change(KP_EXIT_FAIL);
		goto out;
	}
	if (o->persist) {
		const char *failed = KP_VFIO_CONF;
		int changed = 0;

		r = persist_add(items, nset, o->driver, o->dry_run, &changed, &failed);
		if (r < 0) {
			if (r != -EINTR)
				kp_err_errno(failed, r, "cannot persist the binding");
			r = undo_change(KP_EXIT_FAIL);
			goto out;
		}
		persisted = changed;
		/* the udev rule sets driver_override when a device appears; the
		 * unit binds what a driver took before udev ran (initramfs,
		 * built-in drivers): say so when it is not enabled */
		if (!unit_enabled())
			kp_warn(NULL, "kvmprep-vfio.service is not enabled: a device a driver takes "
				      "before udev runs stays there at boot "
				      "(systemctl%s%s enable kvmprep-vfio.service)",
				kp_target()[0] ? " --root=" : "", kp_target());
	}
	if (!o->dry_run && (r = end_change()))
		goto out;
	r = print_items(o, "bind", items, nset, o->driver, kp_offline() ? "persisted" : "bound",
			kp_offline() ? "would persist" : "would bind", persisted);
	goto out;
nomem:
	kp_err_errno(NULL, -ENOMEM, "cannot bind");
	r = KP_EXIT_FAIL;
out:
	if (lock >= 0)
		kp_lock_release(lock);
	free(items);
	free(set);
	free(args);
	kp_pci_free(pci);
	return r;
}

int cmd_unbind(struct opts *o, int argc, char **argv)
{
	struct kp_pcidev **args = NULL;
	struct kp_bind_item *items = NULL;
	struct kp_persist_entry *pe = NULL;
	struct kp_bind_err e;
	struct kp_pci *pci = NULL;
	char err[KP_RFILE_ERRLEN];
	size_t nargs = 0, npe = 0, i, j;
	int r, lock = -1;

	if (argc == 0 && !o->id)
		return kp_usage_err("unbind needs a DEVICE or --id");
	if (!o->dry_run && (r = need_root()))
		return r;
	if (o->dry_run)
		dry_run_note();
	else if ((r = take_lock(o, &lock, NULL)))
		return r;
	r = scan_devices(&pci, KP_PCI_USE, argc, argv, o->id, 0);
	if (r)
		goto out;
	r = resolve_devices(pci, argc, argv, o->id, &args, &nargs);
	if (r)
		goto out;
	items = calloc(nargs ? nargs : 1, sizeof(*items));
	if (!items) {
		r = KP_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < nargs; i++) {
		struct kp_dev_usage u;

		items[i].dev = args[i];
		/* a guest holding /dev/vfio/N: the kernel's unbind would wait */
		if (args[i]->driver[0] && device_usage(args[i], KP_INUSE_HANDLES, &u) > 0 &&
		    (u.kinds & KP_USE_HANDLE)) {
			kp_err(args[i]->bdf, "in use: %s (the kernel would wait for it to close; "
			       "stop it first)", u.reason);
			r = KP_EXIT_FAIL;
			goto out;
		}
	}
	if (!o->dry_run && (r = begin_change("unbind")))
		goto out;
	if (kp_unbind(items, nargs, o->dry_run ? KP_BIND_DRY_RUN : 0, &e) < 0) {
		if (!kp_journal_signal())
			report_err(&e);
		r = undo_change(KP_EXIT_FAIL);
		goto out;
	}
	if (!o->dry_run && (r = end_change()))
		goto out;
	if (kp_persist_load(&pe, &npe, err) < 0) {
		kp_warn(NULL, "%s", err);
	} else {
		for (i = 0; i < nargs; i++)
			for (j = 0; j < npe; j++)
				if (strcmp(pe[j].bdf, args[i]->bdf) == 0)
					kp_warn(args[i]->bdf, "still persisted: it is bound again at boot "
						"('" TOOL " unpersist %s' forgets it)", args[i]->bdf);
	}
	r = print_items(o, "unbind", items, nargs, NULL, "restored", "would restore", -1);
out:
	if (lock >= 0)
		kp_lock_release(lock);
	free(pe);
	free(items);
	free(args);
	kp_pci_free(pci);
	return r;
}

enum { P_DEVICE, P_ID, P_DRIVER, P_RESULT, P_CHANGED, P_NCOLS };
static const struct kp_col persist_cols[P_NCOLS] = {
	[P_DEVICE] = { "device", "DEVICE", KP_STR, 0 },
	[P_ID] = { "vendor_device", "ID", KP_STR, 0 },
	[P_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[P_RESULT] = { "result", "RESULT", KP_STR, KP_COL_LAST },
	[P_CHANGED] = { "changed", "CHANGED", KP_BOOL, KP_COL_NOTABLE },
};

int cmd_unpersist(struct opts *o, int argc, char **argv)
{
	struct kp_persist_entry *pe = NULL;
	struct kp_table *t = NULL;
	unsigned vendor = 0, device = 0;
	size_t npe = 0, i, keep = 0;
	char (*want)[13] = NULL, err[KP_RFILE_ERRLEN];
	int r, a, any = 0, lock = -1;
	struct kp_pci *pci = NULL;

	if (argc == 0 && !o->id)
		return kp_usage_err("unpersist needs a DEVICE or --id");
	if (o->id && kp_pciid_parse(o->id, &vendor, &device) < 0)
		return kp_usage_err("malformed --id '%s' (want VVVV:DDDD, e.g. 10de:1eb8)", o->id);
	want = calloc(argc ? argc : 1, sizeof(*want));
	if (!want)
		return KP_EXIT_FAIL;
	/* addresses need not exist any more (a device that moved slot);
	 * interface names are looked up */
	for (a = 0; a < argc; a++) {
		if (kp_bdf_parse(argv[a], want[a]) == 0)
			continue;
		if (!pci && (r = scan_devices(&pci, KP_PCI_USE, argc, argv, NULL, 0)))
			goto out;
		{
			struct kp_pcidev **d;
			size_t nd;

			r = resolve_devices(pci, 1, &argv[a], NULL, &d, &nd);
			if (r)
				goto out;
			snprintf(want[a], sizeof(want[a]), "%s", d[0]->bdf);
			free(d);
		}
	}
	if (!o->dry_run && (r = need_root()))
		goto out;
	if (o->dry_run)
		dry_run_note();
	else if ((r = take_lock(o, &lock, NULL)))
		goto out;
	r = kp_persist_load(&pe, &npe, err);
	if (r < 0) {
		r = bad_conf(r, err);
		goto out;
	}
	t = kp_table_new(persist_cols, P_NCOLS);
	if (!t) {
		r = KP_EXIT_FAIL;
		goto out;
	}
	for (a = 0; a < argc; a++) {
		int found = 0;

		for (i = 0; i < npe; i++)
			found |= strcmp(pe[i].bdf, want[a]) == 0;
		if (!found) {
			int row = kp_table_add_row(t);

			kp_table_set_str(t, row, P_DEVICE, want[a]);
			kp_table_set_str(t, row, P_RESULT, "unchanged (not persisted)");
			kp_table_set_bool(t, row, P_CHANGED, 0);
		}
	}
	for (i = 0; i < npe; i++) {
		int drop = o->id && pe[i].vendor == vendor && pe[i].device == device;

		for (a = 0; a < argc; a++)
			drop |= strcmp(pe[i].bdf, want[a]) == 0;
		if (!drop) {
			pe[keep++] = pe[i];
			continue;
		}
		{
			int row = kp_table_add_row(t);

			kp_table_set_str(t, row, P_DEVICE, pe[i].bdf);
			kp_table_set_strf(t, row, P_ID, "%04x:%04x", pe[i].vendor, pe[i].device);
			kp_table_set_str(t, row, P_DRIVER, pe[i].driver);
			kp_table_set_str(t, row, P_RESULT, o->dry_run ? "would unpersist" : "unpersisted");
			kp_table_set_bool(t, row, P_CHANGED, 1);
			any = 1;
		}
	}
	if (any && !o->dry_run) {
		const char *failed = KP_VFIO_CONF;
		int changed;

		if ((r = begin_change("unpersist")))
			goto out;
		r = save_conf(pe, keep, &changed, &failed);
		if (r < 0) {
			if (r != -EINTR)
				kp_err_errno(failed, r, "cannot write");
			r = undo_change(KP_EXIT_FAIL);
			goto out;
		}
		if ((r = end_change()))
			goto out;
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("unpersist"));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(doc, "changed", json_object_new_boolean(any));
		json_object_object_add(doc, "devices", kp_table_json(t));
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		r = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
	} else {
		r = 0;
	}
out:
	if (lock >= 0)
		kp_lock_release(lock);
	kp_table_free(t);
	kp_pci_free(pci);
	free(pe);
	free(want);
	return r;
}

/* A persisted entry still names the device in its slot: vendor:device,
 * the subsystem ids and the PCIe serial number, each when recorded. 0, or
 * 1 after saying why it is not (another card, a renumbered slot). */
static int not_the_persisted(const struct kp_persist_entry *pe, const struct kp_pcidev *d)
{
	char dsn[KP_DSN_LEN];
	int r;

	if (d->vendor != pe->vendor || d->device != pe->device) {
		kp_err(d->bdf, "is now %04x:%04x, persisted for %04x:%04x: not bound", d->vendor,
		       d->device, pe->vendor, pe->device);
		return 1;
	}
	if (pe->has_subsys && (d->subvendor != pe->subvendor || d->subdevice != pe->subdevice)) {
		kp_err(d->bdf, "has subsystem %04x:%04x, persisted for %04x:%04x: another card of "
		       "the same model in this slot, not bound ('" TOOL " unpersist %s' forgets "
		       "the old one)", d->subvendor, d->subdevice, pe->subvendor, pe->subdevice,
		       d->bdf);
		return 1;
	}
	if (!pe->dsn[0])
		return 0;
	r = kp_pcidev_dsn(d->bdf, dsn);
	if (r == -ENOENT)
		snprintf(dsn, sizeof(dsn), "none");
	else if (r < 0) {
		kp_err_errno(d->bdf, r, "cannot read its serial number to check it is the persisted "
			     "card: not bound");
		return 1;
	}
	if (strcmp(dsn, pe->dsn) != 0) {
		kp_err(d->bdf, "has serial number %s, persisted for %s: another card of the same "
		       "model in this slot, not bound ('" TOOL " unpersist %s' forgets the old "
		       "one)", dsn, pe->dsn, d->bdf);
		return 1;
	}
	return 0;
}

/* bind's checks for one persisted device (no --force at boot): 0 to bind
 * it, or 1 after saying why it is skipped. Without set: the device's own
 * checks; with set (every device this run binds): the group's viability. */
static int apply_refuses(struct kp_pci *pci, struct kp_pcidev *d, const char *driver,
			 struct kp_pcidev **set, size_t nset)
{
	int vfio = strcmp(driver, "vfio-pci") == 0;
	char others[512];

	if (strcmp(d->driver, driver) == 0)
		return 0; /* already where it belongs: nothing is taken */
	if (set) {
		if (!vfio)
			return 0;
		group_left_out(pci, d, set, nset, driver, others, sizeof(others));
		if (others[0]) {
			kp_err(d->bdf, "group %d would not be viable: %s would stay on host drivers: "
			       "not bound (persist the whole group: bind --persist --group)", d->group,
			       others);
			return 1;
		}
		return 0;
	}
	if (check_device(d, vfio))
		return 1;
	{
		struct kp_dev_usage u;
		int r = device_usage(d, KP_INUSE_HANDLES | KP_INUSE_SRIOV, &u);

		if (r < 0) {
			kp_err_errno(d->bdf, r, "cannot tell whether the host uses it: not bound");
			return 1;
		}
		if (r > 0) {
			kp_err(d->bdf, "%s: %s: not bound (at boot nothing is taken by force)",
			       kp_usage_whose(&u), u.reason);
			return 1;
		}
	}
	return 0;
}

/* A device that is not the persisted one but sits on its driver through
 * the override the boot rule set: back to its own driver (the kernel's
 * probe). 0, or an exit status when a signal stopped the run. */
static int release_other(struct opts *o, struct kp_pcidev *d)
{
	struct kp_bind_item it;
	struct kp_bind_err e;
	int r;

	memset(&it, 0, sizeof(it));
	it.dev = d;
	if (!o->dry_run && (r = begin_change("apply-persisted")))
		return r;
	if (kp_unbind(&it, 1, o->dry_run ? KP_BIND_DRY_RUN : 0, &e) < 0) {
		int sig = kp_journal_signal();

		if (!sig)
			report_err(&e);
		r = o->dry_run ? 0 : undo_change(KP_EXIT_FAIL);
		return sig ? r : 0;
	}
	if (!o->dry_run && (r = end_change()))
		return r;
	kp_warn(d->bdf, "%s: the boot rule had given it to %s; returned to %s", o->dry_run ?
		"would be released" : "released", it.old_driver[0] ? it.old_driver : "vfio-pci",
		d->driver[0] ? d->driver : "no driver (its own driver is not loaded)");
	return 0;
}

int cmd_apply(struct opts *o, int argc, char **argv)
{
	struct kp_persist_entry *pe = NULL, **ent = NULL;
	struct kp_pcidev **cand = NULL;
	struct kp_bind_item *items = NULL;
	struct kp_bind_err e;
	struct kp_pci *pci = NULL;
	char err[KP_RFILE_ERRLEN];
	size_t npe = 0, ncand = 0, n = 0, i, k;
	int r, lock = -1, skipped = 0;

	if (argc)
		return kp_usage_err("apply-persisted takes no DEVICE");
	if (!o->dry_run && (r = need_root()))
		return r;
	if (o->dry_run)
		dry_run_note();
	else if ((r = take_lock(o, &lock, NULL)))
		return r;
	r = kp_persist_load(&pe, &npe, err);
	if (r < 0) {
		r = bad_conf(r, err);
		goto out;
	}
	{
		char **bdfs = calloc(npe ? npe : 1, sizeof(*bdfs));

		if (!bdfs) {
			r = KP_EXIT_FAIL;
			goto out;
		}
		for (i = 0; i < npe; i++)
			bdfs[i] = pe[i].bdf;
		/* with their groups: the viability check reads every member */
		r = scan_devices(&pci, KP_PCI_USE, (int)npe, bdfs, NULL, 1);
		free(bdfs);
	}
	if (r)
		goto out;
	items = calloc(npe ? npe : 1, sizeof(*items));
	ent = calloc(npe ? npe : 1, sizeof(*ent));
	cand = calloc(npe ? npe : 1, sizeof(*cand));
	if (!items || !ent || !cand) {
		r = KP_EXIT_FAIL;
		goto out;
	}
	/* the devices that are still the persisted ones */
	for (i = 0; i < npe; i++) {
		struct kp_pcidev *d = kp_pci_find(pci, pe[i].bdf);

		if (!d) {
			kp_err(pe[i].bdf, "persisted for %04x:%04x but no such device now: not bound",
			       pe[i].vendor, pe[i].device);
			skipped++;
			continue;
		}
		if (not_the_persisted(&pe[i], d)) {
			skipped++;
			/* the udev rule matched it by ids and gave it to the
			 * driver before this run could tell: give it back */
			if (!strcmp(d->driver, pe[i].driver) && !strcmp(d->driver_override, pe[i].driver) &&
			    (r = release_other(o, d)))
				goto out;
			continue;
		}
		ent[ncand] = &pe[i];
		cand[ncand++] = d;
	}
	/* bind's checks, each device on its own: one refused (or failing)
	 * device is skipped and named, the others are still bound */
	for (i = k = 0; i < ncand; i++) {
		const char *drv = ent[i]->driver;

		r = ensure_driver(drv, o->dry_run);
		if (r == 0 && strcmp(drv, "vfio-pci") == 0 && !kp_iommu_enabled())
			r = no_iommu();
		if (r)
			goto out; /* the host cannot: no entry could be bound */
		if (apply_refuses(pci, cand[i], drv, NULL, 0)) {
			skipped++;
			continue;
		}
		ent[k] = ent[i];
		cand[k++] = cand[i];
	}
	ncand = k;
	/* then the groups' viability over what is left (a refused device
	 * stays on its host driver), until nothing more drops out */
	for (int again = 1; again;) {
		again = 0;
		for (i = k = 0; i < ncand; i++) {
			if (apply_refuses(pci, cand[i], ent[i]->driver, cand, ncand)) {
				skipped++;
				again = 1;
				continue;
			}
			ent[k] = ent[i];
			cand[k++] = cand[i];
		}
		ncand = k;
	}
	/* bound a group at a time (one change each: a group is bound or
	 * rolled back whole, the other groups keep theirs) */
	for (i = 0; i < ncand; i++) {
		const char *drv = ent[i]->driver;
		size_t start = n, m;

		if (!cand[i])
			continue;
		for (m = i; m < ncand; m++) {
			if (!cand[m] || strcmp(ent[m]->driver, drv) ||
			    (m != i && (cand[m]->group < 0 || cand[m]->group != cand[i]->group)))
				continue;
			memset(&items[n], 0, sizeof(items[n]));
			items[n++].dev = cand[m];
			if (m != i)
				cand[m] = NULL;
		}
		cand[i] = NULL;
		if (!o->dry_run && (r = begin_change("apply-persisted")))
			goto out;
		if (kp_bind(&items[start], n - start, drv, o->dry_run ? KP_BIND_DRY_RUN : 0,
			    o->timeout_ms, &e) < 0) {
			int sig = kp_journal_signal();

			if (!sig)
				report_err(&e);
			r = o->dry_run ? KP_EXIT_FAIL : undo_change(KP_EXIT_FAIL);
			if (sig)
				goto out;
			skipped += n - start;
			n = start;
			continue;
		}
		if (!o->dry_run && (r = end_change()))
			goto out;
	}
	r = print_items(o, "apply-persisted", items, n, "vfio-pci", "bound", "would bind", -1);
	if (!r && skipped)
		r = KP_EXIT_FAIL;
out:
	if (lock >= 0)
		kp_lock_release(lock);
	free(items);
	free(ent);
	free(cand);
	free(pe);
	kp_pci_free(pci);
	return r;
}
