/* SPDX-License-Identifier: MIT */
#include "module.h"
#include "target.h"
#include "root.h"
#include "sysfs.h"

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

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

#define KP_MOD_NOTES 8

struct kp_modctx {
	struct kmod_ctx *kmod; /* NULL until a question needs libkmod */
	char release[256];
	char dirname[PATH_MAX];
	int live;              /* the running kernel's: /sys/module answers for it */
	char *conf_buf;        /* the vetted modprobe.d files, NUL-separated */
	const char **conf_paths; /* into conf_buf, NULL-terminated */
	int nnotes;
	char notes[KP_MOD_NOTES][PATH_MAX + 96];
	int tree; /* have_tree: 0 unknown, 1 there, -1 not */
};

/* The library never prints: libkmod's messages are dropped. */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
}

/* The running kernel's release: /proc/sys/kernel/osrelease (prefixed),
 * else uname(2). */
static int running_release(char *buf, size_t n)
{
	if (kp_read_line("/proc/sys/kernel/osrelease", buf, n) < 0 || !buf[0]) {
		struct utsname u;

		if (uname(&u) < 0)
			return -errno;
		snprintf(buf, n, "%s", u.release);
	}
	return 0;
}

int kp_mod_new_release(struct kp_modctx **ctxp, const char *release)
{
	char running[256], dir[PATH_MAX];
	struct kp_modctx *ctx;
	int r;

	if (!ctxp)
		return -EINVAL;
	r = running_release(running, sizeof(running));
	if (r < 0)
		return r;
	if (!release)
		release = running;
	if (!*release || strchr(release, '/') || !strcmp(release, ".") ||
	    !strcmp(release, "..") || strlen(release) >= sizeof(ctx->release))
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	snprintf(ctx->release, sizeof(ctx->release), "%s", release);
	/* under --root the running kernel is the installer's, never the
	 * target's, even when the release is the same */
	ctx->live = !kp_target()[0] && !strcmp(release, running);
	snprintf(dir, sizeof(dir), "/lib/modules/%s", release);
	r = kp_path(ctx->dirname, sizeof(ctx->dirname), dir);
	if (r < 0) {
		free(ctx);
		return r;
	}
	*ctxp = ctx;
	return 0;
}

int kp_mod_new(struct kp_modctx **ctxp)
{
	return kp_mod_new_release(ctxp, NULL);
}

const char *kp_mod_release(const struct kp_modctx *ctx)
{
	return ctx ? ctx->release : "";
}

int kp_mod_live(const struct kp_modctx *ctx)
{
	return ctx && ctx->live;
}

/* ---- the modprobe.d files libkmod is given --------------------------------
 *
 * libkmod's kmod_new() lists and parses the configuration directories
 * itself (libkmod-config.c, conf_files_list / kmod_config_new), with its
 * default logger on stderr, before kmod_set_log_fn() can reach the
 * context: a directory named *.conf prints "Directories inside directories
 * are not supported", an unreadable directory "opendir(…)", a bad line
 * "ignoring bad line", and a file it cannot open is dropped without a
 * word (a FIFO blocks the open forever). So the files are chosen here, by
 * libkmod's own rules, and libkmod is given each one by path (a config
 * path that is not a directory is one file, named by its basename, which
 * keeps the order and the override by name):
 *  - in each directory (/etc, /run, /usr/local/lib, /lib: libkmod 30's
 *    defaults, under the root prefix or the target), the names not
 *    starting with '.' and ending in .conf or .alias;
 *  - a name seen in an earlier directory wins (even when that file cannot
 *    be read: modprobe does the same);
 *  - a directory of such a name is skipped, as libkmod skips it, without
 *    a note: modprobe ignores it too, so it changes no answer;
 *  - a dangling link and /dev/null (a masked file) hold nothing: dropped
 *    without a note;
 *  - a file modprobe would read but this process cannot (no permission, an
 *    I/O error, not a regular file: a FIFO would block libkmod) is left
 *    out with a note (kp_mod_conf_note): its settings are missing from
 *    the answers.
 */

struct conf_cand {
	char name[256];
	char path[PATH_MAX];
	int use; /* 1: given to libkmod */
};

/* "PATH: cannot read: WHY (its module settings are left out here)", once
 * per context, at most KP_MOD_NOTES. */
static void note(struct kp_modctx *ctx, const char *path, const char *why)
{
	int w;

	if (ctx->nnotes >= KP_MOD_NOTES)
		return;
	w = snprintf(ctx->notes[ctx->nnotes], sizeof(ctx->notes[0]),
		     "%s: cannot read: %s (its module settings are left out here)", path, why);
	if (w > 0)
		ctx->nnotes++;
}

