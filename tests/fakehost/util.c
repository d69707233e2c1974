/* SPDX-License-Identifier: MIT */
/* Kernel model: state, lock, tree file helpers, log, uevents, faults. */
#include "fh.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

char fh_tree[FH_PATH];
size_t fh_treelen;
__thread int fh_busy;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t model_mutex = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int lock_depth;
static int lock_fd = -1;
static pid_t lock_pid;

/*
 * The model's own CPU time in this process: from taking the model lock to
 * releasing it (outermost level), i.e. every effect handler (sysfs writes,
 * module loads, mdev, /dev/kvm ioctls) with the tree operations, log
 * lines and uevents it makes, and the model's checks on open, stat and
 * close; plus the whole write() wrapper (which finds the written file's
 * path before it locks). Written at exit to TREE/fakehost/modeltime as
 * "model_cpu_ns N pid P", so that a benchmark can tell a tool's own CPU
 * time from the model's (bench/iommu.sh). umockdev's path redirection is
 * not the model's and is not counted here.
 */
static unsigned long long model_ns;
static pid_t model_pid;
static __thread int time_depth;
static __thread unsigned long long time_start;

static unsigned long long thread_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

void fh_time_enter(void)
{
	if (time_depth++ == 0)
		time_start = thread_ns();
}

void fh_time_leave(void)
{
	unsigned long long t;
	pid_t pid;

	if (--time_depth != 0)
		return;
	pid = getpid();
	t = thread_ns() - time_start;
	pthread_mutex_lock(&model_mutex);
	if (model_pid != pid) {
		model_ns = 0; /* a forked child: its own count */
		model_pid = pid;
	}
	model_ns += t;
	pthread_mutex_unlock(&model_mutex);
}

/* at exit, and from _exit (preload.c): a forked child that _exits (a
 * tool's bounded sriov_numvfs writer) reports its model time too */
void fh_model_time_flush(void)
{
	char p[FH_PATH], line[96];
	int fd, n;

	if (!model_ns || model_pid != getpid() || !fh_treelen)
		return;
	fh_busy++;
	fd = open(fh_p(p, "/fakehost/modeltime"), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		n = snprintf(line, sizeof(line), "model_cpu_ns %llu pid %d\n", model_ns, (int)getpid());
		if (write(fd, line, (size_t)n) < 0)
			n = 0;
		close(fd);
	}
	model_ns = 0;
	fh_busy--;
}

__attribute__((destructor)) static void model_time_write(void)
{
	fh_model_time_flush();
}

void *fh_next(const char *sym)
{
	return dlsym(RTLD_NEXT, sym);
}

static void init_tree(void)
{
	const char *d = getenv("UMOCKDEV_DIR");
	char buf[PATH_MAX];

	fh_busy++;
	if (d && *d && realpath(d, buf) && strlen(buf) < sizeof(fh_tree)) {
		strcpy(fh_tree, buf);
		fh_treelen = strlen(buf);
	}
	fh_busy--;
}

int fh_active(void)
{
	if (fh_busy)
		return 0;
	pthread_once(&init_once, init_tree);
	return fh_treelen > 0;
}

