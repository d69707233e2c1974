/* SPDX-License-Identifier: MIT */
#ifndef KP_LAUNCH_H
#define KP_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#define TOOL "kvmprep-launch"

#define L_MAX_DISKS 16
#define L_MAX_DEVS 16
#define L_MAX_NICS 8
#define L_MAX_QUEUES 16
#define L_MAX_FDS (1 + L_MAX_NICS * L_MAX_QUEUES * 2)
#define L_MAX_CPUS 1024
#define L_MAX_VCPUS 288
#define L_VMFILE_MAX (64 * 1024)
#define L_GIB (1024ULL * 1024 * 1024)
#define L_MIB (1024ULL * 1024)

enum l_accel { L_ACCEL_AUTO, L_ACCEL_KVM, L_ACCEL_TCG };
enum l_fw { L_FW_DEFAULT, L_FW_BIOS, L_FW_UEFI };
enum l_console { L_CON_STDIO, L_CON_PTY, L_CON_SOCKET, L_CON_NONE };
enum l_nic_kind { L_NIC_BRIDGE, L_NIC_MACVTAP, L_NIC_TAP };

struct l_nic {
	enum l_nic_kind kind;
	char ifname[16];
	char mac[18];   /* "52:54:00:…" lowercase, "" until decided */
	int mac_given;
	int queues;
};

/* Everything the user asked for, from the command line and a VM file. */
struct l_opts {
	char name[65];
	char *vm;            /* --vm NAME */
	char *qemu;          /* --qemu: a path or a name looked up in PATH */
	char *kernel, *initrd, *append;
	char *disks[L_MAX_DISKS];
	size_t ndisks;
	char *cdrom;
	enum l_fw firmware;
	char machine[64];
	enum l_accel accel;
	unsigned long long mem; /* bytes */
	int cpus;
	long long huge_kb;      /* 0: no hugepages */
	char *pin;              /* CPU list */
	int numa_node;          /* -1: none */
	char *vfio[L_MAX_DEVS];  /* canonical PCI addresses */
	size_t nvfio;
	char *mdev[L_MAX_DEVS];  /* UUIDs, lowercase */
	size_t nmdev;
	struct l_nic nics[L_MAX_NICS];
	size_t nnics;
	enum l_console console;
	char *console_path;
	char *qmp_path;         /* an extra QMP socket for the user */
	char uuid[37];
	int shutdown_timeout;   /* seconds */
	char *state_dir;        /* per-guest files (UEFI vars); default /var/lib/kvmprep/vms/NAME */
	int dry_run, json, quiet;
	unsigned given;         /* which scalar options the command line set (L_G_*) */
};

/* ---- util.c: pure parsers and decisions (unit-tested) ------------------ */

/* "2G", "512M", "1048576K", "1T"; a bare number is MiB (as QEMU's -m).
 * 0 or -EINVAL (-ERANGE: too big). */
int l_size_parse(const char *s, unsigned long long *bytes);
/* "2M" / "1G" (also "2048K", "1048576K") -> page size in KiB. 0 or -EINVAL. */
int l_hugesize_parse(const char *s, long long *kb);
/* A CPU list "0-3,8,10-11" into a bitmap of L_MAX_CPUS bits. Number of
 * CPUs, or -EINVAL (malformed, empty, or a CPU >= L_MAX_CPUS). */
int l_cpulist_parse(const char *s, unsigned char *bits);
/* The CPUs of a list in the order written ("3,1,2" -> 3 1 2), duplicates
 * dropped: vCPU i goes to the i-th. Count (all of them, even past max), or -EINVAL. */
int l_cpulist_order(const char *s, int *out, int max);
/* The bitmap as a kernel-style list into buf ("0-3,8"). */
void l_cpulist_format(const unsigned char *bits, char *buf, size_t n);
/* A unicast MAC "52:54:00:12:34:56" (any case) -> lowercase. 0 or -EINVAL
 * (-EADDRNOTAVAIL: multicast, or all zeros). */
int l_mac_parse(const char *in, char out[18]);
/* A stable MAC for NIC index i of guest name: 52:54:00 and three bytes of
 * a hash of both. */
void l_mac_for(const char *name, size_t i, char out[18]);
/* "bridge=BR|macvtap=NAME|tap=NAME[,mac=M][,queues=N]". 0, or -EINVAL with
 * err filled ("unknown key 'x'", …). */
int l_nic_parse(const char *spec, struct l_nic *nic, char *err, size_t errn);
/* A guest name: 1..64 of [A-Za-z0-9._-], not starting with '.' or '-'. */
int l_name_check(const char *name);
/* Double every ',' (QEMU option values). Caller frees. */
char *l_qemu_escape(const char *s);

/* The locked-memory decision. With VFIO or mdev devices every page of
 * guest memory is pinned for DMA, plus what QEMU maps itself: libvirt sets
 * the limit to guest memory + 1 GiB, and so does the launcher. */
enum l_memlock_action {
	L_MEMLOCK_NONE,   /* no device needs it: limit left alone */
	L_MEMLOCK_KEEP,   /* the limit is already enough (or unlimited) */
	L_MEMLOCK_RAISE,  /* raise soft and hard limit to need */
	L_MEMLOCK_REFUSE, /* cannot: the hard limit is lower and no CAP_SYS_RESOURCE */
};
struct l_memlock {
	enum l_memlock_action action;
	unsigned long long need;      /* bytes; 0 with NONE */
	unsigned long long cur_soft, cur_hard; /* RLIM_INFINITY as ~0ULL */
	int by_cap;   /* KEEP only because CAP_IPC_LOCK exempts QEMU from the limit */
};
/* cap_ipc_lock: QEMU will have CAP_IPC_LOCK (the limit does not apply);
 * cap_sys_resource: the launcher may raise the hard limit. */
