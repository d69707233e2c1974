/* SPDX-License-Identifier: MIT */
/*
 * --persist and apply-persisted: kvmprep's own file, /etc/kvmprep/sriov.conf,
 * written atomically (lib/persist.c, recorded in the journal first) and read
 * back only through the hardened reader (lib/rfile.h), every field checked
 * by the validator of the option it stands for:
 *
 *   pf 0000:01:00.0 8086:10fb 8 vfio-pci    PF, its vendor:device, COUNT,
 *                                           DRIVER (- its host driver,
 *                                           none: --no-probe)
 *   vf 0000:01:00.0 3 mac=52:54:00:12:34:56 vlan=100 qos=3 trust=on
 *
 * Applied at boot by kvmprep-sriov.service. Where NetworkManager (a
 * connection with sriov.total-vfs for the PF's interface) or
 * systemd-networkd (a .link file with SR-IOVVirtualFunctions= matching the
 * PF) already owns the PF's VFs, kvmprep does not persist a second owner.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "ids.h"
#include "journal.h"
#include "persist.h"
#include "rfile.h"
#include "root.h"
#include "target.h"
#include "vfargs.h"

#include <json-c/json.h>

#define MAX_SETTINGS 10

struct pentry {
	int vf;                 /* 0: a pf line, 1: a vf line */
	char pf[13];
	unsigned vendor, device; /* pf */
	int count;               /* pf */
	char driver[32];         /* pf: "-", "none" or a driver */
	int index;               /* vf */
	int nset;                /* vf */
	char set[MAX_SETTINGS][48];
};

static int count_ok(const char *s, int *v)
{
	long x = 0;
	size_t i, n = strlen(s);

	if (!n || n > 5)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = (int)x;
	return x <= 65535;
}

static int driver_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!strcmp(s, "-"))
		return 1;
	if (!n || n > 31)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* Read the file (missing: no entries). 0, or an exit status with the
 * error printed (2: the file is bad, 1: unreadable). */
static int conf_load(struct pentry **out, size_t *n)
{
	struct kp_rfile f;
	struct pentry *v = NULL;
	char *fld[MAX_SETTINGS + 4];
	size_t nf, i;
	int r;

	*out = NULL;
	*n = 0;
	r = kp_rfile_open(&f, KP_SRIOV_CONF, 0, 0);
	if (r == -ENOENT) {
		kp_rfile_close(&f);
		return 0;
	}
	if (r < 0)
		goto bad;
	while ((r = kp_rfile_next(&f, fld, MAX_SETTINGS + 3, &nf)) > 0) {
		struct pentry e, *nv;
		char bdf[13];

		memset(&e, 0, sizeof(e));
		if (nf < 3 || (strcmp(fld[0], "pf") && strcmp(fld[0], "vf"))) {
			r = kp_rfile_bad(&f, "want 'pf ADDRESS VVVV:DDDD COUNT DRIVER' or 'vf ADDRESS "
					 "INDEX SETTING=VALUE...'");
			break;
		}
		if (kp_bdf_parse(fld[1], bdf) < 0 || strcmp(bdf, fld[1])) {
			r = kp_rfile_bad(&f, "invalid PCI address '%s' (want 0000:03:00.0)", fld[1]);
			break;
		}
		memcpy(e.pf, bdf, sizeof(e.pf));
		if (!strcmp(fld[0], "pf")) {
			if (nf != 5) {
				r = kp_rfile_bad(&f, "want 'pf ADDRESS VVVV:DDDD COUNT DRIVER'");
				break;
			}
			if (kp_pciid_parse(fld[2], &e.vendor, &e.device) < 0) {
				r = kp_rfile_bad(&f, "invalid vendor:device '%s'", fld[2]);
				break;
			}
			if (!count_ok(fld[3], &e.count)) {
				r = kp_rfile_bad(&f, "invalid COUNT '%s'", fld[3]);
				break;
			}
			if (!driver_ok(fld[4])) {
				r = kp_rfile_bad(&f, "invalid driver '%s' (a driver, - or none)", fld[4]);
				break;
			}
			snprintf(e.driver, sizeof(e.driver), "%s", fld[4]);
		} else {
			struct kp_vf_change c[MAX_SETTINGS];
			char err[192];

			e.vf = 1;
			if (!count_ok(fld[2], &e.index)) {
				r = kp_rfile_bad(&f, "invalid VF INDEX '%s'", fld[2]);
				break;
			}
			if (nf < 4 || vf_args_parse((int)nf - 3, fld + 3, c, MAX_SETTINGS, err,
						    sizeof(err)) < 0) {
				r = kp_rfile_bad(&f, "%s", nf < 4 ? "no SETTING=VALUE" : err);
				break;
			}
			for (i = 3; i < nf; i++)
				snprintf(e.set[e.nset++], sizeof(e.set[0]), "%s", fld[i]);
		}
		for (i = 0; i < *n; i++)
			if (v[i].vf == e.vf && !strcmp(v[i].pf, e.pf) && (!e.vf || v[i].index == e.index))
				break;
		if (i < *n) {
			r = kp_rfile_bad(&f, "%s %s%s%s given twice", fld[0], e.pf, e.vf ? " " : "",
					 e.vf ? fld[2] : "");
			break;
		}
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv) {
			r = -ENOMEM;
			snprintf(f.err, sizeof(f.err), "%s: out of memory", KP_SRIOV_CONF);
			break;
		}
		v = nv;
		v[(*n)++] = e;
	}
	if (r < 0)
		goto bad;
	kp_rfile_close(&f);
	*out = v;
	return 0;
