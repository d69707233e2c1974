/* SPDX-License-Identifier: MIT */
/* QEMU as validate sees it without running it: where the binary is, its
 * version, the machine types and CPU models it offers, all read from the
 * string literals in its .rodata. */
#include "validate.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* 0 when fd starts like a program (an ELF executable or a script), else
 * -ENOEXEC or -errno */
static int program_magic(int fd)
{
	char magic[4];
	ssize_t got = pread(fd, magic, sizeof(magic), 0);

	if (got < 0)
		return -errno;
	if (got != 4 || (memcmp(magic, ELFMAG, SELFMAG) && memcmp(magic, "#!", 2)))
		return -ENOEXEC;
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
	static const char needle[] = "QEMU emulator version ";
	const size_t nl = sizeof(needle) - 1, tail = 128;
	char chunk[16 * 1024], *hit = NULL;
	off_t pos = 0, end = -1, len;
	size_t keep = 0, have = 0, i;
	ssize_t got;
	int fd, r = -ENOENT;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = program_magic(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	r = -ENOENT;
	if (vqemu_rodata_range(fd, &pos, &len) == 0)
		end = pos + len;
	for (;;) {
		size_t want = sizeof(chunk) - keep;

		if (end >= 0 && (off_t)want > end - pos)
			want = (size_t)(end - pos);
		got = want ? pread(fd, chunk + keep, want, pos) : 0;
		if (got < 0) {
			r = -errno;
			break;
		}
		pos += got;
		have = keep + (size_t)got;
		hit = memmem(chunk, have, needle, nl);
		/* found with its line whole, or nothing more to read */
		if ((hit && (size_t)(chunk + have - hit) >= nl + tail) || got == 0)
			break;
		hit = NULL;
		/* keep the end: the string may straddle two reads */
		keep = have < nl + tail ? have : nl + tail;
		memmove(chunk, chunk + have - keep, keep);
	}
	if (hit) {
		size_t left = (size_t)(chunk + have - hit) - nl;

		hit += nl;
		for (i = 0; i < n - 1 && i < left && i < tail; i++)
			if (hit[i] == '\n' || hit[i] == '\0' || hit[i] == '\'' || hit[i] == '"')
				break;
		memcpy(buf, hit, i);
		buf[i] = '\0';
		r = 0;
	}
	close(fd);
	return r;
}

int vqemu_version(const char *path, char *buf, size_t n)
{
	int r = scan_version(path, buf, n);

	if (r == 0)
		buf[strcspn(buf, " (")] = '\0';
	return r;
}

/*
 * Call fn on every NUL-terminated string of the binary's .rodata (the whole
 * file for a script or an ELF without a section table, up to 64 MiB; none
 * for a file that is not a program) that starts with one
 * of the bytes in first (NULL: every string). Read in chunks, so memory
 * stays small whatever the binary's size. 0 or -errno.
 */
int vqemu_strings(const char *path, const char *first,
		  void (*fn)(const char *s, size_t len, void *arg), void *arg)
{
	static char chunk[1 << 16];
	off_t pos = 0, end = 64 << 20, len;
	size_t keep = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (program_magic(fd) < 0) {
		close(fd);
		return 0; /* not a program: it offers nothing */
	}
	if (vqemu_rodata_range(fd, &pos, &len) == 0)
		end = pos + len;
	while (pos < end) {
		size_t want = sizeof(chunk) - keep, have, start = 0, i;
		ssize_t got;

		if ((off_t)want > end - pos)
			want = (size_t)(end - pos);
		got = pread(fd, chunk + keep, want, pos);
		if (got < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
		if (got == 0)
			break;
		pos += got;
		have = keep + (size_t)got;
		for (i = 0; i < have; i++) {
			if (chunk[i])
				continue;
			if (i > start && (!first || strchr(first, chunk[start])))
				fn(chunk + start, i - start, arg);
			start = i + 1;
		}
		/* the unfinished string goes on in the next chunk (a string
		 * longer than a chunk is dropped: no name is that long) */
		keep = have - start;
		if (keep >= sizeof(chunk) / 2)
			keep = 0;
		memmove(chunk, chunk + start, keep);
	}
	close(fd);
	return 0;
}
