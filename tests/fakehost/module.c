/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: modules. finit_module/init_module make sys/module/M and
 * register the PCI drivers M provides (meta fakehost/drivers/D module=M),
 * which then probe the devices they match; delete_module undoes it.
 */
#include "fh.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void fh_module_name_norm(char *name)
{
	char *s;

	for (s = name; *s; s++)
		if (*s == '-')
			*s = '_';
}

int fh_module_name_from_image(const void *img, size_t len, char *name, size_t n)
{
	const char *p = img, *end = p + len;

	while (p && p + 6 < end) {
		p = memmem(p, (size_t)(end - p), "name=", 5);
		if (!p)
			break;
		if (p == (const char *)img || p[-1] == '\0') {
			const char *v = p + 5, *e = memchr(v, '\0', (size_t)(end - v));
			size_t l = e ? (size_t)(e - v) : 0;

			if (l > 0 && l < n) {
				memcpy(name, v, l);
				name[l] = '\0';
				fh_module_name_norm(name);
				return 0;
			}
		}
		p += 5;
	}
	return -ENOENT;
}

static int state_of(const char *name)
{
	char p[FH_PATH], v[32];

	/* 2 live, 1 built in, 0 absent */
	if (fh_read(fh_p(p, "/sys/module/%s/initstate", name), v, sizeof(v)) >= 0)
		return 2;
	return fh_isdir(fh_p(p, "/sys/module/%s", name)) ? 1 : 0;
}