bad:
	kp_err(NULL, "%s", f.err);
	kp_rfile_close(&f);
	free(v);
	*n = 0;
	return r == -EINVAL ? KP_EXIT_USAGE : KP_EXIT_FAIL;
}

/* The file's text for the entries (malloc'd in *text), 0 or -ENOMEM. */
static int conf_render(const struct pentry *v, size_t n, char **textp, size_t *lenp)
{
	char *text = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&text, &len);
	int j;

	if (!m)
		return -ENOMEM;
	fputs("# kvmprep-sriov --persist: the VFs kvmprep-sriov.service makes at boot\n"
	      "# (pf ADDRESS VVVV:DDDD COUNT DRIVER, vf ADDRESS INDEX SETTING=VALUE...)\n", m);
	for (i = 0; i < n; i++) {
		if (!v[i].vf) {
			fprintf(m, "pf %s %04x:%04x %d %s\n", v[i].pf, v[i].vendor, v[i].device,
				v[i].count, v[i].driver);
			continue;
		}
		fprintf(m, "vf %s %d", v[i].pf, v[i].index);
		for (j = 0; j < v[i].nset; j++)
			fprintf(m, " %s", v[i].set[j]);
		fputc('\n', m);
	}
	if (fclose(m) != 0) {
		free(text);
		return -ENOMEM;
	}
	*textp = text;
	*lenp = len;
	return 0;
}

static int conf_save(const struct pentry *v, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	int r = conf_render(v, n, &text, &len);

	if (r < 0)
		return r;
	r = kp_journal_save_file(KP_SRIOV_CONF, NULL);
	if (r == 0)
		r = kp_persist_write(KP_SRIOV_CONF, text, len, 0644, NULL);
	free(text);
	return r;
}

/* ---- other owners of a PF's VFs ----------------------------------------- */

