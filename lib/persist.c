/* SPDX-License-Identifier: MIT */
#include "persist.h"
#include "ids.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p of the directory part of a (prefixed) path. */
static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX], *p;

	if (strlen(path) >= sizeof(buf))
		return -ENAMETOOLONG;
	strcpy(buf, path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return 0;
}

static int same_content(const char *path, const char *data, size_t len)
{
	struct stat st;
	char *buf;
	int fd, same = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && (size_t)st.st_size == len) {
		buf = malloc(len + 1);
		if (buf && read(fd, buf, len + 1) == (ssize_t)len)
			same = memcmp(buf, data, len) == 0;
		free(buf);
	}
	close(fd);
	return same;
}

static int fsync_dir(const char *path)
{
	char dir[PATH_MAX], *slash;
	int fd, r = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		return 0;
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int kp_persist_write(const char *abs, const char *data, size_t len, mode_t mode,
		     int *changed)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	size_t off = 0;
	int fd, r;

	if (changed)
		*changed = 0;
	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	if (same_content(path, data, len))
		return 0;
	r = mkdir_parents(path);
	if (r < 0)
		return r;
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			r = -errno;
			goto fail;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		r = -errno;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		r = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		r = -errno;
		goto fail;
	}
	if (changed)
		*changed = 1;
	return fsync_dir(path);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return r;
}

int kp_persist_remove(const char *abs, int *changed)
{
	char path[PATH_MAX];
	int r;

	if (changed)
		*changed = 0;
	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (changed)
		*changed = 1;
	return fsync_dir(path);
}

int kp_persist_parse(const char *text, struct kp_persist_entry **out, size_t *nout,
		     int *line)
{
	struct kp_persist_entry *v = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	int lineno = 0;

	*out = NULL;
	*nout = 0;
	while (*p) {
		char buf[256], bdf[32], id[32], drv[64], extra[8];
		size_t w = strcspn(p, "\n");
		const char *s;
		int k;

		lineno++;
		snprintf(buf, sizeof(buf), "%.*s", (int)(w < sizeof(buf) - 1 ? w : sizeof(buf) - 1), p);
		p += w;
		if (*p == '\n')
			p++;
		for (s = buf; *s == ' ' || *s == '\t'; s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct kp_persist_entry *nv = realloc(v, nc * sizeof(*nv));

			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
			cap = nc;
		}
		memset(&v[n], 0, sizeof(v[n]));
		k = sscanf(s, "%31s %31s %63s %7s", bdf, id, drv, extra);
		if (k != 3 || w >= sizeof(buf) - 1 || kp_bdf_parse(bdf, v[n].bdf) < 0 ||
		    kp_pciid_parse(id, &v[n].vendor, &v[n].device) < 0 ||
		    strlen(drv) >= sizeof(v[n].driver)) {
			free(v);
			if (line)
				*line = lineno;
			return -EINVAL;
		}
		strcpy(v[n].driver, drv);
		n++;
	}
	*out = v;
	*nout = n;
	return 0;
}

int kp_persist_load(struct kp_persist_entry **out, size_t *n, int *line)
{
	char *text;
	int r;

	*out = NULL;
	*n = 0;
	r = kp_read_file(KP_VFIO_CONF, &text, NULL);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = kp_persist_parse(text, out, n, line);
	free(text);
	return r;
}

static char *join(const struct kp_persist_entry *e, size_t n, const char *head,
		  int rules)
{
	size_t cap = strlen(head) + 1 + n * 256, len;
	char *buf = malloc(cap);
	size_t i;

	if (!buf)
		return NULL;
	len = (size_t)snprintf(buf, cap, "%s", head);
	for (i = 0; i < n; i++) {
		if (rules)
			len += (size_t)snprintf(buf + len, cap - len,
				"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
				"ATTR{vendor}==\"0x%04x\", ATTR{device}==\"0x%04x\", "
				"ATTR{driver_override}=\"%s\", RUN{builtin}+=\"kmod load %s\"\n",
				e[i].bdf, e[i].vendor, e[i].device, e[i].driver, e[i].driver);
		else
			len += (size_t)snprintf(buf + len, cap - len, "%s %04x:%04x %s\n",
						e[i].bdf, e[i].vendor, e[i].device, e[i].driver);
	}
	return buf;
}

char *kp_persist_conf_text(const struct kp_persist_entry *e, size_t n)
{
	return join(e, n,
		    "# kvmprep-iommu: devices bound at boot (written by 'kvmprep-iommu bind --persist')\n"
		    "# address vendor:device driver\n", 0);
}

char *kp_persist_rules_text(const struct kp_persist_entry *e, size_t n)
{
	return join(e, n,
		    "# Generated by kvmprep-iommu from /etc/kvmprep/vfio.conf: do not edit.\n"
		    "# Sets driver_override when a persisted device is added, so that its\n"
		    "# host driver never takes it; kvmprep-vfio.service binds the rest.\n", 1);
}

int kp_persist_save(const struct kp_persist_entry *e, size_t n, int *changed)
{
	char *conf, *rules;
	int r, c1 = 0, c2 = 0;

	if (changed)
		*changed = 0;
	if (n == 0) {
		r = kp_persist_remove(KP_VFIO_RULES, &c1);
		if (r == 0)
			r = kp_persist_remove(KP_VFIO_CONF, &c2);
		if (changed)
			*changed = c1 || c2;
		return r;
	}
	conf = kp_persist_conf_text(e, n);
	rules = kp_persist_rules_text(e, n);
	if (!conf || !rules) {
		free(conf);
		free(rules);
		return -ENOMEM;
	}
	/* the conf first: it is what the boot unit reads */
	r = kp_persist_write(KP_VFIO_CONF, conf, strlen(conf), 0644, &c1);
	if (r == 0)
		r = kp_persist_write(KP_VFIO_RULES, rules, strlen(rules), 0644, &c2);
	free(conf);
	free(rules);
	if (changed)
		*changed = c1 || c2;
	return r;
}
