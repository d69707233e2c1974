/* SPDX-License-Identifier: MIT */
#ifndef KP_VALIDATE_H
#define KP_VALIDATE_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "cgroup.h"
#include "cpuinfo.h"
#include "kvmprobe.h"
#include "meminfo.h"
#include "module.h"

/*
 * kvmprep-validate: the check table and what the checks share.
 *
 * Each check fills one result: a status, a one-line finding and, where the
 * status is not PASS, a hint with the exact remedy. The host facts several
 * checks need (cpuinfo, command line, the KVM probe, …) are read once, on
 * first use, into struct vctx.
 */

enum vstatus { V_PASS, V_WARN, V_FAIL, V_SKIP };

struct vresult {
	enum vstatus status;
	char finding[320];
	char hint[640]; /* "" when none */
};

/* Jobs for --for: each check names the jobs that need it. */
enum vjob {
	J_KVM = 1 << 0,
	J_PASSTHROUGH = 1 << 1,
	J_SRIOV = 1 << 2,
	J_MDEV = 1 << 3,
	J_HUGEPAGES = 1 << 4,
	J_NETWORK = 1 << 5,
	J_SECURE = 1 << 6,
};

struct vctx {
	/* options */
	long long want_mem; /* bytes the guests are asked for (--memory) */
	const char *images; /* --images DIR (host path, prefixed when read) */
	unsigned for_jobs;  /* --for JOB mask (0: the default question) */
	int pvm_guests;     /* --pvm-guests: the guests run PVM-enabled kernels */
	int want_vcpus;     /* --vcpus N: vCPUs the guests are planned with (0: not said) */

	/* facts, read once */
	struct kp_cpuinfo cpu;
	int cpu_r; /* kp_cpuinfo_read's result */
	char *cmdline; /* "" when unreadable */
	struct kp_meminfo mem;
	int mem_r;
	struct kp_modctx *mod; /* NULL when libkmod could not start */
	struct { /* module states asked so far (vmod: kvm_pvm alone is asked 4 times) */
		char name[32];
		enum kp_modstate st;
		int r;
	} modseen[16];
	unsigned nmodseen;
	int cpus_online; /* vcpus_online, 0 unread */
	int numa_nodes;  /* vnuma_nodes, 0 unread */
	long ksm_run;    /* vksm_run */
	int ksm_r, ksm_read;
	int probe_done, probe_r;
	int probe_started;  /* the probe runs in a child (vctx_probe_start) */
	int probe_fd;       /* its answer comes down this pipe */
	pid_t probe_pid;
	int probe_died;     /* the child died without an answer (probe.detail says how) */
	struct kp_kvmprobe probe;
	struct kp_hugepool *hp; /* the hugepage pools (vhugepools), read once */
	size_t nhp;
	int hp_r, hp_read;
	int iommu_groups; /* number of groups, 0 when none, -1 unread */
	int iommu_units;  /* entries of /sys/class/iommu, -1 unread */
	char iommu_names[128];
	int iommu_kind;   /* enum viommu_kind, -1 unread (viommu_kind) */
	int iommu_fw;     /* the ACPI table of that kind is present */
	char karg[640];  /* vkarg_hint's text */
	char karg_cmd[512]; /* its command alone ("" none), for the JSON's "command" */
	int target;      /* --root DIR: the target system's configuration is judged */
	char *boot_where; /* --root: the file the kernel arguments came from */
};

struct vcheck {
	const char *id;
	const char *topic;
	const char *title;
	void (*fn)(struct vctx *c, struct vresult *r);
	unsigned jobs;
	const char *explain;
};

extern const struct vcheck vchecks[];
extern const size_t vchecks_n;

const char *vstatus_name(enum vstatus s);

