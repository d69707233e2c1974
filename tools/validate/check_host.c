/* SPDX-License-Identifier: MIT */
/* cgroups, secure (confidential guests), network sysctls, platform. */
#include "validate.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "root.h"
#include "sysfs.h"

extern char **environ;

/* ---- cgroups ---------------------------------------------------------- */

static struct kp_cgroup cg;
static int cg_r = 1; /* 1: not read yet */

static int cgroups(void)
{
	if (cg_r == 1)
		cg_r = kp_cgroup_read(&cg);
	return cg_r;
}

void chk_cgroups_layout(struct vctx *c, struct vresult *r)
{
	int e = cgroups();

	if (e < 0) {
		vset(r, V_WARN, NULL, "cannot read the mount table: %s", strerror(-e));
		return;
	}
	switch (cg.layout) {
	case KP_CG_V2:
		vset(r, V_PASS, NULL, "cgroup v2 (unified) at %s", cg.v2_mount);
		return;
	case KP_CG_V1:
		vset(r, V_PASS, NULL, "cgroup v1 (legacy hierarchies)");
		return;
	case KP_CG_HYBRID:
		vset(r, V_PASS, NULL, "cgroup v1 controllers, with a v2 hierarchy at %s (hybrid)", cg.v2_mount);
		return;
	default:
		vset(r, V_WARN, "mount cgroup2 on /sys/fs/cgroup (mount -t cgroup2 none /sys/fs/cgroup); systemd does this at boot",
		     "no cgroup filesystem mounted: guests cannot be given CPU or memory limits");
		return;
	}
}

/* " a b " -> "a b" (in place: the lists are ours) */
static const char *trim(char *s)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static void missing_list(char *out, size_t n, const char *const *want, size_t nwant,
			 int (*has)(const struct kp_cgroup *, const char *))
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < nwant; i++)
		if (!has(&cg, want[i])) {
			if (out[0])
				strncat(out, " ", n - strlen(out) - 1);
			strncat(out, want[i], n - strlen(out) - 1);
		}
}

void chk_cgroups_controllers(struct vctx *c, struct vresult *r)
{
	/* v2: device access is confined by BPF programs, not a controller */
	static const char *const v2_want[] = { "cpu", "cpuset", "memory", "io", "pids" };
	static const char *const v1_want[] = { "cpu", "cpuacct", "cpuset", "memory", "devices", "blkio", "pids" };
	char miss[128];
	int e = cgroups();

	if (e < 0) {
		vset(r, V_WARN, NULL, "cannot read the mount table: %s", strerror(-e));
		return;
	}
	if (cg.layout == KP_CG_NONE) {
		vset(r, V_SKIP, NULL, "no cgroup filesystem mounted");
		return;
	}
	if (cg.layout == KP_CG_V2) {
		if (!cg.v2_controllers_known) {
			vset(r, V_WARN, NULL, "cannot read %s/cgroup.controllers", cg.v2_mount);
			return;
		}
		missing_list(miss, sizeof(miss), v2_want, sizeof(v2_want) / sizeof(v2_want[0]),
			     kp_cgroup_v2_has);
		if (miss[0]) {
			vset(r, V_WARN, NULL, "v2 controllers missing: %s (have: %s)", miss,
			     cg.v2_controllers[0] ? trim(cg.v2_controllers) : "none");
			vhint(r, "remove cgroup_disable= from the kernel command line, or use a kernel with these controllers");
			return;
		}
		vset(r, V_PASS, NULL, "v2 controllers: %s", trim(cg.v2_controllers));
		return;
	}
	missing_list(miss, sizeof(miss), v1_want, sizeof(v1_want) / sizeof(v1_want[0]),
		     kp_cgroup_v1_has);
	if (miss[0]) {
		vset(r, V_WARN, NULL, "v1 controllers not mounted: %s%s", miss,
		     strstr(miss, "devices") ? " (guests' device access is not confined)" : "");
		vhint(r, "mount them under /sys/fs/cgroup (mount -t cgroup -o CONTROLLER cgroup /sys/fs/cgroup/CONTROLLER), "
		      "or boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2");
		return;
	}
	vset(r, V_PASS, NULL, "v1 controllers: %s", trim(cg.v1_controllers));
}

/* ---- secure ----------------------------------------------------------- */

