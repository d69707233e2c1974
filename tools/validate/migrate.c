/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-validate --migrate SRC DST: can a guest live-migrate from SRC to
 * DST, and if not, why. SRC and DST are host objects (tools/validate/host.c)
 * from `kvmprep-validate --json` documents, or this host.
 */
#include "validate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

/*
 * QEMU's x86 CPU models (target/i386/cpu.c, builtin_x86_defs), each with the
 * CPUID features that set it apart from the one before it, cumulative along
 * each vendor's line, as /proc/cpuinfo names them. A model is offered to a
 * guest on a pair of hosts when both hosts have every one of its features
 * and both QEMUs know the model. This is the defining subset, not the
 * model's whole feature list: QEMU (query-cpu-model-baseline, libvirt's
 * cpu-baseline) has the last word.
 */
struct vcpu_model {
	const char *name;
	const char *vendor; /* vendor_id */
	const char *flags;  /* the features added by this model */
};

static const struct vcpu_model models[] = {
	{ "Nehalem", "GenuineIntel", "cx16 ssse3 sse4_1 sse4_2 popcnt" },
	{ "Westmere", "GenuineIntel", "aes pclmulqdq" },
	{ "SandyBridge", "GenuineIntel", "avx xsave" },
	{ "IvyBridge", "GenuineIntel", "f16c rdrand fsgsbase erms smep" },
	{ "Haswell-noTSX", "GenuineIntel", "avx2 bmi1 bmi2 fma movbe invpcid abm" },
	{ "Broadwell-noTSX", "GenuineIntel", "adx rdseed smap 3dnowprefetch" },
	{ "Skylake-Client-noTSX-IBRS", "GenuineIntel", "xsavec xsaves clflushopt" },
	{ "Skylake-Server-noTSX-IBRS", "GenuineIntel", "avx512f avx512dq avx512cd avx512bw avx512vl clwb pku" },
	{ "Cascadelake-Server-noTSX", "GenuineIntel", "avx512_vnni" },
	{ "Icelake-Server-noTSX", "GenuineIntel",
	  "vaes gfni vpclmulqdq avx512vbmi avx512_vbmi2 avx512_bitalg avx512_vpopcntdq" },
	{ "SapphireRapids", "GenuineIntel",
	  "amx_tile amx_bf16 amx_int8 avx512_fp16 avx512_bf16 serialize movdiri movdir64b" },
	{ "EPYC", "AuthenticAMD",
	  "cx16 ssse3 sse4_1 sse4_2 popcnt aes pclmulqdq avx xsave f16c rdrand fsgsbase avx2 bmi1 "
	  "bmi2 fma movbe abm adx rdseed smap sha_ni xsavec clflushopt sse4a misalignsse "
	  "3dnowprefetch" },
	{ "EPYC-Rome", "AuthenticAMD", "clwb wbnoinvd rdpid umip" },
	{ "EPYC-Milan", "AuthenticAMD", "pku invpcid erms fsrm" },
	{ "EPYC-Genoa", "AuthenticAMD",
	  "avx512f avx512dq avx512cd avx512bw avx512vl avx512ifma avx512vbmi avx512_vbmi2 gfni vaes "
	  "vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq avx512_bf16" },
};
#define NMODELS (sizeof(models) / sizeof(models[0]))

const char *const *vcpu_model_names(void)
{
	static const char *names[NMODELS + 1];
	size_t i;

	for (i = 0; i < NMODELS; i++)
		names[i] = models[i].name;
	names[NMODELS] = NULL;
	return names;
}

/*
 * cpuinfo flags that are Linux's own bookkeeping or host-only (VMX/SVM
 * controls, power management, mitigations the kernel synthesizes), not
 * CPUID features a guest sees (arch/x86/include/asm/cpufeatures.h: the
 * "Linux defined" words, the VMX and power words).
 */
