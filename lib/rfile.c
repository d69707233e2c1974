/* SPDX-License-Identifier: MIT */
#include "rfile.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void vset_err(struct kp_rfile *f, int line, const char *fmt, va_list ap)
{
	char msg[KP_RFILE_ERRLEN - sizeof(f->name) - 16];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(f->err, sizeof(f->err), "%s:%d: %s", f->name, line, msg);
	else
		snprintf(f->err, sizeof(f->err), "%s: %s", f->name, msg);
}

static int set_err(struct kp_rfile *f, int line, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int set_err(struct kp_rfile *f, int line, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_err(f, line, fmt, ap);
	va_end(ap);
	return r;
}

int kp_rfile_bad_at(struct kp_rfile *f, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_err(f, line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int kp_rfile_bad(struct kp_rfile *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_err(f, f->line, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void init(struct kp_rfile *f, const char *name)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name ? name : "(input)");
}

/* The content checks every file gets, wherever it came from. */
static int check_text(struct kp_rfile *f)
{
	const char *nul = memchr(f->text, '\0', f->len);

	if (nul) {
		int line = 1;

		for (const char *p = f->text; p < nul; p++)
			line += *p == '\n';
		return set_err(f, line, -EINVAL, "contains a NUL byte: file refused");
	}
	return 0;
}

static const char *kind(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "not a regular file";
}

int kp_rfile_open(struct kp_rfile *f, const char *abs, size_t max, unsigned flags)
{
	char path[PATH_MAX];
	struct stat st;
	size_t cap;
	int fd, r;

	init(f, abs);
	if (max == 0)
		max = KP_RFILE_MAX;
	r = kp_path(path, sizeof(path), abs);
	if (r < 0)
		return set_err(f, 0, r, "cannot open: %s", strerror(-r));
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		if (r == -ELOOP)
			return set_err(f, 0, -EINVAL, "is a symbolic link: file refused");
		return set_err(f, 0, r, "cannot open: %s", strerror(-r));
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return set_err(f, 0, r, "cannot open: %s", strerror(-r));
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return set_err(f, 0, -EINVAL, "is %s, not a regular file: file refused",
			       kind(st.st_mode));
	}
	if (!(flags & KP_RFILE_ANY_OWNER)) {
		if (st.st_uid != 0 && st.st_uid != geteuid()) {
			close(fd);
			return set_err(f, 0, -EINVAL, "is owned by uid %u, not by root: file refused",
				       (unsigned)st.st_uid);
		}
		if (st.st_mode & (S_IWGRP | S_IWOTH)) {
			close(fd);
			return set_err(f, 0, -EINVAL,
				       "is writable by %s (mode %04o): file refused",
				       st.st_mode & S_IWOTH ? "others" : "its group",
				       (unsigned)(st.st_mode & 07777));
		}
	}
	if ((unsigned long long)st.st_size > max) {
		close(fd);
		return set_err(f, 0, -EINVAL, "is larger than %zu bytes: file refused", max);
	}
	/* read at most max + 1 bytes: a file that grows past the cap after the
	 * fstat is refused too */
	cap = (size_t)st.st_size + 1;
	f->text = malloc(cap + 1);
	if (!f->text) {
		close(fd);
		return set_err(f, 0, -ENOMEM, "cannot read: %s", strerror(ENOMEM));
	}
	for (;;) {
		ssize_t got;

		if (f->len == cap) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *nb;

			if (cap >= max + 1) {
				close(fd);
				return set_err(f, 0, -EINVAL, "is larger than %zu bytes: file refused",
					       max);
			}
			nb = realloc(f->text, ncap + 1);
			if (!nb) {
				close(fd);
				return set_err(f, 0, -ENOMEM, "cannot read: %s", strerror(ENOMEM));
			}
			f->text = nb;
			cap = ncap;
		}
		got = read(fd, f->text + f->len, cap - f->len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = -errno;
			close(fd);
			return set_err(f, 0, r, "cannot read: %s", strerror(-r));
		}
		if (got == 0)
			break;
		f->len += (size_t)got;
	}
	close(fd);
	if (f->len > max)
		return set_err(f, 0, -EINVAL, "is larger than %zu bytes: file refused", max);
	f->text[f->len] = '\0';
	return check_text(f);
}

int kp_rfile_from_buffer(struct kp_rfile *f, const char *name, const char *data,
			 size_t len, size_t max)
{
	init(f, name);
	if (max == 0)
		max = KP_RFILE_MAX;
	if (len > max)
		return set_err(f, 0, -EINVAL, "is larger than %zu bytes: file refused", max);
	f->text = malloc(len + 1);
	if (!f->text)
		return set_err(f, 0, -ENOMEM, "cannot read: %s", strerror(ENOMEM));
	if (len)
		memcpy(f->text, data, len);
	f->text[len] = '\0';
	f->len = len;
	return check_text(f);
}

int kp_rfile_next(struct kp_rfile *f, char **fields, size_t max, size_t *n)
{
	*n = 0;
	while (f->text && f->pos < f->len) {
		char *p = f->text + f->pos, *end = memchr(p, '\n', f->len - f->pos);
		size_t k = 0;

		if (!end)
			end = f->text + f->len;
		f->pos = (size_t)(end - f->text) + (end < f->text + f->len);
		f->line++;
		*end = '\0';
		if (end > p && end[-1] == '\r')
			end[-1] = '\0';
		for (char *q = p; *q; q++)
			if ((unsigned char)*q < 0x20 && *q != '\t')
				return kp_rfile_bad(f, "control character 0x%02x: file refused",
						    (unsigned char)*q);
			else if (*q == 0x7f)
				return kp_rfile_bad(f, "control character 0x7f: file refused");
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '\0' || *p == '#')
				break;
			if (k == max)
				return kp_rfile_bad(f, "too many fields (at most %zu)", max);
			fields[k++] = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
			if (*p)
				*p++ = '\0';
		}
		if (k > 0) {
			*n = k;
			return 1;
		}
	}
	return 0;
}

void kp_rfile_close(struct kp_rfile *f)
{
	if (!f)
		return;
	free(f->text);
	f->text = NULL;
	f->len = f->pos = 0;
}
