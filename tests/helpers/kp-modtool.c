/* SPDX-License-Identifier: MIT */
/*
 * kp-modtool: drives lib/module.c for tests/lib/module-*.t on fake hosts.
 *
 *   kp-modtool state NAME…         "NAME STATE" per name
 *   kp-modtool load NAME…          "NAME: ok" or "NAME: error: REASON" per name
 *   kp-modtool param NAME PARAM    the value
 *   kp-modtool dir                 the module directory in use
 *
 * With -m first, a last line says whether libkmod is mapped into the
 * process afterwards ("libkmod: mapped" / "libkmod: not mapped", from
 * /proc/self/maps): lib/module.c opens it only when a question needs it.
 *
 * Exit 0 when every call succeeded, 1 otherwise, 2 usage.
 */
#include <stdio.h>
#include <string.h>

#include "module.h"

/* 1 when a libkmod.so is mapped into this process, 0 if not, -1 unknown */
static int kmod_mapped(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/libkmod.so"))
			found = 1;
	fclose(f);
	return found;
}

static int run(int argc, char **argv);

int main(int argc, char **argv)
{
	int rc, maps = 0;

	if (argc > 1 && !strcmp(argv[1], "-m")) {
		maps = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: kp-modtool [-m] state|load|param|dir ...\n");
		return 2;
	}
	rc = run(argc, argv);
	if (maps) {
		int m = kmod_mapped();

		printf("libkmod: %s\n", m < 0 ? "unknown" : m ? "mapped" : "not mapped");
		if (m < 0 && rc == 0)
			rc = 1;
	}
	return rc;
}

static int run(int argc, char **argv)
{
	struct kp_modctx *ctx = NULL;
	int r, rc = 0;

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
