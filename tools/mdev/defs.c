/* SPDX-License-Identifier: MIT */
/*
 * define, undefine, modify, start, start-parent, apply: mdevctl's
 * persistent definitions (/etc/mdevctl.d/PARENT/UUID) and kvmprep's own
 * for NVIDIA's vendor-specific vGPU (/etc/kvmprep/vgpu.conf).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "journal.h"
#include "lock.h"

#pragma GCC diagnostic ignored "-Wformat-truncation"

static void bad_def(const char *path, const char *why, void *ctx)
{
	int *bad = ctx;

	kp_err(path, "cannot read definition: %s", why);
	(*bad)++;
}

/* a parent name as given: a PCI address in its full form, else as is */
static int norm_parent(const char *in, char *out, size_t n)
{
	char bdf[13];

	if (!in || !*in || strchr(in, '/') || !strcmp(in, ".") || !strcmp(in, "..") ||
	    !strcmp(in, "scripts.d") || strlen(in) >= KP_MDEV_NAME) {
		kp_usage_err("invalid parent: '%s'", in ? in : "");
		return KP_EXIT_USAGE;
	}
	snprintf(out, n, "%s", kp_bdf_parse(in, bdf) == 0 ? bdf : in);
	return 0;
}

static void print_def(struct opts *o, const char *command, const struct kp_mdev_def *d,
		      int changed, const char *verb)
{
	char path[512];

	kp_mdev_def_path(d, path, sizeof(path));
	if (o->json) {
		json_object *doc = doc_new(command, changed, o->dry_run), *def = json_object_new_object();
		json_object *attrs = json_object_new_array();
		size_t i;

		json_object_object_add(def, "uuid", json_object_new_string(d->uuid));
		json_object_object_add(def, "parent", json_object_new_string(d->parent));
		json_object_object_add(def, "type", json_object_new_string(d->type));
		json_object_object_add(def, "start",
				       json_object_new_string(d->autostart ? "auto" : "manual"));
		for (i = 0; i < d->nattrs; i++) {
			json_object *a = json_object_new_object();

			json_object_object_add(a, d->attrs[i].key,
					       json_object_new_string(d->attrs[i].value));
			json_object_array_add(attrs, a);
		}
		json_object_object_add(def, "attrs", attrs);
		json_object_object_add(def, "file", json_object_new_string(path));
		json_object_object_add(doc, "definition", def);
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (!changed)
			printf("%s on %s: unchanged\n", d->uuid, d->parent);
		else
			printf("%s%s %s on %s (%s, %s): %s\n", o->dry_run ? "would have " : "", verb,
			       d->uuid, d->parent, d->type, d->autostart ? "auto" : "manual", path);
	}
}

/* Write (or remove) a definition file as one journalled step: the file's
 * old content is on disk before it changes. Exit status, error printed. */
static int def_write(struct opts *o, const struct kp_mdev_def *d, const char *command,
		     int remove)
{
	char path[512];
	int r, step, changed, rc;

	kp_mdev_def_path(d, path, sizeof(path));
	/* mdevctl's callouts are asked first, and told the outcome */
	if ((r = callout_pre(o, command, d))) {
		callout_post(o, command, d, 0);
		return r;
	}
	if ((r = jbegin(command))) {
		callout_post(o, command, d, 0);
		return r;
	}
	r = kp_journal_save_file(path, &step);
	if (r == 0)
		r = remove ? kp_mdev_def_remove(d, &changed) : kp_mdev_def_save(d, &changed);
	if (r == 0)
		r = kp_journal_done(step);
	if (r < 0)
		kp_err_errno(path, r, remove ? "cannot remove definition" : "cannot write definition");
	rc = jend(r < 0 ? KP_EXIT_FAIL : KP_EXIT_OK);
	callout_post(o, command, d, rc == KP_EXIT_OK);
	return rc;
}

/* ---- NVIDIA vendor-specific vGPU: vgpu.conf -------------------------- */

static int vconf_load(struct kp_vgpu_entry **v, size_t *n)
{
	char err[600];
	int r = kp_vgpu_conf_load(v, n, err, sizeof(err));

	if (r == -EINVAL) {
		kp_err(NULL, "%s", err);
		return KP_EXIT_USAGE;
	}
	if (r < 0) {
		kp_err_errno(KP_VGPU_CONF, r, "cannot read");
		return KP_EXIT_FAIL;
	}
	return 0;
}

