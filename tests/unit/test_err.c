/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "err.h"
#include "exitcodes.h"

/* Run fn with stderr captured; returns what it printed (caller frees). */
static char *capture(void (*fn)(void))
{
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *buf;
	long len;

	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	len = ftell(tmp);
	fseek(tmp, 0, SEEK_END);
	len = ftell(tmp);
	rewind(tmp);
	buf = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return buf;
}

static void do_err_errno(void)
{
	kp_err_errno("0000:01:00.0", -EBUSY, "cannot unbind from %s", "e1000e");
}
static void do_err_errno_positive(void)
{
	kp_err_errno("0000:01:00.0", EBUSY, "cannot unbind from %s", "e1000e");
}
static void do_err_noobj(void) { kp_err(NULL, "no IOMMU is enabled"); }
static void do_err_obj(void) { kp_err("vfio_pci", "not installed"); }
static void do_warn(void) { kp_warn("enp3s0f0", "has %d addresses", 2); }
static void do_warn_noobj(void) { kp_warn(NULL, "lock held, waiting"); }
static int usage_rc;
static void do_usage(void) { usage_rc = kp_usage_err("unknown command '%s'", "bnid"); }

static void test_program_name(void **state)
{
	kp_set_program("/usr/local/bin/kvmprep-iommu");
	assert_string_equal(kp_program(), "kvmprep-iommu");
	kp_set_program("kvmprep-validate");
	assert_string_equal(kp_program(), "kvmprep-validate");
	kp_set_program(NULL); /* ignored */
	assert_string_equal(kp_program(), "kvmprep-validate");
	kp_set_program("");
	assert_string_equal(kp_program(), "kvmprep-validate");
}

static void test_err_lines(void **state)
{
	char *s;

	kp_set_program("./build/bin/kvmprep-iommu");
	s = capture(do_err_errno);
	assert_string_equal(s, "kvmprep-iommu: 0000:01:00.0: cannot unbind from e1000e: "
			       "Device or resource busy\n");
	free(s);
	s = capture(do_err_errno_positive);
	assert_string_equal(s, "kvmprep-iommu: 0000:01:00.0: cannot unbind from e1000e: "
			       "Device or resource busy\n");
	free(s);
	s = capture(do_err_noobj);
	assert_string_equal(s, "kvmprep-iommu: no IOMMU is enabled\n");
	free(s);
	s = capture(do_err_obj);
	assert_string_equal(s, "kvmprep-iommu: vfio_pci: not installed\n");
	free(s);
}

static void test_warn_quiet(void **state)
{
	char *s;

	kp_set_program("kvmprep-validate");
	kp_set_quiet(0);
	s = capture(do_warn);
	assert_string_equal(s, "kvmprep-validate: warning: enp3s0f0: has 2 addresses\n");
	free(s);
	s = capture(do_warn_noobj);
	assert_string_equal(s, "kvmprep-validate: warning: lock held, waiting\n");
	free(s);
	kp_set_quiet(1);
	s = capture(do_warn);
	assert_string_equal(s, "");
	free(s);
	/* quiet silences warnings, never errors */
	s = capture(do_err_obj);
	assert_string_equal(s, "kvmprep-validate: vfio_pci: not installed\n");
	free(s);
	kp_set_quiet(0);
}

static void test_usage_err(void **state)
{
	char *s;

	kp_set_program("kvmprep-iommu");
	usage_rc = -1;
	s = capture(do_usage);
	assert_int_equal(usage_rc, KP_EXIT_USAGE);
	assert_int_equal(usage_rc, 2);
	assert_string_equal(s, "kvmprep-iommu: unknown command 'bnid' "
			       "(try 'kvmprep-iommu --help')\n");
	free(s);
}

/* getopt's failures as kp_bad_option sees them: what getopt_long returned,
 * argv, optind and optopt after it */
static const struct {
	int c, optind, optopt;
	const char *argv1, *want;
} bad_opts[] = {
	{ '?', 2, 0, "--frob", "unknown option '--frob'" },
	{ '?', 2, 0, "--frob=2", "unknown option '--frob'" },
	{ ':', 2, 'f', "--for", "option '--for' needs an argument" },
	{ '?', 2, 'j', "--json=1", "option '--json' takes no argument" },
	{ '?', 2, 'Z', "-Z", "unknown option '-Z'" },
	{ '?', 2, 'Z', "-jZ", "unknown option '-Z'" },
	{ ':', 2, 'f', "-f", "option '-f' needs an argument" },
};
static size_t bad_i;
static int bad_rc;

