/* SPDX-License-Identifier: MIT */
/* iommu: firmware tables, the running kernel's IOMMU, groups, vfio. */
#include "validate.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "cmdline.h"
#include "iommu.h"
#include "root.h"
#include "sysfs.h"


static const char *bios_iommu(const struct vctx *c)
{
	if (v_intel(c))
		return "enable Intel VT-d (\"Intel Virtualization Technology for Directed I/O\") in the BIOS/UEFI setup";
	if (v_amd(c))
		return "enable the IOMMU (\"AMD-Vi\" / \"IOMMU\", often under NBIO or Northbridge settings) in the BIOS/UEFI setup";
	return "enable the SMMU in the firmware setup";
}

/*
 * Which IOMMU the kernel would drive. On x86 each driver looks for its own
 * ACPI table whatever the CPU's vendor (drivers/iommu/intel/dmar.c
 * detect_intel_iommu: DMAR; drivers/iommu/amd/init.c amd_iommu_detect:
 * IVRS), so a VM may have an AMD CPU and a VT-d (QEMU's intel-iommu): the
 * table decides, and the vendor only when there is none. Read once per run.
 */
enum viommu_kind viommu_kind(struct vctx *c)
{
	if (c->iommu_kind >= 0)
		return (enum viommu_kind)c->iommu_kind;
	if (c->cpu.arch == KP_ARCH_AARCH64) {
		c->iommu_kind = IK_SMMU;
		c->iommu_fw = kp_acpi_has_table("IORT");
	} else if (c->cpu.arch != KP_ARCH_X86_64) {
		c->iommu_kind = IK_NONE;
		c->iommu_fw = 0;
	} else {
		static const char *const tables[] = { "DMAR", "IVRS" };
		int t = kp_acpi_first_table_in(KP_ACPI_TABLES, tables, 2);

		c->iommu_fw = 1;
		if (t == 0)
			c->iommu_kind = IK_VTD;
		else if (t == 1)
			c->iommu_kind = IK_AMDVI;
		else {
			c->iommu_kind = v_intel(c) ? IK_VTD : v_amd(c) ? IK_AMDVI : IK_NONE;
			c->iommu_fw = 0;
		}
	}
	return (enum viommu_kind)c->iommu_kind;
}

/* The table that describes that IOMMU to the kernel. */
static const char *fw_table(struct vctx *c)
{
	switch (viommu_kind(c)) {
	case IK_VTD:
		return "DMAR";
	case IK_AMDVI:
		return "IVRS";
	case IK_SMMU:
		return "IORT";
	default:
		return NULL;
	}
}

void chk_iommu_firmware(struct vctx *c, struct vresult *r)
{
	const char *t = fw_table(c);

	if (c->cpu.arch == KP_ARCH_S390X) {
		vset(r, V_SKIP, NULL, "s390x: the zPCI IOMMU is part of the platform, no ACPI table");
		return;
	}
	if (!t) {
		vset(r, V_SKIP, NULL, "unknown CPU vendor: no IOMMU table to look for");
		return;
	}
	if (c->iommu_fw) {
		vset(r, V_PASS, NULL, "ACPI %s table present (%s)", t,
		     !strcmp(t, "DMAR") ? "Intel VT-d" : !strcmp(t, "IVRS") ? "AMD-Vi" : "SMMU");
		return;
	}
	if (c->cpu.arch == KP_ARCH_AARCH64 && !kp_acpi_present()) {
		vctx_iommu(c);
		if (c->iommu_units > 0)
			vset(r, V_PASS, NULL, "no ACPI (device tree host); the kernel found an IOMMU: %s",
			     c->iommu_names);
		else
			vset(r, V_WARN, "describe the SMMU in the device tree, or boot with ACPI",
			     "no ACPI (device tree host) and no IOMMU registered");
		return;
	}
	vset(r, V_FAIL, bios_iommu(c), "no ACPI %s table: the firmware offers no IOMMU", t);
	if (c->cpu_r == 0 && kp_cpuinfo_has(&c->cpu, "hypervisor"))
		vhint(r, "; on a VM, give it a virtual IOMMU (QEMU: -device %s)",
		      viommu_kind(c) == IK_AMDVI ? "amd-iommu" : "intel-iommu,intremap=on");
}

