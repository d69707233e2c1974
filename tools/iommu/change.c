/* SPDX-License-Identifier: MIT */
/* What every command that changes the host does around its change (the
 * frame is lib/change.h; this file prints its messages) and `recover`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "change.h"
#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "journal.h"
#include "lock.h"

/* Each line of msg on stderr (as errors; warn: as warnings). */
static void say(const char *msg, int warn)
{
	const char *p = msg;

	while (*p) {
		size_t len = strcspn(p, "\n");

		if (warn)
			kp_warn(NULL, "%.*s", (int)len, p);
		else
			kp_err(NULL, "%.*s", (int)len, p);
		p += len;
		if (*p)
			p++;
	}
}

int take_lock(const struct opts *o, int *lock, struct kp_journal_info *recovered)
{
	char msg[KP_CHANGE_MSGLEN];
	int r = kp_change_lock(o->wait_ms, lock, recovered, msg, sizeof(msg));

	say(msg, 0);
	return r;
}

void dry_run_note(void)
{
	char msg[KP_CHANGE_MSGLEN];

	kp_change_dry_run_note(msg, sizeof(msg));
	say(msg, 1);
}

int begin_change(const char *command)
{
	char msg[KP_CHANGE_MSGLEN];
	int r = kp_change_begin(TOOL, command, msg, sizeof(msg));

	say(msg, 0);
	return r;
}

int undo_change(int fail_rc)
{
	char msg[KP_CHANGE_MSGLEN];
	int r = kp_change_undo(fail_rc, msg, sizeof(msg));

	say(msg, 0);
	return r;
}

int end_change(void)
{
	char msg[KP_CHANGE_MSGLEN];
	int r = kp_change_end(msg, sizeof(msg));

	say(msg, 0);
	return r;
}

int cmd_recover(struct opts *o, int argc, char **argv)
{
	struct kp_journal_info info;
	int r, lock = -1, found;

	if (argc)
		return kp_usage_err("recover takes no DEVICE");
	if (o->dry_run) {
		r = kp_journal_peek(&info);
		if (r < 0) {
			char msg[KP_CHANGE_MSGLEN];

			kp_change_dry_run_note(msg, sizeof(msg));
			kp_err(NULL, "%s", msg[0] ? msg : KP_JOURNAL_FILE ": cannot be read");
			return KP_EXIT_FAIL;
		}
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
