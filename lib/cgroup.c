/* SPDX-License-Identifier: MIT */
#include "cgroup.h"
#include "root.h"
#include "sysfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v1 controllers (mount options that name a controller) */
static const char *const v1_known[] = {
	"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio",
	"pids", "net_cls", "net_prio", "perf_event", "hugetlb", "rdma", "misc",
};

const char *kp_cg_layout_name(enum kp_cg_layout l)
{
	switch (l) {
	case KP_CG_V1: return "v1";
	case KP_CG_HYBRID: return "hybrid";
	case KP_CG_V2: return "v2";
	default: return "none";
	}
}

static void add_word(char *list, size_t n, const char *w)
{
	char pat[64];
	size_t len = strlen(list);

	if (!len) {
		snprintf(list, n, " ");
		len = 1;
	}
	snprintf(pat, sizeof(pat), " %s ", w);
	if (strstr(list, pat))
		return;
	snprintf(list + len, n - len, "%s ", w);
}

/* Undo the octal escapes of the mount table (\040 for a space). */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

int kp_cgroup_parse_mounts(const char *mounts, struct kp_cgroup *cg)
{
	char *dup, *line, *save;
	int v1 = 0;

	memset(cg, 0, sizeof(*cg));
	dup = strdup(mounts);
	if (!dup)
		return -ENOMEM;
	for (line = strtok_r(dup, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[256], dir[256], type[64], opts[512];

		if (sscanf(line, "%255s %255s %63s %511s", dev, dir, type, opts) != 4)
			continue;
		if (!strcmp(type, "cgroup2")) {
			if (!cg->v2_mount[0]) {
				unescape(dir);
				snprintf(cg->v2_mount, sizeof(cg->v2_mount), "%s", dir);
			}
		} else if (!strcmp(type, "cgroup")) {
			char *tok, *s2;

			v1 = 1;
			for (tok = strtok_r(opts, ",", &s2); tok; tok = strtok_r(NULL, ",", &s2)) {
				size_t i;

				for (i = 0; i < sizeof(v1_known) / sizeof(v1_known[0]); i++)
					if (!strcmp(tok, v1_known[i]))
						add_word(cg->v1_controllers,
							 sizeof(cg->v1_controllers), tok);
			}
		}
	}
	free(dup);
	if (v1 && cg->v2_mount[0])
		cg->layout = KP_CG_HYBRID;
	else if (v1)
		cg->layout = KP_CG_V1;
	else if (cg->v2_mount[0])
		cg->layout = KP_CG_V2;
	else
		cg->layout = KP_CG_NONE;
	return 0;
}

int kp_cgroup_read(struct kp_cgroup *cg)
{
	char *text, path[300], buf[256];
	int r;

	r = kp_read_file("/proc/self/mounts", &text, NULL);
	if (r == -ENOENT)
		r = kp_read_file("/proc/mounts", &text, NULL);
	if (r < 0)
		return r;
	r = kp_cgroup_parse_mounts(text, cg);
	free(text);
	if (r < 0 || !cg->v2_mount[0])
		return r;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", cg->v2_mount);
	if (kp_sysfs_read(path, buf, sizeof(buf)) >= 0) {
		char *tok, *save;

		cg->v2_controllers_known = 1;
		for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			add_word(cg->v2_controllers, sizeof(cg->v2_controllers), tok);
	}
	return 0;
}

static int has(const char *list, const char *w)
{
	char pat[64];

	snprintf(pat, sizeof(pat), " %s ", w);
	return strstr(list, pat) != NULL;
}

int kp_cgroup_v1_has(const struct kp_cgroup *cg, const char *ctrl)
{
	return has(cg->v1_controllers, ctrl);
}

int kp_cgroup_v2_has(const struct kp_cgroup *cg, const char *ctrl)
{
	return has(cg->v2_controllers, ctrl);
}