void chk_iommu_enabled(struct vctx *c, struct vresult *r)
{
	int groups = vctx_iommu(c);
	const char *t = fw_table(c);
	int fw = t && c->iommu_fw;

	if (c->iommu_units > 0 || groups > 0) {
		if (c->iommu_units > 0)
			vset(r, V_PASS, NULL, "IOMMU enabled in the kernel: %s", c->iommu_names);
		else
			vset(r, V_PASS, NULL, "IOMMU enabled in the kernel (%d groups)", groups);
		return;
	}
	if (kp_cmdline_has_item(c->cmdline, "iommu", "off")) {
		vset(r, V_FAIL, vkarg_hint(c, 0, "iommu=off"),
		     "IOMMU disabled by iommu=off on the kernel command line");
		return;
	}
	if (viommu_kind(c) == IK_VTD) {
		if (kp_cmdline_has_item(c->cmdline, "intel_iommu", "off") ||
		    !kp_cmdline_has_item(c->cmdline, "intel_iommu", "on")) {
			vset(r, V_FAIL, vkarg_hint(c, 1, "intel_iommu=on"),
			     "IOMMU not enabled: the kernel command line lacks intel_iommu=on%s",
			     fw ? " (VT-d is on in firmware)" : "");
			if (!fw)
				vhint(r, "; and %s", bios_iommu(c));
			return;
		}
		vset(r, V_FAIL, bios_iommu(c),
		     "intel_iommu=on is set but the kernel registered no IOMMU (firmware offers none)");
		return;
	}
	if (viommu_kind(c) == IK_AMDVI) {
		if (kp_cmdline_has_item(c->cmdline, "amd_iommu", "off")) {
			vset(r, V_FAIL, vkarg_hint(c, 0, "amd_iommu=off"),
			     "IOMMU disabled by amd_iommu=off on the kernel command line");
			return;
		}
		vset(r, V_FAIL, bios_iommu(c),
		     "the kernel registered no AMD IOMMU (it is on by default: the firmware offers none%s)",
		     fw ? ", or its IVRS table is broken: see dmesg for AMD-Vi" : "");
		return;
	}
	if (c->cpu.arch == KP_ARCH_AARCH64) {
		vset(r, V_FAIL, NULL, "the kernel registered no SMMU");
		if (fw)
			vhint(r, "modprobe arm_smmu_v3 (or arm_smmu for SMMUv2)");
		else
			vhint(r, "%s", bios_iommu(c));
		return;
	}
	vset(r, V_FAIL, "enable the IOMMU in firmware and on the kernel command line",
	     "the kernel registered no IOMMU");
}

void chk_iommu_groups(struct vctx *c, struct vresult *r)
{
	int groups = vctx_iommu(c);

	if (groups > 0) {
		vset(r, V_PASS, NULL, "%d IOMMU group%s", groups, groups == 1 ? "" : "s");
		return;
	}
	if (c->iommu_units > 0)
		vset(r, V_FAIL, "check dmesg for DMAR/AMD-Vi/SMMU errors",
		     "an IOMMU is registered but the kernel made no IOMMU groups");
	else
		vset(r, V_FAIL, "see iommu.enabled", "no IOMMU groups: no IOMMU is enabled");
}

/* Default domain type of the groups: "identity" under iommu=pt. Count of
 * groups of each kind. */
static void group_types(int *identity, int *dma)
{
	struct dirent *de;
	DIR *d;

	*identity = *dma = 0;
	d = opendir("/sys/kernel/iommu_groups");
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300], type[32];

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/iommu_groups/%s/type", de->d_name);
		if (kp_sysfs_read(path, type, sizeof(type)) < 0)
			continue;
		if (!strcmp(type, "identity"))
			(*identity)++;
		else if (!strncmp(type, "DMA", 3))
			(*dma)++;
	}
	closedir(d);
}