static void sev_common(struct vctx *c, struct vresult *r, const char *flag,
		       const char *param, const char *name, const char *bios)
{
	int on;

	if (!v_amd(c)) {
		vset(r, V_SKIP, NULL, "%s needs an AMD CPU", name);
		return;
	}
	if (!kp_cpuinfo_has(&c->cpu, flag)) {
		vset(r, V_SKIP, NULL, "the CPU does not offer %s (unsupported, or off in the firmware)", name);
		vhint(r, "if the CPU supports it: %s in the BIOS/UEFI setup", bios);
		return;
	}
	on = vparam_bool("kvm_amd", param);
	if (on == 1) {
		if (!strcmp(flag, "sev") && access("/dev/sev", F_OK) != 0) {
			vset(r, V_WARN, "modprobe ccp (the AMD Secure Processor driver creates /dev/sev)",
			     "%s enabled in kvm_amd but there is no /dev/sev", name);
			return;
		}
		vset(r, V_PASS, NULL, "%s enabled (kvm_amd %s=Y)", name, param);
		return;
	}
	if (on == 0)
		vset(r, V_WARN, NULL, "the CPU offers %s but kvm_amd has it off (%s=N)", name, param);
	else
		vset(r, V_WARN, NULL, "the CPU offers %s but kvm_amd is not loaded or too old to say", name);
	vhint(r, "options kvm_amd %s=1 in /etc/modprobe.d/kvm-amd.conf (or kvm_amd.%s=1 on the kernel command line)%s, then reload kvm_amd",
	      param, param, strcmp(flag, "sev") ? "" : " and mem_encrypt=on");
}

void chk_secure_sev(struct vctx *c, struct vresult *r)
{
	sev_common(c, r, "sev", "sev", "SEV", "enable SME and SEV (\"SEV Control\", \"SEV ASID Count\")");
}

void chk_secure_sev_es(struct vctx *c, struct vresult *r)
{
	sev_common(c, r, "sev_es", "sev_es", "SEV-ES", "enable SEV-ES (set \"SEV-ES ASID Space Limit\" above 1)");
}

void chk_secure_sev_snp(struct vctx *c, struct vresult *r)
{
	/* The AMD IOMMU driver clears SNP (cc_platform_clear) when the IOMMU
	 * is off, in passthrough mode or on v2 page tables
	 * (drivers/iommu/amd/init.c, iommu_snp_enable); kvm_amd then reports
	 * sev_snp=N whatever its option says. Name the real cause. */
	if (v_snp_cpu(c) && vparam_bool("kvm_amd", "sev_snp") != 1) {
		const char *cause = NULL, *fix = NULL;

		if (v_iommu_passthrough(c)) {
			cause = "the IOMMU is in passthrough mode (iommu=pt)";
			fix = "remove iommu=pt";
		} else if (kp_cmdline_has_item(c->cmdline, "iommu", "off") ||
			   kp_cmdline_has_item(c->cmdline, "amd_iommu", "off")) {
			cause = "the IOMMU is off (iommu=off / amd_iommu=off)";
			fix = "remove iommu=off and amd_iommu=off";
		} else if (kp_cmdline_has_item(c->cmdline, "amd_iommu", "pgtbl_v2")) {
			cause = "the IOMMU uses v2 page tables (amd_iommu=pgtbl_v2)";
			fix = "remove amd_iommu=pgtbl_v2";
		}
		if (cause) {
			vset(r, V_FAIL, NULL, "the CPU offers SEV-SNP, but it cannot work: %s, "
			     "so the AMD IOMMU driver disables SNP", cause);
			vhint(r, "%s from the kernel command line (GRUB_CMDLINE_LINUX in /etc/default/grub, "
			      "then update-grub or grub2-mkconfig -o /boot/grub2/grub.cfg) and reboot", fix);
			return;
		}
	}
	sev_common(c, r, "sev_snp", "sev_snp", "SEV-SNP", "enable SEV-SNP and SNP memory coverage (\"SEV-SNP Support\", \"SNP Memory Coverage\")");
}

