/* SPDX-License-Identifier: MIT */
/* kvm: CPU extensions, the functional probe, modules, /dev nodes, Xen. */
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cmdline.h"
#include "root.h"

static const char *firmware_setting(const struct vctx *c)
{
	if (v_intel(c))
		return "enable Intel VT-x (\"Intel Virtualization Technology\") in the BIOS/UEFI setup";
	if (v_amd(c))
		return "enable AMD-V (\"SVM Mode\") in the BIOS/UEFI setup";
	if (c->cpu_r == 0 && c->cpu.arch == KP_ARCH_AARCH64)
		return "boot the kernel at EL2 (the firmware must start it in hypervisor mode)";
	if (c->cpu_r == 0 && c->cpu.arch == KP_ARCH_S390X)
		return "give the LPAR or z/VM guest the SIE facility";
	return "enable hardware virtualization in the firmware";
}

/* the vendor module for this CPU ("" when the kvm module is all there is) */
static const char *vendor_module(const struct vctx *c)
{
	if (v_intel(c))
		return "kvm_intel";
	if (v_amd(c))
		return "kvm_amd";
	return "";
}

void chk_kvm_cpu_flags(struct vctx *c, struct vresult *r)
{
	const char *flag = NULL, *what = "";
	int pr;

	switch (c->cpu.arch) {
	case KP_ARCH_X86_64:
		if (v_intel(c)) {
			flag = "vmx";
			what = "Intel VT-x";
		} else if (v_amd(c)) {
			flag = "svm";
			what = "AMD-V";
		} else {
			flag = kp_cpuinfo_has(&c->cpu, "svm") ? "svm" : "vmx";
			what = "hardware virtualization";
		}
		break;
	case KP_ARCH_S390X:
		flag = "sie";
		what = "SIE";
		break;
	case KP_ARCH_AARCH64:
		/* arm64 lists no flag: the kernel owns EL2 or not, /dev/kvm says */
		vctx_probe(c, &pr);
		if (access("/dev/kvm", F_OK) == 0)
			vset(r, V_PASS, NULL, "arm64 lists no virtualization flag; /dev/kvm is present (kernel runs at EL2)");
		else
			vset(r, V_FAIL, firmware_setting(c),
			     "arm64 lists no virtualization flag and there is no /dev/kvm (kernel not at EL2, or KVM not built)");
		return;
	default:
		vset(r, V_SKIP, NULL, "unknown architecture: no CPU flag to look for");
		return;
	}

	vctx_probe(c, &pr);
	if (kp_cpuinfo_has(&c->cpu, flag)) {
		if (pr < 0 && c->probe.stage != KP_KVM_STAGE_OPEN)
			vset(r, V_FAIL, "see kvm.probe: the extension is there but KVM cannot run guests",
			     "CPU has %s (%s) but KVM does not run guest code (%s)", flag, what,
			     c->probe.detail);
		else
			vset(r, V_PASS, NULL, "CPU has %s (%s)", flag, what);
		return;
	}
	if (pr == 0 && vmod_present(c, "kvm_pvm"))
		vset(r, V_PASS, NULL,
		     "no %s flag, but paravirtual KVM (kvm_pvm) runs guest code (see kvm.guests)", flag);
	else if (pr == 0)
		vset(r, V_PASS, NULL,
		     "no %s flag, but KVM runs guest code (nested or paravirtual KVM)", flag);
	else if (pr == -EACCES || pr == -EPERM)
		vset(r, V_WARN, "run kvmprep-validate as root so the KVM probe can tell",
		     "no %s flag, and the KVM probe could not open /dev/kvm", flag);
	else
		vset(r, V_FAIL, firmware_setting(c),
		     "CPU lacks %s (%s disabled in firmware, or not offered to this VM)", flag, what);
}

