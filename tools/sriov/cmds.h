/* SPDX-License-Identifier: MIT */
#ifndef KP_SRIOV_CMDS_H
#define KP_SRIOV_CMDS_H

#include <stddef.h>

#include "output.h"
#include "sriov.h"

#define TOOL "kvmprep-sriov"
#define DEFAULT_TIMEOUT_MS 30000
#define KP_SRIOV_CONF "/etc/kvmprep/sriov.conf"

/* Every option of the tool; which command accepts which is checked in
 * main.c (a command given an option it does not take is a usage error). */
struct opts {
	int json, quiet, dry_run;
	int verbose;        /* list -v */
	int force;          /* set --force */
	int persist;        /* set/vf --persist */
	int no_probe;       /* set --no-probe */
	const char *driver; /* set --driver */
	int timeout_ms;     /* set --timeout: the numvfs write, the VFs' arrival */
	int wait_ms;        /* --wait: for another run's lock */
	struct kp_out out;
};

int cmd_list(struct opts *o, int argc, char **argv);
int cmd_set(struct opts *o, int argc, char **argv);
int cmd_vf(struct opts *o, int argc, char **argv);
int cmd_recover(struct opts *o, int argc, char **argv);
int cmd_apply(struct opts *o, int argc, char **argv);

/* persist.c: /etc/kvmprep/sriov.conf (0 or an exit status, error printed) */
int persist_set(const struct kp_sriov_pf *pf, int count, const char *driver, int no_probe);
int persist_vf(const struct kp_sriov_pf *pf, int index, char **settings, int nset);
/* vf --persist --offline/--root: only sriov.conf (the VF need not exist
 * now), under the journal; prints the result. An exit status. */
int persist_vf_offline(struct opts *o, const struct kp_sriov_pf *pf, int index, char **settings,
		       int nset);
/* 1 when NetworkManager or systemd-networkd owns the PF's VF count (who
 * says which file and setting), else 0. */
int sriov_owner(const struct kp_sriov_pf *pf, char *who, size_t n);

/* common.c */

/* PF argument (address or interface name) -> canonical address. Prints
 * the error; 0 or an exit status (2 malformed, 3 no such device). */
int resolve_pf(const char *arg, char bdf[13]);

/* Read the PF and say why it cannot have VFs: not SR-IOV capable, a VF,
 * SR-IOV off in the firmware (naming the setting), no driver, on
 * vfio-pci. 0 or an exit status, error printed. */
int check_pf(const char *bdf, struct kp_sriov_pf *pf);

int need_root(void);

/* Serialize with other runs (waiting at most --wait), then recover what a
 * killed run left in the journal: 0 and *lock set, or KP_EXIT_FAIL. */
int take_lock(const struct opts *o, int *lock);
/* The exit status after a rollback: 128 + the signal that stopped the
 * call (as a shell reports it), else KP_EXIT_FAIL. */
int end_signal_exit(void);

/* inuse.c: whether a guest or the host uses a VF. One context per run
 * (one scan of the processes' open vfio nodes, one netlink dump). */
struct vf_usage;
int vf_usage_new(struct vf_usage **u);
void vf_usage_free(struct vf_usage *u);
/* 1 with the reason in why, 0 free, -errno when it could not tell. */
int vf_in_use(struct vf_usage *u, const char *vf, char *why, size_t n);

#endif
