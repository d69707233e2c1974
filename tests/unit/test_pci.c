/* SPDX-License-Identifier: MIT */
/* PCI facts derived from a filled kp_pcidev: ACS, resets, classes, lookups. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pci.h"

static void test_acs_missing(void **state)
{
	char buf[32];

	(void)state;
	kp_acs_missing(0, buf, sizeof(buf));
	assert_string_equal(buf, "SV RR CR UF");
	kp_acs_missing(0x1d, buf, sizeof(buf));
	assert_string_equal(buf, "");
	kp_acs_missing(0x7f, buf, sizeof(buf));
	assert_string_equal(buf, "");
	kp_acs_missing(0x19, buf, sizeof(buf));
	assert_string_equal(buf, "RR");
	kp_acs_missing(0x11, buf, 4); /* truncated, still terminated */
	assert_string_equal(buf, "RR");
}

static void test_acs_ok(void **state)
{
	struct kp_pcidev d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_false(kp_pcidev_acs_ok(&d)); /* no capability */
	d.has_acs = 1;
	d.acs_cap = 0x5f;
	d.acs_ctrl = 0x1d;
	assert_true(kp_pcidev_acs_ok(&d));
	d.acs_ctrl = 0x19; /* RR off */
	assert_false(kp_pcidev_acs_ok(&d));
	/* a control the capability does not offer is not required (kernel:
	 * pci_acs_flags_enabled masks by the capability) */
	d.acs_cap = 0x19;
	assert_true(kp_pcidev_acs_ok(&d));
}

static void test_resets(void **state)
{
	struct kp_pcidev d;
	char buf[64];

	(void)state;
	memset(&d, 0, sizeof(d));
	d.flr = 1;
	kp_pcidev_resets(&d, buf, sizeof(buf));
	assert_string_equal(buf, "flr"); /* no reset_method file: DevCap */
	assert_true(kp_pcidev_can_reset(&d));
	d.has_reset_method = 1;
	strcpy(d.reset_method, "flr bus");
	kp_pcidev_resets(&d, buf, sizeof(buf));
	assert_string_equal(buf, "flr bus"); /* the kernel's word wins */
	d.reset_method[0] = '\0'; /* file present, empty: resets disabled */
	assert_false(kp_pcidev_can_reset(&d));
	d.has_reset_method = 0;
	d.flr = 0;
	assert_false(kp_pcidev_can_reset(&d));
	d.flr = -1;
	assert_false(kp_pcidev_can_reset(&d));
}

static void test_class(void **state)
{
	struct kp_pcidev d;

	(void)state;
	memset(&d, 0, sizeof(d));
	assert_string_equal(kp_pci_class_word(0x020000), "net");
	assert_string_equal(kp_pci_class_word(0x010802), "storage");
	assert_string_equal(kp_pci_class_word(0x030000), "display");
	assert_string_equal(kp_pci_class_word(0x040300), "multimedia");
	assert_string_equal(kp_pci_class_word(0x0c0330), "usb");
	assert_string_equal(kp_pci_class_word(0x0c0500), "serial-bus");
	assert_string_equal(kp_pci_class_word(0xff0000), "other");
	d.class = 0x060400;
	assert_true(kp_pcidev_is_bridge(&d));
	d.class = 0x060000; /* host bridge: not a PCI-PCI bridge */
	assert_false(kp_pcidev_is_bridge(&d));
	assert_string_equal(kp_pcie_type_name(KP_PCIE_ROOT_PORT), "root port");
	assert_string_equal(kp_pcie_type_name(KP_PCIE_NONE), "conventional PCI");
}

static void test_find(void **state)
{
	struct kp_pcidev devs[3];
	struct kp_pci *pci;

	(void)state;
	memset(devs, 0, sizeof(devs));
	strcpy(devs[0].bdf, "0000:03:00.0");
	strcpy(devs[0].net, "enp3s0f0,enp3s0f0v1");
	strcpy(devs[1].bdf, "0000:01:00.0");
	strcpy(devs[2].bdf, "0000:00:19.0");
	strcpy(devs[2].net, "eno1");
	assert_int_equal(kp_pci_from_devs(&pci, devs, 3), 0);
	assert_int_equal(kp_pci_count(pci), 3);
	assert_string_equal(kp_pci_dev(pci, 0)->bdf, "0000:00:19.0"); /* sorted */
	assert_null(kp_pci_dev(pci, 3));
	assert_non_null(kp_pci_find(pci, "0000:01:00.0"));
	assert_null(kp_pci_find(pci, "0000:01:00.1"));
	assert_string_equal(kp_pci_find_net(pci, "eno1")->bdf, "0000:00:19.0");
	assert_string_equal(kp_pci_find_net(pci, "enp3s0f0v1")->bdf, "0000:03:00.0");
	assert_string_equal(kp_pci_find_net(pci, "enp3s0f0")->bdf, "0000:03:00.0");
	assert_null(kp_pci_find_net(pci, "enp3s0")); /* no prefix matching */
	kp_pci_free(pci);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acs_missing),
		cmocka_unit_test(test_acs_ok),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_class),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
