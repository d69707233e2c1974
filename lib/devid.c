/* SPDX-License-Identifier: MIT */
#include "devid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define PCI_EXT_CAP_START 0x100
#define PCI_EXT_CAP_ID_DSN 0x0003

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int kp_pcidev_dsn(const char *bdf, char out[KP_DSN_LEN])
{
	unsigned char cfg[4096];
	char path[128];
	unsigned off = PCI_EXT_CAP_START;
	ssize_t got;
	int fd, hops;

	out[0] = '\0';
	if (snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", bdf) >= (int)sizeof(path))
		return -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENODEV : -errno;
	got = pread(fd, cfg, sizeof(cfg), 0);
	close(fd);
	if (got < 0)
		return -errno;
	/* conventional config space only (256 bytes): no extended
	 * capabilities; 64 bytes: the kernel shows the rest to root only */
	if (got == 256)
		return -ENOENT;
	if (got < 256)
		return -EACCES;
	/* the extended capability list, bounded like the kernel's walk */
	for (hops = 0; off >= PCI_EXT_CAP_START && off + 12 <= (unsigned)got && hops < 480; hops++) {
		uint32_t hdr = le32(cfg + off);

		if (hdr == 0 || hdr == 0xffffffff)
			break;
		if ((hdr & 0xffff) == PCI_EXT_CAP_ID_DSN) {
			uint32_t lo = le32(cfg + off + 4), hi = le32(cfg + off + 8);

			snprintf(out, KP_DSN_LEN, "%02x-%02x-%02x-%02x-%02x-%02x-%02x-%02x",
				 hi >> 24, (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff,
				 lo >> 24, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff);
			return 0;
		}
		off = (hdr >> 20) & 0xffc;
	}
	return -ENOENT;
}

int kp_dsn_check(const char *s)
{
	for (int i = 0; i < 23; i++) {
		char c = s[i];

		if (i % 3 == 2) {
			if (c != '-')
				return -EINVAL;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return -EINVAL;
		}
	}
	return s[23] == '\0' ? 0 : -EINVAL;
}
