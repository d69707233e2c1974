/* SPDX-License-Identifier: MIT */
#ifndef KP_TARGET_H
#define KP_TARGET_H

#include <stddef.h>

/*
 * Offline use and the target system (--offline, --root DIR on every
 * --persist; kickstart's %post --nochroot with DIR /mnt/sysimage).
 *
 * --offline: only the boot-time configuration is written; nothing live
 * changes. Once set, lib/ refuses every live change with -EROFS as a last
 * guard (a sysfs write, a module load): a tool skips its live steps
 * itself, and a step it forgot fails instead of changing the host.
 *
 * --root DIR (implies --offline): the configuration is another system's,
 * mounted at DIR. kp_path() (lib/root.h) then sends the paths of a
 * system's installed configuration and software (/etc, /usr, /lib,
 * /boot, /var, /opt, …) to DIR, and keeps the running host's live state
 * (/proc, /sys, /dev, /run, /tmp) where it is, so the devices, links and
 * kernel are the running host's (the same hardware, in an installer) and
 * every file read or written for persistence is the target's. Nothing of
 * DIR's configuration is executed here: with a target no module is
 * loaded (so no modprobe.d install command runs), and tools run no
 * callouts or hooks. DIR is a real path (not under KVMPREP_ROOT), made
 * absolute and canonical by kp_target_set; kp_persist_write refuses a
 * file whose directory resolves outside DIR (an absolute symlink in the
 * target pointing into the running host).
 */

/* Set offline mode and, when dir is not NULL, the target. 0, or -errno:
 * -ENOENT / -ENOTDIR when DIR is no directory, -EINVAL when it is "/"
 * (the running system: use --offline alone). */
int kp_target_set(const char *dir, int offline);

/* The target directory, canonical ("" when none). Never NULL. */
const char *kp_target(void);

/* 1 when --offline or --root was given. */
int kp_offline(void);

/* 1 when abs (absolute) is a system-configuration path that kp_path sends
 * to the target: anything but /proc, /sys, /dev, /run, /tmp, /var/run,
 * /var/tmp and /var/lock. */
int kp_target_path(const char *abs);

/* Replace the target (and offline mode) for a while: the journal undoes a
 * file step in the target it was written in, and undoes live steps of an
 * earlier run with the guard off. Returns a token for kp_target_restore. */
struct kp_target_saved {
	char dir[4096];
	int offline;
};
void kp_target_swap(const char *dir, int offline, struct kp_target_saved *saved);
void kp_target_restore(const struct kp_target_saved *saved);


/* The options --offline and --root DIR of a tool: kp_target_set, with an
 * exit status: 0, or KP_EXIT_USAGE with msg one line "DIR: cannot use as
 * the target system: reason" (print with kp_err(NULL, "%s", msg)). */
int kp_target_setup(const char *root, int offline, char *msg, size_t n);

#endif
