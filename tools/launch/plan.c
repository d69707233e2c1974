/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-launch: every check against the host, then the QEMU command line
 * and the file descriptors it gets. Nothing here changes the host; run.c
 * opens the descriptors and starts QEMU.
 */
#include "launch.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cpuinfo.h"
#include "err.h"
#include "exitcodes.h"
#include "iommu.h"
#include "kvmprobe.h"
#include "meminfo.h"
#include "pci.h"
#include "root.h"
#include "sysfs.h"

/* ---- small helpers ------------------------------------------------------ */

__attribute__((format(printf, 2, 3)))
static void warn(struct l_plan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nwarnings >= sizeof(p->warnings) / sizeof(p->warnings[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(p->warnings[p->nwarnings++], sizeof(p->warnings[0]), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3)))
static int arg(struct l_plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	if (p->argc + 2 > p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		char **v = realloc(p->argv, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		p->argv = v;
		p->cap = cap;
	}
	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	p->argv[p->argc++] = s;
	p->argv[p->argc] = NULL;
	return 0;
}

static int bit(const unsigned char *b, int i)
{
	return (b[i / 8] >> (i % 8)) & 1;
}

static void setbit(unsigned char *b, int i)
{
	b[i / 8] |= (unsigned char)(1u << (i % 8));
}

static const char *arch_name(void)
{
	static struct utsname u;

	if (!u.machine[0] && uname(&u) < 0)
		return "x86_64";
	return u.machine;
}

/* A file the guest reads (or writes): open it as QEMU will. */
static int check_file(const char *what, const char *path, int rw, struct stat *st)
{
	int fd = open(path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			kp_err(path, "cannot use as %s: no such file", what);
		else if (e == EACCES || e == EPERM || e == EROFS)
			kp_err(path, "cannot use as %s: not %s by this user (%s)", what,
			       rw ? "readable and writable" : "readable", strerror(e));
		else
			kp_err_errno(path, -e, "cannot use as %s", what);
		return KP_EXIT_HOST;
	}
	if (fstat(fd, st) < 0 || !(S_ISREG(st->st_mode) || S_ISBLK(st->st_mode))) {
		kp_err(path, "cannot use as %s: not a regular file or block device", what);
		close(fd);
		return KP_EXIT_HOST;
	}
	close(fd);
	return KP_EXIT_OK;
}

static int is_qcow2(const char *path)
{
	unsigned char m[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return 0;
	ok = read(fd, m, 4) == 4 && m[0] == 'Q' && m[1] == 'F' && m[2] == 'I' && m[3] == 0xfb;
	close(fd);
	return ok;
}

static int find_qemu(const struct l_opts *o, struct l_plan *p)
{
	char name[128];
	const char *want = o->qemu, *path;

	if (!want) {
		snprintf(name, sizeof(name), "qemu-system-%s", arch_name());
		want = name;
	}
	if (strchr(want, '/')) {
		if (access(want, X_OK) < 0) {
			kp_err_errno(want, -errno, "cannot start the guest");
			return KP_EXIT_HOST;
		}
		snprintf(p->qemu, sizeof(p->qemu), "%s", want);
		return KP_EXIT_OK;
	}
	path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *c = strchr(path, ':');
		size_t n = c ? (size_t)(c - path) : strlen(path);

		if (n && n < 2048) {
			snprintf(p->qemu, sizeof(p->qemu), "%.*s/%s", (int)n, path, want);
			if (access(p->qemu, X_OK) == 0)
				return KP_EXIT_OK;
		}
		path += n + (c ? 1 : 0);
	}
	p->qemu[0] = '\0';
	kp_err(want, "cannot start the guest: QEMU not found in PATH (install qemu-system-x86 or qemu-kvm, or give --qemu PATH)");
	return KP_EXIT_HOST;
}

/* ---- acceleration -------------------------------------------------------- */

static int decide_accel(const struct l_opts *o, struct l_plan *p)
{
	struct kp_kvmprobe res;
	struct kp_cpuinfo ci;
	int pr, flags = 0, pvm, x86 = !strcmp(arch_name(), "x86_64");

	if (o->accel == L_ACCEL_TCG) {
		p->accel = L_ACCEL_TCG;
		snprintf(p->accel_reason, sizeof(p->accel_reason), "asked for (--accel tcg)");
		return KP_EXIT_OK;
	}
	pr = kp_kvm_probe(&res);
	if (kp_cpuinfo_read(&ci) == 0) {
		flags = kp_cpuinfo_has(&ci, "vmx") || kp_cpuinfo_has(&ci, "svm");
		kp_cpuinfo_free(&ci);
	}
	if (!x86)
		flags = 1;
	pvm = kp_sysfs_exists("/sys/module/kvm_pvm");
	if (o->accel == L_ACCEL_KVM) {
		if (pr < 0) {
			kp_err("--accel kvm", "cannot use KVM: %s (use --accel tcg, or see kvmprep-validate --for kvm)",
			       res.detail[0] ? res.detail : strerror(-pr));
			return KP_EXIT_HOST;
		}
		p->accel = L_ACCEL_KVM;
		snprintf(p->accel_reason, sizeof(p->accel_reason), "asked for (--accel kvm)");
		if (!flags && pvm)
			warn(p, "KVM here is paravirtual (PVM): stock kernels and firmware do not boot under it; the guest needs a PVM kernel");
		return KP_EXIT_OK;
	}
	if (pr < 0) {
		p->accel = L_ACCEL_TCG;
		snprintf(p->accel_reason, sizeof(p->accel_reason), "no usable KVM (%s): using TCG",
			 res.detail[0] ? res.detail : strerror(-pr));
	} else if (!flags && pvm) {
		p->accel = L_ACCEL_TCG;
		snprintf(p->accel_reason, sizeof(p->accel_reason),
			 "KVM here is paravirtual (PVM: kvm_pvm, no vmx/svm flag): stock kernels and firmware do not boot under it; using TCG (--accel kvm to force)");
	} else {
		p->accel = L_ACCEL_KVM;
		snprintf(p->accel_reason, sizeof(p->accel_reason), flags ?
			 "KVM runs guest code" : "KVM runs guest code (nested, no CPU flag)");
	}
	return KP_EXIT_OK;
}

/* ---- CPUs, NUMA, hugepages ----------------------------------------------- */

static int read_list(const char *path, unsigned char *bits)
{
	char buf[4096];

	memset(bits, 0, L_MAX_CPUS / 8);
	if (kp_sysfs_read(path, buf, sizeof(buf)) < 0)
		return -ENOENT;
	if (!buf[0])
		return 0;
	return l_cpulist_parse(buf, bits);
}

/* the NUMA node of a CPU, -1 when the host does not say */
static int node_of_cpu(int cpu)
{
	char path[128];
	int n;

	for (n = 0; n < 1024; n++) {
		unsigned char bits[L_MAX_CPUS / 8];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", n);
		if (!kp_sysfs_exists(path)) {
			if (n > 64)
				break;
			continue;
		}
		if (read_list(path, bits) > 0 && bit(bits, cpu))
			return n;
	}
	return -1;
}

static int check_cpus(const struct l_opts *o, struct l_plan *p)
{
	unsigned char want[L_MAX_CPUS / 8], online[L_MAX_CPUS / 8], outside[L_MAX_CPUS / 8] = { 0 };
	char list[256], onl[256];
	int n, i, bad = 0;

	n = read_list("/sys/devices/system/cpu/online", online);
	if (n > 0 && o->cpus > n)
		warn(p, "%d vCPUs on a host with %d CPUs online: they will share CPUs", o->cpus, n);
	if (!o->pin)
		return KP_EXIT_OK;
	l_cpulist_parse(o->pin, want);
	if (n <= 0) {
		kp_err("/sys/devices/system/cpu/online", "cannot check --pin: the host does not list its CPUs");
		return KP_EXIT_HOST;
	}
	for (i = 0; i < L_MAX_CPUS; i++)
		if (bit(want, i) && !bit(online, i)) {
			setbit(outside, i);
			bad = 1;
		}
	if (bad) {
		l_cpulist_format(outside, list, sizeof(list));
		l_cpulist_format(online, onl, sizeof(onl));
		kp_err(o->pin, "cannot pin vCPUs: CPU %s not online on this host (online: %s)", list, onl);
		return KP_EXIT_HOST;
	}
	/* one CPU per vCPU, in the order written, when the list has as many
	 * as the guest has vCPUs; else every vCPU on the whole set */
	{
		int order[L_MAX_CPUS];
		int cnt = l_cpulist_order(o->pin, order, L_MAX_CPUS);

		for (i = 0; i < o->cpus; i++) {
			struct l_pin *pin = &p->pins[p->npins++];

			pin->vcpu = i;
			memset(pin->cpus, 0, sizeof(pin->cpus));
			if (cnt == o->cpus)
				setbit(pin->cpus, order[i]);
			else
				memcpy(pin->cpus, want, sizeof(want));
			l_cpulist_format(pin->cpus, pin->list, sizeof(pin->list));
		}
	}
	p->paused = 1;
	return KP_EXIT_OK;
}

static int check_node(const struct l_opts *o, struct l_plan *p)
{
	char path[128], onl[256];
	unsigned char nodes[L_MAX_CPUS / 8];

	p->node = o->numa_node;
	if (o->numa_node < 0)
		return KP_EXIT_OK;
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d", o->numa_node);
	if (!kp_sysfs_exists(path)) {
		if (read_list("/sys/devices/system/node/online", nodes) > 0)
			l_cpulist_format(nodes, onl, sizeof(onl));
		else
			snprintf(onl, sizeof(onl), "none: the kernel has no NUMA support");
		kp_err(NULL, "NUMA node %d: cannot bind the guest: no such node (online: %s)",
		       o->numa_node, onl);
		return KP_EXIT_HOST;
	}
	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", o->numa_node);
	if (!o->pin && read_list(path, p->numa_cpus) > 0)
		p->numa_cpus_valid = 1;
	return KP_EXIT_OK;
}

static int check_memory(const struct l_opts *o, struct l_plan *p)
{
	struct kp_meminfo mi;
	char want[32], have[32];

	if (kp_meminfo_read(&mi) < 0 || mi.total_kb <= 0)
		return KP_EXIT_OK;
	l_human_size(o->mem, want, sizeof(want));
	l_human_size((unsigned long long)mi.total_kb * 1024, have, sizeof(have));
	if (o->mem > (unsigned long long)mi.total_kb * 1024) {
		kp_err(NULL, "memory %s: cannot start the guest: more than this host has (MemTotal %s)",
		       want, have);
		return KP_EXIT_HOST;
	}
	if (!o->huge_kb && mi.available_kb >= 0 &&
	    o->mem > (unsigned long long)mi.available_kb * 1024) {
		l_human_size((unsigned long long)mi.available_kb * 1024, have, sizeof(have));
		warn(p, "memory %s is more than the host has available now (MemAvailable %s)", want, have);
	}
	return KP_EXIT_OK;
}

static int check_hugepages(const struct l_opts *o, struct l_plan *p)
{
	struct kp_hugepool *pools = NULL, *sys = NULL, *mine = NULL;
	unsigned long long page = (unsigned long long)o->huge_kb * 1024;
	long long need;
	char ps[16], msg[512] = "";
	size_t n = 0, i, used = 0;
	int r, rc = KP_EXIT_OK;

	if (!o->huge_kb)
		return KP_EXIT_OK;
	snprintf(ps, sizeof(ps), "%s", o->huge_kb == 2048 ? "2M" : "1G");
	if (o->mem % page)
		return kp_usage_err("--memory %lluM is not a whole number of %s pages", o->mem / L_MIB, ps);
	need = (long long)(o->mem / page);
	r = kp_hugepools(&pools, &n);
	for (i = 0; r == 0 && i < n; i++) {
		if (pools[i].size_kb != o->huge_kb)
			continue;
		if (pools[i].node < 0)
			sys = &pools[i];
		else if (pools[i].node == p->node)
			mine = &pools[i];
	}
	if (!sys) {
		kp_err(NULL, "hugepages %s: cannot back the guest: this host has no %s pool (%s)", ps, ps,
		       o->huge_kb == 2048 ? "kernel without hugetlbfs" :
		       "add hugepagesz=1G hugepages=N to the kernel command line");
		free(pools);
		return KP_EXIT_HOST;
	}
	if (p->node >= 0) {
		long long have = mine ? mine->free : 0;

		if (have < need) {
			used = (size_t)snprintf(msg, sizeof(msg),
				"hugepages %s: cannot back %llu MiB on NUMA node %d: it has %lld free %s pages, %lld needed (%lld short)",
				ps, o->mem / L_MIB, p->node, have, ps, need, need - have);
			for (i = 0; i < n && used < sizeof(msg); i++)
				if (pools[i].size_kb == o->huge_kb && pools[i].node >= 0 &&
				    pools[i].node != p->node && pools[i].free >= need) {
					snprintf(msg + used, sizeof(msg) - used,
						 "; node %d has %lld free: use --numa-node %d", pools[i].node,
						 pools[i].free, pools[i].node);
					break;
				}
			if (i == n)
				snprintf(msg + used, sizeof(msg) - used,
					 "; reserve more: echo %lld > /sys/devices/system/node/node%d/hugepages/hugepages-%lldkB/nr_hugepages",
					 (mine ? mine->total : 0) + need - have, p->node, o->huge_kb);
			rc = KP_EXIT_HOST;
		}
	} else if (sys->free < need) {
		used = (size_t)snprintf(msg, sizeof(msg),
			"hugepages %s: cannot back %llu MiB: the host has %lld free %s pages, %lld needed (%lld short)",
			ps, o->mem / L_MIB, sys->free, ps, need, need - sys->free);
		snprintf(msg + used, sizeof(msg) - used,
			 "; reserve more: echo %lld > /sys/kernel/mm/hugepages/hugepages-%lldkB/nr_hugepages",
			 sys->total + need - sys->free, o->huge_kb);
		rc = KP_EXIT_HOST;
	} else {
		/* enough overall: does one node hold them all? (else the guest
		 * spans nodes) */
		int one = 0, nodes = 0;

		for (i = 0; i < n; i++)
			if (pools[i].size_kb == o->huge_kb && pools[i].node >= 0) {
				nodes++;
				if (pools[i].free >= need)
					one = 1;
			}
		if (nodes > 1 && !one)
			warn(p, "hugepages %s: no single NUMA node has %lld free pages: guest memory will span nodes",
			     ps, need);
	}
	if (rc)
		kp_err(NULL, "%s", msg);
	free(pools);
	return rc;
}

/* ---- devices ----------------------------------------------------------- */

static int check_vfio(const struct l_opts *o, struct l_plan *p, int *dev_nodes)
{
	struct kp_pci *pci = NULL;
	size_t i, j;
	int r;

	for (i = 0; i < o->nvfio; i++) {
		dev_nodes[i] = -1;
		for (j = 0; j < i; j++)
			if (!strcmp(o->vfio[i], o->vfio[j]))
				return kp_usage_err("--vfio %s given twice", o->vfio[i]);
	}
	if (!o->nvfio)
		return KP_EXIT_OK;
	r = kp_pci_scan(&pci, KP_PCI_DETAIL);
	if (r < 0) {
		kp_err_errno("/sys/bus/pci", r, "cannot scan PCI devices");
		return KP_EXIT_HOST;
	}
	for (i = 0; i < o->nvfio; i++) {
		struct kp_pcidev *d = kp_pci_find(pci, o->vfio[i]), **m = NULL;
		char node[64];
		size_t nm = 0;

		if (!d) {
			kp_err(o->vfio[i], "cannot pass through: no such PCI device");
			goto host;
		}
		if (d->group < 0) {
			kp_err(o->vfio[i], "cannot pass through: no IOMMU group (the IOMMU is off: see kvmprep-validate --for passthrough)");
			goto host;
		}
		if (strcmp(d->driver, "vfio-pci")) {
			kp_err(o->vfio[i], "cannot pass through: %s%s, not vfio-pci: run kvmprep-iommu bind --group %s",
			       d->driver[0] ? "bound to " : "bound to no driver", d->driver, d->bdf);
			goto host;
		}
		if (kp_iommu_members(pci, d->group, &m, &nm) < 0) {
			kp_err(o->vfio[i], "cannot pass through: cannot read IOMMU group %d", d->group);
			goto host;
		}
		for (j = 0; j < nm; j++)
			if (!kp_iommu_member_ok(m[j], "vfio-pci")) {
				kp_err(o->vfio[i], "cannot pass through: IOMMU group %d is not viable: %s is bound to %s: run kvmprep-iommu bind --group %s",
				       d->group, m[j]->bdf, m[j]->driver, d->bdf);
				free(m);
				goto host;
			}
		free(m);
		snprintf(node, sizeof(node), "/dev/vfio/%d", d->group);
		if (access(node, F_OK) < 0) {
			kp_err(o->vfio[i], "cannot pass through: not ready: %s does not exist (see kvmprep-iommu status %s)",
			       node, d->bdf);
			goto host;
		}
		dev_nodes[i] = d->numa_node;
	}
	kp_pci_free(pci);
	return KP_EXIT_OK;
host:
	kp_pci_free(pci);
	return KP_EXIT_HOST;
}

static int check_mdev(const struct l_opts *o, struct l_plan *p)
{
	size_t i, j;

	for (i = 0; i < o->nmdev; i++) {
		char path[128], grp[32], node[64];

		for (j = 0; j < i; j++)
			if (!strcmp(o->mdev[i], o->mdev[j]))
				return kp_usage_err("--mdev %s given twice", o->mdev[i]);
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s", o->mdev[i]);
		if (!kp_sysfs_exists(path)) {
			kp_err(o->mdev[i], "cannot pass through: no such mediated device (create it with kvmprep-mdev, or list them: kvmprep-mdev list)");
			return KP_EXIT_HOST;
		}
		snprintf(path, sizeof(path), "/sys/bus/mdev/devices/%s/iommu_group", o->mdev[i]);
		if (kp_sysfs_link_name(path, grp, sizeof(grp)) < 0) {
			kp_err(o->mdev[i], "cannot pass through: the mediated device has no IOMMU group (its parent driver did not register it with vfio)");
			return KP_EXIT_HOST;
		}
		snprintf(node, sizeof(node), "/dev/vfio/%s", grp);
		if (access(node, F_OK) < 0) {
			kp_err(o->mdev[i], "cannot pass through: not ready: %s does not exist", node);
			return KP_EXIT_HOST;
		}
	}
	if (o->uuid[0])
		memcpy(p->uuid, o->uuid, sizeof(p->uuid));
	else if (o->nmdev)
		memcpy(p->uuid, o->mdev[0], sizeof(p->uuid));
	return KP_EXIT_OK;
}

static int caps_effective(unsigned long long *eff)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	*eff = (unsigned long long)d[0].effective | ((unsigned long long)d[1].effective << 32);
	return 0;
}

static int check_memlock(const struct l_opts *o, struct l_plan *p)
{
	unsigned long long eff = 0;
	struct rlimit rl;
	char need[32], hard[32];

	if (getrlimit(RLIMIT_MEMLOCK, &rl) < 0)
		rl.rlim_cur = rl.rlim_max = 0;
	caps_effective(&eff);
	l_memlock_decide(o->mem, (int)(o->nvfio + o->nmdev),
			 rl.rlim_cur == RLIM_INFINITY ? ~0ULL : rl.rlim_cur,
			 rl.rlim_max == RLIM_INFINITY ? ~0ULL : rl.rlim_max,
			 !!(eff & (1ULL << CAP_IPC_LOCK)), !!(eff & (1ULL << CAP_SYS_RESOURCE)),
			 &p->memlock);
	if (p->memlock.action != L_MEMLOCK_REFUSE)
		return KP_EXIT_OK;
	l_human_size(p->memlock.need, need, sizeof(need));
	l_human_size(p->memlock.cur_hard, hard, sizeof(hard));
	kp_err("RLIMIT_MEMLOCK", "cannot raise to %s (guest memory + 1 GiB, pinned for VFIO DMA): the hard limit is %s and raising it needs CAP_SYS_RESOURCE; run as root, or raise the limit (LimitMEMLOCK= in the unit, memlock in /etc/security/limits.conf)",
	       need, hard);
	return KP_EXIT_HOST;
}

static int check_nics(struct l_opts *o, struct l_plan *p)
{
	size_t i;

	for (i = 0; i < o->nnics; i++) {
		struct l_nic *nic = &o->nics[i];
		struct l_link l;
		int r = l_link_get(nic->ifname, &l);

		if (r < 0) {
			kp_err_errno(nic->ifname, r, "cannot look up the link");
			return KP_EXIT_HOST;
		}
		switch (nic->kind) {
		case L_NIC_BRIDGE:
			if (!l.exists || strcmp(l.kind, "bridge")) {
				kp_err(nic->ifname, l.exists ?
				       "cannot attach a NIC: not a bridge (a %s link)" :
				       "cannot attach a NIC: no such bridge (create it: kvmprep-bridge bridge add %s)",
				       l.exists ? (l.kind[0] ? l.kind : "plain") : nic->ifname);
				return KP_EXIT_HOST;
			}
			break;
		case L_NIC_MACVTAP:
			if (!l.exists || strcmp(l.kind, "macvtap")) {
				kp_err(nic->ifname, l.exists ?
				       "cannot attach a NIC: not a macvtap (a %s link)" :
				       "cannot attach a NIC: no such macvtap (create it: kvmprep-bridge macvtap add %s --link IFACE)",
				       l.exists ? (l.kind[0] ? l.kind : "plain") : nic->ifname);
				return KP_EXIT_HOST;
			}
			if (nic->mac_given && strcmp(nic->mac, l.mac)) {
				kp_err(nic->ifname, "cannot attach a NIC: mac=%s differs from the macvtap's address %s, and a macvtap passes only frames for its own (drop mac=)",
				       nic->mac, l.mac);
				return KP_EXIT_USAGE;
			}
			snprintf(nic->mac, sizeof(nic->mac), "%s", l.mac);
			nic->mac_given = 1;
			break;
		case L_NIC_TAP:
			if (!l.exists || strcmp(l.kind, "tun")) {
				kp_err(nic->ifname, l.exists ?
				       "cannot attach a NIC: not a tap (a %s link)" :
				       "cannot attach a NIC: no such tap (create it: kvmprep-bridge tap add %s)",
				       l.exists ? (l.kind[0] ? l.kind : "plain") : nic->ifname);
				return KP_EXIT_HOST;
			}
			break;
		}
		if (!nic->mac_given)
			l_mac_for(o->name, i, nic->mac);
		/* the fds it gets: one tap queue each, then one vhost each */
		{
			int q;

			for (q = 0; q < nic->queues; q++) {
				struct l_fd *f = &p->fds[p->nfds];

				f->kind = L_FD_TAP;
				f->child_fd = 3 + (int)p->nfds;
				f->nic = (int)i;
				f->queue = q;
				f->fd = -1;
				if (nic->kind == L_NIC_MACVTAP)
					snprintf(f->path, sizeof(f->path), "/dev/tap%d", l.ifindex);
				else
					snprintf(f->path, sizeof(f->path), "/dev/net/tun");
				snprintf(f->what, sizeof(f->what), "%s %s, queue %d",
					 nic->kind == L_NIC_BRIDGE ? "new tap on bridge" :
					 nic->kind == L_NIC_MACVTAP ? "macvtap" : "tap",
					 nic->ifname, q);
				p->nfds++;
			}
			for (q = 0; p->vhost && q < nic->queues; q++) {
				struct l_fd *f = &p->fds[p->nfds];

				f->kind = L_FD_VHOST;
				f->child_fd = 3 + (int)p->nfds;
				f->nic = (int)i;
				f->queue = q;
				f->fd = -1;
				snprintf(f->path, sizeof(f->path), "/dev/vhost-net");
				snprintf(f->what, sizeof(f->what), "vhost-net for %s, queue %d", nic->ifname, q);
				p->nfds++;
			}
		}
	}
	return KP_EXIT_OK;
}

/* ---- firmware -------------------------------------------------------------- */

static int json_has_str(json_object *arr, const char *s)
{
	size_t i, n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return 0;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) && !strcmp(json_object_get_string(e), s))
			return 1;
	}
	return 0;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int desc_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b); /* file is the first member */
}

