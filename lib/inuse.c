/* SPDX-License-Identifier: MIT */
#include "inuse.h"
#include "iommu.h"
#include "mdev.h"
#include "root.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libudev.h>

/* ---- what one run reads once ------------------------------------------ */

struct blk {
	char *name;
	char *target;  /* the /sys/class/block link's target */
	char *owners;  /* NVMe multipath: the subsystem's controllers' link targets,
			* '\n'-separated; NULL otherwise */
	int dev_read;
	char majmin[16]; /* "" when unknown */
};

struct mnt {
	char majmin[16];
	char *mp, *fstype, *source;
	int src_read;
	char src_majmin[16]; /* the source's device number when it is a block node */
};

struct swp {
	char *path;
	int dev_read;
	char majmin[16];
};

struct netif {
	char *name;
	char *target;
};

struct fdref {
	int pid;
	char comm[32];
	char *path;
};

struct btrfs_dev {
	char *name;   /* block device name */
	char *fsid;
};

/* Which entries (block devices, interfaces) lie below which PCI function:
 * every address in an entry's sysfs path, sorted, looked up per device. */
struct bdfref {
	char bdf[13];
	size_t idx;
};

struct bdfindex {
	struct bdfref *v;
	size_t n, cap;
	int sorted;
};

struct kp_inuse {
	/* kp_inuse_set_scan: the whole host, and its VFs by PF */
	struct kp_pci *scan;
	const struct kp_pcidev **vfs; /* the scan's VFs, by (physfn, bdf) */
	size_t nvfs;
	int vfs_read;

	struct bdfindex blk_idx, if_idx;
	int blk_read;
	struct blk *blks;
	size_t nblk;

	int mnt_read;
	int have_mountinfo;
	struct mnt *mnts;
	size_t nmnt;
	struct swp *swps;
	size_t nswp;

	int btrfs_read;
	struct btrfs_dev *btrfs;
	size_t nbtrfs;

	int zfs_read;
	char **pools;   /* imported pools */
	size_t npools;
	struct udev *udev;

	int net_read;
	int net_err;
	struct kp_net *net;
	int net_owned;
	struct netif *ifs;
	size_t nif;

	int fd_read;
	struct fdref *fds;
	size_t nfd;

	int mdev_read;      /* the mdev bus, read once (mdevs_read) */
	char **mdevs;       /* its UUIDs, sorted */
	char **mdev_parent; /* the name of each one's parent device */
	size_t nmdev;
};

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

static void add_reason_v(struct kp_dev_usage *u, unsigned kind, unsigned whose,
			 const char *fmt, va_list ap)
{
	u->in_use = 1;
	u->kinds |= kind;
	u->whose |= whose;
	if (u->nreasons < KP_USAGE_REASONS_MAX) {
		char *r = u->reasons[u->nreasons];
		size_t len = strlen(u->reason);

		vsnprintf(r, KP_USAGE_REASON_LEN, fmt, ap);
		snprintf(u->reason + len, sizeof(u->reason) - len, "%s%s",
			 len ? ", " : "", r);
	}
	u->nreasons++;
}

/* A reason whose use is given (kp_usage_whose). */
static void add_reason_for(struct kp_dev_usage *u, unsigned kind, unsigned whose,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add_reason_for(struct kp_dev_usage *u, unsigned kind, unsigned whose,
			   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_reason_v(u, kind, whose, fmt, ap);
	va_end(ap);
}

/* A reason of its kind's usual owner: mdevs and vGPUs are guests', the
 * rest the host's. */
static void add_reason(struct kp_dev_usage *u, unsigned kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_reason(struct kp_dev_usage *u, unsigned kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_reason_v(u, kind, kind == KP_USE_MDEV ? KP_FOR_GUEST : KP_FOR_HOST, fmt, ap);
	va_end(ap);
}

const char *kp_usage_whose(const struct kp_dev_usage *u)
{
	if (u && u->whose == KP_FOR_GUEST)
		return "in use for guests";
	if (u && u->whose == (KP_FOR_HOST | KP_FOR_GUEST))
		return "in use by the host and for guests";
	return "in use by the host";
}

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

/* The entries of a directory (no dot files), sorted, so reasons come in
 * the same order on every filesystem. 0 and *names, or -errno. */
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

/* 1 when the path has name as one of its components: a PCI address names
 * one device in the whole tree, so a sysfs path holding it as a component
 * lies below that function. */
static int has_component(const char *path, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = path; (p = strstr(p, name)); p++)
		if ((p == path || p[-1] == '/') && (p[n] == '/' || p[n] == '\0'))
			return 1;
	return 0;
}

static char *read_link(const char *path)
{
	char target[PATH_MAX];
	ssize_t len = readlink(path, target, sizeof(target) - 1);

	if (len <= 0)
		return NULL;
	target[len] = '\0';
	return strdup(target);
}

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

/* "MAJ:MIN" of a block node path (stat), "" when it is none. */
static void node_majmin(const char *path, char *out, size_t n)
{
	struct stat st;

	out[0] = '\0';
	if (strncmp(path, "/dev/", 5) != 0)
		return;
	if (stat(path, &st) == 0 && S_ISBLK(st.st_mode))
		snprintf(out, n, "%u:%u", major(st.st_rdev), minor(st.st_rdev));
}

/* ---- the address index ----------------------------------------------- */

static int is_bdf_at(const char *s)
{
	static const char pat[] = "hhhh:hh:hh.h";

	for (int i = 0; i < 12; i++) {
		if (pat[i] == 'h' ? !strchr("0123456789abcdef", s[i]) || !s[i] : s[i] != pat[i])
			return 0;
	}
	return s[12] == '/' || s[12] == '\0' || s[12] == '\n';
}

/* Every address that is a component of path, indexed to idx. */
static void index_path(struct bdfindex *x, const char *path, size_t idx)
{
	for (const char *p = path; *p; p++) {
		if ((p != path && p[-1] != '/') || !is_bdf_at(p))
			continue;
		if (x->n == x->cap) {
			size_t nc = x->cap ? x->cap * 2 : 64;
			struct bdfref *nv = realloc(x->v, nc * sizeof(*nv));

			if (!nv)
				return;
			x->v = nv;
			x->cap = nc;
		}
		memcpy(x->v[x->n].bdf, p, 12);
		x->v[x->n].bdf[12] = '\0';
		x->v[x->n].idx = idx;
		x->n++;
		x->sorted = 0;
	}
}

static int cmp_ref(const void *a, const void *b)
{
	const struct bdfref *x = a, *y = b;
	int r = strcmp(x->bdf, y->bdf);

	return r ? r : (x->idx > y->idx) - (x->idx < y->idx);
}

/* The entries below bdf: [*first, *first + count). */
static size_t index_find(struct bdfindex *x, const char *bdf, size_t *first)
{
	size_t lo = 0, hi = x->n, n = 0;

	if (!x->sorted && x->n) {
		qsort(x->v, x->n, sizeof(*x->v), cmp_ref);
		x->sorted = 1;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(x->v[mid].bdf, bdf) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < x->n && !strcmp(x->v[lo + n].bdf, bdf))
		n++;
	return n;
}

static void index_free(struct bdfindex *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

/* ---- block listing ------------------------------------------------------ */

/* NVMe native multipath: the link targets of a subsystem's controllers
 * (nvme-subsysN/nvmeK -> ../../../pci…/BDF/nvme/nvmeK), '\n'-joined. */
static char *subsys_owners(const char *target)
{
	const char *p = strstr(target, "/nvme-subsystem/");
	char dir[PATH_MAX], path[PATH_MAX], **names, *out = NULL;
	size_t n, len = 0, w;

	if (!p)
		return NULL;
	p += strlen("/nvme-subsystem/");
	w = strcspn(p, "/");
	if (pathf(dir, sizeof(dir), "/sys/devices/virtual/nvme-subsystem/%.*s", (int)w, p) < 0)
		return NULL;
	if (list_dir(dir, &names, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *t, *no;
		struct stat st;

		/* controllers are links named nvmeK (no 'n' after the number:
		 * nvme0n1 is the head disk itself, a directory) */
		if (strncmp(names[i], "nvme", 4) || strspn(names[i] + 4, "0123456789") !=
		    strlen(names[i] + 4) || !names[i][4])
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, names[i]) < 0 ||
		    lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
			continue;
		if (!(t = read_link(path)))
			continue;
		no = realloc(out, len + strlen(t) + 2);
		if (!no) {
			free(t);
			break;
		}
		out = no;
		len += (size_t)sprintf(out + len, "%s\n", t);
		free(t);
	}
	free_names(names, n);
	return out;
}

static void blk_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nblk; i++) {
		free(c->blks[i].name);
		free(c->blks[i].target);
		free(c->blks[i].owners);
	}
	free(c->blks);
	c->blks = NULL;
	c->nblk = 0;
	c->blk_read = 0;
	index_free(&c->blk_idx);
}