static void print_vconf(struct opts *o, const char *command, const char *vf, long type,
			int changed, const char *verb)
{
	if (o->json) {
		json_object *doc = doc_new(command, changed, o->dry_run), *def = json_object_new_object();

		json_object_object_add(def, "vf", json_object_new_string(vf));
		json_object_object_add(def, "type", type ? json_object_new_int64(type) : NULL);
		json_object_object_add(def, "file", json_object_new_string(KP_VGPU_CONF));
		json_object_object_add(doc, "definition", def);
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		if (!changed)
			printf("%s: unchanged\n", vf);
		else
			printf("%s%s %s (vGPU type %ld): %s\n", o->dry_run ? "would have " : "", verb, vf,
			       type, KP_VGPU_CONF);
	}
}

/* set (type > 0) or drop (type 0) the VF's entry */
static int vconf_set(struct opts *o, const char *command, const char *vf, long type)
{
	struct kp_vgpu_entry *v = NULL;
	size_t n = 0, i;
	int r, changed = 0, found = -1, lock = -1;
	long old = 0;

	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (lock = take_lock()) < 0)
		return -lock;
	if ((r = vconf_load(&v, &n)))
		goto out;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].bdf, vf))
			found = (int)i;
	if (found >= 0)
		old = v[found].type;
	if (type) {
		if (found >= 0 && old == type) {
			print_vconf(o, command, vf, type, 0, "");
			goto out;
		}
		if (found < 0) {
			struct kp_vgpu_entry *nv = realloc(v, (n + 1) * sizeof(*v));

			if (!nv) {
				r = KP_EXIT_FAIL;
				goto out;
			}
			v = nv;
			found = (int)n++;
			snprintf(v[found].bdf, sizeof(v[found].bdf), "%s", vf);
		}
		v[found].type = type;
	} else {
		if (found < 0) {
			print_vconf(o, command, vf, 0, 0, "");
			goto out;
		}
		memmove(&v[found], &v[found + 1], (n - (size_t)found - 1) * sizeof(*v));
		n--;
	}
	if (!o->dry_run) {
		int step;

		if ((r = jbegin(command)))
			goto out;
		r = kp_journal_save_file(KP_VGPU_CONF, &step);
		if (r == 0)
			r = kp_vgpu_conf_save(v, n, &changed);
		if (r == 0)
			r = kp_journal_done(step);
		if (r < 0)
			kp_err_errno(KP_VGPU_CONF, r, "cannot write");
		if ((r = jend(r < 0 ? KP_EXIT_FAIL : KP_EXIT_OK)))
			goto out;
	}
	r = 0;
	print_vconf(o, command, vf, type ? type : old, 1, type ? "defined" : "undefined");
out:
	free(v);
	if (lock >= 0)
		kp_lock_release(lock);
	return r;
}

/* ---- define ---------------------------------------------------------- */

static int same_def(const struct kp_mdev_def *a, const struct kp_mdev_def *b)
{
	char *x = kp_mdev_def_text(a), *y = kp_mdev_def_text(b);
	int same = x && y && !strcmp(x, y);

	free(x);
	free(y);
	return same;
}

