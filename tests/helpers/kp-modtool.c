/* SPDX-License-Identifier: MIT */
/*
 * kp-modtool: drives lib/module.c for tests/lib/module-*.t on fake hosts.
 *
 *   kp-modtool state NAME…         "NAME STATE" per name
 *   kp-modtool load NAME…          "NAME: ok" or "NAME: error: REASON" per name
 *   kp-modtool param NAME PARAM    the value
 *   kp-modtool dir                 the module directory in use
 *
 * Exit 0 when every call succeeded, 1 otherwise, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "module.h"

int main(int argc, char **argv)
{
	struct kp_modctx *ctx = NULL;
	int r, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: kp-modtool state|load|param|dir ...\n");
		return 2;
	}
	if (!strcmp(argv[1], "param")) {
		char buf[256];

		if (argc != 4)
			return 2;
		r = kp_mod_param(argv[2], argv[3], buf, sizeof(buf));
		if (r < 0) {
			printf("%s.%s: error: %s\n", argv[2], argv[3], strerror(-r));
			return 1;
		}
		printf("%s\n", buf);
		return 0;
	}
	r = kp_mod_new(&ctx);
	if (r < 0) {
		printf("error: %s\n", strerror(-r));
		return 1;
	}
	if (!strcmp(argv[1], "dir")) {
		printf("%s\n", kp_mod_dirname(ctx));
	} else if (!strcmp(argv[1], "state")) {
		for (int i = 2; i < argc; i++) {
			enum kp_modstate st;

			r = kp_mod_state(ctx, argv[i], &st);
			if (r < 0) {
				printf("%s error: %s\n", argv[i], strerror(-r));
				rc = 1;
			} else {
				printf("%s %s\n", argv[i], kp_modstate_name(st));
			}
		}
	} else if (!strcmp(argv[1], "load")) {
		for (int i = 2; i < argc; i++) {
			r = kp_mod_load(ctx, argv[i]);
			if (r < 0) {
				printf("%s: error: %s\n", argv[i], strerror(-r));
				rc = 1;
			} else {
				printf("%s: ok\n", argv[i]);
			}
		}
	} else {
		rc = 2;
	}
	kp_mod_free(ctx);
	return rc;
}
