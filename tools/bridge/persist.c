/* SPDX-License-Identifier: MIT */
/* --persist in the host network manager's own format (see persistnet.h). */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "owner.h"
#include "persist.h"
#include "persistnet.h"
#include "rfile.h"
#include "root.h"
#include "journal.h"
#include "target.h"

#define ND_DIR "/etc/systemd/network"
#define NM_DIR "/etc/NetworkManager/system-connections"
#define IFD_DIR "/etc/network/interfaces.d"

/* a growing text buffer */
struct buf {
	char *s;
	size_t n, cap;
};

static void bputs(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void bputs(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if (b->n + (size_t)len + 1 > b->cap) {
		size_t cap = (b->n + (size_t)len + 1) * 2;
		char *ns = realloc(b->s, cap);

		if (!ns)
			return;
		b->s = ns;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)len;
}

int persist_write(struct ctx *c, const char *abs, const char *text, size_t len, mode_t mode)
{
	char what[4200], *old = NULL;
	size_t olen = 0;
	int r, changed = 0;

	snprintf(what, sizeof(what), "write %s%s", kp_target(), abs);
	json_object_array_add(c->steps, json_object_new_string(what));
	if (c->o->dry_run) {
		if (kp_read_file(abs, &old, &olen) < 0 || olen != len || memcmp(old, text, len))
			c->files_changed = 1;
		free(old);
		if (!c->o->json && !c->o->quiet)
			printf("would: %s\n", what);
		return 0;
	}
	/* recorded first: a later failure (or a signal) puts it back */
	r = kp_journal_save_file(abs, NULL);
	if (r == 0)
		r = kp_persist_write(abs, text, len, mode, &changed);
	if (r < 0) {
		kp_err_errno(abs, r, "cannot write");
		return KP_EXIT_FAIL;
	}
	c->files_changed |= changed;
	return 0;
}

static int write_file(struct ctx *c, const char *abs, struct buf *b, mode_t mode)
{
	int rc = persist_write(c, abs, b->s ? b->s : "", b->n, mode);

	free(b->s);
	b->s = NULL;
	return rc;
}

/* the path of this binary, for ifupdown's hooks */
static void self_path(char *out, size_t n)
{
	ssize_t l = readlink("/proc/self/exe", out, n - 1);

	if (l <= 0)
		snprintf(out, n, "/usr/local/bin/kvmprep-bridge");
	else
		out[l] = '\0';
}

static const char *nm_mode(const char *m)
{
	/* NetworkManager's macvlan modes: 1 vepa, 2 bridge, 3 private, 4 passthru */
	if (!m || !strcmp(m, "bridge"))
		return "2";
	if (!strcmp(m, "vepa"))
		return "1";
	if (!strcmp(m, "private"))
		return "3";
	return "4";
}

/* ---- systemd-networkd ---------------------------------------------------- */

/* A setting of link NAME: a drop-in of the .network file that matches it,
 * or a file of our own that matches it. */
static int nd_setting(struct ctx *c, const char *link, const char *owner, const char *key,
		      const char *value)
{
	char file[4096], path[4400];
	struct buf b = { 0 };
	int dhcp, rc;
	const char *base;

	if (owner_of(link, file, sizeof(file), &dhcp) != NETMGR_NETWORKD) {
		snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.network", link);
		bputs(&b, "# written by kvmprep-bridge --persist\n[Match]\nName=%s\n", link);
		if ((rc = write_file(c, path, &b, 0644)))
			return rc;
		snprintf(file, sizeof(file), ND_DIR "/60-kvmprep-%s.network", link);
	}
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	snprintf(path, sizeof(path), ND_DIR "/%s.d/kvmprep-%s.conf", base, owner);
	memset(&b, 0, sizeof(b));
	bputs(&b, "# written by kvmprep-bridge --persist\n[Network]\n%s=%s\n", key, value);
	return write_file(c, path, &b, 0644);
}

static int nd_persist(struct ctx *c, const struct persist_info *pi)
{
	char path[4200];
	struct buf b = { 0 };
	int rc;

	if (pi->kind == PERSIST_PORT)
		return nd_setting(c, pi->name, pi->name, "Bridge", pi->other);
	snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.netdev", pi->name);
	bputs(&b, "# written by kvmprep-bridge --persist\n[NetDev]\nName=%s\nKind=%s\n", pi->name,
	      pi->kind == PERSIST_BRIDGE ? "bridge" : pi->kind == PERSIST_TAP ? "tap" : "macvtap");
	if (pi->mac)
		bputs(&b, "MACAddress=%s\n", pi->mac);
	/* a bridge's MTU goes in its .network only: networkd sets it there
	 * after creation unless the link has it already, and one the bridge
	 * was made with is not the admin's to the kernel, which gives the
	 * bridge its ports' MTU as they join (br_mtu_auto_adjust) */
	if (pi->mtu && pi->kind != PERSIST_BRIDGE)
		bputs(&b, "MTUBytes=%u\n", pi->mtu);
	if (pi->kind == PERSIST_BRIDGE) {
		bputs(&b, "\n[Bridge]\nSTP=%s\nForwardDelaySec=%ld\n", pi->stp ? "yes" : "no",
		      pi->forward_delay / 100);
		if (pi->vlan_filtering >= 0)
			bputs(&b, "VLANFiltering=%s\n", pi->vlan_filtering ? "yes" : "no");
	} else if (pi->kind == PERSIST_TAP) {
		bputs(&b, "\n[Tap]\n");
		if (pi->owner >= 0)
			bputs(&b, "User=%ld\n", pi->owner);
		if (pi->group >= 0)
			bputs(&b, "Group=%ld\n", pi->group);
		bputs(&b, "MultiQueue=%s\nVNetHeader=%s\n", pi->multi_queue ? "yes" : "no",
		      pi->vnet_hdr ? "yes" : "no");
	} else {
		bputs(&b, "\n[MACVTAP]\nMode=%s\n", pi->mode ? pi->mode : "bridge");
	}
	if ((rc = write_file(c, path, &b, 0644)))
		return rc;
	/* the link's own .network: up without addresses (a bridge carries guests,
	 * not the host), in its bridge (a tap) */
	snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.network", pi->name);
	memset(&b, 0, sizeof(b));
	bputs(&b, "# written by kvmprep-bridge --persist\n[Match]\nName=%s\n\n[Network]\n"
		  "LinkLocalAddressing=no\nConfigureWithoutCarrier=yes\n", pi->name);
	if (pi->kind == PERSIST_TAP && pi->other)
		bputs(&b, "Bridge=%s\n", pi->other);
	if (pi->mtu)
		bputs(&b, "\n[Link]\nMTUBytes=%u\n", pi->mtu);
	if (pi->kind != PERSIST_MACVTAP && (rc = write_file(c, path, &b, 0644)))
		return rc;
	if (pi->kind == PERSIST_MACVTAP) {
		free(b.s);
		return nd_setting(c, pi->other, pi->name, "MACVTAP", pi->name);
	}
	return 0;
}

/* ---- NetworkManager ---------------------------------------------------- */

static int nm_persist(struct ctx *c, const struct persist_info *pi)
{
	static const char *types[] = { "bridge", "ethernet", "tun", "macvlan" };
	char path[4200];
	struct buf b = { 0 };

	snprintf(path, sizeof(path), NM_DIR "/kvmprep-%s.nmconnection", pi->name);
	bputs(&b, "# written by kvmprep-bridge --persist\n[connection]\nid=kvmprep-%s\ntype=%s\n"
		  "interface-name=%s\nautoconnect=true\n", pi->name, types[pi->kind], pi->name);
	if ((pi->kind == PERSIST_PORT || pi->kind == PERSIST_TAP) && pi->other)
		bputs(&b, "master=%s\nslave-type=bridge\n", pi->other);
	if (pi->kind == PERSIST_BRIDGE) {
		bputs(&b, "\n[bridge]\nstp=%s\nforward-delay=%ld\n", pi->stp ? "true" : "false",
		      pi->forward_delay / 100);
		if (pi->mac)
			bputs(&b, "mac-address=%s\n", pi->mac);
		if (pi->vlan_filtering >= 0)
			bputs(&b, "vlan-filtering=%s\n", pi->vlan_filtering ? "true" : "false");
		if (pi->mtu)
			bputs(&b, "\n[ethernet]\nmtu=%u\n", pi->mtu);
	} else if (pi->kind == PERSIST_TAP) {
		bputs(&b, "\n[tun]\nmode=2\nmulti-queue=%s\nvnet-hdr=%s\n",
		      pi->multi_queue ? "true" : "false", pi->vnet_hdr ? "true" : "false");
		if (pi->owner >= 0)
			bputs(&b, "owner=%ld\n", pi->owner);
		if (pi->group >= 0)
			bputs(&b, "group=%ld\n", pi->group);
	} else if (pi->kind == PERSIST_MACVTAP) {
		bputs(&b, "\n[macvlan]\nparent=%s\nmode=%s\ntap=true\n", pi->other, nm_mode(pi->mode));
		if (pi->mac)
			bputs(&b, "\n[ethernet]\ncloned-mac-address=%s\n", pi->mac);
	}
	if (pi->kind != PERSIST_PORT)
		bputs(&b, "\n[ipv4]\nmethod=disabled\n\n[ipv6]\nmethod=disabled\n");
	/* NetworkManager ignores keyfiles others can read */
	return write_file(c, path, &b, 0600);
}

/* ---- ifupdown ---------------------------------------------------------- */

static int ifd_persist(struct ctx *c, const struct persist_info *pi)
{
	char path[4200], self[PATH_MAX], file[4096];
	struct buf b = { 0 };
	int dhcp;

	if (pi->kind == PERSIST_PORT && owner_of(pi->name, file, sizeof(file), &dhcp) == NETMGR_IFUPDOWN &&
	    !strstr(file, "/kvmprep-")) {
		kp_err(pi->name, "cannot persist: %s has its stanza already; add 'bridge_ports %s' "
				 "(or a post-up hook) there", file, pi->name);
		return KP_EXIT_FAIL;
	}
	self_path(self, sizeof(self));
	snprintf(path, sizeof(path), IFD_DIR "/kvmprep-%s", pi->name);
	bputs(&b, "# written by kvmprep-bridge --persist\nauto %s\niface %s inet manual\n", pi->name,
	      pi->name);
	switch (pi->kind) {
	case PERSIST_BRIDGE:
		bputs(&b, "    pre-up %s -q bridge add %s --stp %s --forward-delay %ld", self, pi->name,
		      pi->stp ? "on" : "off", pi->forward_delay / 100);
		if (pi->mtu)
			bputs(&b, " --mtu %u", pi->mtu);
		if (pi->mac)
			bputs(&b, " --mac %s", pi->mac);
		if (pi->vlan_filtering >= 0)
			bputs(&b, " --vlan-filtering %s", pi->vlan_filtering ? "on" : "off");
		bputs(&b, "\n    post-down %s -q del %s\n", self, pi->name);
		break;
	case PERSIST_PORT:
		bputs(&b, "    pre-up %s -q bridge add %s\n    up %s -q bridge port add %s %s\n"
			  "    down %s -q bridge port del %s %s\n",
		      self, pi->other, self, pi->other, pi->name, self, pi->other, pi->name);
		break;
	case PERSIST_TAP:
		bputs(&b, "    pre-up %s -q tap add %s", self, pi->name);
		if (pi->owner >= 0)
			bputs(&b, " --owner %ld", pi->owner);
		if (pi->group >= 0)
			bputs(&b, " --group %ld", pi->group);
		if (pi->multi_queue)
			bputs(&b, " --multi-queue");
		if (pi->vnet_hdr)
			bputs(&b, " --vnet-hdr");
		if (pi->other)
			bputs(&b, " --bridge %s", pi->other);
		bputs(&b, "\n    post-down %s -q del %s\n", self, pi->name);
		break;
	case PERSIST_MACVTAP:
		bputs(&b, "    pre-up %s -q macvtap add %s --link %s --mode %s", self, pi->name, pi->other,
		      pi->mode ? pi->mode : "bridge");
		if (pi->mac)
			bputs(&b, " --mac %s", pi->mac);
		bputs(&b, "\n    post-down %s -q del %s\n", self, pi->name);
		break;
	}
	if (!c->o->dry_run) {
		char *text = NULL;

		struct kp_rfile f;

		if (kp_rfile_open(&f, "/etc/network/interfaces", 0, KP_RFILE_ANY_OWNER) == 0)
			text = strdup(f.text);
		kp_rfile_close(&f);
		if (text &&
		    !strstr(text, "source /etc/network/interfaces.d/") &&
		    !strstr(text, "source-directory /etc/network/interfaces.d") &&
		    !strstr(text, "source interfaces.d/") && !strstr(text, "source-directory interfaces.d"))
			kp_warn("/etc/network/interfaces", "does not source %s: add 'source %s/*'",
				IFD_DIR, IFD_DIR);
		free(text);
	}
	return write_file(c, path, &b, 0644);
}

int persist_link(struct ctx *c, const struct persist_info *pi)
{
	switch (host_manager()) {
	case NETMGR_NETWORKD:
		return nd_persist(c, pi);
	case NETMGR_NM:
		return nm_persist(c, pi);
	case NETMGR_IFUPDOWN:
		return ifd_persist(c, pi);
	default:
		/* no manager: kvmprep's own boot step (kvmprep-net.service) */
		return netconf_persist(c, pi);
	}
}

static int remove_one(struct ctx *c, const char *abs)
{
	char what[4200];
	int r, changed = 0;

	if (!kp_exists(abs))
		return 0;
	snprintf(what, sizeof(what), "remove %s%s", kp_target(), abs);
	json_object_array_add(c->steps, json_object_new_string(what));
	if (c->o->dry_run) {
		c->files_changed = 1;
		if (!c->o->json && !c->o->quiet)
			printf("would: %s\n", what);
		return 0;
	}
	r = kp_journal_save_file(abs, NULL);
	if (r == 0)
		r = kp_persist_remove(abs, &changed);
	c->files_changed |= changed;
	if (r < 0) {
		kp_err_errno(abs, r, "cannot remove");
		return KP_EXIT_FAIL;
	}
	return 0;
}

int unpersist_link(struct ctx *c, const char *name)
{
	char path[4200], dir[4096], conf[64];
	struct dirent *e;
	int rc = 0;
	DIR *d;

	snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.netdev", name);
	rc |= remove_one(c, path);
	snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.network", name);
	rc |= remove_one(c, path);
	/* drop-ins named after it (a port's Bridge=, a macvtap's MACVTAP=) */
	snprintf(conf, sizeof(conf), "kvmprep-%s.conf", name);
	if (kp_path(dir, sizeof(dir), ND_DIR) == 0 && (d = opendir(dir))) {
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l > 10 && !strcmp(e->d_name + l - 10, ".network.d")) {
				snprintf(path, sizeof(path), ND_DIR "/%s/%s", e->d_name, conf);
				rc |= remove_one(c, path);
			}
		}
		closedir(d);
	}
	snprintf(path, sizeof(path), NM_DIR "/kvmprep-%s.nmconnection", name);
	rc |= remove_one(c, path);
	snprintf(path, sizeof(path), IFD_DIR "/kvmprep-%s", name);
	rc |= remove_one(c, path);
	/* an uplink move's port profile / override (persist_uplink) */
	snprintf(path, sizeof(path), ND_DIR "/00-kvmprep-%s.network", name);
	rc |= remove_one(c, path);
	rc |= netconf_unpersist(c, name);
	return rc ? KP_EXIT_FAIL : 0;
}

