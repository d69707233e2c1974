/* SPDX-License-Identifier: MIT */
/* Journal kind "vf-settings": the netlink settings of a PF's VFs (MAC,
 * VLAN/QoS/protocol, rates, spoofchk, trust, link state, RSS query) before
 * a call that may recreate the VFs, which loses them (lib/vfnl.h). */
#include "journal.h"
#include "journal_kinds.h"
#include "sriov.h"
#include "vfnl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kp_journal_add_vf_settings(const char *pf, const char *ifname, const char *settings, int *step)
{
	const char *kv[] = { "pf", pf, "ifname", ifname, "settings", settings, NULL };

	return kp_journal_add("vf-settings", kv, step);
}

int kp_jundo_vf_settings(const struct kp_jstep *s, char *why, size_t n)
{
	const char *pfbdf = kp_jstep_get(s, "pf");
	struct kp_vfnl_info *want = NULL;
	struct kp_vfnl *nl = NULL;
	struct kp_sriov_pf pf;
	size_t nwant, i, keep = 0;
	int r;

	r = kp_vfnl_snap_parse(kp_jstep_get(s, "settings"), &want, &nwant);
	if (r < 0) {
		snprintf(why, n, "its settings are unreadable");
		return -EIO;
	}
	r = kp_sriov_pf_read(pfbdf, &pf);
	if (r < 0 || !pf.ifname[0] || pf.numvfs == 0) {
		/* the PF, its driver (which keeps the settings) or its VFs are
		 * gone: nothing of them is left to give back */
		free(want);
		return r < 0 && r != -ENODEV ? (snprintf(why, n, "cannot be read"), -EIO) : 0;
	}
	/* the VFs that exist now; the count's own undo says when it differs */
	for (i = 0; i < nwant; i++)
		if ((int)want[i].index < pf.numvfs)
			want[keep++] = want[i];
	r = kp_vfnl_open(&nl);
	if (r == 0) {
		char msg[200];

		r = kp_vfnl_restore(nl, pf.ifname, pf.totalvfs, want, keep, NULL, msg, sizeof(msg));
		if (r < 0)
			snprintf(why, n, "VF settings cannot be put back: %s", msg);
	} else {
		snprintf(why, n, "cannot open a netlink socket: %s", strerror(-r));
	}
	kp_vfnl_close(nl);
	free(want);
	return r < 0 ? -EIO : 0;
}
