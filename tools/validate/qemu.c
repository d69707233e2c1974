/* SPDX-License-Identifier: MIT */
/* QEMU as validate sees it without running it: where the binary is, its
 * version, the machine types and CPU models it offers, all read from the
 * string literals in its .rodata. */
#include "validate.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "root.h"

int vqemu_path(const struct vctx *c, char *path, size_t pn, char *shown, size_t sn)
{
	static const char *const dirs[] = { "/usr/bin", "/usr/libexec", "/usr/local/bin" };
	const char *arch = c->cpu.arch == KP_ARCH_S390X ? "s390x" : kp_arch_name(c->cpu.arch);
	char names[2][64];
	size_t d, i;

	snprintf(names[0], sizeof(names[0]), "qemu-system-%s", arch);
	snprintf(names[1], sizeof(names[1]), "qemu-kvm");
	for (i = 0; i < 2; i++)
		for (d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
			snprintf(shown, sn, "%s/%s", dirs[d], names[i]);
			if (kp_path(path, pn, shown) < 0 || access(path, X_OK) < 0)
				continue;
			return 0;
		}
	shown[0] = path[0] = '\0';
	return -ENOENT;
}

/*
 * Where to look for QEMU's version string: the .rodata section of a native
 * ELF64 executable (0 and *off, *len set), else -ENOENT (scan the whole file:
 * a script, another ELF class, a stripped section table).
 */
int vqemu_rodata_range(int fd, off_t *off, off_t *len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strsh;
	char name[8];
	unsigned i;

	if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shstrndx == SHN_UNDEF ||
	    eh.e_shstrndx >= eh.e_shnum)
		return -ENOENT;
	if (pread(fd, &strsh, sizeof(strsh), (off_t)(eh.e_shoff + eh.e_shstrndx * sizeof(sh))) !=
	    (ssize_t)sizeof(strsh))
		return -ENOENT;
	for (i = 0; i < eh.e_shnum; i++) {
		if (pread(fd, &sh, sizeof(sh), (off_t)(eh.e_shoff + i * sizeof(sh))) != (ssize_t)sizeof(sh))
			return -ENOENT;
		if (sh.sh_type != SHT_PROGBITS || sh.sh_name >= strsh.sh_size)
			continue;
		if (pread(fd, name, sizeof(name), (off_t)(strsh.sh_offset + sh.sh_name)) !=
		    (ssize_t)sizeof(name))
			continue;
		if (!memcmp(name, ".rodata", 8)) {
			*off = (off_t)sh.sh_offset;
			*len = (off_t)sh.sh_size;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The bytes validate reads QEMU's strings from: the .rodata of a native
 * ELF64 executable, else the whole file (a script, another ELF class, a
 * stripped section table) up to 64 MiB, mapped read-only: no copy of the
 * megabytes searched (a read() of each cost a tenth of a run). A file
 * truncated under the mapping raises SIGBUS on access: scan() turns that
 * into -EIO instead of a killed tool.
 */
struct qmap {
	void *map;
	size_t maplen;
	const char *buf; /* what to search, inside map */
	size_t len;
};

static int qmap_open(const char *path, struct qmap *q)
{
	const off_t cap = 64 << 20;
	off_t pos = 0, len, start;
	struct stat st;
	char magic[4];
	int fd, r = 0;

	memset(q, 0, sizeof(*q));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISREG(st.st_mode) ? -errno : -ENOEXEC;
		goto out;
	}
	if (pread(fd, magic, 4, 0) != 4 || (memcmp(magic, ELFMAG, SELFMAG) && memcmp(magic, "#!", 2))) {
		r = -ENOEXEC;
		goto out;
	}
	if (vqemu_rodata_range(fd, &pos, &len) < 0 || pos < 0 || len <= 0 || pos > st.st_size ||
	    len > st.st_size - pos) {
		pos = 0;
		len = st.st_size < cap ? st.st_size : cap;
	}
	start = pos & ~(off_t)(sysconf(_SC_PAGESIZE) - 1);
	q->maplen = (size_t)(pos - start + len);
	q->map = mmap(NULL, q->maplen, PROT_READ, MAP_PRIVATE, fd, start);
	if (q->map == MAP_FAILED) {
		r = -errno;
		q->map = NULL;
		goto out;
	}
	q->buf = (const char *)q->map + (pos - start);
	q->len = (size_t)len;
out:
	close(fd);
	return r;
}

static void qmap_close(struct qmap *q)
{
	if (q->map)
		munmap(q->map, q->maplen);
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	siglongjmp(bus_jmp, 1);
}

/* fn(q, arg) with SIGBUS (the file shrank under the mapping) caught: its
 * return, or -EIO */
static int scan(const struct qmap *q, int (*fn)(const struct qmap *q, void *arg), void *arg)
{
	struct sigaction sa, old;
	volatile int r = -EIO;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_bus;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &old) < 0)
		return -errno;
	if (sigsetjmp(bus_jmp, 1) == 0)
		r = fn(q, arg);
	sigaction(SIGBUS, &old, NULL);
	return r;
}