/* QEMU's firmware descriptors (docs/interop/firmware.json): /etc/qemu/firmware
 * overrides /usr/share/qemu/firmware file by file; the lowest name wins. */
static int find_uefi(const struct l_opts *o, struct l_plan *p, const char *machine)
{
	static const char *const dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };
	struct desc { char file[256]; char dir[4096]; } *ds = calloc(256, sizeof(*ds));
	size_t nn = 0, i, d;
	char pattern_machine[96];
	int found = 0;

	if (!ds)
		return KP_EXIT_FAIL;
	if (!strcmp(machine, "q35"))
		snprintf(pattern_machine, sizeof(pattern_machine), "pc-q35-9.9");
	else if (!strcmp(machine, "pc"))
		snprintf(pattern_machine, sizeof(pattern_machine), "pc-i440fx-9.9");
	else
		snprintf(pattern_machine, sizeof(pattern_machine), "%s", machine);
	for (d = 0; d < 2; d++) {
		char dir[4096];
		struct dirent *de;
		DIR *dh;

		if (kp_path(dir, sizeof(dir), dirs[d]) < 0 || !(dh = opendir(dir)))
			continue;
		while ((de = readdir(dh)) && nn < 256) {
			size_t l = strlen(de->d_name), k;
			int dup = 0;

			if (l < 6 || l >= sizeof(ds[0].file) || strcmp(de->d_name + l - 5, ".json"))
				continue;
			for (k = 0; k < nn; k++)
				if (!strcmp(ds[k].file, de->d_name))
					dup = 1;
			if (dup)
				continue;
			snprintf(ds[nn].file, sizeof(ds[nn].file), "%s", de->d_name);
			snprintf(ds[nn].dir, sizeof(ds[nn].dir), "%s", dir);
			nn++;
		}
		closedir(dh);
	}
	qsort(ds, nn, sizeof(ds[0]), desc_cmp);
	for (i = 0; i < nn && !found; i++) {
		char path[4096], full[4096], code[4096], vars[4096];
		json_object *doc, *map, *exe, *tmpl, *targets, *feat, *it;
		const char *dev, *cf, *vf;
		size_t t, nt;
		int match = 0;

		snprintf(path, sizeof(path), "%s/%s", ds[i].dir, ds[i].file);
		doc = json_object_from_file(path);
		if (!doc)
			continue;
		json_object_object_get_ex(doc, "interface-types", &it);
		json_object_object_get_ex(doc, "features", &feat);
		if (!json_has_str(it, "uefi") || json_has_str(feat, "requires-smm") ||
		    json_has_str(feat, "secure-boot"))
			goto next;
		if (!json_object_object_get_ex(doc, "mapping", &map) ||
		    !(dev = jstr(map, "device")) || strcmp(dev, "flash") ||
		    !json_object_object_get_ex(map, "executable", &exe) ||
		    !json_object_object_get_ex(map, "nvram-template", &tmpl) ||
		    !(cf = jstr(exe, "filename")) || !(vf = jstr(tmpl, "filename")))
			goto next;
		if (json_object_object_get_ex(doc, "targets", &targets) &&
		    json_object_is_type(targets, json_type_array)) {
			nt = json_object_array_length(targets);
			for (t = 0; t < nt && !match; t++) {
				json_object *tg = json_object_array_get_idx(targets, t), *ms;
				const char *a = jstr(tg, "architecture");
				size_t m, nms;

				if (!a || strcmp(a, arch_name()) ||
				    !json_object_object_get_ex(tg, "machines", &ms) ||
				    !json_object_is_type(ms, json_type_array))
					continue;
				nms = json_object_array_length(ms);
				for (m = 0; m < nms; m++) {
					const char *pat = json_object_get_string(json_object_array_get_idx(ms, m));

					if (pat && fnmatch(pat, pattern_machine, 0) == 0)
						match = 1;
				}
			}
		}
		if (!match)
			goto next;
		snprintf(code, sizeof(code), "%s", cf);
		snprintf(vars, sizeof(vars), "%s", vf);
		if (kp_path(full, sizeof(full), code) < 0 || access(full, R_OK) < 0 ||
		    kp_path(full, sizeof(full), vars) < 0 || access(full, R_OK) < 0)
			goto next;
		snprintf(p->fw_code, sizeof(p->fw_code), "%s", code);
		snprintf(p->vars_src, sizeof(p->vars_src), "%s", vars);
		found = 1;
next:
		json_object_put(doc);
	}
	free(ds);
	if (!found) {
		kp_err(NULL, "firmware uefi: cannot boot: no UEFI firmware descriptor for %s %s without SMM in /usr/share/qemu/firmware (install ovmf)",
		       arch_name(), machine);
		return KP_EXIT_HOST;
	}
	{
		char rel[4096];

		/* --state-dir as given; the default under the root prefix */
		if (o->state_dir) {
			snprintf(p->vars_dst, sizeof(p->vars_dst), "%s/%s_VARS.fd", o->state_dir, o->name);
		} else {
			snprintf(rel, sizeof(rel), "/var/lib/kvmprep/vms/%s/%s_VARS.fd", o->name, o->name);
			kp_path(p->vars_dst, sizeof(p->vars_dst), rel);
		}
		p->vars_exists = access(p->vars_dst, F_OK) == 0;
	}
	return KP_EXIT_OK;
}

