/* SPDX-License-Identifier: MIT */
#include "cmdline.h"
#include "root.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Equal parameter names, '-' and '_' alike, up to len bytes of a. */
static int name_eq(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (!b[i] || x != y)
			return 0;
	}
	return b[alen] == '\0';
}

/* Next word: start/length of name and value (quotes removed from the
 * outside of the value as the kernel does). Returns pointer past the word,
 * or NULL at the end / at "--". */
static const char *next_word(const char *p, const char **name, size_t *nlen,
			     const char **value, size_t *vlen, int *has_value)
{
	const char *start, *eq = NULL;
	int inq = 0;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (!*p)
		return NULL;
	start = p;
	if (*p == '"') {
		inq = 1;
		start = ++p;
	}
	for (; *p; p++) {
		if (*p == '"') {
			inq = !inq;
			continue;
		}
		if (!inq && (*p == ' ' || *p == '\t' || *p == '\n'))
			break;
		if (!eq && *p == '=')
			eq = p;
	}
	if (p - start == 2 && !strncmp(start, "--", 2) && !eq)
		return NULL;
	*name = start;
	if (eq) {
		const char *v = eq + 1, *e = p;

		*nlen = (size_t)(eq - start);
		if (*v == '"')
			v++;
		if (e > v && e[-1] == '"')
			e--;
		*value = v;
		*vlen = (size_t)(e - v);
		*has_value = 1;
	} else {
		const char *e = p;

		if (e > start && e[-1] == '"')
			e--;
		*nlen = (size_t)(e - start);
		*value = e;
		*vlen = 0;
		*has_value = 0;
	}
	return p;
}

int kp_cmdline_get(const char *cmdline, const char *key, char *val, size_t n)
{
	const char *p = cmdline, *name, *value, *found = NULL;
	size_t nlen, vlen, flen = 0;
	int hv;

	while ((p = next_word(p, &name, &nlen, &value, &vlen, &hv))) {
		if (name_eq(name, nlen, key)) {
			found = value;
			flen = vlen;
		}
	}
	if (!found)
		return 0;
	if (val) {
		if (flen >= n)
			return -ENAMETOOLONG;
		memcpy(val, found, flen);
		val[flen] = '\0';
	}
	return 1;
}

int kp_cmdline_has_item(const char *cmdline, const char *key, const char *item)
{
	char val[512], *tok, *save;
	int r;

	r = kp_cmdline_get(cmdline, key, val, sizeof(val));
	if (r <= 0)
		return 0;
	for (tok = strtok_r(val, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, item))
			return 1;
	return 0;
}

int kp_cmdline_read(char **out)
{
	char *text, *nl;
	int r;

	r = kp_read_file("/proc/cmdline", &text, NULL);
	if (r < 0)
		return r;
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	*out = text;
	return 0;
}
