/* SPDX-License-Identifier: MIT */
/*
 * The fake host's kernel model: an LD_PRELOAD library layered over
 * umockdev's preload. See tests/README.md, "The kernel model".
 *
 * Everything here runs with the model lock held and fh_busy set, so the
 * libc calls it makes pass straight through our own wrappers.
 */
#ifndef FH_H
#define FH_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

/* paths are built into FH_PATH buffers; a truncated one simply does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define FH_PATH 4096

/* The tree ($UMOCKDEV_DIR, canonical) and its length; "" when inactive. */
extern char fh_tree[FH_PATH];
extern size_t fh_treelen;
/* Set while this thread runs model code: wrappers pass everything through. */
extern __thread int fh_busy;

/* 1 when the model is on (UMOCKDEV_DIR set) and this thread is not inside it. */
int fh_active(void);
/* Take / release the model lock (process mutex + flock on TREE/fakehost/lock). */
void fh_lock(void);
void fh_unlock(void);
/* Count the CPU time between them as the model's (nests; fh_lock does). */
void fh_time_enter(void);
void fh_time_leave(void);
/* Append this process's "model_cpu_ns N pid P" to TREE/fakehost/modeltime
 * (at exit and _exit; once). */
void fh_model_time_flush(void);

/* The next definition of a libc symbol (umockdev's, or libc's). */
void *fh_next(const char *sym);
/* Raw readlink of /proc/self/fd/N. 0 or -errno. */
int fh_fd_path(int fd, char *buf, size_t n);

/* ---- tree file helpers (absolute paths) ------------------------------ */
/* TREE + printf(fmt) into buf (FH_PATH). Returns buf. */
char *fh_p(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Read a file, trailing newlines stripped. Length or -errno. */
int fh_read(const char *path, char *buf, size_t n);
/* Whole file into malloc'ed buffer (NUL-terminated). NULL on error. */
char *fh_slurp(const char *path, size_t *len);
/* Create/truncate and write val. 0 or -errno. */
int fh_write(const char *path, const char *val);
int fh_writef(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fh_mkdirs(const char *path);
/* Relative symlink at link pointing to target (both absolute, in the tree). */
int fh_symlink(const char *target, const char *link);
int fh_rmrf(const char *path);
int fh_exists(const char *path);
int fh_isdir(const char *path);
/* basename of a symlink's target, or -errno */
int fh_link_name(const char *link, char *buf, size_t n);
/* Sorted directory entries (no . ..), malloc'ed array of malloc'ed names. */
int fh_list(const char *dir, char ***names);
void fh_list_free(char **names, int n);
/* The value of lines "KEY VALUE" in a meta file, several joined with ','.
 * 0 or -ENOENT. */
int fh_meta(const char *path, const char *key, char *val, size_t n);
/* Errno name <-> number */
int fh_errno_parse(const char *name);
const char *fh_errno_name(int e);

/* Append one line to TREE/fakehost/log. */
void fh_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- uevents ------------------------------------------------------ */
/* Send ACTION for the device at sysdir (absolute tree path of its /sys dir,
 * which may already be gone for "remove"). subsystem required; extra is a
 * list of "KEY=VALUE" strings terminated by NULL (may be NULL). */
void fh_uevent(const char *action, const char *sysdir, const char *subsystem,
	       const char *const *extra);

/* ---- faults --------------------------------------------------------- */
/* A write of the /sys path spath (tree-relative, starting /sys/; canonical
 * and as opened). Returns 0, or the errno a fault spec injects (logged). */
/* *delay_ms (may be NULL) gets the total of the matching "delay:MS" specs:
 * the caller sleeps that long (without the model lock) before the effect. */
int fh_fault_write(const char *canon, const char *opened, int *delay_ms);
/* refuse-bind: 1 when BDF must refuse driver D (logged). */
int fh_fault_refuse(const char *bdf, const char *drv);
/* vf-fail=PF@K:ERRNO: ERRNO and *at = K when enabling PF's VFs fails at
 * VF K (logged; the first enable of the run only), else 0. */
int fh_fault_vf_fail(const char *pf, int *at);
/* no-vfio-node=N: 1 when group N's /dev/vfio/N must not appear (logged). */
int fh_fault_no_vfio_node(const char *group);
/* A fault line that is exactly spec (e.g. "mdev-unregister=0000:01:00.0"):
 * 1 when present (logged). */
int fh_fault_named(const char *spec);

/* ---- the PCI model (pci.c) ----------------------------------------- */
/* Handle a write to a canonical tree path. Returns 1 handled (*err = 0 or
 * errno), 0 not a modelled attribute. */
int fh_pci_write(const char *path, const char *buf, size_t len, int *err);
int fh_pci_attach_driver(const char *drv);	/* driver_attach(): probe unbound */
int fh_pci_detach_driver(const char *drv);	/* unbind every device of drv */
/* device helpers */
int fh_dev_dir(const char *bdf, char *dir);	/* 0 or -ENODEV */
int fh_dev_driver(const char *dir, char *drv, size_t n);
/* iommu groups */
int fh_group_new(void);				/* the next free group number */

/* ---- sriov.c ------------------------------------------------------- */
int fh_sriov_numvfs(const char *pfdir, const char *buf, size_t len);	/* 0 or -errno */
int fh_sriov_disable(const char *pfdir);
int fh_vf_netdev(const char *vfdir, const char *drv);	/* on bind */

/* ---- vfnl.c: VF netlink settings of PFs -------------------------------- */
void fh_vfcfg_create(const char *pf, int i);	/* VF i created: defaults */
void fh_vfcfg_remove(const char *pf, int i);
void fh_vfcfg_bound(const char *vfdir);		/* after a bind: the netdev's MAC */
void fh_vfcfg_unbinding(const char *vfdir);	/* before an unbind */

/* ---- mdev.c -------------------------------------------------------- */
int fh_mdev_write(const char *path, const char *buf, size_t len, int *err);
void fh_vgpu_vf_add(const char *pfdir, const char *vfdir);
void fh_vgpu_vf_del(const char *bdf);

/* ---- vfio nodes (pci.c) -------------------------------------------- */
int fh_vfio_group_add(const char *group);
int fh_vfio_group_remove(const char *group);
int fh_vfio_container(void);	/* dev/vfio/vfio */

/* ---- module.c ------------------------------------------------------ */
long fh_module_load(const char *name, const char *params);	/* 0 or -errno */
long fh_module_unload(const char *name, unsigned flags);
/* name of the module in a .ko image (".modinfo" name=) or NULL */
int fh_module_name_from_image(const void *img, size_t len, char *name, size_t n);
void fh_module_name_norm(char *name);

/* ---- kvm.c --------------------------------------------------------- */
/* open("/dev/kvm"): the fd is tracked; 0 or -errno for the state. */
int fh_kvm_state(char *buf, size_t n);
void fh_kvm_track_sys(int fd);
/* 1 handled (*ret set, errno set on -1), 0 not a KVM fd */
int fh_kvm_ioctl(int fd, unsigned long req, void *arg, int *ret);
void fh_kvm_close(int fd);

#endif
