/* SPDX-License-Identifier: MIT */
#ifndef KP_CPUINFO_H
#define KP_CPUINFO_H

#include <stddef.h>

/*
 * /proc/cpuinfo (root prefix applied), as x86, arm64 and s390x write it.
 * The architecture comes from /proc/sys/kernel/arch when the host has it,
 * else it is inferred from the cpuinfo text itself.
 */

enum kp_arch {
	KP_ARCH_UNKNOWN,
	KP_ARCH_X86_64,
	KP_ARCH_AARCH64,
	KP_ARCH_S390X,
};

enum kp_cpu_vendor {
	KP_VENDOR_UNKNOWN,
	KP_VENDOR_INTEL,
	KP_VENDOR_AMD,
	KP_VENDOR_HYGON,
	KP_VENDOR_ARM,  /* any arm64 implementer */
	KP_VENDOR_IBM,  /* s390x */
};

struct kp_cpuinfo {
	enum kp_arch arch;
	enum kp_cpu_vendor vendor;
	char vendor_id[32]; /* "GenuineIntel", "IBM/S390", "0x41", "" */
	char model[128];    /* "model name" (x86), "" when the host does not say */
	int family;         /* x86 "cpu family", arm64 "CPU architecture"; -1 unknown */
	int model_no;       /* x86 "model", arm64 "CPU part"; -1 unknown */
	int stepping;       /* x86 "stepping", arm64 "CPU revision"; -1 unknown */
	char microcode[32]; /* x86 "microcode" of the first CPU ("0xd0003b9"), "" */
	int count;          /* logical CPUs listed */
	char *flags;        /* " flag1 flag2 … " (padded with spaces), never NULL */
};

/* Parse cpuinfo text. arch_hint is /proc/sys/kernel/arch's word or NULL.
 * 0 or -errno (-ENOMEM; -EINVAL when the text lists no CPU). Free with
 * kp_cpuinfo_free. */
int kp_cpuinfo_parse(const char *text, const char *arch_hint, struct kp_cpuinfo *ci);

/* Read and parse the host's /proc/cpuinfo. 0 or -errno. */
int kp_cpuinfo_read(struct kp_cpuinfo *ci);

void kp_cpuinfo_free(struct kp_cpuinfo *ci);

/* 1 when every CPU line lists the flag (x86 "flags", arm64 "Features",
 * s390 "features"), else 0. */
int kp_cpuinfo_has(const struct kp_cpuinfo *ci, const char *flag);

/* "x86_64", "aarch64", "s390x", "unknown". */
const char *kp_arch_name(enum kp_arch a);
/* "x86_64" -> KP_ARCH_X86_64 …, KP_ARCH_UNKNOWN for anything else. */
enum kp_arch kp_arch_from_name(const char *name);

#endif