/* ---- the command line --------------------------------------------------- */

static int add_drive(struct l_plan *p, const char *file, const char *opts)
{
	char *e = l_qemu_escape(file);
	int r;

	if (!e)
		return -ENOMEM;
	r = arg(p, "-drive");
	if (!r)
		r = arg(p, "file=%s,%s", e, opts);
	free(e);
	return r;
}

static int build_argv(const struct l_opts *o, struct l_plan *p, const char *machine)
{
	const char *vdev = p->microvm ? "device" : "pci";
	int r = 0;
	size_t i;

#define A(...) do { if ((r = arg(p, __VA_ARGS__)) < 0) return r; } while (0)
	A("%s", p->qemu);
	A("-name");
	A("%s,debug-threads=on", o->name);
	A("-nodefaults");
	A("-no-user-config");
	A("-machine");
	A("%s%s", machine, (o->huge_kb || p->node >= 0) ? ",memory-backend=mem0" : "");
	A("-accel");
	A("%s", p->accel == L_ACCEL_KVM ? "kvm" : "tcg");
	A("-cpu");
	A("%s", p->accel == L_ACCEL_KVM ? "host" : "max");
	A("-m");
	A("%lluM", o->mem / L_MIB);
	A("-smp");
	A("%d", o->cpus);
	if (o->huge_kb) {
		char nodes[48] = "";

		if (p->node >= 0)
			snprintf(nodes, sizeof(nodes), ",host-nodes=%d,policy=bind", p->node);
		A("-object");
		A("memory-backend-memfd,id=mem0,size=%lluM,hugetlb=on,hugetlbsize=%s,prealloc=on%s",
		  o->mem / L_MIB, o->huge_kb == 2048 ? "2M" : "1G", nodes);
	} else if (p->node >= 0) {
		A("-object");
		A("memory-backend-ram,id=mem0,size=%lluM,host-nodes=%d,policy=bind", o->mem / L_MIB, p->node);
	}
	if (p->uuid[0]) {
		A("-uuid");
		A("%s", p->uuid);
	}
	A("-display");
	A("none");
	/* the launcher's own QMP channel (a socketpair end, fd 3) */
	A("-chardev");
	A("socket,id=kpqmp,fd=3");
	A("-mon");
	A("chardev=kpqmp,mode=control");
	if (o->qmp_path) {
		char *e = l_qemu_escape(o->qmp_path);

		if (!e)
			return -ENOMEM;
		A("-chardev");
		r = arg(p, "socket,id=qmp1,path=%s,server=on,wait=off", e);
		free(e);
		if (r < 0)
			return r;
		A("-mon");
		A("chardev=qmp1,mode=control");
	}
	switch (o->console) {
	case L_CON_STDIO:
		A("-chardev");
		A("stdio,id=con0,mux=on,signal=off");
		A("-serial");
		A("chardev:con0");
		A("-mon");
		A("chardev=con0,mode=readline");
		break;
	case L_CON_PTY:
		A("-chardev");
		A("pty,id=con0");
		A("-serial");
		A("chardev:con0");
		break;
	case L_CON_SOCKET: {
		char *e = l_qemu_escape(o->console_path);

		if (!e)
			return -ENOMEM;
		A("-chardev");
		r = arg(p, "socket,id=con0,path=%s,server=on,wait=off", e);
		free(e);
		if (r < 0)
			return r;
		A("-serial");
		A("chardev:con0");
		break;
	}
	case L_CON_NONE:
		break;
	}
	if (p->paused)
		A("-S");
	if (p->fw_code[0]) {
		char ro[64];

		snprintf(ro, sizeof(ro), "if=pflash,unit=0,format=raw,readonly=on");
		if ((r = add_drive(p, p->fw_code, ro)) < 0)
			return r;
		if ((r = add_drive(p, p->vars_dst, "if=pflash,unit=1,format=raw")) < 0)
			return r;
	}
	if (o->kernel) {
		A("-kernel");
		A("%s", o->kernel);
		if (o->initrd) {
			A("-initrd");
			A("%s", o->initrd);
		}
		if (o->append) {
			A("-append");
			A("%s", o->append);
		}
	}
	for (i = 0; i < o->ndisks; i++) {
		char opts[64];

		snprintf(opts, sizeof(opts), "format=%s,if=none,id=disk%zu",
			 is_qcow2(o->disks[i]) ? "qcow2" : "raw", i);
		if ((r = add_drive(p, o->disks[i], opts)) < 0)
			return r;
		A("-device");
		A("virtio-blk-%s,drive=disk%zu%s", vdev, i, i == 0 && !o->kernel ? ",bootindex=1" : "");
	}
	if (o->cdrom) {
		if ((r = add_drive(p, o->cdrom, "media=cdrom,if=none,id=cd0,readonly=on")) < 0)
			return r;
		A("-device");
		A("ide-cd,drive=cd0%s", !o->kernel && !o->ndisks ? ",bootindex=1" : ",bootindex=2");
	}
	for (i = 0; i < o->nnics; i++) {
		const struct l_nic *nic = &o->nics[i];
		char tapfds[256] = "", vhfds[256] = "";
		size_t f, nt = 0, nv = 0;

		for (f = 0; f < p->nfds; f++) {
			char *dst = p->fds[f].kind == L_FD_TAP ? tapfds : vhfds;
			size_t *cnt = p->fds[f].kind == L_FD_TAP ? &nt : &nv;

			if (p->fds[f].kind == L_FD_QMP || p->fds[f].nic != (int)i)
				continue;
			snprintf(dst + strlen(dst), 256 - strlen(dst), "%s%d", *cnt ? ":" : "",
				 p->fds[f].child_fd);
			(*cnt)++;
		}
		A("-netdev");
		if (nic->queues > 1)
			A("tap,id=net%zu,fds=%s%s%s%s", i, tapfds, nv ? ",vhost=on,vhostfds=" : "", vhfds, "");
		else
			A("tap,id=net%zu,fd=%s%s%s", i, tapfds, nv ? ",vhost=on,vhostfd=" : "", vhfds);
		A("-device");
		if (nic->queues > 1 && !p->microvm)
			A("virtio-net-%s,netdev=net%zu,mac=%s,mq=on,vectors=%d", vdev, i, nic->mac,
			  2 * nic->queues + 2);
		else
			A("virtio-net-%s,netdev=net%zu,mac=%s", vdev, i, nic->mac);
	}
	for (i = 0; i < o->nvfio; i++) {
		A("-device");
		A("vfio-pci,host=%s,id=hostdev%zu", o->vfio[i], i);
	}
	for (i = 0; i < o->nmdev; i++) {
		A("-device");
		A("vfio-pci,sysfsdev=/sys/bus/mdev/devices/%s,id=mdev%zu", o->mdev[i], i);
	}
#undef A
	return 0;
}