static const char *const host_only =
	" constant_tsc up art arch_perfmon pebs bts rep_good acc_power nopl xtopology tsc_reliable"
	" nonstop_tsc cpuid extd_apicid amd_dcm aperfmperf rapl nonstop_tsc_s3 tsc_known_freq"
	" ring3mwait cpuid_fault cpb epb cat_l3 cdp_l3 cat_l2 cdp_l2 invpcid_single hw_pstate"
	" proc_feedback sme pti ssbd mba ibrs ibpb stibp ibrs_enhanced tpr_shadow vnmi flexpriority"
	" ept vpid vmmcall ept_ad xcompacted user_shstk mce_recovery cqm_llc cqm_occup_llc"
	" cqm_mbm_total cqm_mbm_local dtherm ida arat pln pts hwp hwp_notify hwp_act_window hwp_epp"
	" hwp_pkg_req hfi pconfig split_lock_detect flush_l1d arch_capabilities md_clear"
	" ds_cpl est tm tm2 xtpr pdcm dca monitor vmx smx ds acpi pbe tm ht hypervisor lbrv"
	" svm_lock nrip_save tsc_scale vmcb_clean flushbyasid decodeassists pausefilter pfthreshold"
	" avic v_vmsave_vmload vgif v_spec_ctrl vnmi x2avic sev sev_es sev_snp sme_coherent"
	" perfctr_core perfctr_nb perfctr_llc mwaitx irperf overflow_recov succor smca ibs"
	" skinit wdt bpext topoext hw_pstate aperfmperf cppc amd_ppin ppin intel_ppin"
	" intel_pt tsc_adjust tme mpx sgx sgx_lc ";

static int host_only_flag(const char *f)
{
	char pat[80];

	if (snprintf(pat, sizeof(pat), " %s ", f) >= (int)sizeof(pat))
		return 0;
	return strstr(host_only, pat) != NULL;
}

/* ---- reading host objects ----------------------------------------------- */

static const char *jstr(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *jobj(json_object *o, const char *k)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

static int jarr_has(json_object *arr, const char *s)
{
	size_t i, n;

	if (!arr || !json_object_is_type(arr, json_type_array))
		return 0;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(arr, i);

		if (json_object_is_type(e, json_type_string) && !strcmp(json_object_get_string(e), s))
			return 1;
	}
	return 0;
}

/* every flag of a space-separated list in the array */
static int has_all(json_object *flags, const char *list)
{
	char *dup = strdup(list), *tok, *save;
	int ok = dup != NULL;

	for (tok = dup ? strtok_r(dup, " ", &save) : NULL; tok && ok; tok = strtok_r(NULL, " ", &save))
		ok = jarr_has(flags, tok);
	free(dup);
	return ok;
}

