/* SPDX-License-Identifier: MIT */
/* /proc/meminfo, cpu/node lists ("0-3,8") and hugepage directory names
 * (lib/meminfo.c). */
#include "fuzz.h"
#include "meminfo.h"

#include <errno.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct kp_meminfo mi;
	long long kb;
	int n;

	memset(&mi, 0, sizeof(mi));
	kp_meminfo_parse(s, &mi);
	n = kp_list_count(s);
	FUZZ_ASSERT(n == -EINVAL || n == -ERANGE || (n >= 0 && n <= KP_LIST_MAX));
	if (kp_hugepage_dirsize(s, &kb) == 0)
		FUZZ_ASSERT(kb > 0);
	free(s);
	return 0;
}