void fh_lock(void)
{
	fh_time_enter();
	pthread_mutex_lock(&model_mutex);
	fh_busy++;
	if (lock_depth++ == 0) {
		char p[FH_PATH];

		if (lock_fd >= 0 && lock_pid != getpid()) {
			close(lock_fd);	/* after fork: our own open file description */
			lock_fd = -1;
		}
		if (lock_fd < 0) {
			lock_fd = open(fh_p(p, "/fakehost/lock"), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
			lock_pid = getpid();
		}
		if (lock_fd >= 0)
			flock(lock_fd, LOCK_EX);
	}
}

void fh_unlock(void)
{
	if (--lock_depth == 0 && lock_fd >= 0)
		flock(lock_fd, LOCK_UN);
	fh_busy--;
	pthread_mutex_unlock(&model_mutex);
	fh_time_leave();
}

int fh_fd_path(int fd, char *buf, size_t n)
{
	char link[64];
	long r;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	r = syscall(SYS_readlink, link, buf, n - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return 0;
}

/* ---- files ----------------------------------------------------------- */

char *fh_p(char *buf, const char *fmt, ...)
{
	va_list ap;

	memcpy(buf, fh_tree, fh_treelen);
	va_start(ap, fmt);
	vsnprintf(buf + fh_treelen, FH_PATH - fh_treelen, fmt, ap);
	va_end(ap);
	return buf;
}

int fh_read(const char *path, char *buf, size_t n)
{
	ssize_t got;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	got = read(fd, buf, n - 1);
	close(fd);
	if (got < 0)
		return -EIO;
	while (got > 0 && (buf[got - 1] == '\n' || buf[got - 1] == ' '))
		got--;
	buf[got] = '\0';
	return (int)got;
}

char *fh_slurp(const char *path, size_t *lenp)
{
	size_t cap = 4096, len = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	for (;;) {
		ssize_t got;

		if (!buf)
			break;
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len - 1);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

int fh_write(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t put;

	if (fd < 0)
		return -errno;
	put = write(fd, val, len);
	close(fd);
	return put == (ssize_t)len ? 0 : -EIO;
}

int fh_writef(const char *path, const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return fh_write(path, buf);
}

int fh_mkdirs(const char *path)
{
	char buf[FH_PATH];
	char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int fh_symlink(const char *target, const char *link)
{
	char rel[FH_PATH] = "";
	const char *t = target, *l = link;
	size_t common = 0, i;

	/* longest common directory prefix */
	for (i = 0; t[i] && l[i] && t[i] == l[i]; i++)
		if (t[i] == '/')
			common = i + 1;
	l += common;
	t += common;
	for (; *l; l++)
		if (*l == '/')
			strcat(rel, "../");
	strncat(rel, t, sizeof(rel) - strlen(rel) - 1);
	unlink(link);
	return symlink(rel, link) < 0 ? -errno : 0;
}

static int rmrf_at(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) < 0 ? -errno : 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		char sub[FH_PATH];

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		rmrf_at(sub);
	}
	closedir(d);
	return rmdir(path) < 0 ? -errno : 0;
}

int fh_rmrf(const char *path)
{
	return rmrf_at(path);
}

int fh_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

int fh_isdir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int fh_link_name(const char *link, char *buf, size_t n)
{
	char t[FH_PATH];
	ssize_t len = readlink(link, t, sizeof(t) - 1);
	const char *b;

	if (len < 0)
		return -errno;
	t[len] = '\0';
	b = strrchr(t, '/');
	b = b ? b + 1 : t;
	snprintf(buf, n, "%s", b);
	return 0;
}

static int cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int fh_list(const char *dir, char ***names)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	*names = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char **nv;

		if (e->d_name[0] == '.')
			continue;
		nv = realloc(v, sizeof(*v) * (size_t)(n + 1));
		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), cmpstr);
	*names = v;
	return n;
}

void fh_list_free(char **names, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int fh_meta(const char *path, const char *key, char *val, size_t n)
{
	char *data = fh_slurp(path, NULL), *line, *save = NULL;
	size_t kl = strlen(key);
	int r = -ENOENT;

	/* lines "KEY VALUE" (the builder's format); several join with ',' */
	if (!data)
		return -ENOENT;
	val[0] = '\0';
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, key, kl) || (line[kl] != ' ' && line[kl] != '='))
			continue;
		if (r == 0)
			strncat(val, ",", n - strlen(val) - 1);
		strncat(val, line + kl + 1, n - strlen(val) - 1);
		r = 0;
	}
	free(data);
	return r;
}

