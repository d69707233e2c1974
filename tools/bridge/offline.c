/* SPDX-License-Identifier: MIT */
/*
 * --persist --offline / --root DIR (lib/target.h): only the boot-time
 * configuration is written (the host network manager's files, else
 * kvmprep's own /etc/kvmprep/net.conf); no netlink change is made. The
 * links named need not exist now: an installer writes for the system it
 * installs. Options are checked as the live commands check them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "err.h"
#include "exitcodes.h"
#include "link.h"
#include "persistnet.h"
#include "root.h"
#include "target.h"

static int finish(struct ctx *c, int rc, const char *name, const char *done)
{
	if (rc == 0)
		rc = ctx_done(c, name, c->files_changed,
			      c->o->dry_run ? (c->files_changed ? "would persist" : "unchanged") : done,
			      NULL);
	ctx_close(c);
	return rc;
}

static int open_ctx(struct ctx *c, struct opts *o, const char *cmd)
{
	if (!o->persist)
		return kp_usage_err("--offline and --root go with --persist");
	return ctx_open(c, o, cmd);
}

/* --mac checked as the live commands check it (links.c mac_opt). */
static int mac_ok(const char *s, const char *name, const char *action)
{
	unsigned char mac[6];

	return mac_opt(s, mac, name, action);
}

int off_bridge_add(struct opts *o, int argc, char **argv)
{
	struct persist_info pi = { .kind = PERSIST_BRIDGE };
	struct ctx c;
	int rc;

	if (argc != 1)
		return kp_usage_err("bridge add takes one NAME");
	if ((rc = check_name(argv[0], "create bridge")))
		return rc;
	if (o->mac && (rc = mac_ok(o->mac, argv[0], "create bridge")))
		return rc;
	if (o->uplink && (rc = check_name(o->uplink, "move into a bridge")))
		return rc;
	if (o->uplink && !strcmp(o->uplink, argv[0]))
		return kp_usage_err("a bridge cannot be its own uplink");
	pi.name = argv[0];
	pi.stp = o->stp > 0;
	pi.forward_delay = o->forward_delay >= 0 ? o->forward_delay : 0;
	pi.vlan_filtering = o->vlan_filtering;
	pi.mtu = (unsigned)o->mtu;
	pi.mac = o->mac;
	pi.owner = pi.group = -1;
	if ((rc = open_ctx(&c, o, "bridge add")))
		return rc;
	rc = o->uplink ? persist_uplink(&c, &pi, o->uplink) : persist_link(&c, &pi);
	return finish(&c, rc, argv[0], "persisted");
}

int off_del(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc;

	if (argc != 1)
		return kp_usage_err("del takes one NAME");
	if ((rc = check_name(argv[0], "delete")))
		return rc;
	if ((rc = open_ctx(&c, o, "del")))
		return rc;
	rc = unpersist_link(&c, argv[0]);
	return finish(&c, rc, argv[0], "unpersisted");
}

int off_port_add(struct opts *o, int argc, char **argv)
{
	struct persist_info pi = { .kind = PERSIST_PORT, .owner = -1, .group = -1,
				   .vlan_filtering = -1 };
	struct ctx c;
	int rc;

	if (argc != 2)
		return kp_usage_err("bridge port add takes BRIDGE and IFACE");
	if ((rc = check_name(argv[0], "add a port to")) || (rc = check_name(argv[1], "make a port")))
		return rc;
	if (!strcmp(argv[0], argv[1]))
		return kp_usage_err("a bridge cannot be its own port");
	pi.name = argv[1];
	pi.other = argv[0];
	if ((rc = open_ctx(&c, o, "bridge port add")))
		return rc;
	rc = persist_link(&c, &pi);
	return finish(&c, rc, argv[1], "persisted");
}