static void do_bad_option(void)
{
	char *argv[] = { (char *)"kvmprep-validate", (char *)bad_opts[bad_i].argv1, NULL };

	bad_rc = kp_bad_option(bad_opts[bad_i].c, argv, bad_opts[bad_i].optind,
			       bad_opts[bad_i].optopt);
}

static void test_bad_option(void **state)
{
	kp_set_program("kvmprep-validate");
	for (bad_i = 0; bad_i < sizeof(bad_opts) / sizeof(bad_opts[0]); bad_i++) {
		char want[256], *s;

		snprintf(want, sizeof(want), "kvmprep-validate: %s (try 'kvmprep-validate --help')\n",
			 bad_opts[bad_i].want);
		bad_rc = -1;
		s = capture(do_bad_option);
		assert_int_equal(bad_rc, KP_EXIT_USAGE);
		assert_string_equal(s, want);
		free(s);
	}
}

static void do_long(void)
{
	char big[3000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	kp_err_errno("obj", -EIO, "%s", big);
}

static void test_long_message_one_line(void **state)
{
	char *s = capture(do_long);
	size_t len = strlen(s);

	/* truncated, but still one line that ends with the reason */
	assert_true(len > 100);
	assert_int_equal(s[len - 1], '\n');
	assert_null(memchr(s, '\n', len - 1));
	assert_non_null(strstr(s, ": Input/output error\n"));
	free(s);
}

static void do_err_hostile(void)
{
	kp_err("a\nb", "malformed device '%s'", "x\xff\033[2J\xc2\x9b\x7f\t");
}

static void test_escape(void **state)
{
	char buf[64], *s;

	/* plain and valid UTF-8 text passes unchanged */
	assert_string_equal(kp_esc(buf, sizeof(buf), "0000:01:00.0 caf\xc3\xa9 \xe6\x97\xa5", KP_ESC_TERM),
			    "0000:01:00.0 caf\xc3\xa9 \xe6\x97\xa5");
	assert_false(kp_esc_needed("caf\xc3\xa9 \xf0\x9f\x98\x80", KP_ESC_TERM));
	/* controls (C0, DEL, C1) for the terminal, invalid bytes always */
	assert_string_equal(kp_esc(buf, sizeof(buf), "a\nb\tc\rd\033e\x7f\xc2\x9b", KP_ESC_TERM),
			    "a\\nb\\tc\\rd\\x1be\\x7f\\xc2\\x9b");
	assert_string_equal(kp_esc(buf, sizeof(buf), "a\nb\033", KP_ESC_JSON), "a\nb\033");
	assert_true(kp_esc_needed("a\nb", KP_ESC_TERM));
	assert_false(kp_esc_needed("a\nb", KP_ESC_JSON));
	/* not UTF-8: a lone continuation byte, a cut sequence, an overlong
	 * form, a surrogate, beyond U+10FFFF, 0xff */
	assert_string_equal(kp_esc(buf, sizeof(buf), "\x80|\xc3(|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xff",
				   KP_ESC_JSON),
			    "\\x80|\\xc3(|\\xc0\\xaf|\\xed\\xa0\\x80|\\xf4\\x90\\x80\\x80|\\xff");
	/* cut at a whole escape, always terminated */
	assert_string_equal(kp_esc(buf, 6, "ab\xff" "cd", KP_ESC_JSON), "ab");
	assert_string_equal(kp_esc(buf, 1, "abc", KP_ESC_JSON), "");
	s = kp_esc_dup("\xff\xff", KP_ESC_TERM);
	assert_string_equal(s, "\\xff\\xff");
	free(s);
	/* every message is escaped, and the last error with it */
	kp_set_program("kvmprep-iommu");
	s = capture(do_err_hostile);
	assert_string_equal(s, "kvmprep-iommu: a\\nb: malformed device 'x\\xff\\x1b[2J\\xc2\\x9b\\x7f\\t'\n");
	assert_string_equal(kp_last_error(), "a\\nb: malformed device 'x\\xff\\x1b[2J\\xc2\\x9b\\x7f\\t'");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_name),
		cmocka_unit_test(test_err_lines),
		cmocka_unit_test(test_warn_quiet),
		cmocka_unit_test(test_usage_err),
		cmocka_unit_test(test_bad_option),
		cmocka_unit_test(test_long_message_one_line),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
