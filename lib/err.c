/* SPDX-License-Identifier: MIT */
#include "err.h"
#include "exitcodes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *program = "kvmprep";
static int quiet;
static char last[1200]; /* the last error, without the program name */

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

	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
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
