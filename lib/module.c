/* SPDX-License-Identifier: MIT */
#include "module.h"
#include "target.h"
#include "root.h"
#include "sysfs.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

/* For the types and prototypes only: libkmod is opened with dlopen(3) on
 * first need, so that a tool that never asks it (every module in question
 * loaded, built in, or no module tree at all) neither maps it nor the
 * libcrypto, libzstd and liblzma it needs (about 1.6 MiB of RSS). */
#include <libkmod.h>

#define KP_KMOD_SONAME "libkmod.so.2"

/* Every libkmod function this file calls; sym.F has kmod_F's exact type,
 * so a signature that differs from the header is a compile error. */
#define KP_KMOD_SYMBOLS(X)                  \
	X(new)                              \
	X(unref)                            \
	X(set_log_fn)                       \
	X(load_resources)                   \
	X(list_next)                        \
	X(module_new_from_lookup)           \
	X(module_new_from_name)             \
	X(module_get_module)                \
	X(module_unref)                     \
	X(module_unref_list)                \
	X(module_get_name)                  \
	X(module_get_initstate)             \
	X(module_get_path)                  \
	X(module_probe_insert_module)       \
	X(module_insert_module)             \
	X(module_get_options)

static struct {
#define KP_KMOD_MEMBER(f) typeof(kmod_##f) *f;
	KP_KMOD_SYMBOLS(KP_KMOD_MEMBER)
#undef KP_KMOD_MEMBER
} sym;

/* From here on, a direct call would link libkmod again: refuse to compile. */
#pragma GCC poison kmod_new kmod_unref kmod_set_log_fn kmod_load_resources
#pragma GCC poison kmod_list_next kmod_module_new_from_lookup
#pragma GCC poison kmod_module_new_from_name kmod_module_get_module
#pragma GCC poison kmod_module_unref kmod_module_unref_list kmod_module_get_name
#pragma GCC poison kmod_module_get_initstate kmod_module_get_path
#pragma GCC poison kmod_module_probe_insert_module kmod_module_insert_module
#pragma GCC poison kmod_module_get_options

static pthread_once_t sym_once = PTHREAD_ONCE_INIT;
static int sym_err = -EOPNOTSUPP;

/* Once per process; the library stays mapped (like systemd's
 * dlopen_libkmod(): its objects may outlive any one context). */
