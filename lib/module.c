/* SPDX-License-Identifier: MIT */
#include "module.h"
#include "root.h"
#include "sysfs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <libkmod.h>

struct kp_modctx {
	struct kmod_ctx *kmod;
	char dirname[PATH_MAX];
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
	ctx->kmod = kmod_new(ctx->dirname, ctx->conf_paths);
	if (!ctx->kmod) {
		free(ctx);
		return -ENOMEM;
	}
	kmod_set_log_fn(ctx->kmod, quiet_log, NULL);
	/* indexes are opened on demand; a missing one is no error here */
	kmod_load_resources(ctx->kmod);
	*ctxp = ctx;
	return 0;
}

void kp_mod_free(struct kp_modctx *ctx)
{
	if (!ctx)
		return;
	kmod_unref(ctx->kmod);
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

/* State of one module object. /sys/module is read here rather than through
 * kmod_module_get_initstate(), which calls a directory without initstate
 * "coming": the kernel gives every loadable module its initstate with its
 * directory, so a directory without one is built-in code (with parameters
 * or a version), whatever modules.builtin says. */
static enum kp_modstate one_state(struct kmod_module *mod)
{
	char path[PATH_MAX], buf[32];
	int r;

	r = snprintf(path, sizeof(path), "/sys/module/%s/initstate",
		     kmod_module_get_name(mod));
	if (r > 0 && (size_t)r < sizeof(path)) {
		r = kp_sysfs_read(path, buf, sizeof(buf));
		if (r >= 0)
			return KP_MOD_LOADED; /* live, coming or going */
		path[strlen(path) - strlen("/initstate")] = '\0';
		if (r == -ENOENT && kp_sysfs_exists(path))
			return KP_MOD_BUILTIN;
	}
	if (kmod_module_get_initstate(mod) == KMOD_MODULE_BUILTIN)
		return KP_MOD_BUILTIN; /* modules.builtin */
	if (kmod_module_get_path(mod))
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

int kp_mod_state(struct kp_modctx *ctx, const char *name, enum kp_modstate *state)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *mod;
	enum kp_modstate best = KP_MOD_MISSING;
	char norm[256];
	int r;

	if (!ctx || !state)
		return -EINVAL;
	r = normalise(name, norm, sizeof(norm));
	if (r < 0)
		return r;
	/* name or alias, through the indexes (modules.dep, .alias, .builtin) */
	r = kmod_module_new_from_lookup(ctx->kmod, norm, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		enum kp_modstate s;

		mod = kmod_module_get_module(l);
		s = one_state(mod);
		kmod_module_unref(mod);
		if (rank(s) > rank(best))
			best = s;
	}
	kmod_module_unref_list(list);
	/* a module the indexes do not know may still be loaded or built in
	 * (loaded from elsewhere, an index out of date): /sys/module says */
	if (best == KP_MOD_MISSING) {
		r = kmod_module_new_from_name(ctx->kmod, norm, &mod);
		if (r < 0)
			return r;
		best = one_state(mod);
		kmod_module_unref(mod);
	}
	*state = best;
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

int kp_mod_load(struct kp_modctx *ctx, const char *name)
{
	struct kmod_list *list = NULL, *l;
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
	if (st == KP_MOD_MISSING)
		return -ENOENT;
	r = kmod_module_new_from_lookup(ctx->kmod, norm, &list);
	if (r < 0)
		return r;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		/* modprobe's semantics: dependencies first, softdeps and
		 * install commands of the admin's modprobe.d honoured, a
		 * blacklist applies when the name is an alias only */
		r = kmod_module_probe_insert_module(mod,
				KMOD_PROBE_APPLY_BLACKLIST_ALIAS_ONLY,
				NULL, NULL, NULL, NULL);
		kmod_module_unref(mod);
		if (r == 0 || r == -EEXIST)
			loaded++;
		else if (!first_err)
			first_err = r > 0 ? -EPERM : r; /* >0: blacklisted */
	}
	kmod_module_unref_list(list);
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