void chk_iommu_passthrough(struct vctx *c, struct vresult *r)
{
	int identity, dma, arm = c->cpu.arch == KP_ARCH_AARCH64;
	const char *arg = arm ? "iommu.passthrough=1" : "iommu=pt";
	int on_cmdline;

	if (vctx_iommu(c) <= 0) {
		vset(r, V_SKIP, NULL, "no IOMMU enabled");
		return;
	}
	on_cmdline = arm ? kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "1") ||
				   kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "on") ||
				   kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "y")
			 : kp_cmdline_has_item(c->cmdline, "iommu", "pt");
	group_types(&identity, &dma);
	/* The AMD IOMMU driver turns SEV-SNP off in passthrough mode
	 * (drivers/iommu/amd/init.c, iommu_snp_enable: "SNP: IOMMU disabled or
	 * configured in passthrough mode, SNP cannot be supported"): on a CPU
	 * that offers SNP, never suggest iommu=pt, and say what it costs. */
	if (v_snp_cpu(c)) {
		if ((identity > 0 && dma == 0) || (on_cmdline && dma == 0)) {
			vset(r, V_WARN, NULL,
			     "passthrough mode: host devices skip DMA translation, but the AMD IOMMU driver "
			     "then disables SEV-SNP, which this CPU offers");
			vhint(r, "%s if this host is to run SEV-SNP guests", vkarg_hint(c, 0, "iommu=pt"));
			return;
		}
		vset(r, V_PASS, NULL, "host devices use DMA translation (%d group%s): required for SEV-SNP, "
		     "which this CPU offers (iommu=pt would disable it)", identity + dma,
		     identity + dma == 1 ? "" : "s");
		return;
	}
	if (identity > 0 && dma == 0) {
		vset(r, V_PASS, NULL, "passthrough mode: host devices skip DMA translation%s",
		     on_cmdline ? "" : " (kernel default)");
		return;
	}
	if (on_cmdline && dma == 0) {
		vset(r, V_PASS, NULL, "passthrough mode (%s)", arg);
		return;
	}
	vset(r, V_WARN, NULL,
	     "host devices use DMA translation (%d of %d groups): extra host I/O overhead",
	     dma, identity + dma);
	vhint(r, "%s", vkarg_hint(c, 1, arg));
}

/*
 * arm64: vfio needs MSIs isolated per device (IRQ_DOMAIN_FLAG_ISOLATED_MSI).
 * The GICv3/v4 ITS gives it (its MSI domains carry the flag); a GICv2m MSI
 * frame does not, so vfio_iommu_type1 refuses devices there unless
 * allow_unsafe_interrupts=1. /proc/interrupts names the chip of each MSI.
 */
static void arm_msi_isolation(struct vresult *r)
{
	char *irq = NULL;
	int its, v2m;

	if (kp_read_file("/proc/interrupts", &irq, NULL) < 0) {
		vset(r, V_WARN, "check dmesg for \"ITS\" (isolated) or \"GICv2m\" (not isolated)",
		     "cannot read /proc/interrupts: MSI isolation unknown");
		return;
	}
	its = strstr(irq, "ITS-") != NULL;
	v2m = strstr(irq, "GICv2m") != NULL;
	free(irq);
	if (its && !v2m) {
		vset(r, V_PASS, NULL, "MSIs go through the GIC ITS, which isolates them per device");
		return;
	}
	if (v2m) {
		vset(r, V_FAIL, "use a platform with a GICv3 ITS; unsafe fallback for trusted guests only: "
		     "options vfio_iommu_type1 allow_unsafe_interrupts=1",
		     "MSIs go through a GICv2m frame%s, which does not isolate them: vfio refuses devices",
		     its ? " (and an ITS)" : "");
		return;
	}
	vset(r, V_WARN, "check dmesg for \"ITS\" (isolated) or \"GICv2m\" (not isolated)",
	     "no ITS or GICv2m MSIs in /proc/interrupts: MSI isolation unknown");
}

