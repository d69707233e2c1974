/* SPDX-License-Identifier: MIT */
/*
 * The host object of `kvmprep-validate --json`: the facts live migration
 * between two hosts depends on (CPU, kernel, QEMU, hugepages, bridges, where
 * guest images live, devices guests hold), as data, so that two hosts'
 * documents can be compared (--migrate, tools/validate/migrate.c).
 */
#include "validate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "root.h"
#include "sysfs.h"

/* Filesystems a second host can mount at the same time (guest disks stay
 * where they are while the guest moves). */
static const char *const shared_fs[] = {
	"nfs", "nfs4", "ceph", "fuse.ceph", "fuse.ceph-fuse", "glusterfs", "fuse.glusterfs",
	"cifs", "smb3", "ocfs2", "gfs2", "lustre", "beegfs", "gpfs", "fuse.sshfs", "9p",
	"virtiofs",
};

int v_fs_shared(const char *fstype)
{
	size_t i;

	for (i = 0; i < sizeof(shared_fs) / sizeof(shared_fs[0]); i++)
		if (!strcmp(fstype, shared_fs[i]))
			return 1;
	return 0;
}

/* mountinfo field decoding: \040 and friends */
static void unoctal(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
}

/* The mount holding DIR (the longest mount point that is a prefix of it). */
static int mount_of(const char *dir, char *mnt, size_t mn, char *fstype, size_t fn, char *src,
		    size_t sn)
{
	char *text, *line, *save;
	size_t best = 0;

	if (kp_read_file("/proc/self/mountinfo", &text, NULL) < 0)
		return -ENOENT;
	mnt[0] = fstype[0] = src[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[12], *dash, *p, *sv;
		int nf = 0;
		size_t l;

		dash = strstr(line, " - ");
		if (!dash)
			continue;
		*dash = '\0';
		for (p = strtok_r(line, " ", &sv); p && nf < 6; p = strtok_r(NULL, " ", &sv))
			f[nf++] = p;
		if (nf < 5)
			continue;
		unoctal(f[4]);
		l = strlen(f[4]);
		if (strncmp(dir, f[4], l) || (dir[l] != '/' && dir[l] != '\0' && strcmp(f[4], "/")))
			continue;
		if (l < best)
			continue;
		best = l;
		snprintf(mnt, mn, "%s", f[4]);
		p = strtok_r(dash + 3, " ", &sv);
		snprintf(fstype, fn, "%s", p ? p : "");
		p = p ? strtok_r(NULL, " ", &sv) : NULL;
		if (p)
			unoctal(p);
		snprintf(src, sn, "%s", p ? p : "");
	}
	free(text);
	return mnt[0] ? 0 : -ENOENT;
}

int vimages_fstype(const char *dir, char *fstype, size_t n)
{
	char mnt[1024], src[1024];

	return mount_of(dir, mnt, sizeof(mnt), fstype, n, src, sizeof(src));
}

static json_object *str_or_null(const char *s)
{
	return s && s[0] ? json_object_new_string(s) : NULL;
}

static json_object *int_or_null(int v)
{
	return v >= 0 ? json_object_new_int(v) : NULL;
}

static json_object *cpu_json(const struct vctx *c)
{
	json_object *o = json_object_new_object(), *flags = json_object_new_array();
	char *dup = strdup(c->cpu.flags ? c->cpu.flags : ""), *tok, *save;

	json_object_object_add(o, "arch", json_object_new_string(kp_arch_name(c->cpu.arch)));
	json_object_object_add(o, "vendor", str_or_null(c->cpu.vendor_id));
	json_object_object_add(o, "model_name", str_or_null(c->cpu.model));
	json_object_object_add(o, "family", int_or_null(c->cpu.family));
	json_object_object_add(o, "model", int_or_null(c->cpu.model_no));
	json_object_object_add(o, "stepping", int_or_null(c->cpu.stepping));
	json_object_object_add(o, "microcode", str_or_null(c->cpu.microcode));
	json_object_object_add(o, "count", json_object_new_int(c->cpu.count));
	for (tok = dup ? strtok_r(dup, " ", &save) : NULL; tok; tok = strtok_r(NULL, " ", &save))
		json_object_array_add(flags, json_object_new_string(tok));
	free(dup);
	json_object_object_add(o, "flags", flags);
	return o;
}

struct names {
	json_object *arr;
	const char *const *want; /* exact names (CPU models), or NULL: prefixes */
};

static int has_name(json_object *arr, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < json_object_array_length(arr); i++) {
		const char *v = json_object_get_string(json_object_array_get_idx(arr, i));

		if (strlen(v) == len && !memcmp(v, s, len))
			return 1;
	}
	return 0;
}

/* Machine type names as QEMU's sources spell them: "pc-q35-7.2",
 * "pc-i440fx-7.2", "virt-7.2" (on arm its type name "virt-7.2-machine"),
 * "s390-ccw-virtio-7.2", plus the unversioned ones. */
static void machine_cb(const char *s, size_t len, void *arg)
{
	static const char *const pre[] = { "pc-q35-", "pc-i440fx-", "virt-", "s390-ccw-virtio-" };
	static const char *const plain[] = { "microvm", "isapc" };
	struct names *nm = arg;
	size_t i, pl, d1, d2, e;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (len == strlen(plain[i]) && !memcmp(s, plain[i], len) && !has_name(nm->arr, s, len))
			json_object_array_add(nm->arr, json_object_new_string_len(s, (int)len));
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++) {
		pl = strlen(pre[i]);
		if (len <= pl || memcmp(s, pre[i], pl))
			continue;
		for (d1 = 0; pl + d1 < len && s[pl + d1] >= '0' && s[pl + d1] <= '9'; d1++)
			;
		if (!d1 || d1 > 3 || pl + d1 >= len || s[pl + d1] != '.')
			continue;
		for (d2 = 0; pl + d1 + 1 + d2 < len && s[pl + d1 + 1 + d2] >= '0' &&
			     s[pl + d1 + 1 + d2] <= '9'; d2++)
			;
		e = pl + d1 + 1 + d2;
		if (!d2 || d2 > 3 || (e != len && (len - e != 8 || memcmp(s + e, "-machine", 8))))
			continue;
		if (!has_name(nm->arr, s, e))
			json_object_array_add(nm->arr, json_object_new_string_len(s, (int)e));
	}
}

