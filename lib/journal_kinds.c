/* SPDX-License-Identifier: MIT */
/* The kinds of journal steps: one row each (see lib/journal_kinds.h). */
#include "journal_kinds.h"

#include <string.h>

static const char *const pci_keys[] = { "bdf", "driver", "driver_override", NULL };
static const char *const sysfs_keys[] = { "path", "value", NULL };
static const char *const mdev_keys[] = { "uuid", NULL };
static const char *const link_keys[] = { "name", NULL };
static const char *const file_keys[] = { "path", "absent", NULL };
static const char *const snap_keys[] = { "link", "snapshot", NULL };
static const char *const vfset_keys[] = { "pf", "ifname", "settings", NULL };

const struct kp_jkind kp_jkinds[] = {
	{ "pci-driver", pci_keys, 0, kp_jundo_pci_driver, "bdf" },
	{ "sysfs-attr", sysfs_keys, 0, kp_jundo_sysfs_attr, "path" },
	{ "mdev", mdev_keys, 0, kp_jundo_mdev, "uuid" },
	{ "link", link_keys, 0, kp_jundo_link, "name" },
	{ "file", file_keys, 1, kp_jundo_file, "path" },
	{ "link-snapshot", snap_keys, 0, kp_jundo_link_snapshot, "link" },
	{ "vf-settings", vfset_keys, 0, kp_jundo_vf_settings, "pf" },
};
const size_t kp_njkinds = sizeof(kp_jkinds) / sizeof(kp_jkinds[0]);

const struct kp_jkind *kp_jkind_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < kp_njkinds; i++)
		if (strcmp(kp_jkinds[i].name, name) == 0)
			return &kp_jkinds[i];
	return NULL;
}
