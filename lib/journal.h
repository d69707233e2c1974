/* SPDX-License-Identifier: MIT */
#ifndef KP_JOURNAL_H
#define KP_JOURNAL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The change journal: what a call is about to change on the host and how to
 * undo it, on disk before the change is made, so that a call that is killed
 * (SIGKILL, a crash, power loss within the boot) is rolled back by the next
 * kvmprep command, and a call that is stopped (SIGTERM from systemd, SIGINT
 * from Ctrl-C, SIGHUP) rolls itself back before it exits.
 *
 * The record: /run/kvmprep/journal (root prefix applied), one per call (the
 * lock, lib/lock.h, makes one call at a time), JSON lines (json-c): a
 * header, then one line per step and per amendment of a step, appended:
 *
 *   {"schema":2,"tool":"kvmprep-iommu","command":"bind","pid":4242,
 *    "boot_id":"…","started":1764579600}
 *   {"step":1,"kind":"pci-driver","bdf":"0000:01:00.0","driver":"nouveau",
 *    "driver_override":""}
 *   {"step":1,"done":true}
 *   {"step":2,"kind":"link","name":"kpbr0","ifindex":"0"}
 *   {"step":2,"set":{"ifindex":"7"}}
 *
 * The header is written atomically (a temporary file in /run/kvmprep,
 * fsync, rename, fsync of the directory, as lib/persist.c does); each later
 * line is one append (O_APPEND) to that file, so a step costs the same
 * whatever came before it (N steps: O(N) bytes and syscalls, never a
 * rewrite of the record). A step is recorded, with what it needs for its
 * undo (the state before it), and fdatasync'ed BEFORE the first write it
 * makes; it is marked done after it (a done mark is information for the
 * recovery message, the undo does not depend on it, so it is appended
 * without a sync). The record is removed when the call ends cleanly
 * (kp_journal_commit) or after the call rolled back (kp_journal_rollback).
 *
 * A line counts once its newline is written. A last line without one is an
 * append a killed call did not finish: its change was never started (the
 * call makes it only after the append returned), so recovery drops that
 * line. Any other defect makes the record corrupt and nothing is undone: a
 * complete line that is not JSON, a step number out of order, an amendment
 * of an unknown step, an unknown key. An append that fails is cut back off
 * the file (when that fails too, the journal takes no more steps: -EIO),
 * so a torn line is only ever the last. Schema 1 (one JSON document with a
 * "steps" array, rewritten whole at each step, as kvmprep wrote it before)
 * is still read and recovered.
 *
 * An undo restores the recorded state ("device back on nouveau with no
 * override", "sriov_numvfs back to 0"), it does not replay an inverse: it
 * is the same whether the step was done, half done or not started, and
 * running it twice changes nothing the second time. Recovery therefore
 * undoes every recorded step, done or not, newest first.
 *
 * The undo of every kind of step lives in lib/ (lib/journal_*.c), so any
 * tool recovers any other tool's journal. Kinds (KP_JK_*):
 *
 *   pci-driver   a PCI device's driver and driver_override (the bind engine
 *                records one per device it moves): undo puts the device
 *                back on the driver with the override it had, verified
 *   sysfs-attr   a sysfs attribute's previous value (sriov_numvfs,
 *                sriov_drivers_autoprobe, current_vgpu_type, …): undo
 *                writes it back when it differs; with "reset" set, a write
 *                refused with EBUSY is retried after writing that first
 *                (sriov_numvfs: 0, as the kernel wants)
 *   mdev         a mediated device created (its UUID): undo writes 1 to
 *                /sys/bus/mdev/devices/UUID/remove when it exists
 *   link         a network link created (name, ifindex once known, "netns"
 *                the namespace's inode): undo deletes it over netlink
 *                (libnl-route-3) when a link of that name (and index)
 *                exists; refused (-EIO) in another network namespace
 *   file         a host file written (under /etc…, root prefix applied):
 *                undo puts back its previous content and mode, or removes
 *                it when it did not exist (atomically, kp_persist_write)
 *   link-snapshot  what a NIC had before it was moved into a bridge
 *                (lib/netsnap.h: "link", "snapshot" its JSON, "netns" the
 *                namespace's inode): undo gives it all back (addresses,
 *                routes, MTU, MAC, master, per-link settings) in the
 *                caller's namespace, refused (-EIO) in another one
 *   vf-settings  the netlink settings of a PF's VFs ("pf" its address,
 *                "ifname" its interface then, "settings" lib/vfnl.h's
 *                snapshot JSON), taken before a change that recreates the
 *                VFs (which loses them): undo sends, per VF that exists
 *                and per setting that differs, the recorded value through
 *                the PF's interface of now (lib/journal_vfnl.c); nothing
 *                when the PF, its driver or its VFs are gone
 *
 * A record from another boot (boot_id differs): what a reboot resets (the
 * kinds above but "file") is dropped, the files are restored.
 *
 * Signals: between kp_journal_begin() and the end of the call, SIGTERM,
 * SIGINT and SIGHUP only set a flag (kp_journal_signal()). The next
 * kp_journal_add() then fails with -EINTR (nothing more is changed), the
 * bind engine and any waiting loop stop, kp_journal_commit() refuses with
 * -EINTR, and the tool rolls back (kp_journal_rollback) and exits with
 * KP_EXIT_SIGNAL + signo (lib/exitcodes.h: 130 for SIGINT, 143 for
 * SIGTERM, 129 for SIGHUP, as a shell reports a process killed by it).
 * A write already in the kernel when the signal comes completes first: the
 * undo takes it back.
 *
 * The functions work on one journal per process (a call is one process;
 * the lock is one per host). They return 0 or -errno and never print.
 *
 * How to use the journal from a new tool
 * --------------------------------------
 *  1. Take the lock first, before the scan whose facts the safety checks
 *     use: lock = kp_lock_take_wait(o->wait_ms, &holder) (lib/lock.h;
 *     -ETIMEDOUT: exit 1 naming holder when > 0). Then recover what a
 *     killed run left: r = kp_journal_recover(&info); r > 0: say so on
 *     stderr (kp_journal_describe(&info, …)); r < 0: exit 1 with one line
 *     (the record is kept; nothing was done blindly). Then scan and check.
 *     (tools/iommu/bindcmd.c take_lock() does all of it in 30 lines.)
 *  2. kp_journal_begin(TOOL, "create") before the first write (not in
 *     --dry-run). The bind engine (lib/bind.c) records its own steps into
 *     the journal that is active.
 *  3. Before each change: kp_journal_add_*(…, &step) with the state it
 *     will undo to; a non-zero return (-EINTR: a signal; else the record
 *     could not be written) means: do not make the change, roll back.
 *     After the change, verified: kp_journal_done(step).
 *  4. Clean end: kp_journal_commit() (before printing the result). On any
 *     failure, or -EINTR from commit: kp_journal_rollback(stuck, n) (0: all
 *     back; -EIO: stuck names a step that could not be undone, the record
 *     is kept for `TOOL recover`), and when kp_journal_signal() is set,
 *     exit KP_EXIT_SIGNAL + kp_journal_signal().
 *  5. A `recover` command: steps 1 only, nothing else.
 *  lib/change.h wraps steps 1, 2 and 4 with their messages and exit
 *  statuses (kp_change_lock/begin/undo/end); tools/iommu/change.c shows
 *  how a tool prints them.
 *
 * Adding a kind: one row in lib/journal_kinds.c (name, undo function,
 * whether it survives a reboot, its required keys) and its undo in its own
 * lib/journal_KIND.c; a typed kp_journal_add_KIND() below for callers.
 */

