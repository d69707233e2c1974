/* SPDX-License-Identifier: MIT */
/*
 * types, list, create, remove: the devices the kernel has now.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "journal.h"
#include "lock.h"
#include "sysfs.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

int need_root(void)
{
	if (geteuid() == 0)
		return 0;
	kp_err(NULL, "changing mediated devices needs root (try --dry-run)");
	return KP_EXIT_HOST;
}

int lock_wait_ms = KP_LOCK_WAIT_DEFAULT_MS;

int take_lock(void)
{
	struct kp_journal_info info;
	pid_t holder = 0;
	int fd = kp_lock_take_wait(lock_wait_ms, &holder), r;

	if (fd < 0) {
		if (fd == -ETIMEDOUT && holder > 0)
			kp_err(KP_LOCK_FILE, "cannot take the lock: held by pid %d", (int)holder);
		else
			kp_err_errno(KP_LOCK_FILE, fd, "cannot take the lock");
		return -KP_EXIT_FAIL;
	}
	/* a killed run's changes are rolled back before anything is looked at */
	r = kp_journal_recover(&info);
	if (r > 0) {
		char buf[512];

		kp_journal_describe(&info, buf, sizeof(buf));
		kp_warn(NULL, "%s", buf);
	} else if (r < 0) {
		kp_err(KP_JOURNAL_FILE, "cannot roll back the interrupted call: %s",
		       info.detail[0] ? info.detail : strerror(-r));
		kp_lock_release(fd);
		return -KP_EXIT_FAIL;
	}
	return fd;
}

int jbegin(const char *command)
{
	int r = kp_journal_begin(TOOL, command);

	if (r < 0) {
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot start the change journal");
		return KP_EXIT_FAIL;
	}
	return 0;
}

int jend(int rc)
{
	char stuck[512] = "";
	int r, sig;

	if (rc == KP_EXIT_OK) {
		r = kp_journal_commit();
		if (r == 0)
			return KP_EXIT_OK;
		if (r != -EINTR) {
			kp_err_errno(KP_JOURNAL_FILE, r, "cannot close the change journal");
			return KP_EXIT_FAIL;
		}
	}
	r = kp_journal_rollback(stuck, sizeof(stuck));
	if (r < 0)
		kp_err(NULL, "cannot roll back: %s (the journal is kept: run '" TOOL " recover')",
		       stuck[0] ? stuck : strerror(-r));
	sig = kp_journal_signal();
	if (sig)
		return 128 + sig;
	return rc ? rc : KP_EXIT_FAIL;
}

int cmd_recover(struct opts *o, int argc, char **argv)
{
	struct kp_journal_info info;
	int fd, r;

	if (argc)
		return kp_usage_err("recover takes no arguments");
	if ((r = need_root()))
		return r;
	fd = kp_lock_take_wait(lock_wait_ms, NULL);
	if (fd < 0) {
		kp_err_errno(KP_LOCK_FILE, fd, "cannot take the lock");
		return KP_EXIT_FAIL;
	}
	r = kp_journal_recover(&info);
	kp_lock_release(fd);
	if (r < 0) {
		kp_err(KP_JOURNAL_FILE, "cannot roll back the interrupted call: %s",
		       info.detail[0] ? info.detail : strerror(-r));
		return KP_EXIT_FAIL;
	}
	if (o->json) {
		json_object *doc = doc_new("recover", r > 0, 0);

		json_object_object_add(doc, "recovered",
				       r > 0 ? json_object_new_string(info.command) : NULL);
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		char buf[512];

		if (r > 0) {
			kp_journal_describe(&info, buf, sizeof(buf));
			printf("%s\n", buf);
		} else {
			printf("nothing to recover, unchanged\n");
		}
	}
	return KP_EXIT_OK;
}

int parse_uuid(const char *what, const char *in, char out[37])
{
	if (kp_uuid_check(in) < 0) {
		kp_usage_err("invalid %s: '%s' (a UUID: 8-4-4-4-12 hex digits)", what, in);
		return KP_EXIT_USAGE;
	}
	kp_uuid_lower(in, out);
	return 0;
}

int vgpu_vf_arg(const char *arg, char out[13])
{
	if (!arg || kp_bdf_parse(arg, out) < 0)
		return 0;
	return kp_vgpu_capable(out);
}

json_object *doc_new(const char *command, int changed, int dry_run)
{
	json_object *doc = kp_json_doc(TOOL);

	json_object_object_add(doc, "command", json_object_new_string(command));
	json_object_object_add(doc, "changed", json_object_new_boolean(changed));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(dry_run));
	return doc;
}

/* "a, b and c" of the registered parents, for "no such parent" */
static void parent_names(char *buf, size_t n)
{
	char **names;
	size_t np, i, off = 0;

	buf[0] = '\0';
	if (kp_mdev_parents(&names, &np) < 0)
		return;
	for (i = 0; i < np && off + 2 < n; i++)
		off += (size_t)snprintf(buf + off, n - off, "%s%s", i ? ", " : "", names[i]);
	kp_mdev_names_free(names, np);
}

