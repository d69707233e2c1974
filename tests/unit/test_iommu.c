/* SPDX-License-Identifier: MIT */
/* Group viability and the --why analysis, on described PCIe topologies. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iommu.h"
#include "pci.h"
#include "reset.h"

static struct kp_pcidev dev(const char *bdf, unsigned class, const char *driver, int group,
			    const char *parent, int pcie_type)
{
	struct kp_pcidev d;
	unsigned dom, bus, slot, fn;

	memset(&d, 0, sizeof(d));
	sscanf(bdf, "%x:%x:%x.%x", &dom, &bus, &slot, &fn);
	snprintf(d.bdf, sizeof(d.bdf), "%s", bdf);
	d.domain = dom;
	d.bus = bus;
	d.dev = slot;
	d.func = fn;
	d.class = class;
	snprintf(d.driver, sizeof(d.driver), "%s", driver);
	d.group = group;
	snprintf(d.parent, sizeof(d.parent), "%s", parent);
	d.pcie_type = pcie_type;
	d.config_ok = 1;
	d.flr = -1;
	d.numa_node = -1;
	return d;
}

static struct kp_pcidev port(const char *bdf, int group, const char *parent, int type,
			     int acs, unsigned ctrl)
{
	struct kp_pcidev d = dev(bdf, 0x060400, "pcieport", group, parent, type);

	d.has_acs = acs;
	d.acs_cap = acs ? 0x5f : 0;
	d.acs_ctrl = ctrl;
	return d;
}

static struct kp_why *why(struct kp_pcidev *devs, size_t n, int g, size_t *nw)
{
	struct kp_pci *pci;
	struct kp_why *w;

	assert_int_equal(kp_pci_from_devs(&pci, devs, n), 0);
	assert_int_equal(kp_iommu_why(pci, g, &w, nw), 0);
	kp_pci_free(pci);
	return w;
}

static void test_member_ok(void **state)
{
	struct kp_pcidev d = dev("0000:01:00.0", 0x030000, "", 12, "", 0);

	(void)state;
	assert_true(kp_iommu_member_ok(&d, "vfio-pci"));
	strcpy(d.driver, "vfio-pci");
	assert_true(kp_iommu_member_ok(&d, "vfio-pci"));
	strcpy(d.driver, "pci-stub");
	assert_true(kp_iommu_member_ok(&d, "vfio-pci"));
	strcpy(d.driver, "nouveau");
	assert_false(kp_iommu_member_ok(&d, "vfio-pci"));
	d = port("0000:00:1c.0", 12, "", KP_PCIE_ROOT_PORT, 0, 0);
	assert_true(kp_iommu_member_ok(&d, "vfio-pci")); /* bridges stay on pcieport */
	/* the rule is the driver's (driver_managed_dma), not the device's */
	strcpy(d.driver, "shpchp");
	assert_false(kp_iommu_member_ok(&d, "vfio-pci"));
	assert_true(kp_driver_manages_dma("pcieport"));
	assert_true(kp_driver_manages_dma("pci-stub"));
	assert_false(kp_driver_manages_dma(""));
}

static void test_viable(void **state)
{
	struct kp_pcidev devs[] = {
		dev("0000:01:00.1", 0x040300, "snd_hda_intel", 12, "0000:00:1c.0", 0),
		dev("0000:01:00.0", 0x030000, "vfio-pci", 12, "0000:00:1c.0", 0),
		port("0000:00:1c.0", 12, "", KP_PCIE_ROOT_PORT, 0, 0),
		dev("0000:02:00.0", 0x010802, "", 13, "", 0),
	};
	struct kp_pci *pci;

	(void)state;
	assert_int_equal(kp_pci_from_devs(&pci, devs, 4), 0);
	assert_int_equal(kp_iommu_group_viable(pci, 12, "vfio-pci"), 0);
	assert_int_equal(kp_iommu_group_viable(pci, 13, "vfio-pci"), 1);
	assert_int_equal(kp_iommu_group_viable(pci, 99, "vfio-pci"), -ENOENT);
	strcpy(kp_pci_find(pci, "0000:01:00.1")->driver, "vfio-pci");
	assert_int_equal(kp_iommu_group_viable(pci, 12, "vfio-pci"), 1);
	kp_pci_free(pci);
}

