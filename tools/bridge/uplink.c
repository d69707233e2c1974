/* SPDX-License-Identifier: MIT */
/*
 * bridge add NAME --uplink IF: the host's uplink moves into a new bridge in
 * an order that keeps the host reachable, with a journal on disk before the
 * first change (a killed run is rolled back by the next run or `recover`),
 * a rollback on any failure, and commit-confirm: a detached process gives
 * the NIC back what it had unless `confirm` comes within the timeout.
 */
#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

#include "bridge.h"
#include "err.h"
#include "journal.h"
#include "exitcodes.h"
#include "lock.h"
#include "netsnap.h"
#include "owner.h"
#include "persist.h"
#include "rfile.h"
#include "root.h"

#define JDIR "/run/kvmprep/bridge-uplink"
/* the transient units of commit-confirm's systemd timer: UNIT_PREFIX BRIDGE
 * .timer and .service; the service runs with UNIT_ENV=its unit's name */
#define UNIT_PREFIX "kvmprep-bridge-rollback-"
#define UNIT_ENV "KVMPREP_BRIDGE_ROLLBACK_UNIT"

/* ---- the journal of a move ---------------------------------------------- */

struct journal {
	char state[16]; /* moving, armed, done */
	char bridge[IF_NAMESIZE];
	long long netns, pid, rollback_pid, deadline;
	int persist;
	char unit[64]; /* the transient timer's name (NAME.timer, NAME.service), or "" */
	json_object *snap; /* the snapshot's on-disk form */
};

static long long netns_id(void)
{
	struct stat st;

	/* this network namespace (kernel state, not under the root prefix) */
	if (stat("/proc/self/ns/net", &st) < 0)
		return 0;
	return (long long)st.st_ino;
}

static void jpath(char *buf, size_t n, const char *bridge)
{
	snprintf(buf, n, JDIR "/%s.json", bridge);
}

static int journal_write(const struct journal *j)
{
	json_object *d = json_object_new_object();
	char path[128];
	const char *s;
	int r;

	json_object_object_add(d, "schema", json_object_new_int(1));
	json_object_object_add(d, "tool", json_object_new_string(TOOL));
	json_object_object_add(d, "kind", json_object_new_string("uplink-move"));
	json_object_object_add(d, "state", json_object_new_string(j->state));
	json_object_object_add(d, "bridge", json_object_new_string(j->bridge));
	json_object_object_add(d, "netns", json_object_new_int64(j->netns));
	json_object_object_add(d, "pid", json_object_new_int64(j->pid));
	json_object_object_add(d, "rollback_pid", json_object_new_int64(j->rollback_pid));
	json_object_object_add(d, "deadline", json_object_new_int64(j->deadline));
	json_object_object_add(d, "persist", json_object_new_boolean(j->persist));
	json_object_object_add(d, "rollback_unit", j->unit[0] ? json_object_new_string(j->unit) : NULL);
	json_object_object_add(d, "snapshot", json_object_get(j->snap));
	s = json_object_to_json_string_ext(d, KP_JSON_FLAGS);
	jpath(path, sizeof(path), j->bridge);
	r = kp_persist_write(path, s, strlen(s), 0600, NULL);
	json_object_put(d);
	return r;
}

static void journal_free(struct journal *j)
{
	if (j->snap)
		json_object_put(j->snap);
	j->snap = NULL;
}

static int jint(json_object *d, const char *k, long long *v)
{
	json_object *x;

	if (!json_object_object_get_ex(d, k, &x) || !json_object_is_type(x, json_type_int))
		return -EINVAL;
	*v = json_object_get_int64(x);
	return 0;
}

/* Read the journal of BRIDGE: 0, -ENOENT, -EINVAL (malformed), -errno. */
static int journal_read(const char *bridge, struct journal *j)
{
	json_object *d, *x;
	char path[128], *text;
	int r;

	memset(j, 0, sizeof(*j));
	jpath(path, sizeof(path), bridge);
	{
		/* state this tool wrote (0600, root's): the hardened reader */
		struct kp_rfile f;

		r = kp_rfile_open(&f, path, 0, 0);
		text = r == 0 ? strdup(f.text) : NULL;
		kp_rfile_close(&f);
		if (r < 0)
			return r;
		if (!text)
			return -ENOMEM;
	}
	d = json_tokener_parse(text);
	free(text);
	if (!d)
		return -EINVAL;
	r = -EINVAL;
	if (!json_object_object_get_ex(d, "state", &x) || !json_object_is_type(x, json_type_string) ||
	    strlen(json_object_get_string(x)) >= sizeof(j->state))
		goto out;
	snprintf(j->state, sizeof(j->state), "%s", json_object_get_string(x));
	snprintf(j->bridge, sizeof(j->bridge), "%s", bridge);
	if (jint(d, "netns", &j->netns) || jint(d, "pid", &j->pid) ||
	    jint(d, "rollback_pid", &j->rollback_pid) || jint(d, "deadline", &j->deadline))
		goto out;
	if (json_object_object_get_ex(d, "persist", &x))
		j->persist = json_object_get_boolean(x);
	/* absent (an older kvmprep's journal) or null: no timer to stop */
	if (json_object_object_get_ex(d, "rollback_unit", &x) && json_object_is_type(x, json_type_string)) {
		const char *u = json_object_get_string(x);

		if (strncmp(u, UNIT_PREFIX, strlen(UNIT_PREFIX)) || strlen(u) >= sizeof(j->unit) ||
		    strpbrk(u, "/ \t\n"))
			goto out;
		snprintf(j->unit, sizeof(j->unit), "%s", u);
	}
	if (!json_object_object_get_ex(d, "snapshot", &x) || !json_object_is_type(x, json_type_object))
		goto out;
	j->snap = json_object_get(x);
	r = 0;
out:
	json_object_put(d);
	return r;
}

