/* SPDX-License-Identifier: MIT */
/*
 * The fake host's kernel model: libc wrappers. Preloaded before umockdev's
 * preload (LD_PRELOAD="libkpfakehost.so:libumockdev-preload.so.0"); acts only
 * when UMOCKDEV_DIR is set, on paths that resolve inside it, and passes
 * everything else to the next definition (RTLD_NEXT).
 *
 *  write/pwrite    sysfs attribute stores: faults, then the PCI/SR-IOV/mdev
 *                  model; other attributes get sysfs semantics (the value
 *                  replaces the content)
 *  open*           O_TRUNC dropped and O_CREAT refused (EACCES) under /sys;
 *                  a /dev path the fake host lacks is ENOENT; /dev/kvm tracked
 *  stat*, access*  the same ENOENT rule for /dev
 *  ioctl, close    /dev/kvm and the VM/vCPU fds it hands out
 *  syscall, (f)init_module, delete_module   module loading
 *  statvfs, statfs the numbers of TREE/fakehost/statfs
 */
#include "fh.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* not declared by glibc's headers */
int init_module(void *image, unsigned long len, const char *params);
int finit_module(int fd, const char *params, int flags);
int delete_module(const char *name, unsigned int flags);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __xstat(int ver, const char *path, struct stat *st);
int __xstat64(int ver, const char *path, struct stat64 *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat64 *st);

