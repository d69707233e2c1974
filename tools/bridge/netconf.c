/* SPDX-License-Identifier: MIT */
/*
 * kvmprep's own boot configuration of links, for hosts without a network
 * manager (persistnet.h): /etc/kvmprep/net.conf, written by --persist and
 * applied at boot by `apply-persisted` (kvmprep-net.service, before
 * network-pre.target). Each line is checked as the options it stands for;
 * a file with one bad line is refused whole (FILE:LINE, exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net/if.h>

#include "bridge.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "link.h"
#include "persistnet.h"
#include "rfile.h"
#include "root.h"

#define NETCONF_MAX (256 * 1024)
#define MAXF 10

struct nline {
	int line;
	char kind[8];
	char name[16];
	char bridge[16];      /* port, uplink, tap: bridge=; macvtap: link= */
	char text[512];       /* the line as written back */
	struct opts o;        /* its options, for apply */
	char mac[18], mode[16], owner[16], group[16];
};

static const char *const kinds[] = { "bridge", "uplink", "port", "tap", "macvtap", NULL };

static int kind_index(const char *k)
{
	for (int i = 0; kinds[i]; i++)
		if (!strcmp(k, kinds[i]))
			return i;
	return -1;
}

static int num(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	if (*v < '0' || *v > '9')
		return -1;
	n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int onoff(const char *v, int *out)
{
	if (!strcmp(v, "on"))
		*out = 1;
	else if (!strcmp(v, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* One line's key=value (or flag) for its kind: 0, or -EINVAL with f->err. */
static int parse_key(struct kp_rfile *f, struct nline *e, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char key[32];
	const char *v = eq ? eq + 1 : "";
	int k = kind_index(e->kind);
	int bridgeish = k == 0 || k == 1;
	long n;
	unsigned char mac[6];

	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - kv) : (int)strlen(kv), kv);
	if (bridgeish && !strcmp(key, "stp") && eq && onoff(v, &e->o.stp) == 0)
		return 0;
	if (bridgeish && !strcmp(key, "vlan-filtering") && eq && onoff(v, &e->o.vlan_filtering) == 0)
		return 0;
	if (bridgeish && !strcmp(key, "forward-delay") && eq && num(v, 0, 30, &n) == 0) {
		e->o.forward_delay = n * 100;
		return 0;
	}
	if (bridgeish && !strcmp(key, "mtu") && eq && num(v, 68, 65535, &e->o.mtu) == 0)
		return 0;
	if ((bridgeish || k == 4) && !strcmp(key, "mac") && eq) {
		if (kp_mac_parse(v, mac) < 0)
			return kp_rfile_bad(f, "invalid mac '%s'", v);
		snprintf(e->mac, sizeof(e->mac), "%s", v);
		e->o.mac = e->mac;
		return 0;
	}
	if ((k == 1 || k == 2 || k == 3) && !strcmp(key, "bridge") && eq) {
		if (kp_ifname_check(v) < 0)
			return kp_rfile_bad(f, "invalid bridge name '%s'", v);
		snprintf(e->bridge, sizeof(e->bridge), "%s", v);
		e->o.bridge = e->bridge;
		return 0;
	}
	if (k == 4 && !strcmp(key, "link") && eq) {
		if (kp_ifname_check(v) < 0)
			return kp_rfile_bad(f, "invalid link name '%s'", v);
		snprintf(e->bridge, sizeof(e->bridge), "%s", v);
		e->o.link = e->bridge;
		return 0;
	}
	if (k == 4 && !strcmp(key, "mode") && eq &&
	    (!strcmp(v, "bridge") || !strcmp(v, "vepa") || !strcmp(v, "private") ||
	     !strcmp(v, "passthru"))) {
		snprintf(e->mode, sizeof(e->mode), "%s", v);
		e->o.mode = e->mode;
		return 0;
	}
	if (k == 3 && (!strcmp(key, "owner") || !strcmp(key, "group")) && eq &&
	    num(v, 0, 0xfffffffeL, &n) == 0) {
		char *dst = key[0] == 'o' ? e->owner : e->group;

		snprintf(dst, 16, "%s", v);
		if (key[0] == 'o')
			e->o.owner = e->owner;
		else
			e->o.group = e->group;
		return 0;
	}
	if (k == 3 && !eq && !strcmp(key, "multi-queue")) {
		e->o.multi_queue = 1;
		return 0;
	}
	if (k == 3 && !eq && !strcmp(key, "vnet-hdr")) {
		e->o.vnet_hdr = 1;
		return 0;
	}
	return kp_rfile_bad(f, "invalid setting '%s' for a %s line", kv, e->kind);
}

/* Load net.conf (missing: no lines). 0, or an exit status after the error. */
static int load(struct nline **out, size_t *nout)
{
	struct kp_rfile f;
	struct nline *v = NULL;
	char *fld[MAXF];
	size_t n = 0, nf;
	int r;

	*out = NULL;
	*nout = 0;
	r = kp_rfile_open(&f, KP_NET_CONF, NETCONF_MAX, 0);
	if (r == -ENOENT) {
		kp_rfile_close(&f);
		return 0;
	}
	if (r < 0) {
		kp_err(NULL, "%s", f.err);
		kp_rfile_close(&f);
		return r == -EINVAL ? KP_EXIT_USAGE : KP_EXIT_FAIL;
	}
	while ((r = kp_rfile_next(&f, fld, MAXF, &nf)) > 0) {
		struct nline *nv = realloc(v, (n + 1) * sizeof(*v)), *e;
		size_t off;

		if (!nv) {
			r = -ENOMEM;
			break;
		}
		v = nv;
		e = &v[n];
		memset(e, 0, sizeof(*e));
		e->o.stp = e->o.vlan_filtering = -1;
		e->o.forward_delay = -1;
		e->line = f.line;
		if (nf < 2 || kind_index(fld[0]) < 0) {
			r = kp_rfile_bad(&f, "want KIND NAME [SETTING...], KIND one of bridge, uplink, "
					     "port, tap, macvtap");
			break;
		}
		if (kp_ifname_check(fld[1]) < 0) {
			r = kp_rfile_bad(&f, "invalid interface name '%s'", fld[1]);
			break;
		}
		snprintf(e->kind, sizeof(e->kind), "%s", fld[0]);
		snprintf(e->name, sizeof(e->name), "%s", fld[1]);
		off = (size_t)snprintf(e->text, sizeof(e->text), "%s %s", fld[0], fld[1]);
		for (size_t i = 2; i < nf && r > 0; i++) {
			if (parse_key(&f, e, fld[i]) < 0)
				r = -EINVAL;
			off += (size_t)snprintf(e->text + off, sizeof(e->text) > off ? sizeof(e->text) - off : 0,
						" %s", fld[i]);
		}
		if (r < 0)
			break;
		if ((!strcmp(e->kind, "port") || !strcmp(e->kind, "uplink")) && !e->bridge[0]) {
			r = kp_rfile_bad(&f, "a %s line needs bridge=NAME", e->kind);
			break;
		}
		if (!strcmp(e->kind, "macvtap") && !e->bridge[0]) {
			r = kp_rfile_bad(&f, "a macvtap line needs link=LOWER");
			break;
		}
		for (size_t j = 0; j < n; j++)
			if (!strcmp(v[j].name, e->name)) {
				r = kp_rfile_bad(&f, "%s is on line %d already", e->name, v[j].line);
				break;
			}
		if (r < 0)
			break;
		n++;
	}
	if (r < 0) {
		if (r == -EINVAL)
			kp_err(NULL, "%s", f.err);
		else
			kp_err_errno(KP_NET_CONF, r, "cannot read");
		kp_rfile_close(&f);
		free(v);
		return r == -EINVAL ? KP_EXIT_USAGE : KP_EXIT_FAIL;
	}
	kp_rfile_close(&f);
	*out = v;
	*nout = n;
	return 0;
}

static int save(struct ctx *c, const struct nline *v, size_t n)
{
	size_t cap = 128 + n * sizeof(v[0].text), off;
	char *text = malloc(cap);
	int rc;

	if (!text)
		return KP_EXIT_FAIL;
	off = (size_t)snprintf(text, cap, "# kvmprep links applied at boot by kvmprep-net.service "
					  "(kvmprep-bridge --persist)\n");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off, "%s\n", v[i].text);
	rc = persist_write(c, KP_NET_CONF, text, off, 0644);
	free(text);
	return rc;
}

/* Put one line for NAME (replacing the one it had). */
static int put(struct ctx *c, const char *name, const char *text)
{
	struct nline *v, *nv;
	size_t n, i;
	int rc;

	if ((rc = load(&v, &n)))
		return rc;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			break;
	if (i == n) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return KP_EXIT_FAIL;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		n++;
	}
	snprintf(v[i].text, sizeof(v[i].text), "%s", text);
	rc = save(c, v, n);
	free(v);
	return rc;
}

