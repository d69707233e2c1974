/* SPDX-License-Identifier: MIT */
#ifndef KP_MODULE_H
#define KP_MODULE_H

#include <stddef.h>

/*
 * Kernel module state and loading, over libkmod. The module directory is
 * /lib/modules/RELEASE under the root prefix, RELEASE read from
 * /proc/sys/kernel/osrelease (prefixed), else uname(2). Module state is read
 * from /sys/module (plain path).
 *
 * libkmod (libkmod.so.2) is opened with dlopen(3) on first need, not linked:
 * a loaded or built-in module is answered from /sys/module and a host
 * without the module directory has every other module missing, both
 * without it. When it cannot be opened, what needs it (alias lookup,
 * available vs missing, loading) fails with -EOPNOTSUPP.
 */

enum kp_modstate {
	KP_MOD_MISSING,   /* neither loaded, built in, nor installed */
	KP_MOD_AVAILABLE, /* installed, not loaded */
	KP_MOD_LOADED,    /* loaded (live) */
	KP_MOD_BUILTIN,   /* built into the kernel */
};

struct kp_modctx;

/* The running kernel's modules. 0 or -errno. */
int kp_mod_new(struct kp_modctx **ctx);
/* Another installed kernel's (/lib/modules/RELEASE under the root prefix
 * or the target; NULL: the running kernel's). Only the running kernel's
 * context, and not under --root (whose running kernel is the
 * installer's), asks /sys/module: another's answers come from its own
 * indexes (modules.dep, .alias, .builtin), and it loads nothing
 * (kp_mod_load: -EROFS). 0 or -errno (-EINVAL: a release with '/'). */
int kp_mod_new_release(struct kp_modctx **ctx, const char *release);
void kp_mod_free(struct kp_modctx *ctx);
/* The context's release. */
const char *kp_mod_release(const struct kp_modctx *ctx);

/* The kernels installed (root prefix or target applied): the names under
 * /lib/modules and /usr/lib/modules whose directory has modules.dep(.bin),
 * what modprobe needs to load anything of theirs; sorted by version
 * (strverscmp), once each. *out malloc'ed (kp_mod_installed_free), *n of
 * them (0: none). 0 or -errno. */
int kp_mod_installed(char ***out, size_t *n);
void kp_mod_installed_free(char **v, size_t n);

/* The modprobe.d configuration (/etc, /run, /usr/local/lib, /lib
 * modprobe.d, libkmod 30's) is read the way libkmod and modprobe read it,
 * but chosen here (libkmod's own parser would print on stderr before the
 * context can be told not to): a file modprobe would read and this process
 * cannot (permissions, an I/O error, a FIFO) is left out of what libkmod
 * is given, and noted; a directory among the files, a dangling link or a
 * masked file (/dev/null) is skipped without a note, as modprobe skips it;
 * a bad line is ignored as modprobe ignores it, and libkmod's own words
 * about it are dropped. Once a question needed libkmod, the i-th note
 * ("PATH: cannot read: reason (its module settings are left out here)") into buf: 0, or -ENOENT past the
 * last. A tool prints each once (a warning). */
int kp_mod_conf_note(const struct kp_modctx *ctx, size_t i, char *buf, size_t n);

/* The module directory in use, root prefix included
 * ("/lib/modules/6.1.0-18-amd64"), for messages. */
const char *kp_mod_dirname(const struct kp_modctx *ctx);

/* State of a module by name or alias ("vfio-pci" and "vfio_pci" alike).
 * 0 or -errno. */
int kp_mod_state(struct kp_modctx *ctx, const char *name, enum kp_modstate *state);
const char *kp_modstate_name(enum kp_modstate s); /* "missing", "available", … */

/* The modules that claim a device by its modalias
 * ("pci:v00008086d000010D3sv…"), as udev's modprobe of that alias would
 * load them: modules.alias, the built-in modules' aliases
 * (modules.builtin.alias, from modules.builtin.modinfo) and the admin's
 * modprobe.d alias lines, through libkmod, whether or not the module is
 * loaded. Up to max of them into out (name as the kernel spells it, state),
 * *n the count. 0 or -errno (-EOPNOTSUPP: no libkmod). */
struct kp_modmatch {
	char name[64];
	enum kp_modstate state;
};
int kp_mod_by_alias(struct kp_modctx *ctx, const char *modalias, struct kp_modmatch *out,
		    size_t max, size_t *n);

/* Load a module and its dependencies (modprobe semantics; a module already
 * loaded or built in is success; the admin's modprobe.d options, softdeps
 * and install commands apply; a blacklist applies only when NAME is an
 * alias, as with modprobe). 0 or -errno (-ENOENT: not installed, -EPERM:
 * blacklisted, else the kernel's error from finit_module). */
int kp_mod_load(struct kp_modctx *ctx, const char *name);

/* /sys/module/NAME/parameters/PARAM, newline stripped. Length or -errno. */
int kp_mod_param(const char *name, const char *param, char *buf, size_t n);

#endif
