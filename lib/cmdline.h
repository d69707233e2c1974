/* SPDX-License-Identifier: MIT */
#ifndef KP_CMDLINE_H
#define KP_CMDLINE_H

#include <stddef.h>

/*
 * The kernel command line (/proc/cmdline, root prefix applied), split the
 * way the kernel's parse_args() does: words separated by spaces, double
 * quotes group, "--" ends the kernel's part (the rest belongs to init).
 * For a parameter given several times, the last one wins.
 */

/* Look key up in cmdline. 1 when present (val gets its value, "" for a bare
 * flag), 0 when absent, -ENAMETOOLONG when the value does not fit. Dashes
 * and underscores in key names are equivalent, as for the kernel. */
int kp_cmdline_get(const char *cmdline, const char *key, char *val, size_t n);

/* 1 when key's (last) value, read as a comma list, holds item; else 0.
 * kp_cmdline_has_item("intel_iommu=on,sm_on", "intel_iommu", "on") == 1 */
int kp_cmdline_has_item(const char *cmdline, const char *key, const char *item);

/* Read /proc/cmdline (prefixed), newline stripped. 0 or -errno; free *out. */
int kp_cmdline_read(char **out);

#endif