static int blk_read(struct kp_inuse *c)
{
	char **names, path[PATH_MAX];
	size_t n;
	int r;

	if (c->blk_read)
		return c->blk_read < 0 ? c->blk_read : 0;
	c->blk_read = 1;
	r = list_dir("/sys/class/block", &names, &n);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0; /* no block devices at all */
	if (r < 0)
		return c->blk_read = r;
	c->blks = calloc(n ? n : 1, sizeof(*c->blks));
	if (!c->blks) {
		free_names(names, n);
		return c->blk_read = -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		struct blk *b = &c->blks[c->nblk];

		if (pathf(path, sizeof(path), "/sys/class/block/%s", names[i]) < 0)
			continue;
		b->target = read_link(path);
		if (!b->target)
			continue;
		b->name = names[i];
		names[i] = NULL;
		if (strstr(b->target, "/nvme-subsystem/"))
			b->owners = subsys_owners(b->target);
		index_path(&c->blk_idx, b->target, c->nblk);
		for (const char *o = b->owners; o && *o; o += strcspn(o, "\n") + (o[strcspn(o, "\n")] != 0))
			index_path(&c->blk_idx, o, c->nblk);
		c->nblk++;
	}
	free_names(names, n);
	return 0;
}

/* 1 when block device b sits below the PCI function bdf (directly, or
 * through its NVMe subsystem's controllers). */
static int blk_below(const struct blk *b, const char *bdf)
{
	if (has_component(b->target, bdf))
		return 1;
	for (const char *s = b->owners; s && *s;) {
		size_t w = strcspn(s, "\n");
		char line[PATH_MAX];

		snprintf(line, sizeof(line), "%.*s", (int)w, s);
		if (has_component(line, bdf))
			return 1;
		s += w + (s[w] == '\n');
	}
	return 0;
}

static struct blk *blk_find(struct kp_inuse *c, const char *name)
{
	for (size_t i = 0; i < c->nblk; i++)
		if (!strcmp(c->blks[i].name, name))
			return &c->blks[i];
	return NULL;
}

static const char *blk_majmin(struct blk *b)
{
	char path[PATH_MAX];

	if (!b->dev_read) {
		b->dev_read = 1;
		if (pathf(path, sizeof(path), "/sys/class/block/%s/dev", b->name) < 0 ||
		    kp_sysfs_read(path, b->majmin, sizeof(b->majmin)) <= 0 ||
		    !strcmp(b->majmin, "0:0"))
			b->majmin[0] = '\0';
	}
	return b->majmin;
}

/* ---- mount tables and swaps -------------------------------------------- */

static void mnt_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nmnt; i++) {
		free(c->mnts[i].mp);
		free(c->mnts[i].fstype);
		free(c->mnts[i].source);
	}
	free(c->mnts);
	c->mnts = NULL;
	c->nmnt = 0;
	for (size_t i = 0; i < c->nswp; i++)
		free(c->swps[i].path);
	free(c->swps);
	c->swps = NULL;
	c->nswp = 0;
	c->mnt_read = 0;
}

static int mnt_add(struct kp_inuse *c, const char *majmin, const char *mp, const char *fstype,
		   const char *source)
{
	struct mnt *nm = realloc(c->mnts, (c->nmnt + 1) * sizeof(*nm)), *m;

	if (!nm)
		return -ENOMEM;
	c->mnts = nm;
	m = &c->mnts[c->nmnt];
	memset(m, 0, sizeof(*m));
	snprintf(m->majmin, sizeof(m->majmin), "%s", majmin);
	m->mp = strdup(mp);
	m->fstype = strdup(fstype);
	m->source = strdup(source);
	if (!m->mp || !m->fstype || !m->source) {
		free(m->mp);
		free(m->fstype);
		free(m->source);
		return -ENOMEM;
	}
	unescape(m->mp);
	unescape(m->source);
	c->nmnt++;
	return 0;
}

