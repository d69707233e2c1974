/* SPDX-License-Identifier: MIT */
#ifndef KP_MDEV_H
#define KP_MDEV_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Mediated devices (drivers/vfio/mdev/) and NVIDIA's vendor-specific vGPU.
 *
 * The kernel lists every registered parent in /sys/class/mdev_bus/PARENT
 * (a link to the parent device); its types are
 * PARENT/mdev_supported_types/TYPE/{name,description,device_api,
 * available_instances,create,devices/}. Writing a UUID to create makes
 * PARENT/UUID (also /sys/bus/mdev/devices/UUID) with mdev_type, remove,
 * iommu_group; /dev/vfio/GROUP follows through udev. Errors are the
 * kernel's: EEXIST (UUID in use), EUSERS (the mdev core: none left),
 * ENOSPC (drivers counting their own instances: none left), EINVAL.
 *
 * Persistent definitions are mdevctl's: /etc/mdevctl.d/PARENT/UUID, the
 * JSON object {"mdev_type", "start": "auto"|"manual", "attrs": [{K: V}…]}
 * printed the way mdevctl prints it (two-space indent, no final newline),
 * so either tool reads what the other wrote. scripts.d is not a parent.
 *
 * NVIDIA vGPU 17+ on Ada/Hopper (the "vendor-specific VFIO framework" of
 * NVIDIA's Virtual GPU Software User Guide): every SR-IOV VF of the GPU
 * has nvidia/creatable_vgpu_types ("ID : name" lines after a header) and
 * nvidia/current_vgpu_type (0 or the type id): writing an id makes the VF
 * that vGPU, 0 takes it back. Persistent in /etc/kvmprep/vgpu.conf.
 *
 * /sys paths are plain; /etc and /proc go through the root prefix.
 */

#define KP_MDEV_CLASS "/sys/class/mdev_bus"
#define KP_MDEV_BUS "/sys/bus/mdev/devices"
#define KP_MDEVCTL_DIR "/etc/mdevctl.d"
#define KP_VGPU_CONF "/etc/kvmprep/vgpu.conf"

#define KP_MDEV_NAME 128

struct kp_mdev_type {
	char parent[KP_MDEV_NAME];
	char id[KP_MDEV_NAME];       /* the directory name: nvidia-222, i915-GVTg_V5_4, or a vGPU id */
	char name[KP_MDEV_NAME];     /* "" when the type has none */
	char api[32];                /* device_api: vfio-pci, vfio-ap, vfio-ccw */
	char description[512];       /* newlines turned into ", " */
	long available;              /* available_instances */
	int vendor;                  /* 1: an NVIDIA vendor-specific VF's creatable type */
};

struct kp_mdev_dev {
	char uuid[37];               /* the mdev's UUID; a VF's address for a vendor vGPU */
	char parent[KP_MDEV_NAME];
	char type[KP_MDEV_NAME];
	int group;                   /* IOMMU group, -1 when none */
	int vendor;                  /* 1: an NVIDIA vendor-specific vGPU (a VF) */
};

/* Parents (sorted): /sys/class/mdev_bus. A missing class is no parent. Caller
 * frees with kp_mdev_names_free. 0 or -errno. */
int kp_mdev_parents(char ***names, size_t *n);
void kp_mdev_names_free(char **names, size_t n);
/* 1 when PARENT is registered (its mdev_supported_types exists). */
int kp_mdev_parent_exists(const char *parent);
/* The parent's types, sorted by id. 0 or -errno (-ENODEV: no such parent). */
int kp_mdev_types(const char *parent, struct kp_mdev_type **out, size_t *n);
/* One type. 0, -ENODEV (no parent) or -ENOENT (no such type). */
int kp_mdev_type_get(const char *parent, const char *type, struct kp_mdev_type *t);

/* Active mdevs (/sys/bus/mdev/devices), sorted by parent then UUID. */
int kp_mdev_active(struct kp_mdev_dev **out, size_t *n);
/* One active mdev. 0 or -ENOENT. */
int kp_mdev_get(const char *uuid, struct kp_mdev_dev *d);

/* A random (version 4) UUID, lowercase. 0 or -errno. */
int kp_uuid_generate(char out[37]);
/* Lowercase copy of a checked UUID. */
void kp_uuid_lower(const char *in, char out[37]);

/*
 * Create: write uuid to the type's create, then wait (libudev, bounded by
 * timeout_ms) for /sys/bus/mdev/devices/UUID and its /dev/vfio/GROUP.
 * 0, or -errno: the kernel's from the create write, -ETIMEDOUT, -ENODEV
 * when the parent went away meanwhile, -EINTR on a signal (lib/journal.h).
 * *written (may be NULL) is 1 once the kernel took the create (the device
 * was made by this call), 0 when it refused it (nothing of this call's
 * exists: a device of that UUID is someone else's). On a failed wait the
 * device is removed again (*left, may be NULL, is 1 if even that failed).
 */
int kp_mdev_create(const char *parent, const char *type, const char *uuid, int timeout_ms,
		   int *written, int *left);
/* Remove an active mdev (its remove attribute). 0 or -errno. */
int kp_mdev_remove(const char *uuid);
/* Write one vendor attribute of an active mdev. 0, -ENOENT (no such
 * attribute) or the kernel's -errno. */
int kp_mdev_write_attr(const char *uuid, const char *key, const char *value);

/*
 * Who holds the device's vfio node open: /dev/vfio/GROUP or its vfio cdev
 * (/dev/vfio/devices/vfioN), by scanning /proc/PID/fd (prefixed). 1 with
 * the first holder's pid and comm, 0 when free, -errno.
 */
int kp_mdev_holder(const struct kp_mdev_dev *d, pid_t *pid, char *comm, size_t n);

/* ---- definitions (mdevctl's files) ---------------------------------- */

struct kp_mdev_attr {
	char *key, *value;
};

struct kp_mdev_def {
	char uuid[37];
	char parent[KP_MDEV_NAME];
	char type[KP_MDEV_NAME];
	int autostart;
	struct kp_mdev_attr *attrs;
	size_t nattrs;
};

void kp_mdev_def_clear(struct kp_mdev_def *d);
/* Append an attribute at index (>= nattrs: at the end). 0 or -errno. */
int kp_mdev_def_add_attr(struct kp_mdev_def *d, const char *key, const char *value,
			 size_t index);
/* Delete the attribute at index (>= nattrs: the last). 0 or -ENOENT. */
int kp_mdev_def_del_attr(struct kp_mdev_def *d, size_t index);

/* Parse a definition file's JSON (mdevctl's rules: mdev_type and start
 * required, attrs an array of one-key objects with string values). 0, or
 * -EINVAL with a reason in why. parent and uuid are the caller's. */
int kp_mdev_def_parse(const char *text, struct kp_mdev_def *d, char *why, size_t n);
/* The file's bytes, exactly as mdevctl writes them (malloc'ed). */
char *kp_mdev_def_text(const struct kp_mdev_def *d);
/* /etc/mdevctl.d/PARENT/UUID (unprefixed) into buf. */
void kp_mdev_def_path(const struct kp_mdev_def *d, char *buf, size_t n);

/* A definition file that could not be read: path and reason, for the
 * caller to report (the others are still loaded). */
typedef void (*kp_mdev_bad_fn)(const char *path, const char *why, void *ctx);

/* Every definition (parent NULL: all parents; uuid NULL: all), sorted by
 * parent then UUID. A missing /etc/mdevctl.d is none. Bad files go to bad
 * (may be NULL) and are skipped. 0 or -errno. Free with kp_mdev_defs_free. */
int kp_mdev_defs_load(const char *parent, const char *uuid, struct kp_mdev_def **out,
		      size_t *n, kp_mdev_bad_fn bad, void *ctx);
void kp_mdev_defs_free(struct kp_mdev_def *v, size_t n);
/* Write the definition atomically (kp_persist_write). 0 or -errno. */
int kp_mdev_def_save(const struct kp_mdev_def *d, int *changed);
/* Remove it (and the parent directory when it is left empty). */
int kp_mdev_def_remove(const struct kp_mdev_def *d, int *changed);

/* ---- NVIDIA vendor-specific vGPU ----------------------------------- */

/* 1 when the PCI function bdf has nvidia/current_vgpu_type. */
int kp_vgpu_capable(const char *bdf);
/* Every such function (sorted). */
int kp_vgpu_vfs(char ***names, size_t *n);
/* The VF's current type id (0: none). 0 or -errno. */
int kp_vgpu_current(const char *bdf, long *id);
/* The VF's creatable types now (vendor = 1, available 1 each). */
int kp_vgpu_types(const char *bdf, struct kp_mdev_type **out, size_t *n);
/* Set current_vgpu_type (0 clears). 0 or -errno. */
int kp_vgpu_set(const char *bdf, long id);

struct kp_vgpu_entry {
	char bdf[13];
	long type;
};
/* /etc/kvmprep/vgpu.conf: "BDF TYPEID" lines, # comments, read through
 * the hardened reader (lib/rfile.h). 0 or -errno; -EINVAL: the file is bad
 * (err gets "FILE:LINE: message"). Missing: none. */
int kp_vgpu_conf_load(struct kp_vgpu_entry **out, size_t *n, char *err, size_t errlen);
int kp_vgpu_conf_save(const struct kp_vgpu_entry *e, size_t n, int *changed);

#endif