static void bridge_keys(char *t, size_t cap, const struct persist_info *pi)
{
	size_t off = strlen(t);

	off += (size_t)snprintf(t + off, cap - off, " stp=%s forward-delay=%ld", pi->stp ? "on" : "off",
				pi->forward_delay / 100);
	if (pi->vlan_filtering >= 0)
		off += (size_t)snprintf(t + off, cap - off, " vlan-filtering=%s",
					pi->vlan_filtering ? "on" : "off");
	if (pi->mtu)
		off += (size_t)snprintf(t + off, cap - off, " mtu=%u", pi->mtu);
	if (pi->mac)
		snprintf(t + off, cap - off, " mac=%s", pi->mac);
}

int netconf_persist(struct ctx *c, const struct persist_info *pi)
{
	char t[512];

	switch (pi->kind) {
	case PERSIST_BRIDGE:
		snprintf(t, sizeof(t), "bridge %s", pi->name);
		bridge_keys(t, sizeof(t), pi);
		break;
	case PERSIST_PORT:
		snprintf(t, sizeof(t), "port %s bridge=%s", pi->name, pi->other);
		break;
	case PERSIST_TAP: {
		size_t off = (size_t)snprintf(t, sizeof(t), "tap %s", pi->name);

		if (pi->owner >= 0)
			off += (size_t)snprintf(t + off, sizeof(t) - off, " owner=%ld", pi->owner);
		if (pi->group >= 0)
			off += (size_t)snprintf(t + off, sizeof(t) - off, " group=%ld", pi->group);
		if (pi->other)
			off += (size_t)snprintf(t + off, sizeof(t) - off, " bridge=%s", pi->other);
		snprintf(t + off, sizeof(t) - off, "%s%s", pi->multi_queue ? " multi-queue" : "",
			 pi->vnet_hdr ? " vnet-hdr" : "");
		break;
	}
	case PERSIST_MACVTAP:
		snprintf(t, sizeof(t), "macvtap %s link=%s mode=%s%s%s", pi->name, pi->other,
			 pi->mode ? pi->mode : "bridge", pi->mac ? " mac=" : "", pi->mac ? pi->mac : "");
		break;
	}
	return put(c, pi->name, t);
}