/* the modules NAME needs (modules.dep), space separated, normalised */
static void deps_of(const char *name, char *out, size_t n)
{
	char p[FH_PATH], rel[128], *data, *s;

	out[0] = '\0';
	if (fh_read(fh_p(p, "/proc/sys/kernel/osrelease"), rel, sizeof(rel)) <= 0)
		return;
	data = fh_slurp(fh_p(p, "/lib/modules/%s/modules.dep", rel), NULL);
	for (s = data; s && *s;) {
		char *nl = strchr(s, '\n'), *colon, *b, *dot, *tok, *save = NULL;
		char m[128];

		if (nl)
			*nl = '\0';
		colon = strchr(s, ':');
		if (colon) {
			*colon = '\0';
			b = strrchr(s, '/');
			snprintf(m, sizeof(m), "%s", b ? b + 1 : s);
			dot = strstr(m, ".ko");
			if (dot)
				*dot = '\0';
			fh_module_name_norm(m);
			if (!strcmp(m, name)) {
				for (tok = strtok_r(colon + 1, " \t", &save); tok;
				     tok = strtok_r(NULL, " \t", &save)) {
					b = strrchr(tok, '/');
					snprintf(m, sizeof(m), "%s", b ? b + 1 : tok);
					dot = strstr(m, ".ko");
					if (dot)
						*dot = '\0';
					fh_module_name_norm(m);
					strncat(out, m, n - strlen(out) - 2);
					strcat(out, " ");
				}
				break;
			}
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
}

static void refcnt_add(const char *name, int d)
{
	char p[FH_PATH], v[32];
	long n = 0;

	fh_p(p, "/sys/module/%s/refcnt", name);
	if (fh_read(p, v, sizeof(v)) > 0)
		n = strtol(v, NULL, 10);
	n += d;
	if (n < 0)
		n = 0;
	fh_writef(p, "%ld\n", n);
}

long fh_module_load(const char *modname, const char *params)
{
	char name[128], p[FH_PATH], dir[FH_PATH], deps[2048], *tok, *save = NULL, **drvs;
	int n, i;

	snprintf(name, sizeof(name), "%s", modname);
	fh_module_name_norm(name);
	if (state_of(name))
		return -EEXIST;
	deps_of(name, deps, sizeof(deps));
	{
		char copy[2048];

		snprintf(copy, sizeof(copy), "%s", deps);
		for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			if (!state_of(tok))
				return -ENOENT;	/* unknown symbol: a dependency is not loaded */
	}
	fh_p(dir, "/sys/module/%s", name);
	snprintf(p, sizeof(p), "%s/holders", dir);
	fh_mkdirs(p);
	snprintf(p, sizeof(p), "%s/parameters", dir);
	fh_mkdirs(p);
	snprintf(p, sizeof(p), "%s/initstate", dir);
	fh_write(p, "live\n");
	snprintf(p, sizeof(p), "%s/refcnt", dir);
	fh_write(p, "0\n");
	if (params && *params) {
		char copy[1024];

		snprintf(copy, sizeof(copy), "%s", params);
		save = NULL;
		for (tok = strtok_r(copy, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			char *eq = strchr(tok, '=');

			if (eq)
				*eq = '\0';
			if (strchr(tok, '/'))
				continue;
			snprintf(p, sizeof(p), "%s/parameters/%s", dir, tok);
			fh_writef(p, "%s\n", eq ? eq + 1 : "Y");
		}
	}
	save = NULL;
	for (tok = strtok_r(deps, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char h[FH_PATH];

		if (state_of(tok) != 2)
			continue;
		fh_p(h, "/sys/module/%s/holders", tok);
		fh_mkdirs(h);
		strcat(h, "/");
		strcat(h, name);
		fh_symlink(dir, h);
		refcnt_add(tok, 1);
	}
	fh_log("module-load %s", name);
	fh_uevent("add", dir, "module", NULL);
	if (!strcmp(name, "vfio"))
		fh_vfio_container();

	/* the PCI drivers it registers */
	n = fh_list(fh_p(p, "/fakehost/drivers"), &drvs);
	for (i = 0; i < n; i++) {
		char meta[FH_PATH], m[128], d[FH_PATH], a[FH_PATH], dm[FH_PATH];
		static const char *const attrs[] = { "bind", "unbind", "new_id", "remove_id", NULL };
		int k;

		fh_p(meta, "/fakehost/drivers/%s", drvs[i]);
		if (fh_meta(meta, "module", m, sizeof(m)) < 0)
			continue;
		fh_module_name_norm(m);
		if (strcmp(m, name))
			continue;
		fh_p(d, "/sys/bus/pci/drivers/%s", drvs[i]);
		fh_mkdirs(d);
		for (k = 0; attrs[k]; k++) {
			snprintf(a, sizeof(a), "%s/%s", d, attrs[k]);
			fh_write(a, "");
		}
		snprintf(a, sizeof(a), "%s/uevent", d);
		fh_write(a, "");
		snprintf(a, sizeof(a), "%s/module", d);
		fh_symlink(dir, a);
		snprintf(dm, sizeof(dm), "%s/drivers", dir);
		fh_mkdirs(dm);
		snprintf(a, sizeof(a), "%s/pci:%s", dm, drvs[i]);
		fh_symlink(d, a);
		fh_log("driver-add %s", drvs[i]);
		fh_pci_attach_driver(drvs[i]);
	}
	fh_list_free(drvs, n);
	return 0;
}

long fh_module_unload(const char *modname, unsigned flags)
{
	char name[128], p[FH_PATH], dir[FH_PATH], v[32], **list;
	int n, i;

	snprintf(name, sizeof(name), "%s", modname);
	fh_module_name_norm(name);
	if (state_of(name) != 2)
		return -ENOENT;
	fh_p(dir, "/sys/module/%s", name);
	snprintf(p, sizeof(p), "%s/holders", dir);
	n = fh_list(p, &list);
	fh_list_free(list, n);
	if (n > 0)
		return -EWOULDBLOCK;
	snprintf(p, sizeof(p), "%s/refcnt", dir);
	if (fh_read(p, v, sizeof(v)) > 0 && atol(v) > 0)
		return -EWOULDBLOCK;

	/* its drivers go, and unbind their devices first */
	snprintf(p, sizeof(p), "%s/drivers", dir);
	n = fh_list(p, &list);
	for (i = 0; i < n; i++) {
		const char *drv = strchr(list[i], ':') ? strchr(list[i], ':') + 1 : list[i];
		char d[FH_PATH];

		fh_pci_detach_driver(drv);
		fh_rmrf(fh_p(d, "/sys/bus/pci/drivers/%s", drv));
		fh_rmrf(fh_p(d, "/fakehost/dynids/%s", drv));
		fh_log("driver-remove %s", drv);
	}
	fh_list_free(list, n);
	if (!strcmp(name, "vfio")) {
		unlink(fh_p(p, "/dev/vfio/vfio"));
		unlink(fh_p(p, "/dev/.node/vfio_vfio"));
	}
	/* drop its hold on the modules it used */
	n = fh_list(fh_p(p, "/sys/module"), &list);
	for (i = 0; i < n; i++) {
		char h[FH_PATH];

		fh_p(h, "/sys/module/%s/holders/%s", list[i], name);
		if (fh_exists(h)) {
			unlink(h);
			refcnt_add(list[i], -1);
		}
	}
	fh_list_free(list, n);
	fh_rmrf(dir);
	fh_log("module-unload %s", name);
	fh_uevent("remove", dir, "module", NULL);
	return 0;
}
