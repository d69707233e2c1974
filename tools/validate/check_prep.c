/* SPDX-License-Identifier: MIT */
/*
 * Host preparation beyond "can KVM run": what the virtualization guides
 * (RHEL's Virtualization Tuning and Optimization Guide, SUSE's
 * Virtualization Guide, Debian's KVM wiki) tell an administrator to set up:
 * libvirt's daemons and default network, tuned, KSM and swap, hugepages at
 * boot, CPU isolation for pinned guests, halt polling, SELinux/AppArmor for
 * libvirt, Secure Boot firmware and vTPM, sizing.
 */
#include "validate.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cmdline.h"
#include "root.h"
#include "sysfs.h"

/* A host file exists (root prefix applied); a symlink counts itself (its
 * target is a host path too, which the prefix does not reach). */
static int hexists(const char *abs)
{
	char path[4096];
	struct stat st;

	return kp_path(path, sizeof(path), abs) == 0 && lstat(path, &st) == 0;
}

/* The first of several host paths that exists, or NULL. */
static const char *first_of(const char *const *paths)
{
	for (; *paths; paths++)
		if (hexists(*paths))
			return *paths;
	return NULL;
}

/*
 * Whether systemd starts UNIT at boot: a link in some
 * /etc/systemd/system/TARGET.wants/ (what `systemctl enable` makes), or in
 * /usr/lib/systemd/system's wants for units enabled by the vendor. 1
 * enabled, 0 not, -1 masked (/etc/systemd/system/UNIT -> /dev/null).
 */
static int unit_enabled(const char *unit)
{
	static const char *const dirs[] = { "/etc/systemd/system", "/usr/lib/systemd/system",
					    "/lib/systemd/system" };
	char abs[512], path[4096], link[64];
	size_t i;
	ssize_t l;

	snprintf(abs, sizeof(abs), "/etc/systemd/system/%s", unit);
	if (kp_path(path, sizeof(path), abs) == 0 &&
	    (l = readlink(path, link, sizeof(link) - 1)) > 0) {
		link[l] = '\0';
		if (!strcmp(link, "/dev/null"))
			return -1;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		glob_t g;
		int hit;

		snprintf(abs, sizeof(abs), "%s/*.wants/%s", dirs[i], unit);
		if (kp_path(path, sizeof(path), abs) < 0)
			continue;
		hit = glob(path, 0, NULL, &g) == 0 && g.gl_pathc > 0;
		globfree(&g);
		if (hit)
			return 1;
	}
	return 0;
}

/* ---- libvirt ---------------------------------------------------------- */

static const char *const libvirtd_bins[] = { "/usr/sbin/libvirtd", NULL };
static const char *const virtqemud_bins[] = { "/usr/sbin/virtqemud", NULL };

static int libvirt_installed(void)
{
	return first_of(libvirtd_bins) || first_of(virtqemud_bins);
}

void chk_platform_libvirt(struct vctx *c, struct vresult *r)
{
	int modular = first_of(virtqemud_bins) != NULL, mono = first_of(libvirtd_bins) != NULL;

	if (!modular && !mono) {
		vset(r, V_SKIP, NULL, "libvirt is not installed (kvmprep-launch needs none)");
		return;
	}
	if (modular && (unit_enabled("virtqemud.socket") > 0 || unit_enabled("virtqemud.service") > 0)) {
		vset(r, V_PASS, NULL, "libvirt's modular daemons: virtqemud enabled%s",
		     unit_enabled("virtnetworkd.socket") > 0 || unit_enabled("virtnetworkd.service") > 0 ?
			     ", virtnetworkd enabled" : "");
		return;
	}
	if (mono && (unit_enabled("libvirtd.socket") > 0 || unit_enabled("libvirtd.service") > 0)) {
		vset(r, V_PASS, NULL, "libvirtd enabled (monolithic daemon)");
		return;
	}
	if (modular)
		vset(r, V_WARN, "for d in qemu network nodedev storage secret; do systemctl enable --now virt${d}d.socket "
		     "virt${d}d-ro.socket virt${d}d-admin.socket; done",
		     "libvirt is installed but neither virtqemud nor libvirtd starts at boot: virsh finds no daemon");
	else
		vset(r, V_WARN, "systemctl enable --now libvirtd.socket",
		     "libvirtd is installed but does not start at boot: virsh finds no daemon");
}

