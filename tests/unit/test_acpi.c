/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "acpi.h"

static char dir[] = "/tmp/kp-acpi-test.XXXXXX";

static void touch(const char *name)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
}

static int setup(void **state)
{
	if (!mkdtemp(dir))
		return -1;
	touch("DMAR");
	touch("SSDT1");
	touch("SSDT2");
	touch("IVRSX");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_presence(void **state)
{
	assert_int_equal(kp_acpi_table_in(dir, "DMAR"), 1);
	assert_int_equal(kp_acpi_table_in(dir, "SSDT"), 1); /* numbered copies */
	assert_int_equal(kp_acpi_table_in(dir, "IVRS"), 0); /* IVRSX is not IVRS */
	assert_int_equal(kp_acpi_table_in(dir, "IORT"), 0);
	assert_int_equal(kp_acpi_table_in(dir, ""), 0);
	assert_int_equal(kp_acpi_table_in(dir, "TOOLONG"), 0);
	assert_int_equal(kp_acpi_table_in("/nonexistent-kp", "DMAR"), 0);
}

/* the first present in the caller's order, exact names and numbered
 * copies alike, in one call */
static void test_first_of(void **state)
{
	static const char *const vtd_first[] = { "DMAR", "IVRS" };
	static const char *const amd_first[] = { "IVRS", "DMAR" };
	static const char *const numbered[] = { "IORT", "SSDT", "DMAR" };
	static const char *const none[] = { "IORT", "IVRS", "", "TOOLONG" };

	assert_int_equal(kp_acpi_first_table_in(dir, vtd_first, 2), 0);
	assert_int_equal(kp_acpi_first_table_in(dir, amd_first, 2), 1);
	/* SSDT is there as SSDT1/SSDT2 only: found by the directory look,
	 * and preferred to DMAR (there by its plain name), which comes
	 * later in the list */
	assert_int_equal(kp_acpi_first_table_in(dir, numbered, 3), 1);
	assert_int_equal(kp_acpi_first_table_in(dir, none, 4), -1);
	assert_int_equal(kp_acpi_first_table_in(dir, numbered, 0), -1);
	assert_int_equal(kp_acpi_first_table_in("/nonexistent-kp", vtd_first, 2), -1);
}

static void make_header(unsigned char *b, const char *sig, uint32_t len)
{
	memset(b, 0, 48);
	memcpy(b, sig, 4);
	b[4] = len & 0xff;
	b[5] = (len >> 8) & 0xff;
	b[6] = (len >> 16) & 0xff;
	b[7] = (len >> 24) & 0xff;
	b[8] = 1;
	memcpy(b + 10, "INTEL ", 6);
}

static void test_header(void **state)
{
	unsigned char b[48];
	struct kp_acpi_header h;

	make_header(b, "IVRS", 300);
	assert_int_equal(kp_acpi_header_parse(b, 36, &h), 0);
	assert_string_equal(h.signature, "IVRS");
	assert_int_equal(h.length, 300);
	assert_int_equal(h.revision, 1);
	assert_string_equal(h.oem_id, "INTEL ");
	assert_int_equal(kp_acpi_header_parse(b, 35, &h), -EINVAL);
	make_header(b, "IVRS", 20); /* length below the header's own */
	assert_int_equal(kp_acpi_header_parse(b, 36, &h), -EINVAL);
}

static void test_dmar_flags(void **state)
{
	unsigned char b[48];
	unsigned flags = 0;

	make_header(b, "DMAR", 48);
	b[36] = 38;   /* host address width */
	b[37] = 0x03; /* INTR_REMAP | X2APIC_OPT_OUT */
	assert_int_equal(kp_acpi_dmar_flags(b, sizeof(b), &flags), 0);
	assert_true(flags & KP_DMAR_INTR_REMAP);
	assert_true(flags & KP_DMAR_X2APIC_OPT_OUT);
	/* a bare 36-byte header (as the fake hosts write) has no flags */
	make_header(b, "DMAR", 36);
	assert_int_equal(kp_acpi_dmar_flags(b, 36, &flags), -EINVAL);
	make_header(b, "IVRS", 48);
	assert_int_equal(kp_acpi_dmar_flags(b, sizeof(b), &flags), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presence),
		cmocka_unit_test(test_first_of),
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_dmar_flags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
