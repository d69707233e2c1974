/* SPDX-License-Identifier: MIT */
/* What every command shares: the PF argument, the PF's checks, root, lock. */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "journal.h"
#include "lock.h"
#include "pci.h"

int resolve_pf(const char *arg, char bdf[13])
{
	int r;

	if (kp_bdf_parse(arg, bdf) == 0)
		return 0;
	if (strchr(arg, ':'))
		return kp_usage_err("malformed PCI address '%s' (want 0000:03:00.0 or 03:00.0)", arg);
	if (kp_ifname_check(arg) < 0)
		return kp_usage_err("malformed PF '%s' (want a PCI address such as 0000:03:00.0 "
				    "or an interface name)", arg);
	r = kp_pci_net_bdf(arg, bdf);
	if (r < 0) {
		kp_err(arg, "no such device (no PCI function has this interface)");
		return KP_EXIT_HOST;
	}
	return 0;
}

/* Where SR-IOV is switched on when the capability says TotalVFs 0. */
static const char *firmware_setting(unsigned vendor)
{
	switch (vendor) {
	case 0x15b3:
		return "enable it in the adapter's firmware: mlxconfig -d DEVICE set SRIOV_EN=1 "
		       "NUM_OF_VFS=N, then reboot (and SR-IOV in the BIOS/UEFI setup)";
	case 0x14e4:
		return "enable it in the adapter's NVM (Broadcom niccli/bnxtnvm: SR-IOV on, number "
		       "of VFs) and SR-IOV in the BIOS/UEFI setup, then reboot";
	case 0x8086:
		return "enable \"SR-IOV\" in the BIOS/UEFI setup (system and, for Intel NICs, the "
		       "adapter's NVM settings), then reboot";
	default:
		return "enable \"SR-IOV\" in the BIOS/UEFI setup and in the device's firmware, "
		       "then reboot";
	}
}

int check_pf(const char *bdf, struct kp_sriov_pf *pf)
{
	char phys[13];
	int r = kp_sriov_pf_read(bdf, pf);

	if (r == -ENODEV) {
		kp_err(bdf, "no such device");
		return KP_EXIT_HOST;
	}
	if (r == -EXDEV) {
		kp_sriov_physfn(bdf, phys);
		kp_err(bdf, "is a virtual function of %s: a VF cannot have VFs (use its PF)", phys);
		return KP_EXIT_HOST;
	}
	if (r == -EOPNOTSUPP) {
		int total = kp_sriov_cap_totalvfs(bdf);

		if (total == 0)
			kp_err(bdf, "SR-IOV is switched off in the firmware (the capability offers 0 "
				    "VFs): %s", firmware_setting(pf->vendor));
		else
			kp_err(bdf, "is not SR-IOV capable (no SR-IOV capability)");
		return KP_EXIT_HOST;
	}
	if (r < 0) {
		kp_err_errno(bdf, r, "cannot read its SR-IOV state");
		return KP_EXIT_HOST;
	}
	if (pf->totalvfs == 0) {
		kp_err(bdf, "SR-IOV is switched off in the firmware (sriov_totalvfs is 0): %s",
		       firmware_setting(pf->vendor));
		return KP_EXIT_HOST;
	}
	return 0;
}

int need_root(void)
{
	if (geteuid() == 0)
		return 0;
	kp_err(NULL, "must be run as root");
	return KP_EXIT_HOST;
}

/* 1 when the last take_lock rolled back a killed run's journal */
static int recovered;

int take_lock(const struct opts *o, int *lock)
{
	struct kp_journal_info info;
	pid_t holder = 0;
	int r;

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
	if (*lock < 0) {
		kp_err_errno(KP_LOCK_FILE, *lock, "cannot take the lock");
		return KP_EXIT_FAIL;
	}
	/* what a killed run of any kvmprep tool left half done */
	r = kp_journal_recover(&info);
	if (r < 0) {
		kp_lock_release(*lock);
		*lock = -1;
		if (r == -EBADMSG || r == -EIO)
			kp_err(KP_JOURNAL_FILE, "an interrupted change could not be rolled back: %s "
			       "(the record is kept; see " TOOL " recover)", info.detail);
		else
			kp_err_errno(KP_JOURNAL_FILE, r, "cannot read");
		return KP_EXIT_FAIL;
	}
	recovered = r > 0;
	if (r > 0) {
		char line[320];

		kp_journal_describe(&info, line, sizeof(line));
		kp_warn(NULL, "%s", line);
	}
	return 0;
}

int end_signal_exit(void)
{
	int sig = kp_journal_signal();

	return sig ? 128 + sig : KP_EXIT_FAIL;
}

int cmd_recover(struct opts *o, int argc, char **argv)
{
	int r, lock = -1;

	if (argc)
		return kp_usage_err("recover takes no argument");
	if ((r = need_root()))
		return r;
	r = take_lock(o, &lock); /* recovers, and says what it rolled back */
	if (r)
		return r;
	kp_lock_release(lock);
	if (!o->quiet && !o->json)
		printf("%s\n", recovered ? "recovered" : "nothing to recover");
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("recover"));
		json_object_object_add(doc, "ok", json_object_new_boolean(1));
		json_object_object_add(doc, "changed", json_object_new_boolean(recovered));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	}
	return 0;
}
