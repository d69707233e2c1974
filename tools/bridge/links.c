/* SPDX-License-Identifier: MIT */
/* bridge add/del, bridge port add/del, macvtap add, tap add, del, list:
 * every argument checked and every refusal made before the first change;
 * a command that fails half-way deletes what it created. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/if_tun.h>

#include "bridge.h"
#include "change.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "journal.h"
#include "lock.h"
#include "net.h"
#include "owner.h"
#include "persistnet.h"

/* ---- the context --------------------------------------------------------- */

static void log_step(void *arg, const char *what)
{
	struct ctx *c = arg;

	json_object_array_add(c->steps, json_object_new_string(what));
	if (c->o->dry_run && !c->o->json && !c->o->quiet)
		printf("would: %s\n", what);
}

int ctx_open(struct ctx *c, struct opts *o, const char *cmd)
{
	int r;

	memset(c, 0, sizeof(*c));
	c->o = o;
	c->cmd = cmd;
	c->lock = -1;
	if (!o->dry_run && geteuid() != 0) {
		kp_err(NULL, "cannot change network links: not root");
		return KP_EXIT_HOST;
	}
	if (!o->dry_run) {
		struct kp_journal_info info;
		char msg[KP_CHANGE_MSGLEN];

		/* the frame every tool shares (lib/change.h): the lock within
		 * --wait, then what a killed run left rolled back */
		if ((r = kp_change_lock(o->wait_ms, &c->lock, &info, msg, sizeof(msg)))) {
			kp_err(NULL, "%s", msg);
			return r;
		}
		if (info.tool[0]) {
			kp_warn(NULL, "%s", msg);
			c->recovered = 1;
		}
		if (strcmp(cmd, "recover") && strcmp(cmd, "confirm") &&
		    (r = kp_journal_begin(TOOL, cmd)) < 0) {
			kp_err_errno(KP_JOURNAL_FILE, r, "cannot start the journal");
			ctx_close(c);
			return KP_EXIT_FAIL;
		}
	}
	r = kp_nl_new(&c->nl);
	if (r < 0) {
		kp_err_errno(NULL, r, "cannot open a netlink socket");
		ctx_close(c);
		return KP_EXIT_HOST;
	}
	c->steps = json_object_new_array();
	kp_nl_set_dry(c->nl, o->dry_run);
	kp_nl_set_log(c->nl, log_step, c);
	return 0;
}

void ctx_close(struct ctx *c)
{
	if (kp_journal_active()) {
		char stuck[256] = "";

		if (!c->ok || kp_journal_commit() < 0) {
			if (kp_journal_rollback(stuck, sizeof(stuck)) < 0)
				kp_err(stuck, "cannot be undone; the journal stays for '%s recover'", TOOL);
		}
	}
	kp_nl_free(c->nl);
	c->nl = NULL;
	if (c->steps)
		json_object_put(c->steps);
	c->steps = NULL;
	if (c->lock >= 0)
		kp_lock_release(c->lock);
	c->lock = -1;
}

int ctx_done(struct ctx *c, const char *name, int changed, const char *what,
	     json_object *extra)
{
	c->ok = 1;
	if (kp_journal_active() && kp_journal_commit() < 0) {
		/* a signal came: nothing is kept */
		char stuck[256] = "";
		int sig = kp_journal_signal();

		if (kp_journal_rollback(stuck, sizeof(stuck)) < 0)
			kp_err(stuck, "cannot be undone; the journal stays for '%s recover'", TOOL);
		kp_err(name, "interrupted by signal %d: rolled back", sig);
		if (extra)
			json_object_put(extra);
		return 128 + sig;
	}
	if (c->o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string(c->cmd));
		json_object_object_add(doc, "name", name ? json_object_new_string(name) : NULL);
		json_object_object_add(doc, "changed", json_object_new_boolean(changed));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(c->o->dry_run));
		json_object_object_add(doc, "steps", json_object_get(c->steps));
		if (extra) {
			json_object_object_foreach(extra, k, v)
				json_object_object_add(doc, k, json_object_get(v));
			json_object_put(extra);
		}
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else {
		if (!c->o->quiet && what)
			printf("%s: %s\n", name, changed ? what : "unchanged");
		if (extra)
			json_object_put(extra);
	}
	return KP_EXIT_OK;
}

int check_name(const char *name, const char *action)
{
	if (!name || !*name)
		return kp_usage_err("%s: no interface name given", action);
	if (kp_ifname_check(name) < 0) {
		kp_err(name, "cannot %s: invalid interface name (1 to 15 bytes, no '/', ':' or "
			     "whitespace, not '.' or '..')",
		       action);
		return KP_EXIT_USAGE;
	}
	return 0;
}

int need_link(struct ctx *c, const char *name, const char *action, struct kp_linkinfo *l)
{
	int r = kp_nl_link(c->nl, name, l);

	if (r == -ENODEV) {
		kp_err(name, "cannot %s: no such interface", action);
		return KP_EXIT_HOST;
	}
	if (r < 0) {
		kp_err_errno(name, r, "cannot %s: cannot read the link", action);
		return KP_EXIT_HOST;
	}
	return 0;
}

