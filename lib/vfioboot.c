/* SPDX-License-Identifier: MIT */
/* Drivers that come first: what keeps a host driver off a persisted device
 * from the first moment it exists (see vfioboot.h). */
#include "vfioboot.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "module.h"
#include "root.h"
#include "sysfs.h"
#include "target.h"

/* Add item to list, its items separated by sep (" " or ", "), once; an
 * empty item is none. */
static void add_once(char *list, size_t n, const char *item, const char *sep)
{
	size_t len = strlen(list), l = strlen(item), sl = strlen(sep);
	const char *p;

	if (!l)
		return;
	for (p = list; (p = strstr(p, item)); p += l)
		if ((p == list || p[-1] == sep[sl - 1]) && (p[l] == sep[0] || p[l] == '\0'))
			return;
	if (len + l + sl + 1 <= n)
		snprintf(list + len, n - len, "%s%s", len ? sep : "", item);
}

/* Add a module name to a space-separated list (once). */
static void add_module(char *mods, size_t n, const char *name)
{
	add_once(mods, n, name, " ");
}

/* Add a release to a comma-separated list (once). */
static void add_release(char *list, size_t n, const char *rel)
{
	add_once(list, n, rel, ", ");
}

/* A built-in driver (name) claims the device in kernel rel ("": the
 * running one, its tree not installed): the first name is kept */
static void mark_builtin(struct kp_boot_dev *b, const char *name, const char *rel)
{
	b->builtin = 1;
	if (!b->builtin_name[0])
		snprintf(b->builtin_name, sizeof(b->builtin_name), "%.63s", name);
	add_release(b->builtin_in, sizeof(b->builtin_in), rel);
}

/* The kernels whose modules are judged: online, the running kernel's
 * context first (it alone asks /sys/module), then every kernel installed
 * (any of them may boot next: the modprobe.d file serves them all);
 * offline, every kernel installed in the root (--offline: this system's;
 * --root: the target's, whose running kernel is the installer's and
 * says nothing of it). */
struct kset {
	struct kp_modctx *k[32];
	size_t n;
	size_t installed; /* of them, installed ones (a tree with modules.dep) */
};

static void kset_open(struct kset *ks)
{
	char **rel = NULL;
	size_t nrel = 0;

	memset(ks, 0, sizeof(*ks));
	if (!kp_offline() && kp_mod_new(&ks->k[0]) == 0)
		ks->n = 1;
	if (kp_mod_installed(&rel, &nrel) < 0)
		return;
	for (size_t i = 0; i < nrel && ks->n < sizeof(ks->k) / sizeof(ks->k[0]); i++) {
		if (ks->n && !kp_offline() && !strcmp(rel[i], kp_mod_release(ks->k[0]))) {
			ks->installed++;
			continue; /* the running kernel's, already first */
		}
		if (kp_mod_new_release(&ks->k[ks->n], rel[i]) == 0) {
			ks->n++;
			ks->installed++;
		}
	}
	kp_mod_installed_free(rel, nrel);
}

static void kset_close(struct kset *ks, struct kp_boot_info *info)
{
	const size_t max = info ? sizeof(info->notes) / sizeof(info->notes[0]) : 0;

	for (size_t i = 0; i < ks->n; i++) {
		/* one configuration for all: the notes of the first context
		 * that has any */
		if (info && !info->nnotes)
			while ((size_t)info->nnotes < max &&
			       kp_mod_conf_note(ks->k[i], (size_t)info->nnotes, info->notes[info->nnotes],
						sizeof(info->notes[0])) == 0)
				info->nnotes++;
		kp_mod_free(ks->k[i]);
	}
}

/* The host modules that claim device d at boot, into b->module
 * (space-separated: each gets a softdep), and b->builtin when a built-in
 * driver claims it in some kernel (no module option reaches that one;
 * b->builtin_name: its name, b->builtin_in: those kernels, "" the running
 * kernel when its tree is not installed). Two sources,
 * both answered whether or not the module is loaded now:
 *  - online, the recorded host driver when it is registered: its module
 *    link (none: built into the running kernel);
 *  - in every kernel of the set, the device's modalias through libkmod
 *    (modules.alias, modules.builtin.alias): every module udev's modprobe
 *    of the alias loads, which is what takes the device at boot (a
 *    driver's name is not its module's: xhci_hcd is xhci_pci's, and a
 *    driver that is not loaded has no sysfs directory to ask). vfio-pci
 *    and pci-stub are left out (they claim nothing by alias but what they
 *    are given).
 * Without the device (not present now) or an alias answer, the recorded
 * driver's name is looked up as a module name in that kernel, the best
 * that is left. */
