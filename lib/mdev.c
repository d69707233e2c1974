/* SPDX-License-Identifier: MIT */
#include "mdev.h"
#include "bind.h"
#include "ids.h"
#include "persist.h"
#include "journal.h"
#include "rfile.h"
#include "root.h"
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <json-c/printbuf.h>
#include <libudev.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* a truncated path simply does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

/* the biggest definition file read back (mdevctl's are a few hundred bytes) */
#define DEF_MAX (64 * 1024)

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted directory names (no dot files); a missing directory is empty
 * unless strict */
static int list_dir(const char *path, int strict, char ***names, size_t *n)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **v = NULL;
	size_t k = 0, cap = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return (errno == ENOENT && !strict) ? 0 : -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (k == cap) {
			char **nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				goto nomem;
			v = nv;
		}
		if (!(v[k] = strdup(e->d_name)))
			goto nomem;
		k++;
	}
	closedir(d);
	if (k)
		qsort(v, k, sizeof(*v), cmp_str);
	*names = v;
	*n = k;
	return 0;
nomem:
	closedir(d);
	kp_mdev_names_free(v, k);
	return -ENOMEM;
}

void kp_mdev_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int kp_mdev_parents(char ***names, size_t *n)
{
	return list_dir(KP_MDEV_CLASS, 0, names, n);
}