void chk_platform_libvirt_net(struct vctx *c, struct vresult *r)
{
	if (!libvirt_installed()) {
		vset(r, V_SKIP, NULL, "libvirt is not installed");
		return;
	}
	if (!hexists("/etc/libvirt/qemu/networks/default.xml")) {
		vset(r, V_WARN, "virsh net-define /usr/share/libvirt/networks/default.xml && virsh net-autostart default && "
		     "virsh net-start default",
		     "libvirt's default network is not defined: virt-install fails with \"cannot find default network\"");
		return;
	}
	if (!hexists("/etc/libvirt/qemu/networks/autostart/default.xml")) {
		vset(r, V_WARN, "virsh net-autostart default && virsh net-start default",
		     "libvirt's default network is defined but not autostarted: after a reboot guests on it have no network");
		return;
	}
	vset(r, V_PASS, NULL, "libvirt's default network is defined and autostarted");
}

/* ---- tuned ------------------------------------------------------------ */

void chk_platform_tuned(struct vctx *c, struct vresult *r)
{
	static const char *const bins[] = { "/usr/sbin/tuned", NULL };
	char prof[128];

	if (!first_of(bins)) {
		vset(r, V_SKIP, NULL, "tuned is not installed");
		return;
	}
	if (vhost_line("/etc/tuned/active_profile", prof, sizeof(prof)) < 0 || !prof[0]) {
		vset(r, V_WARN, "tuned-adm profile virtual-host", "tuned is installed but has no active profile");
		return;
	}
	if (strcmp(prof, "virtual-host")) {
		vset(r, V_WARN, "tuned-adm profile virtual-host",
		     "tuned profile %s, not virtual-host (which tunes the host's scheduler, dirty pages and power for guests)",
		     prof);
		return;
	}
	if (unit_enabled("tuned.service") <= 0) {
		vset(r, V_WARN, "systemctl enable --now tuned",
		     "tuned's profile is virtual-host, but tuned does not start at boot");
		return;
	}
	vset(r, V_PASS, NULL, "tuned profile virtual-host");
}

/* ---- KSM and swap ----------------------------------------------------- */

void chk_memory_ksm_tuning(struct vctx *c, struct vresult *r)
{
	static const char *const ksmtuned_bins[] = { "/usr/sbin/ksmtuned", NULL };
	long run, mac;
	int nodes = vnuma_nodes(c), tuned = first_of(ksmtuned_bins) != NULL;
	int tuned_on = tuned && unit_enabled("ksmtuned.service") > 0;

	if (vksm_run(c, &run) < 0) {
		vset(r, V_SKIP, NULL, "the kernel has no KSM");
		return;
	}
	if (run != 1 && !tuned_on) {
		vset(r, V_PASS, NULL, "KSM does not merge (run=%ld)%s", run,
		     tuned ? " and ksmtuned does not start at boot" : "");
		return;
	}
	/* KSM merges: its pages unshare again when guests write them, so the
	 * memory it saved must be there then: swap for the overcommit */
	if (c->mem_r == 0 && c->mem.swap_total_kb == 0) {
		vset(r, V_WARN, "add swap for the overcommit KSM (and ballooning) allow: merged pages need real memory again when guests write them",
		     "KSM %s, but the host has no swap: overcommitted guests are killed (OOM) when merged pages unshare",
		     run == 1 ? "merges pages" : "is started by ksmtuned");
		return;
	}
	if (nodes > 1 && kp_sysfs_read_long("/sys/kernel/mm/ksm/merge_across_nodes", &mac) == 0 &&
	    mac == 1) {
		vset(r, V_WARN, "echo 2 > /sys/kernel/mm/ksm/run; echo 0 > /sys/kernel/mm/ksm/merge_across_nodes; "
		     "echo 1 > /sys/kernel/mm/ksm/run (merge_across_nodes can change only while nothing is merged)",
		     "KSM merges pages across the %d NUMA nodes (merge_across_nodes=1): a guest's memory ends up on a remote node",
		     nodes);
		return;
	}
	vset(r, V_PASS, NULL, "KSM %s%s, with %lld MiB of swap for the overcommit",
	     run == 1 ? "merges" : "is started by ksmtuned",
	     nodes > 1 ? " within each NUMA node" : "", c->mem_r == 0 ? c->mem.swap_total_kb >> 10 : 0);
}

/* ---- hugepages at boot ------------------------------------------------ */