void left_types(const char *parent, const char *except, char *buf, size_t n)
{
	struct kp_mdev_type *t;
	size_t nt, i, off = 0;

	buf[0] = '\0';
	if (kp_mdev_types(parent, &t, &nt) < 0)
		return;
	for (i = 0; i < nt && off + 2 < n; i++) {
		if ((except && !strcmp(t[i].id, except)) || t[i].available <= 0)
			continue;
		off += (size_t)snprintf(buf + off, n - off, "%s%s (%ld)", off ? ", " : "", t[i].id,
					t[i].available);
	}
	free(t);
}

/* ---- types ---------------------------------------------------------- */

enum { T_PARENT, T_TYPE, T_NAME, T_API, T_AVAIL, T_KIND, T_DESC };
static const struct kp_col type_cols[] = {
	[T_PARENT] = { "parent", "PARENT", KP_STR, 0 },
	[T_TYPE] = { "type", "TYPE", KP_STR, 0 },
	[T_NAME] = { "name", "NAME", KP_STR, 0 },
	[T_API] = { "device_api", "API", KP_STR, 0 },
	[T_AVAIL] = { "available_instances", "AVAILABLE", KP_INT, KP_COL_RIGHT },
	[T_KIND] = { "kind", "KIND", KP_STR, 0 },
	[T_DESC] = { "description", "DESCRIPTION", KP_STR, KP_COL_LAST },
};

static void type_row(struct kp_table *tb, const struct kp_mdev_type *t)
{
	int r = kp_table_add_row(tb);

	if (r < 0)
		return;
	kp_table_set_str(tb, (size_t)r, T_PARENT, t->parent);
	kp_table_set_str(tb, (size_t)r, T_TYPE, t->id);
	kp_table_set_str(tb, (size_t)r, T_NAME, t->name[0] ? t->name : NULL);
	kp_table_set_str(tb, (size_t)r, T_API, t->api[0] ? t->api : NULL);
	kp_table_set_int(tb, (size_t)r, T_AVAIL, t->available);
	kp_table_set_str(tb, (size_t)r, T_KIND, t->vendor ? "nvidia-vf" : "mdev");
	kp_table_set_str(tb, (size_t)r, T_DESC, t->description[0] ? t->description : NULL);
}

int cmd_types(struct opts *o, int argc, char **argv)
{
	struct kp_table *tb;
	char **parents = NULL, **vfs = NULL, want[13];
	size_t np = 0, nv = 0, i, j;
	int r, found = 0, failed = 0;

	if (argc > 1)
		return kp_usage_err("types takes at most one PARENT");
	tb = kp_table_new(type_cols, sizeof(type_cols) / sizeof(type_cols[0]));
	if (!tb)
		return KP_EXIT_FAIL;
	r = kp_mdev_parents(&parents, &np);
	if (r == 0)
		r = kp_vgpu_vfs(&vfs, &nv);
	if (r < 0) {
		kp_err_errno(KP_MDEV_CLASS, r, "cannot list mdev parents");
		kp_table_free(tb);
		return KP_EXIT_HOST;
	}
	if (argc == 1 && kp_bdf_parse(argv[0], want) < 0)
		snprintf(want, sizeof(want), "%s", argv[0]);
	for (i = 0; i < np; i++) {
		struct kp_mdev_type *t;
		size_t nt;

		if (argc == 1 && strcmp(parents[i], want))
			continue;
		found = 1;
		r = kp_mdev_types(parents[i], &t, &nt);
		if (r < 0) {
			kp_err_errno(parents[i], r, "cannot read its mdev types");
			failed = 1;
			continue;
		}
		for (j = 0; j < nt; j++)
			type_row(tb, &t[j]);
		free(t);
	}
	for (i = 0; i < nv; i++) {
		struct kp_mdev_type *t;
		size_t nt;

		if (argc == 1 && strcmp(vfs[i], want))
			continue;
		found = 1;
		r = kp_vgpu_types(vfs[i], &t, &nt);
		if (r < 0) {
			kp_err_errno(vfs[i], r, "cannot read nvidia/creatable_vgpu_types");
			failed = 1;
			continue;
		}
		for (j = 0; j < nt; j++)
			type_row(tb, &t[j]);
		free(t);
	}
	kp_mdev_names_free(parents, np);
	kp_mdev_names_free(vfs, nv);
	if (argc == 1 && !found) {
		char names[1024];

		parent_names(names, sizeof(names));
		kp_err(argv[0], "no such mdev parent (parents: %s)", names[0] ? names : "none");
		kp_table_free(tb);
		return KP_EXIT_HOST;
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("types"));
		json_object_object_add(doc, "types", kp_table_json(tb));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (kp_table_nrows(tb))
			kp_table_print(tb, stdout, &o->out);
		else if (argc == 1 && found)
			/* a vGPU VF once the GPU's capacity is used, or a parent whose types all went */
			printf("%s: no type creatable now\n", want);
		else if (found)
			printf("no type creatable now\n");
		else
			printf("no mdev parents\n");
	}
	kp_table_free(tb);
	return failed ? KP_EXIT_HOST : KP_EXIT_OK;
}

/* ---- list ------------------------------------------------------------ */

enum { L_UUID, L_PARENT, L_TYPE, L_START, L_ACTIVE, L_DEFINED, L_GROUP, L_NODE, L_HELD,
       L_ATTRS, L_NCOLS };
