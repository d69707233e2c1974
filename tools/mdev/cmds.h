/* SPDX-License-Identifier: MIT */
#ifndef KP_MDEV_CMDS_H
#define KP_MDEV_CMDS_H

#include <stddef.h>

#include "mdev.h"
#include "output.h"

#define TOOL "kvmprep-mdev"
#define DEFAULT_TIMEOUT_MS 5000
#define MAX_ATTRS 64

/* Every option of the tool; main.c checks which command takes which. */
struct opts {
	int json, quiet, dry_run, force;
	const char *parent;          /* --parent */
	const char *type;            /* --type */
	const char *uuid;            /* --uuid (the first) */
	const char *uuids[256];      /* every --uuid (create: several devices in one call) */
	size_t nuuids;
	int count;                   /* create --count N (0: not given) */
	const char *attr_key[MAX_ATTRS], *attr_val[MAX_ATTRS]; /* --attr K=V, in order */
	size_t nattrs;
	int index;                   /* --index (-1: none) */
	int delattr;                 /* --delattr */
	int autostart;               /* --auto 1, --manual 0, -1 neither */
	int defined;                 /* list --defined */
	int timeout_ms;              /* --timeout */
	struct kp_out out;
};

int cmd_types(struct opts *o, int argc, char **argv);
int cmd_create(struct opts *o, int argc, char **argv);
int cmd_remove(struct opts *o, int argc, char **argv);
int cmd_list(struct opts *o, int argc, char **argv);
int cmd_define(struct opts *o, int argc, char **argv);
int cmd_undefine(struct opts *o, int argc, char **argv);
int cmd_modify(struct opts *o, int argc, char **argv);
int cmd_start(struct opts *o, int argc, char **argv);
int cmd_stop(struct opts *o, int argc, char **argv);
int cmd_start_parent(struct opts *o, int argc, char **argv);
int cmd_apply(struct opts *o, int argc, char **argv);
int cmd_recover(struct opts *o, int argc, char **argv);

/* The change journal (lib/journal.h): start it (exit status on failure),
 * and end it: commit when rc is 0, else roll back; returns the exit status
 * (128 + signal when a signal stopped the call). */
int jbegin(const char *command);
int jend(int rc);

/* ---- live.c: shared by the commands -------------------------------- */

/* --wait: how long take_lock waits for another run's lock (ms) */
extern int lock_wait_ms;

/* 1 when the effective uid is root; need_root prints and returns 3. */
int need_root(void);
/* Take the change lock (error printed): fd >= 0, or an exit status < 0
 * negated (-3). */
int take_lock(void);

/* A UUID argument: 0 (lowercased into out) or exit 2 with the error. */
int parse_uuid(const char *what, const char *in, char out[37]);
/* A PCI address that is a vendor-specific vGPU VF: 1 (normalised into
 * out), 0 when arg is not one. */
int vgpu_vf_arg(const char *arg, char out[13]);

/* Create one mdev with its attributes in order; on any failure the
 * device is removed again. Prints the error; returns an exit status.
 * *created says whether it was made (0 for an unchanged rerun). */
int create_one(struct opts *o, const char *parent, const char *type, const char *uuid,
	       const struct kp_mdev_attr *attrs, size_t nattrs, int autostart, int *created);
/* Remove one active mdev (holder check unless force). Exit status. */
int remove_one(struct opts *o, const char *uuid, int *removed);

/* The "types with instances left" list for the no-instance message. */
void left_types(const char *parent, const char *except, char *buf, size_t n);

/* callouts.c: mdevctl's callout scripts. pre before ACTION (start, stop,
 * define, undefine, modify) on the device d: 0 go on, or the exit status
 * with the error printed (a refusing script; --force goes on). post after
 * it, with its outcome (also runs the notifiers). */
int callout_pre(struct opts *o, const char *action, const struct kp_mdev_def *d);
void callout_post(struct opts *o, const char *action, const struct kp_mdev_def *d, int ok);

/* Print a JSON document or nothing: common tail for mutating commands. */
json_object *doc_new(const char *command, int changed, int dry_run);

#endif
