/* SPDX-License-Identifier: MIT */
/*
 * --root DIR: judge the system installed at DIR (a kickstart target) from
 * its configuration files instead of the running (installer's) kernel:
 * the kernel arguments its boot loader will pass (lib/bootcfg.h),
 * modprobe.d, sysctl.d, the persisted vfio bindings. Checks of the
 * hardware (the same machine) run as usual; checks that need the target's
 * kernel running say so (SKIP: "needs the first boot").
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "bootcfg.h"
#include "cmdline.h"
#include "root.h"
#include "target.h"
#include "validate.h"

static int has(struct vctx *c, const char *key, const char *item)
{
	return kp_cmdline_has_item(c->cmdline, key, item);
}

static const char *where(struct vctx *c)
{
	return c->boot_where ? c->boot_where : "no boot loader configuration";
}

static int no_boot(struct vctx *c, struct vresult *r)
{
	if (c->boot_where)
		return 0;
	vset(r, V_WARN, "install the boot loader's configuration first (kickstart: in %post, after the "
		     "packages), or check after the first boot",
	     "no boot loader configuration found in the target (grub, BLS entries, zipl): its "
	     "kernel arguments are not known");
	return 1;
}

static void t_iommu_enabled(struct vctx *c, struct vresult *r)
{
	if (no_boot(c, r))
		return;
	if (has(c, "iommu", "off")) {
		vset(r, V_FAIL, vkarg_hint(c, 0, "iommu=off"), "iommu=off in the target's kernel "
		     "arguments (%s)", where(c));
		return;
	}
	/* the ACPI table decides which driver (viommu_kind): the firmware is
	 * the machine's, the same under the installer */
	if (viommu_kind(c) == IK_VTD) {
		if (!has(c, "intel_iommu", "on")) {
			vset(r, V_FAIL, vkarg_hint(c, 1, "intel_iommu=on"), "the target's kernel arguments "
			     "(%s) lack intel_iommu=on", where(c));
			return;
		}
		vset(r, V_PASS, NULL, "intel_iommu=on in the target's kernel arguments (%s)", where(c));
		return;
	}
	if (v_is_x86(c) && has(c, "amd_iommu", "off")) {
		vset(r, V_FAIL, vkarg_hint(c, 0, "amd_iommu=off"), "amd_iommu=off in the target's kernel "
		     "arguments (%s)", where(c));
		return;
	}
	vset(r, V_PASS, NULL, "the IOMMU is on by default and the target's kernel arguments (%s) do "
	     "not turn it off", where(c));
}

static void t_iommu_passthrough(struct vctx *c, struct vresult *r)
{
	if (no_boot(c, r))
		return;
	if (v_iommu_passthrough(c)) {
		vset(r, V_PASS, NULL, "passthrough mode in the target's kernel arguments (%s)", where(c));
		return;
	}
	if (v_snp_cpu(c)) {
		vset(r, V_PASS, NULL, "DMA translation for host devices: required for SEV-SNP, which "
		     "this CPU offers (iommu=pt would disable it)");
		return;
	}
	vset(r, V_WARN, NULL, "host devices will use DMA translation: extra host I/O overhead");
	vhint(r, "%s", vkarg_hint(c, 1, v_is_x86(c) ? "iommu=pt" : "iommu.passthrough=1"));
}

static void t_irq_remap(struct vctx *c, struct vresult *r)
{
	if (no_boot(c, r))
		return;
	if (has(c, "intremap", "off") || has(c, "intremap", "nosid")) {
		vset(r, V_FAIL, vkarg_hint(c, 0, "intremap=off"), "intremap= in the target's kernel "
		     "arguments (%s): vfio will refuse devices", where(c));
		return;
	}
	vset(r, V_PASS, NULL, "the target's kernel arguments do not turn interrupt remapping off");
}

/* Each line of the *.conf files of a configuration directory set (modprobe.d,
 * sysctl.d), in the order the tools read them: fn(line, arg). */
