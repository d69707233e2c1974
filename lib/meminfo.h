/* SPDX-License-Identifier: MIT */
#ifndef KP_MEMINFO_H
#define KP_MEMINFO_H

#include <stddef.h>

/*
 * Memory: /proc/meminfo (root prefix applied), hugepage pools and NUMA
 * nodes from /sys (plain paths).
 */

struct kp_meminfo {
	long long total_kb;      /* MemTotal, -1 when absent */
	long long free_kb;       /* MemFree */
	long long available_kb;  /* MemAvailable (-1 on kernels before 3.14) */
	long long hp_total;      /* HugePages_Total (default size pool) */
	long long hp_free;       /* HugePages_Free */
	long long hp_size_kb;    /* Hugepagesize */
	long long swap_total_kb; /* SwapTotal, -1 when absent */
};

/* Parse meminfo text. 0, or -EINVAL when MemTotal is missing. */
int kp_meminfo_parse(const char *text, struct kp_meminfo *mi);
/* Read and parse the host's /proc/meminfo. 0 or -errno. */
int kp_meminfo_read(struct kp_meminfo *mi);

/* A hugepage pool: one page size, on one NUMA node or (node -1) overall. */
struct kp_hugepool {
	long long size_kb;
	int node;
	long long total;
	long long free;
};

/* The pools: the system-wide one per size (node -1, from
 * /sys/kernel/mm/hugepages), then one per node and size (from
 * /sys/devices/system/node/nodeN/hugepages), sorted by size then node.
 * 0 or -errno (-ENOENT: the kernel has no hugetlbfs support). */
int kp_hugepools(struct kp_hugepool **pools, size_t *n);

/* Parse a hugepage directory name "hugepages-2048kB" -> 2048. 0 or -EINVAL. */
int kp_hugepage_dirsize(const char *name, long long *size_kb);

/* Ids in a cpu/node list are below this (the kernel's NR_CPUS is at most
 * 8192, MAX_NUMNODES 1024). */
#define KP_LIST_MAX 65536
/* Count the ids of a kernel cpu/node list ("0-3,8,10-11" -> 7); an id
 * listed twice (overlapping ranges) counts once. Count, -EINVAL (not a
 * list), or -ERANGE (an id at or above KP_LIST_MAX). */
int kp_list_count(const char *list);

/* NUMA nodes online (/sys/devices/system/node/online). Count (>= 1; 1 when
 * the kernel has no NUMA support), or -errno. */
int kp_numa_nodes(void);

#endif
