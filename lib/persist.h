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
 * NULL) says whether the file was written. 0 or -errno. */
int kp_persist_write(const char *abs, const char *data, size_t len, mode_t mode,
		     int *changed);

/* Remove ABS (prefixed); a missing file is success with *changed 0. */
int kp_persist_remove(const char *abs, int *changed);

/*
 * The persisted vfio bindings: /etc/kvmprep/vfio.conf, one line per device
 *
 *   # comment
 *   0000:01:00.0 10de:1eb8 vfio-pci
 *
 * (address, vendor:device so that a device that moved slot is noticed,
 * driver), and the udev rule generated from it,
 * /etc/udev/rules.d/60-kvmprep-vfio.rules, which sets driver_override when
 * the device is added at boot.
 */
#define KP_VFIO_CONF "/etc/kvmprep/vfio.conf"
#define KP_VFIO_RULES "/etc/udev/rules.d/60-kvmprep-vfio.rules"

struct kp_persist_entry {
	char bdf[13];
	unsigned vendor, device;
	char driver[32];
};

/* Parse the text of vfio.conf. 0 or -errno (-EINVAL with *line set to the
 * first bad line). Caller frees *out. */
int kp_persist_parse(const char *text, struct kp_persist_entry **out, size_t *n,
		     int *line);
/* Read vfio.conf (missing: no entries). 0 or -errno. */
int kp_persist_load(struct kp_persist_entry **out, size_t *n, int *line);
/* The conf text and the udev rules text for a set of entries (malloc'ed). */
char *kp_persist_conf_text(const struct kp_persist_entry *e, size_t n);
char *kp_persist_rules_text(const struct kp_persist_entry *e, size_t n);
/* Write both files (or remove both when n is 0). 0 or -errno. */
int kp_persist_save(const struct kp_persist_entry *e, size_t n, int *changed);

#endif