void chk_kvm_probe(struct vctx *c, struct vresult *r)
{
	const struct kp_kvmprobe *p;
	int pr;

	p = vctx_probe(c, &pr);
	if (pr == 0) {
		vset(r, V_PASS, NULL,
		     "KVM API %d: created a VM and ran guest code on a vCPU", p->api_version);
		return;
	}
	if (c->probe_died) {
		/* KVM signals the vCPU's thread (SIGBUS for guest memory it
		 * cannot back, hwpoison), or the kernel killed it */
		vset(r, V_FAIL, "check the kernel log (dmesg) for kvm errors and memory failures",
		     "KVM is broken: %s", p->detail);
		return;
	}
	switch (p->stage) {
	case KP_KVM_STAGE_OPEN:
		if (pr == -ENOENT || pr == -ENODEV || pr == -ENXIO) {
			vset(r, V_FAIL, NULL, "no usable /dev/kvm: KVM is not available");
			if (vendor_module(c)[0])
				vhint(r, "modprobe %s; if it fails: %s", vendor_module(c),
				      firmware_setting(c));
			else
				vhint(r, "modprobe kvm; if it fails: %s", firmware_setting(c));
		} else if (pr == -EACCES || pr == -EPERM) {
			vset(r, V_WARN, "run as root, or join the group that owns /dev/kvm (see kvm.dev_access)",
			     "cannot open /dev/kvm as this user: the probe could not run");
		} else {
			vset(r, V_FAIL, "check the kernel log (dmesg) for kvm errors",
			     "cannot open /dev/kvm: %s", strerror(-pr));
		}
		return;
	case KP_KVM_STAGE_SETUP:
		if (pr == -ENOTSUP) {
			vset(r, V_PASS, NULL,
			     "KVM API %d: created a VM and a vCPU (no guest program for this architecture)",
			     p->api_version);
			return;
		}
		break;
	default:
		break;
	}
	vset(r, V_FAIL, NULL, "KVM is broken: %s (stage %s)", p->detail,
	     kp_kvm_stage_name(p->stage));
	if (p->stage == KP_KVM_STAGE_CREATE_VM)
		vhint(r, "another hypervisor may hold the virtualization extension (VirtualBox, VMware), "
		      "or it is disabled in firmware; check dmesg for kvm errors");
	else
		vhint(r, "check the kernel log (dmesg) for kvm errors; on a VM, check the outer host's nested virtualization");
}

/*
 * Whether ordinary guests (a distribution kernel, SeaBIOS, OVMF) run under
 * this KVM, beyond the probe's few instructions. Paravirtual KVM (PVM,
 * module kvm_pvm) runs guest code without vmx/svm, but only guest kernels
 * built for PVM: a stock kernel stalls right after its decompressor and
 * firmware never leaves its first screen (seen on such a host: no
 * "Linux version" line on the serial console). Under --for a job that runs
 * guests this is a FAIL, unless --pvm-guests says the guests are PVM-aware.
 * Hardware KVM with EPT/NPT or unrestricted guest switched off still boots
 * everything, slowly: a WARN naming the module parameter.
 */
void chk_kvm_guests(struct vctx *c, struct vresult *r)
{
	int pr, ept = -1, ug = -1;

	vctx_probe(c, &pr);
	if (pr != 0) {
		vset(r, V_SKIP, NULL, "KVM does not run guest code here (see kvm.probe)");
		return;
	}
	if (vmod_present(c, "kvm_pvm")) {
		if (c->pvm_guests) {
			vset(r, V_PASS, NULL,
			     "paravirtual KVM (kvm_pvm): runs PVM-enabled guest kernels (--pvm-guests)");
			return;
		}
		vset(r, c->for_jobs & (J_KVM | J_PASSTHROUGH | J_SRIOV | J_MDEV) ? V_FAIL : V_WARN,
		     "run ordinary guests with TCG (qemu -accel tcg; kvmprep-launch --accel tcg), or boot "
		     "PVM-enabled guest kernels and say so with --pvm-guests",
		     "paravirtual KVM (kvm_pvm, no %s flag): only PVM-enabled guest kernels run under KVM; "
		     "stock kernels and firmware (SeaBIOS, OVMF) stall",
		     v_amd(c) ? "svm" : "vmx");
		return;
	}
	if (v_intel(c)) {
		ept = vparam_bool("kvm_intel", "ept");
		ug = vparam_bool("kvm_intel", "unrestricted_guest");
		if (ept == 0) {
			vset(r, V_WARN, "remove ept=0 from kvm_intel's options (/etc/modprobe.d) and reload kvm_intel; "
			     "on a VM, give it EPT (nested EPT)",
			     "kvm_intel ept=N: guests run on shadow page tables (much slower memory access)");
			return;
		}
		if (ug == 0) {
			vset(r, V_WARN, "remove unrestricted_guest=0 from kvm_intel's options and reload kvm_intel",
			     "kvm_intel unrestricted_guest=N: firmware and boot loaders' real-mode code is emulated (slow boots)");
			return;
		}
	} else if (v_amd(c) && vparam_bool("kvm_amd", "npt") == 0) {
		vset(r, V_WARN, "remove npt=0 from kvm_amd's options (/etc/modprobe.d) and reload kvm_amd",
		     "kvm_amd npt=0: guests run on shadow page tables (much slower memory access)");
		return;
	}
	if (c->cpu_r == 0 && kp_cpuinfo_has(&c->cpu, "hypervisor"))
		vset(r, V_PASS, NULL, "hardware-assisted KVM inside a VM (nested): ordinary guest kernels "
		     "and firmware run; their speed depends on the outer hypervisor");
	else
		vset(r, V_PASS, NULL, "hardware-assisted KVM: ordinary guest kernels and firmware run");
}