/* Whether vm.nr_hugepages (or nr_hugepages_mempolicy) is set in a sysctl.d
 * file: the name of the first that sets it, into file. */
static int sysctl_sets(const char *key, char *file, size_t n)
{
	static const char *const dirs[] = { "/etc/sysctl.d/*.conf", "/run/sysctl.d/*.conf",
					    "/usr/lib/sysctl.d/*.conf", "/etc/sysctl.conf" };
	size_t d, i;
	const char *root = kp_root();
	size_t rl = strcmp(root, "/") ? strlen(root) : 0;

	while (rl && root[rl - 1] == '/')
		rl--;
	for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		char pat[4096];
		glob_t g;

		if (kp_path(pat, sizeof(pat), dirs[d]) < 0 || glob(pat, 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			char *text, *line, *save;
			const char *abs = g.gl_pathv[i] + rl;
			int hit = 0;

			if (kp_read_file(abs, &text, NULL) < 0)
				continue;
			for (line = strtok_r(text, "\n", &save); line && !hit; line = strtok_r(NULL, "\n", &save)) {
				line += strspn(line, " \t");
				if (!strncmp(line, key, strlen(key)) &&
				    strchr(" \t=", line[strlen(key)]))
					hit = 1;
			}
			free(text);
			if (hit) {
				snprintf(file, n, "%s", abs);
				globfree(&g);
				return 1;
			}
		}
		globfree(&g);
	}
	return 0;
}

void chk_memory_hugepages_boot(struct vctx *c, struct vresult *r)
{
	const struct kp_hugepool *p;
	size_t n, i;
	long long reserved_kb = 0;
	char file[512], arg[32];
	int e = vhugepools(c, &p, &n);

	if (e < 0) {
		vset(r, V_SKIP, NULL, "no hugepage pools");
		return;
	}
	for (i = 0; i < n; i++)
		if (p[i].node == -1)
			reserved_kb += p[i].size_kb * p[i].total;
	if (!reserved_kb) {
		vset(r, V_SKIP, NULL, "no hugepages reserved");
		return;
	}
	/* a reservation near the whole memory starves the host: at boot it
	 * panics or OOMs before userspace */
	if (c->mem_r == 0 && c->mem.total_kb > 0 &&
	    reserved_kb > c->mem.total_kb - (c->mem.total_kb / 10 > (2LL << 20) ? c->mem.total_kb / 10 : (2LL << 20))) {
		char res[32], tot[32];

		vsize(res, sizeof(res), reserved_kb * 1024);
		vsize(tot, sizeof(tot), c->mem.total_kb * 1024);
		vset(r, V_FAIL, "lower the reservation so that the host keeps at least 2 GiB and a tenth of its memory",
		     "%s of %s are reserved as hugepages: the host is left too little (a boot-time reservation this close to all memory can panic the boot)",
		     res, tot);
		return;
	}
	if (kp_cmdline_get(c->cmdline, "hugepages", arg, sizeof(arg)) != 0) {
		vset(r, V_PASS, NULL, "hugepages reserved at boot on the kernel command line (hugepages=%s)", arg);
		return;
	}
	if (sysctl_sets("vm.nr_hugepages", file, sizeof(file))) {
		vset(r, V_PASS, NULL, "hugepages reserved at boot by vm.nr_hugepages in %s", file);
		return;
	}
	vset(r, V_WARN, "2M pages: vm.nr_hugepages=N in /etc/sysctl.d/80-hugepages.conf; 1G pages, per NUMA node: "
	     "hugepagesz=1G hugepages=0:N0,1:N1 on the kernel command line",
	     "hugepages are reserved now, but nothing reserves them at boot: they are gone after a reboot");
}

/* ---- CPU isolation ---------------------------------------------------- */

#define MAXCPU 8192

/* Parse a kernel CPU list ("0-3,8,10-11"; isolcpus may lead with flags
 * "domain,managed_irq,") into a bitmap. Count set, or -EINVAL. */
