/* SPDX-License-Identifier: MIT */
/*
 * Kernel model: the VF settings an SR-IOV NIC's PF driver keeps per VF, as
 * rtnetlink shows and changes them (net/core/rtnetlink.c: rtnl_fill_vfinfo
 * for RTM_GETLINK with RTEXT_FILTER_VF, do_setvfinfo for RTM_SETLINK with
 * IFLA_VFINFO_LIST; the driver's ndo_get_vf_config / ndo_set_vf_*).
 *
 * The PF's interface is a real link (dummy/ifb) in the run's namespace;
 * its driver has no SR-IOV, so the kernel alone would show no VF and
 * answer every VF setting with EOPNOTSUPP. The model takes over those two
 * requests on NETLINK_ROUTE sockets when they are about the interface of a
 * fake-host PF (TREE/sys/class/net/IF/device has sriov_totalvfs):
 *
 *  - RTM_GETLINK (not a dump) asking for VF information: the request goes
 *    to the kernel, whose answer gets IFLA_NUM_VF and IFLA_VFINFO_LIST
 *    appended (one IFLA_VF_INFO per VF, in the kernel's attribute order);
 *  - RTM_SETLINK whose only attribute is IFLA_VFINFO_LIST: applied to the
 *    model's state and answered as the kernel does (an ack when asked for
 *    or an error, NLM_F_CAPPED with NETLINK_CAP_ACK).
 *
 * The answer waits in a per-socket queue that recvmsg/recvfrom/recv serve
 * first (MSG_PEEK and MSG_TRUNC as the kernel has them). Everything else
 * reaches the kernel unchanged.
 *
 * State: TREE/fakehost/vfcfg/PF/I, one line per VF, made when the VF is
 * created and removed with it (pci_disable_sriov frees the driver's VF
 * data: recreated VFs have the defaults): "MAC ADMIN VLAN QOS PROTO MIN MAX
 * SPOOFCHK TRUST STATE RSS" (PROTO hex). Defaults: MAC 00:00:00:00:00:00,
 * no VLAN, 802.1Q, no rate limit, spoofchk on, trust off, state auto, RSS
 * query off (ixgbe/i40e).
 *
 * The MAC as i40e and ixgbe keep it: an administrative MAC (set through
 * the PF: ADMIN 1) is what the VF's netdev gets when its host driver binds
 * (and at once when it is bound: the VF is reset); without one, the VF's
 * driver picks its own (the model: 02:00:00:BUS:DEV:FN) and the PF reports
 * it while that driver holds the VF; when the driver lets the VF go, the
 * PF reports 00:00:00:00:00:00 again.
 *
 * Driver checks: the VF index below sriov_numvfs (EINVAL), a multicast
 * MAC (EINVAL; all zero clears the administrative MAC), VLAN above 4095 or
 * QoS above 7 (EINVAL), a protocol other than 802.1Q/802.1ad
 * (EPROTONOSUPPORT, rtnetlink's own check), min rate above a non-zero max
 * (EINVAL), link state above 2 (EINVAL).
 *
 * Fault: --fault vf-setting=PF:SETTING:ERRNO (SETTING mac, vlan, rate,
 * spoofchk, trust, state, query_rss; every such change of any VF of PF
 * fails with ERRNO, nothing changed). fakehost/log: "vf PF I SETTING VALUE"
 * per change made, "fault vf-setting PF I SETTING ERRNO".
 */
#include "fh.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *base(const char *p)
{
	const char *b = strrchr(p, '/');

	return b ? b + 1 : p;
}

/* ---- state -------------------------------------------------------------- */

struct vfcfg {
	unsigned char mac[6];
	int admin;
	unsigned vlan, qos, proto, min, max;
	int spoofchk, trust, state, rss;
};

static void cfg_default(struct vfcfg *c)
{
	memset(c, 0, sizeof(*c));
	c->proto = 0x8100;
	c->spoofchk = 1;
}

static char *cfg_path(char *buf, const char *pf, int i)
{
	return fh_p(buf, "/fakehost/vfcfg/%s/%d", pf, i);
}

