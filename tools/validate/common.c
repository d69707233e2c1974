/* SPDX-License-Identifier: MIT */
#include "validate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "cmdline.h"
#include "bootcfg.h"
#include "err.h"
#include "root.h"
#include "sysfs.h"

const char *vstatus_name(enum vstatus s)
{
	switch (s) {
	case V_PASS: return "PASS";
	case V_WARN: return "WARN";
	case V_FAIL: return "FAIL";
	default: return "SKIP";
	}
}

void vset(struct vresult *r, enum vstatus s, const char *hint, const char *fmt, ...)
{
	va_list ap;

	r->status = s;
	va_start(ap, fmt);
	vsnprintf(r->finding, sizeof(r->finding), fmt, ap);
	va_end(ap);
	snprintf(r->hint, sizeof(r->hint), "%s", hint ? hint : "");
}

void vhint(struct vresult *r, const char *fmt, ...)
{
	size_t len = strlen(r->hint);
	va_list ap;

	if (len >= sizeof(r->hint) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(r->hint + len, sizeof(r->hint) - len, fmt, ap);
	va_end(ap);
}

const char *vkarg_hint2(struct vctx *c, int add, const char *shown, const char *arg)
{
	char cmd[sizeof(c->karg) / 2 + 100];
	enum kp_boot b = kp_boot_detect(c->cpu_r == 0 && c->cpu.arch == KP_ARCH_S390X);

	c->karg_cmd[0] = '\0';
	if (kp_boot_arg_cmd(b, add, arg, cmd, sizeof(cmd)) == 0 &&
	    snprintf(c->karg_cmd, sizeof(c->karg_cmd), "%s", cmd) < (int)sizeof(c->karg_cmd))
		snprintf(c->karg, sizeof(c->karg), "%s %.64s %s the kernel command line: %s, then reboot",
			 add ? "add" : "remove", shown, add ? "to" : "from", cmd);
	else
		snprintf(c->karg, sizeof(c->karg), "%s %s %s the kernel command line (GRUB_CMDLINE_LINUX "
			 "in /etc/default/grub, then update-grub or grub2-mkconfig -o "
			 "/boot/grub2/grub.cfg) and reboot", add ? "add" : "remove", shown,
			 add ? "to" : "from");
	return c->karg;
}

const char *vkarg_hint(struct vctx *c, int add, const char *arg)
{
	return vkarg_hint2(c, add, arg, arg);
}

void vsize(char *buf, size_t n, long long bytes)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 100 || v == (long long)v)
		snprintf(buf, n, "%.0f %s", v, unit[u]);
	else
		snprintf(buf, n, "%.1f %s", v, unit[u]);
}

int vctx_init(struct vctx *c)
{
	c->cpu_r = kp_cpuinfo_read(&c->cpu);
	if (kp_cmdline_read(&c->cmdline) < 0)
		c->cmdline = strdup("");
	if (!c->cmdline)
		return -ENOMEM;
	c->mem_r = kp_meminfo_read(&c->mem);
	c->nmodseen = 0;
	c->cpus_online = c->numa_nodes = c->ksm_read = 0;
	if (kp_mod_new(&c->mod) < 0)
		c->mod = NULL;
	c->iommu_groups = -1;
	c->iommu_kind = -1;
	c->iommu_units = -1;
	return c->cpu_r;
}

void vctx_free(struct vctx *c)
{
	if (c->probe_started)
		vctx_probe(c, NULL);
	if (c->cpu_r == 0)
		kp_cpuinfo_free(&c->cpu);
	free(c->cmdline);
	free(c->boot_where);
	free(c->hp);
	if (c->mod) {
		char note[4200];

		/* modprobe.d files libkmod could not be given (lib/module.h) */
		for (size_t i = 0; kp_mod_conf_note(c->mod, i, note, sizeof(note)) == 0; i++)
			kp_warn(NULL, "%s", note);
		kp_mod_free(c->mod);
		c->mod = NULL;
	}
}

/* the child's answer: the probe's result and return, in one write */
struct probe_msg {
	struct kp_kvmprobe res;
	int r;
};