void l_memlock_decide(unsigned long long guest_mem, int ndevices, unsigned long long soft,
		      unsigned long long hard, int cap_ipc_lock, int cap_sys_resource,
		      struct l_memlock *out);
const char *l_memlock_action_name(enum l_memlock_action a);
/* "1 GiB", "512 MiB", "8 KiB", "3.5 GiB". */
void l_human_size(unsigned long long bytes, char *buf, size_t n);

/* ---- conf.c: options from argv and VM files ---------------------------- */

/* Apply one option by its long name (without "--") and value (NULL for a
 * flag). origin is "FILE:LINE" for a VM file or NULL for the command line.
 * Scalars from a VM file do not override what the command line set.
 * KP_EXIT_OK or KP_EXIT_USAGE (the error printed). */
int l_opt_apply(struct l_opts *o, const char *key, const char *val, const char *origin);
/* 1 when key is an option a VM file may carry. */
int l_opt_file_key(const char *key);
/* Read /etc/kvmprep/vms/NAME.conf (root prefix applied), or a path when
 * NAME contains '/'. KP_EXIT_OK, KP_EXIT_USAGE (bad file), KP_EXIT_HOST
 * (no such VM). */
int l_vmfile_read(struct l_opts *o, const char *name);
/* The VM file parser on a buffer (for the unit tests): path for messages. */
int l_vmfile_parse(struct l_opts *o, const char *path, const char *buf, size_t len);
void l_opts_free(struct l_opts *o);

/* ---- plan.c: host checks and the QEMU command line --------------------- */

enum l_fd_kind { L_FD_QMP, L_FD_TAP, L_FD_VHOST };

struct l_fd {
	enum l_fd_kind kind;
	int child_fd;         /* the number QEMU sees */
	int nic, queue;       /* for taps and vhost */
	char path[64];        /* "/dev/net/tun", "/dev/tap12", "/dev/vhost-net", "" (socketpair) */
	char what[96];        /* "tap on bridge br0, queue 0", "QMP (launcher)" */
	int fd;               /* the launcher's fd once opened, -1 before */
};

struct l_pin {
	int vcpu;
	unsigned char cpus[L_MAX_CPUS / 8];
	char list[64];
};

struct l_plan {
	char qemu[4096];
	char **argv;
	size_t argc, cap;
	struct l_fd fds[L_MAX_FDS];
	size_t nfds;
	enum l_accel accel;      /* KVM or TCG, decided */
	char accel_reason[256];
	int microvm;
	int paused;              /* -S: pinning before the guest runs */
	struct l_pin pins[L_MAX_VCPUS];
	size_t npins;
	int node;                /* host NUMA node the guest's memory is bound to, -1 */
	struct l_memlock memlock;
	char vars_src[4096], vars_dst[4096]; /* UEFI vars: template, per-guest copy */
	char fw_code[4096];
	int vars_exists;
	int vhost;               /* vhost-net used */
	char warnings[16][320];
	size_t nwarnings;
	char uuid[37];
	int numa_cpus_valid;
	unsigned char numa_cpus[L_MAX_CPUS / 8]; /* CPUs of node for the QEMU process (no --pin) */
};

/* Check everything against the host and build the plan. KP_EXIT_OK, or the
 * exit code after printing the one error line. */
int l_plan_build(struct l_opts *o, struct l_plan *p);
void l_plan_free(struct l_plan *p);
/* The plan as the JSON document (dry run and start). New reference. */
json_object *l_plan_json(const struct l_opts *o, const struct l_plan *p);
/* The dry run's human text. */
void l_plan_print(const struct l_opts *o, const struct l_plan *p);

/* ---- net.c: links over netlink ------------------------------------------ */

struct l_link {
	int exists;
	int ifindex;
	char kind[32];   /* "bridge", "macvtap", "tun", "" */
	char mac[18];
};
int l_link_get(const char *ifname, struct l_link *out);
/* Put ifname on bridge master and set it up. 0 or -errno. */
int l_link_enslave_up(const char *ifname, const char *master);

/* ---- run.c: start and supervise QEMU ------------------------------------ */

int l_run(struct l_opts *o, struct l_plan *p);

/* ---- qmp.c -------------------------------------------------------------- */

struct l_qmp;
/* Read the greeting and negotiate capabilities on a connected fd. */
int l_qmp_open(int fd, int timeout_ms, struct l_qmp **out);
void l_qmp_close(struct l_qmp *q);
int l_qmp_fd(const struct l_qmp *q);
/* Execute a command; *ret gets the "return" value (new reference, may be
 * NULL). 0, -EIO (QMP error: err filled), -ETIMEDOUT, -EPIPE (QEMU gone). */
int l_qmp_exec(struct l_qmp *q, const char *cmd, json_object *args, json_object **ret,
	       int timeout_ms, char *err, size_t errn);
/* Read whatever QEMU sent (events) without blocking: 0, -EPIPE at EOF. */
int l_qmp_pump(struct l_qmp *q);
/* 1 once a SHUTDOWN event arrived. */
int l_qmp_shutdown_seen(const struct l_qmp *q);

#endif
