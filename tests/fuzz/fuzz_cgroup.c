/* SPDX-License-Identifier: MIT */
/* The mount table read for the cgroup layout (lib/cgroup.c). */
#include "fuzz.h"
#include "cgroup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	struct kp_cgroup cg;

	memset(&cg, 0, sizeof(cg));
	if (kp_cgroup_parse_mounts(s, &cg) == 0) {
		FUZZ_ASSERT(memchr(cg.v2_mount, '\0', sizeof(cg.v2_mount)));
		FUZZ_ASSERT(memchr(cg.v1_controllers, '\0', sizeof(cg.v1_controllers)));
		kp_cgroup_v1_has(&cg, "memory");
		kp_cgroup_v2_has(&cg, "cpuset");
		kp_cgroup_v1_has(&cg, "");
		FUZZ_ASSERT(kp_cg_layout_name(cg.layout) != NULL);
	}
	free(s);
	return 0;
}
