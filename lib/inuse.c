/* SPDX-License-Identifier: MIT */
#include "inuse.h"
#include "root.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* A path from a format. 0, or -ENAMETOOLONG. */
static int pathf(char *buf, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return len < 0 || (size_t)len >= n ? -ENAMETOOLONG : 0;
}

static void add_reason(struct kp_dev_usage *u, unsigned kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_reason(struct kp_dev_usage *u, unsigned kind, const char *fmt, ...)
{
	va_list ap;

	u->in_use = 1;
	u->kinds |= kind;
	if (u->nreasons < KP_USAGE_REASONS_MAX) {
		char *r = u->reasons[u->nreasons];
		size_t len = strlen(u->reason);

		va_start(ap, fmt);
		vsnprintf(r, KP_USAGE_REASON_LEN, fmt, ap);
		va_end(ap);
		snprintf(u->reason + len, sizeof(u->reason) - len, "%s%s",
			 len ? ", " : "", r);
	}
	u->nreasons++;
}

/* The entries of a directory (no dot files), sorted, so reasons come in
 * the same order on every filesystem. 0 and *names (free with
 * free_names), or -errno. */
static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static int list_dir(const char *path, char ***namesp, size_t *np)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **nn = realloc(names, (cap = cap ? cap * 2 : 16) * sizeof(*nn));

			if (!nn)
				goto nomem;
			names = nn;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto nomem;
		n++;
	}
	closedir(d);
	if (n) /* names is NULL for an empty directory: qsort(NULL, 0) is UB */
		qsort(names, n, sizeof(*names), cmpstr);
	*namesp = names;
	*np = n;
	return 0;
nomem:
	closedir(d);
	free_names(names, n);
	return -ENOMEM;
}

/* ---- network ---------------------------------------------------------- */

/* 1 when path is dir or lies below it. */
static int below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == '\0');
}


/* 1 when the path has name as one of its components. */
static int has_component(const char *path, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = path; (p = strstr(p, name)); p++)
		if ((p == path || p[-1] == '/') && (p[n] == '/' || p[n] == '\0'))
			return 1;
	return 0;
}

static int net_usage(const char *bdf, struct kp_net *net, struct kp_dev_usage *u)
{
	char path[PATH_MAX], **names;
	struct kp_net *own = NULL;
	size_t n;
	int r;

	/* every interface whose device lies below this function: its own
	 * (BDF/net/IF), virtio-net's (BDF/virtioN/net/IF), USB NICs behind a
	 * USB controller, NICs behind a bridge */
	r = list_dir("/sys/class/net", &names, &n);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0; /* no network interfaces at all */
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		const char *ifn = names[i];
		char target[PATH_MAX];
		struct kp_link_usage lu;
		ssize_t len;

		/* ../../devices/pci0000:00/0000:00:03.0/virtio0/net/eth0: a PCI
		 * address names one device in the whole tree, so the
		 * interface is below this function when its path holds the
		 * address as a component (one readlink, not a realpath) */
		if (pathf(path, sizeof(path), "/sys/class/net/%s", ifn) < 0)
			continue;
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (!has_component(target, bdf))
			continue;

		if (!net) {
			r = kp_net_new(&own);
			if (r < 0)
				break;
			net = own;
		}
		r = kp_link_usage(ifn, net, &lu);
		if (r < 0)
			break;
		if (!lu.exists)
			continue;
		if (lu.naddrs > 1)
			add_reason(u, KP_USE_NET, "%s has %s and %d more address%s", ifn,
				   lu.addrs[0], lu.naddrs - 1, lu.naddrs > 2 ? "es" : "");
		else if (lu.naddrs == 1)
			add_reason(u, KP_USE_NET, "%s has %s", ifn, lu.addrs[0]);
		if (lu.default_route)
			add_reason(u, KP_USE_NET, "%s carries the default route", ifn);
		else if (lu.nroutes > 0 && lu.naddrs == 0)
			add_reason(u, KP_USE_NET, "%s carries %d route%s", ifn,
				   lu.nroutes, lu.nroutes > 1 ? "s" : "");
		if (lu.master_ifindex > 0) {
			if (lu.master[0] && lu.master_kind[0])
				add_reason(u, KP_USE_NET, "%s is a port of %s %s", ifn,
					   lu.master_kind, lu.master);
			else if (lu.master[0])
				add_reason(u, KP_USE_NET, "%s is enslaved to %s", ifn, lu.master);
			else
				add_reason(u, KP_USE_NET, "%s is enslaved to link %d", ifn,
					   lu.master_ifindex);
		}
	}
	free_names(names, n);
	kp_net_free(own);
	return r < 0 ? r : 0;
}

