/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-validate: is this host ready for KVM guests?
 *
 * Runs the checks of the table in checks.c (all of them, or those a job
 * needs with --for), fills one row per check and renders the rows as a
 * grouped report or as JSON.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "exitcodes.h"
#include "output.h"
#include "validate.h"
#include "target.h"

enum { COL_ID, COL_TOPIC, COL_STATUS, COL_FINDING, COL_HINT };

static const struct kp_col check_cols[] = {
	[COL_ID] = { "id", "ID", KP_STR, 0 },
	[COL_TOPIC] = { "topic", "TOPIC", KP_STR, 0 },
	[COL_STATUS] = { "status", "STATUS", KP_STR, KP_COL_STATUS },
	[COL_FINDING] = { "finding", "FINDING", KP_STR, 0 },
	[COL_HINT] = { "hint", "HINT", KP_STR, KP_COL_LAST },
};

enum { LCOL_ID, LCOL_TOPIC, LCOL_TITLE };

static const struct kp_col list_cols[] = {
	[LCOL_ID] = { "id", "ID", KP_STR, 0 },
	[LCOL_TOPIC] = { "topic", "TOPIC", KP_STR, 0 },
	[LCOL_TITLE] = { "title", "TITLE", KP_STR, KP_COL_LAST },
};

static const struct {
	const char *name;
	unsigned job;
} jobs[] = {
	{ "kvm", J_KVM },
	{ "passthrough", J_PASSTHROUGH },
	{ "sriov", J_SRIOV },
	{ "mdev", J_MDEV },
	{ "hugepages", J_HUGEPAGES },
	{ "network", J_NETWORK },
	{ "secure", J_SECURE },
};

/* "passthrough, sriov": the jobs in mask, by name. */
static void job_names(unsigned mask, char *buf, size_t n)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]) && len < n; i++)
		if (mask & jobs[i].job)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
						jobs[i].name);
}

/*
 * Without --for, the question is "can this host run KVM guests?". A check
 * that only optional jobs need (passthrough, SR-IOV, hugepages, networking,
 * secure guests) cannot make that answer "no": its FAIL is reported as WARN,
 * naming the jobs it blocks. With --for JOB, a FAIL stays a FAIL.
 */
static void judge_for_default(const struct vcheck *chk, struct vresult *res)
{
	char names[96];
	size_t len;

	if (res->status != V_FAIL || !chk->jobs || (chk->jobs & J_KVM))
		return;
	job_names(chk->jobs, names, sizeof(names));
	res->status = V_WARN;
	len = strlen(res->finding);
	snprintf(res->finding + len, sizeof(res->finding) - len, " (needed for %s)", names);
}

struct opts {
	int json, quiet, strict;
	unsigned jobs; /* 0: every check */
	struct vctx ctx;
};

static const char usage_text[] =
	       "Usage:\n"
	       " %s [options]\n"
	       "\n"
	       "Check that this host is ready to run KVM guests.\n"
	       "\n"
	       "Options:\n"
	       " -f, --for JOB[,JOB]  check only what these jobs need: kvm, passthrough,\n"
	       "                      sriov, mdev, hugepages, network, secure\n"
	       " -m, --memory SIZE    memory the guests ask for (K/M/G/T suffix; MiB when\n"
	       "                      bare), judged against the host's (memory.total)\n"
	       " -i, --images DIR     where guest images live (default /var/lib/libvirt/images)\n"
	       " -c, --vcpus N        vCPUs the guests are planned with, all together (resources.vcpus)\n"
	       " -s, --strict         a WARN counts as a failure\n"
	       "     --pvm-guests     the guests run PVM-enabled kernels (paravirtual KVM)\n"
	       "     --root DIR       judge the system installed at DIR (kickstart: /mnt/sysimage)\n"
	       "                      from its files: kernel arguments of its boot loader,\n"
	       "                      modprobe.d, sysctl.d, hugepages; checks that need its\n"
	       "                      kernel running say so (SKIP: needs the first boot)\n"
	       " -M, --migrate SRC DST  can a guest live-migrate from SRC to DST? Each is a\n"
	       "                      'kvmprep-validate --json' document, or - for this host\n"
	       " -l, --list           list every check id and what it checks\n"
	       " -e, --explain ID     print the full remedy for a check\n"
	       " -j, --json           JSON output\n"
	       " -q, --quiet          show only checks that did not PASS\n"
	       "\n"
	       " -h, --help           display this help\n"
	       " -V, --version        display version\n"
	       "\n"
	       "Exit status: 0 nothing failed, 1 a check failed (or warned, with --strict),\n"
	       "2 usage error, 3 the checks could not run.\n";

