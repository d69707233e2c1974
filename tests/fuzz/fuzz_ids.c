/* SPDX-License-Identifier: MIT */
/* What users type and files carry: PCI addresses, vendor:device IDs,
 * UUIDs, interface names, driver names (lib/ids.c). Properties: an
 * accepted address normalises to the canonical form, which parses to
 * itself; an accepted driver name is safe inside a udev rule. */
#include "fuzz.h"
#include "ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	char bdf[13], again[13];
	unsigned v, d;

	if (kp_bdf_parse(s, bdf) == 0) {
		FUZZ_ASSERT(strlen(bdf) == 12);
		FUZZ_ASSERT(kp_bdf_parse(bdf, again) == 0);
		FUZZ_ASSERT(strcmp(bdf, again) == 0);
	}
	if (kp_pciid_parse(s, &v, &d) == 0)
		FUZZ_ASSERT(v <= 0xffff && d <= 0xffff && strlen(s) == 9);
	if (kp_uuid_check(s) == 0)
		FUZZ_ASSERT(strlen(s) == 36);
	if (kp_ifname_check(s) == 0)
		FUZZ_ASSERT(strlen(s) >= 1 && strlen(s) <= 15 && !strchr(s, '/') && !strchr(s, ' '));
	if (kp_driver_check(s) == 0)
		FUZZ_ASSERT(strlen(s) <= 31 && !strpbrk(s, "\"\\$%, \t\n"));
	free(s);
	return 0;
}