#define REAL(name) \
	static __typeof__(name) *real_##name; \
	if (!real_##name) \
		real_##name = (__typeof__(name) *)fh_next(#name)

/*
 * libc's own definition, past umockdev's. umockdev 0.17's open() and
 * fopen() connect a socket to the testbed's ioctl server for every path
 * under /dev/ and, when the testbed has none (ENOENT on ioctl/_default),
 * return without closing it (ioctl_emulate_open). The tree lives under
 * /dev/shm (tests/fakehost/run, bench/), so every file the model opens
 * in it, and every tree file a tool opens (KVMPREP_ROOT: the journal, the
 * lock), left a socket behind: thousands per VF-creating call, closed
 * only at exit, after the model's clock (fh_time_leave) stopped, so a
 * benchmark charged their teardown to the tool. umockdev redirects and
 * emulates nothing in the tree (it looks for TREE/TREE/...), so those
 * opens go to libc directly: the model's own (fh_busy) and any absolute
 * path inside the tree. /dev and /sys paths still go through umockdev.
 */
#define LIBC(name) \
	static __typeof__(name) *libc_##name; \
	if (!libc_##name) \
		libc_##name = (__typeof__(name) *)libc_sym(#name)

static void *libc_sym(const char *name)
{
	static void *h;

	if (!h)
		h = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	return h ? dlsym(h, name) : NULL;
}

/* 1 when an open of path needs nothing of umockdev's (see LIBC) */
static int past_umockdev(const char *path)
{
	if (fh_busy)
		return 1;
	return path && fh_active() && strncmp(path, fh_tree, fh_treelen) == 0 &&
	       path[fh_treelen] == '/';
}

/* ---- path rules ------------------------------------------------------- */

static int prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int dev_allowed(const char *p)
{
	static const char *const exact[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
					     "/dev/urandom", "/dev/tty", "/dev/stdin", "/dev/stdout",
					     "/dev/stderr", "/dev/ptmx", "/dev/fd", "/dev/pts",
					     "/dev/shm", "/dev/log", NULL };
	static const char *const pre[] = { "/dev/pts/", "/dev/fd/", "/dev/shm/", NULL };
	int i;

	for (i = 0; exact[i]; i++)
		if (!strcmp(p, exact[i]))
			return 1;
	for (i = 0; pre[i]; i++)
		if (prefix(p, pre[i]))
			return 1;
	return 0;
}

static int is_kvm(const char *p)
{
	return p && !strcmp(p, "/dev/kvm");
}

/* 0, or the errno the fake host answers for a /dev path */
static int dev_errno(const char *p)
{
	char t[FH_PATH];
	struct stat st;
	int r = 0;

	if (!p || !prefix(p, "/dev/") || dev_allowed(p))
		return 0;
	fh_lock();
	if (is_kvm(p)) {
		char state[32];

		fh_kvm_state(state, sizeof(state));
		if (!strcmp(state, "absent"))
			r = ENOENT;
	}
	if (!r && lstat(fh_p(t, "%s", p), &st) < 0)
		r = ENOENT;
	fh_unlock();
	return r;
}

/* checks before an open; may drop O_TRUNC, and opens a /dev node of the
 * fake host directly (*use = its tree path): umockdev 0.17 would look for
 * an ioctl socket of its testbed for it and exit when there is none.
 * 0 or errno. */
static int pre_open(const char *p, int *flags, const char **use, char *buf)
{
	struct stat st;
	int r = 0;

	*use = p;
	if (!p || !fh_active())
		return 0;
	if (prefix(p, "/dev/")) {
		r = dev_errno(p);
		if (!r && !dev_allowed(p)) {
			fh_lock();
			fh_p(buf, "%s", p);
			if (stat(buf, &st) == 0 && !S_ISDIR(st.st_mode))
				*use = buf;
			fh_unlock();
		}
		return r;
	}
	if (!prefix(p, "/sys/"))
		return 0;
	*flags &= ~O_TRUNC;	/* sysfs ignores it: an attribute is never truncated */
	fh_lock();
	if (lstat(fh_p(buf, "%s", p), &st) < 0) {
		if (*flags & O_CREAT)
			r = EACCES;	/* sysfs has no create() */
	} else if ((*flags & O_ACCMODE) != O_RDONLY && S_ISREG(st.st_mode) &&
		   !(st.st_mode & 0222)) {
		r = EACCES;	/* a read-only attribute */
	}
	fh_unlock();
	return r;
}

static void post_open(const char *p, int fd)
{
	if (fd < 0 || !is_kvm(p) || !fh_active())
		return;
	fh_lock();
	fh_kvm_track_sys(fd);
	fh_unlock();
}

static mode_t open_mode(int flags, va_list ap)
{
	if (flags & (O_CREAT | __O_TMPFILE))
		return (mode_t)va_arg(ap, int);
	return 0;
}

#define OPEN_BODY(call) \
	do { \
		char buf_[FH_PATH]; \
		const char *use_; \
		int e_ = pre_open(path, &flags, &use_, buf_), fd_; \
		if (e_) { \
			errno = e_; \
			return -1; \
		} \
		fd_ = call; \
		post_open(path, fd_); \
		return fd_; \
	} while (0)

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	REAL(open);
	LIBC(open);

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (past_umockdev(path) && libc_open)
		OPEN_BODY(libc_open(use_, flags, mode));
	OPEN_BODY(real_open(use_, flags, mode));
}

int open64(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	REAL(open64);
	LIBC(open64);

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (past_umockdev(path) && libc_open64)
		OPEN_BODY(libc_open64(use_, flags, mode));
	OPEN_BODY(real_open64(use_, flags, mode));
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	REAL(openat);
	LIBC(openat);

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (past_umockdev(path) && libc_openat)
		OPEN_BODY(libc_openat(dirfd, use_, flags, mode));
	OPEN_BODY(real_openat(dirfd, use_, flags, mode));
}

int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;
	REAL(openat64);
	LIBC(openat64);

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	if (past_umockdev(path) && libc_openat64)
		OPEN_BODY(libc_openat64(dirfd, use_, flags, mode));
	OPEN_BODY(real_openat64(dirfd, use_, flags, mode));
}

/* the fortified entry points: route them through open()/openat() */
int __open_2(const char *path, int flags)
{
	REAL(open);
	LIBC(open);

	if (past_umockdev(path) && libc_open)
		OPEN_BODY(libc_open(use_, flags));
	OPEN_BODY(real_open(use_, flags));
}