static void model_cb(const char *s, size_t len, void *arg)
{
	struct names *nm = arg;
	size_t i;

	for (i = 0; nm->want[i]; i++)
		if (strlen(nm->want[i]) == len && !memcmp(nm->want[i], s, len) &&
		    !has_name(nm->arr, s, len))
			json_object_array_add(nm->arr, json_object_new_string_len(s, (int)len));
}

struct both {
	struct names *machines, *models;
};

static void both_cb(const char *s, size_t len, void *arg)
{
	struct both *b = arg;

	machine_cb(s, len, b->machines);
	model_cb(s, len, b->models);
}

static int cmp_str(const void *a, const void *b)
{
	const char *x = json_object_get_string(*(json_object *const *)a);
	const char *y = json_object_get_string(*(json_object *const *)b);

	return strcmp(x, y);
}

static json_object *qemu_json(const struct vctx *c)
{
	json_object *o = json_object_new_object();
	char path[4096], shown[256], ver[64];
	struct names mt = { json_object_new_array(), NULL };
	struct names cm = { json_object_new_array(), vcpu_model_names() };

	if (vqemu_path(c, path, sizeof(path), shown, sizeof(shown)) < 0) {
		json_object_put(mt.arr);
		json_object_put(cm.arr);
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "path", json_object_new_string(shown));
	json_object_object_add(o, "version",
			       vqemu_version(path, ver, sizeof(ver)) == 0 ? str_or_null(ver) : NULL);
	{
		struct both b = { &mt, &cm };
		char first[64] = "pvsmi";
		size_t i, l;

		/* one pass over .rodata: strings that start like a machine type
		 * or like one of the models */
		for (i = 0; cm.want[i]; i++) {
			l = strlen(first);
			if (!strchr(first, cm.want[i][0]) && l + 1 < sizeof(first)) {
				first[l] = cm.want[i][0];
				first[l + 1] = '\0';
			}
		}
		vqemu_strings(path, first, both_cb, &b);
	}
	json_object_array_sort(mt.arr, cmp_str);
	json_object_object_add(o, "machine_types", mt.arr);
	json_object_object_add(o, "cpu_models", cm.arr);
	return o;
}

static int count_entries(const char *dir, int (*want)(const char *name))
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && (!want || want(de->d_name)))
			n++;
	closedir(d);
	return n;
}

static int is_bdf(const char *name)
{
	return strchr(name, ':') != NULL;
}

static json_object *bridges_json(void)
{
	json_object *arr = json_object_new_array();
	struct dirent *de;
	DIR *d = opendir("/sys/class/net");

	while (d && (de = readdir(d))) {
		char path[300];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", de->d_name);
		if (access(path, F_OK) == 0)
			json_object_array_add(arr, json_object_new_string(de->d_name));
	}
	if (d)
		closedir(d);
	json_object_array_sort(arr, cmp_str);
	return arr;
}

json_object *vhost_json(struct vctx *c)
{
	json_object *o = json_object_new_object(), *k = json_object_new_object();
	json_object *hp = json_object_new_array(), *img = json_object_new_object(), *pt;
	char rel[128], mnt[1024], fstype[64], src[1024];
	const struct kp_hugepool *p;
	size_t n, i;

	json_object_object_add(o, "cpu", cpu_json(c));
	json_object_object_add(k, "release",
			       vhost_line("/proc/sys/kernel/osrelease", rel, sizeof(rel)) >= 0 ?
				       str_or_null(rel) : NULL);
	json_object_object_add(o, "kernel", k);
	json_object_object_add(o, "qemu", qemu_json(c));
	if (vhugepools(c, &p, &n) == 0) {
		for (i = 0; i < n; i++)
			if (p[i].node == -1)
				json_object_array_add(hp, json_object_new_int64(p[i].size_kb));
	}
	json_object_object_add(o, "hugepage_sizes_kb", hp);
	json_object_object_add(o, "bridges", bridges_json());
	json_object_object_add(img, "dir", json_object_new_string(c->images));
	if (mount_of(c->images, mnt, sizeof(mnt), fstype, sizeof(fstype), src, sizeof(src)) == 0) {
		json_object_object_add(img, "mount", json_object_new_string(mnt));
		json_object_object_add(img, "fstype", json_object_new_string(fstype));
		json_object_object_add(img, "source", json_object_new_string(src));
		json_object_object_add(img, "shared", json_object_new_boolean(v_fs_shared(fstype)));
	} else {
		json_object_object_add(img, "mount", NULL);
		json_object_object_add(img, "fstype", NULL);
		json_object_object_add(img, "source", NULL);
		json_object_object_add(img, "shared", NULL);
	}
	json_object_object_add(o, "images", img);
	pt = json_object_new_object();
	json_object_object_add(pt, "vfio_devices",
			       json_object_new_int(count_entries("/sys/bus/pci/drivers/vfio-pci", is_bdf)));
	json_object_object_add(pt, "mdevs",
			       json_object_new_int(count_entries("/sys/bus/mdev/devices", NULL)));
	json_object_object_add(o, "passthrough", pt);
	json_object_object_add(o, "firewall", vfirewall_json(c));
	return o;
}