/* One directory of NetworkManager keyfiles or networkd .link files. */
static int owner_in(const char *dir, const char *suffix, const char *ifname, const char *bdf,
		    char *who, size_t n)
{
	char p[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (kp_path(p, sizeof(p), dir) < 0 || !(d = opendir(p)))
		return 0;
	while (!found && (de = readdir(d))) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		char abs[PATH_MAX], *fld[16], sect[32] = "", count[40] = "";
		int match_if = 0;
		struct kp_rfile f;
		size_t nf, i;

		if (l <= sl || strcmp(de->d_name + l - sl, suffix))
			continue;
		snprintf(abs, sizeof(abs), "%s/%s", dir, de->d_name);
		/* read only, reported on: another program's file */
		if (kp_rfile_open(&f, abs, 0, KP_RFILE_ANY_OWNER) < 0) {
			kp_rfile_close(&f);
			continue;
		}
		while (kp_rfile_next(&f, fld, 16, &nf) > 0) {
			if (fld[0][0] == '[') {
				snprintf(sect, sizeof(sect), "%s", fld[0]);
				continue;
			}
			if (!strcmp(sect, "[connection]") && !strncmp(fld[0], "interface-name=", 15))
				match_if |= ifname[0] && !strcmp(fld[0] + 15, ifname);
			else if (!strcmp(sect, "[sriov]") && !strncmp(fld[0], "total-vfs=", 10))
				snprintf(count, sizeof(count), "sriov.total-vfs=%.4s", fld[0] + 10);
			else if (!strcmp(sect, "[Match]") && !strncmp(fld[0], "OriginalName=", 13)) {
				for (i = 0; i < nf; i++) {
					const char *pat = i ? fld[i] : fld[0] + 13;

					match_if |= ifname[0] && fnmatch(pat, ifname, 0) == 0;
				}
			} else if (!strcmp(sect, "[Match]") && !strncmp(fld[0], "Path=", 5)) {
				char path[32];

				snprintf(path, sizeof(path), "pci-%s", bdf);
				for (i = 0; i < nf; i++)
					match_if |= fnmatch(i ? fld[i] : fld[0] + 5, path, 0) == 0;
			} else if (!strcmp(sect, "[Link]") && !strncmp(fld[0], "SR-IOVVirtualFunctions=", 23))
				snprintf(count, sizeof(count), "SR-IOVVirtualFunctions=%.4s", fld[0] + 23);
		}
		kp_rfile_close(&f);
		if (match_if && count[0]) {
			snprintf(who, n, "%s %s sets its VFs (%s)",
				 strcmp(suffix, ".link") ? "NetworkManager's connection" : "systemd-networkd's",
				 abs, count);
			found = 1;
		}
	}
	closedir(d);
	return found;
}

int sriov_owner(const struct kp_sriov_pf *pf, char *who, size_t n)
{
	static const char *const nm[] = { "/etc/NetworkManager/system-connections",
					  "/run/NetworkManager/system-connections", NULL };
	static const char *const nd[] = { "/etc/systemd/network", "/run/systemd/network",
					  "/usr/lib/systemd/network", "/lib/systemd/network", NULL };
	int i;

	for (i = 0; nm[i]; i++)
		if (owner_in(nm[i], ".nmconnection", pf->ifname, pf->bdf, who, n))
			return 1;
	for (i = 0; nd[i]; i++)
		if (owner_in(nd[i], ".link", pf->ifname, pf->bdf, who, n))
			return 1;
	return 0;
}

/* ---- the commands' side ------------------------------------------------- */

/* The entries sriov.conf has after 'set PF COUNT --persist' (*v, *n; the
 * caller frees *v): 0 or an exit status. */
static int set_entries(const struct kp_sriov_pf *pf, int count, const char *driver, int no_probe,
		       struct pentry **vp, size_t *np)
{
	struct pentry *v = NULL, *nv;
	size_t n = 0, i, keep = 0;
	int r, found = 0;

	r = conf_load(&v, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		/* count 0: nothing to make at boot, its VFs' settings go too */
		if (!strcmp(v[i].pf, pf->bdf) && (count == 0 || (v[i].vf && v[i].index >= count)))
			continue;
		if (!v[i].vf && !strcmp(v[i].pf, pf->bdf)) {
			v[i].vendor = pf->vendor;
			v[i].device = pf->device;
			v[i].count = count;
			snprintf(v[i].driver, sizeof(v[i].driver), "%s",
				 driver ? driver : no_probe ? "none" : "-");
			found = 1;
		}
		v[keep++] = v[i];
	}
	n = keep;
	if (count > 0 && !found) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return KP_EXIT_FAIL;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].pf, sizeof(v[n].pf), "%s", pf->bdf);
		v[n].vendor = pf->vendor;
		v[n].device = pf->device;
		v[n].count = count;
		snprintf(v[n].driver, sizeof(v[n].driver), "%s", driver ? driver : no_probe ? "none" : "-");
		n++;
	}
	*vp = v;
	*np = n;
	return 0;
}

int persist_set(const struct kp_sriov_pf *pf, int count, const char *driver, int no_probe)
{
	struct pentry *v = NULL;
	size_t n = 0;
	int r = set_entries(pf, count, driver, no_probe, &v, &n);

	if (r)
		return r;
	r = conf_save(v, n);
	free(v);
	if (r < 0) {
		kp_err_errno(KP_SRIOV_CONF, r, "cannot persist");
		return KP_EXIT_FAIL;
	}
	return 0;
}