static int cpulist(const char *s, unsigned char *bits)
{
	int count = 0;

	memset(bits, 0, MAXCPU / 8);
	while (*s) {
		char *end;
		long a, b;

		if (*s < '0' || *s > '9') {
			/* isolcpus flags: skip a word */
			const char *comma = strchr(s, ',');

			if (!strncmp(s, "domain", 6) || !strncmp(s, "managed_irq", 11) ||
			    !strncmp(s, "nohz", 4)) {
				if (!comma)
					return count;
				s = comma + 1;
				continue;
			}
			return -EINVAL;
		}
		a = strtol(s, &end, 10);
		b = a;
		if (*end == '-') {
			b = strtol(end + 1, &end, 10);
			if (*end == ':') /* a-b:used/group: take the range whole */
				end += strcspn(end, ",");
		}
		if (a < 0 || b < a || b >= MAXCPU)
			return -EINVAL;
		for (; a <= b; a++)
			if (!(bits[a / 8] & (1 << (a % 8)))) {
				bits[a / 8] |= (unsigned char)(1 << (a % 8));
				count++;
			}
		if (*end == ',')
			end++;
		else if (*end)
			return -EINVAL;
		s = end;
	}
	return count;
}

void chk_resources_isolation(struct vctx *c, struct vresult *r)
{
	static unsigned char iso[MAXCPU / 8], node[MAXCPU / 8];
	char arg[512], nohz[512], rcu[512], list[1024];
	int niso = 0, has_nohz, has_rcu, nodes = vnuma_nodes(c), i, nb = -1;

	if (kp_cmdline_get(c->cmdline, "isolcpus", arg, sizeof(arg)) > 0 && arg[0])
		niso = cpulist(arg, iso);
	has_nohz = kp_cmdline_get(c->cmdline, "nohz_full", nohz, sizeof(nohz)) > 0;
	has_rcu = kp_cmdline_get(c->cmdline, "rcu_nocbs", rcu, sizeof(rcu)) > 0;
	if (vhost_line("/proc/sys/kernel/numa_balancing", list, sizeof(list)) >= 0)
		nb = atoi(list);
	if (niso < 0) {
		vset(r, V_WARN, "fix isolcpus= on the kernel command line", "isolcpus=%s is not a CPU list", arg);
		return;
	}
	if (niso == 0) {
		vset(r, V_PASS, NULL, "no CPUs isolated: pinned guests share their CPUs with the host%s",
		     nb == 1 ? "; automatic NUMA balancing moves guest memory" : "");
		return;
	}
	/* every NUMA node keeps at least one CPU for the host */
	for (i = 0; i < (nodes > 0 ? nodes : 1); i++) {
		char path[96];
		int nn, k, kept = 0;

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/cpulist", i);
		if (vsys(path, list, sizeof(list)) < 0 || (nn = cpulist(list, node)) <= 0)
			continue;
		for (k = 0; k < MAXCPU; k++)
			if ((node[k / 8] & (1 << (k % 8))) && !(iso[k / 8] & (1 << (k % 8))))
				kept++;
		if (!kept) {
			vset(r, V_FAIL, "leave at least one CPU of every NUMA node out of isolcpus= (and nohz_full=)",
			     "isolcpus=%s isolates every CPU of NUMA node %d (%s): the host keeps none there for its own work and interrupts",
			     arg, i, list);
			return;
		}
	}
	if (!has_nohz || !has_rcu) {
		vset(r, V_WARN, "isolate with isolcpus=LIST nohz_full=LIST rcu_nocbs=LIST together (the same list)",
		     "isolcpus=%s without %s%s%s: the isolated CPUs still take timer ticks or RCU callbacks",
		     arg, has_nohz ? "" : "nohz_full=", !has_nohz && !has_rcu ? " and " : "",
		     has_rcu ? "" : "rcu_nocbs=");
		return;
	}
	if (nb == 1) {
		vset(r, V_WARN, "sysctl -w kernel.numa_balancing=0 (persist in /etc/sysctl.d/), and pin guest memory with --numa-node",
		     "%d CPUs isolated for pinned guests, but automatic NUMA balancing is on: it migrates pinned guests' memory",
		     niso);
		return;
	}
	if (vsys("/sys/devices/virtual/workqueue/cpumask", list, sizeof(list)) >= 0)
		vset(r, V_PASS, NULL, "%d CPUs isolated (isolcpus, nohz_full, rcu_nocbs); unbound workqueues on mask %s",
		     niso, list);
	else
		vset(r, V_PASS, NULL, "%d CPUs isolated (isolcpus, nohz_full, rcu_nocbs)", niso);
}

/* ---- halt polling ----------------------------------------------------- */