static const struct { const char *name; int e; } errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH }, { "EINTR", EINTR },
	{ "EIO", EIO }, { "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "ENOEXEC", ENOEXEC },
	{ "EBADF", EBADF }, { "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "ENOMEM", ENOMEM }, { "EACCES", EACCES }, { "EFAULT", EFAULT }, { "EBUSY", EBUSY },
	{ "EEXIST", EEXIST }, { "EXDEV", EXDEV }, { "ENODEV", ENODEV }, { "ENOTDIR", ENOTDIR },
	{ "EISDIR", EISDIR }, { "EINVAL", EINVAL }, { "ENFILE", ENFILE }, { "EMFILE", EMFILE },
	{ "ENOTTY", ENOTTY }, { "EFBIG", EFBIG }, { "ENOSPC", ENOSPC }, { "EROFS", EROFS },
	{ "EPIPE", EPIPE }, { "ERANGE", ERANGE }, { "EDEADLK", EDEADLK }, { "ENOSYS", ENOSYS },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ENODATA", ENODATA }, { "ETIME", ETIME },
	{ "EPROTO", EPROTO }, { "EOVERFLOW", EOVERFLOW }, { "EUSERS", EUSERS },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", ENOTSUP }, { "EADDRINUSE", EADDRINUSE },
	{ "ENETDOWN", ENETDOWN }, { "ETIMEDOUT", ETIMEDOUT }, { "ECANCELED", ECANCELED },
	{ "EKEYREJECTED", EKEYREJECTED }, { "EHWPOISON", EHWPOISON },
};

int fh_errno_parse(const char *name)
{
	size_t i;
	char *end;
	long v;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return errnos[i].e;
	v = strtol(name, &end, 10);
	if (*name && !*end && v > 0 && v < 4096)
		return (int)v;
	return EIO;
}

const char *fh_errno_name(int e)
{
	static __thread char num[16];
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].e == e)
			return errnos[i].name;
	snprintf(num, sizeof(num), "%d", e);
	return num;
}

void fh_log(const char *fmt, ...)
{
	char p[FH_PATH], line[1024];
	va_list ap;
	int fd, n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fd = open(fh_p(p, "/fakehost/log"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* nothing to do: the log is best effort */
	}
	close(fd);
}

/* ---- uevents ------------------------------------------------------------ */

/* libudev's monitor header (systemd's device-monitor.c), sent in the udev
 * group's format; umockdev's preload in the receiver turns our AF_UNIX
 * datagram into a netlink one. */
struct monitor_hdr {
	char prefix[8];
	uint32_t magic;
	uint32_t header_size;
	uint32_t properties_off;
	uint32_t properties_len;
	uint32_t filter_subsystem_hash;
	uint32_t filter_devtype_hash;
	uint32_t filter_tag_bloom_hi;
	uint32_t filter_tag_bloom_lo;
};

/* MurmurHash2, the hash libudev filters subsystems by */
static uint32_t murmur2(const char *s)
{
	const uint32_t m = 0x5bd1e995;
	size_t len = strlen(s);
	uint32_t h = (uint32_t)len;
	const unsigned char *d = (const unsigned char *)s;

	while (len >= 4) {
		uint32_t k;

		memcpy(&k, d, 4);
		k *= m;
		k ^= k >> 24;
		k *= m;
		h = (h * m) ^ k;
		d += 4;
		len -= 4;
	}
	switch (len) {
	case 3:
		h ^= (uint32_t)d[2] << 16;
		/* fall through */
	case 2:
		h ^= (uint32_t)d[1] << 8;
		/* fall through */
	case 1:
		h ^= d[0];
		h *= m;
	}
	h ^= h >> 13;
	h *= m;
	h ^= h >> 15;
	return h;
}

static size_t prop(char *buf, size_t off, size_t cap, const char *k, const char *v)
{
	int n = snprintf(buf + off, cap - off, "%s%s", k, v);

	if (n < 0 || off + (size_t)n + 1 >= cap)
		return off;
	return off + (size_t)n + 1;
}

void fh_uevent(const char *action, const char *sysdir, const char *subsystem,
	       const char *const *extra)
{
	char props[4096], p[FH_PATH], seq[32];
	struct monitor_hdr h;
	struct iovec iov[2];
	struct msghdr msg;
	const char *devpath;
	unsigned long long n = 0;
	glob_t gl;
	size_t off = 0, i;

	if (strncmp(sysdir, fh_tree, fh_treelen) != 0)
		return;
	devpath = sysdir + fh_treelen;
	if (!strncmp(devpath, "/sys/", 5))
		devpath += 4;

	/* one sequence number for the whole host, kept in the tree */
	fh_p(p, "/fakehost/seqnum");
	if (fh_read(p, seq, sizeof(seq)) > 0)
		n = strtoull(seq, NULL, 10);
	n++;
	fh_writef(p, "%llu\n", n);
	snprintf(seq, sizeof(seq), "%llu", n);

	off = prop(props, off, sizeof(props), "ACTION=", action);
	off = prop(props, off, sizeof(props), "DEVPATH=", devpath);
	off = prop(props, off, sizeof(props), "SUBSYSTEM=", subsystem);
	for (i = 0; extra && extra[i]; i++)
		off = prop(props, off, sizeof(props), "", extra[i]);
	off = prop(props, off, sizeof(props), "SEQNUM=", seq);

	memset(&h, 0, sizeof(h));
	memcpy(h.prefix, "libudev", 8);
	h.magic = htonl(0xfeedcafe);
	h.header_size = sizeof(h);
	h.properties_off = sizeof(h);
	h.properties_len = (uint32_t)off;
	h.filter_subsystem_hash = htonl(murmur2(subsystem));
	iov[0].iov_base = &h;
	iov[0].iov_len = sizeof(h);
	iov[1].iov_base = props;
	iov[1].iov_len = off;

	if (glob(fh_p(p, "/event[0-9]*"), GLOB_NOSORT, NULL, &gl) != 0)
		return;
	for (i = 0; i < gl.gl_pathc; i++) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int fd;

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", gl.gl_pathv[i]);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			memset(&msg, 0, sizeof(msg));
			msg.msg_iov = iov;
			msg.msg_iovlen = 2;
			if (sendmsg(fd, &msg, 0) < 0) {
				/* a full or closed monitor: its loss */
			}
		} else if (errno == ECONNREFUSED) {
			unlink(sa.sun_path);	/* the monitor is gone */
		}
		close(fd);
	}
	globfree(&gl);
}

