/* SPDX-License-Identifier: MIT */
/*
 * fh-write: one sysfs store the way the tools make it (kp_sysfs_write: one
 * write(2) on a fresh fd), for the kernel model's tests. A shell's echo
 * cannot show the kernel's errno (dash says "I/O error" for any).
 *
 *   fh-write PATH VALUE      VALUE is written as given (no newline added)
 *
 * Prints "ok", or "ERRNO_NAME (strerror)"; exits 0, or 1 on an error.
 */
#include <stdio.h>
#include <string.h>

#include "sysfs.h"

int main(int argc, char **argv)
{
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: fh-write PATH VALUE\n");
		return 2;
	}
	r = kp_sysfs_write(argv[1], argv[2]);
	if (r < 0) {
		printf("%s (%s)\n", strerrorname_np(-r), strerror(-r));
		return 1;
	}
	printf("ok\n");
	return 0;
}
