/* SPDX-License-Identifier: MIT */
/* groups, groups --why, list, status: reading the host, changing nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "iommu.h"
#include "reset.h"
#include "vfioboot.h"
#include "cmdline.h"

/* Print a table, or return it in the JSON document under key. */
static int emit(struct opts *o, struct kp_table *t, json_object *doc, const char *key)
{
	int r = 0;

	if (o->json) {
		json_object_object_add(doc, key, kp_table_json(t));
		r = kp_json_print(doc, stdout);
	} else if (!o->quiet) {
		r = kp_table_print(t, stdout, &o->out);
	}
	return r < 0 ? KP_EXIT_FAIL : 0;
}

/* "a, b, c" -> ["a", "b", "c"] in every row object of arr under key
 * (null stays null, unless null_empty: then []). */
static void split_list(json_object *arr, const char *key, const char *sep, int null_empty)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++) {
		json_object *row = json_object_array_get_idx(arr, i), *v, *list;
		char *copy, *tok, *save = NULL;

		if (!json_object_object_get_ex(row, key, &v))
			continue;
		if (!v && null_empty) {
			json_object_object_add(row, key, json_object_new_array());
			continue;
		}
		if (!json_object_is_type(v, json_type_string))
			continue;
		list = json_object_new_array();
		copy = strdup(json_object_get_string(v));
		for (tok = copy ? strtok_r(copy, sep, &save) : NULL; tok;
		     tok = strtok_r(NULL, sep, &save))
			json_object_array_add(list, json_object_new_string(tok));
		free(copy);
		json_object_object_add(row, key, list);
	}
}

/* Lowercase hex of v in exactly digits digits. */
static void hex(char *buf, unsigned v, int digits)
{
	static const char x[] = "0123456789abcdef";

	buf[digits] = '\0';
	while (digits-- > 0) {
		buf[digits] = x[v & 15];
		v >>= 4;
	}
}

static void set_id(struct kp_table *t, size_t row, size_t col, const struct kp_pcidev *d)
{
	char id[10];

	hex(id, d->vendor, 4);
	id[4] = ':';
	hex(id + 5, d->device, 4);
	kp_table_set_str(t, row, col, id);
}

static void set_str_or_null(struct kp_table *t, size_t row, size_t col, const char *s)
{
	kp_table_set_str(t, row, col, s && s[0] ? s : NULL);
}

/* ---- groups ------------------------------------------------------------ */

enum { G_GROUP, G_VIABLE, G_DEVICE, G_ID, G_CLASS, G_DRIVER, G_NUMA, G_VENDOR, G_CLASSNAME,
       G_NAME, G_NCOLS };