static int cand_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_cand *)a)->name, ((const struct conf_cand *)b)->name);
}

/* Whether a file of name n (in an earlier directory) is already there. */
static int cand_seen(const struct conf_cand *c, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return 1;
	return 0;
}

/* Judge one candidate (st from a stat that follows links, or serr its
 * errno): whether it goes to libkmod, with a note when it matters. */
static void cand_judge(struct kp_modctx *ctx, struct conf_cand *c, const struct stat *st, int serr)
{
	int fd;

	c->use = 0;
	if (serr) {
		if (serr != ENOENT) /* ENOENT: a dangling link, it holds nothing */
			note(ctx, c->path, strerror(serr));
		return;
	}
	if (S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3)
		return; /* /dev/null: a masked file, empty */
	if (!S_ISREG(st->st_mode)) {
		note(ctx, c->path, S_ISFIFO(st->st_mode) ? "a FIFO, not a file (modprobe would wait on it)"
						   : "not a regular file");
		return;
	}
	fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		note(ctx, c->path, strerror(errno));
		return;
	}
	close(fd);
	c->use = 1;
}

/* Room for candidate n in *c (grown by doubling): 1, or 0 when out of
 * memory (*c is kept). */
static int cand_room(struct conf_cand **c, size_t n, size_t *cap)
{
	struct conf_cand *nc;

	if (n < *cap)
		return 1;
	nc = realloc(*c, (*cap ? *cap * 2 : 16) * sizeof(**c));
	if (!nc)
		return 0;
	*c = nc;
	*cap = *cap ? *cap * 2 : 16;
	return 1;
}

/* ctx->conf_paths: the files libkmod is given. 0 or -ENOMEM. */
static int conf_vet(struct kp_modctx *ctx)
{
	static const char *const confdirs[] = {
		"/etc/modprobe.d", "/run/modprobe.d", "/usr/local/lib/modprobe.d", "/lib/modprobe.d",
	};
	struct conf_cand *c = NULL;
	size_t n = 0, cap = 0, len = 0, k = 0;
	int r = 0;

	for (size_t i = 0; r == 0 && i < sizeof(confdirs) / sizeof(confdirs[0]); i++) {
		char dir[PATH_MAX];
		struct dirent *e;
		struct stat st;
		DIR *d;

		if (kp_path(dir, sizeof(dir), confdirs[i]) < 0)
			continue;
		if (stat(dir, &st) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				note(ctx, dir, strerror(errno));
			continue;
		}
		if (!S_ISDIR(st.st_mode)) {
			/* libkmod reads a config path that is a file as one file */
			const char *base = strrchr(dir, '/') + 1;

			if (cand_seen(c, n, base))
				continue;
			if (!cand_room(&c, n, &cap)) {
				r = -ENOMEM;
				break;
			}
			snprintf(c[n].name, sizeof(c[n].name), "%s", base);
			snprintf(c[n].path, sizeof(c[n].path), "%s", dir);
			cand_judge(ctx, &c[n], &st, 0);
			n++;
			continue;
		}
		d = opendir(dir);
		if (!d) {
			note(ctx, dir, strerror(errno));
			continue;
		}
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);
			int serr = 0;

			if (e->d_name[0] == '.' || l < 6 ||
			    (strcmp(e->d_name + l - 5, ".conf") && strcmp(e->d_name + l - 6, ".alias")))
				continue;
			if (l >= sizeof(c[0].name) || cand_seen(c, n, e->d_name))
				continue;
			if (fstatat(dirfd(d), e->d_name, &st, 0) < 0)
				serr = errno;
			else if (S_ISDIR(st.st_mode))
				continue; /* skipped by libkmod (and modprobe), named nowhere */
			if (!cand_room(&c, n, &cap)) {
				r = -ENOMEM;
				break;
			}
			snprintf(c[n].name, sizeof(c[n].name), "%s", e->d_name);
			if (snprintf(c[n].path, sizeof(c[n].path), "%s/%s", dir, e->d_name) >=
			    (int)sizeof(c[n].path))
				continue; /* libkmod cannot open it either */
			cand_judge(ctx, &c[n], &st, serr);
			n++;
		}
		closedir(d);
	}
	if (r == 0 && n)
		qsort(c, n, sizeof(*c), cand_cmp);
	for (size_t i = 0; i < n; i++)
		if (c[i].use)
			len += strlen(c[i].path) + 1, k++;
	if (r == 0) {
		ctx->conf_buf = malloc(len ? len : 1);
		ctx->conf_paths = calloc(k + 1, sizeof(*ctx->conf_paths));
		if (!ctx->conf_buf || !ctx->conf_paths)
			r = -ENOMEM;
	}
	if (r == 0) {
		char *p = ctx->conf_buf;

		k = 0;
		for (size_t i = 0; i < n; i++) {
			if (!c[i].use)
				continue;
			strcpy(p, c[i].path);
			ctx->conf_paths[k++] = p;
			p += strlen(p) + 1;
		}
		ctx->conf_paths[k] = NULL;
	}
	free(c);
	return r;
}

