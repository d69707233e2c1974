/* SPDX-License-Identifier: MIT */
/* memory and resources: hugepages, THP, KSM, NUMA, totals, CPUs, disk, TSC. */
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "root.h"
#include "sysfs.h"

#define GiB (1024LL * 1024 * 1024)

static void size_kb(char *buf, size_t n, long long kb)
{
	if (kb >= 1024 * 1024 && kb % (1024 * 1024) == 0)
		snprintf(buf, n, "%lldG", kb / (1024 * 1024));
	else if (kb >= 1024 && kb % 1024 == 0)
		snprintf(buf, n, "%lldM", kb / 1024);
	else
		snprintf(buf, n, "%lldK", kb);
}

void chk_memory_hugepages(struct vctx *c, struct vresult *r)
{
	const struct kp_hugepool *p;
	size_t n, i;
	char text[300] = "";
	int len = 0, configured = 0, exhausted = 0, e;

	e = vhugepools(c, &p, &n);
	if (e == -ENOENT || (e == 0 && n == 0)) {
		vset(r, V_FAIL, "use a kernel with CONFIG_HUGETLBFS",
		     "the kernel has no hugepage support (no /sys/kernel/mm/hugepages)");
		return;
	}
	if (e < 0) {
		vset(r, V_WARN, NULL, "cannot read the hugepage pools: %s", strerror(-e));
		return;
	}
	for (i = 0; i < n; i++) {
		char sz[32];

		if (p[i].node != -1)
			continue;
		size_kb(sz, sizeof(sz), p[i].size_kb);
		if (p[i].total > 0) {
			size_t j;
			int nodes = 0;

			configured++;
			if (p[i].free == 0)
				exhausted++;
			len += snprintf(text + len, sizeof(text) - (size_t)len, "%s%s: %lld (%lld free",
					len ? "; " : "", sz, p[i].total, p[i].free);
			for (j = 0; j < n && len < (int)sizeof(text) - 32; j++) {
				if (p[j].node < 0 || p[j].size_kb != p[i].size_kb || p[j].total <= 0)
					continue;
				len += snprintf(text + len, sizeof(text) - (size_t)len, "%snode%d %lld/%lld",
						nodes++ ? ", " : "; ", p[j].node, p[j].free, p[j].total);
			}
			len += snprintf(text + len, sizeof(text) - (size_t)len, ")");
		} else {
			len += snprintf(text + len, sizeof(text) - (size_t)len, "%s%s: 0", len ? "; " : "", sz);
		}
		if (len >= (int)sizeof(text))
			len = (int)sizeof(text) - 1;
	}
	if (!configured) {
		vset(r, V_WARN, "reserve pages: echo 1024 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages, "
		     "at boot vm.nr_hugepages=1024 in /etc/sysctl.d/80-hugepages.conf, "
		     "or 1G pages with hugepagesz=1G hugepages=N on the kernel command line",
		     "no hugepages reserved (%s)", text);
		return;
	}
	if (exhausted) {
		vset(r, V_WARN, "raise nr_hugepages under /sys/kernel/mm/hugepages/hugepages-SIZE/, or stop the guests holding them",
		     "a reserved pool has no free pages: %s", text);
		return;
	}
	vset(r, V_PASS, NULL, "%s", text);
}

/* 1 when some hugepage pool (any size, all nodes) has pages reserved */
static int reserved_hugepages(struct vctx *c)
{
	const struct kp_hugepool *p;
	size_t n, i;
	int any = 0;

	if (vhugepools(c, &p, &n) < 0)
		return 0;
	for (i = 0; i < n; i++)
		if (p[i].node == -1 && p[i].total > 0)
			any = 1;
	return any;
}

void chk_memory_thp(struct vctx *c, struct vresult *r)
{
	char buf[128], *l, *rb;

	if (vsys("/sys/kernel/mm/transparent_hugepage/enabled", buf, sizeof(buf)) < 0) {
		vset(r, V_SKIP, NULL, "the kernel has no transparent hugepages");
		return;
	}
	l = strchr(buf, '[');
	rb = l ? strchr(l, ']') : NULL;
	if (!l || !rb) {
		vset(r, V_WARN, NULL, "unreadable transparent hugepage mode: %s", buf);
		return;
	}
	*rb = '\0';
	l++;
	if (!strcmp(l, "never") && reserved_hugepages(c))
		vset(r, V_PASS, NULL, "transparent hugepages off (never); hugepages are reserved, "
		     "and guests backed by them need no THP");
	else if (!strcmp(l, "never"))
		vset(r, V_WARN, "echo madvise > /sys/kernel/mm/transparent_hugepage/enabled; "
		     "at boot: transparent_hugepage=madvise on the kernel command line",
		     "transparent hugepages off (never): guest memory uses 4K pages unless hugepages are reserved");
	else
		vset(r, V_PASS, NULL, "transparent hugepages: %s%s", l,
		     !strcmp(l, "madvise") ? " (QEMU asks for them)" : "");
}

