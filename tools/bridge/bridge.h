/* SPDX-License-Identifier: MIT */
#ifndef KP_BRIDGE_CMDS_H
#define KP_BRIDGE_CMDS_H

#include <json-c/json.h>

#include "link.h"
#include "output.h"

#define TOOL "kvmprep-bridge"
#define DEFAULT_CONFIRM_TIMEOUT 60
#define DEFAULT_LINK_TIMEOUT_MS 30000 /* apply-persisted: the links to appear */

/* Every option of the tool; main.c checks which command takes which. */
struct opts {
	int json, quiet, dry_run, force, persist, no_confirm;
	int stp, vlan_filtering;      /* -1 not given */
	long forward_delay;           /* centiseconds, -1 not given */
	long mtu;                     /* 0 not given */
	const char *mac;              /* --mac */
	const char *uplink;           /* bridge add --uplink */
	const char *link;             /* macvtap add --link */
	const char *mode;             /* macvtap add --mode */
	const char *owner, *group;    /* tap add */
	const char *bridge;           /* tap add --bridge */
	int multi_queue, vnet_hdr;    /* tap add */
	int confirm_timeout;          /* seconds */
	int wait_ms;                  /* --wait: for another run's lock */
	int link_timeout_ms;          /* apply-persisted --timeout: for the links */
	struct kp_out out;
};

/* One run of a command that changes links. */
struct ctx {
	struct opts *o;
	const char *cmd;
	struct kp_nl *nl;
	json_object *steps; /* every netlink change, in order */
	int lock;
	int recovered;      /* ctx_open rolled back a killed run's journal */
	int ok;             /* ctx_done was reached: ctx_close commits the journal */
	int files_changed;  /* --persist wrote (a dry run: would write) a file */
};

/* Open: not root (unless --dry-run) is exit 3; the lock is taken before
 * the first look at the links, a killed run's journal (lib/journal.h) is
 * rolled back, and this call's journal begins (not for a dry run).
 * ctx_close commits it after ctx_done, else rolls it back. 0 or an exit
 * status (error printed). */
int ctx_open(struct ctx *c, struct opts *o, const char *cmd);
void ctx_close(struct ctx *c);
/* Print the result: human "NAME: WHAT" (or nothing with -q) and the JSON
 * document (command, name, changed, dry_run, steps, plus extra's keys,
 * extra is consumed). Returns KP_EXIT_OK. */
int ctx_done(struct ctx *c, const char *name, int changed, const char *what,
	     json_object *extra);

/* Name checks: exit status 2 with the error printed, or 0. */
int check_name(const char *name, const char *action);
/* --mac S for ACTION on link NAME, parsed into mac: 0, or KP_EXIT_USAGE
 * after one line (not six hex pairs; multicast or all zero). */
int mac_opt(const char *s, unsigned char mac[6], const char *name, const char *action);
/* The link NAME, which must exist: 0, or exit 3 with the error printed. */
int need_link(struct ctx *c, const char *name, const char *action, struct kp_linkinfo *l);

int cmd_bridge_add(struct opts *o, int argc, char **argv);
int cmd_bridge_del(struct opts *o, int argc, char **argv);
int cmd_port_add(struct opts *o, int argc, char **argv);
int cmd_port_del(struct opts *o, int argc, char **argv);
int cmd_macvtap_add(struct opts *o, int argc, char **argv);
int cmd_tap_add(struct opts *o, int argc, char **argv);
int cmd_list(struct opts *o, int argc, char **argv);
int cmd_del(struct opts *o, int argc, char **argv);
int cmd_confirm(struct opts *o, int argc, char **argv);
int cmd_recover(struct opts *o, int argc, char **argv);
int cmd_apply(struct opts *o, int argc, char **argv); /* netconf.c */

/* offline.c: the commands under --offline / --root (lib/target.h) */
int off_bridge_add(struct opts *o, int argc, char **argv);
int off_del(struct opts *o, int argc, char **argv);
int off_port_add(struct opts *o, int argc, char **argv);
int off_port_del(struct opts *o, int argc, char **argv);
int off_macvtap_add(struct opts *o, int argc, char **argv);
int off_tap_add(struct opts *o, int argc, char **argv);

/* uplink.c */
int uplink_move(struct ctx *c, const char *bridge, const struct kp_linkinfo *nic,
		const struct kp_bridge_opts *bo);
/* Before any change: a journal a killed run left is rolled back. 0 or exit status. */
int uplink_recover_all(struct ctx *c, int *recovered);
/* The bridge carries a moved uplink (journal says so): 1, else 0. */
int uplink_journaled(const char *bridge, char *uplink, size_t n);
int uplink_undo(struct ctx *c, const char *bridge);

#endif