/* ---- faults --------------------------------------------------------------- */

/* counters per spec line in TREE/fakehost/faultcount: "LINE COUNT" */
static unsigned long fault_bump(int line)
{
	char p[FH_PATH], *data, *s, out[8192] = "";
	unsigned long count = 0, c;
	int l, found = 0;

	fh_p(p, "/fakehost/faultcount");
	data = fh_slurp(p, NULL);
	for (s = data; s && *s;) {
		char *nl = strchr(s, '\n');
		char row[64];

		if (nl)
			*nl = '\0';
		if (sscanf(s, "%d %lu", &l, &c) == 2) {
			if (l == line) {
				count = c + 1;
				found = 1;
				c = count;
			}
			snprintf(row, sizeof(row), "%d %lu\n", l, c);
			strncat(out, row, sizeof(out) - strlen(out) - 1);
		}
		s = nl ? nl + 1 : NULL;
	}
	if (!found) {
		char row[64];

		count = 1;
		snprintf(row, sizeof(row), "%d 1\n", line);
		strncat(out, row, sizeof(out) - strlen(out) - 1);
	}
	free(data);
	fh_write(p, out);
	return count;
}

static int attr_matches(const char *pattern, const char *canon)
{
	char p[FH_PATH], real[PATH_MAX];
	glob_t gl;
	size_t i;
	int hit = 0;

	if (fnmatch(pattern, canon, FNM_PATHNAME) == 0)
		return 1;
	/* the pattern may go through symlinks (bus/pci/devices/BDF/…) */
	if (glob(fh_p(p, "%s", pattern), GLOB_NOSORT, NULL, &gl) != 0)
		return 0;
	for (i = 0; i < gl.gl_pathc && !hit; i++)
		if (realpath(gl.gl_pathv[i], real) &&
		    !strncmp(real, fh_tree, fh_treelen) && !strcmp(real + fh_treelen, canon))
			hit = 1;
	globfree(&gl);
	return hit;
}