/* "7.2.22" vs "8.1": <0, 0, >0 */
static int cmp_version(const char *a, const char *b)
{
	while (*a || *b) {
		long x = strtol(a, (char **)&a, 10), y = strtol(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((!*a || *a < '0' || *a > '9') && (!*b || *b < '0' || *b > '9'))
			break;
	}
	return 0;
}

/*
 * Validate that o is a host object as host.c writes it (the types the
 * comparison reads). 0, or -EINVAL with why set.
 */
int vhost_check(json_object *o, char *why, size_t n)
{
	static const char *const objs[] = { "cpu", "kernel", "images", "passthrough" };
	static const char *const arrs[] = { "hugepage_sizes_kb", "bridges" };
	json_object *cpu, *q;
	size_t i;

	if (!o || !json_object_is_type(o, json_type_object)) {
		snprintf(why, n, "no host object");
		return -EINVAL;
	}
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
		if (!json_object_is_type(jobj(o, objs[i]), json_type_object)) {
			snprintf(why, n, "host.%s is not an object", objs[i]);
			return -EINVAL;
		}
	for (i = 0; i < sizeof(arrs) / sizeof(arrs[0]); i++)
		if (!json_object_is_type(jobj(o, arrs[i]), json_type_array)) {
			snprintf(why, n, "host.%s is not a list", arrs[i]);
			return -EINVAL;
		}
	cpu = jobj(o, "cpu");
	if (!jstr(cpu, "arch") || !json_object_is_type(jobj(cpu, "flags"), json_type_array)) {
		snprintf(why, n, "host.cpu lacks arch or flags");
		return -EINVAL;
	}
	q = jobj(o, "qemu");
	if (q && !json_object_is_type(q, json_type_null) && !json_object_is_type(q, json_type_object)) {
		snprintf(why, n, "host.qemu is neither an object nor null");
		return -EINVAL;
	}
	return 0;
}

/* ---- the comparison --------------------------------------------------- */

static struct vmig *add(struct vmig *rows, size_t *n, const char *id)
{
	struct vmig *m = &rows[(*n)++];

	m->id = id;
	m->r.status = V_SKIP;
	m->r.finding[0] = m->r.hint[0] = '\0';
	return m;
}

/* Append up to max names to buf, ", "-separated, "…" past that. */
static void list_add(char *buf, size_t n, int *count, int max, const char *name)
{
	size_t len = strlen(buf);

	(*count)++;
	if (*count > max) {
		if (*count == max + 1 && len + 4 < n)
			strcat(buf, ", …");
		return;
	}
	snprintf(buf + len, n - len, "%s%s", len ? ", " : "", name);
}

static void cmp_cpu(json_object *s, json_object *d, struct vmig *rows, size_t *n)
{
	json_object *sc = jobj(s, "cpu"), *dc = jobj(d, "cpu");
	json_object *sf = jobj(sc, "flags"), *df = jobj(dc, "flags");
	const char *sv = jstr(sc, "vendor"), *dv = jstr(dc, "vendor");
	json_object *sm = jobj(jobj(s, "qemu"), "cpu_models"), *dm = jobj(jobj(d, "qemu"), "cpu_models");
	struct vmig *m;
	char missing[256] = "";
	const char *best = NULL;
	int nmiss = 0;
	size_t i, k;

	m = add(rows, n, "migrate.cpu_vendor");
	if (strcmp(jstr(sc, "arch"), jstr(dc, "arch"))) {
		vset(&m->r, V_FAIL, "migrate between hosts of one architecture",
		     "architectures differ: %s to %s", jstr(sc, "arch"), jstr(dc, "arch"));
		return;
	}
	if (!sv || !dv || strcmp(sv, dv)) {
		vset(&m->r, V_FAIL, "migrate between hosts of one CPU vendor (cold-migrate: shut the guest down, start it on the other host)",
		     "CPU vendors differ: %s to %s: a running guest cannot change vendor",
		     sv ? sv : "unknown", dv ? dv : "unknown");
		return;
	}
	vset(&m->r, V_PASS, NULL, "both %s", sv);

	m = add(rows, n, "migrate.cpu_flags");
	for (i = 0; i < json_object_array_length(sf); i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(sf, i));

		if (f && !host_only_flag(f) && !jarr_has(df, f))
			list_add(missing, sizeof(missing), &nmiss, 12, f);
	}
	/* the newest model of this vendor's line that both hosts run and both
	 * QEMUs know (unknown lists do not veto) */
	for (i = 0; i < NMODELS; i++) {
		int ok = !strcmp(models[i].vendor, sv);

		for (k = 0; ok && k <= i; k++)
			if (!strcmp(models[k].vendor, sv))
				ok = has_all(sf, models[k].flags) && has_all(df, models[k].flags);
		if (ok && sm && json_object_array_length(sm) && !jarr_has(sm, models[i].name))
			ok = 0;
		if (ok && dm && json_object_array_length(dm) && !jarr_has(dm, models[i].name))
			ok = 0;
		if (ok)
			best = models[i].name;
	}
	if (!nmiss) {
		vset(&m->r, V_PASS, NULL, "the destination has every CPU feature of the source%s%s",
		     best ? "; a shared model: " : "", best ? best : "");
		return;
	}
	vset(&m->r, V_FAIL, NULL,
	     "the destination lacks %d CPU feature%s the source offers guests (host-passthrough, host-model): %s",
	     nmiss, nmiss == 1 ? "" : "s", missing);
	if (best)
		vhint(&m->r, "start the guests with a CPU model both hosts run: -cpu %s (libvirt: <cpu mode='custom'><model>%s</model></cpu>)",
		      best, best);
	else
		vhint(&m->r, "start the guests with a CPU model both hosts run (-cpu qemu64 at least; libvirt: virsh hypervisor-cpu-baseline)");
}