static void conf_lines(const char *const *dirs, const char *single,
		       void (*fn)(const char *line, void *arg), void *arg)
{
	for (size_t i = 0; dirs[i]; i++) {
		char path[4096];
		struct dirent **nl;
		int n;

		if (kp_path(path, sizeof(path), dirs[i]) < 0 ||
		    (n = scandir(path, &nl, NULL, alphasort)) < 0)
			continue;
		for (int k = 0; k < n; k++) {
			char abs[4400], *text = NULL;
			size_t l = strlen(nl[k]->d_name);

			if (l > 5 && !strcmp(nl[k]->d_name + l - 5, ".conf")) {
				snprintf(abs, sizeof(abs), "%s/%s", dirs[i], nl[k]->d_name);
				if (kp_read_file(abs, &text, NULL) == 0)
					for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n"))
						fn(s, arg);
				free(text);
			}
			free(nl[k]);
		}
		free(nl);
	}
	if (single) {
		char *text = NULL;

		if (kp_read_file(single, &text, NULL) == 0)
			for (char *s = strtok(text, "\n"); s; s = strtok(NULL, "\n"))
				fn(s, arg);
		free(text);
	}
}

static const char *const modprobe_dirs[] = { "/usr/lib/modprobe.d", "/lib/modprobe.d",
					     "/etc/modprobe.d", NULL };
static const char *const sysctl_dirs[] = { "/usr/lib/sysctl.d", "/lib/sysctl.d", "/etc/sysctl.d",
					   NULL };

struct vfio_seen {
	char ids[256];
	int softdep;
	char nested[8];
	const char *nested_mod;
};

static void modprobe_line(const char *line, void *arg)
{
	struct vfio_seen *v = arg;
	char w[4][200] = { "" };
	int n = sscanf(line, " %199s %199s %199s %199s", w[0], w[1], w[2], w[3]);

	if (n >= 3 && !strcmp(w[0], "options") &&
	    (!strcmp(w[1], "vfio-pci") || !strcmp(w[1], "vfio_pci"))) {
		const char *ids = strstr(line, "ids=");

		if (ids)
			snprintf(v->ids, sizeof(v->ids), "%.*s", (int)strcspn(ids + 4, " \t"), ids + 4);
	}
	if (n >= 4 && !strcmp(w[0], "softdep") && strstr(line, "vfio-pci") + 0 != NULL)
		v->softdep = 1;
	if (n >= 3 && !strcmp(w[0], "options") && v->nested_mod && !strcmp(w[1], v->nested_mod)) {
		const char *p = strstr(line, "nested=");

		if (p)
			snprintf(v->nested, sizeof(v->nested), "%.*s", (int)strcspn(p + 7, " \t"), p + 7);
	}
}

/* the target's kernel has the vfio-pci module (or built in) */
static int target_has_vfio(void)
{
	char dir[4096];
	struct dirent *e;
	DIR *d;
	int found = 0;

	if (kp_path(dir, sizeof(dir), "/lib/modules") < 0 || !(d = opendir(dir)))
		return -1;
	while ((e = readdir(d)) && !found) {
		char abs[600], *text = NULL;

		if (e->d_name[0] == '.')
			continue;
		snprintf(abs, sizeof(abs), "/lib/modules/%s/modules.dep", e->d_name);
		if (kp_read_file(abs, &text, NULL) == 0 &&
		    (strstr(text, "/vfio-pci.ko") || strstr(text, "/vfio_pci.ko")))
			found = 1;
		free(text);
		text = NULL;
		snprintf(abs, sizeof(abs), "/lib/modules/%s/modules.builtin", e->d_name);
		if (!found && kp_read_file(abs, &text, NULL) == 0 &&
		    (strstr(text, "/vfio-pci.ko") || strstr(text, "/vfio_pci.ko")))
			found = 1;
		free(text);
	}
	closedir(d);
	return found;
}

