/* SPDX-License-Identifier: MIT */
/* An mdevctl definition file's JSON (lib/mdev.c). Properties: an
 * accepted definition prints (kp_mdev_def_text) and parses back to the
 * same type, start and attributes. */
#include "fuzz.h"
#include "mdev.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), why[256], *text;
	struct kp_mdev_def d, d2;

	memset(&d, 0, sizeof(d));
	if (kp_mdev_def_parse(s, &d, why, sizeof(why)) == 0) {
		text = kp_mdev_def_text(&d);
		FUZZ_ASSERT(text != NULL);
		memset(&d2, 0, sizeof(d2));
		FUZZ_ASSERT(kp_mdev_def_parse(text, &d2, why, sizeof(why)) == 0);
		FUZZ_ASSERT(strcmp(d.type, d2.type) == 0 && d.autostart == d2.autostart);
		FUZZ_ASSERT(d.nattrs == d2.nattrs);
		for (size_t i = 0; i < d.nattrs; i++)
			FUZZ_ASSERT(!strcmp(d.attrs[i].key, d2.attrs[i].key) &&
				    !strcmp(d.attrs[i].value, d2.attrs[i].value));
		kp_mdev_def_clear(&d2);
		free(text);
	} else {
		FUZZ_ASSERT(memchr(why, '\0', sizeof(why)));
	}
	kp_mdev_def_clear(&d);
	free(s);
	return 0;
}
