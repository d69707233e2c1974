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
	const char *uuid;            /* --uuid */
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

/* ---- live.c: shared by the commands -------------------------------- */

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
	       const struct kp_mdev_attr *attrs, size_t nattrs, int *created);
/* Remove one active mdev (holder check unless force). Exit status. */
int remove_one(struct opts *o, const char *uuid, int *removed);

/* The "types with instances left" list for the no-instance message. */
void left_types(const char *parent, const char *except, char *buf, size_t n);

/* callouts.c: mdevctl's callout scripts for a device (event pre/post,
 * action): 0 go on, or the exit status with the error printed. */
int callout_check(struct opts *o, const char *action, const char *parent, const char *type);

/* Print a JSON document or nothing: common tail for mutating commands. */
json_object *doc_new(const char *command, int changed, int dry_run);

#endif