static const struct kp_col list_cols[] = {
	[L_UUID] = { "uuid", "UUID", KP_STR, 0 },
	[L_PARENT] = { "parent", "PARENT", KP_STR, 0 },
	[L_TYPE] = { "type", "TYPE", KP_STR, 0 },
	[L_START] = { "start", "START", KP_STR, 0 },
	[L_ACTIVE] = { "active", "ACTIVE", KP_BOOL, 0 },
	[L_DEFINED] = { "defined", "DEFINED", KP_BOOL, 0 },
	[L_GROUP] = { "iommu_group", "GROUP", KP_INT, KP_COL_RIGHT },
	[L_NODE] = { "vfio_node", "NODE", KP_STR, 0 },
	[L_HELD] = { "held_by", "HELD BY", KP_STR, 0 },
	[L_ATTRS] = { "attrs", "ATTRS", KP_STR, KP_COL_LAST },
};

static void bad_def(const char *path, const char *why, void *ctx)
{
	int *bad = ctx;

	kp_err(path, "cannot read definition: %s", why);
	(*bad)++;
}

static void live_cols(struct kp_table *tb, size_t r, const struct kp_mdev_dev *d)
{
	pid_t pid;
	char comm[64];
	int group = d->group;

	if (d->vendor) {
		char p[256], g[32];

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", d->uuid);
		group = kp_sysfs_link_name(p, g, sizeof(g)) > 0 ? atoi(g) : -1;
	}
	if (group >= 0) {
		kp_table_set_int(tb, r, L_GROUP, group);
		kp_table_set_strf(tb, r, L_NODE, "/dev/vfio/%d", group);
	}
	if (kp_mdev_holder(d, &pid, comm, sizeof(comm)) == 1)
		kp_table_set_strf(tb, r, L_HELD, "%s (pid %d)", comm, (int)pid);
}

static void attrs_cell(struct kp_table *tb, size_t r, const struct kp_mdev_def *d)
{
	char buf[2048];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < d->nattrs && off + 2 < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s=%s", i ? "," : "",
					d->attrs[i].key, d->attrs[i].value);
	if (d->nattrs)
		kp_table_set_str(tb, r, L_ATTRS, buf);
}

static const struct kp_mdev_def *find_def(const struct kp_mdev_def *v, size_t n,
					  const char *parent, const char *uuid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].uuid, uuid) && (!parent || !strcmp(v[i].parent, parent)))
			return &v[i];
	return NULL;
}

