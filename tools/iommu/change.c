/* SPDX-License-Identifier: MIT */
/* What every command that changes the host does around its change: the
 * lock (bounded wait, taken before the scan), the recovery of a killed
 * run's journal, the journal of the call, and its end: commit, or roll
 * back (after a failure or a signal). See lib/journal.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "journal.h"
#include "lock.h"

static void say_recovered(const struct kp_journal_info *info)
{
	char line[512];

	kp_journal_describe(info, line, sizeof(line));
	kp_err(KP_JOURNAL_FILE, "%s", line);
}

/* The journal a killed run left could not be rolled back: one line. */
static int say_unrecovered(int r, const struct kp_journal_info *info)
{
	if (r == -EBADMSG)
		kp_err(KP_JOURNAL_FILE, "cannot recover: corrupt journal (%s): nothing undone, "
		       "left in place; put the host right by hand, then remove it", info->detail);
	else if (r == -EIO)
		kp_err(KP_JOURNAL_FILE, "cannot recover an interrupted '%s %s' (pid %ld): %s: kept; "
		       "fix it by hand, then run '" TOOL " recover'", info->tool, info->command,
		       info->pid, info->detail);
	else
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot recover");
	return KP_EXIT_FAIL;
}

int take_lock(const struct opts *o, int *lock, struct kp_journal_info *recovered)
{
	struct kp_journal_info info;
	pid_t holder = 0;
	int r;

	if (recovered)
		memset(recovered, 0, sizeof(*recovered));
	*lock = kp_lock_take_wait(o->wait_ms, &holder);
	if (*lock == -ETIMEDOUT) {
		char pid[48] = "another process";

		if (holder > 0)
			snprintf(pid, sizeof(pid), "pid %ld", (long)holder);
		kp_err(KP_LOCK_FILE, "cannot take the lock: held by %s for more than %g s "
		       "(another change is under way; --wait SECONDS waits longer)", pid,
		       o->wait_ms / 1000.0);
		return KP_EXIT_FAIL;
	}
	if (*lock == -ELOOP) {
		kp_err(KP_LOCK_FILE, "cannot take the lock: " KP_LOCK_DIR " or its lock is a "
		       "symbolic link: refused");
		return KP_EXIT_FAIL;
	}
	if (*lock == -EPERM) {
		kp_err(KP_LOCK_FILE, "cannot take the lock: " KP_LOCK_DIR " or its lock is owned "
		       "by another user: refused");
		return KP_EXIT_FAIL;
	}
	if (*lock < 0) {
		kp_err_errno(KP_LOCK_FILE, *lock, "cannot take the lock");
		return KP_EXIT_FAIL;
	}
	r = kp_journal_recover(&info);
	if (r < 0) {
		kp_lock_release(*lock);
		*lock = -1;
		return say_unrecovered(r, &info);
	}
	if (r > 0) {
		say_recovered(&info);
		if (recovered)
			*recovered = info;
	}
	return 0;
}

void dry_run_note(void)
{
	struct kp_journal_info info;
	int r = kp_journal_peek(&info);

	/* not root: /run/kvmprep cannot be read, nothing to say */
	if (r == 1)
		kp_warn(KP_JOURNAL_FILE, "an interrupted change is recorded: the next command "
			"that changes the host rolls it back first");
	else if (r == -EBADMSG)
		kp_warn(KP_JOURNAL_FILE, "corrupt (%s): every command that changes the host "
			"refuses until it is removed", info.detail);
}

int begin_change(const char *command)
{
	int r = kp_journal_begin(TOOL, command);

	if (r < 0) {
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot record the change");
		return KP_EXIT_FAIL;
	}
	return 0;
}

int undo_change(int fail_rc)
{
	char stuck[320];
	int sig = kp_journal_signal(), r;

	r = kp_journal_rollback(stuck, sizeof(stuck));
	if (r < 0)
		kp_err(NULL, "%s: not undone; kept in " KP_JOURNAL_FILE " for '" TOOL " recover'",
		       stuck);
	if (!sig)
		return fail_rc;
	kp_err(NULL, "interrupted by SIG%s: %s", sigabbrev_np(sig),
	       r == 0 ? "every change rolled back" : "rolled back in part");
	return KP_EXIT_SIGNAL + sig;
}

int end_change(void)
{
	int r = kp_journal_commit();

	if (r == 0)
		return 0;
	if (r != -EINTR)
		kp_err_errno(KP_JOURNAL_FILE, r, "cannot end the change");
	return undo_change(KP_EXIT_FAIL);
}

int cmd_recover(struct opts *o, int argc, char **argv)
{
	struct kp_journal_info info;
	int r, lock = -1, found;

	if (argc)
		return kp_usage_err("recover takes no DEVICE");
	if (o->dry_run) {
		r = kp_journal_peek(&info);
		if (r < 0)
			return say_unrecovered(r, &info);
		found = r > 0;
	} else {
		if ((r = need_root()))
			return r;
		r = take_lock(o, &lock, &info);
		if (r)
			return r;
		found = info.tool[0] != '\0';
		kp_lock_release(lock);
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL), *j = NULL;

		json_object_object_add(doc, "command", json_object_new_string("recover"));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(doc, "changed", json_object_new_boolean(found && !o->dry_run));
		if (found) {
			j = json_object_new_object();
			json_object_object_add(j, "tool", json_object_new_string(info.tool));
			json_object_object_add(j, "command", json_object_new_string(info.command));
			json_object_object_add(j, "pid", json_object_new_int64(info.pid));
			json_object_object_add(j, "started", json_object_new_int64(info.started));
			json_object_object_add(j, "steps", json_object_new_int(info.nsteps));
			json_object_object_add(j, "done", json_object_new_int(info.ndone));
			json_object_object_add(j, "other_boot", json_object_new_boolean(info.other_boot));
		}
		json_object_object_add(doc, "journal", j);
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
		return r;
	}
	if (o->quiet)
		return 0;
	if (!found)
		return printf("unchanged: no interrupted change to roll back\n") < 0 ? KP_EXIT_FAIL : 0;
	if (o->dry_run)
		return printf("would roll back an interrupted '%s %s' (pid %ld, %d steps, %d done)\n",
			      info.tool, info.command, info.pid, info.nsteps, info.ndone) < 0
			       ? KP_EXIT_FAIL : 0;
	return printf("rolled back\n") < 0 ? KP_EXIT_FAIL : 0;
}
