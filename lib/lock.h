/* SPDX-License-Identifier: MIT */
#ifndef KP_LOCK_H
#define KP_LOCK_H

#include <sys/types.h>

/*
 * Concurrent runs that change the host serialize on one lock file,
 * /run/kvmprep/lock (root prefix applied), an flock(2) lock: an admin's
 * script can take the same lock with flock(1).
 *
 * Take it BEFORE the scan whose facts the safety checks use, hold it until
 * the last write, then recover a killed run's journal (lib/journal.h).
 *
 * The directory /run/kvmprep is made 0700 and the file 0600, both owned by
 * the caller (a directory or file left more open by an older version is
 * tightened): no other user can open the lock, so no other user can hold
 * it and freeze root's tools. A symbolic link at /run/kvmprep or at the
 * lock file is refused (-ELOOP), so is a directory owned by another user
 * or writable by others (-EPERM), a lock path that is not a regular file
 * (-EINVAL). The holder writes its pid into the file.
 */

#define KP_LOCK_DIR "/run/kvmprep"
#define KP_LOCK_FILE KP_LOCK_DIR "/lock"
#define KP_LOCK_WAIT_DEFAULT_MS 5000 /* what --wait defaults to */

/*
 * Take the lock, waiting at most wait_ms (0: one try; < 0: no bound). The
 * fd (>= 0), or -errno: -ETIMEDOUT when another process holds it past the
 * wait, with *holder (may be NULL) its pid when it can be found (the pid a
 * kvmprep holder wrote, checked against the kernel's /proc/locks, else the
 * one /proc/locks names), 0 when not.
 */
int kp_lock_take_wait(int wait_ms, pid_t *holder);

/* kp_lock_take_wait(KP_LOCK_WAIT_DEFAULT_MS, NULL). */
int kp_lock_take(void);

/* 1 while this process holds the lock. */
int kp_lock_held(void);

/* An O_DIRECTORY fd of /run/kvmprep while the lock is held (the journal
 * lives there), else -1. Not to be closed by the caller. */
int kp_lock_dirfd(void);

void kp_lock_release(int fd);

#endif