/* mountinfo: "id parent maj:min root mountpoint opts [optional…] - fstype source sb" */
static int parse_mountinfo(struct kp_inuse *c, char *text)
{
	for (char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		char *f[6], *save = NULL, *tok, *fstype = NULL, *source = NULL;
		int i = 0, r;

		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		/* six fields, and not one token more: without optional fields
		 * (no "shared:N", a mount namespace without propagation) the
		 * next token is the "-" that the loop below looks for */
		for (; i < 6 && (tok = strtok_r(i ? NULL : line, " ", &save)); i++)
			f[i] = tok;
		if (i < 6)
			continue;
		/* after the optional fields: "-" fstype source */
		for (tok = strtok_r(NULL, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			if (!strcmp(tok, "-")) {
				fstype = strtok_r(NULL, " ", &save);
				source = fstype ? strtok_r(NULL, " ", &save) : NULL;
				break;
			}
		r = mnt_add(c, f[2], f[4], fstype ? fstype : "", source ? source : "");
		if (r < 0)
			return r;
	}
	return 0;
}

/* /proc/self/mounts: "source mountpoint fstype opts 0 0" (no numbers) */
static int parse_mounts(struct kp_inuse *c, char *text)
{
	for (char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL) {
		char *save = NULL, *src, *mp, *fs;
		int r;

		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		src = strtok_r(line, " ", &save);
		mp = strtok_r(NULL, " ", &save);
		fs = strtok_r(NULL, " ", &save);
		if (!src || !mp)
			continue;
		r = mnt_add(c, "", mp, fs ? fs : "", src);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_swaps(struct kp_inuse *c, char *text)
{
	int first = 1;

	for (char *line = text, *eol; line && *line; line = eol ? eol + 1 : NULL, first = 0) {
		struct swp *ns;

		eol = strchr(line, '\n');
		if (eol)
			*eol = '\0';
		if (first) /* the header */
			continue;
		line[strcspn(line, " \t")] = '\0';
		if (!*line)
			continue;
		ns = realloc(c->swps, (c->nswp + 1) * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		c->swps = ns;
		memset(&c->swps[c->nswp], 0, sizeof(*ns));
		if (!(c->swps[c->nswp].path = strdup(line)))
			return -ENOMEM;
		unescape(c->swps[c->nswp].path);
		c->nswp++;
	}
	return 0;
}

static int mnt_read(struct kp_inuse *c)
{
	char *text = NULL;
	int r;

	if (c->mnt_read)
		return c->mnt_read < 0 ? c->mnt_read : 0;
	c->mnt_read = 1;
	r = kp_read_file("/proc/self/mountinfo", &text, NULL);
	if (r == 0) {
		c->have_mountinfo = 1;
		r = parse_mountinfo(c, text);
	} else if (r == -ENOENT) {
		r = kp_read_file("/proc/self/mounts", &text, NULL);
		if (r == 0)
			r = parse_mounts(c, text);
	}
	free(text);
	text = NULL;
	if (r < 0 && r != -ENOENT)
		return c->mnt_read = r;
	r = kp_read_file("/proc/swaps", &text, NULL);
	if (r == 0)
		r = parse_swaps(c, text);
	free(text);
	if (r < 0 && r != -ENOENT)
		return c->mnt_read = r;
	return 0;
}

static const char *mnt_src_majmin(struct mnt *m)
{
	if (!m->src_read) {
		m->src_read = 1;
		node_majmin(m->source, m->src_majmin, sizeof(m->src_majmin));
	}
	return m->src_majmin;
}

/* The first mount of block device b: by device number (field 3), by the
 * source's device number (btrfs: 0:NN in field 3), by /dev/NAME. */
static struct mnt *mounted(struct kp_inuse *c, struct blk *b)
{
	const char *mm = blk_majmin(b);

	for (size_t i = 0; i < c->nmnt; i++) {
		struct mnt *m = &c->mnts[i];

		if (mm[0] && m->majmin[0] && !strcmp(m->majmin, mm))
			return m;
		if (!strncmp(m->source, "/dev/", 5) && !strcmp(m->source + 5, b->name))
			return m;
		if (mm[0] && !strncmp(m->source, "/dev/", 5) && !strcmp(mnt_src_majmin(m), mm))
			return m;
	}
	return NULL;
}

static int swapped(struct kp_inuse *c, struct blk *b)
{
	const char *mm = blk_majmin(b);

	for (size_t i = 0; i < c->nswp; i++) {
		struct swp *s = &c->swps[i];

		if (!strncmp(s->path, "/dev/", 5) && !strcmp(s->path + 5, b->name))
			return 1;
		if (!s->dev_read) {
			s->dev_read = 1;
			node_majmin(s->path, s->majmin, sizeof(s->majmin));
		}
		if (mm[0] && s->majmin[0] && !strcmp(s->majmin, mm))
			return 1;
	}
	return 0;
}

/* ---- btrfs: every member device of a mounted filesystem ---------------- */

static void btrfs_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nbtrfs; i++) {
		free(c->btrfs[i].name);
		free(c->btrfs[i].fsid);
	}
	free(c->btrfs);
	c->btrfs = NULL;
	c->nbtrfs = 0;
	c->btrfs_read = 0;
}

/* /sys/fs/btrfs/FSID/devices/NAME -> the block device (one directory per
 * mounted filesystem; "features" is not one). Read only when a btrfs
 * filesystem is mounted. */
static void btrfs_read(struct kp_inuse *c)
{
	char **fsids, path[PATH_MAX];
	size_t nfs;
	int any = 0;

	if (c->btrfs_read)
		return;
	c->btrfs_read = 1;
	for (size_t i = 0; i < c->nmnt; i++)
		any |= !strcmp(c->mnts[i].fstype, "btrfs");
	if (!any || list_dir("/sys/fs/btrfs", &fsids, &nfs) < 0)
		return;
	for (size_t i = 0; i < nfs; i++) {
		char **devs;
		size_t nd;

		if (pathf(path, sizeof(path), "/sys/fs/btrfs/%s/devices", fsids[i]) < 0 ||
		    list_dir(path, &devs, &nd) < 0)
			continue;
		for (size_t j = 0; j < nd; j++) {
			struct btrfs_dev *nb = realloc(c->btrfs, (c->nbtrfs + 1) * sizeof(*nb));

			if (!nb)
				break;
			c->btrfs = nb;
			c->btrfs[c->nbtrfs].name = devs[j];
			c->btrfs[c->nbtrfs].fsid = strdup(fsids[i]);
			devs[j] = NULL;
			if (!c->btrfs[c->nbtrfs].fsid) {
				free(c->btrfs[c->nbtrfs].name);
				break;
			}
			c->nbtrfs++;
		}
		free_names(devs, nd);
	}
	free_names(fsids, nfs);
}

/* The mount of the btrfs filesystem block device b is a member of, when
 * one of its members is a mount's source. */
static struct mnt *btrfs_mounted(struct kp_inuse *c, struct blk *b)
{
	btrfs_read(c);
	for (size_t i = 0; i < c->nbtrfs; i++) {
		if (strcmp(c->btrfs[i].name, b->name))
			continue;
		for (size_t j = 0; j < c->nbtrfs; j++) {
			struct blk *mb;
			struct mnt *m;

			if (strcmp(c->btrfs[j].fsid, c->btrfs[i].fsid) ||
			    !(mb = blk_find(c, c->btrfs[j].name)))
				continue;
			m = mounted(c, mb);
			if (m && !strcmp(m->fstype, "btrfs"))
				return m;
		}
	}
	return NULL;
}

/* ---- ZFS ---------------------------------------------------------------- */

static void zfs_free(struct kp_inuse *c)
{
	free_names(c->pools, c->npools);
	c->pools = NULL;
	c->npools = 0;
	c->zfs_read = 0;
}

/* The imported pools: the ZFS module keeps one kstat directory per pool
 * (/proc/spl/kstat/zfs/POOL/ with state, io, txgs, …). */
static void zfs_read(struct kp_inuse *c)
{
	char dir[PATH_MAX], path[PATH_MAX + 8], **names;
	size_t n;
	struct stat st;

	if (c->zfs_read)
		return;
	c->zfs_read = 1;
	if (kp_path(dir, sizeof(dir), "/proc/spl/kstat/zfs") < 0 || list_dir(dir, &names, &n) < 0)
		return;
	c->pools = calloc(n ? n : 1, sizeof(*c->pools));
	if (!c->pools) {
		free_names(names, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (pathf(path, sizeof(path), "%s/%s", dir, names[i]) < 0 || stat(path, &st) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		c->pools[c->npools++] = names[i];
		names[i] = NULL;
	}
	free_names(names, n);
}

/* The pool block device b carries a vdev of, when that pool is imported:
 * blkid's probe as udev records it (ID_FS_TYPE=zfs_member,
 * ID_FS_LABEL=POOL). 1 with the pool's name, else 0. */
static int zfs_vdev(struct kp_inuse *c, struct blk *b, char *pool, size_t n)
{
	struct udev_device *ud;
	char path[PATH_MAX];
	const char *type, *label;
	int found = 0;

	zfs_read(c);
	if (!c->npools)
		return 0;
	if (!c->udev && !(c->udev = udev_new()))
		return 0;
	if (pathf(path, sizeof(path), "/sys/class/block/%s", b->name) < 0)
		return 0;
	ud = udev_device_new_from_syspath(c->udev, path);
	if (!ud)
		return 0;
	type = udev_device_get_property_value(ud, "ID_FS_TYPE");
	label = udev_device_get_property_value(ud, "ID_FS_LABEL");
	if (type && label && !strcmp(type, "zfs_member"))
		for (size_t i = 0; i < c->npools && !found; i++)
			if (!strcmp(c->pools[i], label)) {
				snprintf(pool, n, "%s", label);
				found = 1;
			}
	udev_device_unref(ud);
	return found;
}

/* The first mount of a pool's dataset ("rpool/ROOT/debian on /"). */
static struct mnt *zfs_mount(struct kp_inuse *c, const char *pool)
{
	size_t n = strlen(pool);

	for (size_t i = 0; i < c->nmnt; i++) {
		struct mnt *m = &c->mnts[i];

		if (!strcmp(m->fstype, "zfs") && !strncmp(m->source, pool, n) &&
		    (m->source[n] == '/' || m->source[n] == '\0'))
			return m;
	}
	return NULL;
}

/* ---- block usage ---------------------------------------------------------- */

/* Reasons for one block device (a disk or a partition): mounted, swap,
 * btrfs member, ZFS vdev, held; follows holders (dm, md) a few levels.
 * Returns 1 when one was found (reported as via NAME). */
static int block_usage(struct kp_inuse *c, struct blk *b, const char *via,
		       struct kp_dev_usage *u, int depth)
{
	char path[PATH_MAX], pool[256], **names;
	struct mnt *m;
	size_t n;
	int found = 0;

	if ((m = mounted(c, b))) {
		if (via)
			add_reason(u, KP_USE_BLOCK, "%s holds %s, mounted on %s", via, b->name, m->mp);
		else
			add_reason(u, KP_USE_BLOCK, "%s is mounted on %s", b->name, m->mp);
		found = 1;
	} else if ((m = btrfs_mounted(c, b))) {
		add_reason(u, KP_USE_BLOCK, "%s%s%s is a device of the btrfs filesystem mounted on %s",
			   via ? via : "", via ? " holds " : "", b->name, m->mp);
		found = 1;
	}
	if (swapped(c, b)) {
		if (via)
			add_reason(u, KP_USE_BLOCK, "%s holds %s, used as swap", via, b->name);
		else
			add_reason(u, KP_USE_BLOCK, "%s is used as swap", b->name);
		found = 1;
	}
	if (zfs_vdev(c, b, pool, sizeof(pool))) {
		m = zfs_mount(c, pool);
		if (m)
			add_reason(u, KP_USE_BLOCK, "%s%s%s is a vdev of ZFS pool %s (%s mounted on %s)",
				   via ? via : "", via ? " holds " : "", b->name, pool, m->source,
				   m->mp);
		else
			add_reason(u, KP_USE_BLOCK, "%s%s%s is a vdev of ZFS pool %s (imported)",
				   via ? via : "", via ? " holds " : "", b->name, pool);
		found = 1;
	}
	if (depth >= 4)
		return found;
	if (pathf(path, sizeof(path), "/sys/class/block/%s/holders", b->name) < 0 ||
	    list_dir(path, &names, &n) < 0)
		return found;
	for (size_t i = 0; i < n; i++) {
		struct blk *h = blk_find(c, names[i]);

		/* a mapping or array on top: what is done with it says more,
		 * but being held at all already makes the disk busy */
		if (!h || !block_usage(c, h, via ? via : b->name, u, depth + 1))
			add_reason(u, KP_USE_BLOCK, "%s is held by %s", via ? via : b->name,
				   names[i]);
		found = 1;
	}
	free_names(names, n);
	return found;
}

static int block_usages(struct kp_inuse *c, const char *bdf, struct kp_dev_usage *u)
{
	size_t first, n, last = (size_t)-1;
	int r = blk_read(c);

	if (r < 0)
		return r;
	n = index_find(&c->blk_idx, bdf, &first);
	if (!n)
		return 0;
	r = mnt_read(c);
	if (r < 0)
		return r;
	/* in listing order (the index is sorted by entry within an address) */
	for (size_t k = first; k < first + n; k++) {
		size_t i = c->blk_idx.v[k].idx;

		if (i == last)
			continue; /* an address twice in one path */
		last = i;
		block_usage(c, &c->blks[i], NULL, u, 0);
	}
	return 0;
}

/* ---- file system shares (virtio-9p, virtio-fs) --------------------------- */

/*
 * A virtio-fs device (driver virtiofs) carries the virtiofs mount whose
 * source is its tag. Since 6.9 fs/fuse/virtio_fs.c lists each instance in
 * /sys/fs/virtiofs/INDEX/ with its tag and a device link to the virtio
 * device; before that no file says which device has which tag, so any
 * mounted virtiofs keeps every virtio-fs device in use (never falsely free).
 */
static void virtiofs_usage(struct kp_inuse *c, const char *bdf, const char *vdev,
			   struct kp_dev_usage *u)
{
	char rel[PATH_MAX], dir[PATH_MAX], drv[64] = "", **names = NULL, *tag = NULL;
	size_t n = 0, k;
	int listed;

	if (pathf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/%s/driver", bdf, vdev) < 0 ||
	    kp_sysfs_link_name(rel, drv, sizeof(drv)) < 0 || strcmp(drv, "virtiofs"))
		return;
	listed = kp_path(dir, sizeof(dir), "/sys/fs/virtiofs") == 0 && list_dir(dir, &names, &n) == 0;
	for (size_t i = 0; listed && i < n && !tag; i++) {
		char dev[64];

		if (pathf(rel, sizeof(rel), "/sys/fs/virtiofs/%s/device", names[i]) < 0 ||
		    kp_sysfs_link_name(rel, dev, sizeof(dev)) < 0 || strcmp(dev, vdev) ||
		    pathf(rel, sizeof(rel), "/sys/fs/virtiofs/%s/tag", names[i]) < 0 ||
		    kp_read_file(rel, &tag, NULL) < 0)
			continue;
		tag[strcspn(tag, "\n")] = '\0';
	}
	free_names(names, n);
	for (k = 0; k < c->nmnt; k++) {
		if (strcmp(c->mnts[k].fstype, "virtiofs"))
			continue;
		if (tag && !strcmp(c->mnts[k].source, tag))
			add_reason(u, KP_USE_BLOCK, "virtio-fs share %s is mounted on %s", tag,
				   c->mnts[k].mp);
		else if (!tag && !listed)
			add_reason(u, KP_USE_BLOCK,
				   "virtio-fs device while virtiofs %s is mounted on %s (this kernel "
				   "does not say which device has which tag)",
				   c->mnts[k].source, c->mnts[k].mp);
	}
	free(tag);
}

/* A virtio-9p function whose mount tag a 9p mount names carries that file
 * system (with trans=virtio the mount's source is the tag): a VM's or a
 * lab guest's root, say. The tag is the virtio device's mount_tag
 * attribute (net/9p/trans_virtio.c: the tag and its NUL). */
static int share_usage(struct kp_inuse *c, const char *bdf, struct kp_dev_usage *u)
{
	char rel[PATH_MAX], dir[PATH_MAX], **names = NULL;
	size_t n = 0, k;
	int r = mnt_read(c);

	if (r < 0)
		return r;
	for (k = 0; k < c->nmnt && strcmp(c->mnts[k].fstype, "9p") &&
		    strcmp(c->mnts[k].fstype, "virtiofs"); k++)
		;
	if (k == c->nmnt)
		return 0; /* no 9p or virtiofs mount: no directory to read */
	if (pathf(rel, sizeof(rel), "/sys/bus/pci/devices/%s", bdf) < 0 ||
	    kp_path(dir, sizeof(dir), rel) < 0 || list_dir(dir, &names, &n) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char *tag = NULL;

		if (strncmp(names[i], "virtio", 6))
			continue;
		virtiofs_usage(c, bdf, names[i], u);
		if (pathf(rel, sizeof(rel), "/sys/bus/pci/devices/%s/%s/mount_tag", bdf, names[i]) < 0 ||
		    kp_read_file(rel, &tag, NULL) < 0)
			continue;
		tag[strcspn(tag, "\n")] = '\0';
		if (tag[0])
			for (k = 0; k < c->nmnt; k++)
				if (!strcmp(c->mnts[k].fstype, "9p") && !strcmp(c->mnts[k].source, tag))
					add_reason(u, KP_USE_BLOCK, "virtio-9p share %s is mounted on %s", tag,
						   c->mnts[k].mp);
		free(tag);
	}
	free_names(names, n);
	return 0;
}

/* ---- network ------------------------------------------------------------ */

static void net_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nif; i++) {
		free(c->ifs[i].name);
		free(c->ifs[i].target);
	}
	free(c->ifs);
	c->ifs = NULL;
	c->nif = 0;
	index_free(&c->if_idx);
	if (c->net_owned)
		kp_net_free(c->net);
	if (c->net_owned)
		c->net = NULL;
	c->net_read = 0;
	c->net_err = 0;
}

/* /sys/class/net: each interface's device path (one readlink each). */
static int ifs_read(struct kp_inuse *c)
{
	char **names, path[PATH_MAX];
	size_t n;
	int r;

	if (c->net_read)
		return c->net_read < 0 ? c->net_read : 0;
	c->net_read = 1;
	r = list_dir("/sys/class/net", &names, &n);
	if (r == -ENOENT || r == -ENOTDIR)
		return 0;
	if (r < 0)
		return c->net_read = r;
	c->ifs = calloc(n ? n : 1, sizeof(*c->ifs));
	if (!c->ifs) {
		free_names(names, n);
		return c->net_read = -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		if (pathf(path, sizeof(path), "/sys/class/net/%s", names[i]) < 0)
			continue;
		c->ifs[c->nif].target = read_link(path);
		if (!c->ifs[c->nif].target)
			continue;
		c->ifs[c->nif].name = names[i];
		names[i] = NULL;
		index_path(&c->if_idx, c->ifs[c->nif].target, c->nif);
		c->nif++;
	}
	free_names(names, n);
	return 0;
}

static int net_ctx(struct kp_inuse *c)
{
	if (c->net)
		return 0;
	if (c->net_err)
		return c->net_err;
	c->net_err = kp_net_new(&c->net);
	if (c->net_err == 0)
		c->net_owned = 1;
	return c->net_err;
}

/* What a link carries, in words: "has 192.0.2.10/24 and 1 more address,
 * carries the default route" into out; 1 when anything, else 0. */
static int link_carries(const struct kp_link_usage *lu, char *out, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	if (lu->naddrs > 1)
		len += (size_t)snprintf(out + len, n - len, "has %s and %d more address%s",
					lu->addrs[0], lu->naddrs - 1, lu->naddrs > 2 ? "es" : "");
	else if (lu->naddrs == 1)
		len += (size_t)snprintf(out + len, n - len, "has %s", lu->addrs[0]);
	if (len < n && lu->default_route)
		len += (size_t)snprintf(out + len, n - len, "%scarries the default route",
					len ? ", " : "");
	else if (len < n && lu->nroutes > 0 && lu->naddrs == 0)
		snprintf(out + len, n - len, "carries %d route%s", lu->nroutes,
			 lu->nroutes > 1 ? "s" : "");
	return out[0] != '\0';
}

/* A guest's tap stacked on a NIC: the guest's interface goes with it. */
static int is_tap_kind(const char *kind)
{
	return !strcmp(kind, "macvtap") || !strcmp(kind, "ipvtap");
}

/* Reasons for the link lu (named name) and what is stacked on it or
 * enslaves it. */
static int link_usage(struct kp_inuse *c, const char *name, const struct kp_link_usage *lu,
		      struct kp_dev_usage *u, int depth)
{
	char what[160];
	int ups[16], nup, r;

	/* a stacked link: one reason, "eno1.100 (vlan on eno1) has …, carries …" */
	if (depth > 0 && link_carries(lu, what, sizeof(what)))
		add_reason(u, KP_USE_NET, "%s %s", name, what);
	else if (depth > 0)
		;
	else if (lu->naddrs > 1)
		add_reason(u, KP_USE_NET, "%s has %s and %d more address%s", name, lu->addrs[0],
			   lu->naddrs - 1, lu->naddrs > 2 ? "es" : "");
	else if (lu->naddrs == 1)
		add_reason(u, KP_USE_NET, "%s has %s", name, lu->addrs[0]);
	if (depth > 0)
		;
	else if (lu->default_route)
		add_reason(u, KP_USE_NET, "%s carries the default route", name);
	else if (lu->nroutes > 0 && lu->naddrs == 0)
		add_reason(u, KP_USE_NET, "%s carries %d route%s", name, lu->nroutes,
			   lu->nroutes > 1 ? "s" : "");
	if (lu->master_ifindex > 0) {
		struct kp_link_usage mu;

		if (kp_link_usage_index(lu->master_ifindex, c->net, &mu) == 0 && mu.exists &&
		    link_carries(&mu, what, sizeof(what)))
			add_reason(u, KP_USE_NET, "%s is a port of %s%s%s (%s %s)", name,
				   lu->master_kind, lu->master_kind[0] ? " " : "",
				   lu->master[0] ? lu->master : "a master link",
				   lu->master[0] ? lu->master : "it", what);
		else if (lu->master[0])
			add_reason(u, KP_USE_NET, "%s is a port of %s%s%s", name, lu->master_kind,
				   lu->master_kind[0] ? " " : "", lu->master);
		else
			add_reason(u, KP_USE_NET, "%s is enslaved to link %d", name,
				   lu->master_ifindex);
	}
	if (depth >= 3)
		return 0;
	nup = kp_net_uppers(c->net, lu->ifindex, ups, 16);
	if (nup < 0)
		return nup;
	for (int i = 0; i < nup && i < 16; i++) {
		struct kp_link_usage up;
		struct kp_dev_usage sub;
		char label[80];

		r = kp_link_usage_index(ups[i], c->net, &up);
		if (r < 0)
			return r;
		if (!up.exists)
			continue;
		memset(&sub, 0, sizeof(sub));
		snprintf(label, sizeof(label), "%s (%s on %s)", up.name,
			 up.kind[0] ? up.kind : "link", lu->name);
		r = link_usage(c, label, &up, &sub, depth + 1);
		if (r < 0)
			return r;
		if (!sub.in_use && is_tap_kind(up.kind))
			add_reason_for(&sub, KP_USE_NET, KP_FOR_GUEST, "%s carries a guest's interface",
				       label);
		for (int k = 0; k < sub.nreasons && k < KP_USAGE_REASONS_MAX; k++)
			add_reason_for(u, KP_USE_NET, sub.whose, "%s", sub.reasons[k]);
	}
	return 0;
}

static int net_usage(struct kp_inuse *c, const char *bdf, struct kp_dev_usage *u)
{
	int r = ifs_read(c);

	if (r < 0)
		return r;
	/* every interface whose device lies below this function: its own
	 * (BDF/net/IF), virtio-net's (BDF/virtioN/net/IF), USB NICs behind a
	 * USB controller, NICs behind a bridge */
	size_t first, n = index_find(&c->if_idx, bdf, &first), last = (size_t)-1;

	for (size_t k = first; k < first + n; k++) {
		struct kp_link_usage lu;
		size_t i = c->if_idx.v[k].idx;

		if (i == last)
			continue;
		last = i;
		r = net_ctx(c);
		if (r < 0)
			return r;
		r = kp_link_usage(c->ifs[i].name, c->net, &lu);
		if (r < 0)
			return r;
		if (!lu.exists)
			continue;
		r = link_usage(c, c->ifs[i].name, &lu, u, 0);
		if (r < 0)
			return r;
	}
	return 0;
}

int kp_inuse_link(struct kp_inuse *c, const char *ifname, struct kp_dev_usage *u)
{
	struct kp_link_usage lu;
	int r;

	if (!c || !ifname || !u)
		return -EINVAL;
	memset(u, 0, sizeof(*u));
	r = net_ctx(c);
	if (r < 0)
		return r;
	r = kp_link_usage(ifname, c->net, &lu);
	if (r < 0)
		return r;
	if (!lu.exists)
		return -ENODEV;
	return link_usage(c, ifname, &lu, u, 0);
}

/* ---- display -------------------------------------------------------------- */

/* The firmware framebuffer's platform device below the function (sysfb
 * makes the PCI device holding the framebuffer its parent), with the
 * driver bound to it: efifb ("efi-framebuffer"), simpledrm
 * ("simple-framebuffer"), vesafb ("vesa-framebuffer"). */
static void sysfb_usage(const char *bdf, struct kp_dev_usage *u)
{
	static const struct {
		const char *dev, *name, *hint;
	} fbs[] = {
		{ "efi-framebuffer.", "efifb",
		  "boot with video=efifb:off or initcall_blacklist=sysfb_init" },
		{ "simple-framebuffer.", "simpledrm",
		  "boot with initcall_blacklist=sysfb_init (simpledrm has no video= switch)" },
		{ "vesa-framebuffer.", "vesafb",
		  "boot with video=vesafb:off or initcall_blacklist=sysfb_init" },
		{ "platform-framebuffer.", "the firmware framebuffer",
		  "boot with initcall_blacklist=sysfb_init" },
	};
	char dir[PATH_MAX], path[PATH_MAX], drv[64];
	struct dirent *e;
	DIR *d;

	if (pathf(dir, sizeof(dir), "/sys/bus/pci/devices/%s", bdf) < 0 || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		for (size_t i = 0; i < sizeof(fbs) / sizeof(fbs[0]); i++) {
			const char *name = fbs[i].name;

			if (strncmp(e->d_name, fbs[i].dev, strlen(fbs[i].dev)))
				continue;
			if (pathf(path, sizeof(path), "%s/%s/driver", dir, e->d_name) < 0 ||
			    kp_sysfs_link_name(path, drv, sizeof(drv)) < 0)
				continue; /* no driver: nothing holds the memory */
			if (!strcmp(drv, "simple-framebuffer"))
				name = "simpledrm";
			add_reason(u, KP_USE_DISPLAY, "boot display on the firmware framebuffer (%s "
				   "holds its memory)", name);
			if (!u->hint[0])
				snprintf(u->hint, sizeof(u->hint), "%s", fbs[i].hint);
		}
	}
	closedir(d);
}

static void display_usage(const struct kp_pcidev *d, struct kp_dev_usage *u)
{
	char path[PATH_MAX];
	long boot_vga = 0;

	if ((d->class >> 16) != 0x03)
		return;
	if (d->driver[0] && strcmp(d->driver, "vfio-pci") && strcmp(d->driver, "pci-stub")) {
		if (d->boot_vga >= 0)
			boot_vga = d->boot_vga;
		else if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/boot_vga", d->bdf) < 0 ||
			 kp_sysfs_read_long(path, &boot_vga) < 0)
			boot_vga = 0;
		if (boot_vga == 1)
			add_reason(u, KP_USE_DISPLAY, "boot display (driven by %s)", d->driver);
		return;
	}
	if (!d->driver[0])
		sysfb_usage(d->bdf, u);
}

/* ---- mediated devices -------------------------------------------------------- */

/*
 * A parent's mdevs (mdev_core.c: children named by UUID with an mdev_type
 * link) go when its driver unbinds (mdev_unregister_parent() removes
 * them, waiting while a guest holds one open); an NVIDIA vendor-specific
 * vGPU set on a VF (nvidia/current_vgpu_type, vGPU 17+) goes with the
 * VF's driver or the VF. Either is a guest's device on this one.
 */
static void mdevs_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nmdev && c->mdev_parent; i++)
		free(c->mdev_parent[i]);
	free(c->mdev_parent);
	free_names(c->mdevs, c->nmdev);
	c->mdevs = c->mdev_parent = NULL;
	c->nmdev = 0;
	c->mdev_read = 0;
}

