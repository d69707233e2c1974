/* SPDX-License-Identifier: MIT */
/* The frame of a change (lib/change.h): lock, recovery, journal, end. */
#include "change.h"
#include "err.h"
#include "exitcodes.h"
#include "lock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static void unrecovered(int r, const struct kp_journal_info *info, char *msg, size_t n)
{
	if (r == -EBADMSG)
		snprintf(msg, n, KP_JOURNAL_FILE ": cannot recover: corrupt journal (%s): nothing "
			 "undone, left in place; put the host right by hand, then remove it",
			 info->detail);
	else if (r == -EIO)
		snprintf(msg, n, KP_JOURNAL_FILE ": cannot recover an interrupted '%s %s' (pid %ld): "
			 "%s: kept; fix it by hand, then run '%s recover'", info->tool, info->command,
			 info->pid, info->detail, kp_program());
	else
		snprintf(msg, n, KP_JOURNAL_FILE ": cannot recover: %s", strerror(-r));
}

int kp_change_lock(int wait_ms, int *lock, struct kp_journal_info *recovered, char *msg,
		   size_t n)
{
	struct kp_journal_info info;
	pid_t holder = 0;
	int r;

	msg[0] = '\0';
	if (recovered)
		memset(recovered, 0, sizeof(*recovered));
	*lock = kp_lock_take_wait(wait_ms, &holder);
	if (*lock == -ETIMEDOUT) {
		char who[48] = "another process";

		if (holder > 0)
			snprintf(who, sizeof(who), "pid %ld", (long)holder);
		snprintf(msg, n, KP_LOCK_FILE ": cannot take the lock: held by %s for more than "
			 "%g s (another change is under way; --wait SECONDS waits longer)", who,
			 wait_ms / 1000.0);
	} else if (*lock == -ELOOP) {
		snprintf(msg, n, KP_LOCK_FILE ": cannot take the lock: " KP_LOCK_DIR " or its lock "
			 "is a symbolic link: refused");
	} else if (*lock == -EPERM) {
		snprintf(msg, n, KP_LOCK_FILE ": cannot take the lock: " KP_LOCK_DIR " or its lock "
			 "is owned by another user: refused");
	} else if (*lock < 0) {
		snprintf(msg, n, KP_LOCK_FILE ": cannot take the lock: %s", strerror(-*lock));
	}
	if (*lock < 0) {
		*lock = -1;
		return KP_EXIT_FAIL;
	}
	r = kp_journal_recover(&info);
	if (r < 0) {
		kp_lock_release(*lock);
		*lock = -1;
		unrecovered(r, &info, msg, n);
		return KP_EXIT_FAIL;
	}
	if (r > 0) {
		char line[512];

		kp_journal_describe(&info, line, sizeof(line));
		snprintf(msg, n, KP_JOURNAL_FILE ": %s", line);
		if (recovered)
			*recovered = info;
	}
	return 0;
}

int kp_change_begin(const char *tool, const char *command, char *msg, size_t n)
{
	int r = kp_journal_begin(tool, command);

	msg[0] = '\0';
	if (r < 0) {
		snprintf(msg, n, KP_JOURNAL_FILE ": cannot record the change: %s", strerror(-r));
		return KP_EXIT_FAIL;
	}
	return 0;
}

int kp_change_undo(int fail_rc, char *msg, size_t n)
{
	char stuck[320];
	int sig = kp_journal_signal(), r;
	size_t len;

	msg[0] = '\0';
	r = kp_journal_rollback(stuck, sizeof(stuck));
	if (r < 0)
		snprintf(msg, n, "%s: not undone; kept in " KP_JOURNAL_FILE " for '%s recover'", stuck,
			 kp_program());
	if (!sig)
		return fail_rc;
	len = strlen(msg);
	snprintf(msg + len, n - len, "%sinterrupted by SIG%s: %s", len ? "\n" : "",
		 sigabbrev_np(sig), r == 0 ? "every change rolled back" : "rolled back in part");
	return KP_EXIT_SIGNAL + sig;
}

int kp_change_end(char *msg, size_t n)
{
	int r = kp_journal_commit();
	size_t len;

	msg[0] = '\0';
	if (r == 0)
		return 0;
	if (r == -EINTR)
		return kp_change_undo(KP_EXIT_FAIL, msg, n);
	snprintf(msg, n, KP_JOURNAL_FILE ": cannot end the change: %s\n", strerror(-r));
	len = strlen(msg);
	r = kp_change_undo(KP_EXIT_FAIL, msg + len, n - len);
	if (!msg[len] && len)
		msg[len - 1] = '\0';
	return r;
}

void kp_change_dry_run_note(char *msg, size_t n)
{
	struct kp_journal_info info;
	int r = kp_journal_peek(&info);

	msg[0] = '\0';
	/* not root: /run/kvmprep cannot be read, nothing to say */
	if (r == 1)
		snprintf(msg, n, KP_JOURNAL_FILE ": an interrupted change is recorded: the next "
			 "command that changes the host rolls it back first");
	else if (r == -EBADMSG)
		snprintf(msg, n, KP_JOURNAL_FILE ": corrupt (%s): every command that changes the "
			 "host refuses until it is removed", info.detail);
}