static int cfg_read(const char *pf, int i, struct vfcfg *c)
{
	char p[FH_PATH], v[256];
	unsigned m[6];

	cfg_default(c);
	if (fh_read(cfg_path(p, pf, i), v, sizeof(v)) <= 0)
		return -ENOENT;
	if (sscanf(v, "%x:%x:%x:%x:%x:%x %d %u %u %x %u %u %d %d %d %d", &m[0], &m[1], &m[2],
		   &m[3], &m[4], &m[5], &c->admin, &c->vlan, &c->qos, &c->proto, &c->min, &c->max,
		   &c->spoofchk, &c->trust, &c->state, &c->rss) != 16)
		return -EINVAL;
	for (int k = 0; k < 6; k++)
		c->mac[k] = (unsigned char)m[k];
	return 0;
}

static void cfg_write(const char *pf, int i, const struct vfcfg *c)
{
	char p[FH_PATH];

	fh_writef(cfg_path(p, pf, i), "%02x:%02x:%02x:%02x:%02x:%02x %d %u %u %04x %u %u %d %d %d %d\n",
		  c->mac[0], c->mac[1], c->mac[2], c->mac[3], c->mac[4], c->mac[5], c->admin, c->vlan,
		  c->qos, c->proto, c->min, c->max, c->spoofchk, c->trust, c->state, c->rss);
}

/* called by sriov.c: VF i of the PF is created / removed */

void fh_vfcfg_create(const char *pf, int i)
{
	char p[FH_PATH];
	struct vfcfg c;

	fh_mkdirs(fh_p(p, "/fakehost/vfcfg/%s", pf));
	cfg_default(&c);
	cfg_write(pf, i, &c);
}


void fh_vfcfg_remove(const char *pf, int i)
{
	char p[FH_PATH];

	unlink(cfg_path(p, pf, i));
}

/* VF directory -> PF BDF and index. 0 or -ENOENT (not a VF). */
static int vf_of(const char *vfdir, char pf[64], int *idx)
{
	char p[FH_PATH], pfdir[PATH_MAX], t[PATH_MAX];
	int i;

	snprintf(p, sizeof(p), "%s/physfn", vfdir);
	if (!realpath(p, pfdir))
		return -ENOENT;
	snprintf(pf, 64, "%s", base(pfdir));
	for (i = 0; i < 4096; i++) {
		snprintf(p, sizeof(p), "%s/virtfn%d", pfdir, i);
		if (!realpath(p, t))
			break;
		if (!strcmp(t, vfdir) || !strcmp(base(t), base(vfdir))) {
			*idx = i;
			return 0;
		}
	}
	return -ENOENT;
}

/* the VF's netdev address file (its net/IF/address), "" none */
static void vf_netdev_addr(const char *vfdir, char *out, size_t n)
{
	char p[FH_PATH], **ifs;
	int k;

	out[0] = '\0';
	snprintf(p, sizeof(p), "%s/net", vfdir);
	k = fh_list(p, &ifs);
	if (k > 0)
		snprintf(out, n, "%s/net/%s/address", vfdir, ifs[0]);
	fh_list_free(ifs, k);
}

