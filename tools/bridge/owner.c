/* SPDX-License-Identifier: MIT */
/* Who owns the uplink: NetworkManager keyfiles, systemd-networkd .network
 * files, ifupdown's /etc/network/interfaces (and what it sources). Read
 * under the root prefix, so fake roots test it. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

#include "err.h"
#include "exitcodes.h"
#include "netsnap.h"
#include "owner.h"
#include "rfile.h"
#include "root.h"
#include "target.h"

const char *netmgr_name(enum netmgr m)
{
	switch (m) {
	case NETMGR_NM: return "NetworkManager";
	case NETMGR_NETWORKD: return "systemd-networkd";
	case NETMGR_IFUPDOWN: return "ifupdown";
	default: return "none";
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int truthy(const char *v)
{
	return !strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "1") ||
	       !strcasecmp(v, "ipv4") || !strcasecmp(v, "on");
}

/* Read an admin's configuration file whole through the hardened reader
 * (regular file, no symlink, size cap, no NUL): malloc'ed text, or NULL. */
static char *read_conf(const char *abs)
{
	struct kp_rfile f;
	char *t = NULL;

	if (kp_rfile_open(&f, abs, 0, KP_RFILE_ANY_OWNER) == 0)
		t = strdup(f.text);
	kp_rfile_close(&f);
	return t;
}

/* An INI-style file (networkd, keyfile): calls fn for each key=value. */
static void ini_each(char *text, void (*fn)(const char *sec, const char *k, const char *v, void *a),
		     void *arg)
{
	char sec[64] = "";

	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *l = trim(line), *eq;

		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *e = strchr(l, ']');

			if (e) {
				*e = '\0';
				snprintf(sec, sizeof(sec), "%s", l + 1);
			}
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			continue;
		*eq = '\0';
		fn(sec, trim(l), trim(eq + 1), arg);
	}
}

struct match {
	const char *name;
	int matched, dhcp, names;
};

static void networkd_kv(const char *sec, const char *k, const char *v, void *a)
{
	struct match *m = a;

	if (!strcmp(sec, "Match") && !strcmp(k, "Name")) {
		char buf[512], *save = NULL;

		snprintf(buf, sizeof(buf), "%s", v);
		m->names++;
		for (char *g = strtok_r(buf, " \t", &save); g; g = strtok_r(NULL, " \t", &save))
			if (*g != '!' && fnmatch(g, m->name, 0) == 0)
				m->matched = 1;
	} else if (!strcmp(sec, "Network") && !strcmp(k, "DHCP")) {
		m->dhcp = truthy(v);
	}
}

