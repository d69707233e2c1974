/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpuinfo.h"

static const char intel2[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 85\n"
	"model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n"
	"stepping\t: 7\n"
	"microcode\t: 0x5003604\n"
	"flags\t\t: fpu vme vmx constant_tsc ept\n"
	"\n"
	"processor\t: 1\n"
	"vendor_id\t: GenuineIntel\n"
	"model name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n"
	"flags\t\t: fpu vme vmx constant_tsc ept\n"
	"\n";

static void test_intel(void **state)
{
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse(intel2, NULL, &ci), 0);
	assert_int_equal(ci.arch, KP_ARCH_X86_64);
	assert_int_equal(ci.vendor, KP_VENDOR_INTEL);
	assert_string_equal(ci.vendor_id, "GenuineIntel");
	assert_string_equal(ci.model, "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
	assert_int_equal(ci.family, 6);
	assert_int_equal(ci.model_no, 85);
	assert_int_equal(ci.stepping, 7);
	assert_string_equal(ci.microcode, "0x5003604");
	assert_int_equal(ci.count, 2);
	assert_true(kp_cpuinfo_has(&ci, "vmx"));
	assert_true(kp_cpuinfo_has(&ci, "fpu"));   /* first */
	assert_true(kp_cpuinfo_has(&ci, "ept"));   /* last */
	assert_false(kp_cpuinfo_has(&ci, "svm"));
	assert_false(kp_cpuinfo_has(&ci, "vm"));   /* no substring matches */
	assert_false(kp_cpuinfo_has(&ci, "constant"));
	assert_false(kp_cpuinfo_has(&ci, ""));
	kp_cpuinfo_free(&ci);
}

/* hybrid parts: a flag counts only when every CPU lists it */
static void test_flags_intersect(void **state)
{
	static const char text[] =
		"processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: svm sev sev_es npt\n\n"
		"processor\t: 1\nvendor_id\t: AuthenticAMD\nflags\t\t: svm sev npt\n\n"
		"processor\t: 2\nvendor_id\t: AuthenticAMD\nflags\t\t: svm sev npt\n\n";
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse(text, NULL, &ci), 0);
	assert_int_equal(ci.vendor, KP_VENDOR_AMD);
	assert_int_equal(ci.count, 3);
	assert_true(kp_cpuinfo_has(&ci, "svm"));
	assert_true(kp_cpuinfo_has(&ci, "npt"));
	assert_false(kp_cpuinfo_has(&ci, "sev_es"));
	kp_cpuinfo_free(&ci);
}

static void test_arm64(void **state)
{
	static const char text[] =
		"processor\t: 0\nBogoMIPS\t: 50.00\n"
		"Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n"
		"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\n\n"
		"processor\t: 1\nBogoMIPS\t: 50.00\n"
		"Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics\n"
		"CPU implementer\t: 0x41\n\n";
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse(text, NULL, &ci), 0);
	assert_int_equal(ci.arch, KP_ARCH_AARCH64);
	assert_int_equal(ci.vendor, KP_VENDOR_ARM);
	assert_string_equal(ci.vendor_id, "0x41");
	assert_string_equal(ci.model, "");
	assert_int_equal(ci.family, 8);      /* CPU architecture */
	assert_int_equal(ci.model_no, -1);   /* no CPU part: unknown */
	assert_string_equal(ci.microcode, "");
	assert_int_equal(ci.count, 2);
	assert_true(kp_cpuinfo_has(&ci, "asimd"));
	assert_false(kp_cpuinfo_has(&ci, "vmx"));
	kp_cpuinfo_free(&ci);
}

static void test_s390(void **state)
{
	static const char text[] =
		"vendor_id       : IBM/S390\n"
		"# processors    : 4\n"
		"bogomips per cpu: 3033.00\n"
		"features\t: esan3 zarch stfle msa ldisp eimm dfp edat etf3eh highgprs te vx sie \n"
		"facilities      : 0 1 2 3 4\n"
		"processor 0: version = FF,  identification = 0133E8,  machine = 2964\n"
		"processor 1: version = FF,  identification = 0133E8,  machine = 2964\n";
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse(text, NULL, &ci), 0);
	assert_int_equal(ci.arch, KP_ARCH_S390X);
	assert_int_equal(ci.vendor, KP_VENDOR_IBM);
	assert_int_equal(ci.count, 4); /* "# processors" wins over the listed lines */
	assert_true(kp_cpuinfo_has(&ci, "sie"));
	assert_true(kp_cpuinfo_has(&ci, "esan3"));
	kp_cpuinfo_free(&ci);
}

static void test_arch_hint(void **state)
{
	struct kp_cpuinfo ci;

	/* the kernel's word beats the guess */
	assert_int_equal(kp_cpuinfo_parse(intel2, "aarch64", &ci), 0);
	assert_int_equal(ci.arch, KP_ARCH_AARCH64);
	kp_cpuinfo_free(&ci);
	assert_int_equal(kp_arch_from_name("x86_64"), KP_ARCH_X86_64);
	assert_int_equal(kp_arch_from_name("arm64"), KP_ARCH_AARCH64);
	assert_int_equal(kp_arch_from_name("ppc64le"), KP_ARCH_UNKNOWN);
	assert_int_equal(kp_arch_from_name(NULL), KP_ARCH_UNKNOWN);
	assert_string_equal(kp_arch_name(KP_ARCH_S390X), "s390x");
}

static void test_no_flags_line(void **state)
{
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse("processor : 0\nvendor_id : GenuineIntel\n", NULL, &ci), 0);
	assert_int_equal(ci.count, 1);
	assert_non_null(ci.flags);
	assert_false(kp_cpuinfo_has(&ci, "vmx"));
	kp_cpuinfo_free(&ci);
}

static void test_empty(void **state)
{
	struct kp_cpuinfo ci;

	assert_int_equal(kp_cpuinfo_parse("", NULL, &ci), -EINVAL);
	assert_int_equal(kp_cpuinfo_parse("garbage without colons\n", NULL, &ci), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel),
		cmocka_unit_test(test_flags_intersect),
		cmocka_unit_test(test_arm64),
		cmocka_unit_test(test_s390),
		cmocka_unit_test(test_arch_hint),
		cmocka_unit_test(test_no_flags_line),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
