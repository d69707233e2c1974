/* SPDX-License-Identifier: MIT */
/* mdevctl's definition format: parsing (mdevctl's rules) and the exact
 * bytes mdevctl writes; UUID generation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ids.h"
#include "mdev.h"

static void parse_ok(const char *text, struct kp_mdev_def *d)
{
	char why[256] = "";

	memset(d, 0, sizeof(*d));
	if (kp_mdev_def_parse(text, d, why, sizeof(why)) != 0)
		fail_msg("rejected '%s': %s", text, why);
}

static void parse_bad(const char *text, const char *want_why)
{
	struct kp_mdev_def d;
	char why[256] = "";

	memset(&d, 0, sizeof(d));
	if (kp_mdev_def_parse(text, &d, why, sizeof(why)) != -EINVAL)
		fail_msg("accepted '%s'", text);
	assert_string_equal(why, want_why);
	assert_int_equal(d.nattrs, 0);
}

static void test_parse(void **state)
{
	struct kp_mdev_def d;

	parse_ok("{\"mdev_type\": \"vfio_ap-passthrough\", \"start\": \"manual\", \"attrs\": "
		 "[{\"assign_adapter\": \"5\"}, {\"assign_adapter\": \"6\"}, {\"assign_domain\": \"0xab\"}]}",
		 &d);
	assert_string_equal(d.type, "vfio_ap-passthrough");
	assert_int_equal(d.autostart, 0);
	assert_int_equal(d.nattrs, 3);
	/* order kept, repeated keys kept */
	assert_string_equal(d.attrs[1].key, "assign_adapter");
	assert_string_equal(d.attrs[1].value, "6");
	assert_string_equal(d.attrs[2].value, "0xab");
	kp_mdev_def_clear(&d);
	/* attrs missing or null: none (mdevctl accepts both) */
	parse_ok("{\"mdev_type\": \"x\", \"start\": \"auto\"}\n", &d);
	assert_int_equal(d.autostart, 1);
	assert_int_equal(d.nattrs, 0);
	parse_ok("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": null}", &d);
	assert_int_equal(d.nattrs, 0);
	parse_bad("", "not JSON: unexpected end of data");
	parse_bad("{\"mdev_type\": \"x\", \"start\": ", "not JSON: unexpected end of data");
	parse_bad("[]", "not a JSON object");
	parse_bad("{\"start\": \"auto\"}", "no mdev_type string");
	parse_bad("{\"mdev_type\": 5, \"start\": \"auto\"}", "no mdev_type string");
	parse_bad("{\"mdev_type\": \"../x\", \"start\": \"auto\"}", "no mdev_type string");
	parse_bad("{\"mdev_type\": \"x\"}", "no start string");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"boot\"}", "start is 'boot', not auto or manual");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": {}}", "attrs is not an array");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\", \"b\": \"2\"}]}",
		  "attrs[0] is not an object with one key");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": [{\"a\": \"1\"}, {\"b\": 2}]}",
		  "attrs[1] (b): value is not a string");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"auto\", \"attrs\": [{\"../remove\": \"1\"}]}",
		  "attrs[0]: bad attribute name");
	parse_bad("{\"mdev_type\": \"x\", \"start\": \"auto\"} {}", "not JSON: text after the object");
}

static void test_text(void **state)
{
	struct kp_mdev_def d;
	char *t;

	memset(&d, 0, sizeof(d));
	snprintf(d.type, sizeof(d.type), "i915-GVTg_V5_4");
	d.autostart = 1;
	/* mdevctl's testdata/define/uuid-auto.expected, byte for byte */
	t = kp_mdev_def_text(&d);
	assert_string_equal(t, "{\n  \"mdev_type\": \"i915-GVTg_V5_4\",\n  \"start\": \"auto\",\n"
			       "  \"attrs\": []\n}");
	free(t);
	snprintf(d.type, sizeof(d.type), "vfio_ap-passthrough");
	d.autostart = 0;
	assert_int_equal(kp_mdev_def_add_attr(&d, "assign_domain", "0xab", 9), 0);
	assert_int_equal(kp_mdev_def_add_attr(&d, "assign_adapter", "5/6", 0), 0);
	t = kp_mdev_def_text(&d);
	assert_string_equal(t, "{\n  \"mdev_type\": \"vfio_ap-passthrough\",\n  \"start\": \"manual\",\n"
			       "  \"attrs\": [\n    {\n      \"assign_adapter\": \"5/6\"\n    },\n"
			       "    {\n      \"assign_domain\": \"0xab\"\n    }\n  ]\n}");
	free(t);
	/* what it writes, it reads back the same */
	{
		struct kp_mdev_def back;
		char *t2;

		t = kp_mdev_def_text(&d);
		parse_ok(t, &back);
		t2 = kp_mdev_def_text(&back);
		assert_string_equal(t, t2);
		free(t);
		free(t2);
		kp_mdev_def_clear(&back);
	}
	assert_int_equal(kp_mdev_def_del_attr(&d, 5), 0); /* past the end: the last */
	assert_int_equal(d.nattrs, 1);
	assert_string_equal(d.attrs[0].key, "assign_adapter");
	assert_int_equal(kp_mdev_def_del_attr(&d, 0), 0);
	assert_int_equal(kp_mdev_def_del_attr(&d, 0), -ENOENT);
	kp_mdev_def_clear(&d);
}

static void test_uuid(void **state)
{
	char a[37], b[37], l[37];

	assert_int_equal(kp_uuid_generate(a), 0);
	assert_int_equal(kp_uuid_generate(b), 0);
	assert_int_equal(kp_uuid_check(a), 0);
	assert_true(strcmp(a, b) != 0);
	assert_int_equal(a[14], '4');
	assert_non_null(strchr("89ab", a[19]));
	kp_uuid_lower("6B2D3C1E-4A5F-4B7E-9C1D-2E3F4A5B6C7D", l);
	assert_string_equal(l, "6b2d3c1e-4a5f-4b7e-9c1d-2e3f4a5b6c7d");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_uuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
