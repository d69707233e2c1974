/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "output.h"

enum { C_NAME, C_COUNT, C_OK, C_STATUS, C_PATH, C_NOTE };

static const struct kp_col cols[] = {
	[C_NAME] = { "name", "NAME", KP_STR, 0 },
	[C_COUNT] = { "count", "COUNT", KP_INT, KP_COL_RIGHT },
	[C_OK] = { "ok", "OK", KP_BOOL, 0 },
	[C_STATUS] = { "status", "STATUS", KP_STR, KP_COL_STATUS },
	[C_PATH] = { "sysfs_path", "PATH", KP_STR, KP_COL_NOTABLE },
	[C_NOTE] = { "note", "NOTE", KP_STR, KP_COL_LAST },
};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))

static struct kp_table *sample(void)
{
	struct kp_table *t = kp_table_new(cols, NCOLS);
	int r;

	assert_non_null(t);
	r = kp_table_add_row(t);
	assert_int_equal(r, 0);
	assert_int_equal(kp_table_set_str(t, 0, C_NAME, "vfio_pci"), 0);
	assert_int_equal(kp_table_set_int(t, 0, C_COUNT, 12345), 0);
	assert_int_equal(kp_table_set_bool(t, 0, C_OK, 1), 0);
	assert_int_equal(kp_table_set_str(t, 0, C_STATUS, "PASS"), 0);
	assert_int_equal(kp_table_set_str(t, 0, C_PATH, "/sys/module/vfio_pci"), 0);
	assert_int_equal(kp_table_set_strf(t, 0, C_NOTE, "loaded %s", "(live)"), 0);
	r = kp_table_add_row(t);
	assert_int_equal(r, 1);
	/* row 1: name set, everything else null; then bool false */
	assert_int_equal(kp_table_set_str(t, 1, C_NAME, "kvm"), 0);
	assert_int_equal(kp_table_set_bool(t, 1, C_OK, 0), 0);
	assert_int_equal(kp_table_set_str(t, 1, C_STATUS, "FAIL"), 0);
	assert_int_equal(kp_table_nrows(t), 2);
	return t;
}

static char *render(const struct kp_table *t, const struct kp_out *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(kp_table_print(t, f, o), 0);
	fclose(f);
	return buf;
}

static void test_table_plain(void **state)
{
	struct kp_out o = { 0, 0, 0 };
	struct kp_table *t = sample();
	char *s = render(t, &o);

	/* NAME width 8 (vfio_pci), COUNT 5 right-aligned, OK 3, STATUS 6,
	 * PATH skipped, NOTE last and unpadded; null "-", bools yes/no */
	assert_string_equal(s,
		"NAME      COUNT  OK   STATUS  NOTE\n"
		"vfio_pci  12345  yes  PASS    loaded (live)\n"
		"kvm           -  no   FAIL    -\n");
	free(s);
	kp_table_free(t);
}

static void test_table_get(void **state)
{
	struct kp_table *t = sample();

	assert_string_equal(kp_table_get(t, 0, C_COUNT), "12345");
	assert_string_equal(kp_table_get(t, 0, C_OK), "yes");
	assert_string_equal(kp_table_get(t, 1, C_OK), "no");
	assert_string_equal(kp_table_get(t, 1, C_COUNT), "");
	assert_string_equal(kp_table_get(t, 0, C_NOTE), "loaded (live)");
	assert_string_equal(kp_table_get(t, 5, 0), "");
	assert_string_equal(kp_table_get(t, 0, 99), "");
	/* set then null again */
	assert_int_equal(kp_table_set_null(t, 0, C_NAME), 0);
	assert_string_equal(kp_table_get(t, 0, C_NAME), "");
	assert_int_equal(kp_table_set_str(t, 0, C_NAME, NULL), 0);
	assert_string_equal(kp_table_get(t, 0, C_NAME), "");
	kp_table_free(t);
}

static void test_table_errors(void **state)
{
	struct kp_table *t = sample();

	assert_int_equal(kp_table_set_str(t, 2, C_NAME, "x"), -EINVAL);
	assert_int_equal(kp_table_set_str(t, 0, NCOLS, "x"), -EINVAL);
	/* a setter must match the column's type */
	assert_int_equal(kp_table_set_str(t, 0, C_COUNT, "12"), -EINVAL);
	assert_int_equal(kp_table_set_int(t, 0, C_NAME, 12), -EINVAL);
	assert_int_equal(kp_table_set_bool(t, 0, C_COUNT, 1), -EINVAL);
	assert_int_equal(kp_table_set_strf(t, 0, C_OK, "%d", 1), -EINVAL);
	assert_string_equal(kp_table_get(t, 0, C_COUNT), "12345");
	assert_null(kp_table_new(cols, 0));
	kp_table_free(t);
	kp_table_free(NULL);
}