int cmd_list(struct opts *o, int argc, char **argv)
{
	struct kp_mdev_dev *act = NULL;
	struct kp_mdev_def *defs = NULL;
	struct kp_vgpu_entry *vconf = NULL;
	size_t na = 0, nd = 0, nvc = 0, i;
	struct kp_table *tb;
	char want[KP_MDEV_NAME] = "", **vfs = NULL;
	size_t nv = 0;
	char verr[600];
	int r, bad = 0;

	if (argc > 0)
		return kp_usage_err("list takes no arguments (use --parent)");
	if (o->parent) {
		char bdf[13];

		snprintf(want, sizeof(want), "%s",
			 kp_bdf_parse(o->parent, bdf) == 0 ? bdf : o->parent);
	}
	r = kp_mdev_active(&act, &na);
	if (r < 0) {
		kp_err_errno(KP_MDEV_BUS, r, "cannot list mediated devices");
		return KP_EXIT_HOST;
	}
	r = kp_mdev_defs_load(want[0] ? want : NULL, NULL, &defs, &nd, bad_def, &bad);
	if (r < 0) {
		kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
		free(act);
		return KP_EXIT_FAIL;
	}
	r = kp_vgpu_conf_load(&vconf, &nvc, verr, sizeof(verr));
	if (r < 0) {
		if (r == -EINVAL)
			kp_err(NULL, "%s", verr);
		else
			kp_err_errno(KP_VGPU_CONF, r, "cannot read");
		bad++;
	}
	kp_vgpu_vfs(&vfs, &nv);
	tb = kp_table_new(list_cols, L_NCOLS);
	if (!tb)
		goto out;
	if (o->defined) {
		for (i = 0; i < nd; i++) {
			struct kp_mdev_dev d;
			int row = kp_table_add_row(tb);
			int active = kp_mdev_get(defs[i].uuid, &d) == 0 &&
				     !strcmp(d.parent, defs[i].parent);

			kp_table_set_str(tb, (size_t)row, L_UUID, defs[i].uuid);
			kp_table_set_str(tb, (size_t)row, L_PARENT, defs[i].parent);
			kp_table_set_str(tb, (size_t)row, L_TYPE, defs[i].type);
			kp_table_set_str(tb, (size_t)row, L_START, defs[i].autostart ? "auto" : "manual");
			kp_table_set_bool(tb, (size_t)row, L_ACTIVE, active);
			kp_table_set_bool(tb, (size_t)row, L_DEFINED, 1);
			if (active)
				live_cols(tb, (size_t)row, &d);
			attrs_cell(tb, (size_t)row, &defs[i]);
		}
		for (i = 0; i < nvc; i++) {
			long cur = 0;
			int row;

			if (want[0] && strcmp(want, vconf[i].bdf))
				continue;
			row = kp_table_add_row(tb);
			kp_vgpu_current(vconf[i].bdf, &cur);
			kp_table_set_str(tb, (size_t)row, L_UUID, vconf[i].bdf);
			kp_table_set_str(tb, (size_t)row, L_PARENT, vconf[i].bdf);
			kp_table_set_strf(tb, (size_t)row, L_TYPE, "%ld", vconf[i].type);
			kp_table_set_str(tb, (size_t)row, L_START, "auto");
			kp_table_set_bool(tb, (size_t)row, L_ACTIVE, cur == vconf[i].type);
			kp_table_set_bool(tb, (size_t)row, L_DEFINED, 1);
		}
	} else {
		for (i = 0; i < na; i++) {
			const struct kp_mdev_def *d;
			int row;

			if (want[0] && strcmp(want, act[i].parent))
				continue;
			row = kp_table_add_row(tb);
			d = find_def(defs, nd, act[i].parent, act[i].uuid);
			kp_table_set_str(tb, (size_t)row, L_UUID, act[i].uuid);
			kp_table_set_str(tb, (size_t)row, L_PARENT, act[i].parent);
			kp_table_set_str(tb, (size_t)row, L_TYPE, act[i].type);
			kp_table_set_str(tb, (size_t)row, L_START,
					 d ? (d->autostart ? "auto" : "manual") : NULL);
			kp_table_set_bool(tb, (size_t)row, L_ACTIVE, 1);
			kp_table_set_bool(tb, (size_t)row, L_DEFINED, d != NULL);
			live_cols(tb, (size_t)row, &act[i]);
			if (d)
				attrs_cell(tb, (size_t)row, d);
		}
		for (i = 0; i < nv; i++) {
			struct kp_mdev_dev d = { .vendor = 1, .group = -1 };
			long cur = 0;
			size_t k;
			int row, defined = 0;

			if ((want[0] && strcmp(want, vfs[i])) ||
			    kp_vgpu_current(vfs[i], &cur) < 0 || cur <= 0)
				continue;
			for (k = 0; k < nvc; k++)
				if (!strcmp(vconf[k].bdf, vfs[i]) && vconf[k].type == cur)
					defined = 1;
			snprintf(d.uuid, sizeof(d.uuid), "%s", vfs[i]);
			row = kp_table_add_row(tb);
			kp_table_set_str(tb, (size_t)row, L_UUID, vfs[i]);
			kp_table_set_str(tb, (size_t)row, L_PARENT, vfs[i]);
			kp_table_set_strf(tb, (size_t)row, L_TYPE, "%ld", cur);
			kp_table_set_str(tb, (size_t)row, L_START, defined ? "auto" : NULL);
			kp_table_set_bool(tb, (size_t)row, L_ACTIVE, 1);
			kp_table_set_bool(tb, (size_t)row, L_DEFINED, defined);
			live_cols(tb, (size_t)row, &d);
		}
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("list"));
		json_object_object_add(doc, "defined", json_object_new_boolean(o->defined));
		json_object_object_add(doc, "devices", kp_table_json(tb));
		json_object_object_add(doc, "bad_definitions", json_object_new_int(bad));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (kp_table_nrows(tb))
			kp_table_print(tb, stdout, &o->out);
		else
			printf(o->defined ? "no mediated devices defined\n"
					  : "no active mediated devices\n");
	}
	kp_table_free(tb);
out:
	free(act);
	kp_mdev_defs_free(defs, nd);
	free(vconf);
	kp_mdev_names_free(vfs, nv);
	/* a definition file that cannot be read is a bad input file: exit 2
	 * after the others were listed */
	return bad ? KP_EXIT_USAGE : KP_EXIT_OK;
}

/* ---- create ---------------------------------------------------------- */

static const char *create_reason(int err)
{
	switch (-err) {
	case EEXIST: return "the UUID is in use (EEXIST)";
	case EUSERS: return "no instance left (EUSERS)";
	case ENOSPC: return "no instance left (ENOSPC)";
	case ENODEV: return "the parent went away (ENODEV)";
	case ETIMEDOUT: return "the device or its /dev/vfio node did not appear in time";
	}
	return strerror(-err);
}

/* several devices in one call: their JSON objects go here, and one
 * document is printed at the end */
static json_object *many;
static int many_changed;

static void print_device(struct opts *o, const char *command, const char *uuid,
			 const char *parent, const char *type, const char *sysfs, int changed)
{
	if (o->json) {
		json_object *doc = doc_new(command, changed, o->dry_run), *dev = json_object_new_object();
		struct kp_mdev_dev d;

		json_object_object_add(dev, "uuid", json_object_new_string(uuid));
		json_object_object_add(dev, "parent", json_object_new_string(parent));
		json_object_object_add(dev, "type", json_object_new_string(type));
		json_object_object_add(dev, "sysfs", json_object_new_string(sysfs));
		if (!o->dry_run && kp_mdev_get(uuid, &d) == 0 && d.group >= 0) {
			char node[32];

			snprintf(node, sizeof(node), "/dev/vfio/%d", d.group);
			json_object_object_add(dev, "iommu_group", json_object_new_int(d.group));
			json_object_object_add(dev, "vfio_node", json_object_new_string(node));
		} else {
			json_object_object_add(dev, "iommu_group", NULL);
			json_object_object_add(dev, "vfio_node", NULL);
		}
		if (many) {
			json_object_array_add(many, dev);
			many_changed |= changed;
			json_object_put(doc);
			return;
		}
		json_object_object_add(doc, "device", dev);
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (o->dry_run)
			printf("would create %s %s (%s on %s)\n", uuid, sysfs, type, parent);
		else
			printf("%s %s%s\n", uuid, sysfs, changed ? "" : " unchanged");
	}
}

