/* SPDX-License-Identifier: MIT */
/*
 * Does this host's firewall let a migration in? The ruleset is the running
 * kernel's (this network namespace's), read through libnftables as JSON and
 * judged here for one question: a new TCP connection from another host, not
 * on the loopback, to a given port. libvirt's migration data goes to
 * 49152-49215/tcp (qemu.conf migration_port_min/max), its connection to
 * libvirtd (16509/tcp, 16514/tcp with TLS) or over ssh (22/tcp).
 *
 * The judgement follows netfilter's order: at each hook (netdev ingress,
 * prerouting, input) every base chain runs by priority, and the packet must
 * pass all of them; in a chain the rules run in order, jump and goto enter
 * other chains, the policy ends a base chain. A match this question cannot
 * decide (the source address, an interface other than lo, a mark, a rate
 * limit, an xtables match) makes the answer "depends", naming the rule.
 * kvmprep reads only nftables: when legacy iptables tables are loaded the
 * answer is "not read", never a guess.
 *
 * libnftables is opened with dlopen(3) the first time a host object is made
 * (--json, --migrate -), so the plain checks neither map it nor its
 * dependencies.
 */
#include "validate.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <json-c/json.h>
#include <nftables/libnftables.h>

#include "root.h"

#define NFT_SONAME "libnftables.so.1"

enum { OUT_ACCEPT = 1, OUT_DROP = 2, OUT_RETURN = 4 };
enum tri { NO = 0, YES = 1, MAYBE = 2 };

struct fwq {
	json_object *items;  /* the "nftables" array */
	const char *family;  /* family of the chain being run */
	const char *table;
	int ipv6;            /* the packet's protocol (ip: 0, ip6: 1) */
	int port;
	/* the first rule (or policy) that drops, and the first that makes it depend */
	char drop_at[160], maybe_at[160];
};

static json_object *jget(json_object *o, const char *k)
{
	json_object *v;

	return o && json_object_object_get_ex(o, k, &v) ? v : NULL;
}