static void cmp_qemu(json_object *s, json_object *d, struct vmig *rows, size_t *n)
{
	json_object *sq = jobj(s, "qemu"), *dq = jobj(d, "qemu");
	const char *sv = jstr(sq, "version"), *dv = jstr(dq, "version");
	json_object *st = jobj(sq, "machine_types"), *dt = jobj(dq, "machine_types");
	struct vmig *m = add(rows, n, "migrate.qemu");
	char missing[256] = "";
	int nmiss = 0;
	size_t i;

	if (!sv || !dv) {
		vset(&m->r, V_FAIL, "install QEMU on both hosts", "QEMU %s", !sv && !dv ? "on neither host" :
		     !sv ? "missing on the source" : "missing on the destination");
		return;
	}
	if (cmp_version(dv, sv) < 0)
		vset(&m->r, V_FAIL, "upgrade QEMU on the destination to at least the source's version",
		     "QEMU %s to %s: migration to an older QEMU is not supported", sv, dv);
	else
		vset(&m->r, V_PASS, NULL, "QEMU %s to %s", sv, dv);

	m = add(rows, n, "migrate.machines");
	if (!json_object_is_type(st, json_type_array) || !json_object_is_type(dt, json_type_array) ||
	    !json_object_array_length(st) || !json_object_array_length(dt)) {
		vset(&m->r, V_SKIP, NULL, "machine types unknown on %s", !json_object_array_length(st) ?
		     "the source" : "the destination");
		return;
	}
	for (i = 0; i < json_object_array_length(st); i++) {
		const char *t = json_object_get_string(json_object_array_get_idx(st, i));

		if (t && !jarr_has(dt, t))
			list_add(missing, sizeof(missing), &nmiss, 6, t);
	}
	if (!nmiss)
		vset(&m->r, V_PASS, NULL, "the destination offers every machine type of the source (%zu)",
		     json_object_array_length(st));
	else
		vset(&m->r, V_WARN, "guests on these machine types must stay on the source (or be restarted with a type both offer)",
		     "the destination lacks %d machine type%s of the source: %s", nmiss,
		     nmiss == 1 ? "" : "s", missing);
}

static void cmp_storage(json_object *s, json_object *d, struct vmig *rows, size_t *n)
{
	json_object *si = jobj(s, "images"), *di = jobj(d, "images");
	const char *sdir = jstr(si, "dir"), *ddir = jstr(di, "dir");
	const char *sfs = jstr(si, "fstype"), *dfs = jstr(di, "fstype");
	const char *ssrc = jstr(si, "source"), *dsrc = jstr(di, "source");
	struct vmig *m = add(rows, n, "migrate.storage");
	const char *copy = "put the images on storage both hosts mount at the same path (NFS, Ceph, GlusterFS…), "
			   "or copy the disks during migration (virsh migrate --copy-storage-all)";

	if (!sdir || !ddir || strcmp(sdir, ddir)) {
		vset(&m->r, V_WARN, copy, "images directories differ: %s and %s", sdir ? sdir : "unknown",
		     ddir ? ddir : "unknown");
		return;
	}
	if (!sfs || !dfs || !v_fs_shared(sfs) || !v_fs_shared(dfs)) {
		vset(&m->r, V_WARN, copy, "%s is not on shared storage (%s on the source, %s on the destination)",
		     sdir, sfs ? sfs : "unknown", dfs ? dfs : "unknown");
		return;
	}
	if (!ssrc || !dsrc || strcmp(ssrc, dsrc)) {
		vset(&m->r, V_WARN, copy, "%s is shared storage on both, but from different sources (%s, %s)",
		     sdir, ssrc ? ssrc : "unknown", dsrc ? dsrc : "unknown");
		return;
	}
	vset(&m->r, V_PASS, NULL, "%s is %s from %s on both hosts", sdir, sfs, ssrc);
}