/* Result helpers: status, hint (NULL or ""), printf-style finding. */
void vset(struct vresult *r, enum vstatus s, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Append to the hint. */
void vhint(struct vresult *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The hint that adds (add 1) or removes the kernel argument arg: the exact
 * command for the host's boot loader (lib/bootcfg.h; the target's with
 * --root), "then reboot"; the generic GRUB text when none is known.
 * Returns c->karg (valid until the next call). vkarg_hint2: shown is the
 * argument as the text names it, arg the one the command takes. */
const char *vkarg_hint(struct vctx *c, int add, const char *arg);
/* target.c: --root DIR. vtarget_init reads the target's kernel arguments
 * (into c->cmdline) after vctx_init; vtarget_check runs one check for
 * the target (its files, the machine's hardware, or SKIP: first boot). */
struct vcheck;
int vtarget_init(struct vctx *c);
void vtarget_check(struct vctx *c, const struct vcheck *k, struct vresult *r);
const char *vkarg_hint2(struct vctx *c, int add, const char *shown, const char *arg);

/* Facts, loaded on first use. */
int vctx_init(struct vctx *c);
void vctx_free(struct vctx *c);
const struct kp_kvmprobe *vctx_probe(struct vctx *c, int *r);
/* check_iommu.c: the IOMMU the kernel drives, by the ACPI table it finds
 * (DMAR, IVRS), else by CPU vendor; read once per run. */
enum viommu_kind { IK_NONE, IK_VTD, IK_AMDVI, IK_SMMU };
enum viommu_kind viommu_kind(struct vctx *c);
void vctx_probe_start(struct vctx *c);
/* The module state, or -errno when libkmod cannot tell. */
int vhugepools(struct vctx *c, const struct kp_hugepool **p, size_t *n);
int vmod(struct vctx *c, const char *name, enum kp_modstate *st);
/* 1 when loaded or built in. */
int vmod_present(struct vctx *c, const char *name);
/* Read once per run, as several checks ask: the CPUs online (the
 * count of /proc/cpuinfo when the list is unreadable), the NUMA nodes
 * online (kp_numa_nodes), KSM's run (0 and *run, or -errno). */
int vcpus_online(struct vctx *c);
int vnuma_nodes(struct vctx *c);
int vksm_run(struct vctx *c, long *run);
/* Read a /sys attribute (plain path). Length or -errno. */
int vsys(const char *path, char *buf, size_t n);
/* Read a /proc or /etc file's first line through the root prefix. */
int vhost_line(const char *abs, char *buf, size_t n);
int vctx_iommu(struct vctx *c); /* fills iommu_units, iommu_groups */
int v_is_x86(const struct vctx *c);
int v_intel(const struct vctx *c);
int v_amd(const struct vctx *c); /* AMD or Hygon */
int v_snp_cpu(const struct vctx *c); /* an AMD CPU that offers SEV-SNP */
/* iommu=pt or iommu.passthrough=1 on the command line */
int v_iommu_passthrough(const struct vctx *c);
/* "Y"/"1" module parameters: 1, "N"/"0": 0, absent: -1. */
int vparam_bool(const char *module, const char *param);

/* The check functions, one file per topic family. */
void chk_kvm_cpu_flags(struct vctx *c, struct vresult *r);
void chk_kvm_probe(struct vctx *c, struct vresult *r);
void chk_kvm_guests(struct vctx *c, struct vresult *r);
void chk_kvm_modules(struct vctx *c, struct vresult *r);
void chk_kvm_dev_access(struct vctx *c, struct vresult *r);
void chk_kvm_nested(struct vctx *c, struct vresult *r);
void chk_kvm_vhost_net(struct vctx *c, struct vresult *r);
void chk_kvm_tun(struct vctx *c, struct vresult *r);
void chk_kvm_xen_dom0(struct vctx *c, struct vresult *r);

void chk_iommu_firmware(struct vctx *c, struct vresult *r);
void chk_iommu_enabled(struct vctx *c, struct vresult *r);
void chk_iommu_groups(struct vctx *c, struct vresult *r);
void chk_iommu_passthrough(struct vctx *c, struct vresult *r);
void chk_iommu_irq_remap(struct vctx *c, struct vresult *r);
void chk_iommu_vfio(struct vctx *c, struct vresult *r);
void chk_iommu_isolation(struct vctx *c, struct vresult *r);

void chk_memory_hugepages(struct vctx *c, struct vresult *r);
void chk_memory_thp(struct vctx *c, struct vresult *r);
void chk_memory_ksm(struct vctx *c, struct vresult *r);
void chk_memory_numa(struct vctx *c, struct vresult *r);
void chk_memory_total(struct vctx *c, struct vresult *r);
void chk_resources_cpus(struct vctx *c, struct vresult *r);
void chk_resources_disk(struct vctx *c, struct vresult *r);
void chk_resources_tsc(struct vctx *c, struct vresult *r);

void chk_cgroups_layout(struct vctx *c, struct vresult *r);
void chk_cgroups_controllers(struct vctx *c, struct vresult *r);
void chk_secure_sev(struct vctx *c, struct vresult *r);
void chk_secure_sev_es(struct vctx *c, struct vresult *r);
void chk_secure_sev_snp(struct vctx *c, struct vresult *r);
void chk_secure_tdx(struct vctx *c, struct vresult *r);
void chk_secure_s390_pv(struct vctx *c, struct vresult *r);
void chk_network_ip_forward(struct vctx *c, struct vresult *r);
void chk_network_bridge_nf(struct vctx *c, struct vresult *r);
void chk_platform_qemu(struct vctx *c, struct vresult *r);
void chk_platform_uefi(struct vctx *c, struct vresult *r);
void chk_platform_mac(struct vctx *c, struct vresult *r);

/* host preparation (tools/validate/check_prep.c) */
void chk_kvm_halt_poll(struct vctx *c, struct vresult *r);
void chk_memory_ksm_tuning(struct vctx *c, struct vresult *r);
void chk_memory_hugepages_boot(struct vctx *c, struct vresult *r);
void chk_resources_isolation(struct vctx *c, struct vresult *r);
void chk_resources_vcpus(struct vctx *c, struct vresult *r);
void chk_secure_secureboot(struct vctx *c, struct vresult *r);
void chk_secure_vtpm(struct vctx *c, struct vresult *r);
void chk_platform_libvirt(struct vctx *c, struct vresult *r);
void chk_platform_libvirt_net(struct vctx *c, struct vresult *r);
void chk_platform_tuned(struct vctx *c, struct vresult *r);
void chk_platform_mac_virt(struct vctx *c, struct vresult *r);

/* QEMU, read without running it (tools/validate/qemu.c). */
/* The binary (host path in shown, prefixed path in path). 0 or -ENOENT. */
int vqemu_path(const struct vctx *c, char *path, size_t pn, char *shown, size_t sn);
/* "7.2.22": 0, -ENOEXEC (not ELF nor a script), -ENOENT (no version in it). */
int vqemu_version(const char *path, char *buf, size_t n);
/* The .rodata section of an ELF64 executable: 0 with *off, *len, else -ENOENT. */
int vqemu_rodata_range(int fd, off_t *off, off_t *len);
/* fn on every string of .rodata starting with a byte of first (NULL: all). */
int vqemu_strings(const char *path, const char *first,
		  void (*fn)(const char *s, size_t len, void *arg), void *arg);

/* The host object of --json (tools/validate/host.c). */
json_object *vhost_json(struct vctx *c);
/* tools/validate/firewall.c: the firewall's answer for libvirt's migration
 * ports, as the host object's "firewall". */
json_object *vfirewall_json(const struct vctx *c);
/* The filesystem type of the mount holding DIR. 0 or -ENOENT. */
int vimages_fstype(const char *dir, char *fstype, size_t n);
/* 1 for a filesystem that several hosts mount at once (NFS, Ceph, …). */
int v_fs_shared(const char *fstype);

/* --migrate (tools/validate/migrate.c): one row per aspect. */
struct vmig {
	const char *id;
	struct vresult r;
};
#define VMIG_MAX 16
/* 0 or -EINVAL with why: o is not a host object as host.c writes it. */
int vhost_check(json_object *o, char *why, size_t n);
/* Compare; rows (at least VMIG_MAX) filled; the number of rows. */
size_t vmigrate(json_object *src, json_object *dst, struct vmig *rows, size_t max);
/* NULL-terminated names of the CPU models migrate knows. */
const char *const *vcpu_model_names(void);

/* Human size: "1.5 GiB", "512 MiB". */
void vsize(char *buf, size_t n, long long bytes);

#endif
