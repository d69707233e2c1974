/* SPDX-License-Identifier: MIT */
/*
 * mdevctl's callout scripts: /usr/lib/mdevctl/scripts.d/callouts and
 * /etc/mdevctl.d/scripts.d/callouts.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "root.h"

static const char *const dirs[] = {
	"/usr/lib/mdevctl/scripts.d/callouts",
	"/etc/mdevctl.d/scripts.d/callouts",
};

/* the first callout script installed, or 0 */
static int first_script(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char p[4096];
		DIR *d;
		struct dirent *e;

		if (kp_path(p, sizeof(p), dirs[i]) < 0 || !(d = opendir(p)))
			continue;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(buf, n, "%s/%s", dirs[i], e->d_name);
			closedir(d);
			return 1;
		}
		closedir(d);
	}
	return 0;
}

int callout_check(struct opts *o, const char *action, const char *parent, const char *type)
{
	char script[4200];

	if (!first_script(script, sizeof(script)))
		return 0;
	kp_err(parent, "cannot %s %s: mdevctl callout script %s is installed and kvmprep-mdev does not run callouts: use mdevctl for this parent",
	       action, type, script);
	return KP_EXIT_HOST;
}
