/* SPDX-License-Identifier: MIT */
#include "bootcfg.h"
#include "root.h"
#include "target.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int any(const char *const *paths)
{
	for (size_t i = 0; paths[i]; i++)
		if (kp_exists(paths[i]))
			return 1;
	return 0;
}

static const char *const grubby[] = { "/usr/sbin/grubby", "/sbin/grubby", "/usr/bin/grubby", NULL };
static const char *const update_grub[] = { "/usr/sbin/update-grub", "/sbin/update-grub", NULL };
static const char *const mkconfig[] = { "/usr/sbin/grub2-mkconfig", "/sbin/grub2-mkconfig",
					"/usr/sbin/grub-mkconfig", NULL };
static const char *const bls[] = { "/etc/kernel/cmdline", "/boot/loader/entries",
				   "/efi/loader/entries", "/boot/efi/loader/entries", NULL };

enum kp_boot kp_boot_detect(int s390x)
{
	if (s390x || kp_exists("/etc/zipl.conf"))
		return KP_BOOT_ZIPL;
	if (any(grubby))
		return KP_BOOT_GRUBBY;
	if (kp_exists("/etc/default/grub") && any(update_grub))
		return KP_BOOT_UPDATE_GRUB;
	if (kp_exists("/etc/default/grub") && any(mkconfig))
		return KP_BOOT_GRUB2_MKCONFIG;
	if (any(bls))
		return KP_BOOT_BLS;
	return KP_BOOT_UNKNOWN;
}

const char *kp_boot_name(enum kp_boot b)
{
	switch (b) {
	case KP_BOOT_GRUBBY: return "grubby";
	case KP_BOOT_UPDATE_GRUB: return "update-grub";
	case KP_BOOT_GRUB2_MKCONFIG: return "grub2-mkconfig";
	case KP_BOOT_BLS: return "kernel-install";
	case KP_BOOT_ZIPL: return "zipl";
	default: return "unknown";
	}
}

static int arg_ok(const char *a)
{
	if (!a || !*a)
		return 0;
	for (; *a; a++)
		if (!((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') || (*a >= '0' && *a <= '9') ||
		      strchr("_-=.,:/+", *a)))
			return 0;
	return 1;
}

/* "sed" on a file of the system: DIR's own path under a target */
static const char *t(void)
{
	return kp_target();
}

/* a tool of the system: chroot DIR TOOL under a target */
static void tool(char *buf, size_t n, const char *cmd)
{
	if (t()[0])
		snprintf(buf, n, "chroot %s %s", t(), cmd);
	else
		snprintf(buf, n, "%s", cmd);
}

/* The newest kernel installed in the target (for kernel-install), else
 * "$(uname -r)". */
static void kver(char *out, size_t n)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;

	snprintf(out, n, "\"$(uname -r)\"");
	if (!t()[0] || kp_path(dir, sizeof(dir), "/lib/modules") < 0 || !(d = opendir(dir)))
		return;
	out[0] = '\0';
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && strverscmp(e->d_name, out) > 0 && strlen(e->d_name) < n)
			snprintf(out, n, "%s", e->d_name);
	closedir(d);
	if (!out[0])
		snprintf(out, n, "KERNEL-VERSION");
}

