/* SPDX-License-Identifier: MIT */
#include "ids.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Exactly n hex digits at s into *v. 0 or -EINVAL. */
static int hexn(const char *s, size_t n, unsigned *v)
{
	unsigned x = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (!isxdigit(c))
			return -EINVAL;
		x = x * 16 + (unsigned)(isdigit(c) ? c - '0' : tolower(c) - 'a' + 10);
	}
	*v = x;
	return 0;
}

/*
 * The kernel's own form, "%04x:%02x:%02x.%d" (domain:bus:device.function),
 * with the domain optional (as lspci prints it): device below 0x20,
 * function below 8. Domains wider than 16 bits (Intel VMD's 10000:) do not
 * fit the 12-character form and are rejected.
 */
int kp_bdf_parse(const char *in, char out[13])
{
	unsigned dom = 0, bus, dev, fn;
	size_t len;

	if (!in)
		return -EINVAL;
	len = strlen(in);
	if (len == 12) {
		if (hexn(in, 4, &dom) < 0 || in[4] != ':')
			return -EINVAL;
		in += 5;
	} else if (len != 7) {
		return -EINVAL;
	}
	if (hexn(in, 2, &bus) < 0 || in[2] != ':' || hexn(in + 3, 2, &dev) < 0 ||
	    in[5] != '.' || in[6] < '0' || in[6] > '7')
		return -EINVAL;
	fn = (unsigned)(in[6] - '0');
	if (dev >= 0x20)
		return -EINVAL;
	snprintf(out, 13, "%04x:%02x:%02x.%u", dom, bus, dev, fn);
	return 0;
}

/* "VVVV:DDDD", four hex digits each (any case), as lspci -n prints it. */
int kp_pciid_parse(const char *in, unsigned *vendor, unsigned *device)
{
	unsigned v, d;

	if (!in || strlen(in) != 9 || in[4] != ':' || hexn(in, 4, &v) < 0 ||
	    hexn(in + 5, 4, &d) < 0)
		return -EINVAL;
	if (vendor)
		*vendor = v;
	if (device)
		*device = d;
	return 0;
}

/* 8-4-4-4-12 hex digits, either case (the kernel's uuid_parse accepts both). */
int kp_uuid_check(const char *in)
{
	static const size_t group[] = { 8, 4, 4, 4, 12 };
	unsigned dummy;

	if (!in || strlen(in) != 36)
		return -EINVAL;
	for (size_t g = 0; g < 5; g++) {
		for (size_t i = 0; i < group[g]; i++)
			if (hexn(in + i, 1, &dummy) < 0)
				return -EINVAL;
		in += group[g];
		if (g < 4 && *in++ != '-')
			return -EINVAL;
	}
	return 0;
}

/* The kernel's dev_valid_name(): 1..15 bytes (IFNAMSIZ 16 with the NUL),
 * not "." or "..", no '/', ':' or white space. */
int kp_ifname_check(const char *in)
{
	size_t len;

	if (!in)
		return -EINVAL;
	len = strlen(in);
	if (len == 0 || len > 15 || !strcmp(in, ".") || !strcmp(in, ".."))
		return -EINVAL;
	for (const char *p = in; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return -EINVAL;
	return 0;
}

int kp_driver_check(const char *in)
{
	size_t n;

	if (!in)
		return -EINVAL;
	n = strlen(in);
	if (n == 0 || n > 31)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		/* ASCII only, whatever the locale */
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_' && c != '-')
			return -EINVAL;
	}
	return 0;
}
