/* SPDX-License-Identifier: MIT */
#ifndef KP_LOCK_H
#define KP_LOCK_H

/* Concurrent runs that change the host serialize on one lock file,
 * /run/kvmprep/lock (root prefix applied; the directory is created). */

/* Take the lock, waiting for it. The fd (>= 0), or -errno. */
int kp_lock_take(void);
void kp_lock_release(int fd);

#endif