#define KP_JOURNAL_FILE "/run/kvmprep/journal"

/* Start the call's journal (writes the empty record). The caller must hold
 * the lock (-ENOLCK otherwise); -EBUSY when a journal is active already.
 * Installs the SIGTERM/SIGINT/SIGHUP handlers. */
int kp_journal_begin(const char *tool, const char *command);

/* 1 while a journal is active in this process. */
int kp_journal_active(void);

/*
 * Record a step before doing it. kv: "key", "value", … NULL (strings; the
 * kind says which keys it needs). *step (may be NULL) gets its index for
 * kp_journal_done/update. Without an active journal: 0, nothing recorded
 * (a library function may call it unconditionally). -EINTR when a signal
 * came (nothing recorded: do not make the change), -EINVAL for an unknown
 * kind or a missing key, else the error writing the record.
 */
int kp_journal_add(const char *kind, const char *const *kv, int *step);

/* Several steps in one append and one sync (all or none recorded): the
 * undo of each is durable before the first of them is made. *first (may
 * be NULL) gets the index of v[0], the others follow. Errors as
 * kp_journal_add. */
struct kp_journal_step {
	const char *kind;
	const char *const *kv;
};
int kp_journal_add_batch(const struct kp_journal_step *v, size_t n, int *first);

/* Typed forms of kp_journal_add (the value before the change: "" none). */
int kp_journal_add_pci_driver(const char *bdf, const char *driver, const char *override,
			      int *step);