static int is_bridge(const struct kp_linkinfo *l) { return !strcmp(l->kind, "bridge"); }
static int is_macvtap(const struct kp_linkinfo *l) { return !strcmp(l->kind, "macvtap"); }
static int is_tap(const struct kp_linkinfo *l) { return !strcmp(l->kind, "tun") && l->tun_type == IFF_TAP; }

static const char *kind_text(const struct kp_linkinfo *l)
{
	if (l->flags & IFF_LOOPBACK)
		return "loopback";
	if (!strcmp(l->kind, "tun"))
		return l->tun_type == IFF_TAP ? "tap" : "tun";
	return l->kind[0] ? l->kind : "device";
}

int mac_opt(const char *s, unsigned char mac[6], const char *name, const char *action)
{
	int r = kp_mac_parse(s, mac);

	if (r == -EINVAL) {
		kp_err(name, "cannot %s: invalid MAC address '%s' (six hex pairs, aa:bb:cc:dd:ee:ff)",
		       action, s);
		return KP_EXIT_USAGE;
	}
	if (r < 0) {
		kp_err(name, "cannot %s: MAC address %s is %s", action, s,
		       (mac[0] & 1) ? "multicast" : "all zero");
		return KP_EXIT_USAGE;
	}
	return 0;
}

/* A failure after the first change: what was made is deleted (if any). */
static int failed(struct ctx *c, const char *name, int r, const char *action, int made,
		  int ifindex)
{
	kp_err_errno(name, r, "cannot %s", action);
	if (made && !c->o->dry_run) {
		int u = kp_nl_link_del(c->nl, ifindex, name);

		if (u < 0 && u != -ENODEV)
			kp_err_errno(name, u, "cannot delete it again");
	}
	return KP_EXIT_FAIL;
}

/* Rolled back journals of killed runs before this command looks at links. */
static int start(struct ctx *c, struct opts *o, const char *cmd)
{
	int rc = ctx_open(c, o, cmd), n = 0;

	if (rc)
		return rc;
	rc = uplink_recover_all(c, &n);
	if (rc) {
		ctx_close(c);
		return rc;
	}
	return 0;
}

/* ---- bridge add / del ---------------------------------------------------- */

static int persist_bridge(struct ctx *c, const char *name, const struct kp_linkinfo *l,
			  const struct opts *o)
{
	struct persist_info pi = {
		.kind = PERSIST_BRIDGE, .name = name,
		.stp = o->stp >= 0 ? o->stp : (l ? l->stp_state > 0 : 0),
		.forward_delay = o->forward_delay >= 0 ? o->forward_delay : (l ? (long)l->forward_delay : 0),
		.vlan_filtering = o->vlan_filtering, .mtu = (unsigned)o->mtu, .mac = o->mac,
	};

	return persist_link(c, &pi);
}