static void probe_send(const struct kp_kvmprobe *res, int r, void *arg)
{
	struct probe_msg m;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.res = *res;
	m.r = r;
	do
		n = write(*(int *)arg, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	close(*(int *)arg);
}

/*
 * Start the KVM probe in a child process, so that its cost overlaps the
 * other checks and its largest part is not ours to wait for: creating a
 * vCPU without an in-kernel irqchip flips a static key (kernel text
 * patched on every CPU), and the VM's teardown at close
 * (kvm_destroy_vm(): the MMU notifier's and the memslots' SRCU grace
 * periods) takes milliseconds. The child sends its answer down a pipe
 * before the teardown and then tears down and exits on its own; nobody
 * waits for that. A thread would share our mm, whose lock the teardown
 * holds against our own page faults. The child keeps none of our
 * descriptors but the pipe (a shell's $(...) waits until every writer of
 * its pipe has closed it). When the child cannot start, vctx_probe runs
 * the probe in line.
 */
void vctx_probe_start(struct vctx *c)
{
	int p[2];
	pid_t pid;

	if (c->probe_done || c->probe_started)
		return;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		struct kp_kvmprobe res;
		/* the pipe above 0-2 (it got one of them when that was closed) */
		int w = p[1] > 2 ? p[1] : fcntl(p[1], F_DUPFD, 3);
		int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

		setrlimit(RLIMIT_CORE, &nocore); /* a probe KVM kills leaves no core */
		if (w < 0)
			_exit(1);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		if (w > 3)
			close_range(3, (unsigned)w - 1, 0);
		close_range((unsigned)w + 1, ~0U, 0);
		kp_kvm_probe_report(&res, probe_send, &w);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return;
	}
	c->probe_fd = p[0];
	c->probe_pid = pid;
	c->probe_started = 1;
}

/* the child's answer; a child that died before it is said so, and one
 * that gives none within PROBE_TIMEOUT_MS is killed */