int kp_boot_arg_cmd(enum kp_boot b, int add, const char *arg, char *buf, size_t n)
{
	static char sed[4096], regen[4096], k[12288], v[256];
	const char *eq = strchr(arg ? arg : "", '=');
	int len = 0;

	if (n)
		buf[0] = '\0';
	if (!arg_ok(arg))
		return -EINVAL;
	switch (b) {
	case KP_BOOT_GRUBBY:
		snprintf(sed, sizeof(sed), "grubby --update-kernel=ALL --%s=%s",
			 add ? "args" : "remove-args", arg);
		tool(buf, n, sed);
		len = (int)strlen(buf);
		break;
	case KP_BOOT_UPDATE_GRUB:
	case KP_BOOT_GRUB2_MKCONFIG:
		if (add)
			snprintf(sed, sizeof(sed),
				 "sed -i -E 's/^(GRUB_CMDLINE_LINUX=\"[^\"]*)\"/\\1 %s\"/' %s/etc/default/grub",
				 arg, t());
		else
			snprintf(sed, sizeof(sed),
				 "sed -i -E '/^GRUB_CMDLINE_LINUX(_DEFAULT)?=/ s/([\" ])%s([\" ])/\\1\\2/g' "
				 "%s/etc/default/grub",
				 arg, t());
		tool(regen, sizeof(regen), b == KP_BOOT_UPDATE_GRUB ? "update-grub"
								     : "grub2-mkconfig -o /boot/grub2/grub.cfg");
		len = snprintf(buf, n, "%s && %s", sed, regen);
		break;
	case KP_BOOT_BLS:
		kver(v, sizeof(v));
		if (kp_exists("/etc/kernel/cmdline")) {
			if (add)
				snprintf(sed, sizeof(sed), "sed -i 's/$/ %s/' %s/etc/kernel/cmdline", arg, t());
			else
				snprintf(sed, sizeof(sed), "sed -i -E 's/(^| )%s( |$)/\\1\\2/g' %s/etc/kernel/cmdline",
					 arg, t());
			snprintf(regen, sizeof(regen), "kernel-install add %s /lib/modules/%s/vmlinuz", v, v);
			tool(k, sizeof(k), regen);
			len = snprintf(buf, n, "%s && %s", sed, k);
		} else if (add) {
			len = snprintf(buf, n, "sed -i '/^options / s/$/ %s/' %s/boot/loader/entries/*.conf",
				       arg, t());
		} else {
			len = snprintf(buf, n, "sed -i -E '/^options / s/ %s( |$)/\\1/g' %s/boot/loader/entries/*.conf",
				       arg, t());
		}
		break;
	case KP_BOOT_ZIPL:
		if (any(grubby)) {
			snprintf(sed, sizeof(sed), "grubby --update-kernel=ALL --%s=%s",
				 add ? "args" : "remove-args", arg);
			tool(k, sizeof(k), sed);
		} else if (add) {
			snprintf(k, sizeof(k), "sed -i -E 's/^( *parameters *= *\"[^\"]*)\"/\\1 %s\"/' %s/etc/zipl.conf",
				 arg, t());
		} else {
			snprintf(k, sizeof(k), "sed -i -E '/^ *parameters *=/ s/([\" ])%s([\" ])/\\1\\2/g' %s/etc/zipl.conf",
				 arg, t());
		}
		tool(regen, sizeof(regen), "zipl");
		len = snprintf(buf, n, "%s && %s", k, regen);
		break;
	default:
		return -ENOENT;
	}
	(void)eq;
	if (len < 0 || (size_t)len >= n)
		return -ENAMETOOLONG;
	return 0;
}

/* ---- the arguments the next boot gets ---------------------------------- */

static int append(char **out, const char *s, size_t l)
{
	size_t have = *out ? strlen(*out) : 0;
	char *nv = realloc(*out, have + l + 2);

	if (!nv)
		return -ENOMEM;
	if (have && l)
		nv[have++] = ' ';
	memcpy(nv + have, s, l);
	nv[have + l] = '\0';
	*out = nv;
	return 0;
}

/* VAR="value" (or 'value', or bare) of a shell-style file; 1 found */
static int shell_var(const char *text, const char *var, char **out)
{
	size_t vl = strlen(var);
	int found = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		const char *v, *e;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, var, vl) || p[vl] != '=')
			continue;
		v = p + vl + 1;
		if (*v == '"' || *v == '\'') {
			e = strchr(v + 1, *v);
			v++;
		} else {
			e = v + strcspn(v, " \t\n#");
		}
		if (!e)
			continue;
		if (append(out, v, (size_t)(e - v)) == 0)
			found = 1;
	}
	return found;
}