int cmd_define(struct opts *o, int argc, char **argv)
{
	struct kp_mdev_def d, *have = NULL;
	struct kp_mdev_dev act;
	char vf[13];
	size_t nh = 0, i;
	int r, lock = -1, bad = 0, generated = 0;

	memset(&d, 0, sizeof(d));
	if (argc > 1 || (argc == 1 && o->uuid))
		return kp_usage_err("define takes one UUID (or --uuid)");
	if (vgpu_vf_arg(o->parent, vf)) {
		char *end;
		long id = o->type ? strtol(o->type, &end, 10) : 0;

		if (!o->type || !*o->type || *end || id <= 0)
			return kp_usage_err("define of the vGPU VF %s needs --type ID (a vGPU type id)", vf);
		if (argc || o->uuid || o->nattrs)
			return kp_usage_err("a vendor-specific vGPU VF takes no UUID and no --attr");
		if (o->autostart == 0)
			return kp_usage_err("vendor-specific vGPU definitions are always --auto");
		return vconf_set(o, "define", vf, id);
	}
	if ((argc || o->uuid) &&
	    (r = parse_uuid("UUID", argc ? argv[0] : o->uuid, d.uuid)))
		return r;
	if (!d.uuid[0]) {
		if ((r = kp_uuid_generate(d.uuid)) < 0) {
			kp_err_errno(NULL, r, "cannot generate a UUID");
			return KP_EXIT_FAIL;
		}
		generated = 1;
	}
	if (o->parent && (r = norm_parent(o->parent, d.parent, sizeof(d.parent))))
		return r;
	/* define UUID of an active device: its parent and type as they are */
	if (!generated && kp_mdev_get(d.uuid, &act) == 0) {
		if (d.parent[0] && strcmp(d.parent, act.parent)) {
			kp_err(d.uuid, "cannot define on %s: it is active on %s", d.parent, act.parent);
			return KP_EXIT_FAIL;
		}
		if (o->type && strcmp(o->type, act.type)) {
			kp_err(d.uuid, "cannot define as %s: it is active as %s", o->type, act.type);
			return KP_EXIT_FAIL;
		}
		snprintf(d.parent, sizeof(d.parent), "%s", act.parent);
		snprintf(d.type, sizeof(d.type), "%s", act.type);
	}
	if (!d.parent[0])
		return kp_usage_err("define needs --parent (or the UUID of an active device)");
	if (!d.type[0]) {
		if (!o->type)
			return kp_usage_err("define needs --type (or the UUID of an active device)");
		if (!*o->type || strchr(o->type, '/') || strlen(o->type) >= KP_MDEV_NAME)
			return kp_usage_err("invalid --type: '%s'", o->type);
		snprintf(d.type, sizeof(d.type), "%s", o->type);
	}
	/* a parent that is there must have the type; one that is not (yet)
	 * is fine: definitions are for later, as with mdevctl */
	if (kp_mdev_parent_exists(d.parent)) {
		struct kp_mdev_type t;

		if (kp_mdev_type_get(d.parent, d.type, &t) == -ENOENT) {
			kp_err(d.parent, "cannot define %s: no such type on this parent", d.type);
			return KP_EXIT_HOST;
		}
	}
	d.autostart = o->autostart == 1;
	for (i = 0; i < o->nattrs; i++)
		if (kp_mdev_def_add_attr(&d, o->attr_key[i], o->attr_val[i], d.nattrs) < 0)
			goto nomem;
	if (!o->dry_run && (r = need_root()))
		goto out_r;
	if (!o->dry_run && (lock = take_lock()) < 0) {
		r = -lock;
		goto out_r;
	}
	r = kp_mdev_defs_load(d.parent, d.uuid, &have, &nh, bad_def, &bad);
	if (r < 0) {
		kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
		r = KP_EXIT_FAIL;
		goto out_r;
	}
	if (bad) {
		r = KP_EXIT_USAGE;
		goto out_r;
	}
	if (nh) {
		if (same_def(&have[0], &d)) {
			print_def(o, "define", &d, 0, "");
			r = 0;
		} else {
			kp_err(d.uuid, "cannot define on %s: already defined (as %s, %s; use modify)",
			       d.parent, have[0].type, have[0].autostart ? "auto" : "manual");
			r = KP_EXIT_FAIL;
		}
		goto out_r;
	}
	if (!o->dry_run && (r = def_write(o, &d, "define", 0)))
		goto out_r;
	print_def(o, "define", &d, 1, "defined");
	r = 0;
	goto out_r;
nomem:
	r = KP_EXIT_FAIL;
out_r:
	if (lock >= 0)
		kp_lock_release(lock);
	kp_mdev_defs_free(have, nh);
	kp_mdev_def_clear(&d);
	return r;
}

/* ---- undefine ------------------------------------------------------- */

