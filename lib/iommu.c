/* SPDX-License-Identifier: MIT */
#include "iommu.h"
#include "sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GROUPS_DIR "/sys/kernel/iommu_groups"

static int cmp_group(const void *a, const void *b)
{
	const struct kp_iommu_group *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_addr(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int read_members(struct kp_iommu_group *g)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t cap = 0;
	DIR *dir;

	snprintf(path, sizeof(path), GROUPS_DIR "/%d/devices", g->id);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.' || strlen(e->d_name) >= 16)
			continue;
		if (g->ndevices == cap) {
			size_t nc = cap ? cap * 2 : 4;
			char(*nd)[16] = realloc(g->devices, nc * sizeof(*nd));

			if (!nd) {
				closedir(dir);
				return -ENOMEM;
			}
			g->devices = nd;
			cap = nc;
		}
		/* the length is checked above: a copy, not a snprintf that
		 * -O0/-O1 builds flag as a possible truncation */
		memcpy(g->devices[g->ndevices++], e->d_name, strlen(e->d_name) + 1);
	}
	closedir(dir);
	if (g->ndevices)
		qsort(g->devices, g->ndevices, sizeof(*g->devices), cmp_addr);
	return 0;
}

int kp_iommu_group_read(int id, struct kp_iommu_group *g)
{
	int r;

	memset(g, 0, sizeof(*g));
	g->id = id;
	r = read_members(g);
	if (r < 0) {
		free(g->devices);
		g->devices = NULL;
		g->ndevices = 0;
	}
	return r;
}

int kp_iommu_groups(struct kp_iommu_group **out, size_t *nout)
{
	struct kp_iommu_group *gs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	DIR *dir;
	int r = 0;

	*out = NULL;
	*nout = 0;
	dir = opendir(GROUPS_DIR);
	if (!dir)
		return -ENOENT;
	while ((e = readdir(dir))) {
		char *end;
		long id = strtol(e->d_name, &end, 10);

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || id > INT_MAX)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			struct kp_iommu_group *ng = realloc(gs, nc * sizeof(*ng));

			if (!ng) {
				r = -ENOMEM;
				break;
			}
			gs = ng;
			cap = nc;
		}
		memset(&gs[n], 0, sizeof(gs[n]));
		gs[n].id = (int)id;
		n++;
		r = read_members(&gs[n - 1]);
		if (r < 0)
			break;
	}
	closedir(dir);
	if (r < 0) {
		kp_iommu_groups_free(gs, n);
		return r;
	}
	if (n == 0) {
		free(gs);
		return -ENOENT;
	}
	qsort(gs, n, sizeof(*gs), cmp_group);
	*out = gs;
	*nout = n;
	return 0;
}

void kp_iommu_groups_free(struct kp_iommu_group *gs, size_t n)
{
	size_t i;

	for (i = 0; i < n && gs; i++)
		free(gs[i].devices);
	free(gs);
}

int kp_iommu_enabled(void)
{
	struct dirent *e;
	int found = 0;
	DIR *dir;

	dir = opendir(GROUPS_DIR);
	if (!dir)
		return 0;
	while (!found && (e = readdir(dir)))
		found = e->d_name[0] >= '0' && e->d_name[0] <= '9';
	closedir(dir);
	return found;
}

int kp_iommu_member_ok(const struct kp_pcidev *d, const char *driver)
{
	if (!d->driver[0])
		return 1;
	if (driver && strcmp(d->driver, driver) == 0)
		return 1;
	if (strcmp(d->driver, "vfio-pci") == 0 || strcmp(d->driver, "pci-stub") == 0)
		return 1;
	return kp_pcidev_is_bridge(d);
}

int kp_iommu_members(struct kp_pci *pci, int g, struct kp_pcidev ***out, size_t *nout)
{
	size_t i, n = 0, total = kp_pci_count(pci);
	struct kp_pcidev **m;

	*out = NULL;
	*nout = 0;
	m = calloc(total ? total : 1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < total; i++) {
		struct kp_pcidev *d = kp_pci_dev(pci, i);

		if (d->group == g && g >= 0)
			m[n++] = d;
	}
	*out = m; /* the scan is sorted, so are the members */
	*nout = n;
	return 0;
}

int kp_iommu_group_viable(struct kp_pci *pci, int g, const char *driver)
{
	size_t i, n = 0, total = kp_pci_count(pci);
	int ok = 1;

	for (i = 0; i < total; i++) {
		struct kp_pcidev *d = kp_pci_dev(pci, i);

		if (d->group != g || g < 0)
			continue;
		n++;
		if (!kp_iommu_member_ok(d, driver))
			ok = 0;
	}
	return n ? ok : -ENOENT;
}

/* ---- why -------------------------------------------------------------- */

