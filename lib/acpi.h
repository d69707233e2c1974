/* SPDX-License-Identifier: MIT */
#ifndef KP_ACPI_H
#define KP_ACPI_H

#include <stddef.h>
#include <stdint.h>

/*
 * ACPI tables the firmware hands the kernel, as /sys/firmware/acpi/tables
 * lists them (plain path): DMAR (Intel VT-d), IVRS (AMD-Vi), IORT (arm64
 * SMMU), … A table the kernel saw more than once appears as SIG1, SIG2.
 */

#define KP_ACPI_TABLES "/sys/firmware/acpi/tables"

/* 1 when table SIG (4 characters) is present under dir (SIG or SIGn),
 * else 0. */
int kp_acpi_table_in(const char *dir, const char *sig);
/* The same under /sys/firmware/acpi/tables. */
int kp_acpi_has_table(const char *sig);
/* Of the n signatures in sigs, the index of the first one present under
 * dir (the order is the caller's preference), else -1: one look at the
 * directory for them all. */
int kp_acpi_first_table_in(const char *dir, const char *const *sigs, size_t n);
/* 1 when the host exposes ACPI tables at all, else 0 (s390x, DT arm64). */
int kp_acpi_present(void);

/* The standard 36-byte ACPI table header. */
struct kp_acpi_header {
	char signature[5];
	uint32_t length;
	uint8_t revision;
	char oem_id[7];
};

/* Parse a table's header from its bytes. 0, or -EINVAL when shorter than
 * a header or when the length field is smaller than the header. */
int kp_acpi_header_parse(const void *buf, size_t len, struct kp_acpi_header *h);

/* DMAR flags (byte 37): bit 0 INTR_REMAP, bit 1 X2APIC_OPT_OUT, bit 2
 * DMA_CTRL_PLATFORM_OPT_IN. 0 and *flags, or -EINVAL (not a DMAR table,
 * too short). */
#define KP_DMAR_INTR_REMAP 0x1
#define KP_DMAR_X2APIC_OPT_OUT 0x2
int kp_acpi_dmar_flags(const void *buf, size_t len, unsigned *flags);

#endif