static void cmp_lists(json_object *s, json_object *d, const char *key, const char *id,
		      enum vstatus bad, const char *what, const char *hint, struct vmig *rows,
		      size_t *n)
{
	json_object *sa = jobj(s, key), *da = jobj(d, key);
	struct vmig *m = add(rows, n, id);
	char missing[256] = "", name[32];
	int nmiss = 0;
	size_t i;

	for (i = 0; i < json_object_array_length(sa); i++) {
		json_object *e = json_object_array_get_idx(sa, i);
		const char *v = json_object_get_string(e);
		int found = 0;
		size_t k;

		if (json_object_is_type(e, json_type_int)) {
			for (k = 0; k < json_object_array_length(da); k++)
				if (json_object_get_int64(json_object_array_get_idx(da, k)) ==
				    json_object_get_int64(e))
					found = 1;
			snprintf(name, sizeof(name), "%lld kB", (long long)json_object_get_int64(e));
			v = name;
		} else {
			found = v && jarr_has(da, v);
		}
		if (!found)
			list_add(missing, sizeof(missing), &nmiss, 8, v ? v : "?");
	}
	if (!nmiss)
		vset(&m->r, V_PASS, NULL, "the destination has every %s of the source (%zu)", what,
		     json_object_array_length(sa));
	else
		vset(&m->r, bad, hint, "the destination lacks %d %s%s of the source: %s", nmiss, what,
		     nmiss == 1 ? "" : "s", missing);
}

static void cmp_devices(json_object *s, struct vmig *rows, size_t *n)
{
	json_object *p = jobj(s, "passthrough");
	int vfio = json_object_get_int(jobj(p, "vfio_devices")), mdev = json_object_get_int(jobj(p, "mdevs"));
	struct vmig *m = add(rows, n, "migrate.devices");

	if (!vfio && !mdev)
		vset(&m->r, V_PASS, NULL, "the source holds no devices for guests (none on vfio-pci, no mdevs)");
	else
		vset(&m->r, V_WARN, "detach the devices from such guests before migrating, or shut them down and start them on the destination",
		     "the source holds %d device%s on vfio-pci and %d mdev%s: guests that use passthrough, "
		     "SR-IOV VFs or mdevs do not live-migrate", vfio, vfio == 1 ? "" : "s", mdev,
		     mdev == 1 ? "" : "s");
}

static const char *port_verdict(json_object *ports, const char *name, const char **why)
{
	json_object *p = jobj(ports, name);

	*why = jstr(p, "why");
	return jstr(p, "verdict");
}

/*
 * The destination's firewall (host.firewall, tools/validate/firewall.c):
 * libvirt's migration data to 49152-49215/tcp, and its connection to
 * libvirtd (16509/tcp, 16514/tcp) or over ssh (22/tcp). Only a destination
 * whose firewall was read is judged.
 */