/* /sys/bus/mdev/devices once per context: each UUID and the device its
 * link sits below (…/0000:01:00.0/UUID), instead of a look into every
 * device's directory */
static void mdevs_read(struct kp_inuse *c)
{
	char **names = NULL;
	size_t n = 0;

	if (c->mdev_read)
		return;
	c->mdev_read = 1;
	if (list_dir("/sys/bus/mdev/devices", &names, &n) < 0 || !n)
		return;
	if (!(c->mdev_parent = calloc(n, sizeof(*c->mdev_parent)))) {
		free_names(names, n);
		return;
	}
	c->mdevs = names;
	c->nmdev = n;
	for (size_t i = 0; i < n; i++) {
		char link[PATH_MAX], target[PATH_MAX], *slash;
		ssize_t len;

		if (pathf(link, sizeof(link), "/sys/bus/mdev/devices/%s", names[i]) < 0 ||
		    (len = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[len] = '\0';
		if (!(slash = strrchr(target, '/')))
			continue;
		*slash = '\0';
		slash = strrchr(target, '/');
		c->mdev_parent[i] = strdup(slash ? slash + 1 : target);
	}
}

static void mdev_usage(struct kp_inuse *c, const struct kp_pcidev *d, struct kp_dev_usage *u)
{
	const char *first = NULL;
	long cur = 0;
	int n = 0;

	/* NVIDIA's vendor-specific VFs are display functions (3D controller) */
	if ((d->class >> 16) == 0x03 && kp_vgpu_current(d->bdf, &cur) == 0 && cur > 0)
		add_reason(u, KP_USE_MDEV, "vGPU type %ld is set on it", cur);
	mdevs_read(c);
	for (size_t i = 0; i < c->nmdev; i++) {
		if (!c->mdev_parent[i] || strcmp(c->mdev_parent[i], d->bdf))
			continue;
		if (!n++)
			first = c->mdevs[i]; /* sorted: the first in order */
	}
	if (n == 1)
		add_reason(u, KP_USE_MDEV, "mdev %s is created on it", first);
	else if (n > 1)
		add_reason(u, KP_USE_MDEV, "%d mdevs are created on it (%s, …)", n, first);
}

/* ---- SR-IOV ----------------------------------------------------------------- */

static int sriov_class(unsigned class)
{
	unsigned base = class >> 16;

	return base == 0x01 || base == 0x02 || base == 0x03 || base == 0x0b || base == 0x12;
}

static int inuse_bdf_depth(struct kp_inuse *c, const char *bdf, unsigned flags,
			   struct kp_dev_usage *u, int depth);

static int inuse_dev(struct kp_inuse *c, const struct kp_pcidev *d, unsigned flags,
		     struct kp_dev_usage *u, int depth);

static int vf_cmp(const void *a, const void *b)
{
	const struct kp_pcidev *x = *(const struct kp_pcidev *const *)a;
	const struct kp_pcidev *y = *(const struct kp_pcidev *const *)b;
	int r = strcmp(x->physfn, y->physfn);

	return r ? r : strcmp(x->bdf, y->bdf);
}

/* The scan's VFs, sorted by PF then address (a PF's VF i sits at its
 * routing id + offset + i * stride: address order is virtfn order). */
static int vfs_read(struct kp_inuse *c)
{
	size_t n = kp_pci_count(c->scan), k = 0;

	if (c->vfs_read)
		return 0;
	c->vfs = calloc(n ? n : 1, sizeof(*c->vfs));
	if (!c->vfs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct kp_pcidev *d = kp_pci_dev(c->scan, i);

		if (d->physfn[0])
			c->vfs[k++] = d;
	}
	if (k)
		qsort(c->vfs, k, sizeof(*c->vfs), vf_cmp);
	c->nvfs = k;
	c->vfs_read = 1;
	return 0;
}

void kp_inuse_set_scan(struct kp_inuse *c, struct kp_pci *pci)
{
	if (!c)
		return;
	free(c->vfs);
	c->vfs = NULL;
	c->nvfs = 0;
	c->vfs_read = 0;
	c->scan = pci;
}

/* A PF's VFs from the scan: *first and the count. */
static size_t scan_vfs(struct kp_inuse *c, const char *pf, size_t *first)
{
	size_t lo = 0, hi = c->nvfs, n = 0;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(c->vfs[mid]->physfn, pf) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < c->nvfs && !strcmp(c->vfs[lo + n]->physfn, pf))
		n++;
	return n;
}

/* A PF with VFs: unbinding its driver disables SR-IOV, every VF goes. */
static int sriov_usage(struct kp_inuse *c, const struct kp_pcidev *d, unsigned flags,
		       struct kp_dev_usage *u, int depth)
{
	char path[PATH_MAX], vfs[KP_USAGE_REASON_LEN] = "";
	long numvfs = 0;
	size_t len = 0;
	int shown = 0, r;
	unsigned whose = 0;

	if (!sriov_class(d->class) || d->physfn[0] || d->sriov_totalvfs == 0)
		return 0;
	if (d->sriov_totalvfs < 0 && !(flags & KP_INUSE_SRIOV))
		return 0; /* not known to be a PF, and not asked to find out */
	if (c->scan && d->sriov_totalvfs > 0) {
		/* the whole host is scanned: its VFs are this PF's VFs
		 * (sriov_numvfs of them; no read of it per PF) */
		size_t first, nv;

		if ((r = vfs_read(c)) < 0)
			return r;
		nv = scan_vfs(c, d->bdf, &first);
		if (!nv)
			return 0;
		u->numvfs = (int)nv;
		for (size_t i = 0; i < nv && depth == 0; i++) {
			const struct kp_pcidev *vf = c->vfs[first + i];
			struct kp_dev_usage vu;

			if (!vf->driver[0])
				continue; /* a VF without a driver: nobody uses it */
			r = inuse_dev(c, vf, flags, &vu, depth + 1);
			if (r < 0)
				return r;
			if (kp_driver_manages_dma(vf->driver) && strcmp(vf->driver, "pcieport"))
				whose |= KP_FOR_GUEST;
			else
				whose |= vu.in_use ? vu.whose : KP_FOR_HOST;
			if (shown < 3 && len < sizeof(vfs))
				len += (size_t)snprintf(vfs + len, sizeof(vfs) - len, "%s%s on %s%s%s",
							len ? "; " : "", vf->bdf, vf->driver,
							vu.in_use ? ": " : "",
							vu.in_use ? vu.reasons[0] : "");
			else if (shown == 3 && len < sizeof(vfs))
				len += (size_t)snprintf(vfs + len, sizeof(vfs) - len, "; …");
			shown++;
		}
		numvfs = (long)nv;
		goto said;
	}
	if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", d->bdf) < 0 ||
	    kp_sysfs_read_long(path, &numvfs) < 0 || numvfs <= 0)
		return 0;
	u->numvfs = (int)numvfs;
	for (long i = 0; i < numvfs && depth == 0; i++) {
		char vf[64] = "", drv[64] = "";
		struct kp_dev_usage vu;

		if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/virtfn%ld", d->bdf, i) < 0 ||
		    kp_sysfs_link_name(path, vf, sizeof(vf)) < 0)
			continue;
		if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", vf) < 0 ||
		    kp_sysfs_link_name(path, drv, sizeof(drv)) < 0)
			continue; /* a VF without a driver: nobody uses it */
		r = inuse_bdf_depth(c, vf, flags, &vu, depth + 1);
		if (r < 0)
			return r;
		/* a VF on vfio-pci (a variant, pci-stub) is a guest's; on a
		 * host driver, the host's and what it carries */
		if (kp_driver_manages_dma(drv) && strcmp(drv, "pcieport"))
			whose |= KP_FOR_GUEST;
		else
			whose |= vu.in_use ? vu.whose : KP_FOR_HOST;
		if (shown < 3 && len < sizeof(vfs))
			len += (size_t)snprintf(vfs + len, sizeof(vfs) - len, "%s%s on %s%s%s",
						len ? "; " : "", vf, drv, vu.in_use ? ": " : "",
						vu.in_use ? vu.reasons[0] : "");
		else if (shown == 3 && len < sizeof(vfs))
			len += (size_t)snprintf(vfs + len, sizeof(vfs) - len, "; …");
		shown++;
	}
