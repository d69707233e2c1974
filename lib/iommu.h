/* SPDX-License-Identifier: MIT */
#ifndef KP_IOMMU_H
#define KP_IOMMU_H

#include <stddef.h>

/* IOMMU groups, read from /sys/kernel/iommu_groups. */

struct kp_iommu_group {
	int id;
	size_t ndevices;
	char (*devices)[16]; /* PCI addresses "0000:01:00.0", sorted */
};

/* Every group, sorted by id. 0, or -errno (-ENOENT: the kernel has no
 * IOMMU groups, i.e. no IOMMU is enabled). *groups may be NULL when n is 0. */
int kp_iommu_groups(struct kp_iommu_group **groups, size_t *n);
void kp_iommu_groups_free(struct kp_iommu_group *groups, size_t n);

#endif
