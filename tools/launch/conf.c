/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-launch: one table of options for the command line and VM files
 * (/etc/kvmprep/vms/NAME.conf, "key = value" lines with the long option
 * names), and the strict reader of those files.
 */
#include "launch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "rfile.h"
#include "root.h"

/* the options a VM file may carry: every option of the guest, none of the
 * run's (dry-run, json, quiet, vm) */
static const char *const file_keys[] = {
	"name", "qemu", "kernel", "initrd", "append", "disk", "cdrom", "firmware", "machine",
	"accel", "memory", "cpus", "hugepages", "pin", "numa-node", "vfio", "mdev", "nic",
	"console", "qmp", "uuid", "shutdown-timeout", "state-dir",
};
#define NKEYS (sizeof(file_keys) / sizeof(file_keys[0]))

int l_opt_file_key(const char *key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (!strcmp(key, file_keys[i]))
			return 1;
	return 0;
}

/* One error line: "FILE:LINE: key: message" from a file, "invalid --key
 * 'value': message (try …)" from the command line. */
__attribute__((format(printf, 4, 5)))
static int bad(const char *origin, const char *key, const char *val, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (origin) {
		kp_err(origin, "%s: %s", key, msg);
		return KP_EXIT_USAGE;
	}
	return kp_usage_err("invalid --%s '%s': %s", key, val ? val : "", msg);
}

