/* SPDX-License-Identifier: MIT */
#include "pci.h"
#include "root.h"
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pci/pci.h>

struct kp_pci {
	struct kp_pcidev *devs;
	size_t n;
};

/* libpci's error hook must not return; it jumps back to the scan. */
static __thread jmp_buf *pci_jmp;

/* errno when libpci gave up (it says why only in its message) */
static int pci_errno;

static void PCI_NONRET pci_error_hook(char *msg, ...)
{
	(void)msg;
	pci_errno = errno;
	if (pci_jmp)
		longjmp(*pci_jmp, 1);
	abort();
}

static void pci_quiet_hook(char *msg, ...)
{
	(void)msg;
}

static int cmp_dev(const void *a, const void *b)
{
	const struct kp_pcidev *x = a, *y = b;

	return strcmp(x->bdf, y->bdf);
}

static u16 le16(const u8 *b)
{
	return (u16)(b[0] | b[1] << 8);
}

/*
 * Attributes are read relative to the device's own directory (one O_PATH
 * fd per device, opened once): every read is a one-component lookup, where
 * /sys/bus/pci/devices/BDF/ATTR walks five components and the device's
 * symlink chain every time. Relative lookups also reach a fake host's tree
 * directly: the fd already points into it.
 */

/* The last component of a symlink's target, relative to a directory fd. */
static int link_at(int dfd, const char *name, char *buf, size_t n)
{
	char target[256]; /* sysfs links are short; a longer one fails */
	const char *base;
	ssize_t len;
	size_t l;

	len = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	l = strlen(base);
	if (l >= n)
		return -ENAMETOOLONG;
	memcpy(buf, base, l + 1);
	return (int)l;
}

static void read_override_at(int dfd, struct kp_pcidev *d)
{
	char buf[64];

	d->driver_override[0] = '\0';
	if (kp_sysfs_read_at(dfd, "driver_override", buf, sizeof(buf)) > 0 && strcmp(buf, "(null)") != 0)
		memcpy(d->driver_override, buf, strlen(buf) + 1);
}

