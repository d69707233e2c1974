/* SPDX-License-Identifier: MIT */
/* /proc/cpuinfo as x86, arm64 and s390x write it (lib/cpuinfo.c). */
#include "fuzz.h"
#include "cpuinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const hints[] = { NULL, "x86_64", "aarch64", "s390x", "riscv64" };
	char *s = fuzz_str(data, size);
	struct kp_cpuinfo ci;

	for (size_t h = 0; h < sizeof(hints) / sizeof(hints[0]); h++) {
		memset(&ci, 0, sizeof(ci));
		if (kp_cpuinfo_parse(s, hints[h], &ci) == 0) {
			FUZZ_ASSERT(ci.flags != NULL);
			FUZZ_ASSERT(ci.count > 0);
			FUZZ_ASSERT(memchr(ci.vendor_id, '\0', sizeof(ci.vendor_id)));
			FUZZ_ASSERT(memchr(ci.model, '\0', sizeof(ci.model)));
			kp_cpuinfo_has(&ci, "vmx");
			kp_cpuinfo_has(&ci, "");
			kp_arch_name(ci.arch);
			kp_cpuinfo_free(&ci);
		}
	}
	kp_arch_from_name(s);
	free(s);
	return 0;
}
