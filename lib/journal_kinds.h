/* SPDX-License-Identifier: MIT */
#ifndef KP_JOURNAL_KINDS_H
#define KP_JOURNAL_KINDS_H

/*
 * Internal to the journal (lib/journal*.c): the kinds of steps and their
 * undo. Adding a kind: a row in kp_jkinds[] (lib/journal_kinds.c) and its
 * undo function in lib/journal_KIND.c.
 */

#include <stddef.h>

struct kp_jstep;

/* A step's value for key ("" when absent: the kinds' keys are checked
 * before any undo runs). */
const char *kp_jstep_get(const struct kp_jstep *s, const char *key);

struct kp_jkind {
	const char *name;
	/* the keys a step of this kind must carry (NULL-terminated) */
	const char *const *keys;
	/* its effect survives a reboot (undo it from another boot's record) */
	int survives_reboot;
	/* put back the state recorded in s; idempotent. 0, or -errno with why
	 * (one phrase, "still on vfio-pci") filled */
	int (*undo)(const struct kp_jstep *s, char *why, size_t n);
	/* the object the step is about, for messages ("0000:01:00.0") */
	const char *object_key;
};

extern const struct kp_jkind kp_jkinds[];
extern const size_t kp_njkinds;

const struct kp_jkind *kp_jkind_find(const char *name);

/* The caller's network namespace (the inode of /proc/self/ns/net, decimal)
 * for the "netns" key of the kinds that are about links. 0 or -errno. */
int kp_jnetns(char *buf, size_t n);

int kp_jundo_pci_driver(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_sysfs_attr(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_mdev(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_link(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_file(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_link_snapshot(const struct kp_jstep *s, char *why, size_t n);
int kp_jundo_vf_settings(const struct kp_jstep *s, char *why, size_t n);

#endif