void chk_memory_ksm(struct vctx *c, struct vresult *r)
{
	long run;

	if (vksm_run(c, &run) < 0) {
		vset(r, V_SKIP, NULL, "the kernel has no KSM");
		return;
	}
	if (run == 1)
		vset(r, V_PASS, NULL, "KSM merging (run=1): saves memory, costs CPU, shares pages across guests");
	else if (run == 2)
		vset(r, V_PASS, NULL, "KSM unmerging (run=2)");
	else
		vset(r, V_PASS, NULL, "KSM off (run=%ld)", run);
}

void chk_memory_numa(struct vctx *c, struct vresult *r)
{
	int nodes = vnuma_nodes(c);

	if (nodes < 0) {
		vset(r, V_WARN, NULL, "cannot read the NUMA nodes: %s", strerror(-nodes));
		return;
	}
	if (nodes == 1)
		vset(r, V_PASS, NULL, "1 NUMA node");
	else
		vset(r, V_PASS, NULL, "%d NUMA nodes: pin guests and their hugepages to one node", nodes);
}

void chk_memory_total(struct vctx *c, struct vresult *r)
{
	char tot[32], want[32], need[32];
	long long total, host = 2 * GiB;

	if (c->mem_r < 0) {
		vset(r, V_WARN, NULL, "cannot read /proc/meminfo: %s", strerror(-c->mem_r));
		return;
	}
	total = c->mem.total_kb * 1024;
	vsize(tot, sizeof(tot), total);
	vsize(want, sizeof(want), c->want_mem);
	vsize(need, sizeof(need), c->want_mem + host);
	if (c->cpu.arch == KP_ARCH_AARCH64 && total < 4 * GiB) {
		vset(r, V_WARN, "give the host at least 4 GiB", "%s of memory: an arm64 KVM host wants at least 4 GiB",
		     tot);
		return;
	}
	if (c->want_mem > total) {
		vset(r, V_FAIL, "add memory, or ask the guests for less (--memory)",
		     "%s of memory, less than the %s the guests ask for", tot, want);
		return;
	}
	if (total < c->want_mem + host) {
		vset(r, V_WARN, "add memory, or ask the guests for less (--memory)",
		     "%s of memory: less than %s (2 GiB for the host + %s for guests)", tot, need, want);
		return;
	}
	if (c->want_mem)
		vset(r, V_PASS, NULL, "%s of memory (2 GiB for the host + %s for guests fit)", tot, want);
	else
		vset(r, V_PASS, NULL, "%s of memory (%s left for guests after 2 GiB for the host)", tot,
		     (vsize(need, sizeof(need), total - host), need));
}

void chk_resources_cpus(struct vctx *c, struct vresult *r)
{
	int n = vcpus_online(c);

	if (c->cpu.arch == KP_ARCH_S390X && n < 4)
		vset(r, V_WARN, "give the LPAR at least 4 CPUs (IFLs) for a KVM host",
		     "%d logical CPU%s: an s390x KVM host wants at least 4", n, n == 1 ? "" : "s");
	else if (n < 2)
		vset(r, V_WARN, "give the host more CPUs: guests' vCPUs and the host compete for one",
		     "%d logical CPU", n);
	else
		vset(r, V_PASS, NULL, "%d logical CPUs", n);
}

void chk_resources_disk(struct vctx *c, struct vresult *r)
{
	char path[4096], fr[32], tot[32];
	struct statvfs sv;
	long long free_b, total_b;

	if (kp_path(path, sizeof(path), c->images) < 0 || statvfs(path, &sv) < 0) {
		vset(r, V_WARN, NULL, "%s: %s", c->images, strerror(errno));
		vhint(r, "mkdir -p %s, or name the images directory with --images DIR", c->images);
		return;
	}
	free_b = (long long)sv.f_bavail * (long long)sv.f_frsize;
	total_b = (long long)sv.f_blocks * (long long)sv.f_frsize;
	vsize(fr, sizeof(fr), free_b);
	vsize(tot, sizeof(tot), total_b);
	if (free_b < 10 * GiB) {
		vset(r, V_WARN, NULL, "%s: %s free of %s (less than 10 GiB for guest images)",
		     c->images, fr, tot);
		vhint(r, "free space on the filesystem holding %s, or put images elsewhere (--images DIR)", c->images);
		return;
	}
	vset(r, V_PASS, NULL, "%s: %s free of %s", c->images, fr, tot);
}

void chk_resources_tsc(struct vctx *c, struct vresult *r)
{
	if (c->cpu.arch != KP_ARCH_X86_64) {
		vset(r, V_SKIP, NULL, "%s: no TSC", kp_arch_name(c->cpu.arch));
		return;
	}
	if (kp_cpuinfo_has(&c->cpu, "constant_tsc")) {
		vset(r, V_PASS, NULL, "constant_tsc%s: guest clocks stay stable",
		     kp_cpuinfo_has(&c->cpu, "nonstop_tsc") ? " and nonstop_tsc" : "");
		return;
	}
	vset(r, V_WARN, "use a CPU with an invariant TSC; on a VM, expose it (QEMU: -cpu host,+invtsc)",
	     "no constant_tsc: guest clocks may drift and live migration is unsafe");
}