static void test_table_many_rows_utf8(void **state)
{
	static const struct kp_col c2[] = {
		{ "model", "MODEL", KP_STR, 0 },
		{ "n", "N", KP_INT, KP_COL_RIGHT },
	};
	struct kp_out o = { 0, 0, 0 };
	struct kp_table *t = kp_table_new(c2, 2);
	char *s, *line;
	int lines = 0;

	for (int i = 0; i < 100; i++) {
		int r = kp_table_add_row(t);

		assert_int_equal(r, i);
		kp_table_set_str(t, (size_t)r, 0, i == 50 ? "Caf\xc3\xa9" : "ab");
		kp_table_set_int(t, (size_t)r, 1, i == 99 ? -1000 : i);
	}
	s = render(t, &o);
	/* "Café" is 4 columns wide, 5 bytes: "MODEL" (5) is widest */
	assert_non_null(strstr(s, "\nCaf\xc3\xa9      50\n"));
	assert_non_null(strstr(s, "\nab     -1000\n"));
	assert_true(strncmp(s, "MODEL      N\n", 13) == 0);
	for (line = s; (line = strchr(line, '\n')); line++)
		lines++;
	assert_int_equal(lines, 101);
	free(s);
	kp_table_free(t);
}

static void test_table_color(void **state)
{
	struct kp_out o = { 0, 0, 1 };
	struct kp_table *t = sample();
	char *s = render(t, &o);

	/* the status word is coloured, the padding stays outside the escapes */
	assert_non_null(strstr(s, "yes  \033[32mPASS\033[0m    loaded"));
	assert_non_null(strstr(s, "no   \033[31mFAIL\033[0m    -\n"));
	/* the header is not coloured */
	assert_true(strncmp(s, "NAME      COUNT  OK   STATUS  NOTE\n", 35) == 0);
	free(s);
	o.color = 0;
	s = render(t, &o);
	assert_null(strchr(s, '\033'));
	free(s);
	kp_table_free(t);
}

static void test_status_color(void **state)
{
	struct kp_out on = { 0, 0, 1 }, off = { 0, 0, 0 };

	assert_int_equal(kp_status_color("PASS"), KP_C_GREEN);
	assert_int_equal(kp_status_color("WARN"), KP_C_YELLOW);
	assert_int_equal(kp_status_color("FAIL"), KP_C_RED);
	assert_int_equal(kp_status_color("SKIP"), KP_C_DIM);
	assert_int_equal(kp_status_color("whatever"), KP_C_RESET);
	assert_int_equal(kp_status_color(NULL), KP_C_RESET);
	assert_string_equal(kp_color(&off, KP_C_RED), "");
	assert_string_equal(kp_color(&on, KP_C_RED), "\033[31m");
	assert_string_equal(kp_color(&on, KP_C_RESET), "\033[0m");
}

