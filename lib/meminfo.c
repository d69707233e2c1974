/* SPDX-License-Identifier: MIT */
#include "meminfo.h"
#include "root.h"
#include "sysfs.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kp_meminfo_parse(const char *text, struct kp_meminfo *mi)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{ "MemTotal", offsetof(struct kp_meminfo, total_kb) },
		{ "MemFree", offsetof(struct kp_meminfo, free_kb) },
		{ "MemAvailable", offsetof(struct kp_meminfo, available_kb) },
		{ "HugePages_Total", offsetof(struct kp_meminfo, hp_total) },
		{ "HugePages_Free", offsetof(struct kp_meminfo, hp_free) },
		{ "Hugepagesize", offsetof(struct kp_meminfo, hp_size_kb) },
		{ "SwapTotal", offsetof(struct kp_meminfo, swap_total_kb) },
	};
	const char *p = text;

	mi->total_kb = mi->free_kb = mi->available_kb = -1;
	mi->hp_total = mi->hp_free = mi->hp_size_kb = mi->swap_total_kb = -1;
	while (*p) {
		const char *colon = strchr(p, ':'), *nl = strchr(p, '\n');
		size_t klen, i;

		if (!nl)
			nl = p + strlen(p);
		if (colon && colon < nl) {
			klen = (size_t)(colon - p);
			for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
				if (strlen(keys[i].key) == klen &&
				    !strncmp(p, keys[i].key, klen)) {
					char *end;
					long long v = strtoll(colon + 1, &end, 10);

					if (end != colon + 1)
						*(long long *)((char *)mi + keys[i].off) = v;
					break;
				}
			}
		}
		p = *nl ? nl + 1 : nl;
	}
	return mi->total_kb < 0 ? -EINVAL : 0;
}

int kp_meminfo_read(struct kp_meminfo *mi)
{
	char *text;
	int r;

	r = kp_read_file("/proc/meminfo", &text, NULL);
	if (r < 0)
		return r;
	r = kp_meminfo_parse(text, mi);
	free(text);
	return r;
}

int kp_hugepage_dirsize(const char *name, long long *size_kb)
{
	char *end;
	long long v;

	if (strncmp(name, "hugepages-", 10) || !isdigit((unsigned char)name[10]))
		return -EINVAL;
	v = strtoll(name + 10, &end, 10);
	if (strcmp(end, "kB") || v <= 0)
		return -EINVAL;
	*size_kb = v;
	return 0;
}

static int pool_cmp(const void *a, const void *b)
{
	const struct kp_hugepool *x = a, *y = b;

	if (x->size_kb != y->size_kb)
		return x->size_kb < y->size_kb ? -1 : 1;
	return x->node - y->node;
}

/* Add the pools under dir (…/hugepages) for node. */
static int scan_pools(const char *dir, int node, struct kp_hugepool **pools,
		      size_t *n, size_t *cap)
{
	struct dirent *de;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct kp_hugepool p = { .node = node };
		char path[512];
		long v;

		if (kp_hugepage_dirsize(de->d_name, &p.size_kb) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s/nr_hugepages", dir, de->d_name);
		p.total = kp_sysfs_read_long(path, &v) == 0 ? v : -1;
		snprintf(path, sizeof(path), "%s/%s/free_hugepages", dir, de->d_name);
		p.free = kp_sysfs_read_long(path, &v) == 0 ? v : -1;
		if (*n == *cap) {
			size_t nc = *cap ? *cap * 2 : 8;
			struct kp_hugepool *np = realloc(*pools, nc * sizeof(*np));

			if (!np) {
				closedir(d);
				return -ENOMEM;
			}
			*pools = np;
			*cap = nc;
		}
		(*pools)[(*n)++] = p;
	}
	closedir(d);
	return 0;
}

int kp_hugepools(struct kp_hugepool **pools, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	DIR *d;
	int r;

	*pools = NULL;
	*n = 0;
	r = scan_pools("/sys/kernel/mm/hugepages", -1, pools, n, &cap);
	if (r < 0)
		return r;
	d = opendir("/sys/devices/system/node");
	if (d) {
		while ((de = readdir(d))) {
			char path[512], *end;
			long node;

			if (strncmp(de->d_name, "node", 4) || !isdigit((unsigned char)de->d_name[4]))
				continue;
			node = strtol(de->d_name + 4, &end, 10);
			if (*end)
				continue;
			snprintf(path, sizeof(path), "/sys/devices/system/node/%s/hugepages",
				 de->d_name);
			r = scan_pools(path, (int)node, pools, n, &cap);
			if (r == -ENOMEM) {
				closedir(d);
				free(*pools);
				*pools = NULL;
				*n = 0;
				return r;
			}
		}
		closedir(d);
	}
	if (*n)
		qsort(*pools, *n, sizeof(**pools), pool_cmp);
	return 0;
}

int kp_list_count(const char *list)
{
	/* one bit per id: overlapping ranges count each id once, as the
	 * kernel's bitmap_parselist() sets it once */
	unsigned char seen[KP_LIST_MAX / 8];
	const char *p = list;
	int count = 0;

	memset(seen, 0, sizeof(seen));
	while (*p && *p != '\n') {
		unsigned long a, b;
		char *end;

		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		a = strtoul(p, &end, 10);
		if (errno == ERANGE || a >= KP_LIST_MAX)
			return -ERANGE;
		b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return -EINVAL;
			errno = 0;
			b = strtoul(end + 1, &end, 10);
			if (errno == ERANGE || b >= KP_LIST_MAX)
				return -ERANGE;
			if (b < a)
				return -EINVAL;
		}
		for (unsigned long i = a; i <= b; i++) {
			if (!(seen[i / 8] & (1u << (i % 8))))
				count++;
			seen[i / 8] |= (unsigned char)(1u << (i % 8));
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return count;
}

int kp_numa_nodes(void)
{
	char buf[256];
	int r;

	r = kp_sysfs_read("/sys/devices/system/node/online", buf, sizeof(buf));
	if (r == -ENOENT)
		return 1;
	if (r < 0)
		return r;
	r = kp_list_count(buf);
	return r <= 0 ? -EINVAL : r;
}
