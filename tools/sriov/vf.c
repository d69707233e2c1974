/* SPDX-License-Identifier: MIT */
/*
 * vf PF INDEX SETTING=VALUE…: the settings the PF's driver keeps for one
 * VF, over netlink (lib/vfnl.c), one attribute per request so that the
 * kernel's answer is known per setting. The current settings are read
 * first (one request): a setting that already holds is not sent
 * (unchanged), max= keeps the current minimum rate, and when a later
 * setting fails the earlier ones are put back to what they were.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>

#include "cmds.h"
#include "target.h"
#include "err.h"
#include "exitcodes.h"
#include "lock.h"
#include "vfargs.h"
#include "vfnl.h"

#define MAX_CHANGES 8

enum { C_SETTING, C_VALUE, C_PREVIOUS, C_RESULT, C_CHANGED, C_NCOLS };
static const struct kp_col cols[C_NCOLS] = {
	[C_SETTING] = { "setting", "SETTING", KP_STR, 0 },
	[C_VALUE] = { "value", "VALUE", KP_STR, 0 },
	[C_PREVIOUS] = { "previous", "PREVIOUS", KP_STR, 0 },
	[C_RESULT] = { "result", "RESULT", KP_STR, KP_COL_LAST },
	[C_CHANGED] = { "changed", "CHANGED", KP_BOOL, KP_COL_NOTABLE },
};

/* A change's value as text ("52:54:00:12:34:56", "100 qos 3 802.1ad",
 * "10-1000", "on", "disable"). */
static void value_text(const struct kp_vf_change *c, char *buf, size_t n)
{
	switch (c->attr) {
	case KP_VF_MAC:
		snprintf(buf, n, "%02x:%02x:%02x:%02x:%02x:%02x", c->mac[0], c->mac[1], c->mac[2],
			 c->mac[3], c->mac[4], c->mac[5]);
		break;
	case KP_VF_VLAN:
		snprintf(buf, n, "%u qos %u %s", c->vlan, c->qos,
			 c->vlan_proto == 0x88a8 ? "802.1ad" : "802.1Q");
		break;
	case KP_VF_RATE:
		snprintf(buf, n, "%u-%u", c->min_rate, c->max_rate);
		break;
	case KP_VF_STATE:
		snprintf(buf, n, "%s", kp_vfnl_state_name(c->state));
		break;
	default:
		snprintf(buf, n, "%s", c->on ? "on" : "off");
		break;
	}
}

/* The VF's current value of c's setting as a change (for "unchanged" and
 * for the undo). 0, or -ENOENT when the driver does not report it. */
static int current_of(const struct kp_vfnl_info *v, const struct kp_vf_change *c,
		      struct kp_vf_change *cur)
{
	memset(cur, 0, sizeof(*cur));
	cur->attr = c->attr;
	if (!v)
		return -ENOENT;
	switch (c->attr) {
	case KP_VF_MAC: {
		unsigned m[6];

		if (!v->has_mac || sscanf(v->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
					  &m[4], &m[5]) != 6)
			return -ENOENT;
		for (int i = 0; i < 6; i++)
			cur->mac[i] = (unsigned char)m[i];
		return 0;
	}
	case KP_VF_VLAN:
		if (!v->has_vlan)
			return -ENOENT;
		cur->vlan = v->vlan;
		cur->qos = v->qos;
		cur->vlan_proto = v->vlan_proto ? v->vlan_proto : 0x8100;
		return 0;
	case KP_VF_RATE:
		if (!v->has_rate)
			return -ENOENT;
		cur->min_rate = v->min_rate;
		cur->max_rate = v->max_rate;
		return 0;
	case KP_VF_SPOOFCHK:
		cur->on = v->spoofchk;
		return v->spoofchk < 0 ? -ENOENT : 0;
	case KP_VF_TRUST:
		cur->on = v->trust;
		return v->trust < 0 ? -ENOENT : 0;
	case KP_VF_QUERY_RSS:
		cur->on = v->query_rss;
		return v->query_rss < 0 ? -ENOENT : 0;
	case KP_VF_STATE:
		cur->state = v->link_state;
		return v->link_state < 0 ? -ENOENT : 0;
	}
	return -ENOENT;
}

static int same(const struct kp_vf_change *a, const struct kp_vf_change *b)
{
	char x[64], y[64];

	value_text(a, x, sizeof(x));
	value_text(b, y, sizeof(y));
	return strcmp(x, y) == 0;
}