said:
	if (shown)
		add_reason_for(u, KP_USE_SRIOV, whose, "%ld VF%s enabled (%s)", numvfs,
			       numvfs > 1 ? "s" : "", vfs);
	else
		add_reason(u, KP_USE_SRIOV, "%ld VF%s enabled", numvfs, numvfs > 1 ? "s" : "");
	return 0;
}

/* ---- open handles ------------------------------------------------------------ */

static void fds_free(struct kp_inuse *c)
{
	for (size_t i = 0; i < c->nfd; i++)
		free(c->fds[i].path);
	free(c->fds);
	c->fds = NULL;
	c->nfd = 0;
	c->fd_read = 0;
}

/* Every open file under /dev of every process (/proc/PID/fd/N, one
 * readlink each; a process that exits meanwhile is skipped). */
static int fds_read(struct kp_inuse *c)
{
	char proc[PATH_MAX], path[PATH_MAX + 64], target[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int self = getpid();

	if (c->fd_read)
		return 0;
	c->fd_read = 1;
	if (kp_path(proc, sizeof(proc), "/proc") < 0 || !(d = opendir(proc)))
		return 0;
	while ((e = readdir(d))) {
		char comm[32] = "?", fdd[PATH_MAX + 16];
		struct dirent *f;
		DIR *fd;
		int pid;

		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    strspn(e->d_name, "0123456789") != strlen(e->d_name))
			continue;
		pid = atoi(e->d_name);
		if (pid == self)
			continue;
		if (pathf(fdd, sizeof(fdd), "%s/%s/fd", proc, e->d_name) < 0)
			continue;
		if (!(fd = opendir(fdd)))
			continue;
		while ((f = readdir(fd))) {
			ssize_t len;
			struct fdref *nf;

			if (f->d_name[0] == '.')
				continue;
			if (pathf(path, sizeof(path), "%s/%s", fdd, f->d_name) < 0)
				continue;
			len = readlink(path, target, sizeof(target) - 1);
			if (len <= 5)
				continue;
			target[len] = '\0';
			if (strncmp(target, "/dev/", 5))
				continue;
			if (comm[0] == '?') {
				char cp[64], *t = NULL;

				snprintf(cp, sizeof(cp), "/proc/%d/comm", pid);
				if (kp_read_file(cp, &t, NULL) == 0) {
					t[strcspn(t, "\n")] = '\0';
					snprintf(comm, sizeof(comm), "%s", t);
				}
				free(t);
			}
			nf = realloc(c->fds, (c->nfd + 1) * sizeof(*nf));
			if (!nf)
				break;
			c->fds = nf;
			c->fds[c->nfd].pid = pid;
			snprintf(c->fds[c->nfd].comm, sizeof(c->fds[c->nfd].comm), "%s", comm);
			if (!(c->fds[c->nfd].path = strdup(target)))
				break;
			c->nfd++;
		}
		closedir(fd);
	}
	closedir(d);
	return 0;
}