/* current_vgpu_type of a VF, recorded in the journal (its undo puts the
 * old value back); exit status, vgpu_err says why */
static char vgpu_err[256];

static int vgpu_write(const char *vf, long id, const char *command)
{
	char p[128];
	int r, step;

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", vf);
	if ((r = jbegin(command)))
		return r;
	r = kp_journal_save_sysfs_attr(p, NULL, &step);
	if (r == 0)
		r = kp_vgpu_set(vf, id);
	if (r == 0)
		r = kp_journal_done(step);
	snprintf(vgpu_err, sizeof(vgpu_err), "%s", r < 0 ? strerror(-r) : "");
	return jend(r < 0 ? KP_EXIT_FAIL : KP_EXIT_OK);
}

/* set when the kernel refused the last create write (nothing of ours) */
static int refused;

/* create one device; *pre_ran is set once the callouts were asked */
static int create_dev(struct opts *o, const char *parent, const char *type, const char *uuid,
		      const struct kp_mdev_attr *attrs, size_t nattrs, int autostart,
		      int *created, struct kp_mdev_def *cd, int *pre_ran);

/* the vendor-specific vGPU: current_vgpu_type of the VF */
static int create_vgpu(struct opts *o, const char *vf, const char *type, int *created)
{
	struct kp_mdev_type *t;
	size_t nt, i;
	char *end, sysfs[64], list[1024] = "";
	long id = strtol(type, &end, 10), cur = 0;
	int r, ok = 0;
	size_t off = 0;

	*created = 0;
	snprintf(sysfs, sizeof(sysfs), "/sys/bus/pci/devices/%s", vf);
	if (!*type || *end || id <= 0) {
		kp_usage_err("invalid --type for the vGPU VF %s: '%s' (a vGPU type id, see 'types %s')",
			     vf, type, vf);
		return KP_EXIT_USAGE;
	}
	if (o->nattrs) {
		kp_usage_err("a vendor-specific vGPU VF takes no --attr");
		return KP_EXIT_USAGE;
	}
	r = kp_vgpu_current(vf, &cur);
	if (r < 0) {
		kp_err_errno(vf, r, "cannot read nvidia/current_vgpu_type");
		return KP_EXIT_HOST;
	}
	if (cur == id) {
		print_device(o, "create", vf, vf, type, sysfs, 0);
		return KP_EXIT_OK;
	}
	if (cur) {
		kp_err(vf, "cannot make it vGPU type %ld: it is vGPU type %ld (remove it first)", id,
		       cur);
		return KP_EXIT_FAIL;
	}
	r = kp_vgpu_types(vf, &t, &nt);
	if (r < 0) {
		kp_err_errno(vf, r, "cannot read nvidia/creatable_vgpu_types");
		return KP_EXIT_HOST;
	}
	for (i = 0; i < nt; i++) {
		if (strtol(t[i].id, NULL, 10) == id)
			ok = 1;
		if (off + 2 < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
						t[i].id);
	}
	free(t);
	if (!ok) {
		kp_err(vf, "cannot make it vGPU type %ld: not creatable on this VF now (creatable: %s)",
		       id, list[0] ? list : "none");
		return KP_EXIT_FAIL;
	}
	if (o->dry_run) {
		print_device(o, "create", vf, vf, type, sysfs, 1);
		return KP_EXIT_OK;
	}
	if ((r = vgpu_write(vf, id, "create"))) {
		kp_err(vf, "cannot set nvidia/current_vgpu_type to %ld: %s", id, vgpu_err);
		return r;
	}
	*created = 1;
	print_device(o, "create", vf, vf, type, sysfs, 1);
	return KP_EXIT_OK;
}

int create_one(struct opts *o, const char *parent, const char *type, const char *uuid,
	       const struct kp_mdev_attr *attrs, size_t nattrs, int autostart, int *created)
{
	struct kp_mdev_def cd;
	int pre_ran = 0;
	int r = create_dev(o, parent, type, uuid, attrs, nattrs, autostart, created, &cd, &pre_ran);

	/* the callout that answered pre hears how it went */
	if (pre_ran)
		callout_post(o, "start", &cd, r == KP_EXIT_OK);
	return r;
}

