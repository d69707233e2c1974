/* SPDX-License-Identifier: MIT */
/* The hardened reader's line splitter (lib/rfile.c), as every persisted
 * file's reader uses it. Properties: fields are non-empty, hold no blank,
 * no '#' first, no control character; the line number only grows. */
#include "fuzz.h"
#include "rfile.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_rfile f;
	char *fld[4];
	size_t n;
	int r, last = 0;

	if (kp_rfile_from_buffer(&f, "in", (const char *)data, size, 0) < 0) {
		FUZZ_ASSERT(memchr(data, '\0', size) != NULL);
		kp_rfile_close(&f);
		return 0;
	}
	while ((r = kp_rfile_next(&f, fld, 4, &n)) > 0) {
		FUZZ_ASSERT(n >= 1 && n <= 4);
		FUZZ_ASSERT(f.line > last);
		last = f.line;
		for (size_t i = 0; i < n; i++) {
			FUZZ_ASSERT(fld[i][0] != '\0' && fld[i][0] != '#');
			for (const char *p = fld[i]; *p; p++)
				FUZZ_ASSERT(*p != ' ' && *p != '\t' && (unsigned char)*p >= 0x20 &&
					    *p != 0x7f);
		}
	}
	FUZZ_ASSERT(r == 0 || r == -EINVAL);
	if (r == -EINVAL)
		FUZZ_ASSERT(strncmp(f.err, "in:", 3) == 0);
	kp_rfile_close(&f);
	return 0;
}