int cmd_undefine(struct opts *o, int argc, char **argv)
{
	struct kp_mdev_def *have = NULL;
	char uuid[37], parent[KP_MDEV_NAME] = "", vf[13];
	size_t nh = 0, i;
	int r, lock = -1, bad = 0;

	if (argc != 1)
		return kp_usage_err("undefine takes one UUID (or a vGPU VF's address)");
	if (kp_bdf_parse(argv[0], vf) == 0)
		return vconf_set(o, "undefine", vf, 0);
	if ((r = parse_uuid("UUID", argv[0], uuid)))
		return r;
	if (o->parent && (r = norm_parent(o->parent, parent, sizeof(parent))))
		return r;
	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (lock = take_lock()) < 0)
		return -lock;
	r = kp_mdev_defs_load(parent[0] ? parent : NULL, uuid, &have, &nh, bad_def, &bad);
	if (r < 0) {
		kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
		r = KP_EXIT_FAIL;
		goto out;
	}
	if (!nh) {
		r = bad ? KP_EXIT_USAGE : 0;
		if (!bad && o->json) {
			json_object *doc = doc_new("undefine", 0, o->dry_run);

			json_object_object_add(doc, "uuid", json_object_new_string(uuid));
			kp_json_print(doc, stdout);
			json_object_put(doc);
		} else if (!bad && !o->quiet) {
			printf("%s: not defined, unchanged\n", uuid);
		}
		goto out;
	}
	for (i = 0; i < nh; i++) {
		if (!o->dry_run && (r = def_write(o, &have[i], "undefine", 1)))
			goto out;
		print_def(o, "undefine", &have[i], 1, "undefined");
	}
	r = 0;
out:
	if (lock >= 0)
		kp_lock_release(lock);
	kp_mdev_defs_free(have, nh);
	return r;
}

/* ---- modify ---------------------------------------------------------- */

int cmd_modify(struct opts *o, int argc, char **argv)
{
	struct kp_mdev_def *have = NULL, *d;
	char uuid[37], parent[KP_MDEV_NAME] = "", *before = NULL, *after = NULL;
	size_t nh = 0, i;
	int r, lock = -1, bad = 0;

	if (argc != 1)
		return kp_usage_err("modify takes one UUID");
	if ((r = parse_uuid("UUID", argv[0], uuid)))
		return r;
	if (o->parent && (r = norm_parent(o->parent, parent, sizeof(parent))))
		return r;
	if (o->delattr && o->nattrs)
		return kp_usage_err("--attr and --delattr exclude each other");
	if (o->index >= 0 && !o->delattr && o->nattrs != 1)
		return kp_usage_err("--index goes with one --attr or with --delattr");
	if (!o->type && o->autostart < 0 && !o->nattrs && !o->delattr)
		return kp_usage_err("modify needs --type, --auto, --manual, --attr or --delattr");
	if (o->type && (!*o->type || strchr(o->type, '/') || strlen(o->type) >= KP_MDEV_NAME))
		return kp_usage_err("invalid --type: '%s'", o->type);
	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (lock = take_lock()) < 0)
		return -lock;
	r = kp_mdev_defs_load(parent[0] ? parent : NULL, uuid, &have, &nh, bad_def, &bad);
	if (r < 0) {
		kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
		r = KP_EXIT_FAIL;
		goto out;
	}
	if (!nh) {
		if (!bad)
			kp_err(uuid, "cannot modify: not defined%s%s", parent[0] ? " on " : "", parent);
		r = bad ? KP_EXIT_USAGE : KP_EXIT_HOST;
		goto out;
	}
	if (nh > 1) {
		kp_usage_err("%s is defined on several parents: give --parent", uuid);
		r = KP_EXIT_USAGE;
		goto out;
	}
	d = &have[0];
	before = kp_mdev_def_text(d);
	if (o->type)
		snprintf(d->type, sizeof(d->type), "%s", o->type);
	if (o->autostart >= 0)
		d->autostart = o->autostart;
	for (i = 0; i < o->nattrs; i++)
		kp_mdev_def_add_attr(d, o->attr_key[i], o->attr_val[i],
				     o->index >= 0 ? (size_t)o->index : d->nattrs);
	if (o->delattr) {
		if (!d->nattrs || (o->index >= 0 && (size_t)o->index >= d->nattrs)) {
			kp_err(uuid, "cannot delete attribute %d: it has %zu", o->index, d->nattrs);
			r = KP_EXIT_FAIL;
			goto out;
		}
		kp_mdev_def_del_attr(d, o->index >= 0 ? (size_t)o->index : d->nattrs - 1);
	}
	after = kp_mdev_def_text(d);
	if (before && after && !strcmp(before, after)) {
		print_def(o, "modify", d, 0, "");
		r = 0;
		goto out;
	}
	if (!o->dry_run && (r = def_write(o, d, "modify", 0)))
		goto out;
	print_def(o, "modify", d, 1, "modified");
	r = 0;
