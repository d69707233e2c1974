/* SPDX-License-Identifier: MIT */
/* kp-inuse BDF…: lib/inuse.c's answer per device, one line each:
 *   "BDF: in use (KINDS): REASON, REASON" or "BDF: not in use"
 * Exit 0, or 1 when a call failed ("BDF: error: …"). */
#include <stdio.h>
#include <string.h>

#include "inuse.h"

int main(int argc, char **argv)
{
	struct kp_net *net = NULL;
	int rc = 0, r;

	r = kp_net_new(&net);
	if (r < 0) {
		printf("error: netlink: %s\n", strerror(-r));
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		struct kp_dev_usage u;

		r = kp_pcidev_usage(argv[i], net, &u);
		if (r < 0) {
			printf("%s: error: %s\n", argv[i], strerror(-r));
			rc = 1;
			continue;
		}
		if (!u.in_use) {
			printf("%s: not in use\n", argv[i]);
			continue;
		}
		printf("%s: in use (%s%s%s): %s\n", argv[i],
		       u.kinds & KP_USE_NET ? "net " : "",
		       u.kinds & KP_USE_BLOCK ? "block " : "",
		       u.kinds & KP_USE_DISPLAY ? "display " : "", u.reason);
		if (u.nreasons > KP_USAGE_REASONS_MAX)
			printf("%s: %d reasons\n", argv[i], u.nreasons);
	}
	kp_net_free(net);
	return rc;
}