int cmd_bridge_add(struct opts *o, int argc, char **argv)
{
	struct kp_bridge_opts bo = { .stp = o->stp, .forward_delay = o->forward_delay,
				     .vlan_filtering = o->vlan_filtering, .mtu = (unsigned)o->mtu };
	struct kp_linkinfo l, up;
	unsigned char mac[6];
	struct ctx c;
	int rc, r, exists, change = 0;

	if (argc != 1)
		return kp_usage_err("bridge add takes one NAME");
	if ((rc = check_name(argv[0], "create bridge")))
		return rc;
	if (o->mac && (rc = mac_opt(o->mac, mac, argv[0], "create bridge")))
		return rc;
	if (o->mac)
		bo.mac = mac;
	if (o->uplink && (rc = check_name(o->uplink, "move into a bridge")))
		return rc;
	if (o->uplink && o->persist)
		return kp_usage_err("--persist does not go with --uplink: the host's addresses belong in "
				    "its network manager's configuration (see kvmprep-bridge(1))");
	if ((rc = start(&c, o, "bridge add")))
		return rc;
	r = kp_nl_link(c.nl, argv[0], &l);
	if (r < 0 && r != -ENODEV) {
		kp_err_errno(argv[0], r, "cannot read the link");
		ctx_close(&c);
		return KP_EXIT_HOST;
	}
	exists = r == 0;
	if (exists && !is_bridge(&l)) {
		kp_err(argv[0], "cannot create bridge: a %s link of that name exists", kind_text(&l));
		ctx_close(&c);
		return KP_EXIT_FAIL;
	}
	if (o->uplink) {
		if ((rc = need_link(&c, o->uplink, "move into a bridge", &up))) {
			ctx_close(&c);
			return rc;
		}
		rc = uplink_move(&c, argv[0], &up, &bo);
		ctx_close(&c);
		return rc;
	}
	if (!exists) {
		if (bo.stp < 0)
			bo.stp = 0;
		if (bo.forward_delay < 0)
			bo.forward_delay = 0;
		/* the MTU is set after creation: set so, the kernel keeps it when
		 * ports come and go (an MTU given at creation follows the ports) */
		bo.mtu = 0;
		r = kp_nl_bridge_set(c.nl, 0, argv[0], &bo);
		if (r < 0) {
			kp_err_errno(argv[0], r, "cannot create bridge");
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		if (!o->dry_run && (r = kp_nl_link(c.nl, argv[0], &l)) < 0)
			return failed(&c, argv[0], r, "read the new bridge", 0, 0);
		if (o->dry_run)
			l.ifindex = 0;
		if (o->mtu && (r = kp_nl_link_set_mtu(c.nl, l.ifindex, argv[0], (unsigned)o->mtu)) < 0) {
			rc = failed(&c, argv[0], r, "set the bridge's MTU", 1, l.ifindex);
			ctx_close(&c);
			return rc;
		}
		r = kp_nl_link_set_up(c.nl, o->dry_run ? 0 : l.ifindex, argv[0], 1);
		if (r < 0) {
			rc = failed(&c, argv[0], r, "set the bridge up", 1, l.ifindex);
			ctx_close(&c);
			return rc;
		}
		if (o->persist && (rc = persist_bridge(&c, argv[0], NULL, o))) {
			if (!o->dry_run)
				kp_nl_link_del(c.nl, l.ifindex, argv[0]);
			ctx_close(&c);
			return rc;
		}
		rc = ctx_done(&c, argv[0], 1, o->dry_run ? "would be created" : "created", NULL);
		ctx_close(&c);
		return rc;
	}
	if (bo.mtu && l.max_mtu && (bo.mtu > l.max_mtu || bo.mtu < l.min_mtu)) {
		kp_err(argv[0], "cannot change bridge: MTU %u out of the link's range %u..%u", bo.mtu,
		       l.min_mtu, l.max_mtu);
		ctx_close(&c);
		return KP_EXIT_USAGE;
	}
	/* it exists: only what was asked and differs is changed */
	{
		struct kp_bridge_opts ch = { .stp = -1, .forward_delay = -1, .vlan_filtering = -1 };

		if (bo.stp >= 0 && bo.stp != (l.stp_state != 0))
			ch.stp = bo.stp, change = 1;
		if (bo.forward_delay >= 0 && (unsigned long)bo.forward_delay != l.forward_delay)
			ch.forward_delay = bo.forward_delay, change = 1;
		if (bo.vlan_filtering >= 0 && bo.vlan_filtering != l.vlan_filtering)
			ch.vlan_filtering = bo.vlan_filtering, change = 1;
		if (bo.mtu && bo.mtu != l.mtu)
			ch.mtu = bo.mtu, change = 1;
		if (bo.mac && (!l.has_mac || memcmp(bo.mac, l.mac, 6)))
			ch.mac = bo.mac, change = 1;
		if (change && (r = kp_nl_bridge_set(c.nl, l.ifindex, argv[0], &ch)) < 0) {
			kp_err_errno(argv[0], r, "cannot change bridge");
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		if (!(l.flags & IFF_UP)) {
			if ((r = kp_nl_link_set_up(c.nl, l.ifindex, argv[0], 1)) < 0) {
				kp_err_errno(argv[0], r, "cannot set the bridge up");
				ctx_close(&c);
				return KP_EXIT_FAIL;
			}
			change = 1;
		}
	}
	if (o->persist && (rc = persist_bridge(&c, argv[0], &l, o))) {
		ctx_close(&c);
		return rc;
	}
	rc = ctx_done(&c, argv[0], change, o->dry_run ? "would be changed" : "changed", NULL);
	ctx_close(&c);
	return rc;
}

/* The host's own addresses or routes on this link (IPv6 link-local aside). */
static int carries_host(struct ctx *c, const char *name)
{
	struct kp_link_usage u;

	if (kp_link_usage(name, NULL, &u) < 0)
		return 1; /* cannot tell: treat as used */
	return u.naddrs > 0 || u.nroutes > 0;
}

static int delete_link(struct ctx *c, const char *name, const char *want_kind)
{
	struct kp_linkinfo l;
	char up[IF_NAMESIZE];
	int r, rc;

	r = kp_nl_link(c->nl, name, &l);
	if (r == -ENODEV) {
		if (c->o->persist && (rc = unpersist_link(c, name)))
			return rc;
		return ctx_done(c, name, 0, "deleted", NULL);
	}
	if (r < 0) {
		kp_err_errno(name, r, "cannot read the link");
		return KP_EXIT_HOST;
	}
	if (want_kind ? strcmp(l.kind, want_kind)
		      : !(is_bridge(&l) || is_macvtap(&l) || is_tap(&l))) {
		kp_err(name, "cannot delete: a %s link, not %s", kind_text(&l),
		       want_kind ? "a bridge" : "a bridge, macvtap or tap");
		return KP_EXIT_FAIL;
	}
	if (is_bridge(&l) && uplink_journaled(name, up, sizeof(up))) {
		if (!c->o->force) {
			kp_err(name, "cannot delete: it carries the host's uplink %s (moved by "
				     "bridge add --uplink); --force gives %s back its addresses and routes",
			       up, up);
			return KP_EXIT_FAIL;
		}
		/* journaled: a failing undo puts the files back (ctx_close) */
		if (c->o->persist && (rc = unpersist_link(c, name)))
			return rc;
		return uplink_undo(c, name);
	}
	if (is_bridge(&l) && carries_host(c, name) && !c->o->force) {
		kp_err(name, "cannot delete: the host's addresses or routes are on it (--force to "
			     "delete it all the same)");
		return KP_EXIT_FAIL;
	}
	r = kp_nl_link_del(c->nl, l.ifindex, name);
	if (r < 0) {
		kp_err_errno(name, r, "cannot delete");
		return KP_EXIT_FAIL;
	}
	if (c->o->persist && (rc = unpersist_link(c, name)))
		return rc;
	return ctx_done(c, name, 1, c->o->dry_run ? "would be deleted" : "deleted", NULL);
}

int cmd_bridge_del(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc;

	if (argc != 1)
		return kp_usage_err("bridge del takes one NAME");
	if ((rc = check_name(argv[0], "delete bridge")))
		return rc;
	if ((rc = start(&c, o, "bridge del")))
		return rc;
	rc = delete_link(&c, argv[0], "bridge");
	ctx_close(&c);
	return rc;
}

int cmd_del(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc;

	if (argc != 1)
		return kp_usage_err("del takes one NAME");
	if ((rc = check_name(argv[0], "delete")))
		return rc;
	if ((rc = start(&c, o, "del")))
		return rc;
	rc = delete_link(&c, argv[0], NULL);
	ctx_close(&c);
	return rc;
}

/* ---- ports ---------------------------------------------------------------- */

/* br must be an existing bridge. 0 or exit status. */
static int need_bridge(struct ctx *c, const char *name, const char *action, struct kp_linkinfo *br)
{
	int rc = need_link(c, name, action, br);

	if (rc)
		return rc;
	if (!is_bridge(br)) {
		kp_err(name, "cannot %s: a %s link, not a bridge", action, kind_text(br));
		return KP_EXIT_FAIL;
	}
	return 0;
}

/* Make port (existing) a port of br: the checks and the change. */
static int enslave(struct ctx *c, const struct kp_linkinfo *br, const struct kp_linkinfo *port,
		   int *changed, int force)
{
	char action[64];
	int r;

	snprintf(action, sizeof(action), "add port to %s", br->name);
	*changed = 0;
	if (port->ifindex == br->ifindex) {
		kp_err(port->name, "cannot %s: a bridge cannot be its own port", action);
		return KP_EXIT_FAIL;
	}
	if (is_bridge(port)) {
		kp_err(port->name, "cannot %s: it is a bridge (a bridge in a bridge loops frames; "
				   "use a veth pair or VLANs)", action);
		return KP_EXIT_FAIL;
	}
	if (port->master == br->ifindex) {
		if (!(port->flags & IFF_UP)) {
			if ((r = kp_nl_link_set_up(c->nl, port->ifindex, port->name, 1)) < 0) {
				kp_err_errno(port->name, r, "cannot set up");
				return KP_EXIT_FAIL;
			}
			*changed = 1;
		}
		return 0;
	}
	if (port->master) {
		struct kp_linkinfo m;

		if (kp_nl_link_by_index(c->nl, port->master, &m) < 0)
			snprintf(m.name, sizeof(m.name), "#%d", port->master);
		kp_err(port->name, "cannot %s: it is a port of %s already", action, m.name);
		return KP_EXIT_FAIL;
	}
	if (is_macvtap(port) || !strcmp(port->kind, "macvlan")) {
		kp_err(port->name, "cannot %s: a %s link cannot be a bridge port", action, port->kind);
		return KP_EXIT_FAIL;
	}
	if (!force && carries_host(c, port->name)) {
		kp_err(port->name, "cannot %s: the host's addresses or routes are on it (use "
				   "'bridge add %s --uplink %s' to move them, or --force)",
		       action, br->name, port->name);
		return KP_EXIT_FAIL;
	}
	r = kp_nl_link_set_master(c->nl, port->ifindex, port->name, br->ifindex, br->name);
	if (r < 0) {
		kp_err_errno(port->name, r, "cannot %s", action);
		return KP_EXIT_FAIL;
	}
	*changed = 1;
	if (!(port->flags & IFF_UP) && (r = kp_nl_link_set_up(c->nl, port->ifindex, port->name, 1)) < 0) {
		kp_err_errno(port->name, r, "cannot set up");
		if (!c->o->dry_run)
			kp_nl_link_set_master(c->nl, port->ifindex, port->name, 0, NULL);
		return KP_EXIT_FAIL;
	}
	return 0;
}

int cmd_port_add(struct opts *o, int argc, char **argv)
{
	struct kp_linkinfo br, port;
	struct ctx c;
	char what[64];
	int rc, changed;

	if (argc != 2)
		return kp_usage_err("bridge port add takes BRIDGE and IFACE");
	if ((rc = check_name(argv[0], "add a port")) || (rc = check_name(argv[1], "add as a port")))
		return rc;
	if ((rc = start(&c, o, "bridge port add")))
		return rc;
	snprintf(what, sizeof(what), "add port to %s", argv[0]);
	if (!(rc = need_bridge(&c, argv[0], "add a port", &br)) &&
	    !(rc = need_link(&c, argv[1], what, &port)) &&
	    !(rc = enslave(&c, &br, &port, &changed, o->force))) {
		struct persist_info pi = { .kind = PERSIST_PORT, .name = argv[1], .other = argv[0] };

		snprintf(what, sizeof(what), "%s %s", o->dry_run ? "would be added to" : "added to",
			 argv[0]);
		if (o->persist && (rc = persist_link(&c, &pi))) {
			if (changed && !o->dry_run)
				kp_nl_link_set_master(c.nl, port.ifindex, argv[1], 0, NULL);
		} else {
			rc = ctx_done(&c, argv[1], changed, what, NULL);
		}
	}
	ctx_close(&c);
	return rc;
}

int cmd_port_del(struct opts *o, int argc, char **argv)
{
	struct kp_linkinfo br, port;
	char what[64], up[IF_NAMESIZE];
	struct ctx c;
	int rc, r, changed = 0;

	if (argc != 2)
		return kp_usage_err("bridge port del takes BRIDGE and IFACE");
	if ((rc = check_name(argv[0], "remove a port")) || (rc = check_name(argv[1], "remove as a port")))
		return rc;
	if ((rc = start(&c, o, "bridge port del")))
		return rc;
	snprintf(what, sizeof(what), "remove port from %s", argv[0]);
	if (!(rc = need_bridge(&c, argv[0], "remove a port", &br)) &&
	    !(rc = need_link(&c, argv[1], what, &port))) {
		if (port.master == br.ifindex) {
			if (uplink_journaled(argv[0], up, sizeof(up)) && !strcmp(up, argv[1])) {
				kp_err(argv[1], "cannot %s: it is the host's uplink (moved by bridge add "
						"--uplink; 'del %s --force' gives it back its addresses)",
				       what, argv[0]);
				ctx_close(&c);
				return KP_EXIT_FAIL;
			}
			r = kp_nl_link_set_master(c.nl, port.ifindex, argv[1], 0, NULL);
			if (r < 0) {
				kp_err_errno(argv[1], r, "cannot %s", what);
				ctx_close(&c);
				return KP_EXIT_FAIL;
			}
			changed = 1;
		} else if (port.master) {
			kp_err(argv[1], "cannot %s: it is a port of another link", what);
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		if (o->persist && (rc = unpersist_link(&c, argv[1]))) {
			ctx_close(&c);
			return rc;
		}
		snprintf(what, sizeof(what), "%s %s", o->dry_run ? "would be removed from" : "removed from",
			 argv[0]);
		rc = ctx_done(&c, argv[1], changed, what, NULL);
	}
	ctx_close(&c);
	return rc;
}

/* ---- macvtap ------------------------------------------------------------- */

static const struct { const char *name; unsigned mode; } modes[] = {
	{ "bridge", MACVLAN_MODE_BRIDGE },
	{ "vepa", MACVLAN_MODE_VEPA },
	{ "private", MACVLAN_MODE_PRIVATE },
	{ "passthru", MACVLAN_MODE_PASSTHRU },
};

static const char *mode_name(unsigned m)
{
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (modes[i].mode == m)
			return modes[i].name;
	return "unknown";
}

static json_object *macvtap_doc(const struct kp_linkinfo *l, const char *lower, const char *dev)
{
	json_object *x = json_object_new_object();
	char mac[18];

	kp_mac_format(l->mac, mac);
	json_object_object_add(x, "ifindex", json_object_new_int(l->ifindex));
	json_object_object_add(x, "link", json_object_new_string(lower));
	json_object_object_add(x, "mode", json_object_new_string(mode_name(l->macvtap_mode)));
	json_object_object_add(x, "mac", json_object_new_string(mac));
	json_object_object_add(x, "device", dev ? json_object_new_string(dev) : NULL);
	return x;
}

static void macvtap_say(const struct opts *o, const struct kp_linkinfo *l, const char *dev)
{
	char mac[18];

	if (o->json || o->quiet || o->dry_run)
		return;
	kp_mac_format(l->mac, mac);
	printf("device: %s\nmac: %s (give the guest's NIC this MAC)\n", dev, mac);
	if (l->macvtap_mode != MACVLAN_MODE_PASSTHRU)
		printf("note: the host cannot reach the guest over a macvtap; host-to-guest traffic "
		       "needs a hairpin (reflective relay) on the next switch, or a bridge\n");
}

int cmd_macvtap_add(struct opts *o, int argc, char **argv)
{
	struct kp_linkinfo low, l;
	struct kp_tapwatch *w = NULL;
	unsigned char mac[6];
	unsigned mode = MACVLAN_MODE_BRIDGE;
	char dev[64] = "", action[64];
	struct ctx c;
	int rc, r;
	size_t i;

	if (argc != 1)
		return kp_usage_err("macvtap add takes one NAME");
	if (!o->link)
		return kp_usage_err("macvtap add needs --link IFACE");
	if ((rc = check_name(argv[0], "create macvtap")) || (rc = check_name(o->link, "put a macvtap on")))
		return rc;
	if (o->mode) {
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (!strcmp(o->mode, modes[i].name))
				break;
		if (i == sizeof(modes) / sizeof(modes[0]))
			return kp_usage_err("invalid --mode: '%s' (bridge, vepa, private, passthru)", o->mode);
		mode = modes[i].mode;
	}
	if (o->mac && (rc = mac_opt(o->mac, mac, argv[0], "create macvtap")))
		return rc;
	if ((rc = start(&c, o, "macvtap add")))
		return rc;
	snprintf(action, sizeof(action), "put macvtap %s on it", argv[0]);
	if ((rc = need_link(&c, o->link, action, &low))) {
		ctx_close(&c);
		return rc;
	}
	if (low.master && !strcmp(low.slave_kind, "bridge")) {
		kp_err(o->link, "cannot %s: it is a bridge port (the bridge takes its frames first; "
				"use a tap on the bridge)", action);
		ctx_close(&c);
		return KP_EXIT_FAIL;
	}
	if (is_bridge(&low) || is_macvtap(&low) || is_tap(&low)) {
		kp_err(o->link, "cannot %s: a %s link (a macvtap goes on an Ethernet NIC)", action,
		       kind_text(&low));
		ctx_close(&c);
		return KP_EXIT_FAIL;
	}
	r = kp_nl_link(c.nl, argv[0], &l);
	if (r == 0) {
		if (!is_macvtap(&l) || l.lower != low.ifindex || l.macvtap_mode != mode ||
		    (o->mac && memcmp(l.mac, mac, 6))) {
			kp_err(argv[0], "cannot create macvtap: a %s link of that name exists%s",
			       kind_text(&l), is_macvtap(&l) ? " with another lower link, mode or MAC" : "");
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		snprintf(dev, sizeof(dev), "/dev/tap%d", l.ifindex);
		macvtap_say(o, &l, dev);
		rc = ctx_done(&c, argv[0], 0, "created", macvtap_doc(&l, o->link, dev));
		ctx_close(&c);
		return rc;
	}
	if (!o->dry_run && (r = kp_tapdev_watch(&w)) < 0) {
		kp_err_errno(argv[0], r, "cannot listen to uevents");
		ctx_close(&c);
		return KP_EXIT_HOST;
	}
	r = kp_nl_macvtap_add(c.nl, argv[0], low.ifindex, o->link, mode, o->mac ? mac : NULL);
	if (r < 0) {
		kp_tapdev_unwatch(w);
		kp_err_errno(argv[0], r, "cannot create macvtap on %s", o->link);
		ctx_close(&c);
		return KP_EXIT_FAIL;
	}
	if (o->dry_run) {
		rc = ctx_done(&c, argv[0], 1, "would be created", NULL);
		ctx_close(&c);
		return rc;
	}
	if ((r = kp_nl_link(c.nl, argv[0], &l)) < 0 ||
	    (r = kp_nl_link_set_up(c.nl, l.ifindex, argv[0], 1)) < 0 ||
	    (r = kp_tapdev_wait(w, l.ifindex, 5000, dev, sizeof(dev))) < 0) {
		kp_tapdev_unwatch(w);
		if (r == -EEXIST)
			kp_err(argv[0], "cannot create macvtap: /dev/tap%d is another device (a macvtap "
					"of that index in another network namespace)", l.ifindex);
		else
			kp_err_errno(argv[0], r, "cannot create macvtap: /dev/tap%d", l.ifindex);
		kp_nl_link_del(c.nl, l.ifindex, argv[0]);
		ctx_close(&c);
		return KP_EXIT_FAIL;
	}
	kp_tapdev_unwatch(w);
	if (o->persist) {
		char smac[18];
		struct persist_info pi = { .kind = PERSIST_MACVTAP, .name = argv[0], .other = o->link,
					   .mode = mode_name(mode), .mac = o->mac ? smac : NULL };

		if (o->mac)
			kp_mac_format(mac, smac);
		if ((rc = persist_link(&c, &pi))) {
			kp_nl_link_del(c.nl, l.ifindex, argv[0]);
			ctx_close(&c);
			return rc;
		}
	}
	macvtap_say(o, &l, dev);
	rc = ctx_done(&c, argv[0], 1, "created", macvtap_doc(&l, o->link, dev));
	ctx_close(&c);
	return rc;
}

/* ---- tap ------------------------------------------------------------------- */

static int resolve_id(const char *s, int user, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s && !*end && v >= 0 && v < 0xffffffffL) {
		*out = v;
		return 0;
	}
	if (user) {
		struct passwd *p = getpwnam(s);

		if (!p)
			return -ENOENT;
		*out = (long)p->pw_uid;
	} else {
		struct group *g = getgrnam(s);

		if (!g)
			return -ENOENT;
		*out = (long)g->gr_gid;
	}
	return 0;
}

int cmd_tap_add(struct opts *o, int argc, char **argv)
{
	struct kp_tap_opts to = { .owner = -1, .group = -1, .multi_queue = o->multi_queue,
				  .vnet_hdr = o->vnet_hdr };
	struct kp_linkinfo br, l;
	unsigned char mac[6];
	struct ctx c;
	char smac[18];
	int rc, r, changed = 0, made = 0;

	if (argc != 1)
		return kp_usage_err("tap add takes one NAME");
	if ((rc = check_name(argv[0], "create tap")))
		return rc;
	if (o->bridge && (rc = check_name(o->bridge, "add a tap to")))
		return rc;
	if (o->owner && resolve_id(o->owner, 1, &to.owner) < 0)
		return kp_usage_err("invalid --owner: no user '%s'", o->owner);
	if (o->group && resolve_id(o->group, 0, &to.group) < 0)
		return kp_usage_err("invalid --group: no group '%s'", o->group);
	if ((rc = start(&c, o, "tap add")))
		return rc;
	memset(&br, 0, sizeof(br));
	if (o->bridge && (rc = need_bridge(&c, o->bridge, "add a tap", &br))) {
		ctx_close(&c);
		return rc;
	}
	r = kp_nl_link(c.nl, argv[0], &l);
	if (r == 0) {
		if (!is_tap(&l) || l.tun_owner != to.owner || l.tun_group != to.group ||
		    l.tun_multi_queue != to.multi_queue || l.tun_vnet_hdr != to.vnet_hdr) {
			kp_err(argv[0], "cannot create tap: a %s link of that name exists%s", kind_text(&l),
			       is_tap(&l) ? " with another owner, group or flags" : "");
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
	} else {
		kp_mac_random_fe(mac);
		if ((r = kp_tap_add(c.nl, argv[0], &to)) < 0) {
			kp_err_errno(argv[0], r, "cannot create tap");
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		made = changed = 1;
		if (!o->dry_run && (r = kp_nl_link(c.nl, argv[0], &l)) < 0)
			goto fail;
		if (o->dry_run)
			l.ifindex = 0;
		/* before it joins: the bridge never takes the port's MAC (fe: is the
		 * highest) and the port has the bridge's MTU */
		if ((r = kp_nl_link_set_mac(c.nl, l.ifindex, argv[0], mac)) < 0)
			goto fail;
		if (o->bridge && (r = kp_nl_link_set_mtu(c.nl, l.ifindex, argv[0], br.mtu)) < 0)
			goto fail;
		if (!o->dry_run && (r = kp_nl_link(c.nl, argv[0], &l)) < 0)
			goto fail;
	}
	if (o->bridge && l.master != br.ifindex) {
		if (!made && l.master) {
			kp_err(argv[0], "cannot add tap to %s: it is a port of another link", o->bridge);
			ctx_close(&c);
			return KP_EXIT_FAIL;
		}
		if (!made && l.mtu != br.mtu &&
		    (r = kp_nl_link_set_mtu(c.nl, l.ifindex, argv[0], br.mtu)) < 0)
			goto fail;
		if ((r = kp_nl_link_set_master(c.nl, l.ifindex, argv[0], br.ifindex, o->bridge)) < 0)
			goto fail;
		changed = 1;
	}
	if (!(l.flags & IFF_UP) || made) {
		if ((r = kp_nl_link_set_up(c.nl, l.ifindex, argv[0], 1)) < 0)
			goto fail;
		changed = 1;
	}
	if (o->persist) {
		struct persist_info pi = { .kind = PERSIST_TAP, .name = argv[0], .other = o->bridge,
					   .owner = to.owner, .group = to.group,
					   .multi_queue = to.multi_queue, .vnet_hdr = to.vnet_hdr };

		if ((rc = persist_link(&c, &pi))) {
			if (made && !o->dry_run)
				kp_nl_link_del(c.nl, l.ifindex, argv[0]);
			ctx_close(&c);
			return rc;
		}
	}
	{
		json_object *x = json_object_new_object();

		if (made)
			memcpy(l.mac, mac, 6);
		kp_mac_format(l.mac, smac);
		json_object_object_add(x, "mac", json_object_new_string(smac));
		json_object_object_add(x, "bridge", o->bridge ? json_object_new_string(o->bridge) : NULL);
		rc = ctx_done(&c, argv[0], changed, o->dry_run ? "would be created" : "created", x);
	}
	ctx_close(&c);
	return rc;
fail:
	rc = failed(&c, argv[0], r, made ? "create tap" : "add tap to its bridge", made, l.ifindex);
	ctx_close(&c);
	return rc;
}

/* ---- list ------------------------------------------------------------------ */

enum { L_NAME, L_TYPE, L_STATE, L_MASTER, L_LINK, L_MODE, L_MAC, L_MTU, L_DETAIL, L_NCOLS };
static const struct kp_col list_cols[L_NCOLS] = {
	[L_NAME] = { "name", "NAME", KP_STR, 0 },
	[L_TYPE] = { "type", "TYPE", KP_STR, 0 },
	[L_STATE] = { "state", "STATE", KP_STR, 0 },
	[L_MASTER] = { "bridge", "BRIDGE", KP_STR, 0 },
	[L_LINK] = { "link", "LINK", KP_STR, 0 },
	[L_MODE] = { "mode", "MODE", KP_STR, 0 },
	[L_MAC] = { "mac", "MAC", KP_STR, 0 },
	[L_MTU] = { "mtu", "MTU", KP_INT, KP_COL_RIGHT },
	[L_DETAIL] = { "detail", "DETAIL", KP_STR, KP_COL_LAST },
};

static const char *name_of(const struct kp_linkinfo *v, size_t n, int ifindex)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return v[i].name;
	return NULL;
}

static void fill_row(struct kp_table *t, const struct kp_linkinfo *l, const struct kp_linkinfo *v,
		     size_t n)
{
	char mac[18], detail[128];
	size_t row = (size_t)kp_table_add_row(t), off = 0;

	kp_table_set_str(t, row, L_NAME, l->name);
	kp_table_set_str(t, row, L_TYPE, kind_text(l));
	kp_table_set_str(t, row, L_STATE, (l->flags & IFF_UP) ? "up" : "down");
	if (l->master)
		kp_table_set_str(t, row, L_MASTER, name_of(v, n, l->master));
	kp_mac_format(l->mac, mac);
	kp_table_set_str(t, row, L_MAC, mac);
	kp_table_set_int(t, row, L_MTU, l->mtu);
	detail[0] = '\0';
	if (is_bridge(l)) {
		snprintf(detail, sizeof(detail), "stp %s, forward-delay %us%s",
			 l->stp_state > 0 ? "on" : "off", l->forward_delay / 100,
			 l->vlan_filtering ? ", vlan-filtering" : "");
	} else if (is_macvtap(l)) {
		kp_table_set_str(t, row, L_LINK, name_of(v, n, l->lower));
		kp_table_set_str(t, row, L_MODE, mode_name(l->macvtap_mode));
		snprintf(detail, sizeof(detail), "/dev/tap%d", l->ifindex);
	} else if (is_tap(l)) {
		if (l->tun_owner >= 0)
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "owner %ld", l->tun_owner);
		if (l->tun_group >= 0)
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%sgroup %ld",
						off ? ", " : "", l->tun_group);
		if (l->tun_multi_queue)
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%smulti-queue",
						off ? ", " : "");
		if (l->tun_vnet_hdr)
			off += (size_t)snprintf(detail + off, sizeof(detail) - off, "%svnet-hdr",
						off ? ", " : "");
		if (!l->tun_persist)
			snprintf(detail + off, sizeof(detail) - off, "%snot persistent", off ? ", " : "");
	}
	kp_table_set_str(t, row, L_DETAIL, detail[0] ? detail : NULL);
}

int cmd_list(struct opts *o, int argc, char **argv)
{
	struct kp_linkinfo *v;
	struct kp_table *t;
	struct kp_nl *nl = NULL;
	size_t n;
	int r;

	if (argc)
		return kp_usage_err("list takes no arguments");
	if ((r = kp_nl_new(&nl)) < 0 || (r = kp_nl_links(nl, &v, &n)) < 0) {
		kp_err_errno(NULL, r, "cannot read the links");
		kp_nl_free(nl);
		return KP_EXIT_HOST;
	}
	kp_nl_free(nl);
	t = kp_table_new(list_cols, L_NCOLS);
	/* bridges, each followed by its ports; then macvtaps; then taps outside bridges */
	for (size_t i = 0; i < n; i++) {
		if (!is_bridge(&v[i]))
			continue;
		fill_row(t, &v[i], v, n);
		for (size_t j = 0; j < n; j++)
			if (v[j].master == v[i].ifindex)
				fill_row(t, &v[j], v, n);
	}
	for (size_t i = 0; i < n; i++)
		if (is_macvtap(&v[i]))
			fill_row(t, &v[i], v, n);
	for (size_t i = 0; i < n; i++)
		if (is_tap(&v[i]) && !v[i].master)
			fill_row(t, &v[i], v, n);
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("list"));
		json_object_object_add(doc, "links", kp_table_json(t));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else if (!o->quiet) {
		kp_table_print(t, stdout, &o->out);
	}
	kp_table_free(t);
	free(v);
	return KP_EXIT_OK;
}
