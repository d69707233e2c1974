/* SPDX-License-Identifier: MIT */
#include "err.h"
#include "exitcodes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *program = "kvmprep";
static int quiet;

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
	char msg[1024];

	/* a positive errno passed by mistake still names the right reason */
	if (neg_errno > 0)
		neg_errno = -neg_errno;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s%s%s%s%s\n", program, tag ? tag : "",
		obj ? obj : "", obj ? ": " : "", msg,
		neg_errno ? ": " : "", neg_errno ? strerror(-neg_errno) : "");
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

	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s (try '%s --help')\n", program, msg, program);
	return KP_EXIT_USAGE;
}