out:
	free(before);
	free(after);
	if (lock >= 0)
		kp_lock_release(lock);
	kp_mdev_defs_free(have, nh);
	return r;
}

/* ---- start ----------------------------------------------------------- */

int cmd_start(struct opts *o, int argc, char **argv)
{
	struct kp_mdev_def *have = NULL;
	char uuid[37] = "", parent[KP_MDEV_NAME] = "", vf[13];
	size_t nh = 0;
	int r, lock = -1, bad = 0, created;

	if (argc > 1 || (argc == 1 && o->uuid))
		return kp_usage_err("start takes one UUID (or --uuid)");
	if (argc == 1 && vgpu_vf_arg(argv[0], vf)) {
		struct kp_vgpu_entry *v = NULL;
		size_t n = 0, i;

		if ((r = vconf_load(&v, &n)))
			return r;
		for (i = 0; i < n && strcmp(v[i].bdf, vf); i++)
			;
		if (i == n) {
			free(v);
			kp_err(vf, "cannot start: not defined in %s", KP_VGPU_CONF);
			return KP_EXIT_HOST;
		}
		o->parent = vf;
		snprintf(uuid, sizeof(uuid), "%ld", v[i].type);
		free(v);
		o->type = uuid;
		return cmd_create(o, 0, NULL);
	}
	if ((argc || o->uuid) && (r = parse_uuid("UUID", argc ? argv[0] : o->uuid, uuid)))
		return r;
	if (o->parent && (r = norm_parent(o->parent, parent, sizeof(parent))))
		return r;
	if (uuid[0]) {
		r = kp_mdev_defs_load(parent[0] ? parent : NULL, uuid, &have, &nh, bad_def, &bad);
		if (r < 0) {
			kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
			return KP_EXIT_FAIL;
		}
		if (bad) {
			kp_mdev_defs_free(have, nh);
			return KP_EXIT_USAGE;
		}
	}
	if (nh > 1) {
		kp_mdev_defs_free(have, nh);
		return kp_usage_err("%s is defined on several parents: give --parent", uuid);
	}
	if (nh == 1) {
		if (o->type && strcmp(o->type, have[0].type)) {
			kp_err(uuid, "cannot start as %s: defined on %s as %s", o->type, have[0].parent,
			       have[0].type);
			kp_mdev_defs_free(have, nh);
			return KP_EXIT_FAIL;
		}
		if (o->nattrs) {
			kp_mdev_defs_free(have, nh);
			return kp_usage_err("a defined device starts with its own attributes (use modify)");
		}
		if (!o->dry_run && (r = need_root()))
			goto out;
		if (!o->dry_run && (lock = take_lock()) < 0) {
			r = -lock;
			goto out;
		}
		r = create_one(o, have[0].parent, have[0].type, have[0].uuid, have[0].attrs,
			       have[0].nattrs, have[0].autostart, &created);
		goto out;
	}
	/* not defined: a transient device, as create */
	if (!o->parent || !o->type) {
		if (uuid[0])
			kp_err(uuid, "cannot start: not defined (give --parent and --type to create it)");
		else
			return kp_usage_err("start needs a defined UUID, or --parent and --type");
		return KP_EXIT_HOST;
	}
	if (uuid[0])
		o->uuid = uuid;
	return cmd_create(o, 0, NULL);
out:
	if (lock >= 0)
		kp_lock_release(lock);
	kp_mdev_defs_free(have, nh);
	return r;
}

/* ---- boot: start-parent and apply ------------------------------------ */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* wait (until deadline) for a parent that is not there yet, without the
 * lock: what makes it may be a kvmprep step that needs the lock itself
 * (kvmprep-sriov creating the VFs). 1 when it is there. */
