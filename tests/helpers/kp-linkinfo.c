/* SPDX-License-Identifier: MIT */
/* kp-linkinfo IFNAME…: kp_link_usage() of each link as JSON, from one
 * kp_net context (tests/lib/net-usage.t runs it in a network namespace). */
#include <stdio.h>
#include <string.h>

#include "net.h"
#include "output.h"

int main(int argc, char **argv)
{
	struct kp_net *net = NULL;
	json_object *doc, *links;
	int r;

	if (argc < 2) {
		fprintf(stderr, "usage: kp-linkinfo IFNAME...\n");
		return 2;
	}
	r = kp_net_new(&net);
	if (r < 0) {
		fprintf(stderr, "kp-linkinfo: netlink: %s\n", strerror(-r));
		return 1;
	}
	doc = kp_json_doc("kp-linkinfo");
	links = json_object_new_array();
	for (int i = 1; i < argc; i++) {
		struct kp_link_usage u;
		json_object *o, *addrs;

		r = kp_link_usage(argv[i], net, &u);
		if (r < 0) {
			fprintf(stderr, "kp-linkinfo: %s: %s\n", argv[i], strerror(-r));
			return 1;
		}
		o = json_object_new_object();
		json_object_object_add(o, "ifname", json_object_new_string(argv[i]));
		json_object_object_add(o, "exists", json_object_new_boolean(u.exists));
		json_object_object_add(o, "ifindex", json_object_new_int(u.ifindex));
		json_object_object_add(o, "up", json_object_new_boolean(u.up));
		json_object_object_add(o, "naddrs", json_object_new_int(u.naddrs));
		addrs = json_object_new_array();
		for (int a = 0; a < u.naddrs_listed; a++)
			json_object_array_add(addrs, json_object_new_string(u.addrs[a]));
		json_object_object_add(o, "addrs", addrs);
		json_object_object_add(o, "nroutes", json_object_new_int(u.nroutes));
		json_object_object_add(o, "default_route", json_object_new_boolean(u.default_route));
		json_object_object_add(o, "master_ifindex", json_object_new_int(u.master_ifindex));
		json_object_object_add(o, "master", u.master[0] ? json_object_new_string(u.master) : NULL);
		json_object_object_add(o, "master_kind",
				       u.master_kind[0] ? json_object_new_string(u.master_kind) : NULL);
		json_object_object_add(o, "in_use", json_object_new_boolean(kp_link_in_use(&u)));
		json_object_array_add(links, o);
	}
	json_object_object_add(doc, "links", links);
	kp_json_print(doc, stdout);
	json_object_put(doc);
	kp_net_free(net);
	return 0;
}