/* reset: NULL, or the value to write first when restoring is refused with
 * EBUSY ("0" for sriov_numvfs). */
int kp_journal_add_sysfs_attr(const char *path, const char *value, const char *reset,
			      int *step);
/* Reads the attribute's current value itself (trailing newline stripped). */
int kp_journal_save_sysfs_attr(const char *path, const char *reset, int *step);
int kp_journal_add_mdev(const char *uuid, const char *parent, int *step);
/* ifindex 0: not known yet (kp_journal_update(step, "ifindex", …) when it is). */
int kp_journal_add_link(const char *name, int ifindex, int *step);
/* Reads the file's current content and mode itself (absent: undo removes
 * it). abs is a host path (root prefix applied). -EFBIG over 1 MiB. */
int kp_journal_save_file(const char *abs, int *step);
/* settings: kp_vfnl_snap_json() of the PF's VFs (lib/vfnl.h). */
int kp_journal_add_vf_settings(const char *pf, const char *ifname, const char *settings,
			       int *step);

/* Set a key of a recorded step (e.g. the ifindex of a link once created).
 * Appended and synced (the undo reads it). 0 or -errno. */
int kp_journal_update(int step, const char *key, const char *value);

/* The step is done (and verified). Appended, not synced (information). */
int kp_journal_done(int step);

/* The signal that came since kp_journal_begin (SIGTERM, SIGINT, SIGHUP), or
 * 0. Long waits inside a call poll it. */
int kp_journal_signal(void);

/* The call ended cleanly: remove the record, end the journal, restore the
 * signal handlers. -EINTR (and nothing removed) when a signal came: roll
 * back instead. */
int kp_journal_commit(void);

/* Undo every recorded step, newest first, then remove the record and end
 * the journal. 0: everything is back; -EIO: a step could not be undone,
 * stuck (may be NULL) describes it ("pci-driver 0000:01:00.0: …"), the
 * record is kept (the next command or `recover` tries again). Signals are
 * ignored while it runs. */
int kp_journal_rollback(char *stuck, size_t n);

/* What kp_journal_recover found. */
struct kp_journal_info {
	char tool[64];
	char command[64];
	long pid;
	long started;      /* seconds since the epoch, 0 unknown */
	int nsteps;        /* steps recorded */
	int ndone;         /* of which marked done */
	int other_boot;    /* the record is from another boot */
	char detail[256];  /* -EBADMSG: what is wrong with it; -EIO: the stuck step */
};

/*
 * Roll back the call a killed run left in /run/kvmprep/journal. Call it
 * with the lock held, before the scan. 0: no record; 1: rolled back and
 * removed (*info says what it was); -EBADMSG: the record is corrupt or
 * names an unknown kind (info->detail says what; nothing undone, the
 * record is kept for a human); -EIO: a step could not be undone (detail;
 * the record is kept); -ENOLCK without the lock; else -errno reading it.
 * info may be NULL.
 */
int kp_journal_recover(struct kp_journal_info *info);

/* Read and check the record without undoing anything (a dry run; the lock
 * need not be held). 0 none, 1 found (*info), -EBADMSG, -errno. */
int kp_journal_peek(struct kp_journal_info *info);

/* One line for stderr after a successful recovery: "rolled back an
 * interrupted 'kvmprep-iommu bind' (pid 4242, 3 steps, 2 done)". */
void kp_journal_describe(const struct kp_journal_info *info, char *buf, size_t n);

#endif