static void host_modules(struct kset *ks, const char *host, const struct kp_pcidev *d,
			 struct kp_boot_dev *b)
{
	char path[PATH_MAX], link[64], alias[96] = "";
	const size_t n = sizeof(b->module);
	struct stat sb;
	int registered = 0;

	b->module[0] = '\0';
	b->builtin_name[0] = '\0';
	b->builtin_in[0] = '\0';
	b->builtin = 0;
	if (host[0] && !kp_target()[0]) {
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s", host);
		if (stat(path, &sb) == 0) {
			registered = 1;
			snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/module", host);
			if (kp_sysfs_link_name(path, link, sizeof(link)) >= 0) {
				add_module(b->module, n, link);
			} else {
				/* a registered driver with no module: built into
				 * the running kernel */
				const char *rel = "";

				for (size_t k = 0; k < ks->n; k++)
					if (kp_mod_live(ks->k[k]))
						rel = kp_mod_release(ks->k[k]);
				mark_builtin(b, host, rel);
			}
		}
	}
	if (d) {
		/* the device's own modalias (what udev hands modprobe), else
		 * the same string made as the kernel's pci_uevent() makes it */
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/modalias", d->bdf);
		if (kp_sysfs_read(path, alias, sizeof(alias)) <= 0 || strncmp(alias, "pci:", 4))
			snprintf(alias, sizeof(alias), "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
				 d->vendor, d->device, d->subvendor, d->subdevice,
				 (d->class >> 16) & 0xff, (d->class >> 8) & 0xff, d->class & 0xff);
	}
	for (size_t k = 0; k < ks->n; k++) {
		struct kp_modmatch m[16];
		enum kp_modstate st;
		size_t nm = 0;

		if (alias[0] && kp_mod_by_alias(ks->k[k], alias, m, sizeof(m) / sizeof(m[0]), &nm) == 0) {
			for (size_t i = 0; i < nm; i++) {
				if (!strcmp(m[i].name, "vfio_pci") || !strcmp(m[i].name, "pci_stub"))
					continue;
				if (m[i].state == KP_MOD_BUILTIN)
					mark_builtin(b, m[i].name, kp_mod_release(ks->k[k]));
				else if (m[i].state != KP_MOD_MISSING)
					add_module(b->module, n, m[i].name);
			}
			continue;
		}
		/* no alias answer: what this kernel's tree says of the
		 * driver's name (the running kernel's registration said it) */
		if ((registered && kp_mod_live(ks->k[k])) || !host[0] ||
		    kp_mod_state(ks->k[k], host, &st) < 0)
			continue;
		if (st == KP_MOD_BUILTIN) {
			mark_builtin(b, host, kp_mod_release(ks->k[k]));
		} else if (st != KP_MOD_MISSING) {
			char norm[64];
			size_t i;

			snprintf(norm, sizeof(norm), "%s", host);
			for (i = 0; norm[i]; i++)
				if (norm[i] == '-')
					norm[i] = '_';
			add_module(b->module, n, norm);
		}
	}
}

static int persisted_vfio(const struct kp_persist_entry *e, size_t ne, const char *bdf)
{
	for (size_t i = 0; i < ne; i++)
		if (!strcmp(e[i].bdf, bdf))
			return !strcmp(e[i].driver, "vfio-pci");
	return 0;
}

