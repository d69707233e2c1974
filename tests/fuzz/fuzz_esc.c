/* SPDX-License-Identifier: MIT */
/* The escape every message, table and JSON string goes through (lib/err.c
 * kp_esc). Properties: the JSON form is valid UTF-8 (json-c and Python
 * accept it), the terminal form also holds no control character, valid
 * UTF-8 without controls passes unchanged, and json-c prints the result. */
#include "fuzz.h"
#include "err.h"

#include <json-c/json.h>

/* 1 when s is valid UTF-8 (RFC 3629), written independently of lib/err.c */
static int utf8_ok(const unsigned char *s)
{
	while (*s) {
		unsigned c = *s, n, v, i;

		if (c < 0x80) {
			s++;
			continue;
		}
		if ((c & 0xe0) == 0xc0)
			n = 1, v = c & 0x1f;
		else if ((c & 0xf0) == 0xe0)
			n = 2, v = c & 0x0f;
		else if ((c & 0xf8) == 0xf0)
			n = 3, v = c & 0x07;
		else
			return 0;
		for (i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			v = v << 6 | (s[i] & 0x3f);
		}
		if ((n == 1 && v < 0x80) || (n == 2 && v < 0x800) || (n == 3 && v < 0x10000) ||
		    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			return 0;
		s += n + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *j, *t, small[7];
	json_object *o;

	j = kp_esc_dup(s, KP_ESC_JSON);
	t = kp_esc_dup(s, KP_ESC_TERM);
	FUZZ_ASSERT(j && t);
	FUZZ_ASSERT(utf8_ok((const unsigned char *)j));
	FUZZ_ASSERT(utf8_ok((const unsigned char *)t));
	FUZZ_ASSERT(!kp_esc_needed(j, KP_ESC_JSON));
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		FUZZ_ASSERT(*p >= 0x20 && *p != 0x7f);
	if (utf8_ok((const unsigned char *)s))
		FUZZ_ASSERT(strcmp(j, s) == 0);
	FUZZ_ASSERT(kp_esc_needed(s, KP_ESC_JSON) == (strcmp(j, s) != 0));
	kp_esc(small, sizeof(small), s, KP_ESC_TERM);
	FUZZ_ASSERT(strlen(small) < sizeof(small));
	o = json_object_new_string(j);
	FUZZ_ASSERT(json_object_to_json_string(o) != NULL);
	json_object_put(o);
	free(j);
	free(t);
	free(s);
	return 0;
}
