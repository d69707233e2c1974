/* SPDX-License-Identifier: MIT */
#include "persist.h"
#include "ids.h"
#include "devid.h"
#include "rfile.h"
#include "root.h"
#include "target.h"

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

/* --root DIR: the directory of path must resolve inside DIR (an absolute
 * symlink in the target, /etc/x -> /etc/y, would reach the running host) */
static int inside_target(const char *path)
{
	char dir[PATH_MAX], real[PATH_MAX], *slash;
	const char *t = kp_target();
	size_t tl = strlen(t);

	if (!t[0] || strncmp(path, t, tl) != 0)
		return 0;
	/* the nearest directory that exists: before any is made */
	snprintf(dir, sizeof(dir), "%s", path);
	for (;;) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return -EXDEV;
		*slash = '\0';
		if (realpath(dir, real))
			break;
		if (errno != ENOENT)
			return -errno;
	}
	if (strncmp(real, t, tl) != 0 || (real[tl] != '\0' && real[tl] != '/'))
		return -EXDEV;
	return 0;
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
	r = inside_target(path);
	if (r == 0)
		r = mkdir_parents(path);
	if (r == 0)
		r = inside_target(path);
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
	struct stat st;

	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return r;
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	r = inside_target(path);
	if (r < 0)
		return r;
	if (unlink(path) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (changed)
		*changed = 1;
	return fsync_dir(path);
}

int kp_persist_entry_check(const struct kp_persist_entry *e)
{
	char canon[13];

	if (!e || kp_bdf_parse(e->bdf, canon) < 0 || strcmp(canon, e->bdf) != 0 ||
	    e->vendor > 0xffff || e->device > 0xffff ||
	    !memchr(e->driver, '\0', sizeof(e->driver)) || kp_driver_check(e->driver) < 0)
		return -EINVAL;
	if (e->has_subsys && (e->subvendor > 0xffff || e->subdevice > 0xffff))
		return -EINVAL;
	if (!memchr(e->dsn, '\0', sizeof(e->dsn)) || (e->dsn[0] && kp_dsn_check(e->dsn) < 0))
		return -EINVAL;
	if (!memchr(e->host, '\0', sizeof(e->host)) || (e->host[0] && kp_driver_check(e->host) < 0))
		return -EINVAL;
	return 0;
}

/* The optional KEY=VALUE fields of a vfio.conf line, each at most once. */
static int parse_optional(struct kp_rfile *f, struct kp_persist_entry *e, char **fld, size_t n)
{
	int seen_dsn = 0;

	for (size_t i = 0; i < n; i++) {
		const char *v = strchr(fld[i], '=');

		if (!v)
			return kp_rfile_bad(f, "unknown field '%.32s' (want subsys=, dsn= or host=)", fld[i]);
		v++;
		if (!strncmp(fld[i], "subsys=", 7)) {
			if (e->has_subsys)
				return kp_rfile_bad(f, "subsys= given twice");
			if (kp_pciid_parse(v, &e->subvendor, &e->subdevice) < 0)
				return kp_rfile_bad(f, "invalid subsys= (want VVVV:DDDD, e.g. 10de:12a2)");
			e->has_subsys = 1;
		} else if (!strncmp(fld[i], "dsn=", 4)) {
			if (seen_dsn++)
				return kp_rfile_bad(f, "dsn= given twice");
			if (kp_dsn_check(v) < 0)
				return kp_rfile_bad(f, "invalid dsn= (want the serial as lspci prints it, "
						    "00-11-22-33-44-55-66-77)");
			strcpy(e->dsn, v);
		} else if (!strncmp(fld[i], "host=", 5)) {
			if (e->host[0])
				return kp_rfile_bad(f, "host= given twice");
			if (kp_driver_check(v) < 0)
				return kp_rfile_bad(f, "invalid host= driver name (1-31 of A-Z a-z 0-9 _ -)");
			strcpy(e->host, v);
		} else {
			return kp_rfile_bad(f, "unknown field '%.32s' (want subsys=, dsn= or host=)", fld[i]);
		}
	}
	return 0;
}