static void test_members_sorted(void **state)
{
	struct kp_pcidev devs[] = {
		dev("0000:01:00.1", 0x040300, "", 12, "", 0),
		dev("0000:01:00.0", 0x030000, "", 12, "", 0),
		dev("0000:02:00.0", 0x010802, "", 13, "", 0),
	};
	struct kp_pcidev **m;
	struct kp_pci *pci;
	size_t n;

	(void)state;
	assert_int_equal(kp_pci_from_devs(&pci, devs, 3), 0);
	assert_int_equal(kp_iommu_members(pci, 12, &m, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(m[0]->bdf, "0000:01:00.0");
	assert_string_equal(m[1]->bdf, "0000:01:00.1");
	free(m);
	assert_int_equal(kp_iommu_members(pci, -1, &m, &n), 0);
	assert_int_equal(n, 0);
	free(m);
	kp_pci_free(pci);
}

/* A root port without ACS puts itself and everything behind it together
 * (pci_device_group moves up to it); the GPU's own functions are never
 * asked then: the kernel blames the port only. */
static void test_why_root_port_no_acs(void **state)
{
	struct kp_pcidev devs[] = {
		port("0000:00:1c.0", 7, "", KP_PCIE_ROOT_PORT, 0, 0),
		dev("0000:01:00.0", 0x030000, "nouveau", 7, "0000:00:1c.0", 0),
		dev("0000:01:00.1", 0x040300, "snd_hda_intel", 7, "0000:00:1c.0", 0),
	};
	struct kp_why *w;
	size_t n;

	(void)state;
	devs[1].multifunction = devs[2].multifunction = 1;
	w = why(devs, 3, 7, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_NO_ACS);
	assert_string_equal(w[0].bdf, "0000:00:1c.0");
	assert_int_equal(w[0].pcie_type, KP_PCIE_ROOT_PORT);
	assert_string_equal(w[0].devices, "0000:01:00.0, 0000:01:00.1");
	free(w);
	/* the same port isolated by a kernel quirk (an Intel Lynx Point PCH
	 * root port, pci_quirk_intel_pch_acs): the functions are the reason */
	devs[0].vendor = 0x8086;
	devs[0].device = 0x8c10;
	devs[0].group = 6; /* isolated: a group of its own */
	assert_string_equal(kp_acs_quirk(&devs[0]), "pci_quirk_intel_pch_acs");
	w = why(devs, 3, 7, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_MULTIFUNCTION);
	assert_string_equal(w[0].devices, "0000:01:00.0, 0000:01:00.1");
	free(w);
}

static void test_why_multifunction_only(void **state)
{
	struct kp_pcidev devs[] = {
		port("0000:00:1c.0", 7, "", KP_PCIE_ROOT_PORT, 1, 0x1d),
		dev("0000:01:00.0", 0x030000, "nouveau", 12, "0000:00:1c.0", 0),
		dev("0000:01:00.1", 0x040300, "snd_hda_intel", 12, "0000:00:1c.0", 0),
	};
	struct kp_why *w;
	size_t n;

	(void)state;
	/* without the multifunction bit the kernel never groups functions */
	w = why(devs, 3, 12, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_UNKNOWN);
	free(w);
	devs[1].multifunction = devs[2].multifunction = 1;
	w = why(devs, 3, 12, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_MULTIFUNCTION);
	assert_string_equal(kp_why_kind_name(w[0].kind), "multifunction");
	free(w);
	/* SR-IOV VFs are not functions of one device */
	snprintf(devs[1].physfn, sizeof(devs[1].physfn), "0000:00:1c.0");
	snprintf(devs[2].physfn, sizeof(devs[2].physfn), "0000:00:1c.0");
	w = why(devs, 3, 12, &n);
	assert_int_equal(w[0].kind, KP_WHY_UNKNOWN);
	free(w);
	devs[1].physfn[0] = devs[2].physfn[0] = '\0';
	/* functions that each have ACS are isolated: nothing from them */
	devs[1].has_acs = devs[2].has_acs = 1;
	devs[1].acs_cap = devs[2].acs_cap = 0x1d;
	devs[1].acs_ctrl = devs[2].acs_ctrl = 0x1d;
	w = why(devs, 3, 12, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_UNKNOWN);
	assert_string_equal(w[0].devices, "0000:01:00.0, 0000:01:00.1");
	free(w);
}

/* A switch: the upstream port needs no ACS, the downstream port with RR
 * and CR off merges the two endpoints behind it. */
static void test_why_switch_acs_off(void **state)
{
	struct kp_pcidev devs[] = {
		port("0000:00:01.0", 2, "", KP_PCIE_ROOT_PORT, 1, 0x1d),
		port("0000:01:00.0", 3, "0000:00:01.0", KP_PCIE_UPSTREAM, 0, 0),
		port("0000:02:01.0", 4, "0000:01:00.0", KP_PCIE_DOWNSTREAM, 1, 0x11),
		port("0000:03:00.0", 4, "0000:02:01.0", KP_PCIE_UPSTREAM, 0, 0),
		port("0000:04:01.0", 4, "0000:03:00.0", KP_PCIE_DOWNSTREAM, 0, 0),
		dev("0000:05:00.0", 0x020000, "ixgbe", 4, "0000:04:01.0", 0),
	};
	struct kp_why *w;
	size_t n;

	(void)state;
	w = why(devs, 6, 4, &n);
	assert_int_equal(n, 2);
	assert_int_equal(w[0].kind, KP_WHY_ACS_OFF);
	assert_string_equal(w[0].bdf, "0000:02:01.0");
	assert_string_equal(w[0].missing, "RR CR");
	assert_string_equal(w[0].devices, "0000:03:00.0, 0000:04:01.0, 0000:05:00.0");
	assert_int_equal(w[1].kind, KP_WHY_NO_ACS);
	assert_string_equal(w[1].bdf, "0000:04:01.0");
	assert_string_equal(w[1].devices, "0000:05:00.0");
	free(w);
}

static void test_why_pci_bridge(void **state)
{
	struct kp_pcidev devs[] = {
		port("0000:00:1e.0", 9, "", KP_PCIE_NONE, 0, 0),
		dev("0000:05:00.0", 0x0c0300, "uhci_hcd", 9, "0000:00:1e.0", KP_PCIE_NONE),
		dev("0000:05:01.0", 0x020000, "e100", 9, "0000:00:1e.0", KP_PCIE_NONE),
	};
	struct kp_why *w;
	size_t n;

	(void)state;
	devs[0].class = 0x060401;
	w = why(devs, 3, 9, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_PCI_BRIDGE);
	assert_string_equal(w[0].bdf, "0000:00:1e.0");
	assert_string_equal(w[0].devices, "0000:05:00.0, 0000:05:01.0");
	free(w);
}

static void test_why_alone_and_empty(void **state)
{
	struct kp_pcidev devs[] = {
		dev("0000:02:00.0", 0x010802, "nvme", 13, "", KP_PCIE_RC_ENDPOINT),
	};
	struct kp_pci *pci;
	struct kp_why *w;
	size_t n;

	(void)state;
	w = why(devs, 1, 13, &n);
	assert_int_equal(n, 1);
	assert_int_equal(w[0].kind, KP_WHY_ALONE);
	free(w);
	assert_int_equal(kp_pci_from_devs(&pci, devs, 1), 0);
	assert_int_equal(kp_iommu_why(pci, 14, &w, &n), -ENOENT);
	kp_pci_free(pci);
}

/* The quirk table's function semantics (drivers/pci/quirks.c), beyond
 * the IDs: the PCIe type each function wants, its ID list, and "false"
 * (not isolated) from the Zhaoxin and Wangxun functions. */
static void test_acs_quirk_verdict(void **state)
{
	struct kp_pcidev d = port("0000:00:01.0", 1, "", KP_PCIE_ROOT_PORT, 0, 0);
	const char *fn;

	(void)state;
	d.vendor = 0x1d17; /* Zhaoxin */
	d.device = 0x0716;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 1);
	assert_string_equal(fn, "pci_quirk_zhaoxin_pcie_ports_acs");
	d.device = 0x0722; /* a hole in the list: false, even with ACS */
	d.has_acs = 1;
	d.acs_cap = d.acs_ctrl = 0x1d;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 0);
	assert_null(kp_acs_quirk(&d));
	d.pcie_type = KP_PCIE_UPSTREAM; /* not a root or downstream port: no row */
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), -1);
	assert_null(fn);
	d.pcie_type = KP_PCIE_DOWNSTREAM;
	d.device = 0x0752;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), 1);
	d.device = 0x3038; /* the multifunction row comes first, any type */
	d.pcie_type = KP_PCIE_ENDPOINT;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 1);
	assert_string_equal(fn, "pci_quirk_mf_endpoint_acs");
	/* Cavium: root ports in its ranges only; a026 as an endpoint is the
	 * multifunction row's */
	d.vendor = 0x177d;
	d.device = 0xa026;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 1);
	assert_string_equal(fn, "pci_quirk_mf_endpoint_acs");
	d.pcie_type = KP_PCIE_ROOT_PORT;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 1);
	assert_string_equal(fn, "pci_quirk_cavium_acs");
	d.device = 0xa800;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	d.device = 0xb884;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), 1);
	/* Annapurna Labs: root ports only */
	d.vendor = 0x1c36;
	d.device = 0x0031;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), 1);
	d.pcie_type = KP_PCIE_ENDPOINT;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	/* Wangxun: any type, listed IDs isolate, the others are false */
	d.vendor = 0x8088;
	d.device = 0x5140;
	assert_int_equal(kp_acs_quirk_verdict(&d, &fn), 1);
	assert_string_equal(fn, "pci_quirk_wangxun_nic_acs");
	d.device = 0x0110;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), 0);
	/* Intel PCH: the exact list (Patsburg has the even IDs only), root
	 * ports only; I219 is 15b7 and 15b8 */
	d.vendor = 0x8086;
	d.pcie_type = KP_PCIE_ROOT_PORT;
	d.has_acs = 0;
	d.device = 0x1d10;
	assert_string_equal(kp_acs_quirk(&d), "pci_quirk_intel_pch_acs");
	d.device = 0x1d11;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	d.device = 0x8c91;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	d.pcie_type = KP_PCIE_ENDPOINT;
	d.device = 0x15b9;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	d.device = 0x15b8;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), 1);
	/* Sunrise Point: only with its (misplaced) ACS capability */
	d.pcie_type = KP_PCIE_ROOT_PORT;
	d.device = 0xa110;
	assert_int_equal(kp_acs_quirk_verdict(&d, NULL), -1);
	d.has_acs = 1;
	assert_string_equal(kp_acs_quirk(&d), "pci_quirk_intel_spt_pch_acs");
	/* Intel RCiEPs */
	d.has_acs = 0;
	d.device = 0x1234;
	d.pcie_type = KP_PCIE_RC_ENDPOINT;
	assert_string_equal(kp_acs_quirk(&d), "pci_quirk_rciep_acs");
	/* the AMD southbridge rows (IVRS, root bus): tests/cli/iommu/quirks.t */
}

