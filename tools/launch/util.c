/* SPDX-License-Identifier: MIT */
/* kvmprep-launch: pure parsers and decisions (no host access). */
#include "launch.h"
#include "ids.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int l_size_parse(const char *s, unsigned long long *bytes)
{
	unsigned long long v, mul = L_MIB;
	char *end;

	if (!s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mul = 1024ULL; break;
		case 'M': mul = L_MIB; break;
		case 'G': mul = L_GIB; break;
		case 'T': mul = L_GIB * 1024; break;
		default: return -EINVAL;
		}
		end++;
		/* "2G", "2GiB", "2GB" all mean 2 GiB, as QEMU reads them */
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (v > UINT64_MAX / mul)
		return -ERANGE;
	*bytes = v * mul;
	return 0;
}

int l_hugesize_parse(const char *s, long long *kb)
{
	unsigned long long b;
	int r;

	if (!s || !*s || !strpbrk(s, "kKmMgG"))
		return -EINVAL;
	r = l_size_parse(s, &b);
	if (r < 0)
		return -EINVAL;
	if (b != 2 * L_MIB && b != L_GIB)
		return -EINVAL;
	*kb = (long long)(b / 1024);
	return 0;
}

static int num(const char **p, long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	*out = strtol(*p, &end, 10);
	if (errno || *out < 0 || *out >= L_MAX_CPUS)
		return -EINVAL;
	*p = end;
	return 0;
}

int l_cpulist_parse(const char *s, unsigned char *bits)
{
	const char *p = s;
	int count = 0;

	memset(bits, 0, L_MAX_CPUS / 8);
	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		long a, b, i;

		if (num(&p, &a) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (num(&p, &b) < 0 || b < a)
				return -EINVAL;
		}
		for (i = a; i <= b; i++)
			if (!(bits[i / 8] & (1u << (i % 8)))) {
				bits[i / 8] |= (unsigned char)(1u << (i % 8));
				count++;
			}
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	return count;
}

int l_cpulist_order(const char *s, int *out, int max)
{
	unsigned char seen[L_MAX_CPUS / 8] = { 0 };
	const char *p = s;
	int n = 0;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		long a, b, i;

		if (num(&p, &a) < 0)
			return -EINVAL;
		b = a;
		if (*p == '-') {
			p++;
			if (num(&p, &b) < 0 || b < a)
				return -EINVAL;
		}
		for (i = a; i <= b; i++)
			if (!(seen[i / 8] & (1u << (i % 8)))) {
				seen[i / 8] |= (unsigned char)(1u << (i % 8));
				if (n < max)
					out[n] = (int)i;
				n++;
			}
		if (*p == '\0')
			break;
		if (*p != ',')
			return -EINVAL;
		p++;
	}
	return n;
}

void l_cpulist_format(const unsigned char *bits, char *buf, size_t n)
{
	size_t used = 0;
	int i = 0;

	buf[0] = '\0';
	while (i < L_MAX_CPUS) {
		int j;

		if (!(bits[i / 8] & (1u << (i % 8)))) {
			i++;
			continue;
		}
		j = i;
		while (j + 1 < L_MAX_CPUS && (bits[(j + 1) / 8] & (1u << ((j + 1) % 8))))
			j++;
		if (used < n) {
			int w = j > i ? snprintf(buf + used, n - used, "%s%d-%d", used ? "," : "", i, j)
				      : snprintf(buf + used, n - used, "%s%d", used ? "," : "", i);
			used += w > 0 ? (size_t)w : 0;
		}
		i = j + 1;
	}
	if (used >= n && n)
		buf[n - 1] = '\0';
}

int l_mac_parse(const char *in, char out[18])
{
	unsigned char b[6];
	unsigned x;
	int i;

	if (!in || strlen(in) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++) {
		const char *c = in + i * 3;

		if (!isxdigit((unsigned char)c[0]) || !isxdigit((unsigned char)c[1]) ||
		    (i < 5 && c[2] != ':'))
			return -EINVAL;
		sscanf(c, "%2x", &x);
		b[i] = (unsigned char)x;
	}
	if (b[0] & 1)
		return -EADDRNOTAVAIL;
	if (!(b[0] | b[1] | b[2] | b[3] | b[4] | b[5]))
		return -EADDRNOTAVAIL;
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4], b[5]);
	return 0;
}

void l_mac_for(const char *name, size_t i, char out[18])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	const char *c;

	for (c = name; *c; c++)
		h = (h ^ (unsigned char)*c) * 16777619u;
	h = (h ^ (unsigned char)i) * 16777619u;
	h = (h ^ 0xa5) * 16777619u;
	snprintf(out, 18, "52:54:00:%02x:%02x:%02x", (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff);
}

