/* SPDX-License-Identifier: MIT */
/* The settings of `vf PF INDEX …`, checked before anything is sent. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>

#include "vfargs.h"

void vf_errmsg(enum kp_vf_attr a, int err, const char *kmsg, char *buf, size_t n)
{
	const char *why;

	switch (-err) {
	case EOPNOTSUPP: why = "the PF's driver does not support it"; break;
	case EINVAL: why = "the PF's driver refused the value"; break;
	case EPERM: why = "not permitted (the VF's MAC is locked, or not root)"; break;
	case ENODEV: why = "the PF's interface or the VF is gone"; break;
	case EBUSY: why = "the PF's driver is busy (VFs being reset?)"; break;
	default: why = "the kernel refused it"; break;
	}
	snprintf(buf, n, "cannot set %s: %s (%s)", kp_vf_attr_name(a), kmsg && kmsg[0] ? kmsg : why,
		 strerror(-err));
}

/* A decimal number 0..max, digits only. */
static int num(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!isdigit((unsigned char)s[0]) || strlen(s) > 10)
		return -1;
	*v = strtoul(s, &end, 10);
	return *end || *v > max ? -1 : 0;
}

static int onoff(const char *s)
{
	return !strcmp(s, "on") ? 1 : !strcmp(s, "off") ? 0 : -1;
}

static int parse_mac(const char *s, unsigned char mac[6])
{
	unsigned v[6];
	int i, len = 0;

	if (strlen(s) != 17 ||
	    sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &len) != 6 ||
	    len != 17)
		return -1;
	for (i = 0; i < 17; i++)
		if (i % 3 == 2 ? s[i] != ':' : !isxdigit((unsigned char)s[i]))
			return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (unsigned char)v[i];
	return 0;
}

#define BAD(...) do { snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

int vf_args_parse(int argc, char **argv, struct kp_vf_change *out, int max, char *err,
		  size_t errlen)
{
	int i, n = 0, vlan_at = -1, seen_qos = 0, seen_proto = 0;
	unsigned seen = 0, pend_qos = 0, pend_proto = 0x8100;

	for (i = 0; i < argc; i++) {
		char key[16];
		const char *eq = strchr(argv[i], '='), *val;
		struct kp_vf_change c;
		unsigned long a, b;
		size_t kl;
		int on, bit;

		if (!eq || eq == argv[i])
			BAD("'%s': want SETTING=VALUE (mac=, vlan=, qos=, proto=, rate=, max=, "
			    "spoofchk=, trust=, state=, query_rss=)", argv[i]);
		kl = (size_t)(eq - argv[i]);
		if (kl >= sizeof(key))
			BAD("'%s': unknown setting", argv[i]);
		memcpy(key, argv[i], kl);
		key[kl] = '\0';
		val = eq + 1;
		memset(&c, 0, sizeof(c));
		if (!strcmp(key, "qos")) {
			if (num(val, 0xffffffffUL, &a) < 0 || a > 7)
				BAD("%s: qos must be 0..7", argv[i]);
			if (seen_qos++)
				BAD("%s: qos given twice", argv[i]);
			pend_qos = (unsigned)a;
			if (vlan_at >= 0)
				out[vlan_at].qos = pend_qos;
			continue;
		} else if (!strcmp(key, "proto")) {
			unsigned p = !strcmp(val, "802.1Q") || !strcmp(val, "802.1q") ? 0x8100
				     : !strcmp(val, "802.1ad") ? 0x88a8 : 0;

			if (!p)
				BAD("%s: proto must be 802.1Q or 802.1ad", argv[i]);
			if (seen_proto++)
				BAD("%s: proto given twice", argv[i]);
			pend_proto = p;
			if (vlan_at >= 0)
				out[vlan_at].vlan_proto = pend_proto;
			continue;
		} else if (!strcmp(key, "mac")) {
			c.attr = KP_VF_MAC;
			if (parse_mac(val, c.mac) < 0)
				BAD("%s: malformed MAC address (want 52:54:00:12:34:56)", argv[i]);
			if (c.mac[0] & 1)
				BAD("%s: a multicast MAC address cannot be a VF's", argv[i]);
			if (!(c.mac[0] | c.mac[1] | c.mac[2] | c.mac[3] | c.mac[4] | c.mac[5]))
				BAD("%s: the all-zero MAC address cannot be a VF's", argv[i]);
		} else if (!strcmp(key, "vlan")) {
			c.attr = KP_VF_VLAN;
			if (num(val, 4094, &a) < 0)
				BAD("%s: VLAN must be 0..4094 (0: none)", argv[i]);
			c.vlan = (unsigned)a;
			c.qos = pend_qos;
			c.vlan_proto = pend_proto;
		} else if (!strcmp(key, "rate")) {
			const char *dash = strchr(val, '-');
			char lo[16];

			c.attr = KP_VF_RATE;
			if (!dash || (size_t)(dash - val) >= sizeof(lo))
				BAD("%s: want rate=MIN-MAX in Mbit/s (max=MAX keeps the minimum)", argv[i]);
			memcpy(lo, val, (size_t)(dash - val));
			lo[dash - val] = '\0';
			if (num(lo, 0xfffffffeUL, &a) < 0 || num(dash + 1, 0xfffffffeUL, &b) < 0)
				BAD("%s: want rate=MIN-MAX in Mbit/s, numbers", argv[i]);
			if (b && a > b)
				BAD("%s: the minimum rate is above the maximum", argv[i]);
			c.min_rate = (unsigned)a;
			c.max_rate = (unsigned)b;
		} else if (!strcmp(key, "max")) {
			c.attr = KP_VF_RATE;
			if (num(val, 0xfffffffeUL, &b) < 0)
				BAD("%s: want max=MAX in Mbit/s (0: no limit)", argv[i]);
			c.min_rate = VF_RATE_KEEP;
			c.max_rate = (unsigned)b;
		} else if (!strcmp(key, "spoofchk") || !strcmp(key, "trust") ||
			   !strcmp(key, "query_rss")) {
			c.attr = key[0] == 's' ? KP_VF_SPOOFCHK : key[0] == 't' ? KP_VF_TRUST
									: KP_VF_QUERY_RSS;
			on = onoff(val);
			if (on < 0)
				BAD("%s: %s must be on or off", argv[i], key);
			c.on = on;
		} else if (!strcmp(key, "state")) {
			c.attr = KP_VF_STATE;
			c.state = !strcmp(val, "auto") ? IFLA_VF_LINK_STATE_AUTO
				  : !strcmp(val, "enable") ? IFLA_VF_LINK_STATE_ENABLE
				  : !strcmp(val, "disable") ? IFLA_VF_LINK_STATE_DISABLE : -1;
			if (c.state < 0)
				BAD("%s: state must be auto, enable or disable", argv[i]);
		} else {
			BAD("'%s': unknown setting (mac=, vlan=, qos=, proto=, rate=, max=, "
			    "spoofchk=, trust=, state=, query_rss=)", argv[i]);
		}
		bit = 1 << c.attr;
		if (seen & (unsigned)bit)
			BAD("%s: %s given twice", argv[i], kp_vf_attr_name(c.attr));
		seen |= (unsigned)bit;
		if (n >= max)
			BAD("too many settings");
		if (c.attr == KP_VF_VLAN)
			vlan_at = n;
		out[n++] = c;
	}
	if ((seen_qos || seen_proto) && vlan_at < 0)
		BAD("qos and proto need vlan=");
	return n;
}