int __open64_2(const char *path, int flags)
{
	REAL(open64);
	LIBC(open64);

	if (past_umockdev(path) && libc_open64)
		OPEN_BODY(libc_open64(use_, flags));
	OPEN_BODY(real_open64(use_, flags));
}

int __openat_2(int dirfd, const char *path, int flags)
{
	REAL(openat);
	LIBC(openat);

	if (past_umockdev(path) && libc_openat)
		OPEN_BODY(libc_openat(dirfd, use_, flags));
	OPEN_BODY(real_openat(dirfd, use_, flags));
}

int __openat64_2(int dirfd, const char *path, int flags)
{
	REAL(openat64);
	LIBC(openat64);

	if (past_umockdev(path) && libc_openat64)
		OPEN_BODY(libc_openat64(dirfd, use_, flags));
	OPEN_BODY(real_openat64(dirfd, use_, flags));
}

static FILE *fopen_common(FILE *(*real)(const char *, const char *), const char *path,
			  const char *mode)
{
	char buf[FH_PATH];
	const char *use = path;
	int flags = 0, e;
	FILE *f;

	if (path && fh_active() && prefix(path, "/dev/")) {
		e = pre_open(path, &flags, &use, buf);
		if (e) {
			errno = e;
			return NULL;
		}
	}
	f = real(use, mode);
	if (f)
		post_open(path, fileno(f));
	return f;
}

FILE *fopen(const char *path, const char *mode)
{
	REAL(fopen);
	LIBC(fopen);

	return fopen_common(past_umockdev(path) && libc_fopen ? libc_fopen : real_fopen, path,
			    mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	REAL(fopen64);
	LIBC(fopen64);

	return fopen_common(past_umockdev(path) && libc_fopen64 ? libc_fopen64 : real_fopen64,
			    path, mode);
}

#define DEV_CHECK(path, fail) \
	do { \
		int e_ = fh_active() ? dev_errno(path) : 0; \
		if (e_) { \
			errno = e_; \
			return fail; \
		} \
	} while (0)

int stat(const char *path, struct stat *st)
{
	REAL(stat);
	DEV_CHECK(path, -1);
	return real_stat(path, st);
}

int stat64(const char *path, struct stat64 *st)
{
	REAL(stat64);
	DEV_CHECK(path, -1);
	return real_stat64(path, st);
}

int lstat(const char *path, struct stat *st)
{
	REAL(lstat);
	DEV_CHECK(path, -1);
	return real_lstat(path, st);
}

int lstat64(const char *path, struct stat64 *st)
{
	REAL(lstat64);
	DEV_CHECK(path, -1);
	return real_lstat64(path, st);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	REAL(fstatat);
	DEV_CHECK(path, -1);
	return real_fstatat(dirfd, path, st, flags);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	REAL(fstatat64);
	DEV_CHECK(path, -1);
	return real_fstatat64(dirfd, path, st, flags);
}

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *st)
{
	REAL(statx);
	DEV_CHECK(path, -1);
	return real_statx(dirfd, path, flags, mask, st);
}

int __xstat(int ver, const char *path, struct stat *st)
{
	REAL(__xstat);
	DEV_CHECK(path, -1);
	return real___xstat(ver, path, st);
}