int l_nic_parse(const char *spec, struct l_nic *nic, char *err, size_t errn)
{
	char buf[256], *save = NULL, *tok;
	int first = 1;

	memset(nic, 0, sizeof(*nic));
	nic->queues = 1;
	if (!spec || strlen(spec) >= sizeof(buf)) {
		snprintf(err, errn, "too long");
		return -EINVAL;
	}
	strcpy(buf, spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = 0) {
		char *eq = strchr(tok, '=');
		const char *k = tok, *v;

		if (!eq || eq[1] == '\0') {
			snprintf(err, errn, "'%s' is not KEY=VALUE", tok);
			return -EINVAL;
		}
		*eq = '\0';
		v = eq + 1;
		if (!strcmp(k, "bridge") || !strcmp(k, "macvtap") || !strcmp(k, "tap")) {
			if (!first) {
				snprintf(err, errn, "%s= must come first", k);
				return -EINVAL;
			}
			nic->kind = !strcmp(k, "bridge") ? L_NIC_BRIDGE :
				    !strcmp(k, "macvtap") ? L_NIC_MACVTAP : L_NIC_TAP;
			if (kp_ifname_check(v) < 0) {
				snprintf(err, errn, "'%s' is not an interface name", v);
				return -EINVAL;
			}
			snprintf(nic->ifname, sizeof(nic->ifname), "%s", v);
		} else if (first) {
			snprintf(err, errn, "must start with bridge=, macvtap= or tap=");
			return -EINVAL;
		} else if (!strcmp(k, "mac")) {
			int r = l_mac_parse(v, nic->mac);

			if (r < 0) {
				snprintf(err, errn, r == -EADDRNOTAVAIL ?
					 "mac '%s' is not a unicast address (the first octet must be even, not all zeros)" :
					 "mac '%s' is not XX:XX:XX:XX:XX:XX", v);
				return -EINVAL;
			}
			nic->mac_given = 1;
		} else if (!strcmp(k, "queues")) {
			char *end;
			long q = strtol(v, &end, 10);

			if (*end || q < 1 || q > L_MAX_QUEUES) {
				snprintf(err, errn, "queues '%s' is not 1..%d", v, L_MAX_QUEUES);
				return -EINVAL;
			}
			nic->queues = (int)q;
		} else {
			snprintf(err, errn, "unknown key '%s' (bridge, macvtap, tap, mac, queues)", k);
			return -EINVAL;
		}
	}
	if (!nic->ifname[0]) {
		snprintf(err, errn, "must start with bridge=, macvtap= or tap=");
		return -EINVAL;
	}
	return 0;
}

int l_name_check(const char *name)
{
	size_t i, n = name ? strlen(name) : 0;

	if (n == 0 || n > 64 || name[0] == '.' || name[0] == '-')
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return -EINVAL;
	return 0;
}

char *l_qemu_escape(const char *s)
{
	size_t n = 0;
	const char *c;
	char *out, *o;

	for (c = s; *c; c++)
		n += *c == ',' ? 2 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	for (c = s, o = out; *c; c++) {
		*o++ = *c;
		if (*c == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

void l_memlock_decide(unsigned long long guest_mem, int ndevices, unsigned long long soft,
		      unsigned long long hard, int cap_ipc_lock, int cap_sys_resource,
		      struct l_memlock *out)
{
	memset(out, 0, sizeof(*out));
	out->cur_soft = soft;
	out->cur_hard = hard;
	if (ndevices <= 0) {
		out->action = L_MEMLOCK_NONE;
		return;
	}
	out->need = guest_mem + L_GIB;
	if (soft >= out->need) {
		out->action = L_MEMLOCK_KEEP;
		return;
	}
	/* raising the soft limit up to the hard one needs no privilege; above
	 * it CAP_SYS_RESOURCE. Raised whenever it can be, as libvirt does, even
	 * where CAP_IPC_LOCK makes the limit moot; refused only when nothing
	 * lets the pinning through. */
	if (hard >= out->need || cap_sys_resource)
		out->action = L_MEMLOCK_RAISE;
	else
		out->action = cap_ipc_lock ? L_MEMLOCK_KEEP : L_MEMLOCK_REFUSE;
	out->by_cap = out->action == L_MEMLOCK_KEEP;
}

const char *l_memlock_action_name(enum l_memlock_action a)
{
	switch (a) {
	case L_MEMLOCK_NONE: return "none";
	case L_MEMLOCK_KEEP: return "keep";
	case L_MEMLOCK_RAISE: return "raise";
	case L_MEMLOCK_REFUSE: return "refuse";
	}
	return "?";
}

void l_human_size(unsigned long long b, char *buf, size_t n)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned long long whole = b, rem = 0;
	int u = 0;

	if (b == ~0ULL) {
		snprintf(buf, n, "unlimited");
		return;
	}
	while (whole >= 1024 && u < 6) {
		rem = whole % 1024;
		whole /= 1024;
		u++;
	}
	if (rem && whole < 100)
		snprintf(buf, n, "%llu.%llu %s", whole, rem * 10 / 1024, units[u]);
	else
		snprintf(buf, n, "%llu %s", whole, units[u]);
}