int persist_set_changes(const struct kp_sriov_pf *pf, int count, const char *driver, int no_probe)
{
	struct pentry *v = NULL;
	char path[PATH_MAX], *text = NULL, *old = NULL;
	size_t n = 0, len = 0, olen = 0;
	int changed = 1;
	FILE *f;

	if (set_entries(pf, count, driver, no_probe, &v, &n) != 0)
		return 1; /* the write will say what is wrong */
	if (conf_render(v, n, &text, &len) == 0 && kp_path(path, sizeof(path), KP_SRIOV_CONF) == 0 &&
	    (f = fopen(path, "re"))) {
		/* conf_load read it through the hardened reader: small, regular */
		FILE *m = open_memstream(&old, &olen);
		int c;

		if (m) {
			while ((c = getc(f)) != EOF)
				putc(c, m);
			if (fclose(m) == 0)
				changed = olen != len || memcmp(old, text, len) != 0;
		}
		fclose(f);
	}
	free(old);
	free(text);
	free(v);
	return changed;
}

int persist_vf(const struct kp_sriov_pf *pf, int index, char **settings, int nset)
{
	struct pentry *v = NULL, *nv, *e = NULL;
	size_t n = 0, i;
	int r, j, k, have_pf = 0;

	r = conf_load(&v, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		have_pf |= !v[i].vf && !strcmp(v[i].pf, pf->bdf);
		if (v[i].vf && !strcmp(v[i].pf, pf->bdf) && v[i].index == index)
			e = &v[i];
	}
	if (!e) {
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			free(v);
			return KP_EXIT_FAIL;
		}
		v = nv;
		e = &v[n++];
		memset(e, 0, sizeof(*e));
		e->vf = 1;
		snprintf(e->pf, sizeof(e->pf), "%s", pf->bdf);
		e->index = index;
	}
	/* a setting given again replaces the recorded one of its key (vlan,
	 * qos and proto go together) */
	for (j = 0; j < nset; j++) {
		size_t kl = strcspn(settings[j], "=");
		int vlanish = !strncmp(settings[j], "vlan=", 5) || !strncmp(settings[j], "qos=", 4) ||
			      !strncmp(settings[j], "proto=", 6);
		int rateish = !strncmp(settings[j], "rate=", 5) || !strncmp(settings[j], "max=", 4);

		for (k = 0; k < e->nset; k++) {
			int same = !strncmp(e->set[k], settings[j], kl + 1) ||
				   (rateish && (!strncmp(e->set[k], "rate=", 5) || !strncmp(e->set[k], "max=", 4)));

			if (vlanish && !strncmp(settings[j], "vlan=", 5) &&
			    (!strncmp(e->set[k], "qos=", 4) || !strncmp(e->set[k], "proto=", 6)))
				same = 1;
			if (same) {
				memmove(&e->set[k], &e->set[k + 1], (size_t)(e->nset - k - 1) * sizeof(e->set[0]));
				e->nset--;
				k--;
			}
		}
		if (e->nset < MAX_SETTINGS)
			snprintf(e->set[e->nset++], sizeof(e->set[0]), "%s", settings[j]);
	}
	r = conf_save(v, n);
	free(v);
	if (r < 0) {
		kp_err_errno(KP_SRIOV_CONF, r, "cannot persist");
		return KP_EXIT_FAIL;
	}
	if (!have_pf)
		kp_warn(pf->bdf, "its VF count is not persisted ('set %s N --persist'): VF %d's "
			"settings apply at boot only if the VF exists by then", pf->bdf, index);
	return 0;
}

static long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* At boot the PFs' drivers are modules that udev loads during coldplug,
 * after kvmprep-sriov.service may have started (it does not wait for
 * systemd-udev-settle.service, which waits for every device and is
 * deprecated): the count can be written only through the PF's driver, so
 * each PF line first waits for its device and a driver bound to it, polled
 * (no lock held: a driver probing is no kvmprep change), until the one
 * deadline of the whole run. The PF's state as last read; 0 or -errno
 * (the caller says why: no device, no driver). */
static int wait_pf_driver(const struct pentry *e, long deadline, struct kp_sriov_pf *pf, int quiet)
{
	const char *bdf = e->pf;
	long t0 = mono_ms();
	int r;

	/* (another vendor:device in the slot: no wait, the caller skips it) */
	while ((r = kp_sriov_pf_read(bdf, pf)) == -ENODEV ||
	       (r == 0 && !pf->driver[0] && pf->vendor == e->vendor && pf->device == e->device)) {
		struct timespec ts = { 0, 50 * 1000000L };

		if (kp_offline() || mono_ms() >= deadline)
			return r;
		nanosleep(&ts, NULL);
	}
	if (r == 0 && mono_ms() - t0 >= 50 && !quiet)
		printf("%s: %s bound after %ld ms\n", bdf, pf->driver, mono_ms() - t0);
	return r;
}