int __xstat64(int ver, const char *path, struct stat64 *st)
{
	REAL(__xstat64);
	DEV_CHECK(path, -1);
	return real___xstat64(ver, path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	REAL(__lxstat);
	DEV_CHECK(path, -1);
	return real___lxstat(ver, path, st);
}

int __lxstat64(int ver, const char *path, struct stat64 *st)
{
	REAL(__lxstat64);
	DEV_CHECK(path, -1);
	return real___lxstat64(ver, path, st);
}

int access(const char *path, int mode)
{
	REAL(access);
	DEV_CHECK(path, -1);
	return real_access(path, mode);
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	REAL(faccessat);
	DEV_CHECK(path, -1);
	return real_faccessat(dirfd, path, mode, flags);
}

int euidaccess(const char *path, int mode)
{
	REAL(euidaccess);
	DEV_CHECK(path, -1);
	return real_euidaccess(path, mode);
}

int eaccess(const char *path, int mode)
{
	REAL(eaccess);
	DEV_CHECK(path, -1);
	return real_eaccess(path, mode);
}

/* ---- writes ---------------------------------------------------------- */

static int binary_attr(const char *path)
{
	const char *b = strrchr(path, '/');

	b = b ? b + 1 : path;
	return !strcmp(b, "config") || !strcmp(b, "rom") || !strcmp(b, "vpd") ||
	       prefix(b, "resource");
}

/* A write to a host file under /etc (persist's temporary files, then
 * renamed): only --fault applies (PATTERN=delay:MS, PATTERN=ERRNO; the
 * pattern is matched against the file as opened, e.g.
 * /etc/udev/rules.d/ and a glob), so a kill between two files' writes is
 * deterministic. 1 with *ret -1 when the fault refuses it, 0 pass through. */
static int etc_fault(const char *path, ssize_t *ret)
{
	int err, delay = 0;

	fh_lock();
	err = fh_fault_write(path + fh_treelen, path + fh_treelen, &delay);
	fh_unlock();
	if (!err && delay > 0) {
		struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (!err)
		return 0;
	errno = err;
	*ret = -1;
	return 1;
}

/* 1 when the write was the model's (*ret set), 0 pass through */
static int model_write(int fd, const void *buf, size_t n, ssize_t *ret)
{
	char path[FH_PATH];
	int err = 0, handled, delay = 0;

	if (fh_fd_path(fd, path, sizeof(path)) < 0 || strncmp(path, fh_tree, fh_treelen))
		return 0;
	if (prefix(path + fh_treelen, "/etc/"))
		return etc_fault(path, ret);
	if (!prefix(path + fh_treelen, "/sys/"))
		return 0;
	fh_lock();
	err = fh_fault_write(path + fh_treelen, NULL, &delay);
	if (!err && delay > 0) {
		/* a slow store (a driver's remove, a device reset): other
		 * processes go on meanwhile; a signal does not cut it short,
		 * as a sysfs store is not interrupted in the kernel */
		struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };

		fh_unlock();
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
		fh_lock();
	}
	if (err) {
		fh_unlock();
		errno = err;
		*ret = -1;
		return 1;
	}
	if (n == 0 || binary_attr(path)) {
		fh_unlock();
		return 0;
	}
	handled = fh_pci_write(path, buf, n, &err);
	if (!handled) {
		/* any other attribute: the value replaces the content */
		if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, n, 0) < 0)
			err = errno;
	}
	fh_unlock();
	if (err) {
		errno = err;
		*ret = -1;
	} else {
		*ret = (ssize_t)n;
	}
	return 1;
}

/* model_write, its time counted as the model's */
static int model_write_timed(int fd, const void *buf, size_t n, ssize_t *ret)
{
	int handled;

	fh_time_enter();
	handled = model_write(fd, buf, n, ret);
	fh_time_leave();
	return handled;
}

ssize_t write(int fd, const void *buf, size_t n)
{
	ssize_t r;
	REAL(write);

	if (fh_active() && model_write_timed(fd, buf, n, &r))
		return r;
	return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	ssize_t r;
	REAL(pwrite);

	if (fh_active() && model_write_timed(fd, buf, n, &r))
		return r;
	return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	ssize_t r;
	REAL(pwrite64);

	if (fh_active() && model_write_timed(fd, buf, n, &r))
		return r;
	return real_pwrite64(fd, buf, n, off);
}

/* ---- /dev/kvm ---------------------------------------------------------- */

int ioctl(int fd, unsigned long req, ...)
{
	va_list ap;
	void *arg;
	int r;
	REAL(ioctl);

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (fh_active()) {
		int handled;

		fh_lock();
		handled = fh_kvm_ioctl(fd, req, arg, &r);
		fh_unlock();
		if (handled)
			return r;
	}
	return real_ioctl(fd, req, arg);
}