static int create_dev(struct opts *o, const char *parent, const char *type, const char *uuid,
		      const struct kp_mdev_attr *attrs, size_t nattrs, int autostart,
		      int *created, struct kp_mdev_def *cd, int *pre_ran)
{
	struct kp_mdev_type t;
	struct kp_mdev_dev d;
	char sysfs[128], names[1024];
	int r, left = 0, step = -1, written = 0, own = 1;
	size_t i;

	*created = 0;
	memset(cd, 0, sizeof(*cd));
	snprintf(cd->uuid, sizeof(cd->uuid), "%s", uuid);
	snprintf(cd->parent, sizeof(cd->parent), "%s", parent);
	snprintf(cd->type, sizeof(cd->type), "%s", type);
	cd->autostart = autostart;
	cd->attrs = (struct kp_mdev_attr *)attrs;
	cd->nattrs = nattrs;
	snprintf(sysfs, sizeof(sysfs), KP_MDEV_BUS "/%s", uuid);
	r = kp_mdev_type_get(parent, type, &t);
	if (r == -ENODEV) {
		parent_names(names, sizeof(names));
		kp_err(parent, "cannot create %s: no such mdev parent (parents: %s)", type,
		       names[0] ? names : "none");
		return KP_EXIT_HOST;
	}
	if (r == -ENOENT) {
		struct kp_mdev_type *all;
		size_t n, off = 0;

		names[0] = '\0';
		if (kp_mdev_types(parent, &all, &n) == 0) {
			for (i = 0; i < n && off + 2 < sizeof(names); i++)
				off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
							i ? ", " : "", all[i].id);
			free(all);
		}
		kp_err(parent, "cannot create %s: no such type (types: %s)", type,
		       names[0] ? names : "none");
		return KP_EXIT_HOST;
	}
	if (r < 0) {
		kp_err_errno(parent, r, "cannot read type %s", type);
		return KP_EXIT_HOST;
	}
	if (kp_mdev_get(uuid, &d) == 0) {
		if (!strcmp(d.parent, parent) && !strcmp(d.type, type)) {
			print_device(o, "create", uuid, parent, type, sysfs, 0);
			return KP_EXIT_OK;
		}
		kp_err(uuid, "cannot create on %s: the UUID is in use by a %s device on %s", parent,
		       d.type, d.parent);
		return KP_EXIT_FAIL;
	}
	if (t.available <= 0) {
		left_types(parent, type, names, sizeof(names));
		kp_err(parent, "cannot create %s: no instance left (types with instances left: %s)",
		       type, names[0] ? names : "none");
		return KP_EXIT_FAIL;
	}
	if (o->dry_run) {
		print_device(o, "create", uuid, parent, type, sysfs, 1);
		return KP_EXIT_OK;
	}
	*pre_ran = 1;
	if ((r = callout_pre(o, "start", cd)))
		return r;
	/* a call that creates several devices holds one journal for all */
	own = !kp_journal_active();
	if (own && (r = jbegin("create")))
		return r;
	/* the undo (remove it when it exists) is on disk before the create */
	r = kp_journal_add_mdev(uuid, parent, &step);
	if (r < 0) {
		kp_err_errno(uuid, r, "cannot record the create in the journal");
		return own ? jend(KP_EXIT_FAIL) : KP_EXIT_FAIL;
	}
	r = kp_mdev_create(parent, type, uuid, o->timeout_ms, &written, &left);
	if (r == 0)
		kp_journal_done(step);
	if (r < 0 && !written) {
		/* the kernel refused the create: nothing of ours exists, and a
		 * device of that UUID (made meanwhile, e.g. by mdevctl's udev
		 * rule) is not ours to remove: close the journal, no undo */
		int rc = own ? jend(KP_EXIT_OK) : KP_EXIT_OK;

		refused = 1;
		if (rc)
			return rc;
		if (r == -EEXIST && kp_mdev_get(uuid, &d) == 0 && !strcmp(d.parent, parent) &&
		    !strcmp(d.type, type)) {
			print_device(o, "create", uuid, parent, type, sysfs, 0);
			return KP_EXIT_OK;
		}
	}
	if (r < 0) {
		int rc;
		if (r == -EUSERS || r == -ENOSPC) {
			left_types(parent, type, names, sizeof(names));
			kp_err(parent, "cannot create %s: %s (types with instances left: %s)", type,
			       create_reason(r), names[0] ? names : "none");
		} else if (r != -EINTR) {
			kp_err(uuid, "cannot create %s on %s: %s%s", type, parent, create_reason(r),
			       left ? " (and it could not be removed again)" : "");
		}
		rc = written && own ? jend(KP_EXIT_FAIL) : KP_EXIT_FAIL;
		if (r == -EINTR)
			kp_err(uuid, "interrupted, rolled back");
		return rc;
	}
	for (i = 0; i < nattrs; i++) {
		r = kp_journal_signal() ? -EINTR
					: kp_mdev_write_attr(uuid, attrs[i].key, attrs[i].value);
		if (r < 0) {
			int rc = own ? jend(KP_EXIT_FAIL) : KP_EXIT_FAIL;

			if (r == -EINTR)
				kp_err(uuid, "interrupted, rolled back");
			else
				kp_err(uuid, "cannot write attribute %s=%s: %s (%s)", attrs[i].key,
				       attrs[i].value, r == -ENOENT ? "no such attribute" : strerror(-r),
				       !own ? "the call is rolled back"
				       : kp_sysfs_exists(sysfs) ? "and the device could not be removed again"
								: "the device was removed again");
			return rc;
		}
	}
	if (own && (r = jend(KP_EXIT_OK)))
		return r;
	*created = 1;
	print_device(o, "create", uuid, parent, type, sysfs, 1);
	return KP_EXIT_OK;
}

/* --attr options as a list */
static struct kp_mdev_attr *opt_attrs(struct opts *o)
{
	static struct kp_mdev_attr a[MAX_ATTRS];
	size_t i;

	for (i = 0; i < o->nattrs; i++) {
		a[i].key = (char *)o->attr_key[i];
		a[i].value = (char *)o->attr_val[i];
	}
	return a;
}