static int name_ok(const char *s)
{
	if (!s || !*s || strlen(s) >= KP_MDEV_NAME || !strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	return strchr(s, '/') == NULL;
}

int kp_mdev_parent_exists(const char *parent)
{
	char p[PATH_MAX];

	if (!name_ok(parent))
		return 0;
	snprintf(p, sizeof(p), KP_MDEV_CLASS "/%s/mdev_supported_types", parent);
	return kp_sysfs_exists(p);
}

static void one_line(char *s)
{
	char out[512];
	size_t i, o = 0;
	size_t len = strlen(s);

	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	for (i = 0; s[i] && o + 3 < sizeof(out); i++) {
		if (s[i] == '\n') {
			out[o++] = ',';
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	strcpy(s, out);
}

int kp_mdev_type_get(const char *parent, const char *type, struct kp_mdev_type *t)
{
	char dir[PATH_MAX];
	int fd, r;

	memset(t, 0, sizeof(*t));
	if (!kp_mdev_parent_exists(parent))
		return -ENODEV;
	if (!name_ok(type))
		return -ENOENT;
	snprintf(dir, sizeof(dir), KP_MDEV_CLASS "/%s/mdev_supported_types/%s", parent, type);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	snprintf(t->parent, sizeof(t->parent), "%s", parent);
	snprintf(t->id, sizeof(t->id), "%s", type);
	r = kp_sysfs_read_long_at(fd, "available_instances", &t->available);
	if (r < 0) {
		close(fd);
		return r == -ENOENT ? -ENOENT : r;
	}
	if (kp_sysfs_read_at(fd, "device_api", t->api, sizeof(t->api)) < 0)
		t->api[0] = '\0';
	if (kp_sysfs_read_at(fd, "name", t->name, sizeof(t->name)) < 0)
		t->name[0] = '\0';
	if (kp_sysfs_read_at(fd, "description", t->description, sizeof(t->description)) < 0)
		t->description[0] = '\0';
	one_line(t->description);
	close(fd);
	return 0;
}

int kp_mdev_types(const char *parent, struct kp_mdev_type **out, size_t *n)
{
	char dir[PATH_MAX], **names;
	size_t nn, i, k = 0;
	struct kp_mdev_type *v;
	int r;

	*out = NULL;
	*n = 0;
	if (!kp_mdev_parent_exists(parent))
		return -ENODEV;
	snprintf(dir, sizeof(dir), KP_MDEV_CLASS "/%s/mdev_supported_types", parent);
	r = list_dir(dir, 1, &names, &nn);
	if (r < 0)
		return r;
	v = calloc(nn ? nn : 1, sizeof(*v));
	if (!v) {
		kp_mdev_names_free(names, nn);
		return -ENOMEM;
	}
	for (i = 0; i < nn; i++)
		if (kp_mdev_type_get(parent, names[i], &v[k]) == 0)
			k++;
	kp_mdev_names_free(names, nn);
	*out = v;
	*n = k;
	return 0;
}

/* ---- active devices ------------------------------------------------- */

static int base_of_link(const char *path, char *buf, size_t n)
{
	char real[PATH_MAX], *b;

	if (!realpath(path, real))
		return -errno;
	b = strrchr(real, '/');
	b = b ? b + 1 : real;
	if (strlen(b) >= n)
		return -ENAMETOOLONG;
	strcpy(buf, b);
	return 0;
}

int kp_mdev_get(const char *uuid, struct kp_mdev_dev *d)
{
	char p[PATH_MAX], real[PATH_MAX], g[32], *slash;

	memset(d, 0, sizeof(*d));
	d->group = -1;
	if (kp_uuid_check(uuid) < 0)
		return -EINVAL;
	kp_uuid_lower(uuid, d->uuid);
	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s", d->uuid);
	if (!realpath(p, real))
		return errno == ENOENT ? -ENOENT : -errno;
	slash = strrchr(real, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	slash = strrchr(real, '/');
	snprintf(d->parent, sizeof(d->parent), "%s", slash ? slash + 1 : real);
	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/mdev_type", d->uuid);
	if (base_of_link(p, d->type, sizeof(d->type)) < 0)
		return -ENOENT;
	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/iommu_group", d->uuid);
	if (kp_sysfs_link_name(p, g, sizeof(g)) > 0)
		d->group = atoi(g);
	return 0;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct kp_mdev_dev *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);

	return c ? c : strcmp(x->uuid, y->uuid);
}

int kp_mdev_active(struct kp_mdev_dev **out, size_t *n)
{
	char **names;
	size_t nn, i, k = 0;
	struct kp_mdev_dev *v;
	int r;

	*out = NULL;
	*n = 0;
	r = list_dir(KP_MDEV_BUS, 0, &names, &nn);
	if (r < 0)
		return r;
	v = calloc(nn ? nn : 1, sizeof(*v));
	if (!v) {
		kp_mdev_names_free(names, nn);
		return -ENOMEM;
	}
	for (i = 0; i < nn; i++)
		if (kp_uuid_check(names[i]) == 0 && kp_mdev_get(names[i], &v[k]) == 0)
			k++;
	kp_mdev_names_free(names, nn);
	if (k)
		qsort(v, k, sizeof(*v), cmp_dev);
	*out = v;
	*n = k;
	return 0;
}

/* ---- UUIDs ---------------------------------------------------------- */

void kp_uuid_lower(const char *in, char out[37])
{
	int i;

	for (i = 0; i < 36 && in[i]; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

int kp_uuid_generate(char out[37])
{
	unsigned char b[16];
	size_t got = 0;

	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		got += (size_t)r;
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
	return 0;
}

/* ---- create / remove ------------------------------------------------ */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* the device and its group are there: 1; not yet: 0 */
static int dev_ready(const char *uuid, int *group)
{
	char p[PATH_MAX], g[32];

	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/iommu_group", uuid);
	if (kp_sysfs_link_name(p, g, sizeof(g)) <= 0)
		return 0;
	*group = atoi(g);
	return 1;
}

/* Wait for /sys/bus/mdev/devices/UUID with its iommu_group, looking first,
 * then listening to udev (subsystem mdev) until the time is up; gives up
 * at once when the type's directory (the parent) goes. */
static int wait_dev(const char *parent, const char *type, const char *uuid, int timeout_ms,
		    int *group)
{
	struct udev *udev = NULL;
	struct udev_monitor *mon = NULL;
	long deadline = now_ms() + timeout_ms;
	char tdir[PATH_MAX];
	int r = 0, subscribed = 0;

	snprintf(tdir, sizeof(tdir), KP_MDEV_CLASS "/%s/mdev_supported_types/%s", parent, type);
	for (;;) {
		long left;

		if (dev_ready(uuid, group))
			break;
		if (!kp_sysfs_exists(tdir)) {
			r = -ENODEV;
			break;
		}
		if (kp_journal_signal()) {
			r = -EINTR;
			break;
		}
		if (!subscribed) {
			subscribed = 1;
			udev = udev_new();
			if (udev)
				mon = udev_monitor_new_from_netlink(udev, "udev");
			if (mon && (udev_monitor_filter_add_match_subsystem_devtype(mon, "mdev",
										    NULL) < 0 ||
				    udev_monitor_enable_receiving(mon) < 0)) {
				udev_monitor_unref(mon);
				mon = NULL;
			}
			continue;
		}
		left = deadline - now_ms();
		if (left <= 0) {
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

int kp_mdev_create(const char *parent, const char *type, const char *uuid, int timeout_ms,
		   int *written, int *left)
{
	char p[PATH_MAX], u[37];
	int r, group = -1;
	long t0 = now_ms();

	if (left)
		*left = 0;
	if (written)
		*written = 0;
	if (kp_uuid_check(uuid) < 0)
		return -EINVAL;
	kp_uuid_lower(uuid, u);
	if (!name_ok(parent) || !name_ok(type))
		return -ENOENT;
	snprintf(p, sizeof(p), KP_MDEV_CLASS "/%s/mdev_supported_types/%s/create", parent, type);
	r = kp_sysfs_write(p, u);
	if (r < 0)
		return r;
	if (written)
		*written = 1;
	r = wait_dev(parent, type, u, timeout_ms, &group);
	if (r == 0) {
		long rest = timeout_ms - (now_ms() - t0);

		r = kp_vfio_wait(group, rest > 0 ? (int)rest : 0);
	}
	if (r < 0) {
		char rp[PATH_MAX];

		snprintf(rp, sizeof(rp), KP_MDEV_BUS "/%s", u);
		if (kp_sysfs_exists(rp) && kp_mdev_remove(u) < 0 && left)
			*left = 1;
	}
	return r;
}

int kp_mdev_remove(const char *uuid)
{
	char p[PATH_MAX], u[37];

	if (kp_uuid_check(uuid) < 0)
		return -EINVAL;
	kp_uuid_lower(uuid, u);
	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/remove", u);
	return kp_sysfs_write(p, "1");
}

int kp_mdev_write_attr(const char *uuid, const char *key, const char *value)
{
	char p[PATH_MAX], u[37];

	if (kp_uuid_check(uuid) < 0 || !name_ok(key))
		return -EINVAL;
	kp_uuid_lower(uuid, u);
	snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/%s", u, key);
	if (!kp_sysfs_exists(p))
		return -ENOENT;
	return kp_sysfs_write(p, value);
}

/* ---- holders -------------------------------------------------------- */

int kp_mdev_holder(const struct kp_mdev_dev *d, pid_t *pid, char *comm, size_t n)
{
	char proc[PATH_MAX], node[64], cdev[64] = "", p[PATH_MAX], **pids, **fds;
	size_t np, nf, i, j;
	int r, found = 0;

	if (d->vendor) {
		char g[32];

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", d->uuid);
		if (kp_sysfs_link_name(p, g, sizeof(g)) <= 0)
			return 0;
		snprintf(node, sizeof(node), "/dev/vfio/%s", g);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vfio-dev", d->uuid);
	} else {
		if (d->group < 0)
			return 0;
		snprintf(node, sizeof(node), "/dev/vfio/%d", d->group);
		snprintf(p, sizeof(p), KP_MDEV_BUS "/%s/vfio-dev", d->uuid);
	}
	/* the vfio cdev of the device (iommufd), when the kernel has it */
	{
		char **v;
		size_t nv;

		if (list_dir(p, 0, &v, &nv) == 0) {
			if (nv)
				snprintf(cdev, sizeof(cdev), "/dev/vfio/devices/%s", v[0]);
			kp_mdev_names_free(v, nv);
		}
	}
	r = kp_path(proc, sizeof(proc), "/proc");
	if (r < 0)
		return r;
	r = list_dir(proc, 0, &pids, &np);
	if (r < 0)
		return r;
	for (i = 0; i < np && !found; i++) {
		if (!isdigit((unsigned char)pids[i][0]))
			continue;
		snprintf(p, sizeof(p), "%s/%s/fd", proc, pids[i]);
		if (list_dir(p, 0, &fds, &nf) < 0)
			continue;
		for (j = 0; j < nf && !found; j++) {
			char fp[PATH_MAX], tgt[PATH_MAX];
			ssize_t l;

			snprintf(fp, sizeof(fp), "%s/%s/fd/%s", proc, pids[i], fds[j]);
			l = readlink(fp, tgt, sizeof(tgt) - 1);
			if (l <= 0)
				continue;
			tgt[l] = '\0';
			if (!strcmp(tgt, node) || (cdev[0] && !strcmp(tgt, cdev))) {
				char cp[PATH_MAX];
				FILE *f;

				found = 1;
				*pid = (pid_t)atoi(pids[i]);
				snprintf(comm, n, "?");
				snprintf(cp, sizeof(cp), "%s/%s/comm", proc, pids[i]);
				f = fopen(cp, "re");
				if (f) {
					if (fgets(comm, (int)n, f))
						comm[strcspn(comm, "\n")] = '\0';
					fclose(f);
				}
			}
		}
		kp_mdev_names_free(fds, nf);
	}
	kp_mdev_names_free(pids, np);
	return found;
}

/* ---- definitions ---------------------------------------------------- */

void kp_mdev_def_clear(struct kp_mdev_def *d)
{
	size_t i;

	for (i = 0; i < d->nattrs; i++) {
		free(d->attrs[i].key);
		free(d->attrs[i].value);
	}
	free(d->attrs);
	d->attrs = NULL;
	d->nattrs = 0;
}

int kp_mdev_def_add_attr(struct kp_mdev_def *d, const char *key, const char *value,
			 size_t index)
{
	struct kp_mdev_attr *v = realloc(d->attrs, (d->nattrs + 1) * sizeof(*v));
	char *k, *val;

	if (!v)
		return -ENOMEM;
	d->attrs = v;
	k = strdup(key);
	val = strdup(value);
	if (!k || !val) {
		free(k);
		free(val);
		return -ENOMEM;
	}
	if (index > d->nattrs)
		index = d->nattrs;
	memmove(&v[index + 1], &v[index], (d->nattrs - index) * sizeof(*v));
	v[index].key = k;
	v[index].value = val;
	d->nattrs++;
	return 0;
}

int kp_mdev_def_del_attr(struct kp_mdev_def *d, size_t index)
{
	if (!d->nattrs)
		return -ENOENT;
	if (index >= d->nattrs)
		index = d->nattrs - 1;
	free(d->attrs[index].key);
	free(d->attrs[index].value);
	memmove(&d->attrs[index], &d->attrs[index + 1],
		(d->nattrs - index - 1) * sizeof(*d->attrs));
	d->nattrs--;
	return 0;
}

int kp_mdev_def_parse(const char *text, struct kp_mdev_def *d, char *why, size_t n)
{
	struct json_tokener *tok;
	json_object *o, *ty, *st, *at;
	enum json_tokener_error jerr;
	size_t i, len = strlen(text);
	int r = -EINVAL;

	d->attrs = NULL;
	d->nattrs = 0;
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	o = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	if (!o || jerr != json_tokener_success) {
		snprintf(why, n, "not JSON: %s", json_tokener_error_desc(jerr == json_tokener_continue ? json_tokener_error_parse_eof : jerr));
		goto out;
	}
	/* nothing but white space after the object */
	for (i = json_tokener_get_parse_end(tok); i < len; i++)
		if (!isspace((unsigned char)text[i])) {
			snprintf(why, n, "not JSON: text after the object");
			goto out;
		}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, n, "not a JSON object");
		goto out;
	}
	if (!json_object_object_get_ex(o, "mdev_type", &ty) ||
	    !json_object_is_type(ty, json_type_string) || !name_ok(json_object_get_string(ty))) {
		snprintf(why, n, "no mdev_type string");
		goto out;
	}
	if (!json_object_object_get_ex(o, "start", &st) ||
	    !json_object_is_type(st, json_type_string)) {
		snprintf(why, n, "no start string");
		goto out;
	}
	if (strcmp(json_object_get_string(st), "auto") &&
	    strcmp(json_object_get_string(st), "manual")) {
		snprintf(why, n, "start is '%s', not auto or manual", json_object_get_string(st));
		goto out;
	}
	snprintf(d->type, sizeof(d->type), "%s", json_object_get_string(ty));
	d->autostart = !strcmp(json_object_get_string(st), "auto");
	if (json_object_object_get_ex(o, "attrs", &at) && !json_object_is_type(at, json_type_null)) {
		if (!json_object_is_type(at, json_type_array)) {
			snprintf(why, n, "attrs is not an array");
			goto out;
		}
		for (i = 0; i < json_object_array_length(at); i++) {
			json_object *a = json_object_array_get_idx(at, i);

			if (!json_object_is_type(a, json_type_object) ||
			    json_object_object_length(a) != 1) {
				snprintf(why, n, "attrs[%zu] is not an object with one key", i);
				goto bad;
			}
			json_object_object_foreach(a, key, val) {
				if (!json_object_is_type(val, json_type_string)) {
					snprintf(why, n, "attrs[%zu] (%s): value is not a string", i,
						 key);
					goto bad;
				}
				if (!name_ok(key)) {
					snprintf(why, n, "attrs[%zu]: bad attribute name", i);
					goto bad;
				}
				if (kp_mdev_def_add_attr(d, key, json_object_get_string(val),
							 d->nattrs) < 0) {
					r = -ENOMEM;
					goto bad;
				}
			}
		}
	}
	r = 0;
	goto out;
bad:
	kp_mdev_def_clear(d);
out:
	if (o)
		json_object_put(o);
	json_tokener_free(tok);
	return r;
}

/* serde_json's pretty printer writes an empty array as "[]", json-c's as
 * "[\n  ]": the attrs array serializes itself when empty */
static int empty_array_out(json_object *jso, struct printbuf *pb, int level, int flags)
{
	return printbuf_strappend(pb, "[]");
}

char *kp_mdev_def_text(const struct kp_mdev_def *d)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	char *out;
	size_t i;

	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(o, "mdev_type", json_object_new_string(d->type));
	json_object_object_add(o, "start", json_object_new_string(d->autostart ? "auto" : "manual"));
	for (i = 0; i < d->nattrs; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, d->attrs[i].key, json_object_new_string(d->attrs[i].value));
		json_object_array_add(a, x);
	}
	if (!d->nattrs)
		json_object_set_serializer(a, empty_array_out, NULL, NULL);
	json_object_object_add(o, "attrs", a);
	/* mdevctl: serde_json::to_string_pretty, no final newline */
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
							   JSON_C_TO_STRING_SPACED |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

void kp_mdev_def_path(const struct kp_mdev_def *d, char *buf, size_t n)
{
	snprintf(buf, n, KP_MDEVCTL_DIR "/%s/%s", d->parent, d->uuid);
}

static int cmp_def(const void *a, const void *b)
{
	const struct kp_mdev_def *x = a, *y = b;
	int c = strcmp(x->parent, y->parent);

	return c ? c : strcmp(x->uuid, y->uuid);
}

/* read one definition file through the hardened reader (regular, not a
 * link, not writable by others, size-capped, no NUL); why gets the reason
 * without the file name */
static int read_def(const char *abs, char **text, char *why, size_t n)
{
	struct kp_rfile f;
	size_t l = strlen(abs);
	int r;

	r = kp_rfile_open(&f, abs, DEF_MAX, 0);
	if (r < 0) {
		const char *e = f.err;

		if (!strncmp(e, abs, l) && e[l] == ':')
			e += l + 1;
		while (*e == ' ')
			e++;
		snprintf(why, n, "%s", e);
		kp_rfile_close(&f);
		return r;
	}
	*text = f.text;
	f.text = NULL;
	kp_rfile_close(&f);
	return 0;
}

int kp_mdev_defs_load(const char *parent, const char *uuid, struct kp_mdev_def **out,
		      size_t *n, kp_mdev_bad_fn bad, void *ctx)
{
	char base[PATH_MAX], **parents;
	size_t np, i, k = 0, cap = 0;
	struct kp_mdev_def *v = NULL;
	int r;

	*out = NULL;
	*n = 0;
	r = kp_path(base, sizeof(base), KP_MDEVCTL_DIR);
	if (r < 0)
		return r;
	r = list_dir(base, 0, &parents, &np);
	if (r < 0)
		return r;
	for (i = 0; i < np; i++) {
		char pdir[PATH_MAX], **files;
		size_t nf, j;
		struct stat st;

		/* scripts.d holds mdevctl's callouts and notifiers, not devices */
		if (!strcmp(parents[i], "scripts.d") || (parent && strcmp(parent, parents[i])))
			continue;
		snprintf(pdir, sizeof(pdir), "%s/%s", base, parents[i]);
		if (stat(pdir, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		if (list_dir(pdir, 0, &files, &nf) < 0)
			continue;
		for (j = 0; j < nf; j++) {
			char abs[PATH_MAX], why[256] = "", *text = NULL;
			struct kp_mdev_def d;

			if (kp_uuid_check(files[j]) < 0)
				continue; /* mdevctl skips names that are not UUIDs */
			if (uuid && strcasecmp(uuid, files[j]))
				continue;
			snprintf(abs, sizeof(abs), KP_MDEVCTL_DIR "/%s/%s", parents[i], files[j]);
			memset(&d, 0, sizeof(d));
			if (read_def(abs, &text, why, sizeof(why)) < 0 ||
			    kp_mdev_def_parse(text, &d, why, sizeof(why)) < 0) {
				free(text);
				if (bad)
					bad(abs, why, ctx);
				continue;
			}
			free(text);
			kp_uuid_lower(files[j], d.uuid);
			snprintf(d.parent, sizeof(d.parent), "%s", parents[i]);
			if (k == cap) {
				struct kp_mdev_def *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));

				if (!nv) {
					kp_mdev_def_clear(&d);
					kp_mdev_names_free(files, nf);
					kp_mdev_names_free(parents, np);
					kp_mdev_defs_free(v, k);
					return -ENOMEM;
				}
				v = nv;
			}
			v[k++] = d;
		}
		kp_mdev_names_free(files, nf);
	}
	kp_mdev_names_free(parents, np);
	if (k)
		qsort(v, k, sizeof(*v), cmp_def);
	*out = v;
	*n = k;
	return 0;
}

void kp_mdev_defs_free(struct kp_mdev_def *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kp_mdev_def_clear(&v[i]);
	free(v);
}

int kp_mdev_def_save(const struct kp_mdev_def *d, int *changed)
{
	char path[PATH_MAX], *text;
	int r;

	if (!name_ok(d->parent) || !strcmp(d->parent, "scripts.d") || kp_uuid_check(d->uuid) < 0)
		return -EINVAL;
	kp_mdev_def_path(d, path, sizeof(path));
	text = kp_mdev_def_text(d);
	if (!text)
		return -ENOMEM;
	r = kp_persist_write(path, text, strlen(text), 0644, changed);
	free(text);
	return r;
}

int kp_mdev_def_remove(const struct kp_mdev_def *d, int *changed)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int r;

	if (!name_ok(d->parent) || kp_uuid_check(d->uuid) < 0)
		return -EINVAL;
	kp_mdev_def_path(d, path, sizeof(path));
	r = kp_persist_remove(path, changed);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), KP_MDEVCTL_DIR "/%s", d->parent);
	if (kp_path(dir, sizeof(dir), path) == 0)
		rmdir(dir); /* only when empty */
	return 0;
}

/* ---- NVIDIA vendor-specific vGPU ----------------------------------- */

int kp_vgpu_capable(const char *bdf)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", bdf);
	return kp_sysfs_exists(p);
}

int kp_vgpu_vfs(char ***names, size_t *n)
{
	char **all;
	size_t na, i, k = 0;
	int r;

	*names = NULL;
	*n = 0;
	r = list_dir("/sys/bus/pci/devices", 0, &all, &na);
	if (r < 0)
		return r;
	for (i = 0; i < na; i++) {
		if (kp_vgpu_capable(all[i]))
			all[k++] = all[i];
		else
			free(all[i]);
	}
	*names = all;
	*n = k;
	return 0;
}

int kp_vgpu_current(const char *bdf, long *id)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", bdf);
	return kp_sysfs_read_long(p, id);
}