/* ---- the uplink move, written for the next boot (--offline / --root) ------ */

/* The uplink's MAC on the running host (the same hardware in an
 * installer), for the bridge: the same DHCP lease and neighbours. "" when
 * the NIC is not here. */
static void uplink_mac(const char *nic, char out[18])
{
	char path[128];
	unsigned char mac[6];
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", nic);
	if (!(f = fopen(path, "re")))
		return;
	if (fscanf(f, "%17s", out) != 1 || kp_mac_parse(out, mac) < 0)
		out[0] = '\0';
	fclose(f);
}

/* The sections of an INI file (keyfile, .network) whose names are in keep
 * (NULL-terminated), verbatim, minus the keys in drop. */
static void ini_sections(const char *text, const char *const *keep, const char *const *drop,
			 struct buf *b)
{
	const char *p = text;
	int on = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char line[1024];

		snprintf(line, sizeof(line), "%.*s", (int)(l < sizeof(line) ? l : sizeof(line) - 1), p);
		p += l + (e ? 1 : 0);
		if (line[0] == '[') {
			char *r = strchr(line, ']');

			on = 0;
			if (r) {
				*r = '\0';
				for (size_t i = 0; keep[i]; i++)
					on |= !strcmp(line + 1, keep[i]);
				*r = ']';
			}
			if (on)
				bputs(b, "\n%s\n", line);
			continue;
		}
		if (!on || !line[0])
			continue;
		{
			int skip = 0;

			for (size_t i = 0; drop && drop[i]; i++)
				skip |= !strncmp(line, drop[i], strlen(drop[i])) &&
					line[strlen(drop[i])] == '=';
			if (!skip)
				bputs(b, "%s\n", line);
		}
	}
}