void chk_iommu_irq_remap(struct vctx *c, struct vresult *r)
{
	char *interrupts = NULL;

	if (vctx_iommu(c) <= 0) {
		vset(r, V_SKIP, NULL, "no IOMMU enabled");
		return;
	}
	if (c->cpu.arch == KP_ARCH_AARCH64) {
		arm_msi_isolation(r);
		return;
	}
	if (c->cpu.arch != KP_ARCH_X86_64) {
		vset(r, V_SKIP, NULL, "%s: MSIs are isolated by the platform (zPCI), not by IOMMU remapping",
		     kp_arch_name(c->cpu.arch));
		return;
	}
	if (kp_cmdline_has_item(c->cmdline, "intremap", "off") ||
	    kp_cmdline_has_item(c->cmdline, "intremap", "nosid")) {
		vset(r, V_FAIL, vkarg_hint(c, 0, "intremap=off"),
		     "interrupt remapping disabled by intremap= on the kernel command line: vfio refuses devices");
		return;
	}
	/* the running kernel: remapped interrupt chips are named IR-… */
	if (kp_read_file("/proc/interrupts", &interrupts, NULL) == 0) {
		int ir = strstr(interrupts, "IR-") != NULL;

		free(interrupts);
		if (ir) {
			vset(r, V_PASS, NULL, "interrupt remapping active (IR- interrupt chips)");
			return;
		}
	}
	if (viommu_kind(c) == IK_VTD) {
		struct dirent *de;
		DIR *d = opendir("/sys/class/iommu");
		int units = 0, with_ir = 0;

		while (d && (de = readdir(d))) {
			char path[300], buf[64], *end;
			long ecap;

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/sys/class/iommu/%s/intel-iommu/ecap", de->d_name);
			/* the kernel writes ecap as bare hex ("f050da") */
			if (kp_sysfs_read(path, buf, sizeof(buf)) <= 0)
				continue;
			ecap = strtol(buf, &end, 16);
			if (*end)
				continue;
			units++;
			if (ecap & (1L << 3)) /* ECAP.IR */
				with_ir++;
		}
		if (d)
			closedir(d);
		if (units && with_ir == units) {
			vset(r, V_PASS, NULL, "interrupt remapping supported by every VT-d unit (%d)", units);
			return;
		}
		if (units) {
			vset(r, V_FAIL, "enable \"Interrupt Remapping\" (under VT-d) in the BIOS/UEFI setup; "
			     "unsafe fallback: options vfio_iommu_type1 allow_unsafe_interrupts=1",
			     "%d of %d VT-d units cannot remap interrupts: vfio refuses devices", units - with_ir, units);
			return;
		}
		vset(r, V_WARN, "check dmesg for \"Enabled IRQ remapping\"",
		     "cannot tell whether interrupts are remapped (no VT-d unit details)");
		return;
	}
	if (viommu_kind(c) == IK_AMDVI) {
		vset(r, V_PASS, NULL, "AMD-Vi remaps interrupts whenever it is enabled");
		return;
	}
	vset(r, V_WARN, "check dmesg for \"Enabled IRQ remapping\"", "cannot tell whether interrupts are remapped");
}

void chk_iommu_vfio(struct vctx *c, struct vresult *r)
{
	static const char *const mods[] = { "vfio", "vfio_pci", "vfio_iommu_type1" };
	char missing[128] = "", loaded[128] = "", avail[128] = "";
	size_t i;

	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		enum kp_modstate st;
		char *list;
		int e = vmod(c, mods[i], &st);

		if (e < 0) {
			vset(r, V_WARN, NULL, "cannot read the state of %s: %s", mods[i], strerror(-e));
			return;
		}
		list = st == KP_MOD_MISSING ? missing : st == KP_MOD_AVAILABLE ? avail : loaded;
		if (list[0])
			strcat(list, ", ");
		strcat(list, mods[i]);
	}
	/* A kernel that uses only iommufd has no vfio_iommu_type1: QEMU (8.2+)
	 * takes -object iommufd with the vfio device cdev, and iommufd's
	 * compat container (CONFIG_IOMMUFD_VFIO_CONTAINER) serves
	 * /dev/vfio/vfio. Then type1 is not needed. */
	if (!strcmp(missing, "vfio_iommu_type1")) {
		enum kp_modstate ist;

		if (vmod(c, "iommufd", &ist) == 0 && ist != KP_MOD_MISSING) {
			vset(r, V_PASS, NULL, "%s%s%s%s%s; no vfio_iommu_type1, but iommufd is %s "
			     "(QEMU 8.2+: -object iommufd; or iommufd's /dev/vfio/vfio compat container)",
			     loaded, loaded[0] ? " loaded" : "", loaded[0] && avail[0] ? ", " : "",
			     avail, avail[0] ? " installed" : "", kp_modstate_name(ist));
			return;
		}
	}
	if (missing[0]) {
		vset(r, V_FAIL, "install a kernel with CONFIG_VFIO, CONFIG_VFIO_PCI and CONFIG_VFIO_IOMMU_TYPE1 "
		     "(the linux-modules-extra / kernel-modules-core package)",
		     "not available: %s", missing);
		return;
	}
	if (avail[0] && loaded[0])
		vset(r, V_PASS, NULL, "%s loaded; %s installed (kvmprep-iommu loads them when binding)", loaded, avail);
	else if (avail[0])
		vset(r, V_PASS, NULL, "%s installed (kvmprep-iommu loads them when binding)", avail);
	else
		vset(r, V_PASS, NULL, "%s loaded or built in", loaded);
}