void chk_kvm_modules(struct vctx *c, struct vresult *r)
{
	static const char *const alternatives[] = { "kvm_pvm", "kvm_hv", "kvm_pr" };
	enum kp_modstate kst, vst;
	const char *vm = vendor_module(c), *alt = NULL;
	int kr, vr = 0, pr;
	size_t i;

	vctx_probe(c, &pr);
	kr = vmod(c, "kvm", &kst);
	if (kr < 0) {
		vset(r, V_WARN, NULL, "cannot read module state: %s", strerror(-kr));
		return;
	}
	for (i = 0; i < sizeof(alternatives) / sizeof(alternatives[0]); i++)
		if (vmod_present(c, alternatives[i])) {
			alt = alternatives[i];
			break;
		}
	if (vm[0])
		vr = vmod(c, vm, &vst);
	if (kst == KP_MOD_MISSING) {
		vset(r, V_FAIL, "install the kernel's modules package (linux-modules / kernel-modules), or a kernel built with CONFIG_KVM",
		     "the kvm module is neither loaded, built in, nor installed");
		return;
	}
	if (kst == KP_MOD_AVAILABLE) {
		vset(r, V_FAIL, NULL, "kvm is installed but not loaded");
		vhint(r, "modprobe %s; to load it at boot: echo %s > /etc/modules-load.d/kvm.conf",
		      vm[0] ? vm : "kvm", vm[0] ? vm : "kvm");
		return;
	}
	if (!vm[0] || alt) {
		if (alt)
			vset(r, V_PASS, NULL, "kvm %s, %s (%s KVM) %s", kp_modstate_name(kst), alt,
			     strcmp(alt, "kvm_pvm") ? "alternative" : "paravirtual", "present");
		else
			vset(r, V_PASS, NULL, "kvm %s", kp_modstate_name(kst));
		return;
	}
	if (vr < 0) {
		vset(r, V_WARN, NULL, "kvm %s; cannot read %s's state: %s",
		     kp_modstate_name(kst), vm, strerror(-vr));
		return;
	}
	switch (vst) {
	case KP_MOD_LOADED:
	case KP_MOD_BUILTIN:
		vset(r, V_PASS, NULL, "kvm %s, %s %s", kp_modstate_name(kst), vm,
		     kp_modstate_name(vst));
		return;
	case KP_MOD_AVAILABLE:
		if (pr == 0) {
			vset(r, V_PASS, NULL, "kvm %s, %s not loaded, but KVM runs guest code",
			     kp_modstate_name(kst), vm);
			return;
		}
		vset(r, V_FAIL, NULL, "kvm %s, %s installed but not loaded", kp_modstate_name(kst), vm);
		vhint(r, "modprobe %s; to load it at boot: echo %s > /etc/modules-load.d/kvm.conf "
		      "(if modprobe fails with \"Operation not supported\": %s)", vm, vm,
		      firmware_setting(c));
		return;
	default:
		if (pr == 0) {
			vset(r, V_PASS, NULL, "kvm %s, no %s, but KVM runs guest code",
			     kp_modstate_name(kst), vm);
			return;
		}
		vset(r, V_FAIL, "install the kernel's modules package (linux-modules-extra / kernel-modules)",
		     "kvm %s, but %s is not installed", kp_modstate_name(kst), vm);
		return;
	}
}

/* The name of group gid from the host's /etc/group (root prefix applied). */
static int group_name(gid_t gid, char *buf, size_t n)
{
	char *text, *line, *save;
	int found = 0;

	if (kp_read_file("/etc/group", &text, NULL) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char *name = line, *c1 = strchr(line, ':'), *c2;

		if (!c1)
			continue;
		c2 = strchr(c1 + 1, ':');
		if (!c2)
			continue;
		*c1 = '\0';
		if (strtoul(c2 + 1, NULL, 10) == gid && c2[1] != ':') {
			snprintf(buf, n, "%s", name);
			found = 1;
		}
	}
	free(text);
	return found;
}

void chk_kvm_dev_access(struct vctx *c, struct vresult *r)
{
	char grp[64];
	struct stat st;
	int named;

	if (stat("/dev/kvm", &st) < 0) {
		vset(r, V_FAIL, NULL, "/dev/kvm does not exist");
		if (vendor_module(c)[0])
			vhint(r, "modprobe %s", vendor_module(c));
		else
			vhint(r, "modprobe kvm");
		return;
	}
	if (!S_ISCHR(st.st_mode)) {
		vset(r, V_FAIL, "udevadm trigger, or reboot: devtmpfs creates it", "/dev/kvm is not a character device");
		return;
	}
	named = group_name(st.st_gid, grp, sizeof(grp));
	if (!named && st.st_gid == 0)
		snprintf(grp, sizeof(grp), "root");
	else if (!named)
		snprintf(grp, sizeof(grp), "%u", (unsigned)st.st_gid);
	if (access("/dev/kvm", R_OK | W_OK) == 0) {
		vset(r, V_PASS, NULL, "/dev/kvm (mode %04o, group %s) is usable by this user%s",
		     st.st_mode & 07777, grp, getuid() == 0 ? " (root)" : "");
		return;
	}
	vset(r, V_FAIL, NULL, "/dev/kvm (mode %04o, group %s) is not usable by this user",
	     st.st_mode & 07777, grp);
	if ((st.st_mode & 0060) == 0060 && st.st_gid != 0)
		vhint(r, "usermod -aG %s \"$USER\", then log in again", grp);
	else
		vhint(r, "give /dev/kvm to a group: a udev rule KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\", "
		      "then usermod -aG kvm \"$USER\"");
}