static void sym_open(void)
{
	void *dl = dlopen(KP_KMOD_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!dl)
		return; /* sym_err stays -EOPNOTSUPP */
#define KP_KMOD_RESOLVE(f)                                              \
	if (!(sym.f = (typeof(sym.f))dlsym(dl, "kmod_" #f))) {          \
		memset(&sym, 0, sizeof(sym));                           \
		dlclose(dl);                                            \
		return;                                                 \
	}
	KP_KMOD_SYMBOLS(KP_KMOD_RESOLVE)
#undef KP_KMOD_RESOLVE
	sym_err = 0;
}

/* 0 once libkmod's functions are in sym, else -EOPNOTSUPP. */
static int sym_load(void)
{
	int r = pthread_once(&sym_once, sym_open);

	return r ? -r : sym_err;
}

struct kp_modctx {
	struct kmod_ctx *kmod; /* NULL until a question needs libkmod */
	char dirname[PATH_MAX];
	int tree; /* have_tree: 0 unknown, 1 there, -1 not */
	char conf[3][PATH_MAX];
	const char *conf_paths[4];
};

/* The library never prints: libkmod's messages are dropped. */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
}

int kp_mod_new(struct kp_modctx **ctxp)
{
	static const char *const confdirs[3] = {
		"/etc/modprobe.d", "/run/modprobe.d", "/lib/modprobe.d",
	};
	char release[256], dir[PATH_MAX];
	struct kp_modctx *ctx;
	int r;

	if (!ctxp)
		return -EINVAL;
	if (kp_read_line("/proc/sys/kernel/osrelease", release, sizeof(release)) < 0 ||
	    !release[0]) {
		struct utsname u;

		if (uname(&u) < 0)
			return -errno;
		snprintf(release, sizeof(release), "%s", u.release);
	}
	if (strchr(release, '/'))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	r = kp_path(ctx->dirname, sizeof(ctx->dirname), dir);
	for (int i = 0; r == 0 && i < 3; i++) {
		r = kp_path(ctx->conf[i], sizeof(ctx->conf[i]), confdirs[i]);
		ctx->conf_paths[i] = ctx->conf[i];
	}
	if (r < 0) {
		free(ctx);
		return r;
	}
	ctx->conf_paths[3] = NULL;
	*ctxp = ctx;
	return 0;
}

/* The context's libkmod context, made on first need. 0 or -errno. */
static int kmod(struct kp_modctx *ctx, struct kmod_ctx **kp)
{
	int r;

	if (!ctx->kmod) {
		r = sym_load();
		if (r < 0)
			return r;
		ctx->kmod = sym.new(ctx->dirname, ctx->conf_paths);
		if (!ctx->kmod)
			return -ENOMEM;
		sym.set_log_fn(ctx->kmod, quiet_log, NULL);
		/* indexes are opened on demand; a missing one is no error here */
		sym.load_resources(ctx->kmod);
	}
	*kp = ctx->kmod;
	return 0;
}

void kp_mod_free(struct kp_modctx *ctx)
{
	if (!ctx)
		return;
	if (ctx->kmod)
		sym.unref(ctx->kmod);
	free(ctx);
}

/* A module's name as the kernel spells it: '-' becomes '_'. */
static int normalise(const char *name, char *out, size_t n)
{
	size_t len;

	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	len = strlen(name);
	if (len >= n)
		return -ENAMETOOLONG;
	for (size_t i = 0; i <= len; i++)
		out[i] = name[i] == '-' ? '_' : name[i];
	return 0;
}

/* What /sys/module says about a module by its kernel name, without
 * libkmod: 1 with *state set when it knows, 0 when it does not (no such
 * directory, or initstate unreadable). Any initstate ("live", "coming",
 * "going") is loaded; kmod_module_get_initstate() calls a directory without
 * initstate "coming", but the kernel gives every loadable module its
 * initstate with its directory, so a directory without one is built-in code
 * (with parameters or a version), whatever modules.builtin says. */
static int sysfs_state(const char *name, enum kp_modstate *state)
{
	char path[PATH_MAX], buf[32];
	int r;

	r = snprintf(path, sizeof(path), "/sys/module/%s/initstate", name);
	if (r < 0 || (size_t)r >= sizeof(path))
		return 0;
	r = kp_sysfs_read(path, buf, sizeof(buf));
	if (r >= 0) {
		*state = KP_MOD_LOADED; /* live, coming or going */
		return 1;
	}
	path[strlen(path) - strlen("/initstate")] = '\0';
	if (r == -ENOENT && kp_sysfs_exists(path)) {
		*state = KP_MOD_BUILTIN;
		return 1;
	}
	return 0;
}

/* State of one module object: /sys/module first, then the indexes. */
static enum kp_modstate one_state(struct kmod_module *mod)
{
	enum kp_modstate st;

	if (sysfs_state(sym.module_get_name(mod), &st))
		return st;
	if (sym.module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		return KP_MOD_BUILTIN; /* modules.builtin */
	if (sym.module_get_path(mod))
		return KP_MOD_AVAILABLE;
	return KP_MOD_MISSING;
}

/* The better of two states: loaded/builtin beat available beat missing. */
static int rank(enum kp_modstate s)
{
	switch (s) {
	case KP_MOD_LOADED:
	case KP_MOD_BUILTIN:
		return 2;
	case KP_MOD_AVAILABLE:
		return 1;
	default:
		return 0;
	}
}

/* Whether the module directory exists: without it, nothing is installed
 * and libkmod has nothing to say (an alias of the admin's modprobe.d
 * aside, which could only name a module /sys/module does not have). */
static int have_tree(struct kp_modctx *ctx)
{
	struct stat st;

	if (!ctx->tree)
		ctx->tree = stat(ctx->dirname, &st) == 0 && S_ISDIR(st.st_mode) ? 1 : -1;
	return ctx->tree > 0;
}

int kp_mod_state(struct kp_modctx *ctx, const char *name, enum kp_modstate *state)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *mod;
	struct kmod_ctx *k;
	enum kp_modstate best = KP_MOD_MISSING;
	char norm[256];
	int r;

	if (!ctx || !state)
		return -EINVAL;
	r = normalise(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	/* loaded or built in: /sys/module answers, libkmod stays unloaded */
	if (sysfs_state(norm, state))
		return 0;
	if (!have_tree(ctx)) {
		*state = KP_MOD_MISSING;
		return 0;
	}
	r = kmod(ctx, &k);
	if (r < 0)
		return r;
	/* name or alias, through the indexes (modules.dep, .alias, .builtin) */
	r = sym.module_new_from_lookup(k, norm, &list);
	if (r < 0)
		return r;
	for (l = list; l; l = sym.list_next(list, l)) {
		enum kp_modstate s;

		mod = sym.module_get_module(l);
		s = one_state(mod);
		sym.module_unref(mod);
		if (rank(s) > rank(best))
			best = s;
	}
	sym.module_unref_list(list);
	/* a module the indexes do not know may still be built in per
	 * modules.builtin under a name the lookup missed: ask by name */
	if (best == KP_MOD_MISSING) {
		r = sym.module_new_from_name(k, norm, &mod);
		if (r < 0)
			return r;
		best = one_state(mod);
		sym.module_unref(mod);
	}
	*state = best;
	return 0;
}

int kp_mod_by_alias(struct kp_modctx *ctx, const char *modalias, struct kp_modmatch *out,
		    size_t max, size_t *n)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_ctx *k;
	int r;

	if (!ctx || !modalias || !*modalias || !n || (max && !out))
		return -EINVAL;
	*n = 0;
	if (!have_tree(ctx))
		return 0; /* nothing installed, no index to ask */
	r = kmod(ctx, &k);
	if (r < 0)
		return r;
	r = sym.module_new_from_lookup(k, modalias, &list);
	if (r < 0)
		return r;
	for (l = list; l; l = sym.list_next(list, l)) {
		struct kmod_module *mod = sym.module_get_module(l);
		const char *name = sym.module_get_name(mod);
		size_t i;

		for (i = 0; i < *n; i++)
			if (!strcmp(out[i].name, name))
				break;
		if (i == *n && *n < max && strlen(name) < sizeof(out[0].name)) {
			snprintf(out[*n].name, sizeof(out[0].name), "%s", name);
			out[*n].state = one_state(mod);
			(*n)++;
		}
		sym.module_unref(mod);
	}
	sym.module_unref_list(list);
	return 0;
}

const char *kp_modstate_name(enum kp_modstate s)
{
	switch (s) {
	case KP_MOD_MISSING:
		return "missing";
	case KP_MOD_AVAILABLE:
		return "available";
	case KP_MOD_LOADED:
		return "loaded";
	case KP_MOD_BUILTIN:
		return "builtin";
	}
	return "unknown";
}

/* libkmod's run_install under a root prefix: the command is never run;
 * the module goes in as if it had none (KMOD_PROBE_IGNORE_COMMAND covers
 * only the module asked for, not its dependencies, which is why this
 * callback is needed at all). */
static int insert_instead(struct kmod_module *m, const char *cmdline, void *data)
{
	int r;

	(void)cmdline;
	(void)data;
	r = sym.module_insert_module(m, 0, sym.module_get_options(m));
	return r == -EEXIST ? 0 : r;
}

int kp_mod_load(struct kp_modctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_ctx *k;
	enum kp_modstate st;
	char norm[256];
	int r, loaded = 0, first_err = 0;

	if (!ctx)
		return -EINVAL;
	r = normalise(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	r = kp_mod_state(ctx, norm, &st);
	if (r < 0)
		return r;
	if (st == KP_MOD_LOADED || st == KP_MOD_BUILTIN)
		return 0;
	/* --offline / --root: nothing is loaded, so no modprobe.d install
	 * command of the target's runs here (lib/target.h) */
	if (kp_offline())
		return -EROFS;
	if (st == KP_MOD_MISSING)
		return -ENOENT;
	r = kmod(ctx, &k);
	if (r < 0)
		return r;
	r = sym.module_new_from_lookup(k, norm, &list);
	if (r < 0)
		return r;
	for (l = list; l; l = sym.list_next(list, l)) {
		struct kmod_module *mod = sym.module_get_module(l);

		/* modprobe's semantics: dependencies first, softdeps and
		 * install commands of the admin's modprobe.d honoured, a
		 * blacklist applies when the name is an alias only. With a
		 * root prefix, modprobe.d is another system's (a kickstart
		 * target, a captured or fake host): its install commands
		 * must never run on this one: libkmod is told to ignore them
		 * and gets a run_install that inserts the module instead of
		 * its system(3) (dependencies' commands reach it) */
		r = sym.module_probe_insert_module(mod,
				KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY |
					(kp_root()[0] ? KMOD_PROBE_IGNORE_COMMAND : 0),
				NULL, kp_root()[0] ? insert_instead : NULL, NULL, NULL);
		sym.module_unref(mod);
		if (r == 0 || r == -EEXIST)
			loaded++;
		else if (!first_err)
			first_err = r > 0 ? -EPERM : r; /* >0: blacklisted */
	}
	sym.module_unref_list(list);
	if (loaded)
		return 0;
	return first_err ? first_err : -ENOENT;
}

int kp_mod_param(const char *name, const char *param, char *buf, size_t n)
{
	char norm[256], path[PATH_MAX];
	int r;

	if (!param || !*param || strchr(param, '/'))
		return -EINVAL;
	r = normalise(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	r = snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", norm, param);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	return kp_sysfs_read(path, buf, n);
}

const char *kp_mod_dirname(const struct kp_modctx *ctx)
{
	return ctx ? ctx->dirname : "";
}