int kp_mod_conf_note(const struct kp_modctx *ctx, size_t i, char *buf, size_t n)
{
	if (!ctx || !buf || !n)
		return -EINVAL;
	if (i >= (size_t)ctx->nnotes)
		return -ENOENT;
	snprintf(buf, n, "%s", ctx->notes[i]);
	return 0;
}

/* The context's libkmod context, made on first need. 0 or -errno. */
static int kmod(struct kp_modctx *ctx, struct kmod_ctx **kp)
{
	int r;

	if (!ctx->kmod) {
		FILE *saved, *sink;
		char *sunk = NULL;
		size_t sunk_len = 0;

		r = sym_load();
		if (r < 0)
			return r;
		if (!ctx->conf_paths && (r = conf_vet(ctx)) < 0)
			return r;
		/* kmod_new() logs to the FILE stderr is at the call (its
		 * default logger's data) until kmod_set_log_fn(): a memory
		 * stream takes what it says meanwhile (KMOD_LOG's level
		 * included), dropped. glibc's stderr is a variable one may
		 * set (its manual, "Standard Streams"); nothing else in the
		 * process prints during the call. */
		sink = open_memstream(&sunk, &sunk_len);
		saved = stderr;
		if (sink)
			stderr = sink;
		ctx->kmod = sym.new(ctx->dirname, ctx->conf_paths);
		if (ctx->kmod)
			sym.set_log_fn(ctx->kmod, quiet_log, NULL);
		stderr = saved;
		if (sink)
			fclose(sink);
		free(sunk);
		if (!ctx->kmod)
			return -ENOMEM;
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
	free(ctx->conf_buf);
	free(ctx->conf_paths);
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
static enum kp_modstate one_state(const struct kp_modctx *ctx, struct kmod_module *mod)
{
	enum kp_modstate st;

	if (ctx->live && sysfs_state(sym.module_get_name(mod), &st))
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
	/* loaded or built in: /sys/module answers, libkmod stays unloaded
	 * (the running kernel's only: another release's tree is judged
	 * from its own indexes) */
	if (ctx->live && sysfs_state(norm, state))
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
		s = one_state(ctx, mod);
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
		best = one_state(ctx, mod);
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
			out[*n].state = one_state(ctx, mod);
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
	if (kp_offline() || !ctx->live)
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

static int release_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int kp_mod_installed(char ***out, size_t *np)
{
	static const char *const bases[] = { "/lib/modules", "/usr/lib/modules" };
	char **v = NULL;
	size_t n = 0, cap = 0;

	if (!out || !np)
		return -EINVAL;
	*out = NULL;
	*np = 0;
	for (size_t b = 0; b < sizeof(bases) / sizeof(bases[0]); b++) {
		char dir[PATH_MAX];
		struct dirent *e;
		DIR *d;

		if (kp_path(dir, sizeof(dir), bases[b]) < 0 || !(d = opendir(dir)))
			continue;
		while ((e = readdir(d))) {
			struct stat st;
			char dep[PATH_MAX + 300];
			size_t i;

			if (e->d_name[0] == '.' || strlen(e->d_name) >= 256)
				continue;
			/* what modprobe needs to load anything of that kernel */
			snprintf(dep, sizeof(dep), "%s/%s/modules.dep.bin", dir, e->d_name);
			if (stat(dep, &st) < 0 || !S_ISREG(st.st_mode)) {
				snprintf(dep, sizeof(dep), "%s/%s/modules.dep", dir, e->d_name);
				if (stat(dep, &st) < 0 || !S_ISREG(st.st_mode))
					continue;
			}
			for (i = 0; i < n && strcmp(v[i], e->d_name); i++)
				;
			if (i < n)
				continue; /* /lib is /usr/lib (merged /usr) */
			if (n == cap) {
				char **nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));

				if (!nv)
					goto oom;
				v = nv;
			}
			if (!(v[n] = strdup(e->d_name)))
				goto oom;
			n++;
			continue;
oom:
			closedir(d);
			kp_mod_installed_free(v, n);
			return -ENOMEM;
		}
		closedir(d);
	}
	if (n)
		qsort(v, n, sizeof(*v), release_cmp);
	*out = v;
	*np = n;
	return 0;
}

void kp_mod_installed_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}