void chk_kvm_halt_poll(struct vctx *c, struct vresult *r)
{
	long ns;

	if (kp_sysfs_read_long("/sys/module/kvm/parameters/halt_poll_ns", &ns) < 0) {
		vset(r, V_SKIP, NULL, "no halt_poll_ns (KVM not loaded, or not this architecture)");
		return;
	}
	if (ns == 0)
		vset(r, V_PASS, NULL, "halt_poll_ns=0: idle vCPUs yield their CPU at once (saves host CPU and power, "
		     "adds wake-up latency to guests)");
	else
		vset(r, V_PASS, NULL, "halt_poll_ns=%ld: an idle vCPU spins up to %ld µs before yielding (lower guest "
		     "wake-up latency, costs host CPU; 0 where CPUs are overcommitted)", ns, ns / 1000);
}

/* ---- SELinux / AppArmor for libvirt ------------------------------------ */

void chk_platform_mac_virt(struct vctx *c, struct vresult *r)
{
	char v[32], path[4096], label[256];
	const char *fstype = NULL;
	ssize_t l = 0;
	int e;

	if (!libvirt_installed()) {
		vset(r, V_SKIP, NULL, "libvirt is not installed (its confinement does not apply)");
		return;
	}
	if (vsys("/sys/fs/selinux/enforce", v, sizeof(v)) >= 0) {
		const char *boolean = NULL;
		char fsbuf[64];

		if (vimages_fstype(c->images, fsbuf, sizeof(fsbuf)) == 0)
			fstype = fsbuf;
		if (fstype && (!strncmp(fstype, "nfs", 3)))
			boolean = "virt_use_nfs";
		else if (fstype && (!strcmp(fstype, "cifs") || !strcmp(fstype, "smb3")))
			boolean = "virt_use_samba";
		if (boolean) {
			char bpath[128];

			snprintf(bpath, sizeof(bpath), "/sys/fs/selinux/booleans/%s", boolean);
			if (vsys(bpath, v, sizeof(v)) >= 0 && v[0] != '1') {
				vset(r, V_FAIL, NULL, "%s is on %s, but the SELinux boolean %s is off: sVirt denies guests their disks",
				     c->images, fstype, boolean);
				vhint(r, "setsebool -P %s 1", boolean);
				return;
			}
		}
		/*
		 * With SELinux on, the kernel answers this for every inode (a
		 * file without a label reads as unlabeled_t), so a failure means
		 * the directory is missing or unreadable: say so, never PASS.
		 */
		e = kp_path(path, sizeof(path), c->images);
		if (e == 0) {
			l = lgetxattr(path, "security.selinux", label, sizeof(label) - 1);
			e = l > 0 ? 0 : l == 0 ? -ENODATA : -errno;
		}
		if (e < 0) {
			vset(r, V_WARN, NULL, "the SELinux label of %s cannot be read (%s): cannot tell whether guests may open images there",
			     c->images, strerror(-e));
			vhint(r, "ls -Zd %s (it should be virt_image_t)", c->images);
			return;
		}
		label[l] = '\0';
		if (!strstr(label, "virt_image_t") && !strstr(label, "svirt_image_t") &&
		    !(boolean && strstr(label, "nfs_t"))) {
			vset(r, V_WARN, NULL, "%s is labelled %s, not virt_image_t: guests cannot open images there",
			     c->images, label);
			vhint(r, "semanage fcontext -a -t virt_image_t '%s(/.*)?' && restorecon -R %s",
			      c->images, c->images);
			return;
		}
		vset(r, V_PASS, NULL, "SELinux: %s is labelled for guest images%s%s", c->images,
		     boolean ? ", " : "", boolean ? boolean : "");
		return;
	}
	if (vsys("/sys/module/apparmor/parameters/enabled", v, sizeof(v)) >= 0 && v[0] == 'Y') {
		char *prof = NULL;
		int loaded = 0;

		if (kp_read_file("/sys/kernel/security/apparmor/profiles", &prof, NULL) == 0 || prof) {
			loaded = prof && strstr(prof, "libvirtd") && strstr(prof, "virt-aa-helper");
			free(prof);
		}
		if (!loaded) {
			vset(r, V_WARN, "apparmor_parser -r /etc/apparmor.d/usr.sbin.libvirtd /etc/apparmor.d/usr.lib.libvirt.virt-aa-helper "
			     "(the apparmor and libvirt-daemon-system packages ship them)",
			     "AppArmor is on but libvirt's profiles (libvirtd, virt-aa-helper) are not loaded: guests run unconfined");
			return;
		}
		vset(r, V_PASS, NULL, "AppArmor: libvirt's profiles are loaded (guests confined by virt-aa-helper)");
		return;
	}
	vset(r, V_SKIP, NULL, "neither SELinux nor AppArmor is active (see platform.mac)");
}