int netconf_uplink(struct ctx *c, const struct persist_info *bridge, const char *nic)
{
	char t[512];

	snprintf(t, sizeof(t), "uplink %s bridge=%s", nic, bridge->name);
	bridge_keys(t, sizeof(t), bridge);
	return put(c, nic, t);
}

int netconf_unpersist(struct ctx *c, const char *name)
{
	struct nline *v;
	size_t n, keep = 0;
	int rc;

	if (!kp_exists(KP_NET_CONF))
		return 0;
	if ((rc = load(&v, &n)))
		return rc;
	for (size_t i = 0; i < n; i++) {
		int of_bridge = (!strcmp(v[i].kind, "port") || !strcmp(v[i].kind, "uplink")) &&
				!strcmp(v[i].bridge, name);

		if (!strcmp(v[i].name, name) || of_bridge)
			continue;
		v[keep++] = v[i];
	}
	rc = keep == n ? 0 : save(c, v, keep);
	free(v);
	return rc;
}

/* ---- apply-persisted: the boot step ------------------------------------ */

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* At boot the NICs appear when udev has loaded their drivers and named
 * them (coldplug), after kvmprep-net.service may have started: it does not
 * wait for systemd-udev-settle.service (every device; deprecated). A line
 * whose link (an uplink, a port, a macvtap's lower link) is not there yet
 * waits for it by name (the name udev gives it), polled without the lock,
 * until the one deadline of the run; then it is applied (and fails, named,
 * if the link never came). */
static void wait_link(const char *name, long deadline, int quiet)
{
	long t0 = mono_ms();

	while (!if_nametoindex(name) && mono_ms() < deadline) {
		struct timespec ts = { 0, 50 * 1000000L };

		nanosleep(&ts, NULL);
	}
	if (if_nametoindex(name) && mono_ms() - t0 >= 50 && !quiet)
		printf("%s: appeared after %ld ms\n", name, mono_ms() - t0);
}

int cmd_apply(struct opts *o, int argc, char **argv)
{
	struct nline *v;
	size_t n;
	int rc, failed = 0;
	long deadline = mono_ms() + o->link_timeout_ms;

	if (argc)
		return kp_usage_err("apply-persisted takes no argument");
	if ((rc = load(&v, &n)))
		return rc;
	/* bridges, then the uplinks moved into them and their ports, then
	 * taps (which may join a bridge) and macvtaps: each line on its own,
	 * a failing one said with its reason and the rest still applied */
	for (int k = 0; kinds[k]; k++) {
		for (size_t i = 0; i < n; i++) {
			struct opts lo = v[i].o;
			char *args[2];
			int argn = 1;

			if (strcmp(v[i].kind, kinds[k]))
				continue;
			if (k == 1 || k == 2)
				wait_link(v[i].name, deadline, o->quiet);
			else if (k == 4)
				wait_link(v[i].bridge, deadline, o->quiet);
			lo.json = 0;
			lo.quiet = o->quiet;
			lo.dry_run = o->dry_run;
			lo.out = o->out;
			lo.confirm_timeout = DEFAULT_CONFIRM_TIMEOUT;
			lo.wait_ms = o->wait_ms;
			args[0] = v[i].name;
			switch (k) {
			case 0:
				rc = cmd_bridge_add(&lo, 1, args);
				break;
			case 1:
				lo.uplink = v[i].name;
				lo.no_confirm = 1; /* at boot: no session to lose */
				args[0] = v[i].bridge;
				lo.bridge = NULL;
				rc = cmd_bridge_add(&lo, 1, args);
				break;
			case 2:
				args[0] = v[i].bridge;
				args[1] = v[i].name;
				argn = 2;
				lo.bridge = NULL;
				rc = cmd_port_add(&lo, argn, args);
				break;
			case 3:
				rc = cmd_tap_add(&lo, 1, args);
				break;
			default:
				rc = cmd_macvtap_add(&lo, 1, args);
				break;
			}
			if (rc) {
				kp_err(NULL, "%s:%d: %s %s: not applied (exit %d); the others go on",
				       KP_NET_CONF, v[i].line, v[i].kind, v[i].name, rc);
				failed = 1;
			}
		}
	}
	free(v);
	return failed ? KP_EXIT_FAIL : KP_EXIT_OK;
}