static int mac_zero(const unsigned char *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/* called by pci.c after a VF was bound (its netdev made or restored) */

void fh_vfcfg_bound(const char *vfdir)
{
	char pf[64], addr[FH_PATH], v[64];
	struct vfcfg c;
	unsigned m[6];
	int i;

	if (vf_of(vfdir, pf, &i) < 0 || cfg_read(pf, i, &c) < 0)
		return;
	vf_netdev_addr(vfdir, addr, sizeof(addr));
	if (!addr[0])
		return;
	if (c.admin && !mac_zero(c.mac)) {
		fh_writef(addr, "%02x:%02x:%02x:%02x:%02x:%02x\n", c.mac[0], c.mac[1], c.mac[2],
			  c.mac[3], c.mac[4], c.mac[5]);
		return;
	}
	/* the VF driver's own MAC, which the PF then reports */
	if (fh_read(addr, v, sizeof(v)) > 0 &&
	    sscanf(v, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
		for (int k = 0; k < 6; k++)
			c.mac[k] = (unsigned char)m[k];
		cfg_write(pf, i, &c);
	}
}

/* called by pci.c before a VF leaves its driver */

void fh_vfcfg_unbinding(const char *vfdir)
{
	char pf[64];
	struct vfcfg c;
	int i;

	if (vf_of(vfdir, pf, &i) < 0 || cfg_read(pf, i, &c) < 0 || c.admin)
		return;
	memset(c.mac, 0, sizeof(c.mac));
	cfg_write(pf, i, &c);
}

/* ---- which link ----------------------------------------------------------- */

/* The fake-host PF behind interface ifname: its BDF and sriov_numvfs.
 * 0 or -ENOENT. */
static int pf_of_link(const char *ifname, char pf[64], int *numvfs)
{
	char p[FH_PATH], dir[PATH_MAX], v[32];

	if (!ifname[0] || strchr(ifname, '/'))
		return -ENOENT;
	if (!realpath(fh_p(p, "/sys/class/net/%s/device", ifname), dir))
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/sriov_totalvfs", dir);
	if (!fh_exists(p))
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/sriov_numvfs", dir);
	*numvfs = fh_read(p, v, sizeof(v)) > 0 ? atoi(v) : 0;
	snprintf(pf, 64, "%s", base(dir));
	return 0;
}

/* ---- the answer queue ------------------------------------------------------ */

struct dgram {
	int fd;
	ino_t ino;
	unsigned char *buf;
	size_t len;
	struct dgram *next;
};

static struct dgram *queue;
static int nqueued;
static pthread_mutex_t qmutex = PTHREAD_MUTEX_INITIALIZER;

static ino_t fd_ino(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

static void enqueue(int fd, const void *buf, size_t len)
{
	struct dgram *d = calloc(1, sizeof(*d)), **pp;

	if (!d)
		return;
	d->buf = malloc(len);
	if (!d->buf) {
		free(d);
		return;
	}
	memcpy(d->buf, buf, len);
	d->len = len;
	d->fd = fd;
	d->ino = fd_ino(fd);
	pthread_mutex_lock(&qmutex);
	for (pp = &queue; *pp; pp = &(*pp)->next)
		;
	*pp = d;
	nqueued++;
	pthread_mutex_unlock(&qmutex);
}

/* Serve a queued answer for fd: the length recvmsg returns, or -1 none
 * queued. */
static ssize_t dequeue(int fd, struct iovec *iov, size_t iovlen, int flags, void *name,
		       socklen_t *namelen, int *oflags)
{
	struct dgram **pp, *d = NULL;
	ino_t ino;
	size_t off = 0, i;

	if (__atomic_load_n(&nqueued, __ATOMIC_RELAXED) == 0)
		return -1;
	ino = fd_ino(fd);
	pthread_mutex_lock(&qmutex);
	for (pp = &queue; *pp;) {
		if ((*pp)->fd == fd && (*pp)->ino != ino) {
			/* the socket was closed and the number reused */
			struct dgram *gone = *pp;

			*pp = gone->next;
			free(gone->buf);
			free(gone);
			nqueued--;
			continue;
		}
		if ((*pp)->fd == fd) {
			d = *pp;
			break;
		}
		pp = &(*pp)->next;
	}
	if (!d) {
		pthread_mutex_unlock(&qmutex);
		return -1;
	}
	for (i = 0; i < iovlen && off < d->len; i++) {
		size_t k = d->len - off < iov[i].iov_len ? d->len - off : iov[i].iov_len;

		memcpy(iov[i].iov_base, d->buf + off, k);
		off += k;
	}
	if (oflags)
		*oflags = off < d->len ? MSG_TRUNC : 0;
	if (name && namelen && *namelen >= sizeof(struct sockaddr_nl)) {
		struct sockaddr_nl *a = name;

		memset(a, 0, sizeof(*a));
		a->nl_family = AF_NETLINK;
		*namelen = sizeof(*a);
	} else if (namelen) {
		*namelen = 0;
	}
	{
		ssize_t ret = (flags & MSG_TRUNC) ? (ssize_t)d->len : (ssize_t)off;

		if (!(flags & MSG_PEEK)) {
			*pp = d->next;
			free(d->buf);
			free(d);
			nqueued--;
		}
		pthread_mutex_unlock(&qmutex);
		return ret;
	}
}

/* ---- building messages ------------------------------------------------------ */

struct mbuf {
	unsigned char *p;
	size_t len, cap;
};

static void *mb_put(struct mbuf *b, const void *data, size_t n)
{
	size_t need = b->len + NLMSG_ALIGN(n);
	void *at;

	if (need > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4096;
		unsigned char *q;

		while (cap < need)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return NULL;
		b->p = q;
		b->cap = cap;
	}
	at = b->p + b->len;
	memset(at, 0, NLMSG_ALIGN(n));
	if (data)
		memcpy(at, data, n);
	b->len = need;
	return at;
}

/* an attribute; returns its offset (for nests) */
static size_t mb_attr(struct mbuf *b, unsigned short type, const void *data, size_t n)
{
	struct nlattr a = { .nla_len = (unsigned short)(NLA_HDRLEN + n), .nla_type = type };
	size_t off = b->len;

	mb_put(b, &a, sizeof(a));
	if (n)
		mb_put(b, data, n);
	return off;
}

static size_t mb_nest(struct mbuf *b, unsigned short type)
{
	return mb_attr(b, type | NLA_F_NESTED, NULL, 0);
}

static void mb_nest_end(struct mbuf *b, size_t off)
{
	if (b->p)
		((struct nlattr *)(b->p + off))->nla_len = (unsigned short)(b->len - off);
}

static void add_vfinfo(struct mbuf *b, int i, const struct vfcfg *c)
{
	struct ifla_vf_mac mac = { .vf = (uint32_t)i };
	struct ifla_vf_broadcast bc;
	struct ifla_vf_vlan vlan = { .vf = (uint32_t)i, .vlan = c->vlan, .qos = c->qos };
	struct ifla_vf_rate rate = { .vf = (uint32_t)i, .min_tx_rate = c->min, .max_tx_rate = c->max };
	struct ifla_vf_tx_rate txr = { .vf = (uint32_t)i, .rate = c->max };
	struct ifla_vf_spoofchk sp = { .vf = (uint32_t)i, .setting = (uint32_t)c->spoofchk };
	struct ifla_vf_link_state ls = { .vf = (uint32_t)i, .link_state = (uint32_t)c->state };
	struct ifla_vf_rss_query_en rss = { .vf = (uint32_t)i, .setting = (uint32_t)c->rss };
	struct ifla_vf_trust tr = { .vf = (uint32_t)i, .setting = (uint32_t)c->trust };
	struct ifla_vf_vlan_info vi = { .vf = (uint32_t)i, .vlan = c->vlan, .qos = c->qos,
					.vlan_proto = htons((uint16_t)c->proto) };
	size_t info, vl;

	memcpy(mac.mac, c->mac, 6);
	memset(bc.broadcast, 0, sizeof(bc.broadcast));
	memset(bc.broadcast, 0xff, 6);
	/* rtnl_fill_vfinfo()'s order */
	info = mb_nest(b, IFLA_VF_INFO);
	mb_attr(b, IFLA_VF_MAC, &mac, sizeof(mac));
	mb_attr(b, IFLA_VF_BROADCAST, &bc, sizeof(bc));
	mb_attr(b, IFLA_VF_VLAN, &vlan, sizeof(vlan));
	mb_attr(b, IFLA_VF_RATE, &rate, sizeof(rate));
	mb_attr(b, IFLA_VF_TX_RATE, &txr, sizeof(txr));
	mb_attr(b, IFLA_VF_SPOOFCHK, &sp, sizeof(sp));
	mb_attr(b, IFLA_VF_LINK_STATE, &ls, sizeof(ls));
	mb_attr(b, IFLA_VF_RSS_QUERY_EN, &rss, sizeof(rss));
	mb_attr(b, IFLA_VF_TRUST, &tr, sizeof(tr));
	vl = mb_nest(b, IFLA_VF_VLAN_LIST);
	mb_attr(b, IFLA_VF_VLAN_INFO, &vi, sizeof(vi));
	mb_nest_end(b, vl);
	mb_nest_end(b, info);
}

/* The kernel's RTM_NEWLINK answer (one datagram) with the PF's VFs added. */
static void augment(int fd, const unsigned char *ans, size_t len, const char *pf, int numvfs)
{
	const struct nlmsghdr *h = (const void *)ans;
	struct mbuf b = { 0 };
	size_t list;
	uint32_t num = (uint32_t)numvfs;
	int i;

	if (len < sizeof(*h) || h->nlmsg_type != RTM_NEWLINK || h->nlmsg_len > len) {
		enqueue(fd, ans, len);
		return;
	}
	mb_put(&b, ans, h->nlmsg_len);
	mb_attr(&b, IFLA_NUM_VF, &num, sizeof(num));
	list = mb_nest(&b, IFLA_VFINFO_LIST);
	fh_lock();
	for (i = 0; i < numvfs; i++) {
		struct vfcfg c;

		cfg_read(pf, i, &c);
		add_vfinfo(&b, i, &c);
	}
	fh_unlock();
	mb_nest_end(&b, list);
	if (!b.p) {
		enqueue(fd, ans, len);
		return;
	}
	((struct nlmsghdr *)b.p)->nlmsg_len = (uint32_t)b.len;
	/* anything after the message in the datagram (none for a plain GETLINK) */
	if (len > NLMSG_ALIGN(h->nlmsg_len))
		mb_put(&b, ans + NLMSG_ALIGN(h->nlmsg_len), len - NLMSG_ALIGN(h->nlmsg_len));
	enqueue(fd, b.p, b.len);
	free(b.p);
}

/* The kernel's NLMSG_ERROR for a request (err 0: the ack). */
static void answer_err(int fd, const struct nlmsghdr *rq, int err)
{
	struct mbuf b = { 0 };
	struct nlmsghdr h = { 0 };
	struct nlmsgerr *e;
	int cap = 0;
	socklen_t l = sizeof(cap);
	size_t echo;

	if (getsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &cap, &l) < 0)
		cap = 0;
	/* netlink_ack(): an ack or a capped error carries only the header */
	echo = err == 0 || cap ? sizeof(*rq) : rq->nlmsg_len;
	h.nlmsg_type = NLMSG_ERROR;
	h.nlmsg_flags = echo == sizeof(*rq) ? NLM_F_CAPPED : 0;
	h.nlmsg_seq = rq->nlmsg_seq;
	h.nlmsg_pid = rq->nlmsg_pid;
	mb_put(&b, &h, sizeof(h));
	e = mb_put(&b, NULL, sizeof(int) + echo);
	if (!e || !b.p)
		return;
	e = (struct nlmsgerr *)(b.p + NLMSG_HDRLEN);
	e->error = -err;
	memcpy(&e->msg, rq, echo);
	((struct nlmsghdr *)b.p)->nlmsg_len = (uint32_t)b.len;
	enqueue(fd, b.p, b.len);
	free(b.p);
}

/* ---- applying changes -------------------------------------------------------- */

static const char *const setting_names[] = {
	[IFLA_VF_MAC] = "mac", [IFLA_VF_VLAN] = "vlan", [IFLA_VF_VLAN_LIST] = "vlan",
	[IFLA_VF_TX_RATE] = "rate", [IFLA_VF_RATE] = "rate", [IFLA_VF_SPOOFCHK] = "spoofchk",
	[IFLA_VF_TRUST] = "trust", [IFLA_VF_LINK_STATE] = "state",
	[IFLA_VF_RSS_QUERY_EN] = "query_rss",
};

static const char *setting_name(unsigned type)
{
	return type < sizeof(setting_names) / sizeof(setting_names[0]) && setting_names[type]
	       ? setting_names[type] : NULL;
}

/* --fault vf-setting=PF:SETTING:ERRNO */
static int setting_fault(const char *pf, const char *setting)
{
	char p[FH_PATH], *data, *s;
	int err = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !err;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		/* PF:SETTING:ERRNO, the PF's address has colons of its own */
		if (!strncmp(s, "vf-setting=", 11)) {
			char *e = strrchr(s, ':'), *a;

			if (e && e > s + 11) {
				*e = '\0';
				a = strrchr(s, ':');
				if (a && !strcmp(a + 1, setting) && (size_t)(a - (s + 11)) == strlen(pf) &&
				    !strncmp(s + 11, pf, strlen(pf)))
					err = fh_errno_parse(e + 1);
			}
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	return err;
}

/* the VF's netdev follows an administrative MAC at once (the PF resets the VF) */
static void vf_follow_mac(const char *pf, int i, const struct vfcfg *c)
{
	char p[FH_PATH], vfdir[PATH_MAX], addr[FH_PATH];

	if (!realpath(fh_p(p, "/sys/bus/pci/devices/%s/virtfn%d", pf, i), vfdir))
		return;
	vf_netdev_addr(vfdir, addr, sizeof(addr));
	if (addr[0] && c->admin)
		fh_writef(addr, "%02x:%02x:%02x:%02x:%02x:%02x\n", c->mac[0], c->mac[1], c->mac[2],
			  c->mac[3], c->mac[4], c->mac[5]);
}

/* One IFLA_VF_* attribute (do_setvfinfo): 0 or an errno. */
static int apply_one(const char *pf, int numvfs, const struct nlattr *a)
{
	const void *d = (const char *)a + NLA_HDRLEN;
	size_t n = a->nla_len - NLA_HDRLEN;
	unsigned type = a->nla_type & NLA_TYPE_MASK;
	const char *name = setting_name(type);
	struct vfcfg c;
	uint32_t vf;
	char val[64];
	int err;

	if (!name)
		return 0; /* not modelled (IB GUIDs, …): the driver has no such op */
	if (type == IFLA_VF_VLAN_LIST) {
		const struct nlattr *in = d;

		/* one IFLA_VF_VLAN_INFO (MAX_VLAN_LIST_LEN) */
		if (n < NLA_HDRLEN || in->nla_len < NLA_HDRLEN + sizeof(struct ifla_vf_vlan_info) ||
		    (in->nla_type & NLA_TYPE_MASK) != IFLA_VF_VLAN_INFO)
			return EINVAL;
		d = (const char *)in + NLA_HDRLEN;
		n = in->nla_len - NLA_HDRLEN;
	}
	if (n < sizeof(uint32_t))
		return EINVAL;
	memcpy(&vf, d, sizeof(vf));
	if (vf >= (uint32_t)numvfs)
		return EINVAL;
	if (cfg_read(pf, (int)vf, &c) < 0)
		return EINVAL;
	err = setting_fault(pf, name);
	if (err) {
		fh_log("fault vf-setting %s %u %s %s", pf, vf, name, fh_errno_name(err));
		return err;
	}
	switch (type) {
	case IFLA_VF_MAC: {
		const struct ifla_vf_mac *m = d;

		if (n < sizeof(*m))
			return EINVAL;
		if (m->mac[0] & 1)
			return EINVAL; /* multicast */
		memcpy(c.mac, m->mac, 6);
		c.admin = !mac_zero(c.mac);
		snprintf(val, sizeof(val), "%02x:%02x:%02x:%02x:%02x:%02x", c.mac[0], c.mac[1],
			 c.mac[2], c.mac[3], c.mac[4], c.mac[5]);
		break;
	}
	case IFLA_VF_VLAN: {
		const struct ifla_vf_vlan *v = d;

		if (n < sizeof(*v) || v->vlan > 4095 || v->qos > 7)
			return EINVAL;
		c.vlan = v->vlan;
		c.qos = v->qos;
		c.proto = 0x8100;
		snprintf(val, sizeof(val), "%u qos %u 8100", c.vlan, c.qos);
		break;
	}
	case IFLA_VF_VLAN_LIST: {
		const struct ifla_vf_vlan_info *v = d;
		unsigned proto = ntohs(v->vlan_proto);

		if (proto != 0x8100 && proto != 0x88a8)
			return EPROTONOSUPPORT;
		if (v->vlan > 4095 || v->qos > 7)
			return EINVAL;
		c.vlan = v->vlan;
		c.qos = v->qos;
		c.proto = proto;
		snprintf(val, sizeof(val), "%u qos %u %04x", c.vlan, c.qos, c.proto);
		break;
	}
	case IFLA_VF_TX_RATE: {
		const struct ifla_vf_tx_rate *t = d;

		if (n < sizeof(*t) || (t->rate && c.min > t->rate))
			return EINVAL;
		c.max = t->rate;
		snprintf(val, sizeof(val), "%u-%u", c.min, c.max);
		break;
	}
	case IFLA_VF_RATE: {
		const struct ifla_vf_rate *t = d;

		if (n < sizeof(*t) || (t->max_tx_rate && t->min_tx_rate > t->max_tx_rate))
			return EINVAL;
		c.min = t->min_tx_rate;
		c.max = t->max_tx_rate;
		snprintf(val, sizeof(val), "%u-%u", c.min, c.max);
		break;
	}
	case IFLA_VF_LINK_STATE: {
		const struct ifla_vf_link_state *t = d;

		if (n < sizeof(*t) || t->link_state > IFLA_VF_LINK_STATE_DISABLE)
			return EINVAL;
		c.state = (int)t->link_state;
		snprintf(val, sizeof(val), "%d", c.state);
		break;
	}
	default: {
		/* spoofchk, trust, rss: { u32 vf; u32 setting; } */
		uint32_t s[2];

		if (n < sizeof(s))
			return EINVAL;
		memcpy(s, d, sizeof(s));
		if (type == IFLA_VF_SPOOFCHK)
			c.spoofchk = s[1] != 0;
		else if (type == IFLA_VF_TRUST)
			c.trust = s[1] != 0;
		else
			c.rss = s[1] != 0;
		snprintf(val, sizeof(val), "%s", s[1] ? "on" : "off");
		break;
	}
	}
	cfg_write(pf, (int)vf, &c);
	if (type == IFLA_VF_MAC)
		vf_follow_mac(pf, (int)vf, &c);
	fh_log("vf %s %u %s %s", pf, vf, name, val);
	return 0;
}

/* ---- requests ------------------------------------------------------------------ */

static int is_route_socket(int fd)
{
	int dom = 0, proto = 0;
	socklen_t l = sizeof(dom);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l) < 0 || dom != AF_NETLINK)
		return 0;
	l = sizeof(proto);
	return getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) == 0 && proto == NETLINK_ROUTE;
}

