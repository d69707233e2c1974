/* SPDX-License-Identifier: MIT */
/*
 * libkmod over a module tree built here: tiny ELF objects carrying a
 * .modinfo section, indexed by the real depmod -b ROOT. Nothing here loads
 * a module (that would reach the machine's kernel): loading is tested on
 * fake hosts (tests/lib/module-*.t).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "module.h"

#define REL "9.9.9-kptest"
static char root[] = "/tmp/kp-module-test.XXXXXX";

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A relocatable object with a .modinfo section is all depmod needs. */
static int fake_ko(const char *name, const char *alias)
{
	char src[512];
	FILE *f;

	snprintf(src, sizeof(src), "%s/m.c", root);
	f = fopen(src, "w");
	if (!f)
		return -1;
	fprintf(f, "__attribute__((section(\".modinfo\"), used)) static const char mi[] = "
		   "\"alias=%s\\0name=%s\\0license=GPL\\0vermagic=" REL " SMP mod_unload \";\n",
		alias, name);
	fclose(f);
	return sh("cd '%s' && ${CC:-cc} -c m.c -o lib/modules/" REL "/kernel/%s.ko && rm m.c",
		  root, name);
}

static int setup(void **state)
{
	if (!mkdtemp(root))
		return -1;
	if (sh("mkdir -p '%s/lib/modules/" REL "/kernel' '%s/proc/sys/kernel' && "
	       "echo " REL " > '%s/proc/sys/kernel/osrelease' && "
	       "echo kernel/drivers/kpfake_builtin.ko > '%s/lib/modules/" REL "/modules.builtin'",
	       root, root, root, root) != 0)
		return -1;
	if (fake_ko("kpfake_one", "kp-fake-alias") != 0 ||
	    fake_ko("kpfake_two", "kpfake_twin") != 0)
		return -1;
	if (sh("PATH=$PATH:/sbin:/usr/sbin depmod -b '%s' " REL " 2>/dev/null", root) != 0)
		return -1;
	setenv("KVMPREP_ROOT", root, 1);
	return 0;
}

static int teardown(void **state)
{
	unsetenv("KVMPREP_ROOT");
	if (getenv("KP_KEEP")) return 0;
	return sh("rm -rf '%s'", root) == 0 ? 0 : -1;
}

static enum kp_modstate state_of(struct kp_modctx *ctx, const char *name)
{
	enum kp_modstate st = (enum kp_modstate)-1;
	int r = kp_mod_state(ctx, name, &st);

	if (r != 0)
		fail_msg("kp_mod_state(%s): %d", name, r);
	return st;
}

static void test_dirname_from_osrelease(void **state)
{
	struct kp_modctx *ctx = NULL;
	char want[256];

	assert_int_equal(kp_mod_new(&ctx), 0);
	snprintf(want, sizeof(want), "%s/lib/modules/" REL, root);
	assert_string_equal(kp_mod_dirname(ctx), want);
	kp_mod_free(ctx);
}

static void test_dirname_from_uname(void **state)
{
	struct kp_modctx *ctx = NULL;
	char want[512], other[] = "/tmp/kp-module-empty.XXXXXX";
	struct utsname u;

	assert_non_null(mkdtemp(other));
	setenv("KVMPREP_ROOT", other, 1);
	assert_int_equal(uname(&u), 0);
	assert_int_equal(kp_mod_new(&ctx), 0);
	snprintf(want, sizeof(want), "%s/lib/modules/%s", other, u.release);
	assert_string_equal(kp_mod_dirname(ctx), want);
	/* no module tree at all: everything is missing, nothing fails */
	assert_int_equal(state_of(ctx, "kpfake_one"), KP_MOD_MISSING);
	assert_int_equal(kp_mod_load(ctx, "kpfake_one"), -ENOENT);
	kp_mod_free(ctx);
	rmdir(other);
	setenv("KVMPREP_ROOT", root, 1);
}

static void test_states(void **state)
{
	struct kp_modctx *ctx = NULL;

	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_int_equal(state_of(ctx, "kpfake_one"), KP_MOD_AVAILABLE);
	assert_int_equal(state_of(ctx, "kpfake-one"), KP_MOD_AVAILABLE); /* '-' = '_' */
	assert_int_equal(state_of(ctx, "kp-fake-alias"), KP_MOD_AVAILABLE);
	assert_int_equal(state_of(ctx, "kp_fake_alias"), KP_MOD_AVAILABLE);
	assert_int_equal(state_of(ctx, "kpfake_twin"), KP_MOD_AVAILABLE);
	assert_int_equal(state_of(ctx, "kpfake_builtin"), KP_MOD_BUILTIN);
	assert_int_equal(state_of(ctx, "kpfake-builtin"), KP_MOD_BUILTIN);
	assert_int_equal(state_of(ctx, "kpfake_none"), KP_MOD_MISSING);
	kp_mod_free(ctx);
}

static void test_bad_names(void **state)
{
	struct kp_modctx *ctx = NULL;
	enum kp_modstate st;
	char longname[400];

	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_int_equal(kp_mod_state(ctx, "", &st), -EINVAL);
	assert_int_equal(kp_mod_state(ctx, NULL, &st), -EINVAL);
	assert_int_equal(kp_mod_state(ctx, "../../x", &st), -EINVAL);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(kp_mod_state(ctx, longname, &st), -ENAMETOOLONG);
	assert_int_equal(kp_mod_state(NULL, "kvm", &st), -EINVAL);
	assert_int_equal(kp_mod_load(ctx, "a/b"), -EINVAL);
	kp_mod_free(ctx);
	kp_mod_free(NULL);
}

