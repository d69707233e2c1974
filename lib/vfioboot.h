/* SPDX-License-Identifier: MIT */
#ifndef KP_VFIOBOOT_H
#define KP_VFIOBOOT_H

#include <stddef.h>

#include "pci.h"
#include "persist.h"

/*
 * Drivers that come first. A host driver built into the kernel, in the
 * initramfs or loaded before udev runs binds a persisted device before the
 * udev rule can set driver_override (dracut and initramfs-tools copy a
 * fixed set of rules into the initramfs). What makes vfio-pci win there:
 *
 *  - a module host driver: /etc/modprobe.d/kvmprep-vfio.conf with
 *    "softdep DRIVER pre: vfio-pci" (modprobe loads vfio-pci first, in the
 *    initramfs too, whose modprobe.d is the host's copy) and "options
 *    vfio-pci ids=…" for the ids every device of which is persisted to
 *    vfio-pci (vfio-pci then claims them as it loads; an id shared with a
 *    device the host keeps is left out, narrowed to subsystem ids where
 *    those differ);
 *  - vfio-pci in the initramfs, through the host's initramfs tool's own
 *    configuration (initramfs-tools: a hook that adds the modules; dracut:
 *    force_drivers in dracut.conf.d; mkinitcpio: MODULES in
 *    mkinitcpio.conf.d), and the command that regenerates it (printed,
 *    never run);
 *  - a built-in host driver: no module option reaches it; the kernel
 *    argument vfio-pci.ids= would (for every device with that id), else
 *    kvmprep-vfio.service moves the device after boot.
 */

#define KP_VFIO_MODPROBE "/etc/modprobe.d/kvmprep-vfio.conf"

struct kp_boot_dev {
	char bdf[13];
	char host[32];     /* the host driver, "" when not known */
	char module[192];  /* the host modules that claim it at boot (the
			    * recorded driver's, and every module its modalias
			    * loads), space-separated; "" none */
	int builtin;       /* a driver built into the kernel claims it */
	char builtin_name[64]; /* that driver (or built-in module), "" unknown */
	char builtin_in[256]; /* the kernels it is built into, ", "-separated */
	char ids[48];      /* what vfio-pci is given: "VVVV:DDDD[:SSSS:SSSS]", "" none */
	char shared[13];   /* a device the host keeps with the same ids ("" none) */
};

/* What a plan judged, for the tool's messages. */
struct kp_boot_info {
	char kernels[512];  /* the kernels whose modules were judged, ", "-separated */
	size_t installed;   /* of them, installed (/lib/modules/R/modules.dep) */
	int nnotes;         /* modprobe.d files left out (kp_mod_conf_note) */
	char notes[8][4200];
};

/* For every entry bound to vfio-pci: its host driver's kind and the id
 * vfio-pci may claim it by (pci: every device of the host, identity and
 * driver). The host modules are judged in every kernel that may boot
 * (see host_modules in vfioboot.c): online the running kernel and every
 * installed one; --offline and --root every kernel installed in the root
 * (the modules.alias of each, through libkmod). *out (malloc'ed, *n of
 * them); info (may be NULL) gets what was judged. 0 or -errno. */
int kp_boot_plan(const struct kp_persist_entry *e, size_t ne, struct kp_pci *pci,
		 struct kp_boot_dev **out, size_t *n, struct kp_boot_info *info);

/* The modprobe.d text for a plan (malloc'ed), NULL with errno 0 when
 * nothing needs it (no module host driver), NULL with errno ENOMEM. */
char *kp_boot_modprobe_text(const struct kp_boot_dev *d, size_t n);

enum kp_initramfs_tool {
	KP_INITRAMFS_NONE,
	KP_INITRAMFS_TOOLS, /* Debian, Ubuntu */
	KP_INITRAMFS_DRACUT, /* Fedora, RHEL, openSUSE */
	KP_INITRAMFS_MKINITCPIO, /* Arch */
};

/* The host's initramfs tool (root prefix applied), by its program and
 * configuration. */
enum kp_initramfs_tool kp_initramfs_tool(void);
const char *kp_initramfs_name(enum kp_initramfs_tool t);
/* The command that regenerates every installed kernel's initramfs. */
const char *kp_initramfs_command(enum kp_initramfs_tool t);
/* The tool's configuration file that puts vfio-pci (and the modprobe.d
 * file) in the initramfs, its mode and text. NULL for NONE. */
const char *kp_initramfs_conf_path(enum kp_initramfs_tool t);
int kp_initramfs_conf_mode(enum kp_initramfs_tool t);
const char *kp_initramfs_conf_text(enum kp_initramfs_tool t);

/* 1 when a vfio-pci ids= value ("VVVV:DDDD[:SSSS:SSSS[:CCCCCC:MMMMMM]]",
 * comma-separated, as vfio-pci parses it; ffffffff matches any) claims
 * the device, else 0. */
int kp_vfio_ids_claim(const char *ids, const struct kp_pcidev *d);

#endif