struct version_arg {
	char *buf;
	size_t n;
};

static int find_version(const struct qmap *q, void *arg)
{
	static const char needle[] = "QEMU emulator version ";
	const size_t nl = sizeof(needle) - 1, tail = 128;
	struct version_arg *v = arg;
	const char *hit = memmem(q->buf, q->len, needle, nl), *end = q->buf + q->len;
	size_t i;

	if (!hit)
		return -ENOENT;
	hit += nl;
	for (i = 0; i < v->n - 1 && hit + i < end && i < tail; i++)
		if (hit[i] == '\n' || hit[i] == '\0' || hit[i] == '\'' || hit[i] == '"')
			break;
	memcpy(v->buf, hit, i);
	v->buf[i] = '\0';
	return 0;
}

/*
 * The version QEMU would print for --version, read from the binary instead of
 * running it: QEMU builds that line from one string literal, "QEMU emulator
 * version " QEMU_FULL_VERSION, so it stands whole in the executable's
 * .rodata. Starting QEMU costs more (15 ms, 25 MiB here) than every other
 * check together; this costs well under a millisecond. 0 and buf set (the
 * text after "version ", up to the end of the line), -ENOEXEC when the file
 * is neither an ELF executable nor a script, -ENOENT when no version string
 * is in it.
 */
static int scan_version(const char *path, char *buf, size_t n)
{
	struct version_arg v = { buf, n };
	struct qmap q;
	int r = qmap_open(path, &q);

	if (r == 0)
		r = scan(&q, find_version, &v);
	qmap_close(&q);
	return r;
}

int vqemu_version(const char *path, char *buf, size_t n)
{
	int r = scan_version(path, buf, n);

	if (r == 0)
		buf[strcspn(buf, " (")] = '\0';
	return r;
}

struct strings_arg {
	const char *first;
	void (*fn)(const char *s, size_t len, void *arg);
	void *arg;
};

static int each_string(const struct qmap *q, void *arg)
{
	const struct strings_arg *a = arg;
	const char *p = q->buf, *end = q->buf + q->len, *z;

	/* a string cut by the end of the section is not one */
	for (; p < end && (z = memchr(p, '\0', (size_t)(end - p))); p = z + 1)
		if (z > p && (!a->first || strchr(a->first, *p)))
			a->fn(p, (size_t)(z - p), a->arg);
	return 0;
}

/*
 * Call fn on every NUL-terminated string of the binary's .rodata (the whole
 * file for a script or another format, up to 64 MiB) that starts with one
 * of the bytes in first (NULL: every string). 0 or -errno.
 */
int vqemu_strings(const char *path, const char *first,
		  void (*fn)(const char *s, size_t len, void *arg), void *arg)
{
	struct strings_arg a = { first, fn, arg };
	struct qmap q;
	int r = qmap_open(path, &q);

	if (r == -ENOEXEC)
		r = 0; /* not a program: it offers nothing */
	else if (r == 0)
		r = scan(&q, each_string, &a);
	qmap_close(&q);
	return r;
}