static int journal_remove(const char *bridge)
{
	char path[128];

	jpath(path, sizeof(path), bridge);
	return kp_persist_remove(path, NULL);
}

static const char *snap_link(const struct journal *j)
{
	json_object *x;

	if (j->snap && json_object_object_get_ex(j->snap, "link", &x))
		return json_object_get_string(x);
	return "?";
}

/* Append a line to the move's log (what the detached rollback did). */
static void jlog(const char *bridge, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jlog(const char *bridge, const char *fmt, ...)
{
	char path[256], rel[128], line[512], ts[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;
	int fd, n;

	snprintf(rel, sizeof(rel), JDIR "/%s.log", bridge);
	if (kp_path(path, sizeof(path), rel) < 0)
		return;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(line, sizeof(line), "%s ", ts);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing more to do: the log is a courtesy */
	}
	close(fd);
}

/* argv (argv[0] found in PATH) with /dev/null for its stdin, stdout and
 * stderr, bounded by 30 s (then killed: ours; what it asked of systemd
 * goes on there): its exit status, or -errno (-ETIMEDOUT). */
static int run_quiet(const char *const *argv)
{
	int st, i;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 1500; i++) {
		pid_t w = waitpid(pid, &st, WNOHANG);

		if (w == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : -EIO;
		if (w < 0 && errno != EINTR)
			return -errno;
		usleep(20000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -ETIMEDOUT;
}

/* systemctl VERB UNITS... (NULL-terminated), systemd's own client of the
 * manager's D-Bus API as systemd-run is for the start (arm_timer), as
 * run_quiet runs it. */
static int systemctl(const char *verb, const char *const *units)
{
	const char *argv[8];
	int n = 0, i;

	argv[n++] = "systemctl";
	argv[n++] = "--no-ask-password";
	argv[n++] = verb;
	for (i = 0; units[i] && n < 7; i++)
		argv[n++] = units[i];
	argv[n] = NULL;
	return run_quiet(argv);
}

/* The move of j is over (confirmed, or rolled back): its transient timer
 * and service are stopped, so that a stale timer cannot fire later and a
 * next move of the same bridge gets its own (systemd refuses a transient
 * unit whose name is loaded). A failed unit is reset first (the units are
 * started with CollectMode=inactive-or-failed, so systemd unloads them once
 * stopped or failed; the reset is for one that was not). The service that
 * runs this very recover (UNIT_ENV) is not stopped: it ends with it. A unit
 * already gone is no error (systemctl stop: 5, "not loaded"). 0, or -1
 * (unless quiet, with a warning and a line in the move's log). */
static int disarm_units(const char *bridge, const char *unit, int quiet)
{
	char t[80], sv[80];
	const char *u[3], *own = getenv(UNIT_ENV);
	int n = 0, r;

	if (!unit[0])
		return 0;
	snprintf(t, sizeof(t), "%s.timer", unit);
	snprintf(sv, sizeof(sv), "%s.service", unit);
	u[n++] = t;
	if (!own || strcmp(own, unit))
		u[n++] = sv;
	u[n] = NULL;
	/* its errors do not matter: after a rollback the elapsed timer is
	 * usually gone already ("not loaded") */
	systemctl("reset-failed", u);
	r = systemctl("stop", u);
	if (r == 0 || r == 5)
		return 0;
	if (quiet)
		return -1;
	jlog(bridge, "cannot stop %s: %s", t, r < 0 ? strerror(-r) : "systemctl failed");
	kp_warn(t, "cannot stop it (%s); its recover finds nothing to roll back",
		r < 0 ? strerror(-r) : "systemctl failed");
	return -1;
}

/* Give the NIC of journal j back what it had; the journal goes, and the
 * move's timer with it. */
static int journal_restore(struct kp_nl *nl, struct journal *j)
{
	struct kp_netsnap *s;
	int r = kp_netsnap_from_json(j->snap, &s);

	if (r < 0)
		return r;
	r = kp_netsnap_restore(nl, s);
	kp_netsnap_free(s);
	if (r == 0) {
		journal_remove(j->bridge);
		disarm_units(j->bridge, j->unit, 0);
	}
	return r;
}

static int alive(long long pid)
{
	return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* For each journal of this network namespace: call fn. */
static int journal_each(int (*fn)(struct ctx *c, struct journal *j, void *arg), struct ctx *c,
			void *arg)
{
	char dir[4096];
	long long ns = netns_id();
	struct dirent *e;
	DIR *d;
	int rc = 0;

	if (kp_path(dir, sizeof(dir), JDIR) < 0 || !(d = opendir(dir)))
		return 0;
	while ((e = readdir(d))) {
		char name[IF_NAMESIZE + 8];
		struct journal j;
		size_t len = strlen(e->d_name);

		if (len < 6 || len - 5 >= IF_NAMESIZE || strcmp(e->d_name + len - 5, ".json"))
			continue;
		memcpy(name, e->d_name, len - 5);
		name[len - 5] = '\0';
		if (journal_read(name, &j) < 0)
			continue;
		if (j.netns == ns)
			rc = fn(c, &j, arg);
		journal_free(&j);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

static int recover_one(struct ctx *c, struct journal *j, void *arg)
{
	int *n = arg, r;

	if (!strcmp(j->state, "done"))
		return 0;
	/* armed, its rollback process gone and the deadline passed (a move
	 * killed before arming is the journal's: lib/journal.h) */
	if (strcmp(j->state, "armed") || alive(j->rollback_pid) || time(NULL) < j->deadline)
		return 0;
	if (c->o->dry_run) {
		printf("would: roll back the move of %s into %s (%s)\n", snap_link(j), j->bridge, j->state);
		(*n)++;
		return 0;
	}
	r = journal_restore(c->nl, j);
	if (r < 0) {
		kp_err_errno(snap_link(j), r, "cannot roll back the unfinished move into %s", j->bridge);
		return KP_EXIT_FAIL;
	}
	jlog(j->bridge, "recovered: %s given back what it had (the move was %s)", snap_link(j), j->state);
	kp_warn(snap_link(j), "the unfinished move into %s was rolled back", j->bridge);
	(*n)++;
	return 0;
}

int uplink_recover_all(struct ctx *c, int *n)
{
	*n = 0;
	return journal_each(recover_one, c, n);
}

int uplink_journaled(const char *bridge, char *uplink, size_t n)
{
	struct journal j;
	int r = journal_read(bridge, &j) == 0 && j.netns == netns_id() &&
		(!strcmp(j.state, "done") || !strcmp(j.state, "armed"));

	if (r)
		snprintf(uplink, n, "%s", snap_link(&j));
	journal_free(&j);
	return r;
}

int uplink_undo(struct ctx *c, const char *bridge)
{
	struct kp_netsnap *s = NULL;
	struct journal j;
	int r;

	if ((r = journal_read(bridge, &j)) < 0 || (r = kp_netsnap_from_json(j.snap, &s)) < 0) {
		kp_err_errno(bridge, r, "cannot read the journal of its uplink");
		journal_free(&j);
		return KP_EXIT_FAIL;
	}
	r = kp_netsnap_restore(c->nl, s);
	kp_netsnap_free(s);
	if (r < 0) {
		kp_err_errno(bridge, r, "cannot give %s back what it had", snap_link(&j));
		journal_free(&j);
		return KP_EXIT_FAIL;
	}
	if (!c->o->dry_run) {
		journal_remove(bridge);
		if (!strcmp(j.state, "armed")) /* confirmed: stopped then */
			disarm_units(bridge, j.unit, 0);
	}
	{
		json_object *x = json_object_new_object();
		char what[64];

		json_object_object_add(x, "uplink", json_object_new_string(snap_link(&j)));
		snprintf(what, sizeof(what), "%s (%s has its addresses and routes back)",
			 c->o->dry_run ? "would be deleted" : "deleted", snap_link(&j));
		journal_free(&j);
		return ctx_done(c, bridge, 1, what, x);
	}
}

/* ---- the move ---------------------------------------------------------- */

/* The address on the bridge: same everything, ifindex and label changed;
 * IPv6 without DAD (it is the host's own address, moving). */
static struct rtnl_addr *addr_for(struct rtnl_addr *a, int ifindex, const char *nic,
				  const char *bridge, int nodad)
{
	struct rtnl_addr *b = (struct rtnl_addr *)nl_object_clone((struct nl_object *)a);
	const char *label = rtnl_addr_get_label(a);

	if (!b)
		return NULL;
	rtnl_addr_set_ifindex(b, ifindex);
	if (label && rtnl_addr_get_family(a) == AF_INET) {
		char nl_[IF_NAMESIZE + 16];
		size_t n = strlen(nic);

		if (!strncmp(label, nic, n))
			snprintf(nl_, sizeof(nl_), "%s%s", bridge, label + n);
		else
			snprintf(nl_, sizeof(nl_), "%s", bridge);
		nl_[IF_NAMESIZE - 1] = '\0';
		rtnl_addr_set_label(b, nl_);
	}
	if (nodad && rtnl_addr_get_family(a) == AF_INET6)
		rtnl_addr_set_flags(b, IFA_F_NODAD);
	return b;
}

static int addr_send(struct kp_nl *nl, struct rtnl_addr *a, int flags, int del, const char *ifname)
{
	struct nl_msg *m = NULL;
	char t[96], what[160];
	int r;

	kp_netsnap_addr_text(a, t, sizeof(t));
	if (del) {
		snprintf(what, sizeof(what), "delete %s from %s", t, ifname);
		r = rtnl_addr_build_delete_request(a, 0, &m);
	} else {
		snprintf(what, sizeof(what), "%s %s %s %s%s", flags & NLM_F_REPLACE ? "set" : "add", t,
			 flags & NLM_F_REPLACE ? "flags on" : "to", ifname,
			 (rtnl_addr_get_flags(a) & IFA_F_NODAD) ? " nodad" : "");
		r = rtnl_addr_build_add_request(a, flags, &m);
	}
	if (r < 0)
		return -ENOMEM;
	return kp_nl_send(nl, m, what);
}

static int route_move(struct kp_nl *nl, struct rtnl_route *rt, int from, int to, const char *toname)
{
	struct rtnl_route *n = (struct rtnl_route *)nl_object_clone((struct nl_object *)rt);
	struct nl_msg *m = NULL;
	char t[160], what[200];
	int r;

	if (!n)
		return -ENOMEM;
	for (int i = 0; i < rtnl_route_get_nnexthops(n); i++) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(n, i);

		if (rtnl_route_nh_get_ifindex(nh) == from)
			rtnl_route_nh_set_ifindex(nh, to);
	}
	kp_netsnap_route_text(rt, t, sizeof(t));
	snprintf(what, sizeof(what), "replace route %s dev %s", t, toname);
	r = rtnl_route_build_add_request(n, NLM_F_CREATE | NLM_F_REPLACE, &m);
	rtnl_route_put(n);
	if (r < 0)
		return -ENOMEM;
	return kp_nl_send(nl, m, what);
}

static int drop_v6_prefix_routes(struct kp_nl *nl, const struct kp_linkinfo *nic)
{
	struct nl_cache *rc;
	struct nl_object *o;
	int r = kp_nl_route_cache(nl, &rc);

	if (r < 0)
		return r;
	for (o = nl_cache_get_first(rc); o && r == 0; o = nl_cache_get_next(o)) {
		struct rtnl_route *rt = (struct rtnl_route *)o;
		struct nl_addr *d = rtnl_route_get_dst(rt);
		struct nl_msg *m = NULL;
		char t[160], what[200];
		const unsigned char *b;

		if (rtnl_route_get_family(rt) != AF_INET6 || rtnl_route_get_protocol(rt) != RTPROT_KERNEL ||
		    rtnl_route_get_table(rt) != RT_TABLE_MAIN || !d || nl_addr_get_prefixlen(d) == 0 ||
		    rtnl_route_get_nnexthops(rt) != 1 ||
		    rtnl_route_nh_get_ifindex(rtnl_route_nexthop_n(rt, 0)) != nic->ifindex)
			continue;
		b = nl_addr_get_binary_addr(d);
		if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
			continue; /* the link-local prefix stays with the link-local address */
		kp_netsnap_route_text(rt, t, sizeof(t));
		snprintf(what, sizeof(what), "delete route %s dev %s", t, nic->name);
		if (rtnl_route_build_del_request(rt, 0, &m) < 0)
			r = -ENOMEM;
		else
			r = kp_nl_send(nl, m, what);
	}
	nl_cache_free(rc);
	return r;
}

/* Checks before anything: 0 or exit status (error printed). */
static int move_checks(struct ctx *c, const char *bridge, const struct kp_linkinfo *nic,
		       struct kp_netsnap *s, int *already)
{
	struct kp_linkinfo br;
	struct journal j;
	char action[64];
	int rc;

	*already = 0;
	snprintf(action, sizeof(action), "move into %s", bridge);
	if (!strcmp(nic->name, bridge)) {
		kp_err(nic->name, "cannot %s: a bridge cannot be its own port", action);
		return KP_EXIT_FAIL;
	}
	if ((nic->flags & IFF_LOOPBACK) || !nic->has_mac || !strcmp(nic->kind, "bridge") ||
	    !strcmp(nic->kind, "macvtap") || !strcmp(nic->kind, "macvlan")) {
		kp_err(nic->name, "cannot %s: a %s link cannot be a bridge port", action,
		       (nic->flags & IFF_LOOPBACK) ? "loopback" : nic->kind[0] ? nic->kind : "non-Ethernet");
		return KP_EXIT_FAIL;
	}
	if (kp_nl_link(c->nl, bridge, &br) == 0) {
		if (nic->master == br.ifindex && journal_read(bridge, &j) == 0) {
			*already = !strcmp(snap_link(&j), nic->name) && strcmp(j.state, "moving");
			journal_free(&j);
			if (*already)
				return 0;
		}
		kp_err(bridge, "cannot create bridge for uplink %s: a link of that name exists "
			       "(--uplink makes a new bridge)", nic->name);
		return KP_EXIT_FAIL;
	}
	if (nic->master) {
		kp_err(nic->name, "cannot %s: it is a port of another link already", action);
		return KP_EXIT_FAIL;
	}
	/* a DHCP lease is the client's on the NIC: only its manager can move it */
	for (size_t i = 0; i < kp_netsnap_naddrs(s); i++) {
		struct rtnl_addr *a = kp_netsnap_addr(s, i);

		if (rtnl_addr_get_family(a) == AF_INET && !(rtnl_addr_get_flags(a) & IFA_F_PERMANENT)) {
			char t[64];

			kp_netsnap_addr_text(a, t, sizeof(t));
			kp_err(nic->name, "cannot %s: %s is a lease (DHCP); its DHCP client must move it "
					  "(configure the bridge in the host's network manager)", action, t);
			return KP_EXIT_FAIL;
		}
	}
	if ((rc = owner_refuse(nic->name, bridge, s, c->o->force)))
		return rc;
	return 0;
}

static int do_move(struct ctx *c, const char *bridge, struct kp_netsnap *s,
		   const struct kp_bridge_opts *bo, int *bridx, char *failed_step, size_t fsn)
{
	const struct kp_linkinfo *nic = kp_netsnap_link(s);
	struct kp_bridge_opts o = *bo;
	struct kp_linkinfo br;
	size_t na = kp_netsnap_naddrs(s), nr = kp_netsnap_nroutes(s);
	int r, dry = c->o->dry_run;

#define STEP(desc, expr)                                                        \
	do {                                                                    \
		if (kp_journal_signal())                                        \
			r = -EINTR; /* SSH went away, Ctrl-C: stop, roll back */ \
		else                                                            \
			r = (expr);                                             \
		if (r < 0) {                                                    \
			snprintf(failed_step, fsn, "%s", desc);                 \
			return r;                                               \
		}                                                               \
	} while (0)

	if (o.stp < 0)
		o.stp = 0;
	if (o.forward_delay < 0)
		o.forward_delay = 0;
	if (!o.mtu)
		o.mtu = nic->mtu;
	if (!o.mac)
		o.mac = nic->mac;
	/* 1. the bridge, down, with the NIC's MAC and MTU, forwarding at once
	 * (the journal's "link" step, recorded first, deletes it on undo) */
	o.mtu = 0; /* set after creation, so that the kernel keeps it */
	STEP("create the bridge", kp_nl_bridge_set(c->nl, 0, bridge, &o));
	if (!dry) {
		STEP("read the bridge", kp_nl_link(c->nl, bridge, &br));
		*bridx = br.ifindex;
		kp_netsnap_set_bridge_created(s, br.ifindex);
	} else {
		br.ifindex = 0;
	}
	STEP("set the bridge's MTU", kp_nl_link_set_mtu(c->nl, br.ifindex, bridge,
						       bo->mtu ? bo->mtu : nic->mtu));
	if (nic->promote_secondaries > 0)
		STEP("set promote_secondaries on the bridge",
		     kp_nl_inet_set_conf(c->nl, br.ifindex, bridge, IPV4_DEVCONF_PROMOTE_SECONDARIES, 1));
	STEP("set the bridge up", kp_nl_link_set_up(c->nl, br.ifindex, bridge, 1));
	/* 2. the addresses on the bridge too (the NIC keeps answering) */
	for (size_t i = 0; i < na; i++) {
		struct rtnl_addr *b = addr_for(kp_netsnap_addr(s, i), br.ifindex, nic->name, bridge, 1);

		if (!b)
			return -ENOMEM;
		r = addr_send(c->nl, b, NLM_F_CREATE | NLM_F_EXCL, 0, bridge);
		rtnl_addr_put(b);
		STEP("add an address to the bridge", r);
	}
	/* 3. no IPv6 autoconfiguration on the port (its RAs are the bridge's now) */
	if (nic->accept_ra > 0)
		STEP("stop accept_ra on the port", kp_nl_ipv6_sysctl(c->nl, nic->name, "accept_ra", 0));
	if (nic->autoconf > 0)
		STEP("stop autoconf on the port", kp_nl_ipv6_sysctl(c->nl, nic->name, "autoconf", 0));
	/* 4. the NIC joins: frames for the host's MAC now reach the bridge */
	STEP("make the uplink a port",
	     kp_nl_link_set_master(c->nl, nic->ifindex, nic->name, br.ifindex, bridge));
	/* 5. every route through the NIC now through the bridge */
	for (size_t i = 0; i < nr; i++)
		STEP("replace a route", route_move(c->nl, kp_netsnap_route(s, i), nic->ifindex,
						   br.ifindex, bridge));
	/* 6. the port loses its addresses: secondaries first, and promoted
	 * rather than deleted with their primary */
	if (nic->promote_secondaries == 0 && na > 1)
		STEP("set promote_secondaries on the port",
		     kp_nl_inet_set_conf(c->nl, nic->ifindex, nic->name, IPV4_DEVCONF_PROMOTE_SECONDARIES, 1));
	for (size_t i = na; i-- > 0;)
		STEP("delete an address from the port",
		     addr_send(c->nl, kp_netsnap_addr(s, i), 0, 1, nic->name));
	/* the kernel leaves the prefix route of an IPv6 address with a lifetime
	 * (it treats it as autoconfigured); the bridge has its own now */
	if (!dry)
		STEP("delete an IPv6 prefix route from the port", drop_v6_prefix_routes(c->nl, nic));
	/* 7. the bridge's IPv6 addresses get their own flags back (DAD was
	 * skipped for the move, not for later) */
	for (size_t i = 0; i < na; i++) {
		struct rtnl_addr *a = kp_netsnap_addr(s, i), *b;

		if (rtnl_addr_get_family(a) != AF_INET6 || (rtnl_addr_get_flags(a) & IFA_F_NODAD))
			continue;
		b = addr_for(a, br.ifindex, nic->name, bridge, 0);
		if (!b)
			return -ENOMEM;
		r = addr_send(c->nl, b, NLM_F_REPLACE, 0, bridge);
		rtnl_addr_put(b);
		STEP("set the flags of an address on the bridge", r);
	}
	if (nic->promote_secondaries == 0 && na > 1)
		STEP("set promote_secondaries on the port back",
		     kp_nl_inet_set_conf(c->nl, nic->ifindex, nic->name, IPV4_DEVCONF_PROMOTE_SECONDARIES, 0));
#undef STEP
	return 0;
}

/* The default gateway answers on the bridge (neighbour resolution). 0,
 * 1 when there is no gateway to ask, or -errno / -EHOSTUNREACH. */
static int gateway_check(struct ctx *c, struct kp_netsnap *s, int bridx, const char *bridge,
			 char *gw, size_t gwn)
{
	for (int fam = 0; fam < 2; fam++) {
		for (size_t i = 0; i < kp_netsnap_nroutes(s); i++) {
			struct rtnl_route *rt = kp_netsnap_route(s, i);
			struct nl_addr *dst = rtnl_route_get_dst(rt), *g;
			struct rtnl_nexthop *nh;

			if (rtnl_route_get_family(rt) != (fam ? AF_INET6 : AF_INET) ||
			    rtnl_route_get_table(rt) != RT_TABLE_MAIN ||
			    (dst && nl_addr_get_prefixlen(dst) > 0) || rtnl_route_get_nnexthops(rt) < 1)
				continue;
			nh = rtnl_route_nexthop_n(rt, 0);
			g = rtnl_route_nh_get_gateway(nh);
			if (!g)
				continue;
			nl_addr2str(g, gw, gwn);
			return kp_nl_neigh_resolve(c->nl, bridx, bridge, nl_addr_get_family(g),
						   nl_addr_get_binary_addr(g), 3000);
		}
	}
	return 1;
}

/* The detached rollback: a session-less grandchild that survives the SSH
 * connection and the tool. It gives the NIC back unless the journal's state
 * left "armed" (confirm) before the deadline. */
static void rollback_process(const char *bridge, long long deadline)
{
	struct journal j;
	struct kp_nl *nl;
	int lock, r;

	for (;;) {
		if (journal_read(bridge, &j) < 0)
			_exit(0);
		/* the pid is written by the parent just after the fork */
		if (strcmp(j.state, "armed") || (j.rollback_pid && j.rollback_pid != getpid())) {
			journal_free(&j);
			_exit(0);
		}
		journal_free(&j);
		if (time(NULL) >= deadline)
			break;
		usleep(200000);
	}
	while ((lock = kp_lock_take()) < 0)
		sleep(1); /* another call holds it (bounded waits): the rollback must come */
	if (journal_read(bridge, &j) < 0)
		_exit(0);
	if (strcmp(j.state, "armed")) {
		journal_free(&j);
		_exit(0);
	}
	r = kp_nl_new(&nl);
	if (r == 0)
		r = journal_restore(nl, &j);
	if (r < 0)
		jlog(bridge, "rollback after the confirm timeout FAILED: %s", strerror(-r));
	else
		jlog(bridge, "not confirmed in time: %s given back what it had, %s deleted",
		     snap_link(&j), bridge);
	kp_nl_free(nl);
	journal_free(&j);
	kp_lock_release(lock);
	_exit(r < 0 ? 1 : 0);
}

/* The name of the move's transient units (UNIT_PREFIX BRIDGE), where
 * systemd runs (/run/systemd/system exists: sd_booted()'s test): 0, or
 * -errno (no timer: the double fork alone is the rollback). */
static int timer_unit(const char *bridge, char *unit, size_t un)
{
	unit[0] = '\0';
	if (!kp_exists("/run/systemd/system"))
		return -ENOSYS;
	for (const char *p = bridge; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			return -EINVAL; /* not a unit name as it is: the fork does it */
	snprintf(unit, un, UNIT_PREFIX "%s", bridge);
	return 0;
}

/* 0 when systemd-run made the units, -EIO when it refused, -errno */
static int run_systemd_run(const char *const *argv)
{
	int r = run_quiet(argv);

	return r > 0 ? -EIO : r;
}

/* A transient timer UNIT runs `kvmprep-bridge recover` at the deadline: it
 * outlives the SSH session's scope, which logind may stop at logout with
 * every process in it (KillUserProcesses=yes), a double fork included.
 * Refused (e.g. a unit of that name still loaded: an earlier move's whose
 * stop failed, or made by hand), the units of that name are stopped and it
 * is asked once more: no move of this bridge is pending (this one holds the
 * lock and has just been journaled), so they belong to none.
 * 0, or -errno (then the double fork is the rollback). */
static int arm_timer(const char *bridge, int timeout, const char *unit)
{
	char self[PATH_MAX], on[32], desc[128], env[PATH_MAX + 32], uenv[96];
	const char *argv[20];
	int n = 0, r;
	ssize_t l;

	l = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (l <= 0)
		return -ENOENT;
	self[l] = '\0';
	snprintf(on, sizeof(on), "--on-active=%ds", timeout);
	snprintf(desc, sizeof(desc), "--description=kvmprep-bridge: roll back %s unless confirmed",
		 bridge);
	argv[n++] = "systemd-run";
	argv[n++] = "--quiet";
	argv[n++] = "--collect";
	argv[n++] = "--unit";
	argv[n++] = unit;
	argv[n++] = on;
	argv[n++] = "--timer-property=AccuracySec=100ms";
	argv[n++] = desc;
	if (kp_root()[0]) {
		snprintf(env, sizeof(env), "--setenv=KVMPREP_ROOT=%s", kp_root());
		argv[n++] = env;
	}
	/* the service knows itself: its recover does not stop it (disarm_units) */
	snprintf(uenv, sizeof(uenv), "--setenv=" UNIT_ENV "=%s", unit);
	argv[n++] = uenv;
	argv[n++] = self;
	argv[n++] = "-q";
	/* the rollback must come: another run's lock is waited out */
	argv[n++] = "--wait";
	argv[n++] = "3600";
	argv[n++] = "recover";
	argv[n] = NULL;
	r = run_systemd_run(argv);
	if (r < 0 && disarm_units(bridge, unit, 1) == 0)
		r = run_systemd_run(argv);
	return r;
}

/* Fork the rollback; its pid, or -errno. */
static long long arm(const char *bridge, long long deadline)
{
	int p[2];
	pid_t child;
	long long pid = -1;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	child = fork();
	if (child < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (child == 0) {
		pid_t gc;
		int fd;

		close(p[0]);
		setsid(); /* no controlling terminal: a hang-up is not ours */
		signal(SIGHUP, SIG_IGN);
		gc = fork();
		if (gc != 0) {
			long long v = gc;

			if (write(p[1], &v, sizeof(v)) != (ssize_t)sizeof(v))
				_exit(1);
			_exit(0);
		}
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		if (chdir("/") < 0)
			_exit(1);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* the lock, the netlink socket, the pipe: none of them is ours */
		close_range(3, ~0U, 0);
		rollback_process(bridge, deadline);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &pid, sizeof(pid)) != (ssize_t)sizeof(pid))
		pid = -EIO;
	close(p[0]);
	waitpid(child, NULL, 0);
	return pid;
}

int uplink_move(struct ctx *c, const char *bridge, const struct kp_linkinfo *nic,
		const struct kp_bridge_opts *bo)
{
	struct kp_netsnap *s = NULL;
	struct journal j = { 0 };
	char step[96] = "", gw[64] = "", what[160];
	int r, already, bridx = 0, rc;
	json_object *x;

	r = kp_netsnap_take(c->nl, nic->name, bridge, &s);
	if (r < 0) {
		kp_err_errno(nic->name, r, "cannot read its addresses and routes");
		return KP_EXIT_HOST;
	}
	if ((rc = move_checks(c, bridge, nic, s, &already))) {
		kp_netsnap_free(s);
		return rc;
	}
	if (already) {
		kp_netsnap_free(s);
		x = json_object_new_object();
		json_object_object_add(x, "uplink", json_object_new_string(nic->name));
		snprintf(what, sizeof(what), "created with uplink %s", nic->name);
		return ctx_done(c, bridge, 0, what, x);
	}
	/* in the journal (lib/journal.h) before the first change: a kill from
	 * here on is rolled back by the next run or `recover` */
	snprintf(j.bridge, sizeof(j.bridge), "%s", bridge);
	j.netns = netns_id();
	j.pid = getpid();
	j.persist = c->o->persist;
	if (!c->o->dry_run) {
		char ns[32];
		const char *kv[7];
		json_object *sj = kp_netsnap_json(s);

		snprintf(ns, sizeof(ns), "%lld", j.netns);
		kv[0] = "link", kv[1] = nic->name;
		kv[2] = "snapshot", kv[3] = json_object_to_json_string_ext(sj, JSON_C_TO_STRING_PLAIN);
		kv[4] = "netns", kv[5] = ns, kv[6] = NULL;
		r = kp_journal_add("link-snapshot", kv, NULL);
		json_object_put(sj);
		if (r < 0) {
			kp_err_errno(KP_JOURNAL_FILE, r, "cannot record the snapshot of %s", nic->name);
			kp_netsnap_free(s);
			return KP_EXIT_FAIL;
		}
	}
	r = do_move(c, bridge, s, bo, &bridx, step, sizeof(step));
	if (r == 0 && !c->o->dry_run && !c->o->no_confirm) {
		r = gateway_check(c, s, bridx, bridge, gw, sizeof(gw));
		if (r < 0)
			snprintf(step, sizeof(step), "reach the gateway %s from %s", gw, bridge);
	}
	if (r < 0) {
		int u;

		kp_err_errno(nic->name, r, "cannot move into %s: %s", bridge, step);
		if (!c->o->dry_run) {
			/* the NIC first, in the order that keeps the host reachable;
			 * then the journal's rollback (ctx_close) checks the rest */
			u = kp_netsnap_restore(c->nl, s);
			if (u < 0)
				kp_err_errno(nic->name, u, "cannot roll back completely; the journal "
							   "stays for 'kvmprep-bridge recover'");
		}
		if (r == -EINTR && kp_journal_signal()) {
			journal_free(&j);
			kp_netsnap_free(s);
			return 128 + kp_journal_signal();
		}
		journal_free(&j);
		kp_netsnap_free(s);
		return KP_EXIT_FAIL;
	}
	x = json_object_new_object();
	json_object_object_add(x, "uplink", json_object_new_string(nic->name));
	json_object_object_add(x, "addresses", json_object_new_int((int)kp_netsnap_naddrs(s)));
	json_object_object_add(x, "routes", json_object_new_int((int)kp_netsnap_nroutes(s)));
	json_object_object_add(x, "gateway", gw[0] ? json_object_new_string(gw) : NULL);
	if (c->o->dry_run) {
		kp_netsnap_free(s);
		snprintf(what, sizeof(what), "would be created with uplink %s", nic->name);
		return ctx_done(c, bridge, 1, what, x);
	}
	json_object_put(j.snap);
	j.snap = kp_netsnap_json(s);
	kp_netsnap_free(s);
	if (c->o->no_confirm) {
		snprintf(j.state, sizeof(j.state), "done");
		journal_write(&j);
		journal_free(&j);
		json_object_object_add(x, "confirm_deadline", NULL);
		snprintf(what, sizeof(what), "created with uplink %s", nic->name);
		return ctx_done(c, bridge, 1, what, x);
	}
	snprintf(j.state, sizeof(j.state), "armed");
	j.deadline = (long long)time(NULL) + c->o->confirm_timeout;
	j.rollback_pid = 0;
	/* the timer (where systemd runs) and the detached process (always):
	 * whichever comes first rolls back, the other finds nothing to do. The
	 * timer's name is journaled before it is asked for: confirm and every
	 * rollback stop it, a killed run's too. */
	timer_unit(bridge, j.unit, sizeof(j.unit));
	journal_write(&j);
	if (j.unit[0] && arm_timer(bridge, c->o->confirm_timeout, j.unit) < 0)
		j.unit[0] = '\0';
	json_object_object_add(x, "rollback_timer", j.unit[0] ? json_object_new_string(j.unit) : NULL);
	j.rollback_pid = arm(bridge, j.deadline);
	if (j.rollback_pid <= 0) {
		kp_err_errno(bridge, (int)j.rollback_pid, "cannot start the rollback process; rolling back");
		journal_restore(c->nl, &j);
		journal_free(&j);
		json_object_put(x);
		return KP_EXIT_FAIL;
	}
	journal_write(&j); /* the child polls: it goes on only once its pid is there */
	json_object_object_add(x, "confirm_deadline", json_object_new_int64(j.deadline));
	json_object_object_add(x, "rollback_pid", json_object_new_int64(j.rollback_pid));
	journal_free(&j);
	snprintf(what, sizeof(what), "created with uplink %s", nic->name);
	rc = ctx_done(c, bridge, 1, what, x);
	if (!c->o->json && !c->o->quiet)
		printf("rollback in %d s unless '%s confirm' is run (from a new connection, to prove "
		       "it works)\n", c->o->confirm_timeout, TOOL);
	return rc;
}

/* ---- confirm, recover ----------------------------------------------------- */

static int confirm_one(struct ctx *c, struct journal *j, void *arg)
{
	int *n = arg, r;

	if (strcmp(j->state, "armed"))
		return 0;
	snprintf(j->state, sizeof(j->state), "done");
	if ((r = journal_write(j)) < 0) {
		kp_err_errno(j->bridge, r, "cannot confirm");
		return KP_EXIT_FAIL;
	}
	jlog(j->bridge, "confirmed: %s stays in %s", snap_link(j), j->bridge);
	/* its rollback is over: the timer goes (the detached process sees
	 * the state and ends by itself) */
	disarm_units(j->bridge, j->unit, 0);
	if (!c->o->quiet && !c->o->json)
		printf("%s: confirmed (%s stays in it)\n", j->bridge, snap_link(j));
	(*n)++;
	return 0;
}

int cmd_confirm(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc, n = 0;

	if (argc)
		return kp_usage_err("confirm takes no arguments");
	if ((rc = ctx_open(&c, o, "confirm")))
		return rc;
	rc = journal_each(confirm_one, &c, &n);
	if (!rc && n == 0) {
		kp_err(NULL, "nothing to confirm: no uplink move is waiting (rolled back already?)");
		rc = KP_EXIT_FAIL;
	}
	if (!rc && o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("confirm"));
		json_object_object_add(doc, "changed", json_object_new_boolean(1));
		json_object_object_add(doc, "confirmed", json_object_new_int(n));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	}
	ctx_close(&c);
	return rc;
}

int cmd_recover(struct opts *o, int argc, char **argv)
{
	struct ctx c;
	int rc, n = 0;

	if (argc)
		return kp_usage_err("recover takes no arguments");
	if ((rc = ctx_open(&c, o, "recover")))
		return rc;
	rc = uplink_recover_all(&c, &n);
	n += c.recovered;
	if (!rc) {
		c.ok = 1;
		if (o->json) {
			json_object *doc = kp_json_doc(TOOL);

			json_object_object_add(doc, "command", json_object_new_string("recover"));
			json_object_object_add(doc, "changed", json_object_new_boolean(n > 0));
			json_object_object_add(doc, "recovered", json_object_new_int(n));
			json_object_object_add(doc, "steps", json_object_get(c.steps));
			kp_json_print(doc, stdout);
			json_object_put(doc);
		} else if (!o->quiet) {
			printf(n ? "recovered: %d\n" : "nothing to recover\n", n);
		}
	}
	ctx_close(&c);
	return rc;
}