static void test_load_without_kernel(void **state)
{
	struct kp_modctx *ctx = NULL;

	/* these never reach finit_module: missing is -ENOENT, built in is done */
	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_int_equal(kp_mod_load(ctx, "kpfake_none"), -ENOENT);
	assert_int_equal(kp_mod_load(ctx, "kpfake-builtin"), 0);
	kp_mod_free(ctx);
}

/* A built-in module (directory without initstate; every kernel has some,
 * such as "kernel" or "printk") and, when there is one, a live module of
 * this machine's /sys/module (read only). */
static void host_modules(char *builtin, char *live, size_t n)
{
	DIR *d = opendir("/sys/module");
	struct dirent *e;
	char path[512], buf[16];

	builtin[0] = live[0] = '\0';
	assert_non_null(d);
	while ((e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/module/%s/initstate", e->d_name);
		f = fopen(path, "r");
		if (!f) {
			if (errno == ENOENT && !builtin[0])
				snprintf(builtin, n, "%s", e->d_name);
			continue;
		}
		if (!live[0] && fgets(buf, sizeof(buf), f) && !strcmp(buf, "live\n"))
			snprintf(live, n, "%s", e->d_name);
		fclose(f);
	}
	closedir(d);
	assert_true(builtin[0] != '\0');
}

/* 1 when a libkmod.so is mapped into this process, else 0. */
static int kmod_mapped(void)
{
	char line[4096];
	int found = 0;
	FILE *f = fopen("/proc/self/maps", "re");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "/libkmod.so"))
			found = 1;
	fclose(f);
	return found;
}

/* Runs first: lib/module.c opens libkmod only when /sys/module and the
 * module tree cannot answer. gcc links with --as-needed except under
 * -fsanitize, so the sanitizer build maps libkmod at start (-lkmod stays a
 * NEEDED entry): nothing to show there. */
static void test_libkmod_on_demand(void **state)
{
	struct kp_modctx *ctx = NULL;
	char builtin[256], live[256], other[] = "/tmp/kp-module-notree.XXXXXX";

#if defined(__SANITIZE_ADDRESS__)
	skip();
#endif
	if (kmod_mapped())
		fail_msg("libkmod mapped before any question: linked, not opened on demand");
	host_modules(builtin, live, sizeof(builtin));
	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_false(kmod_mapped());
	if (state_of(ctx, builtin) != KP_MOD_BUILTIN)
		fail_msg("%s: not builtin", builtin);
	assert_int_equal(kp_mod_load(ctx, builtin), 0);
	if (live[0]) {
		if (state_of(ctx, live) != KP_MOD_LOADED)
			fail_msg("%s: not loaded", live);
		assert_int_equal(kp_mod_load(ctx, live), 0);
	}
	assert_false(kmod_mapped());
	kp_mod_free(ctx);

	/* no module tree: missing, without libkmod */
	assert_non_null(mkdtemp(other));
	setenv("KVMPREP_ROOT", other, 1);
	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_int_equal(state_of(ctx, "kpfake_one"), KP_MOD_MISSING);
	assert_int_equal(state_of(ctx, "kp-fake-alias"), KP_MOD_MISSING);
	assert_int_equal(kp_mod_load(ctx, "kpfake_one"), -ENOENT);
	assert_false(kmod_mapped());
	kp_mod_free(ctx);
	rmdir(other);
	setenv("KVMPREP_ROOT", root, 1);

	/* an alias in the tree's indexes needs libkmod */
	assert_int_equal(kp_mod_new(&ctx), 0);
	assert_int_equal(state_of(ctx, "kp-fake-alias"), KP_MOD_AVAILABLE);
	assert_true(kmod_mapped());
	kp_mod_free(ctx);
}

/* What /sys/module says wins even when the fake tree's indexes do not know
 * the module: a directory with initstate "live" is loaded, one without
 * initstate is built in. */
static void test_state_from_sysfs(void **state)
{
	struct kp_modctx *ctx = NULL;
	char builtin[256], live[256];

	host_modules(builtin, live, sizeof(builtin));
	assert_int_equal(kp_mod_new(&ctx), 0);
	if (state_of(ctx, builtin) != KP_MOD_BUILTIN)
		fail_msg("%s: not builtin", builtin);
	assert_int_equal(kp_mod_load(ctx, builtin), 0); /* nothing to do */
	if (live[0]) {
		if (state_of(ctx, live) != KP_MOD_LOADED)
			fail_msg("%s: not loaded", live);
		/* already loaded: success without asking the kernel */
		assert_int_equal(kp_mod_load(ctx, live), 0);
	}
	kp_mod_free(ctx);
}

static void test_param(void **state)
{
	char buf[64];

	assert_int_equal(kp_mod_param("kpfake_none", "x", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(kp_mod_param("kvm", "../../x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kp_mod_param("kvm", "", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(kp_mod_param("", "x", buf, sizeof(buf)), -EINVAL);
}

static void test_state_names(void **state)
{
	assert_string_equal(kp_modstate_name(KP_MOD_MISSING), "missing");
	assert_string_equal(kp_modstate_name(KP_MOD_AVAILABLE), "available");
	assert_string_equal(kp_modstate_name(KP_MOD_LOADED), "loaded");
	assert_string_equal(kp_modstate_name(KP_MOD_BUILTIN), "builtin");
	assert_string_equal(kp_modstate_name((enum kp_modstate)42), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libkmod_on_demand), /* first: nothing mapped yet */
		cmocka_unit_test(test_dirname_from_osrelease),
		cmocka_unit_test(test_dirname_from_uname),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_load_without_kernel),
		cmocka_unit_test(test_state_from_sysfs),
		cmocka_unit_test(test_param),
		cmocka_unit_test(test_state_names),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
