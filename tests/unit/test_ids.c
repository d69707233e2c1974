/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ids.h"

static void bdf_ok(const char *in, const char *want)
{
	char out[13];

	memset(out, 'x', sizeof(out));
	if (kp_bdf_parse(in, out) != 0)
		fail_msg("rejected valid BDF '%s'", in);
	assert_string_equal(out, want);
}

static void bdf_bad(const char *in)
{
	char out[13] = "untouched";

	if (kp_bdf_parse(in, out) != -EINVAL)
		fail_msg("accepted invalid BDF '%s'", in ? in : "(null)");
}

static void test_bdf_accepted(void **state)
{
	bdf_ok("0000:01:00.0", "0000:01:00.0");
	bdf_ok("01:00.0", "0000:01:00.0");
	bdf_ok("0000:AF:1F.7", "0000:af:1f.7");
	bdf_ok("af:1f.7", "0000:af:1f.7");
	bdf_ok("ABCD:ff:00.3", "abcd:ff:00.3");
	bdf_ok("ffff:00:1c.0", "ffff:00:1c.0");
	bdf_ok("00:00.0", "0000:00:00.0");
}

static void test_bdf_rejected(void **state)
{
	bdf_bad(NULL);
	bdf_bad("");
	bdf_bad("1:0.0");          /* short bus and device */
	bdf_bad("01:0.0");         /* short device */
	bdf_bad("0:01:00.0");      /* short domain */
	bdf_bad("000:01:00.0");
	bdf_bad("10000:01:00.0");  /* VMD-wide domain does not fit */
	bdf_bad("0000:01:20.0");   /* device >= 0x20 */
	bdf_bad("0000:01:00.8");   /* function >= 8 */
	bdf_bad("0000:01:00.a");
	bdf_bad("0000:01:00.");
	bdf_bad("0000:01:00");
	bdf_bad("0000:01.00.0");
	bdf_bad("0000-01:00.0");
	bdf_bad("0000:0g:00.0");
	bdf_bad("0000:01:00.0 ");  /* trailing blank */
	bdf_bad(" 01:00.0");
	bdf_bad("0000:01:00.0\n");
	bdf_bad("0000:01:00.00");
	bdf_bad("pci-0000:01:00.0");
	bdf_bad("01:00.0.0");
}

static void test_pciid(void **state)
{
	unsigned v = 0, d = 0;

	assert_int_equal(kp_pciid_parse("10de:1eb8", &v, &d), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(d, 0x1eb8);
	assert_int_equal(kp_pciid_parse("8086:10D3", &v, &d), 0);
	assert_int_equal(v, 0x8086);
	assert_int_equal(d, 0x10d3);
	assert_int_equal(kp_pciid_parse("ffff:0000", &v, &d), 0);
	assert_int_equal(v, 0xffff);
	assert_int_equal(d, 0);

	assert_int_equal(kp_pciid_parse(NULL, &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de:", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de:1eb", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de:1eb80", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("0x10de:1eb8", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de 1eb8", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10dg:1eb8", &v, &d), -EINVAL);
	assert_int_equal(kp_pciid_parse("10de:1eb8 ", &v, &d), -EINVAL);
	/* a rejected id leaves the outputs alone */
	v = d = 7;
	assert_int_equal(kp_pciid_parse("zzzz:1eb8", &v, &d), -EINVAL);
	assert_int_equal(v, 7);
	assert_int_equal(d, 7);
}

static void test_uuid(void **state)
{
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"), 0);
	assert_int_equal(kp_uuid_check("83B8F4F2-509F-382F-3C1E-E6BFE0FA1001"), 0);
	assert_int_equal(kp_uuid_check("00000000-0000-0000-0000-000000000000"), 0);

	assert_int_equal(kp_uuid_check(NULL), -EINVAL);
	assert_int_equal(kp_uuid_check(""), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2509f382f3c1ee6bfe0fa1001"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1e-e6bfe0fa100"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1e-e6bfe0fa10011"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1ee-6bfe0fa1001"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1e_e6bfe0fa1001"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4g2-509f-382f-3c1e-e6bfe0fa1001"), -EINVAL);
	assert_int_equal(kp_uuid_check("{83b8f4f2-509f-382f-3c1e-e6bfe0fa10}"), -EINVAL);
	assert_int_equal(kp_uuid_check("83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\n"), -EINVAL);
}

static void test_ifname(void **state)
{
	assert_int_equal(kp_ifname_check("eth0"), 0);
	assert_int_equal(kp_ifname_check("enp3s0f0"), 0);
	assert_int_equal(kp_ifname_check("a"), 0);
	assert_int_equal(kp_ifname_check("br-lan.100"), 0);
	assert_int_equal(kp_ifname_check("123456789012345"), 0); /* 15 */

	assert_int_equal(kp_ifname_check(NULL), -EINVAL);
	assert_int_equal(kp_ifname_check(""), -EINVAL);
	assert_int_equal(kp_ifname_check("1234567890123456"), -EINVAL); /* 16 */
	assert_int_equal(kp_ifname_check("."), -EINVAL);
	assert_int_equal(kp_ifname_check(".."), -EINVAL);
	assert_int_equal(kp_ifname_check("..."), 0);
	assert_int_equal(kp_ifname_check("eth/0"), -EINVAL);
	assert_int_equal(kp_ifname_check("eth0:1"), -EINVAL);
	assert_int_equal(kp_ifname_check("eth 0"), -EINVAL);
	assert_int_equal(kp_ifname_check("eth0\t"), -EINVAL);
	assert_int_equal(kp_ifname_check("eth0\n"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bdf_accepted),
		cmocka_unit_test(test_bdf_rejected),
		cmocka_unit_test(test_pciid),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_ifname),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