static int set_str(char **dst, const char *val)
{
	char *s = strdup(val);

	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

static int add_str(char **arr, size_t *n, size_t max, const char *val)
{
	if (*n >= max)
		return -ENOSPC;
	arr[*n] = strdup(val);
	if (!arr[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

int l_opt_apply(struct l_opts *o, const char *key, const char *val, const char *origin)
{
	long v;
	int r = 0;

	if (!val)
		val = "";
	if (!strcmp(key, "name")) {
		if (l_name_check(val) < 0)
			return bad(origin, key, val, "1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
		snprintf(o->name, sizeof(o->name), "%s", val);
	} else if (!strcmp(key, "qemu") || !strcmp(key, "kernel") || !strcmp(key, "initrd") ||
		   !strcmp(key, "cdrom") || !strcmp(key, "state-dir") || !strcmp(key, "qmp")) {
		char **dst = !strcmp(key, "qemu") ? &o->qemu : !strcmp(key, "kernel") ? &o->kernel :
			     !strcmp(key, "initrd") ? &o->initrd : !strcmp(key, "cdrom") ? &o->cdrom :
			     !strcmp(key, "qmp") ? &o->qmp_path : &o->state_dir;
		if (!*val)
			return bad(origin, key, val, "empty");
		if (strcmp(key, "qemu") && val[0] != '/' && !strcmp(key, "state-dir"))
			return bad(origin, key, val, "not an absolute path");
		r = set_str(dst, val);
	} else if (!strcmp(key, "append")) {
		r = set_str(&o->append, val);
	} else if (!strcmp(key, "disk")) {
		if (!*val)
			return bad(origin, key, val, "empty");
		r = add_str(o->disks, &o->ndisks, L_MAX_DISKS, val);
		if (r == -ENOSPC)
			return bad(origin, key, val, "more than %d disks", L_MAX_DISKS);
	} else if (!strcmp(key, "firmware")) {
		if (!strcmp(val, "uefi"))
			o->firmware = L_FW_UEFI;
		else if (!strcmp(val, "bios"))
			o->firmware = L_FW_BIOS;
		else
			return bad(origin, key, val, "uefi or bios");
	} else if (!strcmp(key, "machine")) {
		size_t i, n = strlen(val);

		if (n == 0 || n >= sizeof(o->machine))
			return bad(origin, key, val, "a QEMU machine type (q35, microvm, pc, …)");
		for (i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", val[i]))
				return bad(origin, key, val, "a QEMU machine type (q35, microvm, pc, …)");
		snprintf(o->machine, sizeof(o->machine), "%s", val);
	} else if (!strcmp(key, "accel")) {
		if (!strcmp(val, "auto"))
			o->accel = L_ACCEL_AUTO;
		else if (!strcmp(val, "kvm"))
			o->accel = L_ACCEL_KVM;
		else if (!strcmp(val, "tcg"))
			o->accel = L_ACCEL_TCG;
		else
			return bad(origin, key, val, "kvm, tcg or auto");
	} else if (!strcmp(key, "memory")) {
		unsigned long long b;

		if (l_size_parse(val, &b) < 0 || b < 16 * L_MIB || b % L_MIB)
			return bad(origin, key, val, "a size of at least 16M in whole MiB (512M, 4G; a bare number is MiB)");
		o->mem = b;
	} else if (!strcmp(key, "cpus")) {
		if (parse_int(val, 1, L_MAX_VCPUS, &v) < 0)
			return bad(origin, key, val, "a number of vCPUs, 1..%d", L_MAX_VCPUS);
		o->cpus = (int)v;
	} else if (!strcmp(key, "hugepages")) {
		if (l_hugesize_parse(val, &o->huge_kb) < 0)
			return bad(origin, key, val, "a hugepage size: 2M or 1G");
	} else if (!strcmp(key, "pin")) {
		unsigned char bits[L_MAX_CPUS / 8];

		if (l_cpulist_parse(val, bits) < 0)
			return bad(origin, key, val, "a CPU list such as 2-5 or 2,4,6-7 (CPUs below %d)", L_MAX_CPUS);
		r = set_str(&o->pin, val);
	} else if (!strcmp(key, "numa-node")) {
		if (parse_int(val, 0, 1023, &v) < 0)
			return bad(origin, key, val, "a NUMA node number");
		o->numa_node = (int)v;
	} else if (!strcmp(key, "vfio")) {
		char bdf[13];

		if (kp_bdf_parse(val, bdf) < 0)
			return bad(origin, key, val, "a PCI address (0000:01:00.0 or 01:00.0)");
		r = add_str(o->vfio, &o->nvfio, L_MAX_DEVS, bdf);
		if (r == -ENOSPC)
			return bad(origin, key, val, "more than %d devices", L_MAX_DEVS);
	} else if (!strcmp(key, "mdev") || !strcmp(key, "uuid")) {
		char low[37];
		size_t i;

		if (kp_uuid_check(val) < 0)
			return bad(origin, key, val, "a UUID (8-4-4-4-12 hex digits)");
		for (i = 0; i < 36; i++)
			low[i] = (char)(val[i] >= 'A' && val[i] <= 'F' ? val[i] - 'A' + 'a' : val[i]);
		low[36] = '\0';
		if (!strcmp(key, "uuid")) {
			memcpy(o->uuid, low, sizeof(low));
		} else {
			r = add_str(o->mdev, &o->nmdev, L_MAX_DEVS, low);
			if (r == -ENOSPC)
				return bad(origin, key, val, "more than %d devices", L_MAX_DEVS);
		}
	} else if (!strcmp(key, "nic")) {
		char err[160];

		if (o->nnics >= L_MAX_NICS)
			return bad(origin, key, val, "more than %d NICs", L_MAX_NICS);
		if (l_nic_parse(val, &o->nics[o->nnics], err, sizeof(err)) < 0)
			return bad(origin, key, val, "%s", err);
		o->nnics++;
	} else if (!strcmp(key, "console")) {
		const char *path = NULL;

		if (!strcmp(val, "stdio"))
			o->console = L_CON_STDIO;
		else if (!strcmp(val, "pty"))
			o->console = L_CON_PTY;
		else if (!strcmp(val, "none"))
			o->console = L_CON_NONE;
		else if (!strncmp(val, "socket=", 7) || !strncmp(val, "socket ", 7)) {
			path = val + 7;
			while (*path == ' ')
				path++;
			if (path[0] != '/')
				return bad(origin, key, val, "socket=PATH needs an absolute path");
			o->console = L_CON_SOCKET;
			r = set_str(&o->console_path, path);
		} else
			return bad(origin, key, val, "stdio, pty, none or socket=PATH");
	} else if (!strcmp(key, "shutdown-timeout")) {
		if (parse_int(val, 0, 3600, &v) < 0)
			return bad(origin, key, val, "seconds, 0..3600");
		o->shutdown_timeout = (int)v;
	} else {
		if (origin) {
			kp_err(origin, "unknown key '%s'", key);
			return KP_EXIT_USAGE;
		}
		return kp_usage_err("unknown option '--%s'", key);
	}
	if (r == -ENOMEM) {
		kp_err(NULL, "cannot allocate memory");
		return KP_EXIT_FAIL;
	}
	return KP_EXIT_OK;
}

/* ---- VM files ----------------------------------------------------------- */

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int l_vmfile_parse(struct l_opts *o, const char *path, const char *buf, size_t len)
{
	unsigned seen = 0;
	size_t pos = 0;
	int line = 0;

	if (memchr(buf, '\0', len)) {
		size_t at = (size_t)((const char *)memchr(buf, '\0', len) - buf), i;

		line = 1;
		for (i = 0; i < at; i++)
			line += buf[i] == '\n';
		kp_err(NULL, "%s:%d: cannot read: a NUL byte (not a text file)", path, line);
		return KP_EXIT_USAGE;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos, i;
		char text[4096], origin[4200], *s, *eq, *key, *val;
		int r;

		line++;
		snprintf(origin, sizeof(origin), "%s:%d", path, line);
		if (n >= sizeof(text)) {
			kp_err(origin, "line longer than %zu bytes", sizeof(text) - 1);
			return KP_EXIT_USAGE;
		}
		memcpy(text, buf + pos, n);
		text[n] = '\0';
		pos += n + 1;
		for (i = 0; i < n; i++)
			if ((unsigned char)text[i] < 0x20 && text[i] != '\t' && text[i] != '\r') {
				kp_err(origin, "a control character (0x%02x)", (unsigned char)text[i]);
				return KP_EXIT_USAGE;
			}
		s = trim(text);
		if (*s == '\0' || *s == '#')
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			kp_err(origin, "not 'key = value': '%s'", s);
			return KP_EXIT_USAGE;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!l_opt_file_key(key)) {
			kp_err(origin, "unknown key '%s'", key);
			return KP_EXIT_USAGE;
		}
		n = strlen(val);
		if (n >= 2 && val[0] == '"' && val[n - 1] == '"') {
			val[n - 1] = '\0';
			val++;
		}
		if (strcmp(key, "disk") && strcmp(key, "vfio") && strcmp(key, "mdev") && strcmp(key, "nic")) {
			for (i = 0; i < NKEYS; i++)
				if (!strcmp(file_keys[i], key))
					break;
			if (seen & (1u << i)) {
				kp_err(origin, "'%s' given twice", key);
				return KP_EXIT_USAGE;
			}
			seen |= 1u << i;
		}
		r = l_opt_apply(o, key, val, origin);
		if (r)
			return r;
	}
	return KP_EXIT_OK;
}

/* The file is opened and checked by the hardened reader (lib/rfile: no
 * symlink, regular, not writable by others, size cap, no NUL); the lines
 * are "key = value" (a value may hold blanks: append = console=ttyS0 quiet). */
int l_vmfile_read(struct l_opts *o, const char *name)
{
	char path[4096];
	struct kp_rfile f;
	int r;

	if (strchr(name, '/')) {
		if (name[0] == '/') {
			snprintf(path, sizeof(path), "%s", name);
		} else {
			char cwd[2048];

			if (!getcwd(cwd, sizeof(cwd)))
				return kp_usage_err("invalid --vm '%s': cannot resolve a relative path", name);
			snprintf(path, sizeof(path), "%s/%s", cwd, name);
		}
	} else {
		if (l_name_check(name) < 0)
			return kp_usage_err("invalid --vm '%s': a VM name (letters, digits, '.', '_', '-') or a path", name);
		snprintf(path, sizeof(path), "/etc/kvmprep/vms/%s.conf", name);
	}
	r = kp_rfile_open(&f, path, L_VMFILE_MAX, 0);
	if (r < 0) {
		kp_err(NULL, "%s", f.err);
		kp_rfile_close(&f);
		return r == -ENOENT ? KP_EXIT_HOST : r == -EINVAL ? KP_EXIT_USAGE : KP_EXIT_FAIL;
	}
	r = l_vmfile_parse(o, f.name, f.text, f.len);
	kp_rfile_close(&f);
	if (r == KP_EXIT_OK && !o->name[0] && !strchr(name, '/'))
		snprintf(o->name, sizeof(o->name), "%s", name);
	return r;
}

void l_opts_free(struct l_opts *o)
{
	size_t i;

	free(o->vm);
	free(o->qemu);
	free(o->kernel);
	free(o->initrd);
	free(o->append);
	free(o->cdrom);
	free(o->pin);
	free(o->console_path);
	free(o->qmp_path);
	free(o->state_dir);
	for (i = 0; i < o->ndisks; i++)
		free(o->disks[i]);
	for (i = 0; i < o->nvfio; i++)
		free(o->vfio[i]);
	for (i = 0; i < o->nmdev; i++)
		free(o->mdev[i]);
}