/* Processes holding node (a path under /dev): one reason per process. */
static void node_holders(struct kp_inuse *c, const char *node, struct kp_dev_usage *u)
{
	for (size_t i = 0; i < c->nfd; i++) {
		int dup = 0;

		if (strcmp(c->fds[i].path, node))
			continue;
		for (size_t j = 0; j < i && !dup; j++)
			dup = c->fds[j].pid == c->fds[i].pid && !strcmp(c->fds[j].path, node);
		if (!dup)
			add_reason(u, KP_USE_HANDLE, "%s is held open by %s (pid %d)", node,
				   c->fds[i].comm, c->fds[i].pid);
	}
}

/* The device nodes of class devices in a subdirectory of the function
 * (drm/cardN, vfio-dev/vfioN, nvme/nvmeN): their uevent's DEVNAME. */
static void class_nodes(struct kp_inuse *c, const char *bdf, const char *sub,
			const char *prefix, struct kp_dev_usage *u)
{
	char dir[PATH_MAX], path[PATH_MAX], **names;
	size_t n;

	if (pathf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/%s", bdf, sub) < 0 ||
	    list_dir(dir, &names, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		char node[PATH_MAX + 8];

		if (strncmp(names[i], prefix, strlen(prefix)))
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, names[i]) < 0)
			continue;
		snprintf(node, sizeof(node), "/dev/%s%s", !strcmp(sub, "drm") ? "dri/" :
			 !strcmp(sub, "vfio-dev") ? "vfio/devices/" : "", names[i]);
		node_holders(c, node, u);
	}
	free_names(names, n);
}