static int same_slot(const struct kp_pcidev *a, const struct kp_pcidev *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

/* 1 when bridge b is an ancestor of d. */
static int is_below(struct kp_pci *pci, const struct kp_pcidev *d, const char *b)
{
	int hops = 0;

	while (d && d->parent[0] && hops++ < 64) {
		if (strcmp(d->parent, b) == 0)
			return 1;
		d = kp_pci_find(pci, d->parent);
	}
	return 0;
}

struct whys {
	struct kp_why *v;
	size_t n, cap;
};

static struct kp_why *why_add(struct whys *w, enum kp_why_kind kind, const struct kp_pcidev *at)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i].kind == kind && strcmp(w->v[i].bdf, at->bdf) == 0)
			return NULL; /* already there */
	if (w->n == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 4;
		struct kp_why *nv = realloc(w->v, nc * sizeof(*nv));

		if (!nv)
			return NULL;
		w->v = nv;
		w->cap = nc;
	}
	memset(&w->v[w->n], 0, sizeof(w->v[0]));
	w->v[w->n].kind = kind;
	w->v[w->n].pcie_type = at->pcie_type;
	snprintf(w->v[w->n].bdf, sizeof(w->v[0].bdf), "%s", at->bdf);
	return &w->v[w->n++];
}

static void list_add(char *buf, size_t n, const char *bdf)
{
	size_t len = strlen(buf);

	if (len + strlen(bdf) + 3 < n)
		snprintf(buf + len, n - len, "%s%s", len ? ", " : "", bdf);
}

/* Does this bridge/port stop its subtree from merging upward? Sets *kind
 * to the reason when it does not. */
static int port_isolates(const struct kp_pcidev *p, enum kp_why_kind *kind)
{
	if (p->pcie_type == KP_PCIE_NONE || p->pcie_type == KP_PCIE_PCI_BRIDGE) {
		if (!kp_pcidev_is_bridge(p))
			return 1;
		*kind = KP_WHY_PCI_BRIDGE;
		return 0;
	}
	if (p->pcie_type == KP_PCIE_ROOT_PORT || p->pcie_type == KP_PCIE_DOWNSTREAM) {
		if (!p->has_acs) {
			*kind = KP_WHY_NO_ACS;
			return 0;
		}
		if (!kp_pcidev_acs_ok(p)) {
			*kind = KP_WHY_ACS_OFF;
			return 0;
		}
	}
	return 1; /* upstream ports and the rest need no ACS */
}

int kp_iommu_why(struct kp_pci *pci, int g, struct kp_why **out, size_t *nout)
{
	struct kp_pcidev **m;
	struct whys w = { 0 };
	size_t n, i, j;
	int r;

	*out = NULL;
	*nout = 0;
	r = kp_iommu_members(pci, g, &m, &n);
	if (r < 0)
		return r;
	if (n == 0) {
		free(m);
		return -ENOENT;
	}
	if (n == 1) {
		struct kp_why *y = why_add(&w, KP_WHY_ALONE, m[0]);

		if (y)
			snprintf(y->devices, sizeof(y->devices), "%s", m[0]->bdf);
		goto done;
	}

	for (i = 0; i < n; i++) {
		const struct kp_pcidev *cur = m[i];
		int hops = 0;

		/* upstream path, device to root */
		while (cur->parent[0] && hops++ < 64) {
			const struct kp_pcidev *p = kp_pci_find(pci, cur->parent);
			enum kp_why_kind kind;
			size_t below = 0, in_group = 0;
			struct kp_why *y;

			if (!p)
				break;
			cur = p;
			if (port_isolates(p, &kind))
				continue;
			for (j = 0; j < n; j++) {
				if (m[j] == p)
					in_group = 1;
				else if (is_below(pci, m[j], p->bdf))
					below++;
			}
			/* only a port that merges something of this group */
			if (below + in_group < 2)
				continue;
			y = why_add(&w, kind, p);
			if (!y)
				continue;
			if (kind == KP_WHY_ACS_OFF)
				kp_acs_missing(p->acs_ctrl | (~p->acs_cap & KP_ACS_REQUIRED),
					       y->missing, sizeof(y->missing));
			for (j = 0; j < n; j++)
				if (m[j] != p && is_below(pci, m[j], p->bdf))
					list_add(y->devices, sizeof(y->devices), m[j]->bdf);
		}
	}

	/* functions of one device that the kernel cannot tell apart */
	for (i = 0; i < n; i++) {
		size_t count = 0, isolated = 0;
		struct kp_why *y;

		if (i > 0 && same_slot(m[i], m[i - 1]))
			continue; /* slot already looked at (members are sorted) */
		for (j = i; j < n && same_slot(m[i], m[j]); j++) {
			count++;
			if (kp_pcidev_acs_ok(m[j]))
				isolated++;
		}
		if (count < 2 || isolated == count)
			continue;
		y = why_add(&w, KP_WHY_MULTIFUNCTION, m[i]);
		if (!y)
			continue;
		for (j = i; j < n && same_slot(m[i], m[j]); j++)
			list_add(y->devices, sizeof(y->devices), m[j]->bdf);
	}

	if (w.n == 0) {
		struct kp_why *y = why_add(&w, KP_WHY_UNKNOWN, m[0]);

		for (j = 0; y && j < n; j++)
			list_add(y->devices, sizeof(y->devices), m[j]->bdf);
	}
done:
	free(m);
	*out = w.v;
	*nout = w.n;
	return 0;
}

const char *kp_why_kind_name(enum kp_why_kind k)
{
	switch (k) {
	case KP_WHY_ALONE: return "alone";
	case KP_WHY_NO_ACS: return "no_acs";
	case KP_WHY_ACS_OFF: return "acs_disabled";
	case KP_WHY_PCI_BRIDGE: return "pci_bridge";
	case KP_WHY_MULTIFUNCTION: return "multifunction";
	case KP_WHY_UNKNOWN: return "platform";
	}
	return "unknown";
}