int fh_fault_write(const char *canon, const char *opened, int *delay_ms)
{
	char p[FH_PATH], *data, *s;
	int line = 0, err = 0;

	if (delay_ms)
		*delay_ms = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !err; line++) {
		char *nl = strchr(s, '\n'), *eq, *at, *slash;
		char attr[FH_PATH];
		unsigned long nth = 1, count;
		int every = 0;

		if (nl)
			*nl = '\0';
		eq = strrchr(s, '=');
		if (*s == '#' || !eq || !strncmp(s, "refuse-bind=", 12) ||
		    !strncmp(s, "no-vfio-node=", 13) || !strncmp(s, "mdev-unregister=", 16) ||
		    !strncmp(s, "vf-fail=", 8))
			goto next;
		snprintf(attr, sizeof(attr), "%.*s", (int)(eq - s), s);
		slash = strrchr(attr, '/');
		at = strrchr(attr, '@');
		if (at && (!slash || at > slash)) {
			*at = '\0';
			if (!strcmp(at + 1, "*"))
				every = 1;
			else
				nth = strtoul(at + 1, NULL, 10);
		}
		if (!attr_matches(attr, canon) && !(opened && fnmatch(attr, opened, FNM_PATHNAME) == 0))
			goto next;
		count = fault_bump(line);
		if ((every || count == nth) && !strncmp(eq + 1, "delay:", 6)) {
			/* ATTR=delay:MS: the write takes that long, then happens */
			long ms = strtol(eq + 7, NULL, 10);

			if (delay_ms && ms > 0) {
				*delay_ms += (int)(ms > 600000 ? 600000 : ms);
				fh_log("fault %s delay %ld", canon, ms);
			}
		} else if (every || count == nth) {
			err = fh_errno_parse(eq + 1);
			fh_log("fault %s %s", canon, fh_errno_name(err));
		}
next:
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	return err;
}

int fh_fault_refuse(const char *bdf, const char *drv)
{
	char p[FH_PATH], *data, *s;
	int hit = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !hit;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(s, "refuse-bind=", 12)) {
			const char *v = s + 12;
			const char *colon = strlen(v) > 12 && v[12] == ':' ? v + 12 : NULL;
			size_t bl = colon ? (size_t)(colon - v) : strlen(v);

			if (strlen(bdf) == bl && !strncmp(v, bdf, bl) &&
			    (!colon || !strcmp(colon + 1, drv)))
				hit = 1;
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	if (hit)
		fh_log("fault refuse-bind %s %s", bdf, drv);
	return hit;
}

int fh_fault_no_vfio_node(const char *group)
{
	char p[FH_PATH], *data, *s;
	int hit = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !hit;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		if (!strncmp(s, "no-vfio-node=", 13) && !strcmp(s + 13, group))
			hit = 1;
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	if (hit)
		fh_log("fault no-vfio-node %s", group);
	return hit;
}

int fh_fault_named(const char *spec)
{
	char p[FH_PATH], *data, *s;
	int hit = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !hit;) {
		char *nl = strchr(s, '\n');

		if (nl)
			*nl = '\0';
		if (!strcmp(s, spec))
			hit = 1;
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	if (hit)
		fh_log("fault %s", spec);
	return hit;
}

int fh_fault_vf_fail(const char *pf, int *at)
{
	char p[FH_PATH], *data, *s;
	int err = 0, line = 0;

	data = fh_slurp(fh_p(p, "/fakehost/faults"), NULL);
	for (s = data; s && *s && !err; line++) {
		char *nl = strchr(s, '\n'), bdf[32] = "", e[32] = "";
		int k = 0;

		if (nl)
			*nl = '\0';
		/* once per run: the rollback's own enable succeeds */
		if (!strncmp(s, "vf-fail=", 8) &&
		    sscanf(s + 8, "%31[^@]@%d:%31s", bdf, &k, e) == 3 && !strcmp(bdf, pf) && k >= 0 &&
		    fault_bump(line) == 1) {
			err = fh_errno_parse(e);
			*at = k;
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	if (err)
		fh_log("fault vf-fail %s %d %s", pf, *at, fh_errno_name(err));
	return err;
}