/* PCI bridges share groups with what is behind them by design: not counted. */
static int is_bridge(const char *bdf)
{
	char path[128];
	long cls;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/class", bdf);
	if (kp_sysfs_read_long(path, &cls) < 0)
		return 0;
	return (cls >> 8) == 0x0604;
}

void chk_iommu_isolation(struct vctx *c, struct vresult *r)
{
	struct kp_iommu_group *g;
	size_t n, i, j;
	int shared = 0, e;
	char example[160] = "", ovr[128];

	if (vctx_iommu(c) <= 0) {
		vset(r, V_SKIP, NULL, "no IOMMU groups");
		return;
	}
	e = kp_iommu_groups(&g, &n);
	if (e < 0) {
		vset(r, V_WARN, NULL, "cannot read the IOMMU groups: %s", strerror(-e));
		return;
	}
	for (i = 0; i < n; i++) {
		const char *first = NULL;
		int slots = 0;

		/* functions of one slot (a GPU and its audio) belong together:
		 * count devices from different slots only */
		for (j = 0; j < g[i].ndevices; j++) {
			if (is_bridge(g[i].devices[j]))
				continue;
			if (!first || strncmp(first, g[i].devices[j], 10)) {
				first = g[i].devices[j];
				slots++;
			}
		}
		if (slots > 1) {
			shared++;
			if (!example[0]) {
				int len = snprintf(example, sizeof(example), "group %d:", g[i].id);

				for (j = 0; j < g[i].ndevices && len < (int)sizeof(example) - 16; j++)
					len += snprintf(example + len, sizeof(example) - (size_t)len, " %s",
							g[i].devices[j]);
			}
		}
	}
	kp_iommu_groups_free(g, n);
	/* pcie_acs_override= (an out-of-tree patch: linux-zen, Proxmox, Unraid)
	 * makes the kernel pretend ACS: the groups no longer say which devices
	 * can reach each other by DMA. */
	e = kp_cmdline_get(c->cmdline, "pcie_acs_override", ovr, sizeof(ovr));
	if (e != 0) {
		if (e < 0)
			snprintf(ovr, sizeof(ovr), "…");
		char arg[300];

		snprintf(arg, sizeof(arg), "pcie_acs_override=%s", ovr);
		vset(r, V_WARN, NULL,
		     "pcie_acs_override=%s is on the kernel command line: the %zu groups are not DMA "
		     "isolation (devices in different groups may still reach each other)", ovr, n);
		vhint(r, "%s to see the real groups; pass whole groups instead",
		      vkarg_hint2(c, 0, "pcie_acs_override=", arg));
		return;
	}
	if (!shared) {
		vset(r, V_PASS, NULL, "every IOMMU group holds one device (or the functions of one slot)");
		return;
	}
	vset(r, V_WARN, "devices of one group can only be passed through together; move the card to a slot "
	     "behind an ACS-capable root port (kvmprep-iommu groups shows them)",
	     "%d of %zu groups span more than one slot (%s)", shared, n, example);
}