void chk_secure_tdx(struct vctx *c, struct vresult *r)
{
	int on;

	if (!v_intel(c)) {
		vset(r, V_SKIP, NULL, "TDX needs an Intel CPU");
		return;
	}
	on = vparam_bool("kvm_intel", "tdx");
	if (on == 1) {
		vset(r, V_PASS, NULL, "TDX enabled (kvm_intel tdx=Y)");
		return;
	}
	if (!kp_cpuinfo_has(&c->cpu, "tdx_host_platform")) {
		vset(r, V_SKIP, "if the CPU supports it: enable TME-MT and TDX (\"Trust Domain Extension\", with the SEAM loader) in the BIOS/UEFI setup",
		     "the host offers no TDX (CPU, firmware or kernel without it)");
		return;
	}
	vset(r, V_WARN, "options kvm_intel tdx=1 in /etc/modprobe.d/kvm-intel.conf (or kvm_intel.tdx=1 on the kernel command line), then reload kvm_intel",
	     "the platform offers TDX but kvm_intel has it off");
}

void chk_secure_s390_pv(struct vctx *c, struct vresult *r)
{
	long pv;

	if (c->cpu.arch != KP_ARCH_S390X) {
		vset(r, V_SKIP, NULL, "protected virtualization is s390x only");
		return;
	}
	if (kp_sysfs_read_long("/sys/firmware/uv/prot_virt_host", &pv) < 0) {
		vset(r, V_SKIP, NULL, "no Ultravisor (IBM z15 / LinuxONE III or later needed)");
		return;
	}
	if (pv == 1) {
		vset(r, V_PASS, NULL, "protected virtualization host enabled");
		return;
	}
	vset(r, V_WARN, "add prot_virt=1 to the kernel command line (zipl.conf parameters, then zipl) and reboot",
	     "the Ultravisor is there but the host is not set up for protected guests");
}

/* ---- network ---------------------------------------------------------- */

void chk_network_ip_forward(struct vctx *c, struct vresult *r)
{
	char v[16];

	if (vhost_line("/proc/sys/net/ipv4/ip_forward", v, sizeof(v)) < 0) {
		vset(r, V_SKIP, NULL, "no /proc/sys/net/ipv4/ip_forward (kernel without IPv4)");
		return;
	}
	if (!strcmp(v, "1")) {
		vset(r, V_PASS, NULL, "IPv4 forwarding on: NAT and routed guest networks work");
		return;
	}
	vset(r, V_WARN, "sysctl -w net.ipv4.ip_forward=1; at boot: echo net.ipv4.ip_forward=1 > /etc/sysctl.d/90-kvmprep.conf",
	     "IPv4 forwarding off (ip_forward=%s): NAT and routed guest networks cannot reach out", v);
}

void chk_network_bridge_nf(struct vctx *c, struct vresult *r)
{
	static const char *const keys[] = { "iptables", "ip6tables", "arptables" };
	char on[64] = "", v[16], path[128];
	size_t i;
	int seen = 0;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(path, sizeof(path), "/proc/sys/net/bridge/bridge-nf-call-%s", keys[i]);
		if (vhost_line(path, v, sizeof(v)) < 0)
			continue;
		seen++;
		if (!strcmp(v, "1")) {
			if (on[0])
				strcat(on, ", ");
			strcat(on, keys[i]);
		}
	}
	if (!seen) {
		vset(r, V_SKIP, NULL, "br_netfilter not loaded: bridged guest traffic bypasses the host firewall");
		return;
	}
	if (!on[0]) {
		vset(r, V_PASS, NULL, "br_netfilter loaded, bridge-nf-call-* off");
		return;
	}
	vset(r, V_WARN, "sysctl -w net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0 "
	     "net.bridge.bridge-nf-call-arptables=0; at boot: the same keys in /etc/sysctl.d/90-kvmprep.conf "
	     "(unless the host firewall must filter bridged traffic)",
	     "bridged guest traffic passes the host's %s rules (br_netfilter)", on);
}

/* ---- platform --------------------------------------------------------- */



void chk_platform_qemu(struct vctx *c, struct vresult *r)
{
	const char *arch = c->cpu.arch == KP_ARCH_S390X ? "s390x" : kp_arch_name(c->cpu.arch);
	char path[4096], shown[256], out[256];
	int rv;

	if (vqemu_path(c, path, sizeof(path), shown, sizeof(shown)) < 0) {
		vset(r, V_FAIL, NULL, "no QEMU binary (qemu-system-%s or qemu-kvm) in /usr/bin, /usr/libexec, /usr/local/bin", arch);
		vhint(r, "apt-get install qemu-system-%s (Debian/Ubuntu), or dnf install qemu-kvm (Fedora/RHEL)",
		      c->cpu.arch == KP_ARCH_X86_64 ? "x86" : c->cpu.arch == KP_ARCH_AARCH64 ? "arm" : "misc");
		return;
	}
	rv = vqemu_version(path, out, sizeof(out));
	if (rv == -ENOEXEC) {
		vset(r, V_FAIL, "reinstall QEMU", "%s is not an executable (no ELF header)", shown);
		return;
	}
	if (rv < 0 || !out[0]) {
		vset(r, V_WARN, NULL, "%s: no version string in it", shown);
		return;
	}
	vset(r, V_PASS, NULL, "%s, QEMU %s", shown, out);
}