static void test_json_types(void **state)
{
	struct kp_table *t = sample();
	json_object *doc = kp_json_doc("kvmprep-test"), *parsed, *rows, *r0, *r1, *v;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_object_object_add(doc, "modules", kp_table_json(t));
	assert_int_equal(kp_json_print(doc, f), 0);
	fclose(f);
	json_object_put(doc);

	/* one document, newline-terminated, slashes not escaped */
	assert_true(len > 0 && buf[len - 1] == '\n');
	assert_null(strstr(buf, "\\/"));
	assert_non_null(strstr(buf, "\"/sys/module/vfio_pci\""));
	/* pretty and spaced: two-space indent, "key": value */
	{
		const char *head = "{\n  \"schema\": 1,\n  \"tool\": \"kvmprep-test\",\n";

		assert_true(strncmp(buf, head, strlen(head)) == 0);
	}
	assert_non_null(strstr(buf, "\n      \"count\": 12345,\n"));

	parsed = json_tokener_parse(buf);
	assert_non_null(parsed);
	assert_true(json_object_object_get_ex(parsed, "schema", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int(v), 1);
	assert_true(json_object_object_get_ex(parsed, "tool", &v));
	assert_string_equal(json_object_get_string(v), "kvmprep-test");
	assert_true(json_object_object_get_ex(parsed, "modules", &rows));
	assert_true(json_object_is_type(rows, json_type_array));
	assert_int_equal(json_object_array_length(rows), 2);
	r0 = json_object_array_get_idx(rows, 0);
	r1 = json_object_array_get_idx(rows, 1);

	assert_true(json_object_object_get_ex(r0, "name", &v));
	assert_true(json_object_is_type(v, json_type_string));
	assert_true(json_object_object_get_ex(r0, "count", &v));
	assert_true(json_object_is_type(v, json_type_int));
	assert_int_equal(json_object_get_int64(v), 12345);
	assert_true(json_object_object_get_ex(r0, "ok", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_true(json_object_get_boolean(v));
	/* NOTABLE columns are in the JSON */
	assert_true(json_object_object_get_ex(r0, "sysfs_path", &v));
	assert_string_equal(json_object_get_string(v), "/sys/module/vfio_pci");

	/* nulls are present and null, false is false */
	assert_true(json_object_object_get_ex(r1, "count", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(r1, "note", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(r1, "sysfs_path", &v));
	assert_null(v);
	assert_true(json_object_object_get_ex(r1, "ok", &v));
	assert_true(json_object_is_type(v, json_type_boolean));
	assert_false(json_object_get_boolean(v));
	assert_int_equal(json_object_object_length(r1), NCOLS);

	json_object_put(parsed);
	free(buf);
	kp_table_free(t);
}

static void test_json_big_int(void **state)
{
	static const struct kp_col c1[] = { { "bytes", "BYTES", KP_INT, 0 } };
	struct kp_table *t = kp_table_new(c1, 1);
	json_object *a;

	kp_table_add_row(t);
	kp_table_set_int(t, 0, 0, 68719476736LL); /* 64G: beyond int32 */
	a = kp_table_json(t);
	assert_string_equal(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
			    "[{\"bytes\":68719476736}]");
	json_object_put(a);
	kp_table_free(t);
}

static void test_color_decision(void **state)
{
	int master, slave, devnull;
	struct kp_out o;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	devnull = open("/dev/null", O_WRONLY);
	assert_true(devnull >= 0);

	unsetenv("NO_COLOR");
	assert_int_equal(kp_color_wanted(0, slave), 1);
	assert_int_equal(kp_color_wanted(1, slave), 0);   /* never in JSON */
	assert_int_equal(kp_color_wanted(0, devnull), 0); /* not a tty */
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(kp_color_wanted(0, slave), 0);
	setenv("NO_COLOR", "", 1); /* any value, even empty */
	assert_int_equal(kp_color_wanted(0, slave), 0);

	/* kp_out_init looks at stdout: put the pty there for a moment */
	{
		int saved = dup(STDOUT_FILENO);

		fflush(stdout);
		dup2(slave, STDOUT_FILENO);
		unsetenv("NO_COLOR");
		kp_out_init(&o, 0, 1);
		assert_int_equal(o.color, 1);
		assert_int_equal(o.quiet, 1);
		kp_out_init(&o, 1, 0);
		assert_int_equal(o.color, 0);
		assert_int_equal(o.json, 1);
		setenv("NO_COLOR", "1", 1);
		kp_out_init(&o, 0, 0);
		assert_int_equal(o.color, 0);
		dup2(devnull, STDOUT_FILENO);
		unsetenv("NO_COLOR");
		kp_out_init(&o, 0, 0);
		assert_int_equal(o.color, 0);
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	setenv("NO_COLOR", "1", 1);
	close(devnull);
	close(slave);
	close(master);
}

static void test_empty_table(void **state)
{
	struct kp_out o = { 0, 0, 0 };
	struct kp_table *t = kp_table_new(cols, NCOLS);
	json_object *a;
	char *s = render(t, &o);

	assert_string_equal(s, "NAME  COUNT  OK  STATUS  NOTE\n");
	free(s);
	a = kp_table_json(t);
	assert_string_equal(json_object_to_json_string(a), "[ ]");
	json_object_put(a);
	kp_table_free(t);
}

static void test_hostile_text(void **state)
{
	static const struct kp_col c2[] = {
		{ "name", "NAME", KP_STR, 0 },
		{ "note", "NOTE", KP_STR, KP_COL_LAST },
	};
	struct kp_table *t = kp_table_new(c2, 2);
	struct kp_out o = { 0 };
	json_object *doc, *a, *v;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(kp_table_add_row(t), 0);
	kp_table_set_str(t, 0, 0, "a\033[2Jb");
	kp_table_set_str(t, 0, 1, "x\xffy\nz");
	/* the table: escaped, and padded by the escaped width */
	f = open_memstream(&out, &len);
	assert_int_equal(kp_table_print(t, f, &o), 0);
	fclose(f);
	assert_string_equal(out, "NAME       NOTE\n"
				 "a\\x1b[2Jb  x\\xffy\\nz\n");
	free(out);
	/* JSON: valid UTF-8 (the bad byte as \\xff), controls as JSON escapes */
	doc = kp_json_doc("t");
	a = kp_table_json(t);
	json_object_object_add(doc, "rows", a);
	json_object_object_add(doc, "k\xfe", json_object_new_string("\xc3"));
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(kp_json_print(doc, f), 0);
	fclose(f);
	assert_non_null(strstr(out, "\"note\": \"x\\\\xffy\\nz\""));
	assert_non_null(strstr(out, "\"name\": \"a\\u001b[2Jb\""));
	assert_non_null(strstr(out, "\"k\\\\xfe\": \"\\\\xc3\""));
	assert_true(json_object_object_get_ex(doc, "k\\xfe", &v));
	free(out);
	json_object_put(doc);
	kp_table_free(t);
}

static void test_term_dumb(void **state)
{
	int master, slave;

	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	unsetenv("NO_COLOR");
	setenv("TERM", "xterm-256color", 1);
	assert_int_equal(kp_color_wanted(0, slave), 1);
	setenv("TERM", "dumb", 1);
	assert_int_equal(kp_color_wanted(0, slave), 0);
	unsetenv("TERM");
	close(master);
	close(slave);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_plain),
		cmocka_unit_test(test_table_get),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_table_many_rows_utf8),
		cmocka_unit_test(test_table_color),
		cmocka_unit_test(test_status_color),
		cmocka_unit_test(test_json_types),
		cmocka_unit_test(test_json_big_int),
		cmocka_unit_test(test_color_decision),
		cmocka_unit_test(test_empty_table),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_term_dumb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