int kp_vgpu_types(const char *bdf, struct kp_mdev_type **out, size_t *n)
{
	char p[PATH_MAX], *text = NULL, *line, *save = NULL;
	struct kp_mdev_type *v = NULL;
	size_t k = 0;
	FILE *f;
	size_t len = 0;

	*out = NULL;
	*n = 0;
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/creatable_vgpu_types", bdf);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	errno = 0;
	if (getdelim(&text, &len, '\0', f) < 0) {
		int e = ferror(f) ? (errno ? errno : EIO) : 0;

		free(text);
		if (e) {
			fclose(f);
			return -e;
		}
		text = strdup("");
	}
	fclose(f);
	if (!text)
		return -ENOMEM;
	/*
	 * NVIDIA's layout (NVIDIA/kubevirt-gpu-device-plugin README, "Preparing
	 * a GPU to be used in vGPU mode (Ada Lovelace / Hopper and newer)";
	 * NVIDIA/vgpu-device-manager pkg/vgpu/vfio): an "ID    : vGPU Name"
	 * header, then one "1414 : NVIDIA H200X-1-18C" line per type the VF
	 * can take now; only the header once the GPU's capacity is used up.
	 * A line whose first field is not a type id (the header) is skipped.
	 */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':'), *name, *end;
		size_t nl;
		long id;

		if (!colon)
			continue;
		id = strtol(line, &end, 10);
		while (end < colon && isspace((unsigned char)*end))
			end++;
		if (end == line || end != colon || id <= 0)
			continue;
		name = colon + 1;
		while (isspace((unsigned char)*name))
			name++;
		nl = strlen(name);
		while (nl && isspace((unsigned char)name[nl - 1]))
			name[--nl] = '\0';
		if (!nl)
			continue;
		{
			struct kp_mdev_type *nv = realloc(v, (k + 1) * sizeof(*v));

			if (!nv) {
				free(v);
				free(text);
				return -ENOMEM;
			}
			v = nv;
		}
		memset(&v[k], 0, sizeof(v[k]));
		snprintf(v[k].parent, sizeof(v[k].parent), "%s", bdf);
		snprintf(v[k].id, sizeof(v[k].id), "%ld", id);
		snprintf(v[k].name, sizeof(v[k].name), "%s", name);
		snprintf(v[k].api, sizeof(v[k].api), "vfio-pci");
		v[k].available = 1;
		v[k].vendor = 1;
		k++;
	}
	free(text);
	*out = v;
	*n = k;
	return 0;
}

