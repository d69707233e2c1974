/* SPDX-License-Identifier: MIT */
#ifndef KP_IOMMU_CMDS_H
#define KP_IOMMU_CMDS_H

#include <stddef.h>

#include "output.h"
#include "inuse.h"
#include "pci.h"

#define TOOL "kvmprep-iommu"
#define DEFAULT_TIMEOUT_MS 5000

/* Every option of the tool; which command accepts which is checked in
 * main.c (a command given an option it does not take is a usage error). */
struct opts {
	int json, quiet, dry_run;
	int group;          /* bind --group */
	int force;          /* bind --force */
	int persist;        /* bind --persist */
	int why;            /* groups --why */
	const char *driver; /* bind --driver (default vfio-pci) */
	const char *class;  /* list --class */
	const char *id;     /* list/bind/… --id VVVV:DDDD */
	int timeout_ms;     /* bind --timeout */
	int wait_ms;        /* --wait SECONDS for the lock */
	struct kp_out out;
};

int cmd_groups(struct opts *o, int argc, char **argv);
int cmd_list(struct opts *o, int argc, char **argv);
int cmd_status(struct opts *o, int argc, char **argv);
int cmd_bind(struct opts *o, int argc, char **argv);
int cmd_unbind(struct opts *o, int argc, char **argv);
int cmd_unpersist(struct opts *o, int argc, char **argv);
int cmd_apply(struct opts *o, int argc, char **argv);
int cmd_recover(struct opts *o, int argc, char **argv);

/* change.c: around every change (lib/journal.h) */
struct kp_journal_info;
/* Take the lock (waiting --wait), then roll back what a killed run left
 * (said on stderr; *recovered, may be NULL, says what). 0 with *lock, or
 * an exit status after saying why. */
int take_lock(const struct opts *o, int *lock, struct kp_journal_info *recovered);
/* A dry run: warn when a killed run's journal waits for recovery. */
void dry_run_note(void);
/* Start the call's journal: 0 or an exit status after saying why. */
int begin_change(const char *command);
/* Roll the call back: fail_rc, or KP_EXIT_SIGNAL + N after signal N
 * (said on stderr). */
int undo_change(int fail_rc);
/* Commit the call: 0, or (a signal came, the record cannot be removed)
 * the exit status of undo_change. */
int end_change(void);

/* resolve.c */

/* Scan the host (exit status on failure, error printed), 0 on success. */
int scan_host(struct kp_pci **pci, unsigned fill);

/* scan_host() of only what DEVICE arguments name (addresses, interface
 * names) and, with groups, every member of their IOMMU groups: commands
 * about a few devices do not read the whole bus. With --id every device
 * is scanned. Exit status, error printed; 0 on success. */
int scan_devices(struct kp_pci **pci, unsigned fill, int argc, char **argv, const char *id,
		 int groups);

/* Resolve DEVICE arguments (addresses with or without domain, netdev
 * names) and --id into a deduplicated list of devices, in argument order.
 * Prints the error; returns 0 or an exit status (2 malformed, 3 unknown). */
/* A vector of distinct devices: membership, and append unless present
 * (0 or -ENOMEM). */
int dev_list_has(struct kp_pcidev *const *v, size_t n, const struct kp_pcidev *d);
int dev_list_add(struct kp_pcidev ***v, size_t *n, struct kp_pcidev *d);

int resolve_devices(struct kp_pci *pci, int argc, char **argv, const char *id,
		    struct kp_pcidev ***out, size_t *n);

/* The "how to enable the IOMMU" message for this host's CPU vendor; exit 3. */
int no_iommu(void);

/* 1 when the effective uid is root. */
int is_root(void);
int need_root(void);

/* pcie_acs_override='s value when the kernel command line has it (an
 * out-of-tree patch that makes the kernel pretend ACS), else NULL; and
 * the warning that says what it means, on stderr. */
const char *acs_override(void);
void warn_acs_override(void);

/* Whether the host or a guest uses the device (lib/inuse.c, one context
 * for the run): 1 with u filled, 0 when free, -errno when it could not
 * tell. flags: KP_INUSE_HANDLES for devices a command changes. */
int device_usage(const struct kp_pcidev *d, unsigned flags, struct kp_dev_usage *u);
/* device_usage's answers may take the PFs' VFs from this scan of the whole
 * host (kp_inuse_set_scan); NULL before the scan is freed. */
void device_usage_scan(struct kp_pci *pci);

#endif