static void many_begin(struct opts *o)
{
	if (o->json) {
		many = json_object_new_array();
		many_changed = 0;
	}
}

static void many_end(struct opts *o, const char *command, const char *key, int rc)
{
	json_object *doc;

	if (!many)
		return;
	if (rc == KP_EXIT_OK) {
		doc = doc_new(command, many_changed, o->dry_run);
		json_object_object_add(doc, key, many);
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else {
		json_object_put(many);
	}
	many = NULL;
}

/* several devices in one call, all or none: one journal for all of them */
static int create_many(struct opts *o, const char *parent, char (*uuids)[37], size_t n)
{
	size_t i, made = 0;
	int r = 0, created;

	if (!o->dry_run && (r = jbegin("create")))
		return r;
	many_begin(o);
	for (i = 0; i < n && !r; i++) {
		refused = 0;
		r = create_one(o, parent, o->type, uuids[i], opt_attrs(o), o->nattrs, 0, &created);
		if (!r && created)
			made++;
	}
	if (o->dry_run) {
		many_end(o, "create", "devices", r);
		return r;
	}
	if (r && refused) {
		/* the kernel refused the last create: a device with its UUID
		 * (if any) is not ours; take back the ones this call made and
		 * close the journal without its undo for that UUID */
		size_t j;

		for (j = i - 1; j-- > 0;) {
			struct kp_mdev_dev d;

			if (kp_mdev_get(uuids[j], &d) == 0 && kp_mdev_remove(uuids[j]) < 0)
				kp_err(uuids[j], "cannot remove it again");
		}
		kp_journal_commit();
	} else {
		r = jend(r);
	}
	if (r && made)
		kp_err(NULL, "rolled back: the %zu device%s this call created %s removed again", made,
		       made == 1 ? "" : "s", made == 1 ? "was" : "were");
	many_end(o, "create", "devices", r);
	return r;
}

int cmd_create(struct opts *o, int argc, char **argv)
{
	char uuid[37], vf[13], parent[KP_MDEV_NAME];
	int r, lock = -1, created;

	if (argc > 0)
		return kp_usage_err("create takes no arguments (use --parent, --type, --uuid)");
	if (!o->parent || !o->type)
		return kp_usage_err("create needs --parent and --type");
	if (vgpu_vf_arg(o->parent, vf)) {
		if (o->uuid || o->count)
			return kp_usage_err("a vendor-specific vGPU VF has no UUID (it is the VF %s)", vf);
		if (!o->dry_run && (r = need_root()))
			return r;
		if (!o->dry_run && (lock = take_lock()) < 0)
			return -lock;
		r = create_vgpu(o, vf, o->type, &created);
		if (lock >= 0)
			kp_lock_release(lock);
		return r;
	}
	if (o->count && o->nuuids)
		return kp_usage_err("--count and --uuid exclude each other");
	if (o->count > 1 || o->nuuids > 1) {
		static char uuids[256][37];
		size_t n = o->count ? (size_t)o->count : o->nuuids, i, j;

		for (i = 0; i < n; i++) {
			if (o->count) {
				if ((r = kp_uuid_generate(uuids[i])) < 0) {
					kp_err_errno(NULL, r, "cannot generate a UUID");
					return KP_EXIT_FAIL;
				}
			} else if ((r = parse_uuid("--uuid", o->uuids[i], uuids[i]))) {
				return r;
			}
			for (j = 0; j < i; j++)
				if (!strcmp(uuids[i], uuids[j]))
					return kp_usage_err("--uuid %s given twice", uuids[i]);
		}
		if (kp_bdf_parse(o->parent, vf) == 0)
			snprintf(parent, sizeof(parent), "%s", vf);
		else
			snprintf(parent, sizeof(parent), "%s", o->parent);
		if (!o->dry_run && (r = need_root()))
			return r;
		if (!o->dry_run && (lock = take_lock()) < 0)
			return -lock;
		r = create_many(o, parent, uuids, n);
		if (lock >= 0)
			kp_lock_release(lock);
		return r;
	}
	if (o->uuid) {
		if ((r = parse_uuid("--uuid", o->uuid, uuid)))
			return r;
	} else if ((r = kp_uuid_generate(uuid)) < 0) {
		kp_err_errno(NULL, r, "cannot generate a UUID");
		return KP_EXIT_FAIL;
	}
	/* a parent given as a short PCI address means the full one */
	if (kp_bdf_parse(o->parent, vf) == 0)
		snprintf(parent, sizeof(parent), "%s", vf);
	else
		snprintf(parent, sizeof(parent), "%s", o->parent);
	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (lock = take_lock()) < 0)
		return -lock;
	r = create_one(o, parent, o->type, uuid, opt_attrs(o), o->nattrs, 0, &created);
	if (lock >= 0)
		kp_lock_release(lock);
	return r;
}

/* ---- remove ---------------------------------------------------------- */

static void print_removed(struct opts *o, const char *command, const char *what, int changed)
{
	if (o->json) {
		json_object *doc;

		if (many) {
			json_object *x = json_object_new_object();

			json_object_object_add(x, "uuid", json_object_new_string(what));
			json_object_object_add(x, "changed", json_object_new_boolean(changed));
			json_object_array_add(many, x);
			many_changed |= changed;
			return;
		}
		doc = doc_new(command, changed, o->dry_run);
		json_object_object_add(doc, "uuid", json_object_new_string(what));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (!changed)
			printf("%s: not active, unchanged\n", what);
		else if (o->dry_run)
			printf("would remove %s\n", what);
		else
			printf("removed %s\n", what);
	}
}