int close(int fd)
{
	REAL(close);

	if (fh_active()) {
		fh_lock();
		fh_kvm_close(fd);
		fh_unlock();
	}
	return real_close(fd);
}

/* ---- modules ------------------------------------------------------------- */

static long do_finit_module(int fd, const char *params)
{
	char path[FH_PATH], name[128];
	const char *b;
	char *img = NULL;
	size_t len = 0;
	long r;

	fh_lock();
	if (fh_fd_path(fd, path, sizeof(path)) < 0) {
		fh_unlock();
		return -EBADF;
	}
	img = fh_slurp(path, &len);
	if (!img || fh_module_name_from_image(img, len, name, sizeof(name)) < 0) {
		char *dot;

		b = strrchr(path, '/');
		snprintf(name, sizeof(name), "%s", b ? b + 1 : path);
		dot = strstr(name, ".ko");
		if (dot)
			*dot = '\0';
		fh_module_name_norm(name);
	}
	free(img);
	r = fh_module_load(name, params);
	fh_unlock();
	return r;
}

static long do_init_module(const void *img, unsigned long len, const char *params)
{
	char name[128];
	long r;

	fh_lock();
	if (fh_module_name_from_image(img, len, name, sizeof(name)) < 0)
		r = -ENOEXEC;
	else
		r = fh_module_load(name, params);
	fh_unlock();
	return r;
}

static long do_delete_module(const char *name, unsigned flags)
{
	long r;

	fh_lock();
	r = fh_module_unload(name, flags);
	fh_unlock();
	return r;
}