/* ---- block ------------------------------------------------------------ */

struct mounts {
	char *mountinfo; /* NULL when unreadable */
	char *mounts;    /* /proc/self/mounts, read only without mountinfo */
	char *swaps;
};

/* The mountinfo escapes (\040 for a space, …) undone in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* Without mountinfo (a captured host, a minimal tree): where /dev/NAME is
 * mounted according to /proc/self/mounts. 1 or 0. */
static int mounted_by_name(const struct mounts *m, const char *name, char *out, size_t n)
{
	const char *line = m->mounts;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[4096], *src, *mp, *save = NULL;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			src = strtok_r(buf, " ", &save);
			mp = strtok_r(NULL, " ", &save);
			if (src && mp) {
				unescape(src);
				if (!strncmp(src, "/dev/", 5) && !strcmp(src + 5, name)) {
					unescape(mp);
					snprintf(out, n, "%s", mp);
					return 1;
				}
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* Where "maj:min" is mounted (the first mount point), into out. 1 or 0. */
static int mounted_at(const struct mounts *m, const char *majmin, char *out, size_t n)
{
	const char *line = m->mountinfo;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[4096], *f[5], *save = NULL, *tok;
		int i = 0;

		if (len < sizeof(buf)) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* id parent maj:min root mountpoint … */
			for (tok = strtok_r(buf, " ", &save); tok && i < 5;
			     tok = strtok_r(NULL, " ", &save))
				f[i++] = tok;
			if (i == 5 && !strcmp(f[2], majmin)) {
				unescape(f[4]);
				snprintf(out, n, "%s", f[4]);
				return 1;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* Whether /proc/swaps names this block device (by /dev/NAME, or by a path
 * whose device number is dev). */
static int used_as_swap(const struct mounts *m, const char *name, dev_t dev)
{
	const char *line = m->swaps;
	int first = 1;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char buf[4096], *sp;
		struct stat st;

		if (!first && len < sizeof(buf)) { /* first line: the header */
			memcpy(buf, line, len);
			buf[len] = '\0';
			sp = strpbrk(buf, " \t");
			if (sp)
				*sp = '\0';
			unescape(buf);
			if (!strncmp(buf, "/dev/", 5) && !strcmp(buf + 5, name))
				return 1;
			if (dev && stat(buf, &st) == 0 && S_ISBLK(st.st_mode) &&
			    st.st_rdev == dev)
				return 1;
		}
		first = 0;
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* Reasons for one block device NAME (a disk or a partition): mounted,
 * swap, held; follows holders (dm, md) a few levels. Returns 1 when one
 * was found (reported as via NAME). */
static int block_usage(const char *name, const char *via, const struct mounts *m,
		       struct kp_dev_usage *u, int depth)
{
	char path[PATH_MAX], majmin[32], where[PATH_MAX];
	unsigned maj, min;
	dev_t dev = 0;
	char **names;
	size_t n;
	int found = 0;

	if (pathf(path, sizeof(path), "/sys/class/block/%s/dev", name) < 0)
		return 0;
	if (kp_sysfs_read(path, majmin, sizeof(majmin)) > 0 &&
	    sscanf(majmin, "%u:%u", &maj, &min) == 2)
		dev = makedev(maj, min);
	else
		majmin[0] = '\0';

	if ((m->mountinfo ? majmin[0] && mounted_at(m, majmin, where, sizeof(where))
			  : mounted_by_name(m, name, where, sizeof(where)))) {
		if (via)
			add_reason(u, KP_USE_BLOCK, "%s holds %s, mounted on %s", via, name, where);
		else
			add_reason(u, KP_USE_BLOCK, "%s is mounted on %s", name, where);
		found = 1;
	}
	if (used_as_swap(m, name, dev)) {
		if (via)
			add_reason(u, KP_USE_BLOCK, "%s holds %s, used as swap", via, name);
		else
			add_reason(u, KP_USE_BLOCK, "%s is used as swap", name);
		found = 1;
	}
	if (depth >= 4)
		return found;
	if (pathf(path, sizeof(path), "/sys/class/block/%s/holders", name) < 0)
		return found;
	if (list_dir(path, &names, &n) < 0)
		return found;
	for (size_t i = 0; i < n; i++) {
		/* a mapping or array on top: what is done with it says more,
		 * but being held at all already makes the disk busy */
		if (!block_usage(names[i], via ? via : name, m, u, depth + 1))
			add_reason(u, KP_USE_BLOCK, "%s is held by %s", via ? via : name,
				   names[i]);
		found = 1;
	}
	free_names(names, n);
	return found;
}

/* path is below dir (or is dir). */
static int block_usages(const char *devpath, struct kp_dev_usage *u)
{
	struct mounts m = { NULL, NULL, NULL };
	char **names;
	size_t n;
	int r;

	r = list_dir("/sys/class/block", &names, &n);
	if (r == -ENOENT)
		return 0; /* no block devices at all */
	if (r < 0)
		return r;
	r = kp_read_file("/proc/self/mountinfo", &m.mountinfo, NULL);
	if (r == -ENOENT)
		r = kp_read_file("/proc/self/mounts", &m.mounts, NULL);
	if (r == 0 || r == -ENOENT)
		r = kp_read_file("/proc/swaps", &m.swaps, NULL);
	if (r < 0 && r != -ENOENT)
		goto out;
	r = 0;
	for (size_t i = 0; i < n; i++) {
		char link[PATH_MAX], real[PATH_MAX];

		if (pathf(link, sizeof(link), "/sys/class/block/%s", names[i]) < 0)
			continue;
		if (!realpath(link, real) || !below(real, devpath))
			continue;
		block_usage(names[i], NULL, &m, u, 0);
	}
out:
	free_names(names, n);
	free(m.mountinfo);
	free(m.mounts);
	free(m.swaps);
	return r;
}

/* ---- display ---------------------------------------------------------- */

static int display_usage(const char *devpath, struct kp_dev_usage *u)
{
	char path[PATH_MAX], drv[64];
	long boot_vga = 0;

	if (pathf(path, sizeof(path), "%s/boot_vga", devpath) < 0)
		return 0;
	if (kp_sysfs_read_long(path, &boot_vga) < 0 || boot_vga != 1)
		return 0;
	if (pathf(path, sizeof(path), "%s/driver", devpath) < 0)
		return 0;
	if (kp_sysfs_link_name(path, drv, sizeof(drv)) < 0)
		return 0; /* no driver: nothing draws the console through it */
	if (!strcmp(drv, "vfio-pci") || !strcmp(drv, "pci-stub"))
		return 0;
	add_reason(u, KP_USE_DISPLAY, "boot display (driven by %s)", drv);
	return 0;
}

int kp_pcidev_usage(const char *bdf, struct kp_net *net, struct kp_dev_usage *u)
{
	char link[PATH_MAX], devpath[PATH_MAX];
	int r;

	if (!bdf || !u || strchr(bdf, '/'))
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	if (pathf(link, sizeof(link), "/sys/bus/pci/devices/%s", bdf) < 0)
		return -EINVAL;
	if (!realpath(link, devpath))
		return errno == ENOENT ? -ENODEV : -errno;
	r = net_usage(bdf, net, u);
	if (r == 0)
		r = block_usages(devpath, u);
	if (r == 0)
		r = display_usage(devpath, u);
	return r;
}