#define PROBE_TIMEOUT_MS 10000

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void probe_receive(struct vctx *c)
{
	struct pollfd pfd = { .fd = c->probe_fd, .events = POLLIN };
	long long deadline = now_ms() + PROBE_TIMEOUT_MS;
	struct probe_msg m;
	size_t got = 0;
	int st, hung = 0;

	while (got < sizeof(m)) {
		long long left = deadline - now_ms();
		ssize_t n;

		/* bounded: a vCPU that never leaves KVM_RUN (a broken
		 * hypervisor below a nested or paravirtual KVM) must not
		 * hang a boot unit or a fleet run */
		if (left <= 0 || (n = poll(&pfd, 1, (int)left)) == 0) {
			hung = 1;
			break;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n = read(c->probe_fd, (char *)&m + got, sizeof(m) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(c->probe_fd);
	if (got == sizeof(m)) {
		c->probe = m.res;
		c->probe_r = m.r;
		return;
	}
	memset(&c->probe, 0, sizeof(c->probe));
	c->probe.api_version = -1;
	c->probe.exit_reason = -1;
	c->probe_r = -EIO;
	c->probe_died = 1;
	if (hung) {
		/* SIGKILL ends a task inside KVM_RUN; its teardown is not ours
		 * to wait for either */
		kill(c->probe_pid, SIGKILL);
		snprintf(c->probe.detail, sizeof(c->probe.detail),
			 "the probe's guest code did not come back from KVM_RUN within %d s",
			 PROBE_TIMEOUT_MS / 1000);
	} else if (waitpid(c->probe_pid, &st, 0) == c->probe_pid && WIFSIGNALED(st))
		snprintf(c->probe.detail, sizeof(c->probe.detail),
			 "the probe process died of signal %d (%s)", WTERMSIG(st),
			 strsignal(WTERMSIG(st)));
	else
		snprintf(c->probe.detail, sizeof(c->probe.detail),
			 "the probe process exited without an answer");
}

const struct kp_kvmprobe *vctx_probe(struct vctx *c, int *r)
{
	if (!c->probe_done) {
		if (c->probe_started)
			probe_receive(c);
		else
			c->probe_r = kp_kvm_probe(&c->probe);
		c->probe_started = 0;
		c->probe_done = 1;
	}
	if (r)
		*r = c->probe_r;
	return &c->probe;
}

/* The hugepage pools, read once per run (three checks and the host object
 * ask): a view into the context, valid until vctx_free, or -errno as
 * kp_hugepools says. */
int vhugepools(struct vctx *c, const struct kp_hugepool **p, size_t *n)
{
	if (!c->hp_read) {
		c->hp_r = kp_hugepools(&c->hp, &c->nhp);
		c->hp_read = 1;
	}
	if (c->hp_r < 0)
		return c->hp_r;
	*p = c->hp;
	*n = c->nhp;
	return 0;
}

/* A run judges one moment of the host and loads no module, so a module's
 * state is asked of /sys/module and the indexes once per run. */
int vmod(struct vctx *c, const char *name, enum kp_modstate *st)
{
	unsigned i;
	int r;

	if (!c->mod)
		return -ENOTSUP;
	for (i = 0; i < c->nmodseen; i++)
		if (!strcmp(c->modseen[i].name, name)) {
			*st = c->modseen[i].st;
			return c->modseen[i].r;
		}
	r = kp_mod_state(c->mod, name, st);
	if (c->nmodseen < sizeof(c->modseen) / sizeof(c->modseen[0]) &&
	    strlen(name) < sizeof(c->modseen[0].name)) {
		i = c->nmodseen++;
		snprintf(c->modseen[i].name, sizeof(c->modseen[i].name), "%s", name);
		c->modseen[i].st = r < 0 ? KP_MOD_MISSING : *st;
		c->modseen[i].r = r;
	}
	return r;
}

int vmod_present(struct vctx *c, const char *name)
{
	enum kp_modstate st;

	if (vmod(c, name, &st) < 0)
		return 0;
	return st == KP_MOD_LOADED || st == KP_MOD_BUILTIN;
}

int vcpus_online(struct vctx *c)
{
	char online[256];
	int on;

	if (!c->cpus_online) {
		c->cpus_online = c->cpu.count;
		if (vsys("/sys/devices/system/cpu/online", online, sizeof(online)) >= 0 &&
		    (on = kp_list_count(online)) > 0)
			c->cpus_online = on;
	}
	return c->cpus_online;
}

int vnuma_nodes(struct vctx *c)
{
	if (!c->numa_nodes)
		c->numa_nodes = kp_numa_nodes();
	return c->numa_nodes;
}

int vksm_run(struct vctx *c, long *run)
{
	if (!c->ksm_read) {
		c->ksm_r = kp_sysfs_read_long("/sys/kernel/mm/ksm/run", &c->ksm_run);
		c->ksm_read = 1;
	}
	*run = c->ksm_run;
	return c->ksm_r;
}

int vsys(const char *path, char *buf, size_t n)
{
	return kp_sysfs_read(path, buf, n);
}

int vhost_line(const char *abs, char *buf, size_t n)
{
	int r = kp_read_line(abs, buf, n);

	return r < 0 ? r : (int)strlen(buf);
}

static int count_dir(const char *path, char *names, size_t n)
{
	struct dirent *de;
	int count = 0;
	DIR *d;

	if (names && n)
		names[0] = '\0';
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		count++;
		if (names && strlen(names) + strlen(de->d_name) + 3 < n) {
			if (names[0])
				strcat(names, ", ");
			strcat(names, de->d_name);
		}
	}
	closedir(d);
	return count;
}

int vctx_iommu(struct vctx *c)
{
	if (c->iommu_units < 0) {
		int u = count_dir("/sys/class/iommu", c->iommu_names,
				  sizeof(c->iommu_names));
		int g = count_dir("/sys/kernel/iommu_groups", NULL, 0);

		c->iommu_units = u < 0 ? 0 : u;
		c->iommu_groups = g < 0 ? 0 : g;
	}
	return c->iommu_groups;
}

int v_is_x86(const struct vctx *c)
{
	return c->cpu_r == 0 && c->cpu.arch == KP_ARCH_X86_64;
}

int v_intel(const struct vctx *c)
{
	return c->cpu_r == 0 && c->cpu.vendor == KP_VENDOR_INTEL;
}

int v_amd(const struct vctx *c)
{
	return c->cpu_r == 0 &&
	       (c->cpu.vendor == KP_VENDOR_AMD || c->cpu.vendor == KP_VENDOR_HYGON);
}

int v_snp_cpu(const struct vctx *c)
{
	return v_amd(c) && kp_cpuinfo_has(&c->cpu, "sev_snp");
}

int v_iommu_passthrough(const struct vctx *c)
{
	return kp_cmdline_has_item(c->cmdline, "iommu", "pt") ||
	       kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "1") ||
	       kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "on") ||
	       kp_cmdline_has_item(c->cmdline, "iommu.passthrough", "y");
}

int vparam_bool(const char *module, const char *param)
{
	char path[256], buf[32];

	snprintf(path, sizeof(path), "/sys/module/%s/parameters/%s", module, param);
	if (kp_sysfs_read(path, buf, sizeof(buf)) < 0)
		return -1;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}