static int handle_usage(struct kp_inuse *c, const struct kp_pcidev *d, struct kp_dev_usage *u)
{
	char node[64];
	int r = fds_read(c);

	if (r < 0)
		return r;
	if (!c->nfd)
		return 0;
	if (d->group >= 0) {
		snprintf(node, sizeof(node), "/dev/vfio/%d", d->group);
		node_holders(c, node, u);
	}
	class_nodes(c, d->bdf, "vfio-dev", "vfio", u);
	class_nodes(c, d->bdf, "drm", "", u);
	class_nodes(c, d->bdf, "nvme", "nvme", u);
	r = blk_read(c);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->nblk; i++) {
		char bnode[PATH_MAX];

		if (!blk_below(&c->blks[i], d->bdf))
			continue;
		snprintf(bnode, sizeof(bnode), "/dev/%s", c->blks[i].name);
		node_holders(c, bnode, u);
	}
	return 0;
}

/* ---- the questions ------------------------------------------------------------ */

int kp_inuse_new(struct kp_inuse **ctx)
{
	if (!ctx)
		return -EINVAL;
	*ctx = calloc(1, sizeof(**ctx));
	return *ctx ? 0 : -ENOMEM;
}

void kp_inuse_reset(struct kp_inuse *c)
{
	if (!c)
		return;
	blk_free(c);
	mnt_free(c);
	btrfs_free(c);
	zfs_free(c);
	if (c->net && c->net_owned)
		kp_net_refresh(c->net);
	for (size_t i = 0; i < c->nif; i++) {
		free(c->ifs[i].name);
		free(c->ifs[i].target);
	}
	free(c->ifs);
	c->ifs = NULL;
	c->nif = 0;
	index_free(&c->if_idx);
	c->net_read = 0;
	fds_free(c);
	kp_inuse_set_scan(c, NULL); /* the host changed: the scan is old */
}