/* ---- locality ------------------------------------------------------------ */

static void locality(const struct l_opts *o, struct l_plan *p, const int *dev_nodes)
{
	int cpu_node = -2, i, mixed = 0, want = -1;
	char what[512] = "";
	size_t k, used = 0;

	if (kp_numa_nodes() <= 1)
		return;
	if (o->pin) {
		unsigned char b[L_MAX_CPUS / 8];

		l_cpulist_parse(o->pin, b);
		for (i = 0; i < L_MAX_CPUS; i++)
			if (bit(b, i)) {
				int n = node_of_cpu(i);

				if (cpu_node == -2)
					cpu_node = n;
				else if (cpu_node != n)
					mixed = 1;
			}
		if (mixed)
			warn(p, "locality: the pinned CPUs %s span NUMA nodes", o->pin);
	}
	for (k = 0; k < o->nvfio; k++)
		if (dev_nodes[k] >= 0) {
			want = dev_nodes[k];
			break;
		}
	if (want < 0)
		want = p->node >= 0 ? p->node : cpu_node >= 0 ? cpu_node : -1;
	if (want < 0)
		return;
	for (k = 0; k < o->nvfio; k++)
		if (dev_nodes[k] >= 0 && dev_nodes[k] != want)
			used += (size_t)snprintf(what + used, sizeof(what) - used, "%s%s is on node %d",
						 used ? ", " : "", o->vfio[k], dev_nodes[k]);
	if (cpu_node >= 0 && !mixed && cpu_node != want && used < sizeof(what))
		used += (size_t)snprintf(what + used, sizeof(what) - used, "%sthe pinned CPUs %s are on node %d",
					 used ? ", " : "", o->pin, cpu_node);
	if (p->node >= 0 && p->node != want && used < sizeof(what))
		used += (size_t)snprintf(what + used, sizeof(what) - used, "%sguest memory is bound to node %d",
					 used ? ", " : "", p->node);
	if (used) {
		char path[96], cpus[256] = "?", ref[128];
		unsigned char b[L_MAX_CPUS / 8];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", want);
		if (read_list(path, b) > 0)
			l_cpulist_format(b, cpus, sizeof(cpus));
		for (k = 0; k < o->nvfio && dev_nodes[k] != want; k++)
			;
		if (k < o->nvfio)
			snprintf(ref, sizeof(ref), "%s is on NUMA node %d", o->vfio[k], want);
		else if (p->node == want)
			snprintf(ref, sizeof(ref), "guest memory is bound to NUMA node %d", want);
		else
			snprintf(ref, sizeof(ref), "the pinned CPUs are on NUMA node %d", want);
		warn(p, "locality: %s but %s: node %d would serve the guest (--numa-node %d, --pin from CPUs %s)",
		     ref, what, want, want, cpus);
	}
}