/* --help and --version win over the rest of the line; --json anywhere on
 * it makes them one document */
static int help_or_version(int c, int json, int argc, char **argv,
			   const struct option *longopts)
{
	char *text = NULL;
	int k, r;

	while ((k = getopt_long(argc, argv, ":f:m:i:sle:jqhV", longopts, NULL)) != -1)
		json |= k == 'j';
	if (c == 'h')
		r = asprintf(&text, usage_text, kp_program());
	else
		r = asprintf(&text, "%s", KP_VERSION);
	if (r < 0)
		return KP_EXIT_HOST;
	if (json)
		r = kp_json_text("kvmprep-validate", c == 'h' ? "help" : "version", text);
	else if (c == 'h')
		r = fputs(text, stdout) == EOF ? -EIO : 0;
	else
		r = printf("%s %s\n", kp_program(), text) < 0 ? -EIO : 0;
	free(text);
	return r < 0 ? KP_EXIT_FAIL : KP_EXIT_OK;
}

static int parse_jobs(const char *arg, unsigned *out)
{
	char *dup = strdup(arg), *tok, *save;
	int r = 0;

	if (!dup)
		return -ENOMEM;
	*out = 0;
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++)
			if (!strcmp(tok, jobs[i].name))
				break;
		if (i == sizeof(jobs) / sizeof(jobs[0])) {
			r = kp_usage_err("unknown job '%s' for --for (kvm, passthrough, sriov, mdev, hugepages, network, secure)",
					 tok);
			break;
		}
		*out |= jobs[i].job;
	}
	free(dup);
	if (!r && !*out)
		r = kp_usage_err("--for needs a job");
	return r;
}

/* "16G", "512M", "2048" (MiB) -> bytes. 0 or -EINVAL. */
static int parse_size(const char *s, long long *bytes)
{
	char *end;
	long long v;
	int shift = 20;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -EINVAL;
	switch (toupper((unsigned char)*end)) {
	case '\0': shift = 20; break;
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v > (1LL << (62 - shift)))
		return -EINVAL;
	*bytes = v << shift;
	return 0;
}

static const struct vcheck *find_check(const char *id)
{
	size_t i;

	for (i = 0; i < vchecks_n; i++)
		if (!strcmp(vchecks[i].id, id))
			return &vchecks[i];
	return NULL;
}

static int do_list(const struct opts *o)
{
	struct kp_table *t = kp_table_new(list_cols, sizeof(list_cols) / sizeof(list_cols[0]));
	struct kp_out out;
	size_t i;
	int r = 0;

	if (!t)
		return KP_EXIT_HOST;
	kp_out_init(&out, o->json, o->quiet);
	for (i = 0; i < vchecks_n; i++) {
		int row;

		if (o->jobs && !(vchecks[i].jobs & o->jobs))
			continue;
		row = kp_table_add_row(t);
		if (row < 0) {
			r = row;
			break;
		}
		kp_table_set_str(t, (size_t)row, LCOL_ID, vchecks[i].id);
		kp_table_set_str(t, (size_t)row, LCOL_TOPIC, vchecks[i].topic);
		kp_table_set_str(t, (size_t)row, LCOL_TITLE, vchecks[i].title);
	}
	if (r == 0) {
		if (o->json) {
			json_object *doc = kp_json_doc("kvmprep-validate");

			json_object_object_add(doc, "checks", kp_table_json(t));
			r = kp_json_print(doc, stdout);
			json_object_put(doc);
		} else {
			r = kp_table_print(t, stdout, &out);
		}
	}
	kp_table_free(t);
	if (r < 0) {
		kp_err_errno(NULL, r, "cannot list the checks");
		return KP_EXIT_HOST;
	}
	return KP_EXIT_OK;
}