static int from_grub(char **out, char *where, size_t n)
{
	char *text = NULL;

	if (kp_read_file("/etc/default/grub", &text, NULL) < 0)
		return -ENOENT;
	shell_var(text, "GRUB_CMDLINE_LINUX", out);
	shell_var(text, "GRUB_CMDLINE_LINUX_DEFAULT", out);
	free(text);
	snprintf(where, n, "/etc/default/grub");
	if (!*out)
		*out = strdup("");
	return *out ? 0 : -ENOMEM;
}

/* the newest BLS entry's options line ($kernelopts from grubenv) */
static int from_bls(char **out, char *where, size_t n)
{
	static const char *const dirs[] = { "/boot/loader/entries", "/efi/loader/entries",
					    "/boot/efi/loader/entries" };
	char best[512] = "", bestdir[64] = "", path[4096], abs[700], *text = NULL;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct dirent *e;
		DIR *d;

		if (kp_path(path, sizeof(path), dirs[i]) < 0 || !(d = opendir(path)))
			continue;
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l > 5 && !strcmp(e->d_name + l - 5, ".conf") && l < sizeof(best) &&
			    strverscmp(e->d_name, best) > 0) {
				snprintf(best, sizeof(best), "%s", e->d_name);
				snprintf(bestdir, sizeof(bestdir), "%s", dirs[i]);
			}
		}
		closedir(d);
	}
	if (!best[0])
		return -ENOENT;
	snprintf(abs, sizeof(abs), "%s/%s", bestdir, best);
	if (kp_read_file(abs, &text, NULL) < 0)
		return -ENOENT;
	for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		size_t l = strcspn(p, "\n");

		if (strncmp(p, "options", 7) || (p[7] != ' ' && p[7] != '\t'))
			continue;
		p += 8;
		l -= 8;
		while (l && (*p == ' ' || *p == '\t'))
			p++, l--;
		if (l >= 11 && !strncmp(p, "$kernelopts", 11)) {
			char *env = NULL, *kv;

			if (kp_read_file("/boot/grub2/grubenv", &env, NULL) == 0 &&
			    (kv = strstr(env, "kernelopts="))) {
				kv += 11;
				append(out, kv, strcspn(kv, "\n"));
			}
			free(env);
			p += 11;
			l -= 11;
		}
		append(out, p, l);
	}
	free(text);
	snprintf(where, n, "%s", abs);
	if (!*out)
		*out = strdup("");
	return *out ? 0 : -ENOMEM;
}

int kp_boot_cmdline(enum kp_boot b, char **out, char *where, size_t n)
{
	char *text = NULL;
	int r;

	*out = NULL;
	where[0] = '\0';
	switch (b) {
	case KP_BOOT_UPDATE_GRUB:
	case KP_BOOT_GRUB2_MKCONFIG:
		return from_grub(out, where, n);
	case KP_BOOT_GRUBBY:
		r = from_bls(out, where, n);
		return r == -ENOENT ? from_grub(out, where, n) : r;
	case KP_BOOT_ZIPL:
		if (kp_read_file("/etc/zipl.conf", &text, NULL) == 0) {
			char *p = strstr(text, "parameters");

			if (p && (p = strchr(p, '='))) {
				p++;
				while (*p == ' ')
					p++;
				if (*p == '"' && strchr(p + 1, '"'))
					append(out, p + 1, (size_t)(strchr(p + 1, '"') - p - 1));
			}
			free(text);
			if (*out) {
				snprintf(where, n, "/etc/zipl.conf");
				return 0;
			}
		}
		return from_bls(out, where, n);
	case KP_BOOT_BLS:
		if (kp_read_file("/etc/kernel/cmdline", &text, NULL) == 0) {
			append(out, text, strcspn(text, "\n"));
			free(text);
			snprintf(where, n, "/etc/kernel/cmdline");
			return *out ? 0 : -ENOMEM;
		}
		return from_bls(out, where, n);
	default:
		return -ENOENT;
	}
}
