/* SPDX-License-Identifier: MIT */
#ifndef KP_PERSIST_H
#define KP_PERSIST_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Persistent state: what must survive a reboot, under /etc (root prefix
 * applied). Every file is written atomically: a temporary file in the same
 * directory, fsync, rename over the old one, fsync of the directory. A
 * reader (or a crash) sees the old content or the new, never half.
 */

/* Write data to ABS atomically with the given mode, creating missing parent
 * directories (0755). Unchanged content is not rewritten: *changed (may be
 * NULL) says whether the file was written. 0 or -errno. With a target
 * (--root DIR, lib/target.h) the file is DIR's, and -EXDEV when its
 * directory resolves outside DIR. */
int kp_persist_write(const char *abs, const char *data, size_t len, mode_t mode,
		     int *changed);

/* Remove ABS (prefixed); a missing file is success with *changed 0. */
int kp_persist_remove(const char *abs, int *changed);

/*
 * The persisted vfio bindings: /etc/kvmprep/vfio.conf, one line per device
 *
 *   # comment
 *   0000:01:00.0 10de:1eb8 vfio-pci subsys=10de:12a2 dsn=00-11-22-33-44-55-66-77 host=nouveau
 *
 * (address, vendor:device so that a device that moved slot is noticed,
 * driver; then optional fields, in any order: the subsystem ids and the
 * PCIe Device Serial Number that tell one card of a model from another,
 * and the host driver the device was taken from, for the modprobe.d
 * configuration that keeps that driver off it at boot), and the udev rule
 * generated from it,
 * /etc/udev/rules.d/60-kvmprep-vfio.rules, which sets driver_override when
 * the device is added at boot.
 */
#define KP_VFIO_CONF "/etc/kvmprep/vfio.conf"
#define KP_VFIO_RULES "/etc/udev/rules.d/60-kvmprep-vfio.rules"

struct kp_persist_entry {
	char bdf[13];
	unsigned vendor, device;
	char driver[32];
	/* optional (0 / "": not recorded) */
	int has_subsys;
	unsigned subvendor, subdevice;
	char dsn[24];          /* lib/devid.h's form */
	char host[32];         /* the host driver it was taken from */
};

/* vfio.conf is at most this big (a line per device: ~40 bytes). */
#define KP_VFIO_CONF_MAX (256 * 1024)

struct kp_rfile;
/* Parse vfio.conf from a file read by the hardened reader (lib/rfile.h):
 * every field is validated as the option it stands for (the address as a
 * DEVICE argument, kp_bdf_parse; the id as --id, kp_pciid_parse; the
 * driver as --driver, kp_driver_check), a device listed twice is refused.
 * 0, or -EINVAL with f->err "FILE:LINE: message" (nothing returned), or
 * -ENOMEM. Caller frees *out. */
int kp_persist_parse(struct kp_rfile *f, struct kp_persist_entry **out, size_t *n);
/* Read vfio.conf with the hardened reader (missing: no entries). 0, or
 * -errno with err (KP_RFILE_ERRLEN bytes) set to one line: -EINVAL means
 * the file is refused whole (exit 2), anything else that it could not be
 * read (exit 1). A caller that could not load it never rewrites it. */
int kp_persist_load(struct kp_persist_entry **out, size_t *n, char *err);
/* An entry is one that kp_persist_parse would accept. 0 or -EINVAL. */
int kp_persist_entry_check(const struct kp_persist_entry *e);
/* The conf text and the udev rules text for a set of entries (malloc'ed).
 * NULL with errno EINVAL when an entry does not pass
 * kp_persist_entry_check: nothing unchecked reaches a generated file, and
 * every value in the rule is written escaped for udev. */
char *kp_persist_conf_text(const struct kp_persist_entry *e, size_t n);
char *kp_persist_rules_text(const struct kp_persist_entry *e, size_t n);
/* Write both files (or remove both when n is 0). 0 or -errno (-EINVAL: an
 * entry is invalid, nothing written). */
int kp_persist_save(const struct kp_persist_entry *e, size_t n, int *changed);
/* The same; on failure *failed (may be NULL) is the file that could not
 * be written or removed (KP_VFIO_CONF or KP_VFIO_RULES). */
int kp_persist_save_ex(const struct kp_persist_entry *e, size_t n, int *changed,
		       const char **failed);

#endif