/* The link a RTM_GETLINK/RTM_SETLINK names (IFLA_IFNAME, else the index). */
static void link_name(const struct nlmsghdr *h, char *name, size_t n, unsigned *ext,
		      int *vfinfo, int *others)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct nlattr *a;
	int rem;

	name[0] = '\0';
	*ext = 0;
	*vfinfo = *others = 0;
	a = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	rem = (int)h->nlmsg_len - (int)NLMSG_SPACE(sizeof(*ifi));
	for (; rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		unsigned t = a->nla_type & NLA_TYPE_MASK;
		size_t l = a->nla_len - NLA_HDRLEN;

		if (t == IFLA_IFNAME && l > 0 && l < n) {
			memcpy(name, (const char *)a + NLA_HDRLEN, l);
			name[l] = '\0';
		} else if (t == IFLA_EXT_MASK && l >= 4) {
			memcpy(ext, (const char *)a + NLA_HDRLEN, 4);
		} else if (t == IFLA_VFINFO_LIST) {
			*vfinfo = 1;
		} else {
			(*others)++;
		}
	}
	if (!name[0] && ifi->ifi_index > 0 && !if_indextoname((unsigned)ifi->ifi_index, name))
		name[0] = '\0';
}

/* Apply an RTM_SETLINK's IFLA_VFINFO_LIST: 0 or the first errno (the
 * kernel stops at the first failing setting). */