static const struct kp_col group_cols[G_NCOLS] = {
	[G_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[G_VIABLE] = { "viable", "VIABLE", KP_BOOL, 0 },
	[G_DEVICE] = { "device", "DEVICE", KP_STR, 0 },
	[G_ID] = { "vendor_device", "ID", KP_STR, 0 },
	[G_CLASS] = { "class", "CLASS", KP_STR, 0 },
	[G_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[G_NUMA] = { "numa_node", "NUMA", KP_INT, KP_COL_RIGHT },
	[G_VENDOR] = { "vendor_name", "VENDOR", KP_STR, KP_COL_NOTABLE },
	[G_CLASSNAME] = { "class_name", "CLASS NAME", KP_STR, KP_COL_NOTABLE },
	[G_NAME] = { "device_name", "NAME", KP_STR, KP_COL_LAST },
};

/* The one group a DEVICE argument names, or every group (-1). */
static int group_filter(struct kp_pci *pci, int argc, char **argv, int *g)
{
	struct kp_pcidev **devs;
	size_t n;
	int r;

	*g = -1;
	if (argc == 0)
		return 0;
	if (argc > 1)
		return kp_usage_err("groups takes at most one DEVICE");
	r = resolve_devices(pci, argc, argv, NULL, &devs, &n);
	if (r)
		return r;
	*g = devs[0]->group;
	if (*g < 0) {
		kp_err(devs[0]->bdf, "has no IOMMU group");
		free(devs);
		return KP_EXIT_HOST;
	}
	free(devs);
	return 0;
}

static int groups_why(struct opts *o, struct kp_pci *pci, struct kp_iommu_group *gs, size_t ng,
		      int only);

int cmd_groups(struct opts *o, int argc, char **argv)
{
	struct kp_iommu_group *gs;
	struct kp_table *t;
	struct kp_pci *pci;
	json_object *doc = NULL;
	size_t ng, i, j;
	int r, only;

	r = kp_iommu_groups(&gs, &ng);
	if (r == -ENOENT)
		return no_iommu();
	if (r < 0) {
		kp_err_errno(NULL, r, "cannot read /sys/kernel/iommu_groups");
		return KP_EXIT_HOST;
	}
	r = scan_host(&pci, KP_PCI_NAMES | KP_PCI_DETAIL | (o->why ? KP_PCI_CAPS : 0));
	if (r) {
		kp_iommu_groups_free(gs, ng);
		return r;
	}
	r = group_filter(pci, argc, argv, &only);
	if (r)
		goto out;
	if (o->why && !is_root()) {
		kp_err(NULL, "cannot explain the groups: root is needed (the PCIe and ACS "
		       "capabilities lie beyond the first 64 bytes of config space, which the "
		       "kernel shows to root only)");
		r = KP_EXIT_HOST;
		goto out;
	}
	if (!o->quiet)
		warn_acs_override();
	if (o->why) {
		r = groups_why(o, pci, gs, ng, only);
		goto out;
	}
	t = kp_table_new(group_cols, G_NCOLS);
	for (i = 0; t && i < ng; i++) {
		int viable;

		if (only >= 0 && gs[i].id != only)
			continue;
		viable = kp_iommu_group_viable(pci, gs[i].id, "vfio-pci");
		for (j = 0; j < gs[i].ndevices; j++) {
			const struct kp_pcidev *d = kp_pci_find(pci, gs[i].devices[j]);
			int row = kp_table_add_row(t);

			if (row < 0)
				break;
			kp_table_set_int(t, row, G_GROUP, gs[i].id);
			kp_table_set_str(t, row, G_DEVICE, gs[i].devices[j]);
			if (viable >= 0)
				kp_table_set_bool(t, row, G_VIABLE, viable);
			if (!d)
				continue; /* not a PCI device: only its name is known */
			set_id(t, row, G_ID, d);
			kp_table_set_str(t, row, G_CLASS, kp_pci_class_word(d->class));
			set_str_or_null(t, row, G_DRIVER, d->driver);
			if (d->numa_node >= 0)
				kp_table_set_int(t, row, G_NUMA, d->numa_node);
			set_str_or_null(t, row, G_VENDOR, d->vendor_name);
			set_str_or_null(t, row, G_CLASSNAME, d->class_name);
			set_str_or_null(t, row, G_NAME, d->device_name);
		}
	}
	if (!t) {
		r = KP_EXIT_FAIL;
		goto out;
	}
	if (o->json) {
		/* the same rows, nested per group */
		json_object *rows = kp_table_json(t), *groups = json_object_new_array();
		json_object *cur = NULL, *members = NULL;
		int last = -1;

		doc = kp_json_doc(TOOL);
		json_object_object_add(doc, "command", json_object_new_string("groups"));
		for (i = 0; i < json_object_array_length(rows); i++) {
			json_object *row = json_object_array_get_idx(rows, i), *v;
			int g;

			json_object_object_get_ex(row, "group", &v);
			g = json_object_get_int(v);
			if (!cur || g != last) {
				cur = json_object_new_object();
				members = json_object_new_array();
				json_object_object_add(cur, "group", json_object_new_int(g));
				json_object_object_get_ex(row, "viable", &v);
				json_object_object_add(cur, "viable", json_object_get(v));
				json_object_object_add(cur, "devices", members);
				json_object_array_add(groups, cur);
				last = g;
			}
			json_object_object_del(row, "group");
			json_object_object_del(row, "viable");
			json_object_array_add(members, json_object_get(row));
		}
		json_object_put(rows);
		json_object_object_add(doc, "groups", groups);
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
	} else if (!o->quiet) {
		r = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
	}
	kp_table_free(t);
out:
	if (doc)
		json_object_put(doc);
	kp_pci_free(pci);
	kp_iommu_groups_free(gs, ng);
	return r;
}

/* ---- groups --why -------------------------------------------------------- */

enum { W_GROUP, W_KIND, W_AT, W_AT_TYPE, W_DEVICES, W_MISSING, W_QUIRK, W_REASON, W_NCOLS };
static const struct kp_col why_cols[W_NCOLS] = {
	[W_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[W_KIND] = { "kind", "KIND", KP_STR, 0 },
	[W_AT] = { "at", "AT", KP_STR, 0 },
	[W_AT_TYPE] = { "at_type", "TYPE", KP_STR, KP_COL_NOTABLE },
	[W_DEVICES] = { "devices", "DEVICES", KP_STR, KP_COL_NOTABLE },
	[W_MISSING] = { "missing_acs", "MISSING", KP_STR, KP_COL_NOTABLE },
	[W_QUIRK] = { "quirk", "QUIRK", KP_STR, KP_COL_NOTABLE },
	[W_REASON] = { "reason", "REASON", KP_STR, KP_COL_LAST },
};

static void why_text(const struct kp_why *w, char *buf, size_t n)
{
	const char *type = kp_pcie_type_name(w->pcie_type);

	switch (w->kind) {
	case KP_WHY_ALONE:
		snprintf(buf, n, "%s is alone in its group", w->bdf);
		break;
	case KP_WHY_NO_ACS:
		snprintf(buf, n, "%s (%s) has no ACS capability: %s behind it cannot be isolated",
			 w->bdf, type, w->devices);
		break;
	case KP_WHY_ACS_OFF:
		snprintf(buf, n, "%s (%s) has ACS with %s off: %s behind it cannot be isolated",
			 w->bdf, type, w->missing, w->devices);
		break;
	case KP_WHY_PCI_BRIDGE:
		if (w->pcie_type == KP_PCIE_PCI_BRIDGE)
			snprintf(buf, n, "%s (%s): %s behind it share its requester ID", w->bdf,
				 type, w->devices);
		else
			snprintf(buf, n, "%s (%s) is a conventional PCI bridge: %s behind it share "
				 "its requester ID", w->bdf, type, w->devices);
		break;
	case KP_WHY_MULTIFUNCTION:
		if (w->quirk[0])
			snprintf(buf, n, "functions %s of one device: the kernel's %s says they are "
				 "not isolated from each other (the device ID is not in the "
				 "quirk's list), whatever their ACS capability", w->devices, w->quirk);
		else
			snprintf(buf, n, "functions %s of one device have no ACS: not isolated from "
				 "each other", w->devices);
		break;
	case KP_WHY_UNKNOWN:
		snprintf(buf, n, "no bridge lacks ACS on the PCIe path: the platform (firmware or a "
			 "kernel DMA alias quirk) groups %s", w->devices);
		break;
	case KP_WHY_NEVER_ACS:
		snprintf(buf, n, "%s (%s) never isolates (the kernel does not count ACS there): %s "
			 "behind it cannot be isolated", w->bdf, type, w->devices);
		break;
	case KP_WHY_CONVENTIONAL:
		snprintf(buf, n, "%s is conventional PCI (a shared bus, no ACS): %s with it cannot "
			 "be isolated", w->bdf, w->devices);
		break;
	case KP_WHY_QUIRK_DENIES:
		snprintf(buf, n, "%s (%s): the kernel's %s says it does not isolate (its device ID "
			 "is not in the quirk's list), whatever its ACS capability: %s behind it "
			 "cannot be isolated", w->bdf, type, w->quirk, w->devices);
		break;
	case KP_WHY_ACS_QUIRK:
		if (w->pcie_type == KP_PCIE_ROOT_PORT || w->pcie_type == KP_PCIE_DOWNSTREAM)
			snprintf(buf, n, "%s (%s) isolates %s through the kernel's %s, not an ACS "
				 "capability", w->bdf, type, w->devices, w->quirk);
		else
			snprintf(buf, n, "the functions of %s (%s) are isolated from each other "
				 "through the kernel's %s, not an ACS capability", w->bdf, type,
				 w->quirk);
		break;
	}
}

static int groups_why(struct opts *o, struct kp_pci *pci, struct kp_iommu_group *gs, size_t ng,
		      int only)
{
	struct kp_table *t = kp_table_new(why_cols, W_NCOLS);
	json_object *doc = NULL;
	size_t i, j;
	int r;

	for (i = 0; t && i < ng; i++) {
		struct kp_why *w, *qw = NULL;
		size_t nw, nq = 0;

		if (only >= 0 ? gs[i].id != only : gs[i].ndevices < 2)
			continue;
		if (kp_iommu_why(pci, gs[i].id, &w, &nw) < 0)
			continue;
		/* then what isolates the group only through the kernel's ACS
		 * quirks (a root port without an ACS capability, …) */
		if (kp_iommu_quirks(pci, gs[i].id, &qw, &nq) == 0 && nq) {
			struct kp_why *all = realloc(w, (nw + nq) * sizeof(*w));

			if (all) {
				memcpy(all + nw, qw, nq * sizeof(*qw));
				w = all;
				nw += nq;
			}
		}
		free(qw);
		qw = NULL;
		for (j = 0; j < nw; j++) {
			int row = kp_table_add_row(t);
			char text[512];

			if (row < 0)
				break;
			why_text(&w[j], text, sizeof(text));
			kp_table_set_int(t, row, W_GROUP, gs[i].id);
			kp_table_set_str(t, row, W_KIND, kp_why_kind_name(w[j].kind));
			kp_table_set_str(t, row, W_AT, w[j].bdf);
			kp_table_set_str(t, row, W_AT_TYPE, kp_pcie_type_name(w[j].pcie_type));
			kp_table_set_str(t, row, W_DEVICES, w[j].devices);
			set_str_or_null(t, row, W_MISSING, w[j].missing);
			set_str_or_null(t, row, W_QUIRK, w[j].quirk);
			kp_table_set_str(t, row, W_REASON, text);
		}
		free(w);
	}
	if (!t)
		return KP_EXIT_FAIL;
	if (o->json) {
		json_object *rows = kp_table_json(t);

		split_list(rows, "devices", ", ", 1);
		doc = kp_json_doc(TOOL);
		json_object_object_add(doc, "command", json_object_new_string("groups_why"));
		json_object_object_add(doc, "reasons", rows);
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else {
		r = emit(o, t, NULL, NULL);
	}
	kp_table_free(t);
	return r;
}

/* ---- list ---------------------------------------------------------------- */

enum { L_DEVICE, L_ID, L_CLASS, L_DRIVER, L_GROUP, L_NUMA, L_RESET, L_IN_USE, L_NET,
       L_OVERRIDE, L_CLASSCODE, L_CLASSNAME, L_VENDOR, L_USE, L_NAME, L_NCOLS };
static const struct kp_col list_cols[L_NCOLS] = {
	[L_DEVICE] = { "device", "DEVICE", KP_STR, 0 },
	[L_ID] = { "vendor_device", "ID", KP_STR, 0 },
	[L_CLASS] = { "class", "CLASS", KP_STR, 0 },
	[L_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[L_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[L_NUMA] = { "numa_node", "NUMA", KP_INT, KP_COL_RIGHT },
	[L_RESET] = { "reset_methods", "RESET", KP_STR, 0 },
	[L_IN_USE] = { "in_use", "IN USE", KP_BOOL, 0 },
	[L_NET] = { "net", "NET", KP_STR, KP_COL_NOTABLE },
	[L_OVERRIDE] = { "driver_override", "OVERRIDE", KP_STR, KP_COL_NOTABLE },
	[L_CLASSCODE] = { "class_code", "CODE", KP_STR, KP_COL_NOTABLE },
	[L_CLASSNAME] = { "class_name", "CLASS NAME", KP_STR, KP_COL_NOTABLE },
	[L_VENDOR] = { "vendor_name", "VENDOR", KP_STR, KP_COL_NOTABLE },
	[L_USE] = { "in_use_by", "USED BY", KP_STR, KP_COL_NOTABLE },
	[L_NAME] = { "device_name", "NAME", KP_STR, KP_COL_LAST },
};

static const char *const class_words[] = {
	"net", "storage", "display", "multimedia", "bridge", "serial", "usb", "serial-bus",
	"crypto", "accel", "other",
};

int cmd_list(struct opts *o, int argc, char **argv)
{
	struct kp_pcidev **only = NULL;
	unsigned vendor = 0, device = 0;
	struct kp_table *t;
	struct kp_pci *pci;
	size_t i, nonly = 0;
	json_object *doc = NULL;
	int r;

	if (o->class) {
		int ok = 0;

		for (i = 0; i < sizeof(class_words) / sizeof(class_words[0]); i++)
			ok |= strcmp(o->class, class_words[i]) == 0;
		if (!ok)
			return kp_usage_err("unknown --class '%s' (net, storage, display, multimedia, "
					    "bridge, serial, usb, serial-bus, crypto, accel, other)",
					    o->class);
	}
	if (o->id && kp_pciid_parse(o->id, &vendor, &device) < 0)
		return kp_usage_err("malformed --id '%s' (want VVVV:DDDD, e.g. 10de:1eb8)", o->id);
	r = scan_host(&pci, KP_PCI_NAMES | KP_PCI_PCIE | KP_PCI_DETAIL | KP_PCI_SRIOV);
	if (r)
		return r;
	if (argc) {
		r = resolve_devices(pci, argc, argv, NULL, &only, &nonly);
		if (r) {
			kp_pci_free(pci);
			return r;
		}
	}
	/* the whole host is scanned: the PFs' VFs come from it */
	device_usage_scan(pci);
	t = kp_table_new(list_cols, L_NCOLS);
	for (i = 0; t && i < kp_pci_count(pci); i++) {
		const struct kp_pcidev *d = kp_pci_dev(pci, i);
		char resets[128], code[8];
		struct kp_dev_usage u;
		int row, use;

		if (o->class && strcmp(kp_pci_class_word(d->class), o->class) != 0)
			continue;
		if (o->id && (d->vendor != vendor || d->device != device))
			continue;
		if (argc) {
			size_t k;
			int hit = 0;

			for (k = 0; k < nonly; k++)
				hit |= only[k] == d;
			if (!hit)
				continue;
		}
		row = kp_table_add_row(t);
		if (row < 0)
			break;
		kp_table_set_str(t, row, L_DEVICE, d->bdf);
		set_id(t, row, L_ID, d);
		kp_table_set_str(t, row, L_CLASS, kp_pci_class_word(d->class));
		set_str_or_null(t, row, L_DRIVER, d->driver);
		if (d->group >= 0)
			kp_table_set_int(t, row, L_GROUP, d->group);
		if (d->numa_node >= 0)
			kp_table_set_int(t, row, L_NUMA, d->numa_node);
		kp_pcidev_resets(d, resets, sizeof(resets));
		set_str_or_null(t, row, L_RESET, resets); /* "-": none (JSON []) */
		use = device_usage(d, 0, &u);
		if (use >= 0)
			kp_table_set_bool(t, row, L_IN_USE, use);
		set_str_or_null(t, row, L_NAME, d->device_name);
		if (!o->json)
			continue; /* the rest are JSON-only columns (KP_COL_NOTABLE) */
		set_str_or_null(t, row, L_USE, use > 0 ? u.reason : NULL);
		set_str_or_null(t, row, L_NET, d->net);
		set_str_or_null(t, row, L_OVERRIDE, d->driver_override);
		hex(code, d->class, 6);
		kp_table_set_str(t, row, L_CLASSCODE, code);
		set_str_or_null(t, row, L_CLASSNAME, d->class_name);
		set_str_or_null(t, row, L_VENDOR, d->vendor_name);
	}
	free(only);
	device_usage_scan(NULL);
	if (!t) {
		kp_pci_free(pci);
		return KP_EXIT_FAIL;
	}
	if (o->json) {
		json_object *rows = kp_table_json(t);

		split_list(rows, "reset_methods", " ", 1);
		split_list(rows, "net", ",", 1);
		doc = kp_json_doc(TOOL);
		json_object_object_add(doc, "command", json_object_new_string("list"));
		json_object_object_add(doc, "devices", rows);
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else {
		r = emit(o, t, NULL, NULL);
	}
	kp_table_free(t);
	kp_pci_free(pci);
	return r;
}

/* ---- status -------------------------------------------------------------- */

enum { S_CHECK, S_STATUS, S_DETAIL, S_NCOLS };
static const struct kp_col status_cols[S_NCOLS] = {
	[S_CHECK] = { "check", "CHECK", KP_STR, 0 },
	[S_STATUS] = { "status", "STATUS", KP_STR, KP_COL_STATUS },
	[S_DETAIL] = { "detail", "DETAIL", KP_STR, KP_COL_LAST },
};

static void check_row(struct kp_table *t, const char *check, const char *status,
		      const char *detail, int *fails)
{
	int row = kp_table_add_row(t);

	if (row < 0)
		return;
	kp_table_set_str(t, row, S_CHECK, check);
	kp_table_set_str(t, row, S_STATUS, status);
	kp_table_set_str(t, row, S_DETAIL, detail);
	if (strcmp(status, "FAIL") == 0)
		(*fails)++;
}

/* The reset rows of status: how the device is reset between guests (per
 * function, alone on its bus, or as the set below its bridge, which the
 * guest must own whole: lib/reset.h), and a known reset defect. */
static void reset_rows(struct kp_table *t, struct kp_pci *pci, const struct kp_pcidev *d,
		       int *fails)
{
	struct kp_reset_judgement j;
	struct kp_pci *all = NULL;
	const struct kp_pcidev *dd = d;
	char resets[128], msg[1400];

	if (kp_reset_judge(pci, d, &j) < 0) {
		check_row(t, "reset", "FAIL", "cannot tell", fails);
		return;
	}
	/* a set is judged on the whole bus below the bridge: the scan of the
	 * device's group may not hold every device there */
	if (j.kind != KP_RESET_FUNCTION && j.kind != KP_RESET_BUS && d->parent[0] &&
	    kp_pci_scan(&all, KP_PCI_PCIE | KP_PCI_DETAIL) == 0 &&
	    (dd = kp_pci_find(all, d->bdf)) && kp_reset_judge(all, dd, &j) < 0) {
		kp_pci_free(all);
		check_row(t, "reset", "FAIL", "cannot tell", fails);
		return;
	}
	switch (j.kind) {
	case KP_RESET_FUNCTION:
	case KP_RESET_BUS:
		kp_pcidev_resets(d, resets, sizeof(resets));
		check_row(t, "reset", "PASS", resets[0] ? resets : j.methods, fails);
		break;
	case KP_RESET_SET:
		if (!j.outside[0]) {
			snprintf(msg, sizeof(msg), "bus reset of the set below %s: %s (no function "
				 "reset; QEMU resets the bus when the guest owns every device of the "
				 "set)", j.bridge, j.set);
			check_row(t, "reset", "PASS", msg, fails);
		} else {
			snprintf(msg, sizeof(msg), "no function reset; a bus reset below %s resets the "
				 "set %s, and needs the guest to own all of it: %s still on the host "
				 "(bind them too)", j.bridge, j.set, j.outside);
			check_row(t, "reset", "FAIL", msg, fails);
		}
		break;
	case KP_RESET_NONE:
		snprintf(msg, sizeof(msg), "%s: the device may fail after its first guest", j.blocker);
		check_row(t, "reset", "FAIL", msg, fails);
		break;
	}
	if (j.defect) {
		char first[64] = "";

		sscanf(d->reset_method, "%63s", first);
		if (!strcmp(first, "device_specific"))
			snprintf(msg, sizeof(msg), "%s: a known reset defect (the class vendor-reset "
				 "exists for); device_specific is its first reset method, as vendor-reset "
				 "sets it: check that vendor-reset is loaded", j.defect->family);
		else
			snprintf(msg, sizeof(msg), "%s: a known reset defect: after a guest the device "
				 "often does not come back from its reset; load vendor-reset "
				 "(github.com/gnif/vendor-reset) and write device_specific to %s's "
				 "reset_method", j.defect->family, d->bdf);
		check_row(t, "reset_defect", "WARN", msg, fails);
	}
	kp_pci_free(all);
}

/* vfio-pci.ids= on the kernel command line claims d: vfio-pci has its id
 * as a dynamic id from boot, so a reprobe returns it to vfio-pci. */
static int ids_claim(const struct kp_pcidev *d, char *msg, size_t n)
{
	char *cmdline = NULL, ids[1024];
	int r = 0;

	if (kp_cmdline_read(&cmdline) == 0 && kp_cmdline_get(cmdline, "vfio-pci.ids", ids, sizeof(ids)) == 1 &&
	    kp_vfio_ids_claim(ids, d)) {
		snprintf(msg, n, "not set; vfio-pci.ids=%.200s on the kernel command line claims "
			 "%04x:%04x, so a reprobe returns it to vfio-pci", ids, d->vendor, d->device);
		r = 1;
	}
	free(cmdline);
	return r;
}

int cmd_status(struct opts *o, int argc, char **argv)
{
	struct kp_pcidev **devs, *d;
	struct kp_table *t;
	struct kp_pci *pci;
	char detail[512], node[32];
	int r, fails = 0, have_node = 0;
	struct stat st;
	size_t n;

	if (argc != 1)
		return kp_usage_err("status takes exactly one DEVICE");
	r = scan_devices(&pci, KP_PCI_PCIE | KP_PCI_DETAIL, argc, argv, NULL, 1);
	if (r)
		return r;
	r = resolve_devices(pci, argc, argv, NULL, &devs, &n);
	if (r) {
		kp_pci_free(pci);
		return r;
	}
	d = devs[0];
	free(devs);
	if (!kp_iommu_enabled()) {
		kp_pci_free(pci);
		return no_iommu();
	}
	t = kp_table_new(status_cols, S_NCOLS);
	if (!t) {
		kp_pci_free(pci);
		return KP_EXIT_FAIL;
	}

	if (d->group >= 0) {
		snprintf(detail, sizeof(detail), "group %d", d->group);
		check_row(t, "iommu_group", "PASS", detail, &fails);
	} else {
		check_row(t, "iommu_group", "FAIL", "no IOMMU group: the IOMMU does not cover it",
			  &fails);
	}

	if (kp_pcidev_is_bridge(d) || kp_pcidev_is_platform(d)) {
		const char *w = kp_pci_bridge_word(d->class);

		snprintf(detail, sizeof(detail), "%s %s: %s", strchr("AEIOU", w[0]) ? "an" : "a", w,
			 kp_pcidev_is_bridge(d) ? "bridges stay on pcieport, a guest takes the "
			 "devices behind it" : "part of the platform, never a guest's");
		check_row(t, "device_class", "FAIL", detail, &fails);
	} else if (strcmp(d->driver, "vfio-pci") == 0)
		check_row(t, "driver", "PASS", "vfio-pci", &fails);
	else {
		int alone = 1;

		/* the remedy must be one bind accepts: --group when other
		 * members of the group are still on host drivers */
		if (d->group >= 0) {
			struct kp_pcidev **m;
			size_t nm, k;

			if (kp_iommu_members(pci, d->group, &m, &nm) == 0) {
				for (k = 0; k < nm; k++)
					if (m[k] != d && !kp_iommu_member_ok(m[k], "vfio-pci"))
						alone = 0;
				free(m);
			}
		}
		snprintf(detail, sizeof(detail), "%s%s: run '" TOOL " bind %s%s'",
			 d->driver[0] ? "bound to " : "no driver", d->driver,
			 alone ? "" : "--group ", d->bdf);
		check_row(t, "driver", "FAIL", detail, &fails);
	}

	if (strcmp(d->driver, "vfio-pci") != 0) {
		struct kp_dev_usage u;
		char msg[1024];

		r = device_usage(d, KP_INUSE_SRIOV, &u);
		if (r < 0) {
			snprintf(msg, sizeof(msg), "cannot tell: %s", strerror(-r));
			check_row(t, "host_use", "FAIL", msg, &fails);
		} else if (r > 0) {
			snprintf(msg, sizeof(msg), "%s: %s%s%s", kp_usage_whose(&u), u.reason,
				 u.hint[0] ? "; " : "", u.hint);
			check_row(t, "host_use", "FAIL", msg, &fails);
		} else {
			check_row(t, "host_use", "PASS", "not used by the host", &fails);
		}
	}

	if (strcmp(d->driver_override, "vfio-pci") == 0)
		check_row(t, "driver_override", "PASS", "vfio-pci", &fails);
	else if (strcmp(d->driver, "vfio-pci") == 0 && ids_claim(d, detail, sizeof(detail)))
		check_row(t, "driver_override", "PASS", detail, &fails);
	else if (strcmp(d->driver, "vfio-pci") == 0)
		check_row(t, "driver_override", "WARN",
			  "not set: a reprobe or hotplug would give the device back to its host driver",
			  &fails);
	else {
		snprintf(detail, sizeof(detail), "%s",
			 d->driver_override[0] ? d->driver_override : "not set");
		check_row(t, "driver_override", "FAIL", detail, &fails);
	}

	if (d->group >= 0) {
		struct kp_pcidev **m;
		size_t nm, k;

		detail[0] = '\0';
		if (kp_iommu_members(pci, d->group, &m, &nm) == 0) {
			for (k = 0; k < nm; k++) {
				size_t len = strlen(detail);

				if (m[k] == d || kp_iommu_member_ok(m[k], "vfio-pci"))
					continue;
				snprintf(detail + len, sizeof(detail) - len, "%s%s (%s)",
					 len ? ", " : "", m[k]->bdf, m[k]->driver);
			}
			free(m);
		}
		if (detail[0]) {
			char msg[600];

			snprintf(msg, sizeof(msg), "other members still on host drivers: %s", detail);
			check_row(t, "group_viable", "FAIL", msg, &fails);
		} else {
			check_row(t, "group_viable", "PASS", "every member is free for a guest", &fails);
		}
		snprintf(node, sizeof(node), "/dev/vfio/%d", d->group);
		have_node = stat(node, &st) == 0;
		check_row(t, "vfio_device", have_node ? "PASS" : "FAIL",
			  have_node ? node : "missing", &fails);
	}

	if (acs_override()) {
		snprintf(detail, sizeof(detail), "pcie_acs_override=%s is on the kernel command "
			 "line: the group is not DMA isolation", acs_override());
		check_row(t, "isolation", "WARN", detail, &fails);
	}

	reset_rows(t, pci, d, &fails);

	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("status"));
		json_object_object_add(doc, "device", json_object_new_string(d->bdf));
		json_object_object_add(doc, "ready", json_object_new_boolean(fails == 0));
		json_object_object_add(doc, "group", d->group >= 0 ? json_object_new_int(d->group) : NULL);
		json_object_object_add(doc, "driver", d->driver[0] ? json_object_new_string(d->driver) : NULL);
		json_object_object_add(doc, "vfio_device", have_node ? json_object_new_string(node) : NULL);
		json_object_object_add(doc, "checks", kp_table_json(t));
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		printf("%s: %s\n", d->bdf, fails ? "not ready for a guest" : "ready for a guest");
		r = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
	}
	kp_table_free(t);
	kp_pci_free(pci);
	if (r)
		return r;
	return fails ? KP_EXIT_FAIL : KP_EXIT_OK;
}