static void read_driver_at(int dfd, struct kp_pcidev *d)
{
	if (link_at(dfd, "driver", d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	read_override_at(dfd, d);
}

static void read_group_at(int dfd, struct kp_pcidev *d)
{
	char buf[32], *end;
	long g;

	d->group = -1;
	if (link_at(dfd, "iommu_group", buf, sizeof(buf)) <= 0)
		return;
	g = strtol(buf, &end, 10);
	if (*end == '\0' && g >= 0 && g < INT_MAX)
		d->group = (int)g;
}

static int is_bdf(const char *s, size_t len)
{
	return len == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.';
}

/* The upstream bridge: the component before ours in the device's link
 * target (../../../devices/pci0000:00/0000:00:1c.0/0000:01:00.0). */
static void parent_from(const char *target, struct kp_pcidev *d)
{
	const char *last = strrchr(target, '/'), *prev;

	d->parent[0] = '\0';
	if (!last)
		return;
	for (prev = last; prev > target && prev[-1] != '/'; prev--)
		;
	if (is_bdf(prev, (size_t)(last - prev))) {
		memcpy(d->parent, prev, 12);
		d->parent[12] = '\0';
	}
}

/*
 * Where the devices are below /sys/devices, so that they are opened by
 * path, without reading a link per device: the kernel nests a device's
 * directory in its bridge's (pci0000:00/0000:00:1c.0/0000:01:00.0), and a
 * bridge's secondary bus number (config space) says which bus it leads
 * to. Devices are scanned in address order, bridges before the buses
 * behind them; a path that does not open (a layout this does not know: a
 * virtual bus for VFs, a VMD domain, …) is learnt from the device's
 * /sys/bus/pci/devices link instead, as is the parent then.
 */
#define TOPO_PATH 256

struct topo {
	int devs, sysdevs;           /* /sys/bus/pci/devices, /sys/devices */
	unsigned domain;             /* of owner[] and sibling[] */
	int owner[256];              /* device index behind which bus N is */
	int sibling[256];            /* a device on bus N whose place is known */
	char (*path)[TOPO_PATH];     /* per device, below /sys/devices ("": unknown) */
};

static int open_linked(struct topo *t, struct kp_pcidev *d, char *mine)
{
	char target[PATH_MAX];
	ssize_t len;

	d->parent[0] = '\0';
	len = readlinkat(t->devs, d->bdf, target, sizeof(target) - 1);
	if (len > 0) {
		target[len] = '\0';
		parent_from(target, d);
		if (t->sysdevs >= 0 && strncmp(target, "../../../devices/", 17) == 0 &&
		    (size_t)len - 17 < TOPO_PATH) {
			memcpy(mine, target + 17, (size_t)len - 16);
			return openat(t->sysdevs, mine, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
	}
	return openat(t->devs, d->bdf, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/* Open device i's directory (O_PATH), setting its parent. */
static int open_dev(struct topo *t, struct kp_pcidev *devs, size_t i)
{
	struct kp_pcidev *d = &devs[i];
	char *mine = t->path[i];
	const char *parent = "";
	int pi, si, w = -1, dfd;

	mine[0] = '\0';
	if (t->devs < 0)
		return -1;
	if (d->domain != t->domain) {
		memset(t->owner, 0xff, sizeof(t->owner));
		memset(t->sibling, 0xff, sizeof(t->sibling));
		t->domain = d->domain;
	}
	pi = t->owner[d->bus];
	si = t->sibling[d->bus];
	if (t->sysdevs >= 0) {
		if (pi >= 0 && t->path[pi][0]) {
			/* behind a scanned bridge */
			w = snprintf(mine, TOPO_PATH, "%s/%s", t->path[pi], d->bdf);
			parent = devs[pi].bdf;
		} else if (pi < 0 && si >= 0) {
			/* next to a device of the same bus */
			const char *sp = t->path[si], *slash = strrchr(sp, '/');

			if (slash)
				w = snprintf(mine, TOPO_PATH, "%.*s/%s", (int)(slash - sp), sp, d->bdf);
			parent = devs[si].parent;
		} else if (pi < 0) {
			/* on a root bus */
			w = snprintf(mine, TOPO_PATH, "pci%04x:%02x/%s", d->domain, d->bus, d->bdf);
		}
	}
	if (w > 0 && w < TOPO_PATH) {
		dfd = openat(t->sysdevs, mine, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			memcpy(d->parent, parent, strlen(parent) + 1);
			t->sibling[d->bus] = (int)i;
			return dfd;
		}
	}
	mine[0] = '\0';
	dfd = open_linked(t, d, mine);
	if (dfd >= 0 && mine[0])
		t->sibling[d->bus] = (int)i;
	return dfd;
}

/* A bridge leads to its secondary bus. */
static void topo_bridge(struct topo *t, size_t i, const struct kp_pcidev *d, const u8 *cfg,
			int len)
{
	u8 htype, sec;

	if (len < 64)
		return;
	htype = cfg[PCI_HEADER_TYPE] & 0x7f;
	if (htype != PCI_HEADER_TYPE_BRIDGE && htype != PCI_HEADER_TYPE_CARDBUS)
		return;
	sec = cfg[PCI_SECONDARY_BUS];
	if (sec > d->bus && t->owner[sec] < 0)
		t->owner[sec] = (int)i;
}

/* Classes that SR-IOV physical and virtual functions come in. */
static int sriov_class(unsigned class)
{
	unsigned base = class >> 16;

	return base == 0x01 || base == 0x02 || base == 0x03 || base == 0x0b || base == 0x12;
}

static void read_detail(int dfd, struct kp_pcidev *d, unsigned fill)
{
	char buf[128];
	long v;
	int r;

	if (fill & KP_PCI_DETAIL) {
		d->numa_node = kp_sysfs_read_long_at(dfd, "numa_node", &v) == 0 && v >= 0 ? (int)v : -1;
		r = kp_sysfs_read_at(dfd, "reset_method", buf, sizeof(buf));
		d->has_reset_method = r >= 0;
		memcpy(d->reset_method, r > 0 ? buf : "", r > 0 ? (size_t)r + 1 : 1);
	}

	/* the kernel makes boot_vga for VGA-class devices only */
	d->boot_vga = -1;
	if (d->class >> 8 == 0x0300 && kp_sysfs_read_long_at(dfd, "boot_vga", &v) == 0)
		d->boot_vga = v != 0;
}

static void read_sriov(int dfd, struct kp_pcidev *d, unsigned fill)
{
	long v;

	d->physfn[0] = '\0';
	d->sriov_totalvfs = -1;
	if (!sriov_class(d->class))
		return;
	/* a function with the SR-IOV capability is a PF, never a VF */
	if (!((fill & KP_PCI_CAPS) && d->has_sriov) &&
	    link_at(dfd, "physfn", d->physfn, sizeof(d->physfn)) < 0)
		d->physfn[0] = '\0';
	if ((fill & KP_PCI_CAPS) && !d->has_sriov)
		return;
	d->sriov_totalvfs = kp_sysfs_read_long_at(dfd, "sriov_totalvfs", &v) == 0 ? (int)v : -1;
}

static int cmp_name(const char *a, size_t la, const char *b, size_t lb)
{
	int r = memcmp(a, b, la < lb ? la : lb);

	return r ? r : (la > lb) - (la < lb);
}

/* Add ifname to d->net, keeping the list sorted (whole names only). */
static void net_add(struct kp_pcidev *d, const char *ifname)
{
	char out[sizeof(d->net)];
	const char *s = d->net;
	size_t len = 0, l = strlen(ifname);
	int placed = 0;

	while (*s || !placed) {
		size_t w = strcspn(s, ","), sl;
		const char *src;

		if (!placed && (!*s || cmp_name(ifname, l, s, w) < 0)) {
			src = ifname;
			sl = l;
			placed = 1;
		} else {
			src = s;
			sl = w;
			s += w + (s[w] == ',');
		}
		if (len + sl + (len ? 1 : 0) >= sizeof(out))
			break;
		if (len)
			out[len++] = ',';
		memcpy(out + len, src, sl);
		len += sl;
	}
	out[len] = '\0';
	memcpy(d->net, out, len + 1);
}

/*
 * Network interfaces of every device at once, from /sys/class/net: one
 * link per interface, instead of opening and reading a net/ directory
 * per network function. An interface belongs to the nearest PCI function
 * above it in its device path: …/BDF/net/IF for most NICs, but
 * …/BDF/virtioN/net/IF for virtio-net and …/BDF/usb1/1-1/1-1:1.0/net/IF for
 * a USB NIC behind a USB controller, which the host loses all the same
 * when that function leaves its driver.
 */
/* The PCI function of a /sys/class/net link target. */
static int net_target_bdf(const char *target, size_t len, const char *ifname, char bdf[13])
{
	size_t nl = strlen(ifname);
	const char *tail, *end, *b;

	if (len < nl + 18)
		return -1;
	tail = target + len - nl - 5;
	if (memcmp(tail, "/net/", 5) != 0 || strcmp(tail + 5, ifname) != 0)
		return -1;
	/* walk back component by component to the nearest PCI address */
	for (end = tail; end > target; end = b - 1) {
		for (b = end; b > target && b[-1] != '/'; b--)
			;
		if (is_bdf(b, (size_t)(end - b))) {
			memcpy(bdf, b, 12);
			bdf[12] = '\0';
			return 0;
		}
		if (b == target)
			break;
	}
	return -1;
}

static void read_nets(struct kp_pci *ctx)
{
	struct dirent *e;
	DIR *dir;
	int fd;

	fd = open("/sys/class/net", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return;
	}
	while ((e = readdir(dir))) {
		char target[PATH_MAX], bdf[13];
		struct kp_pcidev *d;
		ssize_t len;

		if (e->d_name[0] == '.')
			continue;
		len = readlinkat(fd, e->d_name, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (net_target_bdf(target, (size_t)len, e->d_name, bdf) < 0)
			continue;
		d = kp_pci_find(ctx, bdf);
		if (d)
			net_add(d, e->d_name);
	}
	closedir(dir);
}

int kp_pci_net_bdf(const char *ifname, char bdf[13])
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t len;

	if (!ifname[0] || strchr(ifname, '/') || strlen(ifname) > 64)
		return -ENODEV;
	snprintf(path, sizeof(path), "/sys/class/net/%s", ifname);
	len = readlink(path, target, sizeof(target) - 1);
	if (len <= 0)
		return -ENODEV;
	target[len] = '\0';
	return net_target_bdf(target, (size_t)len, ifname, bdf) < 0 ? -ENODEV : 0;
}

int kp_pci_group_of(const char *bdf)
{
	char path[PATH_MAX], buf[32], *end;
	long g;
	int r;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	r = kp_sysfs_link_name(path, buf, sizeof(buf));
	if (r == -ENOENT) {
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
		return kp_sysfs_exists(path) ? -ENOENT : -ENODEV;
	}
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	g = strtol(buf, &end, 10);
	if (*end != '\0' || g < 0 || g >= INT_MAX)
		return -ENOENT;
	return (int)g;
}

/* Capabilities, from the config space cached by read_config. */
static void read_caps(struct pci_dev *p, struct kp_pcidev *d, int len)
{
	struct pci_cap *cap;

	d->pcie_type = KP_PCIE_NONE;
	d->flr = -1;
	d->sriov_cap_totalvfs = -1;
	if (!d->config_ok || len < 256)
		return;
	/* only what the cache holds: libpci never reads config space itself */
	pci_fill_info(p, PCI_FILL_CAPS | (len > 256 ? PCI_FILL_EXT_CAPS : 0));
	cap = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (cap) {
		u16 flags = pci_read_word(p, cap->addr + PCI_EXP_FLAGS);
		u32 devcap = pci_read_long(p, cap->addr + PCI_EXP_DEVCAP);

		d->pcie_type = (flags & PCI_EXP_FLAGS_TYPE) >> 4;
		d->flr = (devcap & PCI_EXP_DEVCAP_FLRESET) != 0;
	}
	if (len <= 256)
		return;
	cap = pci_find_cap(p, PCI_EXT_CAP_ID_ACS, PCI_CAP_EXTENDED);
	if (cap) {
		d->has_acs = 1;
		d->acs_cap = pci_read_word(p, cap->addr + PCI_ACS_CAP);
		d->acs_ctrl = pci_read_word(p, cap->addr + PCI_ACS_CTRL);
	}
	cap = pci_find_cap(p, PCI_EXT_CAP_ID_SRIOV, PCI_CAP_EXTENDED);
	d->has_sriov = cap != NULL;
	d->sriov_cap_totalvfs = cap ? pci_read_word(p, cap->addr + 0x0e /* TotalVFs */) : -1;
}

static void copy_name(char *dst, size_t n, const char *s)
{
	size_t l = s ? strlen(s) : 0;

	if (l >= n)
		l = n - 1;
	if (l)
		memcpy(dst, s, l);
	dst[l] = '\0';
}

static void read_names(struct pci_access *a, struct kp_pcidev *d, const struct kp_pcidev *same_ids,
		       const struct kp_pcidev *same_class)
{
	char buf[256];

	if (same_ids) {
		memcpy(d->vendor_name, same_ids->vendor_name, sizeof(d->vendor_name));
		memcpy(d->device_name, same_ids->device_name, sizeof(d->device_name));
	} else {
		copy_name(d->vendor_name, sizeof(d->vendor_name),
			  pci_lookup_name(a, buf, sizeof(buf),
					  PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, d->vendor));
		copy_name(d->device_name, sizeof(d->device_name),
			  pci_lookup_name(a, buf, sizeof(buf),
					  PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, d->vendor,
					  d->device));
	}
	if (same_class)
		memcpy(d->class_name, same_class->class_name, sizeof(d->class_name));
	else
		copy_name(d->class_name, sizeof(d->class_name),
			  pci_lookup_name(a, buf, sizeof(buf),
					  PCI_LOOKUP_CLASS | PCI_LOOKUP_NO_NUMBERS, d->class >> 8));
}

/* ---- pci.ids: only the vendors present ------------------------------ */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * pci.ids describes ~2,700 vendors and ~40,000 devices, and libpci parses
 * all of it on the first lookup (~7 ms, more than the rest of a
 * 1000-device listing). Hand libpci the same file with only the lines it
 * will be asked about: the vendor line and device lines of the
 * vendor:device pairs the scan found, and every class (and other
 * non-vendor) block as it is. The names libpci gives are the file's, for a
 * few percent of the parsing. The filtered copy lives in a memfd, read
 * through /proc/self/fd; any trouble (a compressed or missing file, no
 * memfd) and libpci reads the whole file itself, as before.
 */
static int hex4(const char *p, const char *end)
{
	int v = 0, i;

	if (end - p < 5)
		return -1;
	for (i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);

		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return p[4] == ' ' ? v : -1;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

static int have_id(const unsigned *ids, size_t n, unsigned key)
{
	return bsearch(&key, ids, n, sizeof(*ids), cmp_uint) != NULL;
}

/* Filter pci.ids text [p, end) into out; returns its length. */
static size_t ids_filter(const char *p, const char *end, const unsigned *ids, size_t n,
			 char *out)
{
	size_t olen = 0;
	int block = 0; /* 0 skip, 1 a wanted vendor, 2 keep everything */
	int vendor = -1;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		int keep = 0;

		if (*p == '#' || *p == '\n' || *p == '\r') {
			keep = 0;
		} else if (*p != '\t') {
			/* a block starts: a vendor, or classes etc. */
			vendor = hex4(p, next);
			if (vendor < 0)
				block = 2;
			else
				block = have_id(ids, n, (unsigned)vendor << 16 | 0xffffu) ? 1 : 0;
			keep = block != 0;
		} else if (block == 2) {
			keep = 1;
		} else if (block == 1 && p[1] != '\t') {
			int dev = hex4(p + 1, next);

			keep = dev >= 0 && have_id(ids, n, (unsigned)vendor << 16 | (unsigned)dev);
		}
		if (keep) {
			memcpy(out + olen, p, (size_t)(next - p));
			olen += (size_t)(next - p);
		}
		p = next;
	}
	return olen;
}

static void names_load(struct pci_access *a, const struct kp_pci *ctx)
{
	char path[PATH_MAX], fdpath[64], *out = NULL, *base, *keep_name;
	unsigned *ids;
	size_t nid = 0, i, len, olen = 0;
	struct stat st;
	int fd, mfd = -1;

	snprintf(path, sizeof(path), "%s", a->id_file_name ? a->id_file_name : "");
	len = strlen(path);
	if (len > 3 && strcmp(path + len - 3, ".gz") == 0) {
		if (access(path, R_OK) == 0)
			goto plain; /* compressed: libpci's own reader */
		path[len - 3] = '\0';
	}
	/* every vendor:device, and every vendor as VVVV:ffff (no device has
	 * id ffff) */
	ids = malloc((2 * ctx->n + 1) * sizeof(*ids));
	if (!ids)
		goto plain;
	for (i = 0; i < ctx->n; i++) {
		ids[nid++] = ctx->devs[i].vendor << 16 | ctx->devs[i].device;
		ids[nid++] = ctx->devs[i].vendor << 16 | 0xffffu;
	}
	qsort(ids, nid, sizeof(*ids), cmp_uint);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0) {
		if (fd >= 0)
			close(fd);
		free(ids);
		goto plain;
	}
	base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		free(ids);
		goto plain;
	}
	out = malloc((size_t)st.st_size);
	if (out)
		olen = ids_filter(base, base + st.st_size, ids, nid, out);
	munmap(base, (size_t)st.st_size);
	free(ids);
	if (!out)
		goto plain;
	mfd = memfd_create("pci.ids", MFD_CLOEXEC);
	if (mfd < 0 || write(mfd, out, olen) != (ssize_t)olen) {
		free(out);
		goto plain;
	}
	free(out);
	keep_name = strdup(path);
	if (!keep_name)
		goto plain;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", mfd);
	pci_set_name_list_path(a, fdpath, 0);
	if (pci_load_name_list(a)) {
		/* loaded: the name stays the file's, for libpci's messages */
		pci_set_name_list_path(a, keep_name, 1);
		close(mfd);
		return;
	}
	pci_set_name_list_path(a, keep_name, 1);
plain:
	if (mfd >= 0)
		close(mfd);
	pci_load_name_list(a);
}

/*
 * Read the config space in one read (the kernel returns what there is:
 * 4096 bytes, 256, or 64 for an unprivileged reader) and hand it to
 * libpci as the device's cache, so that its capability walk costs no
 * further read. Identity comes from the same bytes; an SR-IOV VF (vendor
 * 0xffff in its config space) and an unreadable config space fall back to
 * libpci's sysfs attributes. Returns the bytes cached.
 */
static int read_config(int dfd, struct pci_dev *p, struct kp_pcidev *d, u8 *cfg, unsigned fill)
{
	ssize_t got = -1;
	int len = 0, fd;

	fd = dfd >= 0 ? openat(dfd, "config", O_RDONLY | O_CLOEXEC) : -1;
	if (fd >= 0) {
		got = pread(fd, cfg, (fill & KP_PCI_CAPS) ? 4096 : (fill & KP_PCI_PCIE) ? 256 : 64, 0);
		close(fd);
	}
	if (got >= 64)
		len = got >= 4096 ? 4096 : got >= 256 ? 256 : 64;
	d->config_len = len;
	if (len && le16(cfg + PCI_VENDOR_ID) != 0xffff) {
		u8 htype = cfg[PCI_HEADER_TYPE] & 0x7f;

		d->config_ok = 1;
		d->multifunction = (cfg[PCI_HEADER_TYPE] & 0x80) != 0;
		d->vendor = le16(cfg + PCI_VENDOR_ID);
		d->device = le16(cfg + PCI_DEVICE_ID);
		d->revision = cfg[PCI_REVISION_ID];
		d->class = (unsigned)cfg[PCI_CLASS_DEVICE + 1] << 16 |
			   (unsigned)cfg[PCI_CLASS_DEVICE] << 8 | cfg[PCI_CLASS_PROG];
		if (htype == PCI_HEADER_TYPE_NORMAL) {
			d->subvendor = le16(cfg + PCI_SUBSYSTEM_VENDOR_ID);
			d->subdevice = le16(cfg + PCI_SUBSYSTEM_ID);
		}
		pci_setup_cache(p, cfg, len);
		return len;
	}
	pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
	d->vendor = p->vendor_id;
	d->device = p->device_id;
	d->subvendor = p->subsys_vendor_id;
	d->subdevice = p->subsys_id;
	d->class = ((unsigned)p->device_class << 8) | p->prog_if;
	d->revision = p->rev_id;
	if (len) {
		d->config_ok = 1;
		d->multifunction = (cfg[PCI_HEADER_TYPE] & 0x80) != 0;
		pci_setup_cache(p, cfg, len);
	}
	return len;
}

static void set_bdf(struct kp_pcidev *d)
{
	static const char hex[] = "0123456789abcdef";
	char *b = d->bdf;

	b[0] = hex[(d->domain >> 12) & 15];
	b[1] = hex[(d->domain >> 8) & 15];
	b[2] = hex[(d->domain >> 4) & 15];
	b[3] = hex[d->domain & 15];
	b[4] = ':';
	b[5] = hex[(d->bus >> 4) & 15];
	b[6] = hex[d->bus & 15];
	b[7] = ':';
	b[8] = hex[(d->dev >> 4) & 1];
	b[9] = hex[d->dev & 15];
	b[10] = '.';
	b[11] = (char)('0' + (d->func & 7));
	b[12] = '\0';
}

/* Names, with one lookup per distinct vendor:device and per class. */
static void fill_names(struct pci_access *a, struct kp_pci *ctx)
{
	enum { SLOTS = 512 };
	struct kp_pcidev *ids[SLOTS] = { 0 }, *cls[SLOTS] = { 0 };
	size_t i;

	names_load(a, ctx);
	for (i = 0; i < ctx->n; i++) {
		struct kp_pcidev *d = &ctx->devs[i];
		unsigned hi = (d->vendor * 31u + d->device) % SLOTS, hc = (d->class >> 8) % SLOTS;
		const struct kp_pcidev *si = NULL, *sc = NULL;

		if (ids[hi] && ids[hi]->vendor == d->vendor && ids[hi]->device == d->device)
			si = ids[hi];
		if (cls[hc] && cls[hc]->class >> 8 == d->class >> 8)
			sc = cls[hc];
		read_names(a, d, si, sc);
		if (!si)
			ids[hi] = d;
		if (!sc)
			cls[hc] = d;
	}
}

/*
 * Which driver each device is bound to, from the drivers' directories
 * (/sys/bus/pci/drivers/D/BDF links): one listing per registered driver
 * instead of one link per device, for scans of many devices. NULL (and
 * the per-device link is read) when the directories cannot be listed.
 */
struct bound {
	char bdf[13];
	char driver[64];
};

static int cmp_bound(const void *a, const void *b)
{
	return strcmp(((const struct bound *)a)->bdf, ((const struct bound *)b)->bdf);
}

/* Directory entries of fd, through getdents64; calls fn for each name. */
static int list_fd(int fd, void (*fn)(const char *name, unsigned char type, void *arg),
		   void *arg)
{
	char buf[16384];
	ssize_t got;

	while ((got = getdents64(fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off < got) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);

			if (e->d_name[0] != '.')
				fn(e->d_name, e->d_type, arg);
			off += e->d_reclen;
		}
	}
	return got < 0 ? -errno : 0;
}

struct bound_list {
	struct bound *v;
	size_t n, cap;
	const char *driver;
	int err;
};

static void bound_add(const char *name, unsigned char type, void *arg)
{
	struct bound_list *l = arg;

	if ((type != DT_LNK && type != DT_UNKNOWN) || strlen(name) != 12 || !is_bdf(name, 12) ||
	    strlen(l->driver) >= sizeof(l->v[0].driver))
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 256;
		struct bound *nv = realloc(l->v, nc * sizeof(*nv));

		if (!nv) {
			l->err = -ENOMEM;
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	memcpy(l->v[l->n].bdf, name, 13);
	memcpy(l->v[l->n].driver, l->driver, strlen(l->driver) + 1);
	l->n++;
}

struct name_list {
	char (*v)[64];
	size_t n, cap;
	int err;
};

static void name_add(const char *name, unsigned char type, void *arg)
{
	struct name_list *l = arg;

	if ((type != DT_DIR && type != DT_UNKNOWN) || strlen(name) >= sizeof(l->v[0]))
		return;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 32;
		char (*nv)[64] = realloc(l->v, nc * sizeof(*nv));

		if (!nv) {
			l->err = -ENOMEM;
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	memcpy(l->v[l->n++], name, strlen(name) + 1);
}

static struct bound *read_bound(size_t *nout)
{
	struct name_list drv = { 0 };
	struct bound_list b = { 0 };
	size_t i;
	int fd, r;

	*nout = 0;
	fd = open("/sys/bus/pci/drivers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	r = list_fd(fd, name_add, &drv);
	for (i = 0; r == 0 && !drv.err && !b.err && i < drv.n; i++) {
		int dfd = openat(fd, drv.v[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0) {
			r = -errno;
			break;
		}
		b.driver = drv.v[i];
		r = list_fd(dfd, bound_add, &b);
		close(dfd);
	}
	close(fd);
	free(drv.v);
	if (r < 0 || drv.err || b.err) {
		free(b.v);
		return NULL;
	}
	if (b.n)
		qsort(b.v, b.n, sizeof(*b.v), cmp_bound);
	*nout = b.n;
	return b.v ? b.v : calloc(1, sizeof(*b.v));
}

static int cmp_pdev(const void *a, const void *b)
{
	const struct pci_dev *x = *(struct pci_dev *const *)a, *y = *(struct pci_dev *const *)b;
	unsigned kx[4] = { (unsigned)x->domain & 0xffff, x->bus, x->dev, x->func };
	unsigned ky[4] = { (unsigned)y->domain & 0xffff, y->bus, y->dev, y->func };
	int i;

	for (i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* only: sorted canonical addresses to scan (NULL: every device) */
static int do_scan(struct pci_access *a, struct kp_pci *ctx, unsigned fill,
		   const char *const *only, size_t nonly)
{
	struct topo t = { .domain = ~0u };
	struct bound *bound = NULL;
	struct pci_dev *p, **pv;
	size_t n = 0, i, k, nbound = 0;
	u8 cfg[4096];

	pci_scan_bus(a);
	for (p = a->devices; p; p = p->next)
		n++;
	/* in address order: the context comes out sorted, and bridges come
	 * before the buses behind them */
	pv = malloc((n ? n : 1) * sizeof(*pv));
	ctx->devs = malloc((n ? n : 1) * sizeof(*ctx->devs));
	t.path = malloc((n ? n : 1) * sizeof(*t.path));
	if (!pv || !ctx->devs || !t.path) {
		free(pv);
		free(t.path);
		return -ENOMEM;
	}
	for (p = a->devices, i = 0; p; p = p->next)
		pv[i++] = p;
	qsort(pv, n, sizeof(*pv), cmp_pdev);
	if (only) {
		for (i = k = 0; i < n; i++) {
			struct kp_pcidev key;
			const char *kp = key.bdf;

			key.domain = (unsigned)pv[i]->domain & 0xffff;
			key.bus = pv[i]->bus & 0xff;
			key.dev = pv[i]->dev & 0x1f;
			key.func = pv[i]->func & 7;
			set_bdf(&key);
			if (nonly && bsearch(&kp, only, nonly, sizeof(*only), cmp_str))
				pv[k++] = pv[i];
		}
		n = k;
	}

	/* many devices: their drivers from the drivers' directories */
	if (n > 32)
		bound = read_bound(&nbound);
	t.devs = open("/sys/bus/pci/devices", O_PATH | O_DIRECTORY | O_CLOEXEC);
	t.sysdevs = open("/sys/devices", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		struct kp_pcidev *d = &ctx->devs[i];
		int dfd, len;

		p = pv[i];
		memset(d, 0, sizeof(*d));
		d->domain = (unsigned)p->domain & 0xffff;
		d->bus = p->bus & 0xff;
		d->dev = p->dev & 0x1f;
		d->func = p->func & 7;
		set_bdf(d);
		d->pcie_type = KP_PCIE_NONE;
		d->flr = -1;
		d->group = -1;
		d->numa_node = -1;
		d->boot_vga = -1;
		d->sriov_totalvfs = -1;
		dfd = open_dev(&t, ctx->devs, i);
		len = read_config(dfd, p, d, cfg, fill);
		topo_bridge(&t, i, d, cfg, len);
		if (dfd >= 0) {
			if (bound) {
				const struct bound *bd = bsearch(d->bdf, bound, nbound,
								 sizeof(*bound), cmp_bound);

				memcpy(d->driver, bd ? bd->driver : "",
				       bd ? strlen(bd->driver) + 1 : 1);
				read_override_at(dfd, d);
			} else {
				read_driver_at(dfd, d);
			}
			read_group_at(dfd, d);
		}
		if (fill & (KP_PCI_CAPS | KP_PCI_PCIE))
			read_caps(p, d, len);
		if ((fill & (KP_PCI_DETAIL | KP_PCI_USE)) && dfd >= 0)
			read_detail(dfd, d, fill);
		if ((fill & KP_PCI_SRIOV) && dfd >= 0)
			read_sriov(dfd, d, fill);
		if (dfd >= 0)
			close(dfd);
		pci_setup_cache(p, NULL, 0); /* cfg is reused for the next device */
	}
	ctx->n = n;
	if (t.devs >= 0)
		close(t.devs);
	if (t.sysdevs >= 0)
		close(t.sysdevs);
	free(t.path);
	free(pv);
	free(bound);
	if (fill & KP_PCI_NAMES)
		fill_names(a, ctx);
	if (fill & (KP_PCI_DETAIL | KP_PCI_USE))
		read_nets(ctx);
	return 0;
}

static int scan(struct kp_pci **out, unsigned fill, const char *const *only, size_t nonly)
{
	struct pci_access *a;
	struct kp_pci *ctx;
	jmp_buf jb;
	char ids[PATH_MAX];
	int r;

	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	a = pci_alloc();
	if (!a) {
		free(ctx);
		return -ENOMEM;
	}
	a->error = pci_error_hook;
	a->warning = pci_quiet_hook;
	a->debug = pci_quiet_hook;
	a->method = PCI_ACCESS_SYS_BUS_PCI;
	a->id_lookup_mode = PCI_LOOKUP_NO_HWDB;
	if (kp_root()[0] && kp_path(ids, sizeof(ids), "/usr/share/misc/pci.ids") == 0 &&
	    access(ids, R_OK) == 0)
		pci_set_name_list_path(a, ids, 0);

	pci_jmp = &jb;
	pci_errno = 0;
	if (setjmp(jb)) {
		pci_jmp = NULL;
		pci_cleanup(a);
		free(ctx->devs);
		free(ctx);
		/* libpci gave up: out of file descriptors or memory (say so,
		 * not "Input/output error"), no sysfs PCI bus, or an
		 * unreadable one */
		if (pci_errno == EMFILE || pci_errno == ENFILE || pci_errno == ENOMEM ||
		    pci_errno == EACCES)
			return -pci_errno;
		return kp_sysfs_exists("/sys/bus/pci/devices") ? -EIO : -ENOENT;
	}
	pci_init(a);
	r = do_scan(a, ctx, fill, only, nonly);
	pci_jmp = NULL;
	pci_cleanup(a);
	if (r < 0) {
		free(ctx->devs);
		free(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int kp_pci_scan(struct kp_pci **out, unsigned fill)
{
	return scan(out, fill, NULL, 0);
}

int kp_pci_scan_only(struct kp_pci **out, unsigned fill, const char *const *bdfs, size_t n)
{
	const char **sorted;
	int r;

	sorted = malloc((n ? n : 1) * sizeof(*sorted));
	if (!sorted)
		return -ENOMEM;
	if (n)
		memcpy(sorted, bdfs, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	r = scan(out, fill, sorted, n);
	free(sorted);
	return r;
}

int kp_pci_from_devs(struct kp_pci **out, const struct kp_pcidev *devs, size_t n)
{
	struct kp_pci *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->devs = malloc((n ? n : 1) * sizeof(*devs));
	if (!ctx->devs) {
		free(ctx);
		return -ENOMEM;
	}
	if (n)
		memcpy(ctx->devs, devs, n * sizeof(*devs));
	ctx->n = n;
	if (n)
		qsort(ctx->devs, n, sizeof(*ctx->devs), cmp_dev);
	*out = ctx;
	return 0;
}

void kp_pci_free(struct kp_pci *ctx)
{
	if (!ctx)
		return;
	free(ctx->devs);
	free(ctx);
}

size_t kp_pci_count(const struct kp_pci *ctx)
{
	return ctx->n;
}

struct kp_pcidev *kp_pci_dev(struct kp_pci *ctx, size_t i)
{
	return i < ctx->n ? &ctx->devs[i] : NULL;
}

struct kp_pcidev *kp_pci_find(struct kp_pci *ctx, const char *bdf)
{
	struct kp_pcidev key;

	if (!ctx->n)
		return NULL;
	snprintf(key.bdf, sizeof(key.bdf), "%s", bdf);
	return bsearch(&key, ctx->devs, ctx->n, sizeof(*ctx->devs), cmp_dev);
}

struct kp_pcidev *kp_pci_find_net(struct kp_pci *ctx, const char *ifname)
{
	size_t i, l = strlen(ifname);

	for (i = 0; i < ctx->n; i++) {
		const char *s = ctx->devs[i].net;

		while (*s) {
			size_t w = strcspn(s, ",");

			if (w == l && strncmp(s, ifname, l) == 0)
				return &ctx->devs[i];
			s += w;
			if (*s == ',')
				s++;
		}
	}
	return NULL;
}

static int refresh_fd(int dfd, struct kp_pcidev *d)
{
	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ENODEV : -errno;
	read_driver_at(dfd, d);
	read_group_at(dfd, d);
	close(dfd);
	return 0;
}

int kp_pcidev_refresh_at(int devs, struct kp_pcidev *d)
{
	char rel[64];
	int r;

	if (devs < 0)
		return kp_pcidev_refresh(d);
	/* BDF/ATTR from the devices directory: three lookups, no fd for
	 * the device's own directory */
	snprintf(rel, sizeof(rel), "%s/driver_override", d->bdf);
	r = kp_sysfs_read_at(devs, rel, d->driver_override, sizeof(d->driver_override));
	if (r == -ENOENT || r == -ENOTDIR)
		return -ENODEV; /* every PCI device has driver_override */
	if (r < 0 || strcmp(d->driver_override, "(null)") == 0)
		d->driver_override[0] = '\0';
	snprintf(rel, sizeof(rel), "%s/driver", d->bdf);
	if (link_at(devs, rel, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	snprintf(rel, sizeof(rel), "%s/iommu_group", d->bdf);
	{
		char buf[32], *end;
		long g;

		d->group = -1;
		if (link_at(devs, rel, buf, sizeof(buf)) > 0) {
			g = strtol(buf, &end, 10);
			if (*end == '\0' && g >= 0 && g < INT_MAX)
				d->group = (int)g;
		}
	}
	return 0;
}

/* The bound driver only (after a probe). 0 or -errno. */
int kp_pcidev_driver_at(int devs, struct kp_pcidev *d)
{
	char rel[64];

	if (devs < 0)
		return kp_pcidev_refresh(d);
	snprintf(rel, sizeof(rel), "%s/driver", d->bdf);
	if (link_at(devs, rel, d->driver, sizeof(d->driver)) < 0)
		d->driver[0] = '\0';
	return 0;
}

int kp_pcidev_refresh(struct kp_pcidev *d)
{
	char path[PATH_MAX];
	int dfd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", d->bdf);
	dfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return refresh_fd(dfd, d);
}

int kp_pcidev_is_bridge(const struct kp_pcidev *d)
{
	unsigned c = d->class >> 8;

	return c == 0x0604 || c == 0x0609;
}

int kp_pcidev_is_platform(const struct kp_pcidev *d)
{
	return (d->class >> 16) == 0x06 && !kp_pcidev_is_bridge(d);
}

const char *kp_pci_bridge_word(unsigned class)
{
	switch ((class >> 8) & 0xff) {
	case 0x00: return "host bridge";
	case 0x01: return "ISA bridge";
	case 0x02: return "EISA bridge";
	case 0x03: return "MicroChannel bridge";
	case 0x04: return "PCI bridge";
	case 0x05: return "PCMCIA bridge";
	case 0x06: return "NuBus bridge";
	case 0x07: return "CardBus bridge";
	case 0x08: return "RACEway bridge";
	case 0x09: return "PCI bridge";
	case 0x0a: return "InfiniBand-to-PCI host bridge";
	default: return "bridge";
	}
}

int kp_pcidev_acs_ok(const struct kp_pcidev *d)
{
	unsigned need;

	if (!d->has_acs)
		return 0;
	/* a control bit only counts when the capability offers it; the
	 * kernel treats an absent capability as not needed (pci_acs_flags_enabled) */
	need = KP_ACS_REQUIRED & d->acs_cap;
	return (d->acs_ctrl & need) == need;
}

void kp_acs_missing(unsigned ctrl, char *buf, size_t n)
{
	static const struct {
		unsigned bit;
		const char *name;
	} bits[] = { { 0x01, "SV" }, { 0x04, "RR" }, { 0x08, "CR" }, { 0x10, "UF" } };
	size_t i, len = 0;

	if (n)
		buf[0] = '\0';
	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		int w;

		if (ctrl & bits[i].bit)
			continue;
		w = snprintf(buf + len, n - len, "%s%s", len ? " " : "", bits[i].name);
		if (w < 0 || (size_t)w >= n - len) {
			buf[len] = '\0'; /* whole words only */
			return;
		}
		len += (size_t)w;
	}
}

const char *kp_pcie_type_name(int type)
{
	switch (type) {
	case KP_PCIE_NONE: return "conventional PCI";
	case KP_PCIE_ENDPOINT: return "endpoint";
	case KP_PCIE_LEGACY_ENDPOINT: return "legacy endpoint";
	case KP_PCIE_ROOT_PORT: return "root port";
	case KP_PCIE_UPSTREAM: return "switch upstream port";
	case KP_PCIE_DOWNSTREAM: return "switch downstream port";
	case KP_PCIE_PCI_BRIDGE: return "PCIe-to-PCI bridge";
	case KP_PCIE_PCIE_BRIDGE: return "PCI-to-PCIe bridge";
	case KP_PCIE_RC_ENDPOINT: return "root complex integrated endpoint";
	case KP_PCIE_RC_EC: return "root complex event collector";
	}
	return "unknown";
}

const char *kp_pci_class_word(unsigned class)
{
	switch (class >> 16) {
	case 0x01: return "storage";
	case 0x02: return "net";
	case 0x03: return "display";
	case 0x04: return "multimedia";
	case 0x06: return "bridge";
	case 0x07: return "serial";
	case 0x0c: return (class >> 8) == 0x0c03 ? "usb" : "serial-bus";
	case 0x10: return "crypto";
	case 0x12: return "accel";
	}
	return "other";
}

void kp_pcidev_resets(const struct kp_pcidev *d, char *buf, size_t n)
{
	if (d->has_reset_method)
		snprintf(buf, n, "%s", d->reset_method);
	else
		snprintf(buf, n, "%s", d->flr == 1 ? "flr" : "");
}

int kp_pcidev_can_reset(const struct kp_pcidev *d)
{
	char buf[128];

	kp_pcidev_resets(d, buf, sizeof(buf));
	return buf[0] != '\0';
}
