/* SPDX-License-Identifier: MIT */
/* The kernel command line split as parse_args() does (lib/cmdline.c).
 * Input: a key on the first line, the command line after it. */
#include "fuzz.h"
#include "cmdline.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "intel_iommu", "iommu", "amd_iommu", "kvm-intel.nested",
					    "vfio_pci.ids", "hugepagesz", "" };
	char *s = fuzz_str(data, size), *line = fuzz_split(s);
	char val[64], big[4096];
	int r;

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		r = kp_cmdline_get(line, keys[k], val, sizeof(val));
		FUZZ_ASSERT(r == 0 || r == 1 || r == -ENAMETOOLONG);
		if (r == 1)
			FUZZ_ASSERT(strlen(val) < sizeof(val));
		kp_cmdline_has_item(line, keys[k], "on");
	}
	r = kp_cmdline_get(line, s, big, sizeof(big));
	FUZZ_ASSERT(r == 0 || r == 1 || r == -ENAMETOOLONG);
	r = kp_cmdline_get(line, s, val, 1);
	FUZZ_ASSERT(r == 0 || r == 1 || r == -ENAMETOOLONG);
	kp_cmdline_has_item(line, s, "sm_on");
	free(s);
	return 0;
}