/* ---- the plan ----------------------------------------------------------- */

int l_plan_build(struct l_opts *o, struct l_plan *p)
{
	char machine[64];
	int dev_nodes[L_MAX_DEVS];
	int rc;

	memset(p, 0, sizeof(*p));
	p->node = -1;
	if (!o->name[0])
		snprintf(o->name, sizeof(o->name), "guest");
	if (!o->mem)
		o->mem = 512 * L_MIB;
	if (!o->cpus)
		o->cpus = 1;
	if (o->shutdown_timeout < 0)
		o->shutdown_timeout = 60;
	snprintf(machine, sizeof(machine), "%s",
		 o->machine[0] ? o->machine : strcmp(arch_name(), "x86_64") ? "virt" : "q35");
	p->microvm = !strncmp(machine, "microvm", 7);

	/* usage: what cannot go together */
	if ((o->initrd || o->append) && !o->kernel)
		return kp_usage_err("--%s needs --kernel", o->initrd ? "initrd" : "append");
	if (!o->kernel && !o->ndisks && !o->cdrom)
		return kp_usage_err("nothing to boot: give --kernel, --disk or --cdrom (or --vm NAME)");
	if (p->microvm) {
		if (!o->kernel)
			return kp_usage_err("--machine microvm boots a kernel directly: give --kernel (or use --machine q35)");
		if (o->firmware == L_FW_UEFI || o->cdrom || o->nvfio || o->nmdev)
			return kp_usage_err("--machine microvm has no PCI bus or firmware: %s needs --machine q35",
					    o->firmware == L_FW_UEFI ? "--firmware uefi" :
					    o->cdrom ? "--cdrom" : o->nvfio ? "--vfio" : "--mdev");
	}
	if (o->firmware == L_FW_UEFI && !strcmp(o->name, "guest") && !o->vm && !o->state_dir)
		return kp_usage_err("--firmware uefi keeps a per-guest copy of the UEFI variables: give --name or --vm");

	if ((rc = find_qemu(o, p)))
		return rc;
	if (o->kernel) {
		struct stat st;

		if ((rc = check_file("kernel", o->kernel, 0, &st)))
			return rc;
		if (o->initrd && (rc = check_file("initrd", o->initrd, 0, &st)))
			return rc;
	}
	for (size_t i = 0; i < o->ndisks; i++) {
		struct stat st;

		if ((rc = check_file("disk", o->disks[i], 1, &st)))
			return rc;
	}
	if (o->cdrom) {
		struct stat st;

		if ((rc = check_file("cdrom", o->cdrom, 0, &st)))
			return rc;
	}
	if ((rc = check_memory(o, p)) || (rc = check_node(o, p)) || (rc = check_cpus(o, p)) ||
	    (rc = check_hugepages(o, p)) || (rc = check_vfio(o, p, dev_nodes)) ||
	    (rc = check_mdev(o, p)) || (rc = decide_accel(o, p)))
		return rc;
	if (p->microvm && p->accel == L_ACCEL_TCG && (!o->append || !strstr(o->append, "tsc_early_khz=")))
		warn(p, "microvm under TCG has no timer a Linux guest can calibrate its TSC against: add tsc_early_khz=N to --append or the guest hangs early");
	p->vhost = p->accel == L_ACCEL_KVM && access("/dev/vhost-net", F_OK) == 0;
	if (o->nnics && p->accel == L_ACCEL_KVM && !p->vhost)
		warn(p, "no /dev/vhost-net: the NICs run without vhost (slower; modprobe vhost_net)");
	/* fd 3: the launcher's QMP channel */
	p->fds[0].kind = L_FD_QMP;
	p->fds[0].child_fd = 3;
	p->fds[0].fd = -1;
	snprintf(p->fds[0].what, sizeof(p->fds[0].what), "QMP, the launcher's control channel");
	p->nfds = 1;
	if ((rc = check_nics(o, p)))
		return rc;
	if (o->firmware == L_FW_UEFI && (rc = find_uefi(o, p, machine)))
		return rc;
	if ((rc = check_memlock(o, p)))
		return rc;
	locality(o, p, dev_nodes);
	if (build_argv(o, p, machine) < 0) {
		kp_err(NULL, "cannot allocate memory");
		return KP_EXIT_FAIL;
	}
	return KP_EXIT_OK;
}