int cmd_vf(struct opts *o, int argc, char **argv)
{
	struct kp_vf_change ch[MAX_CHANGES], prev[MAX_CHANGES];
	int have_prev[MAX_CHANGES], state[MAX_CHANGES]; /* 0 unchanged 1 set 2 failed 3 undone 4 not tried */
	struct kp_sriov_pf pf;
	struct kp_vfnl_info *info = NULL, *mine = NULL;
	struct kp_vfnl *nl = NULL;
	struct kp_table *t = NULL;
	size_t ninfo = 0, k;
	unsigned long index;
	char bdf[13], err[192], *end;
	int n, i, r, lock = -1, ifindex = 0, failed = -1, any = 0;

	if (argc < 3)
		return kp_usage_err("vf needs PF, INDEX and at least one SETTING=VALUE");
	index = strtoul(argv[1], &end, 10);
	if (argv[1][0] < '0' || argv[1][0] > '9' || *end || index > 65535)
		return kp_usage_err("invalid VF INDEX '%s' (a decimal number from 0)", argv[1]);
	n = vf_args_parse(argc - 2, argv + 2, ch, MAX_CHANGES, err, sizeof(err));
	if (n < 0)
		return kp_usage_err("%s", err);
	r = resolve_pf(argv[0], bdf);
	if (r)
		return r;
	if (!o->dry_run && (r = need_root()))
		return r;
	if (!o->dry_run && (r = take_lock(o, &lock)))
		return r;
	r = check_pf(bdf, &pf);
	if (r)
		goto out;
	if ((int)index >= pf.numvfs && !kp_offline()) {
		kp_err(bdf, "has no VF %lu (%d VFs: 0..%d)", index, pf.numvfs, pf.numvfs - 1);
		r = KP_EXIT_HOST;
		goto out;
	}
	if (!kp_offline() && (!pf.ifname[0] || !(ifindex = (int)if_nametoindex(pf.ifname)))) {
		kp_err(bdf, "has no network interface: VF settings go through the PF's netdev "
			    "(its driver keeps them)");
		r = KP_EXIT_HOST;
		goto out;
	}
	if (o->persist) {
		char who[512];

		if (sriov_owner(&pf, who, sizeof(who))) {
			kp_err(bdf, "cannot persist: %s; kvmprep does not persist a second owner "
			       "(change it there)", who);
			r = KP_EXIT_FAIL;
			goto out;
		}
	}
	/* --offline / --root: sriov.conf only (lib/target.h) */
	if (kp_offline()) {
		r = persist_vf_offline(o, &pf, (int)index, argv + 2, argc - 2);
		goto out;
	}
	r = kp_vfnl_open(&nl);
	if (r < 0) {
		kp_err_errno(NULL, r, "cannot open a netlink socket");
		r = KP_EXIT_FAIL;
		goto out;
	}
	/* what the VF has now: one request */
	if (kp_vfnl_get(nl, pf.ifname, pf.totalvfs, &info, &ninfo) == 0)
		for (k = 0; k < ninfo; k++)
			if (info[k].index == index)
				mine = &info[k];
	for (i = 0; i < n; i++) {
		have_prev[i] = current_of(mine, &ch[i], &prev[i]) == 0;
		if (ch[i].attr == KP_VF_RATE && ch[i].min_rate == VF_RATE_KEEP)
			ch[i].min_rate = have_prev[i] ? prev[i].min_rate : 0;
		if (ch[i].attr == KP_VF_RATE && ch[i].max_rate && ch[i].min_rate > ch[i].max_rate) {
			kp_err(bdf, "VF %lu: cannot set max=%u: below the current minimum rate %u "
			       "(use rate=MIN-MAX)", index, ch[i].max_rate, ch[i].min_rate);
			r = KP_EXIT_USAGE;
			goto out;
		}
		state[i] = have_prev[i] && same(&ch[i], &prev[i]) ? 0 : 4;
	}
	for (i = 0; i < n && failed < 0; i++) {
		char kmsg[256];

		if (state[i] == 0 || o->dry_run)
			continue;
		r = kp_vfnl_set(nl, ifindex, (unsigned)index, &ch[i], kmsg, sizeof(kmsg));
		if (r < 0) {
			char msg[512];

			vf_errmsg(ch[i].attr, r, kmsg, msg, sizeof(msg));
			kp_err(bdf, "VF %lu: %s", index, msg);
			state[i] = 2;
			failed = i;
			break;
		}
		state[i] = 1;
	}
	/* recorded for boot once every setting holds; a file that cannot be
	 * written puts them back */
	if (failed < 0 && o->persist && !o->dry_run &&
	    persist_vf(&pf, (int)index, argv + 2, argc - 2) != 0)
		failed = n;
	/* a later setting failed: the earlier ones back */
	if (failed >= 0) {
		for (i = failed - 1; i >= 0; i--) {
			char kmsg[256];

			if (state[i] != 1)
				continue;
			if (have_prev[i] &&
			    kp_vfnl_set(nl, ifindex, (unsigned)index, &prev[i], kmsg, sizeof(kmsg)) == 0)
				state[i] = 3;
			else
				kp_err(bdf, "VF %lu: %s could not be put back: check it by hand", index,
				       kp_vf_attr_name(ch[i].attr));
		}
	}
	t = kp_table_new(cols, C_NCOLS);
	if (!t) {
		r = KP_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < n; i++) {
		static const char *const words[] = { "unchanged", "set", "failed", "rolled back",
						     "not tried" };
		char v[64], pv[64];
		int row = kp_table_add_row(t);
		int changed = state[i] == 1 || (o->dry_run && state[i] == 4);

		value_text(&ch[i], v, sizeof(v));
		kp_table_set_str(t, row, C_SETTING, kp_vf_attr_name(ch[i].attr));
		kp_table_set_str(t, row, C_VALUE, v);
		if (have_prev[i]) {
			value_text(&prev[i], pv, sizeof(pv));
			kp_table_set_str(t, row, C_PREVIOUS, pv);
		}
		kp_table_set_str(t, row, C_RESULT, o->dry_run && state[i] == 4 ? "would set"
						   : words[state[i]]);
		kp_table_set_bool(t, row, C_CHANGED, changed);
		any |= changed;
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("vf"));
		json_object_object_add(doc, "pf", json_object_new_string(bdf));
		json_object_object_add(doc, "vf", json_object_new_int((int)index));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(doc, "ok", json_object_new_boolean(failed < 0));
		json_object_object_add(doc, "changed", json_object_new_boolean(any));
		json_object_object_add(doc, "settings", kp_table_json(t));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		kp_table_print(t, stdout, &o->out);
	}
	r = failed >= 0 ? KP_EXIT_FAIL : 0;
	if (failed < 0 && o->persist && !o->dry_run && !o->quiet && !o->json)
		printf("persisted in %s\n", KP_SRIOV_CONF);
out:
	if (lock >= 0)
		kp_lock_release(lock);
	kp_table_free(t);
	free(info);
	kp_vfnl_close(nl);
	return r;
}