int kp_vgpu_set(const char *bdf, long id)
{
	char p[PATH_MAX], v[32];

	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/nvidia/current_vgpu_type", bdf);
	snprintf(v, sizeof(v), "%ld", id);
	return kp_sysfs_write(p, v);
}

int kp_vgpu_conf_load(struct kp_vgpu_entry **out, size_t *n, char *err, size_t errlen)
{
	struct kp_rfile f;
	struct kp_vgpu_entry *v = NULL;
	char *fld[3];
	size_t nf, k = 0, i;
	int r;

	*out = NULL;
	*n = 0;
	if (err)
		err[0] = '\0';
	r = kp_rfile_open(&f, KP_VGPU_CONF, 0, 0);
	if (r == -ENOENT) {
		kp_rfile_close(&f);
		return 0;
	}
	while (r == 0 && (r = kp_rfile_next(&f, fld, 3, &nf)) > 0) {
		char bdf[13], *end;
		long id;

		r = 0;
		if (nf != 2) {
			r = kp_rfile_bad(&f, "want 'VF-ADDRESS TYPE-ID'");
			break;
		}
		if (kp_bdf_parse(fld[0], bdf) < 0) {
			r = kp_rfile_bad(&f, "invalid VF address '%s'", fld[0]);
			break;
		}
		errno = 0;
		id = strtol(fld[1], &end, 10);
		if (!*fld[1] || *end || errno || id <= 0 || id > 0x7fffffff) {
			r = kp_rfile_bad(&f, "invalid vGPU type id '%s'", fld[1]);
			break;
		}
		for (i = 0; i < k; i++)
			if (!strcmp(v[i].bdf, bdf)) {
				r = kp_rfile_bad(&f, "%s is listed twice", bdf);
				break;
			}
		if (r)
			break;
		{
			struct kp_vgpu_entry *nv = realloc(v, (k + 1) * sizeof(*v));

			if (!nv) {
				r = -ENOMEM;
				break;
			}
			v = nv;
		}
		snprintf(v[k].bdf, sizeof(v[k].bdf), "%s", bdf);
		v[k].type = id;
		k++;
	}
	if (r < 0) {
		if (err)
			snprintf(err, errlen, "%s", f.err[0] ? f.err : strerror(-r));
		kp_rfile_close(&f);
		free(v);
		return r;
	}
	kp_rfile_close(&f);
	*out = v;
	*n = k;
	return 0;
}

int kp_vgpu_conf_save(const struct kp_vgpu_entry *e, size_t n, int *changed)
{
	size_t i, cap = 256 + n * 40, off = 0;
	char *buf;
	int r;

	if (!n)
		return kp_persist_remove(KP_VGPU_CONF, changed);
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	off += (size_t)snprintf(buf, cap, "# kvmprep-mdev: NVIDIA vendor-specific vGPUs set at boot"
				" (VF address, vGPU type id)\n");
	for (i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, cap - off, "%s %ld\n", e[i].bdf, e[i].type);
	r = kp_persist_write(KP_VGPU_CONF, buf, off, 0644, changed);
	free(buf);
	return r;
}