static int apply_setlink(const struct nlmsghdr *h, const char *pf, int numvfs)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	const struct nlattr *a;
	int rem, err = 0;

	a = (const void *)((const char *)ifi + NLMSG_ALIGN(sizeof(*ifi)));
	rem = (int)h->nlmsg_len - (int)NLMSG_SPACE(sizeof(*ifi));
	for (; !err && rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem;
	     rem -= NLA_ALIGN(a->nla_len), a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const struct nlattr *info;
		int r2;

		if ((a->nla_type & NLA_TYPE_MASK) != IFLA_VFINFO_LIST)
			continue;
		info = (const void *)((const char *)a + NLA_HDRLEN);
		r2 = a->nla_len - NLA_HDRLEN;
		for (; !err && r2 >= (int)NLA_HDRLEN && info->nla_len >= NLA_HDRLEN &&
		       info->nla_len <= r2;
		     r2 -= NLA_ALIGN(info->nla_len),
		     info = (const void *)((const char *)info + NLA_ALIGN(info->nla_len))) {
			const struct nlattr *x = (const void *)((const char *)info + NLA_HDRLEN);
			int r3 = info->nla_len - NLA_HDRLEN;

			if ((info->nla_type & NLA_TYPE_MASK) != IFLA_VF_INFO)
				return EINVAL;
			for (; !err && r3 >= (int)NLA_HDRLEN && x->nla_len >= NLA_HDRLEN &&
			       x->nla_len <= r3;
			     r3 -= NLA_ALIGN(x->nla_len),
			     x = (const void *)((const char *)x + NLA_ALIGN(x->nla_len)))
				err = apply_one(pf, numvfs, x);
		}
	}
	return err;
}

