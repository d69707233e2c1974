/* SPDX-License-Identifier: MIT */
/* Journal kind "link-snapshot": what a NIC had before kvmprep-bridge moved
 * it into a bridge (lib/netsnap.h, its on-disk form as the "snapshot" key);
 * undo gives it all back (addresses, routes, MTU, MAC, master, settings). */
#include "journal_kinds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "link.h"
#include "netsnap.h"

int kp_jundo_link_snapshot(const struct kp_jstep *s, char *why, size_t n)
{
	const char *ns = kp_jstep_get(s, "netns");
	struct kp_netsnap *snap = NULL;
	struct kp_nl *nl = NULL;
	json_object *j;
	struct stat st;
	int r;

	/* the snapshot is of a link in one network namespace: never undone in another */
	if (ns[0] && (stat("/proc/self/ns/net", &st) < 0 ||
		      strtoull(ns, NULL, 10) != (unsigned long long)st.st_ino)) {
		snprintf(why, n, "recorded in another network namespace (net:[%s])", ns);
		return -EIO;
	}
	j = json_tokener_parse(kp_jstep_get(s, "snapshot"));
	r = j ? kp_netsnap_from_json(j, &snap) : -EINVAL;
	json_object_put(j);
	if (r < 0) {
		snprintf(why, n, "its snapshot is unreadable");
		return -EIO;
	}
	r = kp_nl_new(&nl);
	if (r == 0)
		r = kp_netsnap_restore(nl, snap);
	kp_nl_free(nl);
	kp_netsnap_free(snap);
	if (r == -ENODEV)
		return 0; /* the NIC is gone: nothing to give back to */
	if (r < 0) {
		snprintf(why, n, "cannot be given back what it had: %s", strerror(-r));
		return -EIO;
	}
	return 0;
}
