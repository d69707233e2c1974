/* SPDX-License-Identifier: MIT */
/* ACPI table headers and the DMAR flags byte (lib/acpi.c). */
#include "fuzz.h"
#include "acpi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_acpi_header h;
	unsigned flags;

	if (kp_acpi_header_parse(data, size, &h) == 0) {
		FUZZ_ASSERT(strlen(h.signature) <= 4 && strlen(h.oem_id) <= 6);
		FUZZ_ASSERT(size >= 36);
	}
	if (kp_acpi_dmar_flags(data, size, &flags) == 0)
		FUZZ_ASSERT(size > 37);
	return 0;
}