static void nm_kv(const char *sec, const char *k, const char *v, void *a)
{
	struct match *m = a;

	if (!strcmp(sec, "connection") && !strcmp(k, "interface-name") && !strcmp(v, m->name))
		m->matched = 1;
	else if (!strcmp(sec, "ipv4") && !strcmp(k, "method") && !strcmp(v, "auto"))
		m->dhcp = 1;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files named *SUFFIX in DIR (prefixed), sorted by name. */
static int scan_dir(const char *dir, const char *suffix, const char *name,
		    void (*kv)(const char *, const char *, const char *, void *), char *file,
		    size_t n, int *dhcp)
{
	char path[4096];
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, sl = strlen(suffix);
	int found = 0;
	DIR *d;

	if (kp_path(path, sizeof(path), dir) < 0 || !(d = opendir(path)))
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (l <= sl || strcmp(e->d_name + l - sl, suffix))
			continue;
		nv = realloc(names, (nn + 1) * sizeof(*names));
		if (!nv)
			break;
		names = nv;
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	if (nn)
		qsort(names, nn, sizeof(*names), cmpstr);
	for (size_t i = 0; i < nn; i++) {
		struct match m = { .name = name };
		char abs[4096], *text;

		if (!names[i] || found)
			continue;
		snprintf(abs, sizeof(abs), "%s/%s", dir, names[i]);
		if (!(text = read_conf(abs)))
			continue;
		ini_each(text, kv, &m);
		free(text);
		if (m.matched) {
			found = 1;
			snprintf(file, n, "%s", abs);
			*dhcp = m.dhcp;
		}
	}
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return found;
}

/* /run is the running system's: with a target (--root DIR) only what is
 * enabled in DIR counts */
static int running(const char *abs)
{
	return !kp_target()[0] && kp_exists(abs);
}

static int networkd_enabled(void)
{
	return kp_exists("/etc/systemd/system/multi-user.target.wants/systemd-networkd.service") ||
	       running("/run/systemd/netif/state");
}

/* ifupdown: /etc/network/interfaces and what it sources; depth-limited. */
static int ifupdown_file(const char *abs, const char *name, char *file, size_t n, int *dhcp,
			 int depth)
{
	char *text, *save = NULL;
	int found = 0;

	if (depth > 4 || !(text = read_conf(abs)))
		return 0;
	for (char *line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char w[4][256] = { "" };
		int nw = sscanf(line, " %255s %255s %255s %255s", w[0], w[1], w[2], w[3]);

		if (nw >= 4 && !strcmp(w[0], "iface") && !strcmp(w[1], name)) {
			found = 1;
			snprintf(file, n, "%s", abs);
			*dhcp = !strcmp(w[2], "inet") && !strcmp(w[3], "dhcp");
		} else if (nw >= 2 && (!strcmp(w[0], "source") || !strcmp(w[0], "source-directory"))) {
			char pat[4096], rel[600];
			glob_t g;

			if (w[1][0] == '/')
				snprintf(rel, sizeof(rel), "%s%s", w[1],
					 !strcmp(w[0], "source-directory") ? "/*" : "");
			else
				snprintf(rel, sizeof(rel), "/etc/network/%s%s", w[1],
					 !strcmp(w[0], "source-directory") ? "/*" : "");
			if (kp_path(pat, sizeof(pat), rel) < 0 || glob(pat, 0, NULL, &g) != 0)
				continue;
			for (size_t i = 0; i < g.gl_pathc && !found; i++)
				found = ifupdown_file(g.gl_pathv[i] + strlen(kp_target()[0] ? kp_target()
											   : kp_root()),
						      name, file, n,
						      dhcp, depth + 1);
			globfree(&g);
		}
	}
	free(text);
	return found;
}

enum netmgr owner_of(const char *name, char *file, size_t n, int *dhcp)
{
	static const char *ndirs[] = { "/etc/systemd/network", "/run/systemd/network",
				       "/usr/lib/systemd/network", "/lib/systemd/network" };

	*dhcp = 0;
	file[0] = '\0';
	if (scan_dir("/etc/NetworkManager/system-connections", ".nmconnection", name, nm_kv, file, n,
		     dhcp) ||
	    (!kp_target()[0] &&
	     scan_dir("/run/NetworkManager/system-connections", ".nmconnection", name, nm_kv, file,
		      n, dhcp)))
		return NETMGR_NM;
	if (networkd_enabled())
		for (size_t i = 0; i < sizeof(ndirs) / sizeof(ndirs[0]); i++)
			if (scan_dir(ndirs[i], ".network", name, networkd_kv, file, n, dhcp))
				return NETMGR_NETWORKD;
	if (ifupdown_file("/etc/network/interfaces", name, file, n, dhcp, 0))
		return NETMGR_IFUPDOWN;
	return NETMGR_NONE;
}

enum netmgr host_manager(void)
{
	if (kp_exists("/etc/NetworkManager/system-connections") &&
	    (kp_exists("/usr/sbin/NetworkManager") || running("/run/NetworkManager")))
		return NETMGR_NM;
	if (networkd_enabled())
		return NETMGR_NETWORKD;
	if (kp_exists("/etc/network/interfaces"))
		return NETMGR_IFUPDOWN;
	return NETMGR_NONE;
}

/* ---- the remedy: the move done by the manager ----------------------------- */

static void addr_list(const struct kp_netsnap *s, int fam, char *out, size_t n, const char *sep)
{
	size_t off = 0;

	out[0] = '\0';
	for (size_t i = 0; i < kp_netsnap_naddrs(s); i++) {
		struct rtnl_addr *a = kp_netsnap_addr(s, i);
		char t[96];

		if (rtnl_addr_get_family(a) != fam)
			continue;
		kp_netsnap_addr_text(a, t, sizeof(t));
		off += (size_t)snprintf(out + off, n > off ? n - off : 0, "%s%s", off ? sep : "", t);
	}
}

static void gateway(const struct kp_netsnap *s, int fam, char *out, size_t n)
{
	out[0] = '\0';
	for (size_t i = 0; i < kp_netsnap_nroutes(s); i++) {
		struct rtnl_route *r = kp_netsnap_route(s, i);
		struct nl_addr *d = rtnl_route_get_dst(r), *g;

		if (rtnl_route_get_family(r) != fam || rtnl_route_get_table(r) != RT_TABLE_MAIN ||
		    (d && nl_addr_get_prefixlen(d) > 0) || rtnl_route_get_nnexthops(r) < 1)
			continue;
		g = rtnl_route_nh_get_gateway(rtnl_route_nexthop_n(r, 0));
		if (g) {
			nl_addr2str(g, out, n);
			return;
		}
	}
}

int owner_refuse(const char *nic, const char *bridge, const struct kp_netsnap *s, int force)
{
	char file[4096], v4[512], v6[512], gw4[64], gw6[64], mac[18];
	const struct kp_linkinfo *l = kp_netsnap_link(s);
	int dhcp;
	enum netmgr m = owner_of(nic, file, sizeof(file), &dhcp);

	if (m == NETMGR_NONE)
		return 0;
	kp_mac_format(l->mac, mac);
	gateway(s, AF_INET, gw4, sizeof(gw4));
	gateway(s, AF_INET6, gw6, sizeof(gw6));
	kp_err(nic, "cannot move into %s: %s manages it (%s)%s; do the move through %s:", bridge,
	       netmgr_name(m), file, dhcp ? " by DHCP" : "", netmgr_name(m));
	if (m == NETMGR_NM) {
		addr_list(s, AF_INET, v4, sizeof(v4), ",");
		addr_list(s, AF_INET6, v6, sizeof(v6), ",");
		fprintf(stderr, "  nmcli connection add type bridge con-name %s ifname %s "
				"bridge.stp no bridge.forward-delay 0 bridge.mac-address %s",
			bridge, bridge, mac);
		if (dhcp)
			fprintf(stderr, " ipv4.method auto");
		else if (v4[0])
			fprintf(stderr, " ipv4.method manual ipv4.addresses %s%s%s", v4,
				gw4[0] ? " ipv4.gateway " : "", gw4);
		if (v6[0])
			fprintf(stderr, " ipv6.method manual ipv6.addresses %s%s%s", v6,
				gw6[0] ? " ipv6.gateway " : "", gw6);
		fprintf(stderr, "\n  nmcli connection add type bridge-slave con-name %s-port-%s ifname %s "
				"master %s\n", bridge, nic, nic, bridge);
		fprintf(stderr, "  nmcli connection up %s   # NetworkManager moves the addresses; its "
				"checkpoint (nmcli ... --wait, 'nmcli general checkpoint') rolls back\n",
			bridge);
	} else if (m == NETMGR_NETWORKD) {
		addr_list(s, AF_INET, v4, sizeof(v4), "\nAddress=");
		addr_list(s, AF_INET6, v6, sizeof(v6), "\nAddress=");
		fprintf(stderr, "  cat >/etc/systemd/network/%s.netdev <<'EOF'\n[NetDev]\nName=%s\n"
				"Kind=bridge\nMACAddress=%s\n\n[Bridge]\nSTP=no\nForwardDelaySec=0\nEOF\n",
			bridge, bridge, mac);
		fprintf(stderr, "  cat >/etc/systemd/network/%s.network <<'EOF'\n[Match]\nName=%s\n\n"
				"[Network]\n", bridge, bridge);
		if (dhcp)
			fprintf(stderr, "DHCP=yes\n");
		if (v4[0] && !dhcp)
			fprintf(stderr, "Address=%s\n", v4);
		if (v6[0])
			fprintf(stderr, "Address=%s\n", v6);
		if (gw4[0] && !dhcp)
			fprintf(stderr, "Gateway=%s\n", gw4);
		if (gw6[0])
			fprintf(stderr, "Gateway=%s\n", gw6);
		fprintf(stderr, "EOF\n  printf '[Match]\\nName=%s\\n\\n[Network]\\nBridge=%s\\n' >%s\n"
				"  networkctl reload && networkctl reconfigure %s %s\n",
			nic, bridge, file, nic, bridge);
	} else {
		addr_list(s, AF_INET, v4, sizeof(v4), "\n      address ");
		fprintf(stderr, "  in %s, replace the stanza of %s by:\n"
				"  auto %s\n  iface %s inet manual\n\n  auto %s\n  iface %s inet %s\n"
				"      bridge_ports %s\n      bridge_stp off\n      bridge_fd 0\n"
				"      bridge_hw %s\n",
			file, nic, nic, nic, bridge, bridge, dhcp ? "dhcp" : "static", nic, mac);
		if (!dhcp && v4[0])
			fprintf(stderr, "      address %s\n", v4);
		if (!dhcp && gw4[0])
			fprintf(stderr, "      gateway %s\n", gw4);
		fprintf(stderr, "  then (from a console, or under 'screen'): ifdown %s && ifup %s "
				"(bridge_ports needs the bridge-utils package)\n", nic, bridge);
	}
	(void)force;
	return KP_EXIT_FAIL;
}