void chk_platform_uefi(struct vctx *c, struct vresult *r)
{
	static const char *const x86[] = {
		"/usr/share/OVMF/OVMF_CODE*.fd", "/usr/share/edk2/ovmf/OVMF_CODE*.fd",
		"/usr/share/edk2/x64/OVMF_CODE*.fd", "/usr/share/qemu/OVMF*.fd",
		"/usr/share/edk2-ovmf/x64/OVMF_CODE*.fd", "/usr/share/qemu/edk2-x86_64-code.fd",
	};
	static const char *const arm[] = {
		"/usr/share/AAVMF/AAVMF_CODE*.fd", "/usr/share/qemu-efi-aarch64/QEMU_EFI.fd",
		"/usr/share/edk2/aarch64/QEMU_EFI*.fd", "/usr/share/qemu/edk2-aarch64-code.fd",
	};
	const char *const *list;
	size_t n, i;
	const char *root = kp_root();

	if (c->cpu.arch == KP_ARCH_X86_64) {
		list = x86;
		n = sizeof(x86) / sizeof(x86[0]);
	} else if (c->cpu.arch == KP_ARCH_AARCH64) {
		list = arm;
		n = sizeof(arm) / sizeof(arm[0]);
	} else {
		vset(r, V_SKIP, NULL, "%s guests do not boot UEFI", kp_arch_name(c->cpu.arch));
		return;
	}
	if (!strcmp(root, "/"))
		root = "";
	for (i = 0; i < n; i++) {
		char pat[4096];
		glob_t g;

		if (kp_path(pat, sizeof(pat), list[i]) < 0)
			continue;
		if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			size_t rl = strlen(root);
			const char *shown = g.gl_pathv[0];

			/* show the host's path, without the root prefix */
			while (rl && root[rl - 1] == '/')
				rl--;
			if (rl && !strncmp(shown, root, rl))
				shown += rl;
			vset(r, V_PASS, NULL, "UEFI firmware: %s%s", shown,
			     g.gl_pathc > 1 ? " (and more)" : "");
			globfree(&g);
			return;
		}
		globfree(&g);
	}
	vset(r, V_WARN, c->cpu.arch == KP_ARCH_X86_64 ?
		     "apt-get install ovmf (Debian/Ubuntu), or dnf install edk2-ovmf (Fedora/RHEL)" :
		     "apt-get install qemu-efi-aarch64 (Debian/Ubuntu), or dnf install edk2-aarch64 (Fedora/RHEL)",
	     "no UEFI firmware (OVMF/edk2): guests can boot only with legacy BIOS%s",
	     c->cpu.arch == KP_ARCH_AARCH64 ? " (arm64 guests need UEFI)" : "");
	if (c->cpu.arch == KP_ARCH_AARCH64)
		r->status = V_FAIL;
}

void chk_platform_mac(struct vctx *c, struct vresult *r)
{
	char v[16];

	if (vsys("/sys/fs/selinux/enforce", v, sizeof(v)) >= 0) {
		if (!strcmp(v, "1"))
			vset(r, V_PASS, NULL, "SELinux enforcing: guests are confined (sVirt)");
		else
			vset(r, V_WARN, "setenforce 1; at boot: SELINUX=enforcing in /etc/selinux/config",
			     "SELinux permissive: guests are not confined");
		return;
	}
	if (vsys("/sys/module/apparmor/parameters/enabled", v, sizeof(v)) >= 0 && v[0] == 'Y' &&
	    access("/sys/kernel/security/apparmor", F_OK) == 0) {
		vset(r, V_PASS, NULL, "AppArmor enabled: guests are confined (libvirt's sVirt profiles)");
		return;
	}
	vset(r, V_WARN, "enable AppArmor (apparmor=1 security=apparmor) or SELinux, so libvirt confines each guest",
	     "no SELinux or AppArmor: guests are not confined");
}
