/* SPDX-License-Identifier: MIT */
#ifndef KP_CHANGE_H
#define KP_CHANGE_H

#include <stddef.h>

#include "journal.h"

/*
 * The frame of a change, the same in every tool that changes the host
 * (lib/journal.h, "How to use the journal from a new tool"):
 *
 *   if ((r = kp_change_lock(o->wait_ms, &lock, NULL, msg, sizeof(msg))))
 *           → print msg, exit r                    (before the scan)
 *   print msg when not empty (a killed run was rolled back)
 *   … scan, safety checks …
 *   if ((r = kp_change_begin(TOOL, "create", msg, sizeof(msg)))) → print, exit r
 *   … kp_journal_add_*() before each step, kp_journal_done() after …
 *   on failure:  r = kp_change_undo(KP_EXIT_FAIL, msg, …) → print, exit r
 *   at the end:  if ((r = kp_change_end(msg, …))) → print, exit r
 *   … print the result, release the lock
 *
 * lib/ never prints: each function puts what is to be said on stderr in
 * msg, one line per message without the "PROG: " prefix, separated by
 * '\n' ("" when there is nothing to say; print each line with
 * kp_err(NULL, "%s", line)), and returns the tool's exit status (0: go
 * on). Messages name kp_program() (lib/err.h) where they tell what to run.
 */

#define KP_CHANGE_MSGLEN 1024

/* The lock, waiting at most wait_ms (--wait), then the recovery of what a
 * killed run left. 0 with *lock held (msg: the recovery notice, or ""),
 * *recovered (may be NULL) filled when something was rolled back (its
 * tool[0] is '\0' otherwise); or KP_EXIT_FAIL with msg the error (*lock
 * -1): held past the wait (naming the holder's pid), a symlinked or
 * foreign /run/kvmprep, a corrupt journal (nothing undone), a step of it
 * that could not be undone. */
int kp_change_lock(int wait_ms, int *lock, struct kp_journal_info *recovered, char *msg,
		   size_t n);

/* kp_journal_begin(tool, command): 0, or KP_EXIT_FAIL with msg. */
int kp_change_begin(const char *tool, const char *command, char *msg, size_t n);

/* Roll the call back (kp_journal_rollback). Returns fail_rc, or
 * KP_EXIT_SIGNAL + N when signal N came; msg: the step that could not be
 * undone, and "interrupted by SIGTERM: every change rolled back". */
int kp_change_undo(int fail_rc, char *msg, size_t n);

/* Commit (kp_journal_commit): 0; a signal came or the record could not be
 * removed: rolled back, the exit status of kp_change_undo, msg. */
int kp_change_end(char *msg, size_t n);

/* For a dry run (no lock taken): a warning in msg when a killed run's
 * journal waits for recovery or is corrupt, else "". */
void kp_change_dry_run_note(char *msg, size_t n);

#endif