static void t_vfio(struct vctx *c, struct vresult *r)
{
	struct vfio_seen v = { .nested_mod = NULL };
	char *conf = NULL, ids[256] = "";
	int n = 0, mod = target_has_vfio();

	conf_lines(modprobe_dirs, NULL, modprobe_line, &v);
	if (kp_read_file("/etc/kvmprep/vfio.conf", &conf, NULL) == 0)
		for (char *s = strtok(conf, "\n"); s; s = strtok(NULL, "\n"))
			n += s[0] != '#' && s[0] != '\0';
	free(conf);
	kp_cmdline_get(c->cmdline, "vfio-pci.ids", ids, sizeof(ids));
	if (mod == 0) {
		vset(r, V_FAIL, "install the kernel's vfio modules in the target", "the target's kernel "
		     "has no vfio-pci module (modules.dep, modules.builtin)");
		return;
	}
	if (!v.ids[0] && !ids[0] && !n) {
		vset(r, V_WARN, "kvmprep-iommu bind --persist --root DIR (--id VVVV:DDDD for a model)",
		     "no vfio-pci binding for the first boot (modprobe.d ids=, vfio-pci.ids=, "
		     "/etc/kvmprep/vfio.conf)");
		return;
	}
	vset(r, V_PASS, NULL, "vfio-pci at the first boot:%s%s%s%s%s%s", v.ids[0] ? " ids=" : "", v.ids,
	     ids[0] ? " vfio-pci.ids=" : "", ids, n ? " and devices in /etc/kvmprep/vfio.conf" : "",
	     v.softdep ? ", a softdep loads it before the host drivers" : "");
}

static void t_nested(struct vctx *c, struct vresult *r)
{
	struct vfio_seen v = { .nested_mod = v_amd(c) ? "kvm_amd" : "kvm_intel" };
	char arg[64], val[8] = "";

	conf_lines(modprobe_dirs, NULL, modprobe_line, &v);
	snprintf(arg, sizeof(arg), "%s.nested", v.nested_mod);
	if (kp_cmdline_get(c->cmdline, arg, val, sizeof(val)) == 1)
		snprintf(v.nested, sizeof(v.nested), "%s", val);
	if (!strcmp(v.nested, "0") || !strcasecmp(v.nested, "n")) {
		vset(r, V_WARN, NULL, "nested virtualization off for the first boot (%s nested=%s)",
		     v.nested_mod, v.nested);
		vhint(r, "options %s nested=1 in %s/etc/modprobe.d/kvm.conf", v.nested_mod, kp_target());
		return;
	}
	vset(r, V_PASS, NULL, "nested virtualization %s", v.nested[0] ? "on in modprobe.d"
							 : "left at the kernel's default (on)");
}

struct sysctl_seen {
	const char *key;
	char val[64];
};

static void sysctl_line(const char *line, void *arg)
{
	struct sysctl_seen *s = arg;
	char k[128], v[64];
	const char *eq = strchr(line, '=');
	size_t kl;

	while (*line == ' ' || *line == '\t' || *line == '-')
		line++;
	if (!eq || *line == '#' || *line == ';')
		return;
	kl = (size_t)(eq - line);
	while (kl && (line[kl - 1] == ' ' || line[kl - 1] == '\t'))
		kl--;
	snprintf(k, sizeof(k), "%.*s", (int)kl, line);
	for (char *p = k; *p; p++)
		if (*p == '/')
			*p = '.';
	eq++;
	while (*eq == ' ' || *eq == '\t')
		eq++;
	snprintf(v, sizeof(v), "%.*s", (int)strcspn(eq, " \t#"), eq);
	if (!strcmp(k, s->key))
		snprintf(s->val, sizeof(s->val), "%s", v);
}