int kp_boot_plan(const struct kp_persist_entry *e, size_t ne, struct kp_pci *pci,
		 struct kp_boot_dev **out, size_t *n, struct kp_boot_info *info)
{
	struct kset ks;
	struct kp_boot_dev *v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (info)
		memset(info, 0, sizeof(*info));
	v = calloc(ne ? ne : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	kset_open(&ks);
	if (info) {
		info->installed = ks.installed;
		for (i = 0; i < ks.n; i++)
			add_release(info->kernels, sizeof(info->kernels), kp_mod_release(ks.k[i]));
	}
	for (i = 0; i < ne; i++) {
		struct kp_boot_dev *b = &v[k];
		const char *kept = NULL, *kept_sub = NULL;

		if (strcmp(e[i].driver, "vfio-pci"))
			continue;
		snprintf(b->bdf, sizeof(b->bdf), "%s", e[i].bdf);
		snprintf(b->host, sizeof(b->host), "%s", e[i].host);
		{
			const struct kp_pcidev *d = pci ? kp_pci_find(pci, e[i].bdf) : NULL;

			/* the device at that address must be the entry's */
			if (d && (d->vendor != e[i].vendor || d->device != e[i].device))
				d = NULL;
			host_modules(&ks, b->host, d, b);
		}
		/* vfio-pci may claim the id only if the host keeps no device
		 * with it: else narrowed to the subsystem ids, else none */
		for (size_t j = 0; pci && j < kp_pci_count(pci); j++) {
			const struct kp_pcidev *d = kp_pci_dev(pci, j);

			if (d->vendor != e[i].vendor || d->device != e[i].device ||
			    !strcmp(d->bdf, e[i].bdf) || persisted_vfio(e, ne, d->bdf))
				continue;
			if (!kept)
				kept = d->bdf;
			if (!kept_sub && (!e[i].has_subsys || (d->subvendor == e[i].subvendor &&
							       d->subdevice == e[i].subdevice)))
				kept_sub = d->bdf;
		}
		if (!kept)
			snprintf(b->ids, sizeof(b->ids), "%04x:%04x", e[i].vendor, e[i].device);
		else if (!kept_sub)
			snprintf(b->ids, sizeof(b->ids), "%04x:%04x:%04x:%04x", e[i].vendor,
				 e[i].device, e[i].subvendor, e[i].subdevice);
		else
			snprintf(b->shared, sizeof(b->shared), "%s", kept_sub);
		k++;
	}
	kset_close(&ks, info);
	*out = v;
	*n = k;
	return 0;
}

char *kp_boot_modprobe_text(const struct kp_boot_dev *d, size_t n)
{
	size_t cap = 512 + n * 400, len, i, j;
	char *buf, ids[4096] = "";
	int any = 0;

	for (i = 0; i < n; i++)
		any |= d[i].module[0] != '\0';
	if (!any) {
		errno = 0;
		return NULL;
	}
	buf = malloc(cap);
	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	len = (size_t)snprintf(buf, cap,
		"# Generated by kvmprep-iommu from /etc/kvmprep/vfio.conf: do not edit.\n"
		"# vfio-pci loads before the host drivers of the persisted devices and\n"
		"# claims them by id, also in the initramfs (which has this file but not\n"
		"# the udev rule), so that no host driver takes them at boot.\n");
	{
		char seen[2048] = "";

		for (i = 0; i < n; i++) {
			char list[sizeof(d[i].module)], *tok, *save = NULL;

			snprintf(list, sizeof(list), "%s", d[i].module);
			for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
				size_t before = strlen(seen);

				add_module(seen, sizeof(seen), tok);
				if (strlen(seen) != before && len < cap)
					len += (size_t)snprintf(buf + len, cap - len,
								"softdep %s pre: vfio-pci\n", tok);
			}
		}
	}
	for (i = 0; i < n; i++) {
		int dup = 0;

		if (!d[i].ids[0])
			continue;
		for (j = 0; j < i; j++)
			dup |= !strcmp(d[j].ids, d[i].ids);
		if (!dup && strlen(ids) + strlen(d[i].ids) + 2 < sizeof(ids))
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%s", ids[0] ? "," : "",
				 d[i].ids);
	}
	if (ids[0])
		snprintf(buf + len, cap - len, "options vfio-pci ids=%s\n", ids);
	return buf;
}

enum kp_initramfs_tool kp_initramfs_tool(void)
{
	if (kp_exists("/usr/sbin/update-initramfs") || kp_exists("/etc/initramfs-tools/initramfs.conf"))
		return KP_INITRAMFS_TOOLS;
	if (kp_exists("/usr/bin/dracut") || kp_exists("/usr/sbin/dracut") || kp_exists("/etc/dracut.conf"))
		return KP_INITRAMFS_DRACUT;
	if (kp_exists("/usr/bin/mkinitcpio") || kp_exists("/etc/mkinitcpio.conf"))
		return KP_INITRAMFS_MKINITCPIO;
	return KP_INITRAMFS_NONE;
}