static long ret_errno(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

long syscall(long nr, ...)
{
	va_list ap;
	long a[6];
	int i;
	REAL(syscall);

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (fh_active()) {
		if (nr == SYS_finit_module)
			return ret_errno(do_finit_module((int)a[0], (const char *)a[1]));
		if (nr == SYS_init_module)
			return ret_errno(do_init_module((const void *)a[0], (unsigned long)a[1],
							(const char *)a[2]));
		if (nr == SYS_delete_module)
			return ret_errno(do_delete_module((const char *)a[0], (unsigned)a[1]));
	}
	return real_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}

int init_module(void *image, unsigned long len, const char *params)
{
	REAL(init_module);

	if (fh_active())
		return (int)ret_errno(do_init_module(image, len, params));
	return real_init_module(image, len, params);
}

int finit_module(int fd, const char *params, int flags)
{
	if (fh_active())
		return (int)ret_errno(do_finit_module(fd, params));
	return (int)syscall(SYS_finit_module, fd, params, flags);
}

int delete_module(const char *name, unsigned int flags)
{
	REAL(delete_module);

	if (fh_active())
		return (int)ret_errno(do_delete_module(name, flags));
	return real_delete_module(name, flags);
}

/* ---- statvfs / statfs ---------------------------------------------------- */

static unsigned long long size_val(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	switch (*end) {
	case 'T': case 't': v <<= 10; /* fall through */
	case 'G': case 'g': v <<= 10; /* fall through */
	case 'M': case 'm': v <<= 10; /* fall through */
	case 'K': case 'k': v <<= 10;
	}
	return v;
}

struct fsnums {
	unsigned long long total, free, avail, bsize;
};

/* the statfs line whose path is the longest prefix of path; 1 found */
static int statfs_lookup(const char *path, struct fsnums *out)
{
	char p[FH_PATH], *data, *s;
	const char *q = path;
	size_t best = 0;

	if (!path || !fh_active())
		return 0;
	if (!strncmp(q, fh_tree, fh_treelen) && q[fh_treelen] == '/')
		q += fh_treelen;
	fh_lock();
	data = fh_slurp(fh_p(p, "/fakehost/statfs"), NULL);
	for (s = data; s && *s;) {
		char *nl = strchr(s, '\n'), *tok, *save = NULL;

		if (nl)
			*nl = '\0';
		tok = strtok_r(s, " \t", &save);
		if (tok && *tok == '/') {
			size_t l = strlen(tok);

			while (l > 1 && tok[l - 1] == '/')
				l--;
			if (!strncmp(q, tok, l) && (q[l] == '\0' || q[l] == '/' || l == 1) && l > best) {
				struct fsnums f = { 0, 0, (unsigned long long)-1, 4096 };
				char *kv;
				int pos = 0;

				best = l;
				/* "PATH TOTAL FREE" (bytes), or key=value words */
				while ((kv = strtok_r(NULL, " \t", &save))) {
					if (!strchr(kv, '=')) {
						if (pos == 0)
							f.total = size_val(kv);
						else if (pos == 1)
							f.free = size_val(kv);
						pos++;
					} else if (prefix(kv, "total="))
						f.total = size_val(kv + 6);
					else if (prefix(kv, "free="))
						f.free = size_val(kv + 5);
					else if (prefix(kv, "avail="))
						f.avail = size_val(kv + 6);
					else if (prefix(kv, "bsize="))
						f.bsize = size_val(kv + 6);
				}
				if (f.avail == (unsigned long long)-1)
					f.avail = f.free;
				if (!f.bsize)
					f.bsize = 4096;
				*out = f;
			}
		}
		s = nl ? nl + 1 : NULL;
	}
	free(data);
	fh_unlock();
	return best > 0;
}

static void fill_statvfs(struct statvfs *b, const struct fsnums *f)
{
	memset(b, 0, sizeof(*b));
	b->f_bsize = b->f_frsize = f->bsize;
	b->f_blocks = f->total / f->bsize;
	b->f_bfree = f->free / f->bsize;
	b->f_bavail = f->avail / f->bsize;
	b->f_files = 1000000;
	b->f_ffree = b->f_favail = 900000;
	b->f_namemax = 255;
}

static void fill_statfs(struct statfs *b, const struct fsnums *f)
{
	memset(b, 0, sizeof(*b));
	b->f_type = 0xEF53;	/* ext4 */
	b->f_bsize = b->f_frsize = (long)f->bsize;
	b->f_blocks = f->total / f->bsize;
	b->f_bfree = f->free / f->bsize;
	b->f_bavail = f->avail / f->bsize;
	b->f_files = 1000000;
	b->f_ffree = 900000;
	b->f_namelen = 255;
}

int statvfs(const char *path, struct statvfs *buf)
{
	struct fsnums f;
	REAL(statvfs);

	if (statfs_lookup(path, &f)) {
		fill_statvfs(buf, &f);
		return 0;
	}
	return real_statvfs(path, buf);
}

int statvfs64(const char *path, struct statvfs64 *buf)
{
	struct fsnums f;
	REAL(statvfs64);

	if (statfs_lookup(path, &f)) {
		fill_statvfs((struct statvfs *)buf, &f);
		return 0;
	}
	return real_statvfs64(path, buf);
}

int statfs(const char *path, struct statfs *buf)
{
	struct fsnums f;
	REAL(statfs);

	if (statfs_lookup(path, &f)) {
		fill_statfs(buf, &f);
		return 0;
	}
	return real_statfs(path, buf);
}

int statfs64(const char *path, struct statfs64 *buf)
{
	struct fsnums f;
	REAL(statfs64);

	if (statfs_lookup(path, &f)) {
		fill_statfs((struct statfs *)buf, &f);
		return 0;
	}
	return real_statfs64(path, buf);
}

/* ---- _exit ------------------------------------------------------------ */

/* A forked child that ends with _exit (no destructors) still reports the
 * model's CPU time it used (bench/sriov.sh: the tool's sriov_numvfs writer). */
void _exit(int status)
{
	void (*real)(int) = (void (*)(int))fh_next("_exit");

	if (fh_treelen)
		fh_model_time_flush();
	real(status);
	__builtin_unreachable();
}