static char *read_text(const char *abs)
{
	struct kp_rfile f;
	char *t = NULL;

	if (kp_rfile_open(&f, abs, 0, KP_RFILE_ANY_OWNER) == 0)
		t = strdup(f.text);
	kp_rfile_close(&f);
	return t;
}

int persist_uplink(struct ctx *c, const struct persist_info *bridge, const char *nic)
{
	static const char *const nm_ip[] = { "ipv4", "ipv6", NULL };
	static const char *const nm_link[] = { "ethernet", "ethtool", NULL };
	static const char *const nd_keep[] = { "Network", "Address", "Route", "DHCPv4", "DHCPv6",
					       "IPv6AcceptRA", "RoutingPolicyRule", NULL };
	static const char *const nd_drop[] = { "Bridge", "Bond", "VLAN", "MACVTAP", NULL };
	static const char *const nd_link[] = { "Link", NULL };
	char file[4096], path[4200], mac[18];
	struct persist_info bi = *bridge;
	struct buf b = { 0 };
	enum netmgr m;
	char *text;
	int dhcp, rc;

	uplink_mac(nic, mac);
	if (!bi.mac && mac[0])
		bi.mac = mac;
	m = owner_of(nic, file, sizeof(file), &dhcp);
	if (m == NETMGR_NONE) {
		if (host_manager() == NETMGR_NONE)
			return netconf_uplink(c, &bi, nic);
		/* a manager, but nothing of it configures the NIC: the bridge
		 * and its port in the manager's files, no addresses to move */
		if ((rc = persist_link(c, &bi)))
			return rc;
		bi.kind = PERSIST_PORT;
		bi.other = bridge->name;
		bi.name = nic;
		return persist_link(c, &bi);
	}
	if (m == NETMGR_IFUPDOWN) {
		kp_err(nic, "cannot persist the move into %s: ifupdown configures it (%s); replace its "
			    "stanza by 'iface %s inet manual' and a stanza for %s with 'bridge_ports %s' "
			    "and %s's addressing (bridge-utils)",
		       bridge->name, file, nic, bridge->name, nic, nic);
		return KP_EXIT_FAIL;
	}
	if (!(text = read_text(file))) {
		kp_err(file, "cannot read");
		return KP_EXIT_FAIL;
	}
	if (m == NETMGR_NM) {
		/* the bridge takes the NIC's profile's addressing; a port
		 * profile for the NIC, preferred at boot over its old one
		 * (left as it was: autoconnect-priority decides) */
		snprintf(path, sizeof(path), NM_DIR "/kvmprep-%s.nmconnection", bridge->name);
		bputs(&b, "# written by kvmprep-bridge --persist (uplink %s, from %s)\n[connection]\n"
			  "id=kvmprep-%s\ntype=bridge\ninterface-name=%s\nautoconnect=true\n"
			  "autoconnect-priority=100\n\n[bridge]\nstp=%s\nforward-delay=%ld\n",
		      nic, file, bridge->name, bridge->name, bi.stp ? "true" : "false",
		      bi.forward_delay / 100);
		if (bi.mac)
			bputs(&b, "mac-address=%s\n", bi.mac);
		if (bi.vlan_filtering >= 0)
			bputs(&b, "vlan-filtering=%s\n", bi.vlan_filtering ? "true" : "false");
		if (bi.mtu)
			bputs(&b, "\n[ethernet]\nmtu=%u\n", bi.mtu);
		ini_sections(text, nm_ip, NULL, &b);
		if ((rc = write_file(c, path, &b, 0600))) {
			free(text);
			return rc;
		}
		/* the port profile keeps the NIC's own link settings (its
		 * profile's [ethernet] and [ethtool]: MTU, cloned MAC, offloads),
		 * which the old profile no longer applies once this one wins */
		snprintf(path, sizeof(path), NM_DIR "/kvmprep-%s.nmconnection", nic);
		memset(&b, 0, sizeof(b));
		bputs(&b, "# written by kvmprep-bridge --persist (uplink of %s)\n[connection]\n"
			  "id=kvmprep-%s\ntype=ethernet\ninterface-name=%s\nmaster=%s\nslave-type=bridge\n"
			  "autoconnect=true\nautoconnect-priority=100\n",
		      bridge->name, nic, nic, bridge->name);
		ini_sections(text, nm_link, NULL, &b);
		free(text);
		return write_file(c, path, &b, 0600);
	}
	/* systemd-networkd: the first .network file in lexical order that
	 * matches a link configures it; ours must come before the NIC's */
	{
		const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
		char ours[64];

		snprintf(ours, sizeof(ours), "00-kvmprep-%s.network", nic);
		if (strcmp(ours, base) >= 0) {
			kp_err(nic, "cannot persist the move into %s: its file %s sorts before %s; "
				    "rename it (networkd uses the first match)", bridge->name, file, ours);
			free(text);
			return KP_EXIT_FAIL;
		}
		snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.netdev", bridge->name);
		bputs(&b, "# written by kvmprep-bridge --persist\n[NetDev]\nName=%s\nKind=bridge\n",
		      bridge->name);
		if (bi.mac)
			bputs(&b, "MACAddress=%s\n", bi.mac);
		bputs(&b, "\n[Bridge]\nSTP=%s\nForwardDelaySec=%ld\n", bi.stp ? "yes" : "no",
		      bi.forward_delay / 100);
		if (bi.vlan_filtering >= 0)
			bputs(&b, "VLANFiltering=%s\n", bi.vlan_filtering ? "yes" : "no");
		if ((rc = write_file(c, path, &b, 0644))) {
			free(text);
			return rc;
		}
		memset(&b, 0, sizeof(b));
		snprintf(path, sizeof(path), ND_DIR "/60-kvmprep-%s.network", bridge->name);
		bputs(&b, "# written by kvmprep-bridge --persist (uplink %s, from %s)\n[Match]\n"
			  "Name=%s\n", nic, file, bridge->name);
		ini_sections(text, nd_keep, nd_drop, &b);
		/* in the .network, not the .netdev: see nd_persist */
		if (bi.mtu)
			bputs(&b, "\n[Link]\nMTUBytes=%u\n", bi.mtu);
		if ((rc = write_file(c, path, &b, 0644))) {
			free(text);
			return rc;
		}
		snprintf(path, sizeof(path), ND_DIR "/%s", ours);
		memset(&b, 0, sizeof(b));
		bputs(&b, "# written by kvmprep-bridge --persist (uplink of %s)\n[Match]\nName=%s\n\n"
			  "[Network]\nBridge=%s\nLinkLocalAddressing=no\n", bridge->name, nic,
		      bridge->name);
		/* the NIC's own link settings (MTUBytes, MACAddress, …): this
		 * file replaces its file, which networkd no longer applies */
		ini_sections(text, nd_link, NULL, &b);
		free(text);
		return write_file(c, path, &b, 0644);
	}
}