void kp_inuse_free(struct kp_inuse *c)
{
	if (!c)
		return;
	blk_free(c);
	mnt_free(c);
	btrfs_free(c);
	zfs_free(c);
	net_free(c);
	fds_free(c);
	mdevs_free(c);
	free(c->vfs);
	if (c->udev)
		udev_unref(c->udev);
	free(c);
}

static int inuse_dev(struct kp_inuse *c, const struct kp_pcidev *d, unsigned flags,
		     struct kp_dev_usage *u, int depth)
{
	int r;

	memset(u, 0, sizeof(*u));
	r = net_usage(c, d->bdf, u);
	if (r == 0)
		r = block_usages(c, d->bdf, u);
	if (r == 0)
		r = share_usage(c, d->bdf, u);
	if (r == 0)
		display_usage(d, u);
	if (r == 0)
		mdev_usage(c, d, u);
	if (r == 0)
		r = sriov_usage(c, d, flags, u, depth);
	if (r == 0 && (flags & KP_INUSE_HANDLES))
		r = handle_usage(c, d, u);
	return r;
}

int kp_inuse_pcidev(struct kp_inuse *c, const struct kp_pcidev *d, unsigned flags,
		    struct kp_dev_usage *u)
{
	if (!c || !d || !u || strchr(d->bdf, '/'))
		return -EINVAL;
	return inuse_dev(c, d, flags, u, 0);
}

/* A device known only by address: what the questions need, from sysfs. */
static int inuse_bdf_depth(struct kp_inuse *c, const char *bdf, unsigned flags,
			   struct kp_dev_usage *u, int depth)
{
	struct kp_pcidev d;
	char path[PATH_MAX], buf[64];
	long v;
	int r;

	memset(u, 0, sizeof(*u));
	if (!c || !bdf || !u || strchr(bdf, '/') || strlen(bdf) >= sizeof(d.bdf))
		return -EINVAL;
	memset(&d, 0, sizeof(d));
	snprintf(d.bdf, sizeof(d.bdf), "%s", bdf);
	if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", bdf) < 0)
		return -EINVAL;
	r = kp_sysfs_read_long(path, &v);
	if (r == -ENOENT)
		return -ENODEV;
	if (r < 0)
		return r;
	d.class = (unsigned)v;
	d.boot_vga = -1;
	d.group = -1;
	d.sriov_totalvfs = -1;
	if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf) == 0 &&
	    kp_sysfs_link_name(path, d.driver, sizeof(d.driver)) < 0)
		d.driver[0] = '\0';
	if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf) == 0 &&
	    kp_sysfs_link_name(path, buf, sizeof(buf)) > 0)
		d.group = atoi(buf);
	if (pathf(path, sizeof(path), "/sys/bus/pci/devices/%s/physfn", bdf) == 0 &&
	    kp_sysfs_link_name(path, d.physfn, sizeof(d.physfn)) < 0)
		d.physfn[0] = '\0';
	return inuse_dev(c, &d, flags, u, depth);
}

int kp_inuse_bdf(struct kp_inuse *c, const char *bdf, unsigned flags, struct kp_dev_usage *u)
{
	return inuse_bdf_depth(c, bdf, flags | KP_INUSE_SRIOV, u, 0);
}

int kp_pcidev_usage(const char *bdf, struct kp_net *net, struct kp_dev_usage *u)
{
	struct kp_inuse *c;
	int r;

	if (!bdf || !u)
		return -EINVAL;
	r = kp_inuse_new(&c);
	if (r < 0)
		return r;
	if (net) {
		c->net = net;
		c->net_owned = 0;
	}
	r = kp_inuse_bdf(c, bdf, 0, u);
	kp_inuse_free(c);
	return r;
}