/* ---- Secure Boot firmware and vTPM ------------------------------------ */

/* WARN, never FAIL: only some guests need them (Windows 11, measured boot),
 * and a host for confidential guests (--for secure) may need neither. */

void chk_secure_secureboot(struct vctx *c, struct vresult *r)
{
	static const char *const code[] = {
		"/usr/share/OVMF/OVMF_CODE_4M.secboot.fd", "/usr/share/OVMF/OVMF_CODE.secboot.fd",
		"/usr/share/edk2/ovmf/OVMF_CODE.secboot.fd", "/usr/share/edk2/x64/OVMF_CODE.secboot.4m.fd",
		NULL,
	};
	static const char *const vars[] = {
		"/usr/share/OVMF/OVMF_VARS_4M.ms.fd", "/usr/share/OVMF/OVMF_VARS.ms.fd",
		"/usr/share/edk2/ovmf/OVMF_VARS.secboot.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd", NULL,
	};
	const char *cd, *vr;

	if (c->cpu.arch != KP_ARCH_X86_64) {
		vset(r, V_SKIP, NULL, "Secure Boot firmware is checked on x86_64 (OVMF)");
		return;
	}
	cd = first_of(code);
	vr = first_of(vars);
	if (cd && vr) {
		vset(r, V_PASS, NULL, "Secure Boot firmware: %s with enrolled keys %s", cd, vr);
		return;
	}
	vset(r, V_WARN, "apt-get install ovmf (Debian/Ubuntu: OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.ms.fd), or dnf install edk2-ovmf",
	     "no Secure Boot OVMF %s: guests cannot boot with Secure Boot (Windows 11 needs it)",
	     !cd && !vr ? "code or variables template" : !cd ? "code (*.secboot.fd)" :
							    "variables template with Microsoft keys (*.ms.fd)");
}

void chk_secure_vtpm(struct vctx *c, struct vresult *r)
{
	static const char *const swtpm[] = { "/usr/bin/swtpm", NULL };
	static const char *const libtpms[] = {
		"/usr/lib/x86_64-linux-gnu/libtpms.so.0", "/usr/lib/aarch64-linux-gnu/libtpms.so.0",
		"/usr/lib/s390x-linux-gnu/libtpms.so.0", "/usr/lib64/libtpms.so.0", "/usr/lib/libtpms.so.0",
		NULL,
	};

	if (!first_of(swtpm)) {
		vset(r, V_WARN, "apt-get install swtpm swtpm-tools (Debian/Ubuntu), or dnf install swtpm swtpm-tools",
		     "no swtpm: guests get no virtual TPM (Windows 11 and measured boot need one)");
		return;
	}
	if (!first_of(libtpms)) {
		vset(r, V_WARN, "apt-get install libtpms0, or dnf install libtpms",
		     "swtpm is installed but libtpms is not: the emulator cannot start");
		return;
	}
	vset(r, V_PASS, NULL, "swtpm and libtpms installed: guests can have a TPM 2.0 (-tpmdev emulator)");
}

/* ---- sizing ----------------------------------------------------------- */

void chk_resources_vcpus(struct vctx *c, struct vresult *r)
{
	int n = vcpus_online(c), host;
	double ratio;

	if (!c->want_vcpus) {
		vset(r, V_SKIP, NULL, "%d CPUs; --vcpus N judges N planned vCPUs against them", n);
		return;
	}
	host = n > 1 ? n - 1 : 1; /* one CPU is kept for the host */
	ratio = (double)c->want_vcpus / host;
	if (c->want_vcpus <= host) {
		vset(r, V_PASS, NULL, "%d vCPUs on %d CPUs, one kept for the host: not overcommitted",
		     c->want_vcpus, n);
		return;
	}
	vset(r, ratio > 3 ? V_FAIL : V_WARN,
	     "plan fewer vCPUs, or add CPUs: past about 3 vCPUs per CPU guests stall each other (steal time)",
	     "%d vCPUs on %d CPUs with one kept for the host: overcommitted %.1f:1", c->want_vcpus, n, ratio);
}