/* 1 when the model answered the request in buf (queued), 0 pass it on.
 * For a GETLINK the kernel's answer is fetched here (real_send, real_recv). */
static int handle(int fd, const unsigned char *buf, size_t len,
		  ssize_t (*real_sendmsg)(int, const struct msghdr *, int),
		  const struct msghdr *orig, int flags,
		  ssize_t (*real_recvmsg)(int, struct msghdr *, int), ssize_t *ret)
{
	const struct nlmsghdr *h = (const void *)buf;
	char name[IF_NAMESIZE + 1], pf[64];
	unsigned ext;
	int vfinfo, others, numvfs;

	if (len < NLMSG_SPACE(sizeof(struct ifinfomsg)) || h->nlmsg_len != len)
		return 0; /* one message per send, as libnl sends */
	if (h->nlmsg_type != RTM_GETLINK && h->nlmsg_type != RTM_SETLINK)
		return 0;
	if (h->nlmsg_type == RTM_GETLINK && (h->nlmsg_flags & NLM_F_DUMP))
		return 0;
	link_name(h, name, sizeof(name), &ext, &vfinfo, &others);
	fh_lock();
	if (pf_of_link(name, pf, &numvfs) < 0) {
		fh_unlock();
		return 0;
	}
	if (h->nlmsg_type == RTM_SETLINK) {
		int err;

		if (!vfinfo || others) {
			fh_unlock();
			return 0;
		}
		err = apply_setlink(h, pf, numvfs);
		fh_unlock();
		if (err || (h->nlmsg_flags & NLM_F_ACK))
			answer_err(fd, h, err);
		*ret = (ssize_t)len;
		return 1;
	}
	fh_unlock();
	if (!(ext & RTEXT_FILTER_VF))
		return 0;
	/* the kernel's own answer for the link, then the VFs added */
	{
		unsigned char *ans;
		struct iovec iov;
		struct msghdr m = { 0 };
		struct sockaddr_nl who;
		ssize_t n;

		*ret = real_sendmsg(fd, orig, flags);
		if (*ret < 0)
			return 1;
		memset(&m, 0, sizeof(m));
		m.msg_name = &who;
		m.msg_namelen = sizeof(who);
		iov.iov_base = NULL;
		iov.iov_len = 0;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		n = real_recvmsg(fd, &m, MSG_PEEK | MSG_TRUNC);
		if (n <= 0)
			return 1; /* the caller's own recv gets whatever it is */
		ans = malloc((size_t)n);
		if (!ans)
			return 1;
		iov.iov_base = ans;
		iov.iov_len = (size_t)n;
		m.msg_namelen = sizeof(who);
		n = real_recvmsg(fd, &m, 0);
		if (n > 0)
			augment(fd, ans, (size_t)n, pf, numvfs);
		free(ans);
	}
	return 1;
}