static int do_explain(const struct opts *o, const char *id)
{
	const struct vcheck *c = find_check(id);

	if (!c)
		return kp_usage_err("no check '%s' (--list shows them)", id);
	if (o->json) {
		json_object *doc = kp_json_doc("kvmprep-validate");

		json_object_object_add(doc, "id", json_object_new_string(c->id));
		json_object_object_add(doc, "topic", json_object_new_string(c->topic));
		json_object_object_add(doc, "title", json_object_new_string(c->title));
		json_object_object_add(doc, "explain", json_object_new_string(c->explain));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else {
		printf("%s: %s\n\n%s", c->id, c->title, c->explain);
	}
	return KP_EXIT_OK;
}

static void print_human(const struct kp_table *t, const struct kp_out *out, const int *count,
			int strict)
{
	const char *topic = NULL;
	size_t i, n = kp_table_nrows(t);

	for (i = 0; i < n; i++) {
		const char *st = kp_table_get(t, i, COL_STATUS);
		const char *hint = kp_table_get(t, i, COL_HINT);

		if (out->quiet && !strcmp(st, "PASS"))
			continue;
		if (!topic || strcmp(topic, kp_table_get(t, i, COL_TOPIC))) {
			topic = kp_table_get(t, i, COL_TOPIC);
			printf("%s%s%s\n", kp_color(out, KP_C_BOLD), topic, kp_color(out, KP_C_RESET));
		}
		/* findings name paths and strings from the host (--images DIR):
		 * escaped, as every message is */
		char *finding = kp_esc_dup(kp_table_get(t, i, COL_FINDING), KP_ESC_TERM);
		char *ehint = kp_esc_dup(hint, KP_ESC_TERM);

		printf("  %s%s%s  %-20s %s\n", kp_color(out, kp_status_color(st)), st,
		       kp_color(out, KP_C_RESET), kp_table_get(t, i, COL_ID),
		       finding ? finding : "");
		if (hint[0])
			printf("        hint: %s\n", ehint ? ehint : "");
		free(finding);
		free(ehint);
	}
	printf("%d pass, %d warn, %d fail, %d skip%s\n", count[V_PASS], count[V_WARN],
	       count[V_FAIL], count[V_SKIP], strict ? " (strict: warnings fail)" : "");
}

static int selected(const struct opts *o, size_t i)
{
	return !o->jobs || (vchecks[i].jobs & o->jobs);
}

static int do_checks(struct opts *o)
{
	struct kp_table *t = kp_table_new(check_cols, sizeof(check_cols) / sizeof(check_cols[0]));
	int count[4] = { 0 }, r, rc;
	json_object *host = NULL;
	struct vresult *res;
	struct kp_out out;
	size_t i;
	int pass;
	static char (*cmds)[512];

	if (!t) {
		kp_err_errno(NULL, -ENOMEM, "cannot run the checks");
		return KP_EXIT_HOST;
	}
	/*
	 * The kvm checks wait for the KVM probe, which runs in a thread from
	 * here, before the host's facts are read: every other check runs
	 * first, while it works, then the kvm ones. The rows keep the table's
	 * order.
	 */
	for (i = 0; i < vchecks_n; i++)
		if (selected(o, i) && !strcmp(vchecks[i].topic, "kvm"))
			vctx_probe_start(&o->ctx);
	r = vctx_init(&o->ctx);
	if (r == 0 && (kp_target()[0] || o->ctx.target))
		r = vtarget_init(&o->ctx);
	if (r < 0) {
		kp_err_errno("/proc/cpuinfo", r, "cannot read the host's CPUs");
		vctx_free(&o->ctx);
		kp_table_free(t);
		return KP_EXIT_HOST;
	}
	kp_out_init(&out, o->json, o->quiet);
	res = calloc(vchecks_n, sizeof(*res));
	free(cmds);
	cmds = calloc(vchecks_n, sizeof(*cmds)); /* NULL: no "command" keys */
	if (!res) {
		kp_err_errno(NULL, -ENOMEM, "cannot run the checks");
		vctx_free(&o->ctx);
		kp_table_free(t);
		return KP_EXIT_HOST;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < vchecks_n; i++) {
			if (!selected(o, i) || (strcmp(vchecks[i].topic, "kvm") == 0) != pass)
				continue;
			res[i].status = V_SKIP;
			o->ctx.karg_cmd[0] = '\0';
			if (o->ctx.target)
				vtarget_check(&o->ctx, &vchecks[i], &res[i]);
			else
				vchecks[i].fn(&o->ctx, &res[i]);
			if (!o->jobs)
				judge_for_default(&vchecks[i], &res[i]);
			/* the exact command of a kernel-argument remedy, for scripts */
			if (res[i].status != V_PASS && cmds)
				snprintf(cmds[i], sizeof(cmds[i]), "%s", o->ctx.karg_cmd);
		}
	for (i = 0; i < vchecks_n; i++) {
		int row;

		if (!selected(o, i))
			continue;
		count[res[i].status]++;
		row = kp_table_add_row(t);
		if (row < 0)
			break;
		if (cmds && row != (int)i)
			memmove(cmds[row], cmds[i], sizeof(cmds[i]));
		kp_table_set_str(t, (size_t)row, COL_ID, vchecks[i].id);
		kp_table_set_str(t, (size_t)row, COL_TOPIC, vchecks[i].topic);
		kp_table_set_str(t, (size_t)row, COL_STATUS, vstatus_name(res[i].status));
		kp_table_set_str(t, (size_t)row, COL_FINDING, res[i].finding);
		kp_table_set_str(t, (size_t)row, COL_HINT,
				 res[i].status == V_PASS || !res[i].hint[0] ? NULL : res[i].hint);
	}
	free(res);
	if (o->json)
		host = vhost_json(&o->ctx);
	vctx_free(&o->ctx);

	rc = count[V_FAIL] || (o->strict && count[V_WARN]) ? KP_EXIT_FAIL : KP_EXIT_OK;
	if (o->json) {
		json_object *doc = kp_json_doc("kvmprep-validate"), *sum = json_object_new_object();
		json_object *rows = kp_table_json(t);

		/* "command": the exact command that applies the remedy (a kernel
		 * argument for the host's boot loader), where there is one */
		for (size_t k = 0; cmds && k < json_object_array_length(rows); k++)
			if (cmds[k][0])
				json_object_object_add(json_object_array_get_idx(rows, k), "command",
						       json_object_new_string(cmds[k]));

		if (o->quiet) {
			/* -q: only what is not PASS, in JSON too */
			json_object *kept = json_object_new_array();
			size_t k;

			for (k = 0; k < json_object_array_length(rows); k++) {
				json_object *row = json_object_array_get_idx(rows, k), *st;

				if (json_object_object_get_ex(row, "status", &st) &&
				    !strcmp(json_object_get_string(st), "PASS"))
					continue;
				json_object_array_add(kept, json_object_get(row));
			}
			json_object_put(rows);
			rows = kept;
		}
		json_object_object_add(doc, "checks", rows);
		json_object_object_add(doc, "host", host);
		host = NULL;
		json_object_object_add(sum, "pass", json_object_new_int(count[V_PASS]));
		json_object_object_add(sum, "warn", json_object_new_int(count[V_WARN]));
		json_object_object_add(sum, "fail", json_object_new_int(count[V_FAIL]));
		json_object_object_add(sum, "skip", json_object_new_int(count[V_SKIP]));
		json_object_object_add(doc, "summary", sum);
		json_object_object_add(doc, "strict", json_object_new_boolean(o->strict));
		json_object_object_add(doc, "ok", json_object_new_boolean(rc == KP_EXIT_OK));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else {
		print_human(t, &out, count, o->strict);
	}
	json_object_put(host);
	kp_table_free(t);
	return rc;
}

/*
 * A host object for --migrate: "-" is this host; else a file holding a
 * `kvmprep-validate --json` document (its "host") or a bare host object.
 * The file is named by the user and read as given (no root prefix): a
 * regular file, at most 4 MiB, no NUL, one JSON document. NULL (the error
 * said, exit code in *rc) when it cannot be had.
 */
static json_object *load_host(struct opts *o, const char *name, int *rc)
{
	struct json_tokener *tok;
	json_object *doc, *h;
	char why[160], *buf;
	struct stat st;
	ssize_t got;
	size_t len = 0;
	int fd;

	if (!strcmp(name, "-")) {
		/* this host, computed once for SRC and DST */
		static json_object *here;

		if (!here) {
			int r = vctx_init(&o->ctx);

			if (r < 0) {
				kp_err_errno("/proc/cpuinfo", r, "cannot read the host's CPUs");
				vctx_free(&o->ctx);
				*rc = KP_EXIT_HOST;
				return NULL;
			}
			here = vhost_json(&o->ctx);
			vctx_free(&o->ctx);
			return here; /* the first reference */
		}
		return json_object_get(here);
	}
	*rc = KP_EXIT_USAGE;
	fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;

		kp_err_errno(name, -e, "cannot read the host document");
		*rc = e == ENOENT || e == EACCES || e == ENOTDIR ? KP_EXIT_USAGE : KP_EXIT_FAIL;
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (4 << 20)) {
		kp_err(name, "not a regular file of at most 4 MiB: not a host document");
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && (got = read(fd, buf + len, (size_t)st.st_size - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (!buf) {
		kp_err_errno(name, -ENOMEM, "cannot read the host document");
		*rc = KP_EXIT_HOST;
		return NULL;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len)) {
		kp_err(name, "a NUL byte: not a host document");
		free(buf);
		return NULL;
	}
	tok = json_tokener_new();
	doc = tok ? json_tokener_parse_ex(tok, buf, (int)len) : NULL;
	if (!doc || json_tokener_get_error(tok) != json_tokener_success ||
	    buf[json_tokener_get_parse_end(tok) + strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n")]) {
		enum json_tokener_error je = tok ? json_tokener_get_error(tok) : json_tokener_success;

		if (!tok)
			kp_err(name, "cannot parse the host document: %s", strerror(ENOMEM));
		else if (je == json_tokener_continue)
			kp_err(name, "not a host document: %s", len ? "the JSON ends early" : "empty");
		else if (je == json_tokener_success)
			kp_err(name, "not a host document: more than one JSON document");
		else
			kp_err(name, "not a host document: not JSON (%s)", json_tokener_error_desc(je));
		json_object_put(doc);
		if (tok)
			json_tokener_free(tok);
		free(buf);
		return NULL;
	}
	json_tokener_free(tok);
	free(buf);
	h = json_object_object_get_ex(doc, "host", &h) ? h : doc;
	if (vhost_check(h, why, sizeof(why)) < 0) {
		kp_err(name, "not a kvmprep-validate host document: %s", why);
		json_object_put(doc);
		return NULL;
	}
	json_object_get(h);
	json_object_put(doc);
	return h;
}

static int do_migrate(struct opts *o, const char *src_name, const char *dst_name)
{
	struct kp_table *t = kp_table_new(check_cols, sizeof(check_cols) / sizeof(check_cols[0]));
	struct vmig rows[VMIG_MAX];
	json_object *src, *dst;
	int count[4] = { 0 }, rc = 0;
	struct kp_out out;
	size_t n, i;

	if (!t) {
		kp_err_errno(NULL, -ENOMEM, "cannot compare the hosts");
		return KP_EXIT_HOST;
	}
	src = load_host(o, src_name, &rc);
	dst = src ? load_host(o, dst_name, &rc) : NULL;
	if (!src || !dst) {
		json_object_put(src);
		kp_table_free(t);
		return rc;
	}
	n = vmigrate(src, dst, rows, VMIG_MAX);
	kp_out_init(&out, o->json, o->quiet);
	for (i = 0; i < n; i++) {
		int row = kp_table_add_row(t);

		if (row < 0)
			break;
		count[rows[i].r.status]++;
		kp_table_set_str(t, (size_t)row, COL_ID, rows[i].id);
		kp_table_set_str(t, (size_t)row, COL_TOPIC, "migrate");
		kp_table_set_str(t, (size_t)row, COL_STATUS, vstatus_name(rows[i].r.status));
		kp_table_set_str(t, (size_t)row, COL_FINDING, rows[i].r.finding);
		kp_table_set_str(t, (size_t)row, COL_HINT,
				 rows[i].r.status == V_PASS || !rows[i].r.hint[0] ? NULL : rows[i].r.hint);
	}
	rc = count[V_FAIL] || (o->strict && count[V_WARN]) ? KP_EXIT_FAIL : KP_EXIT_OK;
	if (o->json) {
		json_object *doc = kp_json_doc("kvmprep-validate"), *sum = json_object_new_object();

		json_object_object_add(doc, "source", json_object_new_string(src_name));
		json_object_object_add(doc, "destination", json_object_new_string(dst_name));
		json_object_object_add(doc, "checks", kp_table_json(t));
		json_object_object_add(sum, "pass", json_object_new_int(count[V_PASS]));
		json_object_object_add(sum, "warn", json_object_new_int(count[V_WARN]));
		json_object_object_add(sum, "fail", json_object_new_int(count[V_FAIL]));
		json_object_object_add(sum, "skip", json_object_new_int(count[V_SKIP]));
		json_object_object_add(doc, "summary", sum);
		json_object_object_add(doc, "strict", json_object_new_boolean(o->strict));
		json_object_object_add(doc, "ok", json_object_new_boolean(rc == KP_EXIT_OK));
		kp_json_print(doc, stdout);
		json_object_put(doc);
	} else {
		print_human(t, &out, count, o->strict);
	}
	json_object_put(src);
	json_object_put(dst);
	kp_table_free(t);
	return rc;
}

/* a failed run under --json still prints one document (kp_json_error) */
static int want_json;

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "memory", required_argument, NULL, 'm' },
		{ "images", required_argument, NULL, 'i' },
		{ "strict", no_argument, NULL, 's' },
		{ "pvm-guests", no_argument, NULL, 'P' },
		{ "migrate", required_argument, NULL, 'M' },
		{ "vcpus", required_argument, NULL, 'c' },
		{ "root", required_argument, NULL, 'R' },
		{ "list", no_argument, NULL, 'l' },
		{ "explain", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .ctx = { .images = "/var/lib/libvirt/images" } };
	const char *explain = NULL, *migrate = NULL;
	int c, list = 0, r;

	kp_set_program(argv[0]);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:m:i:sle:jqhVM:c:", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			r = parse_jobs(optarg, &o.jobs);
			if (r)
				return r == -ENOMEM ? KP_EXIT_HOST : KP_EXIT_USAGE;
			break;
		case 'm':
			if (parse_size(optarg, &o.ctx.want_mem) < 0)
				return kp_usage_err("invalid size '%s' for --memory (e.g. 16G, 512M)", optarg);
			break;
		case 'i':
			if (optarg[0] != '/')
				return kp_usage_err("--images needs an absolute path, not '%s'", optarg);
			o.ctx.images = optarg;
			break;
		case 's':
			o.strict = 1;
			break;
		case 'P':
			o.ctx.pvm_guests = 1;
			break;
		case 'R': {
			char msg[4200];

			/* --root /: this system's own files (a chrooted %post) */
			if (!strcmp(optarg, "/"))
				o.ctx.target = 1;
			else if (kp_target_setup(optarg, 1, msg, sizeof(msg)))
				return kp_usage_err("%s", msg);
			break;
		}
		case 'M':
			migrate = optarg;
			break;
		case 'c': {
			char *end;
			long v;

			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 1000000 || !isdigit((unsigned char)optarg[0]))
				return kp_usage_err("invalid vCPU count '%s' for --vcpus (a number from 1)", optarg);
			o.ctx.want_vcpus = (int)v;
			break;
		}
		case 'l':
			list = 1;
			break;
		case 'e':
			explain = optarg;
			break;
		case 'j':
			o.json = 1;
			want_json = 1;
			break;
		case 'q':
			o.quiet = 1;
			kp_set_quiet(1);
			break;
		case 'h':
		case 'V':
			return help_or_version(c, o.json, argc, argv, longopts);
		default:
			return kp_bad_option(c, argv, optind, optopt);
		}
	}
	if (migrate) {
		if (list || explain || o.jobs)
			return kp_usage_err("--migrate excludes --list, --explain and --for");
		if (optind != argc - 1)
			return kp_usage_err("--migrate needs SRC and DST (host documents, or - for this host)");
		return do_migrate(&o, migrate, argv[optind]);
	}
	if (optind < argc)
		return kp_usage_err("unexpected argument '%s'", argv[optind]);
	o.ctx.for_jobs = o.jobs;
	if (list && explain)
		return kp_usage_err("--list and --explain exclude each other");
	if (list)
		return do_list(&o);
	if (explain)
		return do_explain(&o, explain);
	return do_checks(&o);
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (rc != KP_EXIT_OK && want_json)
		kp_json_error("kvmprep-validate", NULL, rc);
	return kp_out_close(rc);
}