static int holder_check(struct opts *o, const struct kp_mdev_dev *d, const char *what)
{
	pid_t pid;
	char comm[64];
	int h = kp_mdev_holder(d, &pid, comm, sizeof(comm));

	if (h == 1) {
		if (!o->force) {
			kp_err(what, "cannot remove: its vfio device is open by %s (pid %d) (--force removes it anyway)",
			       comm, (int)pid);
			return KP_EXIT_FAIL;
		}
		kp_warn(what, "removing it although %s (pid %d) holds its vfio device", comm,
			(int)pid);
	}
	return 0;
}

int remove_one(struct opts *o, const char *uuid, int *removed)
{
	struct kp_mdev_def cd;
	struct kp_mdev_dev d;
	int r;

	*removed = 0;
	if (kp_mdev_get(uuid, &d) < 0) {
		print_removed(o, "remove", uuid, 0);
		return KP_EXIT_OK;
	}
	if ((r = holder_check(o, &d, uuid)))
		return r;
	if (o->dry_run) {
		print_removed(o, "remove", uuid, 1);
		return KP_EXIT_OK;
	}
	memset(&cd, 0, sizeof(cd));
	snprintf(cd.uuid, sizeof(cd.uuid), "%s", uuid);
	snprintf(cd.parent, sizeof(cd.parent), "%s", d.parent);
	snprintf(cd.type, sizeof(cd.type), "%s", d.type);
	if ((r = callout_pre(o, "stop", &cd))) {
		callout_post(o, "stop", &cd, 0);
		return r;
	}
	r = kp_mdev_remove(uuid);
	callout_post(o, "stop", &cd, r == 0);
	if (r < 0) {
		kp_err_errno(uuid, r, "cannot remove");
		return KP_EXIT_FAIL;
	}
	*removed = 1;
	print_removed(o, "remove", uuid, 1);
	return KP_EXIT_OK;
}

static int remove_vgpu(struct opts *o, const char *vf)
{
	struct kp_mdev_dev d = { .vendor = 1, .group = -1 };
	long cur = 0;
	int r;

	r = kp_vgpu_current(vf, &cur);
	if (r < 0) {
		kp_err_errno(vf, r, "cannot read nvidia/current_vgpu_type");
		return KP_EXIT_HOST;
	}
	if (!cur) {
		print_removed(o, "remove", vf, 0);
		return KP_EXIT_OK;
	}
	snprintf(d.uuid, sizeof(d.uuid), "%s", vf);
	if ((r = holder_check(o, &d, vf)))
		return r;
	if (o->dry_run) {
		print_removed(o, "remove", vf, 1);
		return KP_EXIT_OK;
	}
	if ((r = vgpu_write(vf, 0, "remove"))) {
		kp_err(vf, "cannot clear nvidia/current_vgpu_type: %s", vgpu_err);
		return r;
	}
	print_removed(o, "remove", vf, 1);
	return KP_EXIT_OK;
}

int cmd_remove(struct opts *o, int argc, char **argv)
{
	char uuid[37], vf[13];
	int r, lock = -1, removed;

	if (argc < 1)
		return kp_usage_err("%s takes a UUID (or a vGPU VF's address)", "remove");
	if (argc > 1) {
		char (*u)[37] = calloc((size_t)argc, sizeof(*u));
		int i, removed_any;

		if (!u)
			return KP_EXIT_FAIL;
		for (i = 0; i < argc; i++)
			if ((r = parse_uuid("UUID", argv[i], u[i]))) {
				free(u);
				return r;
			}
		if (!o->dry_run && (r = need_root())) {
			free(u);
			return r;
		}
		if (!o->dry_run && (lock = take_lock()) < 0) {
			free(u);
			return -lock;
		}
		/* every holder check before the first removal */
		for (i = 0; i < argc && !r; i++) {
			struct kp_mdev_dev d;

			if (!o->force && kp_mdev_get(u[i], &d) == 0)
				r = holder_check(o, &d, u[i]);
		}
		many_begin(o);
		for (i = 0; i < argc && !r; i++)
			r = remove_one(o, u[i], &removed_any);
		many_end(o, "remove", "devices", r);
		if (lock >= 0)
			kp_lock_release(lock);
		free(u);
		return r;
	}
	if (vgpu_vf_arg(argv[0], vf)) {
		if (!o->dry_run && (r = need_root()))
			return r;
		if (!o->dry_run && (lock = take_lock()) < 0)
			return -lock;
		r = remove_vgpu(o, vf);
		if (lock >= 0)
			kp_lock_release(lock);
		return r;
	}
	if ((r = parse_uuid("UUID", argv[0], uuid)))
		return r;
	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (lock = take_lock()) < 0)
		return -lock;
	r = remove_one(o, uuid, &removed);
	if (lock >= 0)
		kp_lock_release(lock);
	return r;
}

int cmd_stop(struct opts *o, int argc, char **argv)
{
	return cmd_remove(o, argc, argv);
}