static const char *jstr(json_object *o, const char *k)
{
	json_object *v = jget(o, k);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static int is_(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* A family's chains see this packet: ip and inet for IPv4, ip6 and inet for
 * IPv6, netdev (ingress) for both. arp and bridge do not. */
static int family_sees(const char *fam, int ipv6)
{
	return is_(fam, "inet") || is_(fam, "netdev") || is_(fam, ipv6 ? "ip6" : "ip");
}

/* ---- values --------------------------------------------------------- */

/* The set or chain NAME of the table being run (KIND "set" or "chain"). */
static json_object *find_item(struct fwq *q, const char *kind, const char *name)
{
	size_t i, n = json_object_array_length(q->items);

	for (i = 0; i < n; i++) {
		json_object *o = jget(json_object_array_get_idx(q->items, i), kind);

		if (o && is_(jstr(o, "family"), q->family) && is_(jstr(o, "table"), q->table) &&
		    is_(jstr(o, "name"), name))
			return o;
	}
	return NULL;
}

/* A named set's elements (an empty set has none: NULL is "no such set"). */
static json_object *named_set(struct fwq *q, const char *name)
{
	static json_object *none;
	json_object *s = find_item(q, "set", name);

	if (!s)
		return NULL;
	if (jget(s, "elem"))
		return jget(s, "elem");
	if (!none)
		none = json_object_new_array();
	return none;
}

/* Does the port value V (a number, a range, a set, an element list, a
 * named set) contain P? MAYBE when V is something else. */
static enum tri port_in(struct fwq *q, json_object *v, int p)
{
	json_object *r;

	if (!v)
		return MAYBE;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int(v) == p ? YES : NO;
	if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (s[0] == '@') {
			json_object *elem = named_set(q, s + 1);

			return elem ? port_in(q, elem, p) : MAYBE;
		}
		return MAYBE; /* a service name or a symbol: not worth a guess */
	}
	if ((r = jget(v, "range")) && json_object_array_length(r) == 2) {
		json_object *lo = json_object_array_get_idx(r, 0), *hi = json_object_array_get_idx(r, 1);

		if (!json_object_is_type(lo, json_type_int) || !json_object_is_type(hi, json_type_int))
			return MAYBE;
		return p >= json_object_get_int(lo) && p <= json_object_get_int(hi) ? YES : NO;
	}
	if ((r = jget(v, "set")))
		return port_in(q, r, p);
	if ((r = jget(v, "elem")) && jget(r, "val"))
		return port_in(q, jget(r, "val"), p);
	if (json_object_is_type(v, json_type_array)) {
		enum tri res = NO;
		size_t i;

		for (i = 0; i < json_object_array_length(v); i++) {
			enum tri t = port_in(q, json_object_array_get_idx(v, i), p);

			if (t == YES)
				return YES;
			if (t == MAYBE)
				res = MAYBE;
		}
		return res;
	}
	return MAYBE;
}

/* Does the string value V (a word or a list of words) name W? */
static enum tri word_in(json_object *v, const char *w)
{
	size_t i;

	if (v && json_object_is_type(v, json_type_string))
		return is_(json_object_get_string(v), w) ? YES : NO;
	if ((v && jget(v, "set")))
		v = jget(v, "set");
	if (!v || !json_object_is_type(v, json_type_array))
		return MAYBE;
	for (i = 0; i < json_object_array_length(v); i++) {
		json_object *e = json_object_array_get_idx(v, i);

		if (!json_object_is_type(e, json_type_string))
			return MAYBE;
		if (is_(json_object_get_string(e), w))
			return YES;
	}
	return NO;
}

static enum tri apply_op(const char *op, enum tri in)
{
	if (in == MAYBE)
		return MAYBE;
	if (!op || is_(op, "==") || is_(op, "in"))
		return in;
	if (is_(op, "!="))
		return in == YES ? NO : YES;
	return MAYBE; /* <, >, & … on a port: rare enough to say "depends" */
}

/* ---- one match ------------------------------------------------------ */

static const char *const other_l4[] = { "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "ah", "esp", "comp", NULL };

static int is_other_l4(const char *proto)
{
	size_t i;

	for (i = 0; other_l4[i]; i++)
		if (is_(proto, other_l4[i]))
			return 1;
	return 0;
}

/* The packet: a new TCP connection to q->port from another host, arriving
 * on some interface that is not lo. */
static enum tri eval_match(struct fwq *q, json_object *m)
{
	const char *op = jstr(m, "op");
	json_object *l = jget(m, "left"), *r = jget(m, "right"), *x;

	if ((x = jget(l, "payload"))) {
		const char *proto = jstr(x, "protocol"), *field = jstr(x, "field");

		if ((is_(proto, "tcp") || is_(proto, "th")) && is_(field, "dport"))
			return apply_op(op, port_in(q, r, q->port));
		if (is_other_l4(proto))
			return NO; /* it carries the protocol's dependency: not TCP */
		if ((is_(proto, "ip") && is_(field, "protocol")) || (is_(proto, "ip6") && is_(field, "nexthdr")))
			return apply_op(op, json_object_is_type(r, json_type_int) ?
							 (json_object_get_int(r) == 6 ? YES : NO) :
							 word_in(r, "tcp"));
		if (is_(proto, "ip"))
			return q->ipv6 ? NO : MAYBE; /* an IPv4 header field (an address…) */
		if (is_(proto, "ip6"))
			return q->ipv6 ? MAYBE : NO;
		return MAYBE;
	}
	if ((x = jget(l, "meta"))) {
		const char *key = jstr(x, "key");

		if (is_(key, "l4proto"))
			return apply_op(op, json_object_is_type(r, json_type_int) ?
							 (json_object_get_int(r) == 6 ? YES : NO) :
							 word_in(r, "tcp"));
		if (is_(key, "nfproto"))
			return apply_op(op, word_in(r, q->ipv6 ? "ipv6" : "ipv4"));
		if (is_(key, "iif") || is_(key, "iifname")) {
			/* from another host, never on lo; any other name depends */
			enum tri lo = word_in(r, "lo");

			if (lo == YES && json_object_is_type(r, json_type_string))
				return apply_op(op, NO);
			return MAYBE;
		}
		if (is_(key, "iiftype"))
			return apply_op(op, word_in(r, "loopback")) == YES ? NO : MAYBE;
		return MAYBE;
	}
	if ((x = jget(l, "ct")) && is_(jstr(x, "key"), "state"))
		return apply_op(op, word_in(r, "new"));
	return MAYBE;
}

/* ---- chains ----------------------------------------------------------- */

static void where(struct fwq *q, char *buf, size_t n, const char *chain, json_object *rule)
{
	if (buf[0])
		return;
	if (rule)
		snprintf(buf, n, "rule %d of chain %s in table %s %s",
			 json_object_get_int(jget(rule, "handle")), chain, q->family, q->table);
	else
		snprintf(buf, n, "the drop policy of chain %s in table %s %s", chain, q->family, q->table);
}

static unsigned run_chain(struct fwq *q, const char *chain, int depth);

/* The outcomes (OUT_*) of verdict V taken by rule RULE of CHAIN. */
static unsigned verdict(struct fwq *q, json_object *v, const char *chain, json_object *rule, int depth,
			int *ends)
{
	json_object *t;

	*ends = 1;
	if (json_object_object_get_ex(v, "accept", NULL))
		return OUT_ACCEPT;
	if (json_object_object_get_ex(v, "drop", NULL) || json_object_object_get_ex(v, "reject", NULL)) {
		where(q, q->drop_at, sizeof(q->drop_at), chain, rule);
		return OUT_DROP;
	}
	if (json_object_object_get_ex(v, "return", NULL))
		return OUT_RETURN;
	if ((t = jget(v, "jump")) || (t = jget(v, "goto"))) {
		int is_goto = json_object_object_get_ex(v, "goto", NULL);
		unsigned sub = run_chain(q, jstr(t, "target"), depth + 1);

		if (is_goto)
			return sub; /* its return is this chain's return */
		*ends = !(sub & OUT_RETURN);
		return sub & ~OUT_RETURN;
	}
	*ends = 0;
	return 0; /* continue, or a statement that is not a verdict */
}

/* Is the statement S a verdict (or a verdict map), a match, or neither? */
static int is_verdict(json_object *s)
{
	static const char *const v[] = { "accept", "drop", "reject", "return", "jump", "goto", "queue", NULL };
	size_t i;

	for (i = 0; v[i]; i++)
		if (json_object_object_get_ex(s, v[i], NULL))
			return 1;
	return 0;
}

/* A verdict map: `tcp dport vmap { 22 : accept }`, `ct state vmap { … }`. */
static unsigned vmap(struct fwq *q, json_object *m, const char *chain, json_object *rule, int depth,
		     int *ends, int *maybe)
{
	json_object *key = jget(m, "key"), *data = jget(m, "data"), *elems;
	size_t i;

	*ends = 0;
	elems = jget(data, "set");
	if (!elems && json_object_is_type(data, json_type_string) && json_object_get_string(data)[0] == '@')
		elems = named_set(q, json_object_get_string(data) + 1);
	if (!elems || !json_object_is_type(elems, json_type_array)) {
		*maybe = 1;
		return 0;
	}
	for (i = 0; i < json_object_array_length(elems); i++) {
		json_object *pair = json_object_array_get_idx(elems, i), *m2;
		enum tri t;

		if (!json_object_is_type(pair, json_type_array) || json_object_array_length(pair) != 2)
			continue;
		/* the element as a match: key == element */
		m2 = json_object_new_object();
		json_object_object_add(m2, "op", json_object_new_string("=="));
		json_object_object_add(m2, "left", json_object_get(key));
		json_object_object_add(m2, "right", json_object_get(json_object_array_get_idx(pair, 0)));
		t = eval_match(q, m2);
		json_object_put(m2);
		if (t == NO)
			continue;
		if (t == MAYBE) {
			*maybe = 1;
			continue;
		}
		return verdict(q, json_object_array_get_idx(pair, 1), chain, rule, depth, ends);
	}
	return 0; /* no element matched: the rule does nothing */
}

static unsigned run_chain(struct fwq *q, const char *chain, int depth)
{
	size_t i, n = json_object_array_length(q->items);
	unsigned out = 0;
	json_object *c = find_item(q, "chain", chain);

	if (!c || depth > 16) {
		snprintf(q->maybe_at, sizeof(q->maybe_at), "chain %s in table %s %s (%s)", chain ? chain : "?",
			 q->family, q->table, c ? "jumps nested too deep" : "not found");
		return OUT_ACCEPT | OUT_DROP | OUT_RETURN;
	}
	for (i = 0; i < n; i++) {
		json_object *rule = jget(json_object_array_get_idx(q->items, i), "rule"), *ex;
		enum tri cond = YES;
		unsigned o = 0;
		int ends = 0, maybe = 0;
		size_t k;

		if (!rule || !is_(jstr(rule, "family"), q->family) || !is_(jstr(rule, "table"), q->table) ||
		    !is_(jstr(rule, "chain"), chain))
			continue;
		ex = jget(rule, "expr");
		for (k = 0; ex && k < json_object_array_length(ex) && cond != NO; k++) {
			json_object *s = json_object_array_get_idx(ex, k), *m;

			if ((m = jget(s, "match"))) {
				enum tri t = eval_match(q, m);

				if (t == NO)
					cond = NO;
				else if (t == MAYBE)
					cond = MAYBE;
			} else if ((m = jget(s, "vmap"))) {
				o = vmap(q, m, chain, rule, depth, &ends, &maybe);
				if (maybe)
					cond = MAYBE;
				break;
			} else if (is_verdict(s)) {
				if (json_object_object_get_ex(s, "queue", NULL)) {
					o = OUT_ACCEPT | OUT_DROP;
					ends = 1;
					cond = MAYBE;
				} else {
					o = verdict(q, s, chain, rule, depth, &ends);
				}
				break;
			} else if (jget(s, "limit") || jget(s, "quota") || jget(s, "xt") || jget(s, "meter") ||
				   jget(s, "numgen") || jget(s, "synproxy")) {
				cond = MAYBE; /* decides per packet or by state we do not see */
			}
			/* counter, log, mangle, notrack, set updates…: no effect on the verdict */
		}
		if (cond == NO || (!o && !ends))
			continue;
		if (cond == MAYBE) {
			where(q, q->maybe_at, sizeof(q->maybe_at), chain, rule);
			out |= o; /* some packets end here, the others go on */
			continue;
		}
		out |= o;
		if (ends)
			return out;
	}
	if (jstr(c, "hook")) {
		if (is_(jstr(c, "policy"), "drop")) {
			where(q, q->drop_at, sizeof(q->drop_at), chain, NULL);
			return out | OUT_DROP;
		}
		return out | OUT_ACCEPT;
	}
	return out | OUT_RETURN;
}

struct basechain {
	const char *family, *table, *name;
	int hook, prio;
};

static int hook_rank(const char *hook)
{
	return is_(hook, "ingress") ? 0 : is_(hook, "prerouting") ? 1 : is_(hook, "input") ? 2 : -1;
}

static int cmp_base(const void *a, const void *b)
{
	const struct basechain *x = a, *y = b;

	return x->hook != y->hook ? x->hook - y->hook : x->prio - y->prio;
}

/* OUT_ACCEPT: every packet of the question gets in; OUT_DROP: none does;
 * both: it depends. */
static unsigned judge_port(struct fwq *q, int port, int ipv6)
{
	struct basechain bc[64];
	size_t i, n = json_object_array_length(q->items), nb = 0;
	unsigned all = OUT_ACCEPT;

	q->port = port;
	q->ipv6 = ipv6;
	for (i = 0; i < n && nb < 64; i++) {
		json_object *c = jget(json_object_array_get_idx(q->items, i), "chain");
		const char *type;

		if (!c || !jstr(c, "hook") || hook_rank(jstr(c, "hook")) < 0 ||
		    !family_sees(jstr(c, "family"), ipv6))
			continue;
		type = jstr(c, "type");
		if (type && !is_(type, "filter"))
			continue; /* nat and route chains do not drop */
		bc[nb].family = jstr(c, "family");
		bc[nb].table = jstr(c, "table");
		bc[nb].name = jstr(c, "name");
		bc[nb].hook = hook_rank(jstr(c, "hook"));
		bc[nb].prio = json_object_get_int(jget(c, "prio"));
		nb++;
	}
	qsort(bc, nb, sizeof(bc[0]), cmp_base);
	for (i = 0; i < nb; i++) {
		unsigned o;

		q->family = bc[i].family;
		q->table = bc[i].table;
		o = run_chain(q, bc[i].name, 0) & (OUT_ACCEPT | OUT_DROP);
		if (o == OUT_DROP)
			return OUT_DROP;
		all |= o; /* once a drop is possible, it stays possible */
	}
	return all;
}

/* "open", "closed" or "depends" for the ports LO..HI over IPv4 and IPv6. */
static const char *judge_range(struct fwq *q, int lo, int hi, char *why, size_t wn)
{
	unsigned seen = 0;
	int p, v6;

	why[0] = '\0';
	q->drop_at[0] = q->maybe_at[0] = '\0';
	for (v6 = 0; v6 < 2; v6++)
		for (p = lo; p <= hi; p++) {
			unsigned o = judge_port(q, p, v6);

			seen |= o == (OUT_ACCEPT | OUT_DROP) ? 4 : o;
		}
	if (seen == OUT_ACCEPT)
		return "open";
	if (seen == OUT_DROP) {
		snprintf(why, wn, "dropped by %s", q->drop_at);
		return "closed";
	}
	if (q->maybe_at[0] && q->drop_at[0])
		snprintf(why, wn, "depends on the source or interface: %s; the rest is dropped by %s",
			 q->maybe_at, q->drop_at);
	else if (q->maybe_at[0])
		snprintf(why, wn, "depends on the source or interface: %s", q->maybe_at);
	else
		snprintf(why, wn, "open for some of the ports, or over only one of IPv4 and IPv6; dropped by %s",
			 q->drop_at[0] ? q->drop_at : "?");
	return "depends";
}

/* ---- reading --------------------------------------------------------- */

static struct {
	struct nft_ctx *(*ctx_new)(uint32_t);
	void (*ctx_free)(struct nft_ctx *);
	void (*output_set_flags)(struct nft_ctx *, unsigned int);
	int (*buffer_output)(struct nft_ctx *);
	int (*buffer_error)(struct nft_ctx *);
	const char *(*get_output_buffer)(struct nft_ctx *);
	const char *(*get_error_buffer)(struct nft_ctx *);
	int (*run_cmd_from_buffer)(struct nft_ctx *, const char *);
} nft;

static int nft_open(void)
{
	void *dl = dlopen(NFT_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (!dl)
		return -EOPNOTSUPP;
#define SYM(f, s)                                            \
	if (!(nft.f = (typeof(nft.f))dlsym(dl, s))) {            \
		dlclose(dl);                                     \
		return -EOPNOTSUPP;                              \
	}
	SYM(ctx_new, "nft_ctx_new");
	SYM(ctx_free, "nft_ctx_free");
	SYM(output_set_flags, "nft_ctx_output_set_flags");
	SYM(buffer_output, "nft_ctx_buffer_output");
	SYM(buffer_error, "nft_ctx_buffer_error");
	SYM(get_output_buffer, "nft_ctx_get_output_buffer");
	SYM(get_error_buffer, "nft_ctx_get_error_buffer");
	SYM(run_cmd_from_buffer, "nft_run_cmd_from_buffer");
#undef SYM
	return 0;
}

/* Legacy iptables tables in this namespace: kvmprep does not read them. */
static int legacy_tables(char *which, size_t n)
{
	static const char *const f[] = { "/proc/net/ip_tables_names", "/proc/net/ip6_tables_names" };
	size_t i;

	for (i = 0; i < 2; i++) {
		char line[64];

		if (vhost_line(f[i], line, sizeof(line)) >= 0 && line[0]) {
			snprintf(which, n, "%s lists %s", f[i], line);
			return 1;
		}
	}
	return 0;
}

static json_object *unread(json_object *o, const char *fmt, const char *arg)
{
	char why[512];

	snprintf(why, sizeof(why), fmt, arg);
	json_object_object_add(o, "read", json_object_new_boolean(0));
	json_object_object_add(o, "why", json_object_new_string(why));
	return o;
}

static void add_port(json_object *ports, struct fwq *q, const char *name, int lo, int hi)
{
	json_object *p = json_object_new_object();
	char why[400];
	const char *v = judge_range(q, lo, hi, why, sizeof(why));

	char r[32];

	if (lo == hi)
		snprintf(r, sizeof(r), "%d/tcp", lo);
	else
		snprintf(r, sizeof(r), "%d-%d/tcp", lo, hi);
	json_object_object_add(p, "ports", json_object_new_string(r));
	json_object_object_add(p, "verdict", json_object_new_string(v));
	json_object_object_add(p, "why", why[0] ? json_object_new_string(why) : NULL);
	json_object_object_add(ports, name, p);
}

json_object *vfirewall_json(const struct vctx *c)
{
	json_object *o = json_object_new_object(), *doc, *items, *ports;
	struct nft_ctx *ctx = NULL;
	struct fwq q;
	char legacy[128];
	const char *out;
	size_t i;
	int firewalld = 0, fd, nonl = 0;

	if (kp_root()[0])
		return unread(o, "%s", "a fake or captured host: its firewall is not part of the tree");
	if (c->target)
		return unread(o, "%s", "--root: the target system's firewall is the ruleset it loads at boot, "
			      "not the running one");
	if (legacy_tables(legacy, sizeof(legacy)))
		return unread(o, "legacy iptables tables are loaded (%s); kvmprep reads only nftables", legacy);
	/*
	 * libnftables calls exit(3) when it cannot open its netlink socket
	 * (src/mnl.c, netlink_init_error): try the socket first. Without
	 * nfnetlink in the kernel no nftables rule can exist.
	 */
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0 && errno != EPROTONOSUPPORT)
		return unread(o, "a netfilter netlink socket: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	else
		nonl = 1;
	if (!nonl && nft_open() < 0)
		return unread(o, "%s", "libnftables (" NFT_SONAME ", package libnftables1) is not installed");
	if (nonl) {
		out = NULL;
		goto judge;
	}
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return unread(o, "%s", "libnftables could not start");
	nft.output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	if (nft.run_cmd_from_buffer(ctx, "list ruleset") != 0) {
		char err[256];
		const char *e = nft.get_error_buffer(ctx);

		snprintf(err, sizeof(err), "%s", e && e[0] ? e : "failed");
		err[strcspn(err, "\n")] = '\0';
		nft.ctx_free(ctx);
		return unread(o, "nft list ruleset: %s", err);
	}
	out = nft.get_output_buffer(ctx);
judge:
	doc = out && out[0] ? json_tokener_parse(out) : json_object_new_object();
	if (ctx)
		nft.ctx_free(ctx);
	items = jget(doc, "nftables");
	if (!doc || (out && out[0] && !items)) {
		json_object_put(doc);
		return unread(o, "%s", "libnftables gave a ruleset that is not its JSON");
	}
	if (!items) {
		json_object_object_add(doc, "nftables", json_object_new_array());
		items = jget(doc, "nftables");
	}
	memset(&q, 0, sizeof(q));
	q.items = items;
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *t = jget(json_object_array_get_idx(items, i), "table");

		if (t && is_(jstr(t, "name"), "firewalld"))
			firewalld = 1;
	}
	json_object_object_add(o, "read", json_object_new_boolean(1));
	json_object_object_add(o, "why", NULL);
	json_object_object_add(o, "firewalld", json_object_new_boolean(firewalld));
	json_object_object_add(o, "nftables", json_object_new_boolean(!nonl));
	ports = json_object_new_object();
	add_port(ports, &q, "migration", 49152, 49215);
	add_port(ports, &q, "libvirtd", 16509, 16509);
	add_port(ports, &q, "libvirtd_tls", 16514, 16514);
	add_port(ports, &q, "ssh", 22, 22);
	json_object_object_add(o, "ports", ports);
	json_object_put(doc);
	return o;
}
