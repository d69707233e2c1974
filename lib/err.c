/* SPDX-License-Identifier: MIT */
#include "err.h"
#include "exitcodes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when the byte at p
 * does not start one (overlong forms, surrogates and code points above
 * U+10FFFF are invalid, as RFC 3629 says). *cp gets the code point. */
static size_t utf8_len(const unsigned char *p, unsigned *cp)
{
	unsigned c = p[0], v;
	size_t n, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, v = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, v = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, v = c & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
	    (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* What replaces the sequence at p (len bytes, code point cp), or NULL to
 * keep it. buf holds the escape. */
static const char *esc_one(const unsigned char *p, size_t len, unsigned cp, int mode,
			   char buf[16])
{
	if (len == 0) {
		snprintf(buf, 16, "\\x%02x", p[0]);
		return buf;
	}
	if (mode != KP_ESC_TERM || !(cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0)))
		return NULL;
	if (cp == '\n')
		return "\\n";
	if (cp == '\t')
		return "\\t";
	if (cp == '\r')
		return "\\r";
	buf[0] = '\0';
	for (size_t i = 0; i < len; i++)
		snprintf(buf + strlen(buf), 16 - strlen(buf), "\\x%02x", p[i]);
	return buf;
}

int kp_esc_needed(const char *s, int mode)
{
	const unsigned char *p = (const unsigned char *)s;
	char buf[16];

	while (p && *p) {
		unsigned cp = 0;
		size_t len = utf8_len(p, &cp);

		if (esc_one(p, len, cp, mode, buf))
			return 1;
		p += len ? len : 1;
	}
	return 0;
}

char *kp_esc(char *dst, size_t n, const char *s, int mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0;

	if (n == 0)
		return dst;
	while (p && *p) {
		unsigned cp = 0;
		size_t len = utf8_len(p, &cp), k;
		char buf[16];
		const char *rep = esc_one(p, len, cp, mode, buf);

		if (!len)
			len = 1;
		k = rep ? strlen(rep) : len;
		if (o + k >= n)
			break;
		memcpy(dst + o, rep ? rep : (const char *)p, k);
		o += k;
		p += len;
	}
	dst[o] = '\0';
	return dst;
}

char *kp_esc_dup(const char *s, int mode)
{
	size_t n = strlen(s) * 4 + 1;
	char *d = malloc(n);

	return d ? kp_esc(d, n, s, mode) : NULL;
}

static const char *program = "kvmprep";
static int quiet;
static char last[2048]; /* the last error, without the program name */

void kp_set_program(const char *name)
{
	const char *slash;

	if (!name || !*name)
		return;
	slash = strrchr(name, '/');

	program = slash ? slash + 1 : name;
}

const char *kp_program(void)
{
	return program;
}

void kp_set_quiet(int q)
{
	quiet = q;
}

static void vreport(const char *tag, const char *obj, int neg_errno,
		    const char *fmt, va_list ap)
{
	char raw[1024], msg[1024], eobj[512];

	/* a positive errno passed by mistake still names the right reason */
	if (neg_errno > 0)
		neg_errno = -neg_errno;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	kp_esc(msg, sizeof(msg), raw, KP_ESC_TERM);
	if (obj)
		obj = kp_esc(eobj, sizeof(eobj), obj, KP_ESC_TERM);
	fprintf(stderr, "%s: %s%s%s%s%s%s\n", program, tag ? tag : "",
		obj ? obj : "", obj ? ": " : "", msg,
		neg_errno ? ": " : "", neg_errno ? strerror(-neg_errno) : "");
	if (!tag)
		snprintf(last, sizeof(last), "%s%s%s%s%s", obj ? obj : "", obj ? ": " : "", msg,
			 neg_errno ? ": " : "", neg_errno ? strerror(-neg_errno) : "");
}

const char *kp_last_error(void)
{
	return last[0] ? last : NULL;
}

void kp_err(const char *obj, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, obj, 0, fmt, ap);
	va_end(ap);
}

void kp_err_errno(const char *obj, int neg_errno, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, obj, neg_errno, fmt, ap);
	va_end(ap);
}

void kp_warn(const char *obj, const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vreport("warning: ", obj, 0, fmt, ap);
	va_end(ap);
}

int kp_usage_err(const char *fmt, ...)
{
	va_list ap;

	char raw[1024], msg[1024];

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	kp_esc(msg, sizeof(msg), raw, KP_ESC_TERM);
	fprintf(stderr, "%s: %s (try '%s --help')\n", program, msg, program);
	snprintf(last, sizeof(last), "%s", msg);
	return KP_EXIT_USAGE;
}

int kp_bad_option(int c, char *const argv[], int optind_now, int optopt_now)
{
	const char *arg = optind_now > 0 ? argv[optind_now - 1] : "";
	char shortopt[3] = { '-', (char)optopt_now, '\0' };

	if (arg[0] == '-' && arg[1] == '-') {
		/* a long option: getopt sets optopt to its value when it knows
		 * the option (missing or unwanted argument), to 0 when not */
		int len = (int)strcspn(arg, "=");

		if (c == ':')
			return kp_usage_err("option '%.*s' needs an argument", len, arg);
		if (optopt_now && arg[len] == '=')
			return kp_usage_err("option '%.*s' takes no argument", len, arg);
		return kp_usage_err("unknown option '%.*s'", len, arg);
	}
	/* a short option, alone or in a cluster (-jZ) */
	if (c == ':')
		return kp_usage_err("option '%s' needs an argument", shortopt);
	return kp_usage_err("unknown option '%s'", shortopt);
}