int kp_persist_parse(struct kp_rfile *f, struct kp_persist_entry **out, size_t *nout)
{
	struct kp_persist_entry *v = NULL;
	int *lines = NULL;
	size_t n = 0, cap = 0, nf;
	char *fld[6];
	int r;

	*out = NULL;
	*nout = 0;
	while ((r = kp_rfile_next(f, fld, 6, &nf)) > 0) {
		struct kp_persist_entry e;

		memset(&e, 0, sizeof(e));
		if (nf < 3 || nf > 6) {
			r = kp_rfile_bad(f, "want ADDRESS VVVV:DDDD DRIVER [subsys=VVVV:DDDD] "
					 "[dsn=SERIAL] [host=DRIVER], got %zu field%s", nf,
					 nf == 1 ? "" : "s");
			break;
		}
		if ((r = parse_optional(f, &e, fld + 3, nf - 3)) < 0)
			break;
		if (kp_bdf_parse(fld[0], e.bdf) < 0) {
			r = kp_rfile_bad(f, "invalid PCI address (want 0000:01:00.0)");
			break;
		}
		if (kp_pciid_parse(fld[1], &e.vendor, &e.device) < 0) {
			r = kp_rfile_bad(f, "invalid vendor:device (want VVVV:DDDD, e.g. 10de:1eb8)");
			break;
		}
		if (kp_driver_check(fld[2]) < 0) {
			r = kp_rfile_bad(f, "invalid driver name (1-31 of A-Z a-z 0-9 _ -)");
			break;
		}
		strcpy(e.driver, fld[2]);
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].bdf, e.bdf) == 0) {
				r = kp_rfile_bad(f, "duplicate entry for %s (first on line %d)",
						 e.bdf, lines[i]);
				goto fail;
			}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct kp_persist_entry *nv = realloc(v, nc * sizeof(*nv));
			int *nl;

			if (nv)
				v = nv;
			nl = nv ? realloc(lines, nc * sizeof(*nl)) : NULL;
			if (!nl) {
				r = -ENOMEM;
				goto fail;
			}
			lines = nl;
			cap = nc;
		}
		lines[n] = f->line;
		v[n++] = e;
	}
	if (r < 0)
		goto fail;
	free(lines);
	*out = v;
	*nout = n;
	return 0;
fail:
	free(lines);
	free(v);
	return r;
}

int kp_persist_load(struct kp_persist_entry **out, size_t *n, char *err)
{
	struct kp_rfile f;
	int r;

	*out = NULL;
	*n = 0;
	err[0] = '\0';
	r = kp_rfile_open(&f, KP_VFIO_CONF, KP_VFIO_CONF_MAX, 0);
	if (r == 0)
		r = kp_persist_parse(&f, out, n);
	if (r == -ENOMEM && !f.err[0])
		snprintf(f.err, sizeof(f.err), "%s: cannot read: %s", f.name, strerror(ENOMEM));
	if (r < 0 && r != -ENOENT)
		snprintf(err, KP_RFILE_ERRLEN, "%s", f.err);
	kp_rfile_close(&f);
	return r == -ENOENT ? 0 : r;
}

/* A value for a udev rule, inside "…": udev unescapes \" and substitutes
 * $name and %c in assigned values (driver_override, RUN), so those are
 * escaped; control characters cannot be written and fail. The entries are
 * validated before this, so for them it changes nothing: it is the last
 * line of defence, not the first. */
static int udev_escape(char *dst, size_t n, const char *src)
{
	size_t o = 0;

	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		const char *rep = NULL;
		char one[2] = { (char)c, '\0' };

		if (c < 0x20 || c == 0x7f)
			return -EINVAL;
		if (c == '"')
			rep = "\\\"";
		else if (c == '\\')
			return -EINVAL; /* a backslash before the closing quote escapes it */
		else if (c == '$')
			rep = "$$";
		else if (c == '%')
			rep = "%%";
		else
			rep = one;
		if (o + strlen(rep) >= n)
			return -ENAMETOOLONG;
		memcpy(dst + o, rep, strlen(rep));
		o += strlen(rep);
	}
	dst[o] = '\0';
	return 0;
}

