/* SPDX-License-Identifier: MIT */
#include "acpi.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* name is sig followed by digits only (the kernel's SIG1, SIG2, …) */
static int numbered(const char *name, const char *sig, size_t sl)
{
	const char *p = name + sl;

	if (sl == 0 || sl > 4 || strncmp(name, sig, sl) || !*p)
		return 0;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

int kp_acpi_first_table_in(const char *dir, const char *const *sigs, size_t n)
{
	unsigned long long copies = 0; /* bit i: sigs[i] is there as SIGn */
	int listed = 0;
	struct dirent *de;
	char path[512];
	struct stat st;
	size_t i, j;
	DIR *d;

	for (i = 0; i < n && i < 64; i++) {
		size_t sl = strlen(sigs[i]);

		if (sl == 0 || sl > 4)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, sigs[i]);
		if (stat(path, &st) == 0)
			return (int)i;
		/* SIG1, SIG2 …: the kernel numbers every copy of a table it
		 * saw more than once (drivers/acpi/sysfs.c
		 * acpi_table_attr_init). One look at the directory, on the
		 * first miss, for every signature. */
		if (!listed && (d = opendir(dir))) {
			while ((de = readdir(d)))
				for (j = 0; j < n && j < 64; j++)
					if (numbered(de->d_name, sigs[j], strlen(sigs[j])))
						copies |= 1ULL << j;
			closedir(d);
		}
		listed = 1;
		if (copies & 1ULL << i)
			return (int)i;
	}
	return -1;
}

int kp_acpi_table_in(const char *dir, const char *sig)
{
	return kp_acpi_first_table_in(dir, &sig, 1) == 0;
}

int kp_acpi_has_table(const char *sig)
{
	return kp_acpi_table_in(KP_ACPI_TABLES, sig);
}

int kp_acpi_present(void)
{
	struct stat st;

	return stat(KP_ACPI_TABLES, &st) == 0 && S_ISDIR(st.st_mode);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int kp_acpi_header_parse(const void *buf, size_t len, struct kp_acpi_header *h)
{
	const unsigned char *b = buf;

	if (len < 36)
		return -EINVAL;
	memcpy(h->signature, b, 4);
	h->signature[4] = '\0';
	h->length = le32(b + 4);
	h->revision = b[8];
	memcpy(h->oem_id, b + 10, 6);
	h->oem_id[6] = '\0';
	if (h->length < 36)
		return -EINVAL;
	return 0;
}

int kp_acpi_dmar_flags(const void *buf, size_t len, unsigned *flags)
{
	struct kp_acpi_header h;
	const unsigned char *b = buf;

	if (kp_acpi_header_parse(buf, len, &h) < 0 || strcmp(h.signature, "DMAR") ||
	    len < 38 || h.length < 38)
		return -EINVAL;
	*flags = b[37];
	return 0;
}
