/* SPDX-License-Identifier: MIT */
#include "acpi.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int kp_acpi_table_in(const char *dir, const char *sig)
{
	struct dirent *de;
	char path[512];
	struct stat st;
	size_t sl = strlen(sig);
	int found = 0;
	DIR *d;

	if (sl == 0 || sl > 4)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sig);
	if (stat(path, &st) == 0)
		return 1;
	/* SIG1, SIG2 …: the kernel numbers tables it saw more than once */
	d = opendir(dir);
	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		const char *p = de->d_name + sl;

		if (strncmp(de->d_name, sig, sl) || !*p)
			continue;
		while (isdigit((unsigned char)*p))
			p++;
		found = *p == '\0';
	}
	closedir(d);
	return found;
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
