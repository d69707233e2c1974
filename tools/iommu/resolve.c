/* SPDX-License-Identifier: MIT */
/* Turning what the user typed into devices, and the host checks every
 * command shares. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acpi.h"
#include "cmdline.h"
#include "cmds.h"
#include "cpuinfo.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "iommu.h"

static int scan_result(int r)
{
	if (r == -ENOENT) {
		kp_err(NULL, "no PCI bus in /sys/bus/pci");
		return KP_EXIT_HOST;
	}
	if (r < 0) {
		kp_err_errno(NULL, r, "cannot scan PCI devices");
		return KP_EXIT_HOST;
	}
	return 0;
}

int scan_host(struct kp_pci **pci, unsigned fill)
{
	return scan_result(kp_pci_scan(pci, fill));
}

static int add_bdf(char (**v)[13], size_t *n, const char *bdf)
{
	char (*nv)[13];
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], bdf) == 0)
			return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	snprintf(nv[*n], sizeof(nv[0]), "%s", bdf);
	(*n)++;
	*v = nv;
	return 0;
}

int scan_devices(struct kp_pci **pci, unsigned fill, int argc, char **argv, const char *id,
		 int groups)
{
	char (*bdfs)[13] = NULL;
	const char **ptrs = NULL;
	size_t n = 0, i, j, ng;
	int a, r = 0;

	if (id)
		return scan_host(pci, fill); /* every device's ids are asked */
	/* what the arguments name (malformed or unknown ones are left to
	 * resolve_devices, which says so) */
	for (a = 0; a < argc && r == 0; a++) {
		char bdf[13];

		if (kp_bdf_parse(argv[a], bdf) == 0 ||
		    (!strchr(argv[a], ':') && kp_pci_net_bdf(argv[a], bdf) == 0))
			r = add_bdf(&bdfs, &n, bdf);
	}
	/* and every member of their groups */
	for (i = 0, ng = n; groups && i < ng && r == 0; i++) {
		struct kp_iommu_group g;
		int id_ = kp_pci_group_of(bdfs[i]);

		if (id_ < 0 || kp_iommu_group_read(id_, &g) < 0)
			continue;
		for (j = 0; j < g.ndevices && r == 0; j++)
			r = add_bdf(&bdfs, &n, g.devices[j]);
		free(g.devices);
	}
	if (r == 0) {
		ptrs = malloc((n ? n : 1) * sizeof(*ptrs));
		if (!ptrs)
			r = -ENOMEM;
	}
	if (r < 0) {
		free(bdfs);
		kp_err_errno(NULL, r, "cannot scan PCI devices");
		return KP_EXIT_FAIL;
	}
	for (i = 0; i < n; i++)
		ptrs[i] = bdfs[i];
	r = kp_pci_scan_only(pci, fill, ptrs, n);
	free(ptrs);
	free(bdfs);
	return scan_result(r);
}

int dev_list_has(struct kp_pcidev *const *v, size_t n, const struct kp_pcidev *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == d)
			return 1;
	return 0;
}

int dev_list_add(struct kp_pcidev ***v, size_t *n, struct kp_pcidev *d)
{
	struct kp_pcidev **nv;

	if (dev_list_has(*v, *n, d))
		return 0;
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = d;
	*v = nv;
	return 0;
}

int resolve_devices(struct kp_pci *pci, int argc, char **argv, const char *id,
		    struct kp_pcidev ***out, size_t *nout)
{
	struct kp_pcidev **v = NULL;
	unsigned vendor = 0, device = 0;
	size_t n = 0, i;
	int a;

	*out = NULL;
	*nout = 0;
	/* every argument is checked for form before any is looked up */
	if (id && kp_pciid_parse(id, &vendor, &device) < 0)
		return kp_usage_err("malformed --id '%s' (want VVVV:DDDD, e.g. 10de:1eb8)", id);
	for (a = 0; a < argc; a++) {
		char bdf[13];

		if (kp_bdf_parse(argv[a], bdf) < 0 && kp_ifname_check(argv[a]) < 0)
			return kp_usage_err("malformed device '%s' (want a PCI address such as "
					    "0000:01:00.0 or 01:00.0, or an interface name)", argv[a]);
		if (strchr(argv[a], ':') && kp_bdf_parse(argv[a], bdf) < 0)
			return kp_usage_err("malformed PCI address '%s' (want 0000:01:00.0 or 01:00.0)",
					    argv[a]);
	}
	for (a = 0; a < argc; a++) {
		struct kp_pcidev *d;
		char bdf[13];

		if (kp_bdf_parse(argv[a], bdf) == 0)
			d = kp_pci_find(pci, bdf);
		else
			d = kp_pci_find_net(pci, argv[a]);
		if (!d) {
			free(v);
			kp_err(argv[a], "no such device");
			return KP_EXIT_HOST;
		}
		if (dev_list_add(&v, &n, d) < 0)
			goto nomem;
	}
	if (id) {
		size_t found = 0;

		for (i = 0; i < kp_pci_count(pci); i++) {
			struct kp_pcidev *d = kp_pci_dev(pci, i);

			if (d->vendor != vendor || d->device != device)
				continue;
			found++;
			if (dev_list_add(&v, &n, d) < 0)
				goto nomem;
		}
		if (!found) {
			free(v);
			kp_err(id, "no such device");
			return KP_EXIT_HOST;
		}
	}
	*out = v;
	*nout = n;
	return 0;
nomem:
	free(v);
	kp_err_errno(NULL, -ENOMEM, "cannot resolve devices");
	return KP_EXIT_FAIL;
}