/* ---- the wrappers ----------------------------------------------------------------- */

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
	static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
	unsigned char *buf;
	size_t len = 0, i;
	ssize_t ret = 0;
	int done;

	if (!real_sendmsg) {
		real_sendmsg = fh_next("sendmsg");
		real_recvmsg = fh_next("recvmsg");
	}
	if (!fh_active() || !msg || !is_route_socket(fd))
		return real_sendmsg(fd, msg, flags);
	for (i = 0; i < msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	buf = malloc(len ? len : 1);
	if (!buf)
		return real_sendmsg(fd, msg, flags);
	for (len = 0, i = 0; i < msg->msg_iovlen; i++) {
		memcpy(buf + len, msg->msg_iov[i].iov_base, msg->msg_iov[i].iov_len);
		len += msg->msg_iov[i].iov_len;
	}
	done = handle(fd, buf, len, real_sendmsg, msg, flags, real_recvmsg, &ret);
	free(buf);
	return done ? ret : real_sendmsg(fd, msg, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to,
	       socklen_t tolen)
{
	static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *,
				      socklen_t);
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = tolen, .msg_iov = &iov,
			    .msg_iovlen = 1 };

	if (!real_sendto)
		real_sendto = fh_next("sendto");
	if (!fh_active() || !is_route_socket(fd))
		return real_sendto(fd, buf, len, flags, to, tolen);
	return sendmsg(fd, &m, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	return sendto(fd, buf, len, flags, NULL, 0);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
	ssize_t r;

	if (!real_recvmsg)
		real_recvmsg = fh_next("recvmsg");
	if (msg && __atomic_load_n(&nqueued, __ATOMIC_RELAXED) > 0) {
		int of = 0;

		r = dequeue(fd, msg->msg_iov, msg->msg_iovlen, flags, msg->msg_name,
			    &msg->msg_namelen, &of);
		if (r >= 0) {
			msg->msg_flags = of;
			msg->msg_controllen = 0;
			return r;
		}
	}
	return real_recvmsg(fd, msg, flags);
}

ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
		 socklen_t *fromlen)
{
	static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);

	if (!real_recvfrom)
		real_recvfrom = fh_next("recvfrom");
	if (__atomic_load_n(&nqueued, __ATOMIC_RELAXED) > 0) {
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		ssize_t r = dequeue(fd, &iov, 1, flags, from, fromlen, NULL);

		if (r >= 0)
			return r;
	}
	return real_recvfrom(fd, buf, len, flags, from, fromlen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	return recvfrom(fd, buf, len, flags, NULL, NULL);
}