static void cmp_firewall(json_object *dst, struct vmig *rows, size_t *n)
{
	json_object *fw = jobj(dst, "firewall"), *ports = jobj(fw, "ports");
	struct vmig *m = add(rows, n, "migrate.firewall");
	const char *mig, *mwhy, *conn[3], *cwhy[3], *names[3] = { "libvirtd", "libvirtd_tls", "ssh" };
	int firewalld = json_object_get_boolean(jobj(fw, "firewalld")), open = 0, closed = 0, i;

	if (!fw) {
		vset(&m->r, V_SKIP, NULL, "the destination's document has no firewall record (an older kvmprep-validate "
		     "made it): whether libvirt's migration ports are let in is not known");
		return;
	}
	if (!json_object_get_boolean(jobj(fw, "read"))) {
		vset(&m->r, V_SKIP, NULL, "the destination's firewall was not read (%s): open 49152-49215/tcp there, "
		     "or migrate over the libvirt connection (virsh migrate --p2p --tunnelled)",
		     jstr(fw, "why") ? jstr(fw, "why") : "no reason given");
		return;
	}
	mig = port_verdict(ports, "migration", &mwhy);
	for (i = 0; i < 3; i++) {
		conn[i] = port_verdict(ports, names[i], &cwhy[i]);
		open += conn[i] && !strcmp(conn[i], "open");
		closed += conn[i] && !strcmp(conn[i], "closed");
	}
	if (!mig || !conn[0] || !conn[1] || !conn[2]) {
		vset(&m->r, V_SKIP, NULL, "the destination's firewall record is incomplete");
		return;
	}
	if (!strcmp(mig, "closed")) {
		vset(&m->r, V_FAIL, NULL, "the destination's firewall drops libvirt's migration ports 49152-49215/tcp (%s)",
		     mwhy ? mwhy : "");
		if (firewalld)
			vhint(&m->r, "on the destination: firewall-cmd --permanent --add-port=49152-49215/tcp && firewall-cmd --reload "
			      "(or migrate over the libvirt connection: virsh migrate --p2p --tunnelled)");
		else
			vhint(&m->r, "on the destination, before the rule that drops: nft insert rule FAMILY TABLE CHAIN tcp dport "
			      "49152-49215 accept, and the same in the ruleset it loads at boot (/etc/nftables.conf) "
			      "(or migrate over the libvirt connection: virsh migrate --p2p --tunnelled)");
		return;
	}
	if (closed == 3) {
		vset(&m->r, V_FAIL, NULL, "the destination's firewall lets in neither libvirtd (16509/tcp, 16514/tcp) nor ssh "
		     "(22/tcp): virsh migrate cannot reach it (%s)", cwhy[2] ? cwhy[2] : "");
		vhint(&m->r, firewalld ? "on the destination: firewall-cmd --permanent --add-service=ssh (qemu+ssh://) or "
		      "--add-service=libvirt-tls, then firewall-cmd --reload" :
		      "on the destination: let in 22/tcp (qemu+ssh://) or 16514/tcp (qemu+tls://), at run time and in "
		      "the ruleset it loads at boot");
		return;
	}
	if (!strcmp(mig, "open") && open) {
		static const char *const label[3] = { "libvirtd 16509/tcp", "libvirtd TLS 16514/tcp", "ssh 22/tcp" };
		char list[96] = "";

		for (i = 0; i < 3; i++)
			if (!strcmp(conn[i], "open"))
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", list[0] ? ", " : "",
					 label[i]);
		vset(&m->r, V_PASS, NULL, "the destination's firewall lets in libvirt's migration ports 49152-49215/tcp and "
		     "its connection (%s)", list);
		return;
	}
	vset(&m->r, V_WARN, NULL, "whether the destination's firewall lets a migration in depends on where it comes from: "
	     "%s", strcmp(mig, "open") ? (mwhy ? mwhy : "the migration ports") :
				     (cwhy[2] ? cwhy[2] : cwhy[0] ? cwhy[0] : "the connection ports"));
	vhint(&m->r, "check that the source's address is let in to 49152-49215/tcp and to 22/tcp or 16514/tcp on the destination");
}

size_t vmigrate(json_object *src, json_object *dst, struct vmig *rows, size_t max)
{
	size_t n = 0;

	if (max < VMIG_MAX)
		return 0;
	cmp_cpu(src, dst, rows, &n);
	if (n && rows[0].r.status == V_FAIL && !strncmp(rows[0].r.finding, "architectures", 13))
		return n;
	cmp_qemu(src, dst, rows, &n);
	cmp_storage(src, dst, rows, &n);
	cmp_lists(src, dst, "bridges", "migrate.bridges", V_FAIL, "bridge",
		  "create the bridges on the destination (kvmprep-bridge bridge add NAME) before migrating guests attached to them",
		  rows, &n);
	cmp_lists(src, dst, "hugepage_sizes_kb", "migrate.hugepages", V_WARN, "hugepage size",
		  "reserve the same hugepage sizes on the destination, for guests backed by them", rows, &n);
	cmp_devices(src, rows, &n);
	cmp_firewall(dst, rows, &n);
	return n;
}
