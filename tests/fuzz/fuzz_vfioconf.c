/* SPDX-License-Identifier: MIT */
/* /etc/kvmprep/vfio.conf through the hardened reader (lib/rfile.c,
 * lib/persist.c). Properties: an accepted file's entries all pass the
 * entry check, their udev rule has exactly the quotes the template has (no
 * field can open or close one), and conf text -> parse gives the entries
 * back. A refused file says FILE[:LINE]: on one line. */
#include "fuzz.h"
#include "persist.h"
#include "rfile.h"

#include <errno.h>

static size_t count(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kp_persist_entry *e = NULL, *e2 = NULL;
	struct kp_rfile f, f2;
	size_t n = 0, n2 = 0;
	char *conf, *rules;
	int r;

	r = kp_rfile_from_buffer(&f, "/etc/kvmprep/vfio.conf", (const char *)data, size,
				 KP_VFIO_CONF_MAX);
	if (r == 0)
		r = kp_persist_parse(&f, &e, &n);
	if (r < 0) {
		FUZZ_ASSERT(r == -EINVAL || r == -ENOMEM);
		FUZZ_ASSERT(e == NULL);
		if (r == -EINVAL) {
			FUZZ_ASSERT(strncmp(f.err, "/etc/kvmprep/vfio.conf", 22) == 0);
			FUZZ_ASSERT(!strchr(f.err, '\n'));
		}
		kp_rfile_close(&f);
		return 0;
	}
	kp_rfile_close(&f);
	for (size_t i = 0; i < n; i++) {
		FUZZ_ASSERT(kp_persist_entry_check(&e[i]) == 0);
		for (size_t j = 0; j < i; j++)
			FUZZ_ASSERT(strcmp(e[i].bdf, e[j].bdf) != 0);
	}
	rules = kp_persist_rules_text(e, n);
	conf = kp_persist_conf_text(e, n);
	FUZZ_ASSERT(rules && conf);
	/* 14 quotes per rule line, none in the header */
	FUZZ_ASSERT(count(rules, '"') == 14 * n);
	FUZZ_ASSERT(kp_rfile_from_buffer(&f2, "x", conf, strlen(conf), 0) == 0);
	FUZZ_ASSERT(kp_persist_parse(&f2, &e2, &n2) == 0);
	FUZZ_ASSERT(n2 == n);
	for (size_t i = 0; i < n; i++)
		FUZZ_ASSERT(!strcmp(e[i].bdf, e2[i].bdf) && e[i].vendor == e2[i].vendor &&
			    e[i].device == e2[i].device && !strcmp(e[i].driver, e2[i].driver));
	kp_rfile_close(&f2);
	free(e);
	free(e2);
	free(conf);
	free(rules);
	return 0;
}
