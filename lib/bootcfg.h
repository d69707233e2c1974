/* SPDX-License-Identifier: MIT */
#ifndef KP_BOOTCFG_H
#define KP_BOOTCFG_H

#include <stddef.h>

/*
 * The host's boot loader configuration, read from its files (root prefix
 * or target applied: lib/root.h, lib/target.h): which tool changes the
 * kernel command line, the exact command that adds or removes an argument,
 * and the arguments the next boot gets.
 *
 *   KP_BOOT_GRUBBY        grubby exists (Fedora, RHEL, their BLS entries)
 *   KP_BOOT_UPDATE_GRUB   /etc/default/grub and update-grub (Debian, Ubuntu)
 *   KP_BOOT_GRUB2_MKCONFIG /etc/default/grub and grub2-mkconfig (SUSE, …)
 *   KP_BOOT_BLS           /etc/kernel/cmdline or loader/entries, no grub
 *                         tool (systemd-boot: kernel-install)
 *   KP_BOOT_ZIPL          s390x: /etc/zipl.conf (or grubby's BLS) and zipl
 */
enum kp_boot {
	KP_BOOT_UNKNOWN,
	KP_BOOT_GRUBBY,
	KP_BOOT_UPDATE_GRUB,
	KP_BOOT_GRUB2_MKCONFIG,
	KP_BOOT_BLS,
	KP_BOOT_ZIPL,
};

/* Which one (s390x: nonzero for an s390x host). */
enum kp_boot kp_boot_detect(int s390x);
const char *kp_boot_name(enum kp_boot b);

/* The exact command (one shell line) that adds (add 1) or removes (add 0)
 * the kernel argument arg (KEY or KEY=VALUE, no spaces or quotes) for the
 * next boot, and regenerates what the boot loader reads. With a target
 * (--root DIR) the files are DIR's and the tools run with chroot DIR.
 * 0, -EINVAL (arg has a character that does not belong), -ENOENT (no
 * boot loader known: buf gets "" ), -ENAMETOOLONG. */
int kp_boot_arg_cmd(enum kp_boot b, int add, const char *arg, char *buf, size_t n);

/* The kernel arguments the next boot gets, from the configuration: BLS
 * entries' options (the newest entry; $kernelopts from grubenv), grub's
 * GRUB_CMDLINE_LINUX and GRUB_CMDLINE_LINUX_DEFAULT, zipl.conf's
 * parameters, /etc/kernel/cmdline. *out malloc'ed; where names the file.
 * 0, -ENOENT (none found), -ENOMEM. */
int kp_boot_cmdline(enum kp_boot b, char **out, char *where, size_t n);

#endif