/* reset_method's "bus" means a bus reset of that device alone only where
 * the kernel's pci_parent_bus_reset allows it: a function that shares its
 * bus is reset with the others, as the set below the bridge. */
static void test_reset_bus_alone(void **state)
{
	struct kp_pcidev devs[] = {
		port("0000:00:01.0", 1, "", KP_PCIE_ROOT_PORT, 1, 0x1d),
		dev("0000:01:00.0", 0x030000, "vfio-pci", 12, "0000:00:01.0", KP_PCIE_ENDPOINT),
		dev("0000:01:00.1", 0x040300, "vfio-pci", 12, "0000:00:01.0", KP_PCIE_ENDPOINT),
	};
	struct kp_reset_judgement j;
	struct kp_pci *pci;

	(void)state;
	devs[1].multifunction = devs[2].multifunction = 1;
	devs[1].vendor = devs[2].vendor = 0x10de;
	devs[1].device = 0x1eb8; /* Tesla T4: no bus-reset quirk (the 2023 row was reverted) */
	devs[2].device = 0x10f8;
	/* function 0 without FLR: the kernel listed bus when it probed it,
	 * before 01:00.1 was on the bus; a reset finds 01:00.1 there and
	 * fails, so the reset is the set's */
	devs[1].has_reset_method = devs[2].has_reset_method = 1;
	snprintf(devs[1].reset_method, sizeof(devs[1].reset_method), "bus");
	assert_int_equal(kp_pci_from_devs(&pci, devs, 3), 0);
	assert_int_equal(kp_reset_judge(pci, kp_pci_find(pci, "0000:01:00.0"), &j), 0);
	assert_int_equal(j.kind, KP_RESET_SET);
	assert_string_equal(j.bridge, "0000:00:01.0");
	assert_int_equal(kp_reset_judge(pci, kp_pci_find(pci, "0000:01:00.1"), &j), 0);
	assert_int_equal(j.kind, KP_RESET_SET);
	kp_pci_free(pci);
	snprintf(devs[2].reset_method, sizeof(devs[2].reset_method), "bus");
	/* alone on its bus: the bus reset is its own */
	devs[2].multifunction = 0;
	{
		struct kp_pcidev two[] = { devs[0], devs[2] };

		assert_int_equal(kp_pci_from_devs(&pci, two, 2), 0);
		assert_int_equal(kp_reset_judge(pci, kp_pci_find(pci, "0000:01:00.1"), &j), 0);
		assert_int_equal(j.kind, KP_RESET_BUS);
		assert_string_equal(j.methods, "bus");
		kp_pci_free(pci);
	}
	assert_int_equal(kp_reset_quirks(0x10de, 0x1eb8, 0x030000, 0), 0);
	assert_int_equal(kp_reset_quirks(0x10de, 0x22ce, 0x060400, 1), KP_QUIRK_NO_BUS_RESET);
	assert_int_equal(kp_reset_quirks(0x17cb, 0x1107, 0x028000, 0), KP_QUIRK_NO_BUS_RESET);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_ok),
		cmocka_unit_test(test_viable),
		cmocka_unit_test(test_members_sorted),
		cmocka_unit_test(test_why_root_port_no_acs),
		cmocka_unit_test(test_why_multifunction_only),
		cmocka_unit_test(test_why_switch_acs_off),
		cmocka_unit_test(test_why_pci_bridge),
		cmocka_unit_test(test_why_alone_and_empty),
		cmocka_unit_test(test_acs_quirk_verdict),
		cmocka_unit_test(test_reset_bus_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