static void t_hugepage_boot(struct vctx *c, struct vresult *r)
{
	struct sysctl_seen s = { .key = "vm.nr_hugepages" };
	char val[64] = "";

	if (kp_cmdline_get(c->cmdline, "hugepages", val, sizeof(val)) == 1 && val[0]) {
		vset(r, V_PASS, NULL, "hugepages=%s in the target's kernel arguments (%s)", val, where(c));
		return;
	}
	conf_lines(sysctl_dirs, "/etc/sysctl.conf", sysctl_line, &s);
	if (s.val[0] && strcmp(s.val, "0")) {
		char arg[96];

		vset(r, V_WARN, NULL, "vm.nr_hugepages=%s in sysctl.d: reserved after boot, when memory "
		     "may already be fragmented", s.val);
		snprintf(arg, sizeof(arg), "hugepages=%s", s.val);
		vhint(r, "%s", vkarg_hint(c, 1, arg));
		return;
	}
	vset(r, V_WARN, NULL, "no hugepages reserved at the first boot (no hugepages= in %s, no "
	     "vm.nr_hugepages in sysctl.d)", where(c));
	if (c->want_mem > 0) {
		/* --memory: that many 2 MiB pages */
		char arg[64];

		snprintf(arg, sizeof(arg), "hugepages=%lld", (c->want_mem + (2LL << 20) - 1) >> 21);
		vhint(r, "%s", vkarg_hint(c, 1, arg));
	} else {
		vhint(r, "%s (N: the guests' memory in 2 MiB pages; --memory computes it)",
		      vkarg_hint(c, 1, "hugepages=N"));
	}
}

static void t_ip_forward(struct vctx *c, struct vresult *r)
{
	struct sysctl_seen s = { .key = "net.ipv4.ip_forward" };

	conf_lines(sysctl_dirs, "/etc/sysctl.conf", sysctl_line, &s);
	if (!strcmp(s.val, "1")) {
		vset(r, V_PASS, NULL, "net.ipv4.ip_forward=1 in the target's sysctl configuration");
		return;
	}
	vset(r, V_WARN, NULL, "net.ipv4.ip_forward is %s at the first boot (routed or NAT guest "
	     "networks need 1; libvirt's NAT network sets it itself)", s.val[0] ? s.val : "not set");
	vhint(r, "echo net.ipv4.ip_forward=1 >%s/etc/sysctl.d/90-kvmprep.conf", kp_target());
}

static const struct {
	const char *id;
	void (*fn)(struct vctx *c, struct vresult *r);
} judged[] = {
	{ "iommu.enabled", t_iommu_enabled },
	{ "iommu.passthrough", t_iommu_passthrough },
	{ "iommu.irq_remap", t_irq_remap },
	{ "iommu.vfio", t_vfio },
	{ "kvm.nested", t_nested },
	{ "memory.hugepage_boot", t_hugepage_boot },
	{ "network.ip_forward", t_ip_forward },
};

/* the machine's own facts: the same under the installer */
static const char *const hardware[] = { "kvm.cpu_flags", "iommu.firmware", "memory.numa",
					"memory.total", "resources.cpus", "resources.tsc", NULL };

void vtarget_check(struct vctx *c, const struct vcheck *k, struct vresult *r)
{
	for (size_t i = 0; i < sizeof(judged) / sizeof(judged[0]); i++)
		if (!strcmp(k->id, judged[i].id)) {
			judged[i].fn(c, r);
			return;
		}
	for (size_t i = 0; hardware[i]; i++)
		if (!strcmp(k->id, hardware[i])) {
			k->fn(c, r);
			return;
		}
	vset(r, V_SKIP, NULL, "needs the first boot: it judges the running kernel, not the target's "
	     "files");
}

int vtarget_init(struct vctx *c)
{
	char w[512];
	char *cmd = NULL;
	enum kp_boot b = kp_boot_detect(c->cpu_r == 0 && c->cpu.arch == KP_ARCH_S390X);

	c->target = 1;
	free(c->cmdline);
	c->cmdline = NULL;
	if (kp_boot_cmdline(b, &cmd, w, sizeof(w)) == 0) {
		c->cmdline = cmd;
		c->boot_where = malloc(strlen(w) + 32);
		if (c->boot_where)
			sprintf(c->boot_where, "%s: %s", kp_boot_name(b), w);
	}
	if (!c->cmdline)
		c->cmdline = strdup("");
	return c->cmdline ? 0 : -ENOMEM;
}