void l_plan_free(struct l_plan *p)
{
	size_t i;

	for (i = 0; i < p->argc; i++)
		free(p->argv[i]);
	free(p->argv);
	p->argv = NULL;
	p->argc = 0;
}

/* ---- output --------------------------------------------------------------- */

static int needs_quote(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_=.,:/@%+", *s))
			return 1;
	return 0;
}

static void print_word(const char *s)
{
	if (!needs_quote(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
	putchar('\'');
}

void l_plan_print(const struct l_opts *o, const struct l_plan *p)
{
	size_t i;

	printf("accel: %s: %s\n", p->accel == L_ACCEL_KVM ? "kvm" : "tcg", p->accel_reason);
	for (i = 0; i < p->nwarnings; i++)
		printf("warning: %s\n", p->warnings[i]);
	if (p->memlock.action != L_MEMLOCK_NONE) {
		char need[32], cur[32];

		l_human_size(p->memlock.need, need, sizeof(need));
		l_human_size(p->memlock.cur_soft, cur, sizeof(cur));
		if (p->memlock.action == L_MEMLOCK_RAISE)
			printf("memlock: would raise RLIMIT_MEMLOCK to %s (guest memory + 1 GiB; now %s)\n",
			       need, cur);
		else if (p->memlock.by_cap)
			printf("memlock: RLIMIT_MEMLOCK stays %s (%s needed): CAP_IPC_LOCK exempts QEMU from it\n",
			       cur, need);
		else
			printf("memlock: RLIMIT_MEMLOCK %s is enough (%s needed)\n", cur, need);
	}
	if (p->fw_code[0] && p->vars_exists)
		printf("uefi vars: %s\n", p->vars_dst);
	else if (p->fw_code[0])
		printf("uefi vars: %s (would copy %s)\n", p->vars_dst, p->vars_src);
	for (i = 0; i < p->npins; i++)
		printf("pin: vCPU %d -> CPU %s\n", p->pins[i].vcpu, p->pins[i].list);
	if (p->numa_cpus_valid) {
		char l[256];

		l_cpulist_format(p->numa_cpus, l, sizeof(l));
		printf("affinity: QEMU on CPUs %s (node %d)\n", l, p->node);
	}
	for (i = 0; i < p->nfds; i++)
		printf("fd %d: %s (%s)\n", p->fds[i].child_fd, p->fds[i].path[0] ? p->fds[i].path : "socket pair",
		       p->fds[i].what);
	for (i = 0; i < p->argc; i++) {
		if (i == 0)
			print_word(p->argv[i]);
		else if (p->argv[i][0] == '-')
			fputs(" \\\n    ", stdout), print_word(p->argv[i]);
		else
			putchar(' '), print_word(p->argv[i]);
	}
	putchar('\n');
	(void)o;
}

json_object *l_plan_json(const struct l_opts *o, const struct l_plan *p)
{
	json_object *doc = json_object_new_object(), *a, *f, *w, *pins, *ml;
	size_t i;

	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "tool", json_object_new_string(TOOL));
	json_object_object_add(doc, "command", json_object_new_string("launch"));
	json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
	json_object_object_add(doc, "name", json_object_new_string(o->name));
	json_object_object_add(doc, "qemu", json_object_new_string(p->qemu));
	json_object_object_add(doc, "accel", json_object_new_string(p->accel == L_ACCEL_KVM ? "kvm" : "tcg"));
	json_object_object_add(doc, "accel_reason", json_object_new_string(p->accel_reason));
	json_object_object_add(doc, "machine", json_object_new_string(o->machine[0] ? o->machine : "q35"));
	json_object_object_add(doc, "memory_bytes", json_object_new_int64((int64_t)o->mem));
	json_object_object_add(doc, "cpus", json_object_new_int(o->cpus));
	json_object_object_add(doc, "numa_node", p->node >= 0 ? json_object_new_int(p->node) : NULL);
	json_object_object_add(doc, "hugepage_kb", o->huge_kb ? json_object_new_int64(o->huge_kb) : NULL);
	json_object_object_add(doc, "paused_for_pinning", json_object_new_boolean(p->paused));
	json_object_object_add(doc, "vhost_net", json_object_new_boolean(p->vhost));
	a = json_object_new_array();
	for (i = 0; i < p->argc; i++)
		json_object_array_add(a, json_object_new_string(p->argv[i]));
	json_object_object_add(doc, "argv", a);
	f = json_object_new_array();
	for (i = 0; i < p->nfds; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "fd", json_object_new_int(p->fds[i].child_fd));
		json_object_object_add(e, "kind", json_object_new_string(
			p->fds[i].kind == L_FD_QMP ? "qmp" : p->fds[i].kind == L_FD_TAP ? "tap" : "vhost"));
		json_object_object_add(e, "path", p->fds[i].path[0] ? json_object_new_string(p->fds[i].path) : NULL);
		json_object_object_add(e, "nic", p->fds[i].kind == L_FD_QMP ? NULL : json_object_new_int(p->fds[i].nic));
		json_object_object_add(e, "queue", p->fds[i].kind == L_FD_QMP ? NULL : json_object_new_int(p->fds[i].queue));
		json_object_object_add(e, "what", json_object_new_string(p->fds[i].what));
		json_object_array_add(f, e);
	}
	json_object_object_add(doc, "fds", f);
	pins = json_object_new_array();
	for (i = 0; i < p->npins; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "vcpu", json_object_new_int(p->pins[i].vcpu));
		json_object_object_add(e, "cpus", json_object_new_string(p->pins[i].list));
		json_object_array_add(pins, e);
	}
	json_object_object_add(doc, "pins", pins);
	ml = json_object_new_object();
	json_object_object_add(ml, "action", json_object_new_string(l_memlock_action_name(p->memlock.action)));
	json_object_object_add(ml, "needed_bytes", p->memlock.action == L_MEMLOCK_NONE ? NULL :
			       json_object_new_int64((int64_t)p->memlock.need));
	json_object_object_add(ml, "limit_bytes", p->memlock.action == L_MEMLOCK_NONE ? NULL :
			       p->memlock.cur_soft == ~0ULL ? NULL : json_object_new_int64((int64_t)p->memlock.cur_soft));
	json_object_object_add(ml, "exempt_by_cap_ipc_lock", json_object_new_boolean(p->memlock.by_cap));
	json_object_object_add(doc, "memlock", ml);
	json_object_object_add(doc, "uefi_vars", p->fw_code[0] ? json_object_new_string(p->vars_dst) : NULL);
	w = json_object_new_array();
	for (i = 0; i < p->nwarnings; i++)
		json_object_array_add(w, json_object_new_string(p->warnings[i]));
	json_object_object_add(doc, "warnings", w);
	return doc;
}