void chk_kvm_nested(struct vctx *c, struct vresult *r)
{
	const char *mods[] = { "kvm_intel", "kvm_amd", "kvm" };
	char val[32];
	size_t i;

	if (c->cpu.arch == KP_ARCH_AARCH64) {
		char mode[32];

		if (kp_cmdline_get(c->cmdline, "kvm-arm.mode", mode, sizeof(mode)) > 0 &&
		    !strcmp(mode, "nested"))
			vset(r, V_PASS, NULL, "nested virtualization on (kvm-arm.mode=nested)");
		else
			vset(r, V_PASS, NULL, "nested virtualization off (kvm-arm.mode=nested turns it on, on CPUs with FEAT_NV2)");
		return;
	}
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		char path[128];

		if (c->cpu.arch == KP_ARCH_X86_64 && !strcmp(mods[i], "kvm"))
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/parameters/nested", mods[i]);
		if (vsys(path, val, sizeof(val)) < 0)
			continue;
		if (val[0] == 'Y' || val[0] == 'y' || val[0] == '1')
			vset(r, V_PASS, NULL, "nested virtualization on (%s nested=%s)", mods[i], val);
		else
			vset(r, V_PASS, NULL,
			     "nested virtualization off (%s nested=%s): guests cannot run KVM themselves",
			     mods[i], val);
		return;
	}
	if (vmod_present(c, "kvm_pvm")) {
		vset(r, V_SKIP, NULL, "kvm_pvm reports no nested state (its guests are paravirtual)");
		return;
	}
	vset(r, V_SKIP, NULL, "no KVM vendor module loaded: nested state unknown");
}

void chk_kvm_vhost_net(struct vctx *c, struct vresult *r)
{
	enum kp_modstate st;

	if (access("/dev/vhost-net", F_OK) == 0) {
		vset(r, V_PASS, NULL, "/dev/vhost-net present: virtio-net runs in the kernel");
		return;
	}
	if (vmod(c, "vhost_net", &st) == 0 && st == KP_MOD_AVAILABLE) {
		vset(r, V_WARN, "modprobe vhost_net; at boot: echo vhost_net > /etc/modules-load.d/vhost-net.conf",
		     "no /dev/vhost-net: vhost_net is installed but not loaded (guest networking falls back to QEMU, slower)");
		return;
	}
	vset(r, V_WARN, "install a kernel with CONFIG_VHOST_NET (module vhost_net)",
	     "no /dev/vhost-net and no vhost_net module: guest networking runs in QEMU, slower");
}

void chk_kvm_tun(struct vctx *c, struct vresult *r)
{
	enum kp_modstate ms;
	struct stat st;

	if (stat("/dev/net/tun", &st) == 0 && S_ISCHR(st.st_mode)) {
		vset(r, V_PASS, NULL, "/dev/net/tun present: tap links work");
		return;
	}
	if (vmod(c, "tun", &ms) == 0 && ms != KP_MOD_MISSING) {
		vset(r, V_FAIL, "modprobe tun; if the module is loaded: mknod /dev/net/tun c 10 200",
		     "no /dev/net/tun: tap and macvtap guest links cannot be created");
		return;
	}
	vset(r, V_FAIL, "install a kernel with CONFIG_TUN (module tun)",
	     "no /dev/net/tun: tap and macvtap guest links cannot be created");
}

void chk_kvm_xen_dom0(struct vctx *c, struct vresult *r)
{
	char type[32], caps[128];

	if (vsys("/sys/hypervisor/type", type, sizeof(type)) < 0 || strcmp(type, "xen")) {
		vset(r, V_PASS, NULL, "not running under Xen");
		return;
	}
	if (vhost_line("/proc/xen/capabilities", caps, sizeof(caps)) >= 0 &&
	    strstr(caps, "control_d")) {
		vset(r, V_FAIL, "boot the kernel without the Xen hypervisor (choose the plain Linux GRUB entry)",
		     "this is a Xen dom0: Xen owns the virtualization extensions, KVM cannot run");
		return;
	}
	vset(r, V_PASS, NULL, "a Xen guest (not dom0): KVM depends on the nested support Xen gives");
}