/*
 * No IOMMU groups: say which step is missing, for this vendor. The firmware
 * must describe the IOMMU (ACPI DMAR on Intel, IVRS on AMD, IORT on arm64)
 * and the kernel must turn it on: Intel needs intel_iommu=on (unless the
 * kernel was built with it on by default), AMD has it on by default unless
 * amd_iommu=off or iommu=off is given. Nothing unsafe is offered (no vfio
 * no-IOMMU mode).
 */
int no_iommu(void)
{
	struct kp_cpuinfo ci;
	char *cmdline = NULL;
	int intel = 0, amd = 0, arm = 0;

	if (kp_cpuinfo_read(&ci) == 0) {
		intel = ci.vendor == KP_VENDOR_INTEL;
		amd = ci.vendor == KP_VENDOR_AMD || ci.vendor == KP_VENDOR_HYGON;
		arm = ci.arch == KP_ARCH_AARCH64;
		kp_cpuinfo_free(&ci);
	}
	if (kp_cmdline_read(&cmdline) < 0)
		cmdline = NULL;
	if (cmdline && (kp_cmdline_has_item(cmdline, "iommu", "off") ||
			kp_cmdline_has_item(cmdline, "intel_iommu", "off") ||
			kp_cmdline_has_item(cmdline, "amd_iommu", "off")))
		kp_err(NULL, "no IOMMU groups: the kernel command line turns the IOMMU off; "
			     "remove iommu=off / intel_iommu=off / amd_iommu=off and reboot");
	else if (intel && !kp_acpi_has_table("DMAR"))
		kp_err(NULL, "no IOMMU groups: the firmware offers no VT-d (no ACPI DMAR table); "
			     "enable \"VT-d\" in the BIOS/UEFI setup, boot with intel_iommu=on and reboot");
	else if (intel)
		kp_err(NULL, "no IOMMU groups: VT-d is on in the firmware but off in the kernel; "
			     "add intel_iommu=on to the kernel command line and reboot");
	else if (amd && !kp_acpi_has_table("IVRS"))
		kp_err(NULL, "no IOMMU groups: the firmware offers no AMD-Vi (no ACPI IVRS table); "
			     "enable \"IOMMU\" (AMD-Vi) in the BIOS/UEFI setup and reboot");
	else if (amd)
		kp_err(NULL, "no IOMMU groups: the firmware offers AMD-Vi but the kernel did not "
			     "enable it (see dmesg for AMD-Vi); kvmprep-validate --for passthrough says more");
	else if (arm)
		kp_err(NULL, "no IOMMU groups: no SMMU is enabled; it must be described by the "
			     "firmware (ACPI IORT or the device tree) and its driver (arm-smmu-v3) loaded");
	else
		kp_err(NULL, "no IOMMU groups: no IOMMU is enabled; kvmprep-validate --for "
			     "passthrough says what is missing");
	free(cmdline);
	return KP_EXIT_HOST;
}

int is_root(void)
{
	return geteuid() == 0;
}

int need_root(void)
{
	if (is_root())
		return 0;
	kp_err(NULL, "must be run as root");
	return KP_EXIT_HOST;
}

static struct kp_inuse *inuse;

static void inuse_done(void)
{
	kp_inuse_free(inuse);
	inuse = NULL;
}

static int inuse_ctx(void)
{
	int r;

	if (!inuse) {
		r = kp_inuse_new(&inuse);
		if (r < 0)
			return r;
		atexit(inuse_done);
	}
	return 0;
}

void device_usage_scan(struct kp_pci *pci)
{
	if (inuse_ctx() == 0)
		kp_inuse_set_scan(inuse, pci);
}

int device_usage(const struct kp_pcidev *d, unsigned flags, struct kp_dev_usage *u)
{
	int r;

	memset(u, 0, sizeof(*u));
	if ((r = inuse_ctx()) < 0)
		return r;
	r = kp_inuse_pcidev(inuse, d, flags, u);
	return r < 0 ? r : u->in_use;
}

const char *acs_override(void)
{
	static char val[128];
	static int read;
	char *cmdline = NULL;

	if (!read) {
		read = 1;
		if (kp_cmdline_read(&cmdline) == 0 &&
		    kp_cmdline_get(cmdline, "pcie_acs_override", val, sizeof(val)) == 0)
			val[0] = '\0';
		else if (!val[0])
			snprintf(val, sizeof(val), "%s", cmdline ? "(set)" : "");
		free(cmdline);
	}
	return val[0] ? val : NULL;
}

void warn_acs_override(void)
{
	const char *v = acs_override();

	if (v)
		kp_warn(NULL, "pcie_acs_override=%s is on the kernel command line: IOMMU groups "
			"are not DMA isolation (devices in different groups may still reach each "
			"other); pass whole groups as the hardware forms them", v);
}