static int wait_parent(int (*there)(const char *), const char *name, long deadline, int *lock)
{
	if (there(name))
		return 1;
	if (*lock >= 0) {
		kp_lock_release(*lock);
		*lock = -1;
	}
	while (!there(name) && now_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	return there(name);
}

/* start every --auto definition of parent (NULL: every parent, waiting up
 * to the deadline for parents that are not there yet, e.g. SR-IOV VFs
 * made at boot). Each device is created or rolled back on its own; the
 * others go on. Exit 0 when all came up, 1 when any failed. */
static int start_auto(struct opts *oo, const char *command, const char *parent, long deadline)
{
	/* under --json, one document for the whole run: each device's own
	 * report is left out, the list of what started goes in it */
	struct opts quiet = *oo, *o = oo->json ? &quiet : oo;
	json_object *list = oo->json ? json_object_new_array() : NULL;
	struct kp_mdev_def *defs = NULL;
	struct kp_vgpu_entry *v = NULL;
	size_t nd = 0, nv = 0, i;
	int r, bad = 0, failed = 0, started = 0, lock = -1;

	if (oo->json) {
		quiet.json = 0;
		quiet.quiet = 1;
		quiet.out.json = 0;
		quiet.out.quiet = 1;
	}
	r = kp_mdev_defs_load(parent, NULL, &defs, &nd, bad_def, &bad);
	if (r < 0) {
		kp_err_errno(KP_MDEVCTL_DIR, r, "cannot read definitions");
		return KP_EXIT_FAIL;
	}
	if ((r = vconf_load(&v, &nv)))
		bad++;
	if (!o->dry_run && (r = need_root()))
		goto out;
	if (!o->dry_run && (lock = take_lock()) < 0) {
		r = -lock;
		goto out;
	}
	for (i = 0; i < nd; i++) {
		int created;

		if (!defs[i].autostart)
			continue;
		if (!wait_parent(kp_mdev_parent_exists, defs[i].parent, deadline, &lock)) {
			kp_err(defs[i].uuid, "cannot start on %s: the parent did not appear", defs[i].parent);
			failed++;
			continue;
		}
		if (!o->dry_run && lock < 0 && (lock = take_lock()) < 0) {
			r = -lock;
			goto out;
		}
		if (create_one(o, defs[i].parent, defs[i].type, defs[i].uuid, defs[i].attrs,
			       defs[i].nattrs, 1, &created)) {
			failed++;
		} else {
			started++;
			if (list && created)
				json_object_array_add(list, json_object_new_string(defs[i].uuid));
		}
	}
	for (i = 0; i < nv; i++) {
		struct opts vo = *o;
		char type[32];

		if (parent && strcmp(parent, v[i].bdf))
			continue;
		if (!wait_parent(kp_vgpu_capable, v[i].bdf, deadline, &lock)) {
			kp_err(v[i].bdf, "cannot set vGPU type %ld: the VF did not appear", v[i].type);
			failed++;
			continue;
		}
		snprintf(type, sizeof(type), "%ld", v[i].type);
		vo.parent = v[i].bdf;
		vo.type = type;
		if (lock >= 0) {
			kp_lock_release(lock);
			lock = -1;
		}
		if (cmd_create(&vo, 0, NULL)) {
			failed++;
		} else {
			started++;
			if (list)
				json_object_array_add(list, json_object_new_string(v[i].bdf));
		}
	}
	r = failed ? KP_EXIT_FAIL : bad ? KP_EXIT_USAGE : KP_EXIT_OK;
	if (list && r == KP_EXIT_OK) {
		json_object *doc = doc_new(command, json_object_array_length(list) > 0,
					   o->dry_run);

		json_object_object_add(doc, "started", list);
		list = NULL;
		kp_json_print(doc, stdout);
		json_object_put(doc);
	}
out:
	json_object_put(list);
	if (lock >= 0)
		kp_lock_release(lock);
	kp_mdev_defs_free(defs, nd);
	free(v);
	return r;
}

int cmd_start_parent(struct opts *o, int argc, char **argv)
{
	char parent[KP_MDEV_NAME];
	int r;

	if (argc != 1)
		return kp_usage_err("start-parent takes one PARENT");
	if ((r = norm_parent(argv[0], parent, sizeof(parent))))
		return r;
	return start_auto(o, "start-parent", parent, now_ms());
}

int cmd_apply(struct opts *o, int argc, char **argv)
{
	if (argc)
		return kp_usage_err("apply takes no arguments");
	return start_auto(o, "apply", NULL, now_ms() + o->timeout_ms);
}