int cmd_apply(struct opts *o, int argc, char **argv)
{
	struct pentry *v = NULL;
	size_t n = 0, i;
	int r, rc = 0;
	long deadline = mono_ms() + o->timeout_ms;

	if (argc)
		return kp_usage_err("apply-persisted takes no argument");
	r = conf_load(&v, &n);
	if (r)
		return r;
	for (i = 0; i < n; i++) {
		struct kp_sriov_pf pf;
		char cnt[8], *args[2 + MAX_SETTINGS + 1];
		struct opts so = *o;
		int j;

		r = v[i].vf ? kp_sriov_pf_read(v[i].pf, &pf)
			    : wait_pf_driver(&v[i], deadline, &pf, o->quiet || o->json);
		if (r == -ENODEV) {
			kp_err(v[i].pf, "persisted but no such device now: skipped");
			rc = KP_EXIT_FAIL;
			continue;
		}
		if (!v[i].vf && (pf.vendor != v[i].vendor || pf.device != v[i].device)) {
			kp_err(v[i].pf, "is now %04x:%04x, persisted for %04x:%04x: skipped", pf.vendor,
			       pf.device, v[i].vendor, v[i].device);
			rc = KP_EXIT_FAIL;
			continue;
		}
		so.persist = 0;
		if (!v[i].vf) {
			snprintf(cnt, sizeof(cnt), "%d", v[i].count);
			args[0] = v[i].pf;
			args[1] = cnt;
			so.driver = strcmp(v[i].driver, "-") && strcmp(v[i].driver, "none") ? v[i].driver
											   : NULL;
			so.no_probe = !strcmp(v[i].driver, "none");
			r = cmd_set(&so, 2, args);
		} else {
			snprintf(cnt, sizeof(cnt), "%d", v[i].index);
			args[0] = v[i].pf;
			args[1] = cnt;
			for (j = 0; j < v[i].nset; j++)
				args[2 + j] = v[i].set[j];
			r = cmd_vf(&so, 2 + v[i].nset, args);
		}
		if (r && !rc)
			rc = r;
	}
	free(v);
	return rc;
}

int persist_vf_offline(struct opts *o, const struct kp_sriov_pf *pf, int index, char **settings,
		       int nset)
{
	char *before = NULL, *after = NULL, stuck[256];
	int r = 0, changed = 1;

	kp_read_file(KP_SRIOV_CONF, &before, NULL);
	if (!o->dry_run) {
		if (kp_journal_begin(TOOL, "vf") < 0) {
			free(before);
			kp_err(KP_JOURNAL_FILE, "cannot start");
			return KP_EXIT_FAIL;
		}
		r = persist_vf(pf, index, settings, nset);
		if (r) {
			if (kp_journal_rollback(stuck, sizeof(stuck)) < 0)
				kp_err(pf->bdf, "could not be put back: %s", stuck);
			free(before);
			return r;
		}
		if (kp_journal_commit() < 0) {
			free(before);
			kp_err(KP_JOURNAL_FILE, "cannot remove");
			return KP_EXIT_FAIL;
		}
		kp_read_file(KP_SRIOV_CONF, &after, NULL);
		changed = !before || !after ? before != after : strcmp(before, after) != 0;
	}
	free(before);
	free(after);
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL);

		json_object_object_add(doc, "command", json_object_new_string("vf"));
		json_object_object_add(doc, "pf", json_object_new_string(pf->bdf));
		json_object_object_add(doc, "vf", json_object_new_int(index));
		json_object_object_add(doc, "dry_run", json_object_new_boolean(o->dry_run));
		json_object_object_add(doc, "offline", json_object_new_boolean(1));
		json_object_object_add(doc, "changed", json_object_new_boolean(changed));
		r = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		printf("%s VF %d: %s in %s%s\n", pf->bdf, index,
		       !changed ? "unchanged" : o->dry_run ? "would persist" : "persisted", kp_target(),
		       KP_SRIOV_CONF);
	}
	return r;
}