const char *kp_initramfs_name(enum kp_initramfs_tool t)
{
	switch (t) {
	case KP_INITRAMFS_TOOLS: return "initramfs-tools";
	case KP_INITRAMFS_DRACUT: return "dracut";
	case KP_INITRAMFS_MKINITCPIO: return "mkinitcpio";
	case KP_INITRAMFS_NONE: break;
	}
	return "none";
}

const char *kp_initramfs_command(enum kp_initramfs_tool t)
{
	switch (t) {
	case KP_INITRAMFS_TOOLS: return "update-initramfs -u -k all";
	case KP_INITRAMFS_DRACUT: return "dracut --force --regenerate-all";
	case KP_INITRAMFS_MKINITCPIO: return "mkinitcpio -P";
	case KP_INITRAMFS_NONE: break;
	}
	return NULL;
}

const char *kp_initramfs_conf_path(enum kp_initramfs_tool t)
{
	switch (t) {
	case KP_INITRAMFS_TOOLS: return "/etc/initramfs-tools/hooks/kvmprep-vfio";
	case KP_INITRAMFS_DRACUT: return "/etc/dracut.conf.d/kvmprep-vfio.conf";
	case KP_INITRAMFS_MKINITCPIO: return "/etc/mkinitcpio.conf.d/kvmprep-vfio.conf";
	case KP_INITRAMFS_NONE: break;
	}
	return NULL;
}

int kp_initramfs_conf_mode(enum kp_initramfs_tool t)
{
	return t == KP_INITRAMFS_TOOLS ? 0755 : 0644; /* a hook is run by mkinitramfs */
}

const char *kp_initramfs_conf_text(enum kp_initramfs_tool t)
{
	switch (t) {
	case KP_INITRAMFS_TOOLS:
		/* mkinitramfs copies /etc/modprobe.d; the hook adds the modules */
		return "#!/bin/sh\n"
		       "# Generated by kvmprep-iommu: vfio-pci in the initramfs, so that the\n"
		       "# softdeps of /etc/modprobe.d/kvmprep-vfio.conf load it first.\n"
		       "PREREQ=\"\"\n"
		       "prereqs() { echo \"$PREREQ\"; }\n"
		       "case \"$1\" in prereqs) prereqs; exit 0;; esac\n"
		       ". /usr/share/initramfs-tools/hook-functions\n"
		       "manual_add_modules vfio vfio_iommu_type1 vfio_pci\n";
	case KP_INITRAMFS_DRACUT:
		return "# Generated by kvmprep-iommu: vfio-pci in the initramfs, loaded first,\n"
		       "# with the modprobe.d file that gives it the persisted devices.\n"
		       "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"\n"
		       "install_items+=\" " KP_VFIO_MODPROBE " \"\n";
	case KP_INITRAMFS_MKINITCPIO:
		return "# Generated by kvmprep-iommu: vfio-pci in the initramfs, loaded early,\n"
		       "# with the modprobe.d file that gives it the persisted devices.\n"
		       "MODULES+=(vfio_pci vfio vfio_iommu_type1)\n"
		       "FILES+=(" KP_VFIO_MODPROBE ")\n";
	case KP_INITRAMFS_NONE:
		break;
	}
	return NULL;
}

int kp_vfio_ids_claim(const char *ids, const struct kp_pcidev *d)
{
	const char *p = ids;

	while (p && *p) {
		unsigned v = 0, dv = 0, sv = ~0u, sd = ~0u, cls = 0, mask = 0;
		char item[80];
		size_t len = strcspn(p, ",");
		int got;

		snprintf(item, sizeof(item), "%.*s", (int)(len < sizeof(item) ? len : sizeof(item) - 1), p);
		p += len + (p[len] == ',');
		got = sscanf(item, "%x:%x:%x:%x:%x:%x", &v, &dv, &sv, &sd, &cls, &mask);
		if (got < 2)
			continue; /* vfio-pci skips what it cannot parse */
		if ((v == ~0u || v == d->vendor) && (dv == ~0u || dv == d->device) &&
		    (sv == ~0u || sv == d->subvendor) && (sd == ~0u || sd == d->subdevice) &&
		    ((d->class ^ cls) & mask) == 0)
			return 1;
	}
	return 0;
}