int off_port_del(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc;

	if (argc != 2)
		return kp_usage_err("bridge port del takes BRIDGE and IFACE");
	if ((rc = check_name(argv[0], "take a port from")) || (rc = check_name(argv[1], "take out")))
		return rc;
	if ((rc = open_ctx(&c, o, "bridge port del")))
		return rc;
	rc = unpersist_link(&c, argv[1]);
	return finish(&c, rc, argv[1], "unpersisted");
}

int off_macvtap_add(struct opts *o, int argc, char **argv)
{
	static const char *const modes[] = { "bridge", "vepa", "private", "passthru" };
	struct persist_info pi = { .kind = PERSIST_MACVTAP, .owner = -1, .group = -1,
				   .vlan_filtering = -1 };
	struct ctx c;
	size_t i;
	int rc;

	if (argc != 1)
		return kp_usage_err("macvtap add takes one NAME");
	if (!o->link)
		return kp_usage_err("macvtap add needs --link IFACE");
	if ((rc = check_name(argv[0], "create macvtap")) || (rc = check_name(o->link, "put a macvtap on")))
		return rc;
	for (i = 0; o->mode && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(o->mode, modes[i]))
			break;
	if (o->mode && i == sizeof(modes) / sizeof(modes[0]))
		return kp_usage_err("invalid --mode: '%s' (bridge, vepa, private, passthru)", o->mode);
	if (o->mac && (rc = mac_ok(o->mac, argv[0], "create macvtap")))
		return rc;
	pi.name = argv[0];
	pi.other = o->link;
	pi.mode = o->mode ? o->mode : "bridge";
	pi.mac = o->mac;
	if ((rc = open_ctx(&c, o, "macvtap add")))
		return rc;
	rc = persist_link(&c, &pi);
	return finish(&c, rc, argv[0], "persisted");
}

/* A user or group of the system the files are for: a number, or a name in
 * its /etc/passwd or /etc/group (the target's under --root). */
static int target_id(const char *s, int user, long *out)
{
	char *text = NULL, *line, *save = NULL, *end;
	long v = strtol(s, &end, 10);
	int r = -ENOENT;

	if (*s && !*end && v >= 0 && v < 0xffffffffL) {
		*out = v;
		return 0;
	}
	if (kp_read_file(user ? "/etc/passwd" : "/etc/group", &text, NULL) < 0)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[3] = { line, NULL, NULL }, *p;

		if (!(p = strchr(f[0], ':')))
			continue;
		*p = '\0';
		f[1] = p + 1;
		if (!(p = strchr(f[1], ':')))
			continue;
		f[2] = p + 1;
		if (strcmp(f[0], s))
			continue;
		v = strtol(f[2], &end, 10);
		if (end != f[2] && *end == ':' && v >= 0) {
			*out = v;
			r = 0;
		}
		break;
	}
	free(text);
	return r;
}

int off_tap_add(struct opts *o, int argc, char **argv)
{
	struct persist_info pi = { .kind = PERSIST_TAP, .owner = -1, .group = -1,
				   .vlan_filtering = -1 };
	struct ctx c;
	int rc;

	if (argc != 1)
		return kp_usage_err("tap add takes one NAME");
	if ((rc = check_name(argv[0], "create tap")))
		return rc;
	if (o->bridge && (rc = check_name(o->bridge, "add a tap to")))
		return rc;
	if (o->owner && target_id(o->owner, 1, &pi.owner) < 0)
		return kp_usage_err("invalid --owner: no user '%s'%s", o->owner,
				    kp_target()[0] ? " in the target's /etc/passwd" : "");
	if (o->group && target_id(o->group, 0, &pi.group) < 0)
		return kp_usage_err("invalid --group: no group '%s'%s", o->group,
				    kp_target()[0] ? " in the target's /etc/group" : "");
	pi.name = argv[0];
	pi.other = o->bridge;
	pi.multi_queue = o->multi_queue;
	pi.vnet_hdr = o->vnet_hdr;
	if ((rc = open_ctx(&c, o, "tap add")))
		return rc;
	rc = persist_link(&c, &pi);
	return finish(&c, rc, argv[0], "persisted");
}