static char *join(const struct kp_persist_entry *e, size_t n, const char *head,
		  int rules)
{
	size_t cap = strlen(head) + 1 + n * 512, len;
	char *buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (kp_persist_entry_check(&e[i]) < 0) {
			errno = EINVAL;
			return NULL;
		}
	buf = malloc(cap);
	if (!buf)
		return NULL;
	len = (size_t)snprintf(buf, cap, "%s", head);
	for (i = 0; i < n; i++) {
		char bdf[64], drv[128];

		if (rules) {
			if (udev_escape(bdf, sizeof(bdf), e[i].bdf) < 0 ||
			    udev_escape(drv, sizeof(drv), e[i].driver) < 0) {
				free(buf);
				errno = EINVAL;
				return NULL;
			}
			char sub[96] = "";

			/* the subsystem ids too: another card of the same model
			 * in the slot is left to its own driver */
			if (e[i].has_subsys)
				snprintf(sub, sizeof(sub), "ATTR{subsystem_vendor}==\"0x%04x\", "
					 "ATTR{subsystem_device}==\"0x%04x\", ", e[i].subvendor,
					 e[i].subdevice);
			len += (size_t)snprintf(buf + len, cap - len,
				"ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
				"ATTR{vendor}==\"0x%04x\", ATTR{device}==\"0x%04x\", %s"
				"ATTR{driver_override}=\"%s\", RUN{builtin}+=\"kmod load %s\"\n",
				bdf, e[i].vendor, e[i].device, sub, drv, drv);
		} else {
			len += (size_t)snprintf(buf + len, cap - len, "%s %04x:%04x %s",
						e[i].bdf, e[i].vendor, e[i].device, e[i].driver);
			if (e[i].has_subsys)
				len += (size_t)snprintf(buf + len, cap - len, " subsys=%04x:%04x",
							e[i].subvendor, e[i].subdevice);
			if (e[i].dsn[0])
				len += (size_t)snprintf(buf + len, cap - len, " dsn=%s", e[i].dsn);
			if (e[i].host[0])
				len += (size_t)snprintf(buf + len, cap - len, " host=%s", e[i].host);
			len += (size_t)snprintf(buf + len, cap - len, "\n");
		}
	}
	return buf;
}

char *kp_persist_conf_text(const struct kp_persist_entry *e, size_t n)
{
	return join(e, n,
		    "# kvmprep-iommu: devices bound at boot (written by 'kvmprep-iommu bind --persist')\n"
		    "# address vendor:device driver [subsys=VVVV:DDDD] [dsn=SERIAL] [host=DRIVER]\n", 0);
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
	return kp_persist_save_ex(e, n, changed, NULL);
}

int kp_persist_save_ex(const struct kp_persist_entry *e, size_t n, int *changed,
		       const char **failed)
{
	const char *dummy;
	char *conf, *rules;
	int r, c1 = 0, c2 = 0;

	if (!failed)
		failed = &dummy;
	*failed = KP_VFIO_CONF;
	if (changed)
		*changed = 0;
	if (n == 0) {
		*failed = KP_VFIO_RULES;
		r = kp_persist_remove(KP_VFIO_RULES, &c1);
		if (r == 0) {
			*failed = KP_VFIO_CONF;
			r = kp_persist_remove(KP_VFIO_CONF, &c2);
		}
		if (changed)
			*changed = c1 || c2;
		return r;
	}
	conf = kp_persist_conf_text(e, n);
	rules = kp_persist_rules_text(e, n);
	if (!conf || !rules) {
		r = errno == EINVAL ? -EINVAL : -ENOMEM;
		free(conf);
		free(rules);
		return r;
	}
	/* the conf first: it is what the boot unit reads; when the rule cannot
	 * be written, the conf goes back to what it was (both or neither) */
	{
		char *old = NULL;
		size_t oldlen = 0;
		int had = kp_read_file(KP_VFIO_CONF, &old, &oldlen) == 0;

		r = kp_persist_write(KP_VFIO_CONF, conf, strlen(conf), 0644, &c1);
		if (r == 0) {
			*failed = KP_VFIO_RULES;
			r = kp_persist_write(KP_VFIO_RULES, rules, strlen(rules), 0644, &c2);
		}
		if (r < 0 && c1) {
			if (had)
				kp_persist_write(KP_VFIO_CONF, old, oldlen, 0644, NULL);
			else
				kp_persist_remove(KP_VFIO_CONF, NULL);
			c1 = 0;
		}
		free(old);
	}
	free(conf);
	free(rules);
	if (changed)
		*changed = c1 || c2;
	return r;
}
