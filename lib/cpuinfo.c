/* SPDX-License-Identifier: MIT */
#include "cpuinfo.h"
#include "root.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *kp_arch_name(enum kp_arch a)
{
	switch (a) {
	case KP_ARCH_X86_64: return "x86_64";
	case KP_ARCH_AARCH64: return "aarch64";
	case KP_ARCH_S390X: return "s390x";
	default: return "unknown";
	}
}

enum kp_arch kp_arch_from_name(const char *name)
{
	if (!name)
		return KP_ARCH_UNKNOWN;
	if (!strcmp(name, "x86_64"))
		return KP_ARCH_X86_64;
	if (!strcmp(name, "aarch64") || !strcmp(name, "arm64"))
		return KP_ARCH_AARCH64;
	if (!strcmp(name, "s390x") || !strcmp(name, "s390"))
		return KP_ARCH_S390X;
	return KP_ARCH_UNKNOWN;
}

/* "key<spaces/tabs>: value" -> key trimmed in k, value trimmed; 0 if no ':' */
static int split_line(char *line, char **k, char **v)
{
	char *colon = strchr(line, ':'), *e;

	if (!colon)
		return 0;
	*colon = '\0';
	e = colon;
	while (e > line && isspace((unsigned char)e[-1]))
		*--e = '\0';
	*k = line;
	*v = colon + 1;
	while (isspace((unsigned char)**v))
		(*v)++;
	e = *v + strlen(*v);
	while (e > *v && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return 1;
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

/* Keep only the flags present in both sets (flags listed per CPU may differ
 * on hybrid parts; a flag counts when every CPU has it). */
static int intersect(char **have, const char *line)
{
	size_t n = strlen(line);
	char *padded, *out, *tok, *save, *dup;

	if (!*have) {
		*have = malloc(n + 3);
		if (!*have)
			return -ENOMEM;
		sprintf(*have, " %s ", line);
		for (char *p = *have; *p; p++)
			if (*p == '\t')
				*p = ' ';
		return 0;
	}
	padded = malloc(n + 3);
	dup = strdup(*have);
	out = malloc(strlen(*have) + 2);
	if (!padded || !dup || !out) {
		free(padded);
		free(dup);
		free(out);
		return -ENOMEM;
	}
	sprintf(padded, " %s ", line);
	for (char *p = padded; *p; p++)
		if (*p == '\t')
			*p = ' ';
	strcpy(out, " ");
	for (tok = strtok_r(dup, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char pat[256];

		if (snprintf(pat, sizeof(pat), " %s ", tok) >= (int)sizeof(pat))
			continue;
		if (strstr(padded, pat)) {
			strcat(out, tok);
			strcat(out, " ");
		}
	}
	free(padded);
	free(dup);
	free(*have);
	*have = out;
	return 0;
}

/* A decimal or 0x-hex field ("6", "0xd0c"), -1 when it is not one or is
 * out of range. */
static int number(const char *v)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 0);
	if (errno || end == v || *end || n < 0 || n > 0x7fffffff)
		return -1;
	return (int)n;
}

static int is_processor_line(const char *k)
{
	/* x86/arm64: "processor"; s390: "processor 0" */
	if (strncmp(k, "processor", 9))
		return 0;
	if (k[9] == '\0')
		return 1;
	return k[9] == ' ' && isdigit((unsigned char)k[10]);
}

int kp_cpuinfo_parse(const char *text, const char *arch_hint, struct kp_cpuinfo *ci)
{
	char *dup, *line, *save;
	const char *last_flags = NULL;
	int s390_count = -1, implementer = 0, r = 0;

	memset(ci, 0, sizeof(*ci));
	ci->family = ci->model_no = ci->stepping = -1;
	dup = strdup(text);
	if (!dup)
		return -ENOMEM;
	for (line = strtok_r(dup, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *k, *v;

		if (!split_line(line, &k, &v))
			continue;
		if (is_processor_line(k)) {
			ci->count++;
		} else if (!strcmp(k, "# processors")) {
			s390_count = atoi(v);
		} else if (!strcmp(k, "vendor_id")) {
			if (!ci->vendor_id[0])
				copy(ci->vendor_id, sizeof(ci->vendor_id), v);
		} else if (!strcmp(k, "CPU implementer")) {
			implementer = 1;
			if (!ci->vendor_id[0])
				copy(ci->vendor_id, sizeof(ci->vendor_id), v);
		} else if (!strcmp(k, "cpu family") || !strcmp(k, "CPU architecture")) {
			if (ci->family < 0)
				ci->family = number(v);
		} else if (!strcmp(k, "model") || !strcmp(k, "CPU part")) {
			if (ci->model_no < 0)
				ci->model_no = number(v);
		} else if (!strcmp(k, "stepping") || !strcmp(k, "CPU revision")) {
			if (ci->stepping < 0)
				ci->stepping = number(v);
		} else if (!strcmp(k, "microcode")) {
			if (!ci->microcode[0])
				copy(ci->microcode, sizeof(ci->microcode), v);
		} else if (!strcmp(k, "model name")) {
			if (!ci->model[0])
				copy(ci->model, sizeof(ci->model), v);
		} else if (!strcmp(k, "flags") || !strcmp(k, "Features") ||
			   !strcmp(k, "features")) {
			/* the common case: every CPU lists the same flags */
			if (last_flags && !strcmp(last_flags, v))
				continue;
			last_flags = v;
			r = intersect(&ci->flags, v);
			if (r < 0)
				break;
		}
	}
	free(dup);
	if (r < 0) {
		kp_cpuinfo_free(ci);
		return r;
	}
	if (s390_count > 0)
		ci->count = s390_count;
	if (!ci->flags) {
		ci->flags = strdup(" ");
		if (!ci->flags)
			return -ENOMEM;
	}

	if (!strcmp(ci->vendor_id, "GenuineIntel"))
		ci->vendor = KP_VENDOR_INTEL;
	else if (!strcmp(ci->vendor_id, "AuthenticAMD"))
		ci->vendor = KP_VENDOR_AMD;
	else if (!strcmp(ci->vendor_id, "HygonGenuine"))
		ci->vendor = KP_VENDOR_HYGON;
	else if (!strncmp(ci->vendor_id, "IBM/S390", 8))
		ci->vendor = KP_VENDOR_IBM;
	else if (implementer)
		ci->vendor = KP_VENDOR_ARM;

	ci->arch = kp_arch_from_name(arch_hint);
	if (ci->arch == KP_ARCH_UNKNOWN) {
		switch (ci->vendor) {
		case KP_VENDOR_INTEL:
		case KP_VENDOR_AMD:
		case KP_VENDOR_HYGON:
			ci->arch = KP_ARCH_X86_64;
			break;
		case KP_VENDOR_ARM:
			ci->arch = KP_ARCH_AARCH64;
			break;
		case KP_VENDOR_IBM:
			ci->arch = KP_ARCH_S390X;
			break;
		default:
			break;
		}
	}
	if (ci->count == 0) {
		kp_cpuinfo_free(ci);
		return -EINVAL;
	}
	return 0;
}

int kp_cpuinfo_read(struct kp_cpuinfo *ci)
{
	char arch[32], *text;
	int r, have_arch;

	have_arch = kp_read_line("/proc/sys/kernel/arch", arch, sizeof(arch)) == 0;
	r = kp_read_file("/proc/cpuinfo", &text, NULL);
	if (r < 0)
		return r;
	r = kp_cpuinfo_parse(text, have_arch ? arch : NULL, ci);
	free(text);
	return r;
}

void kp_cpuinfo_free(struct kp_cpuinfo *ci)
{
	free(ci->flags);
	ci->flags = NULL;
}

int kp_cpuinfo_has(const struct kp_cpuinfo *ci, const char *flag)
{
	char pat[128];

	if (!ci->flags || !flag[0])
		return 0;
	if (snprintf(pat, sizeof(pat), " %s ", flag) >= (int)sizeof(pat))
		return 0;
	return strstr(ci->flags, pat) != NULL;
}
