/* SPDX-License-Identifier: MIT */
/* list [-v] [PF]: every SR-IOV capable PF, and with -v each of its VFs. */
/* paths are built into PATH_MAX buffers; a truncated one does not exist */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "sysfs.h"
#include "vfnl.h"

enum { L_PF, L_ID, L_IF, L_DRIVER, L_LINK, L_TOTAL, L_NUM, L_AUTOPROBE, L_VFIO, L_NCOLS };
static const struct kp_col pf_cols[L_NCOLS] = {
	[L_PF] = { "pf", "PF", KP_STR, 0 },
	[L_ID] = { "vendor_device", "ID", KP_STR, 0 },
	[L_IF] = { "interface", "INTERFACE", KP_STR, 0 },
	[L_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[L_LINK] = { "link", "LINK", KP_STR, 0 },
	[L_TOTAL] = { "total_vfs", "TOTAL", KP_INT, KP_COL_RIGHT },
	[L_NUM] = { "num_vfs", "VFS", KP_INT, KP_COL_RIGHT },
	[L_AUTOPROBE] = { "drivers_autoprobe", "AUTOPROBE", KP_BOOL, 0 },
	[L_VFIO] = { "on_vfio", "ON-VFIO", KP_BOOL, KP_COL_LAST },
};

enum {
	V_PF, V_INDEX, V_VF, V_DRIVER, V_IF, V_MAC, V_VLAN, V_QOS, V_PROTO, V_MINRATE,
	V_MAXRATE, V_SPOOF, V_TRUST, V_STATE, V_RSS, V_GROUP, V_USE, V_NCOLS
};
static const struct kp_col vf_cols[V_NCOLS] = {
	[V_PF] = { "pf", "PF", KP_STR, 0 },
	[V_INDEX] = { "index", "VF", KP_INT, KP_COL_RIGHT },
	[V_VF] = { "address", "ADDRESS", KP_STR, 0 },
	[V_DRIVER] = { "driver", "DRIVER", KP_STR, 0 },
	[V_IF] = { "interface", "INTERFACE", KP_STR, 0 },
	[V_MAC] = { "mac", "MAC", KP_STR, 0 },
	[V_VLAN] = { "vlan", "VLAN", KP_INT, KP_COL_RIGHT },
	[V_QOS] = { "qos", "QOS", KP_INT, KP_COL_RIGHT },
	[V_PROTO] = { "vlan_proto", "PROTO", KP_STR, 0 },
	[V_MINRATE] = { "min_rate", "MIN", KP_INT, KP_COL_RIGHT },
	[V_MAXRATE] = { "max_rate", "MAX", KP_INT, KP_COL_RIGHT },
	[V_SPOOF] = { "spoofchk", "SPOOFCHK", KP_BOOL, 0 },
	[V_TRUST] = { "trust", "TRUST", KP_BOOL, 0 },
	[V_STATE] = { "link_state", "STATE", KP_STR, 0 },
	[V_RSS] = { "query_rss", "RSS", KP_BOOL, 0 },
	[V_GROUP] = { "group", "GROUP", KP_INT, KP_COL_RIGHT },
	[V_USE] = { "in_use", "USE", KP_STR, KP_COL_LAST },
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every device with sriov_totalvfs, sorted. */
static int find_pfs(char ***out, size_t *n)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *de;
	char **v = NULL;

	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char p[PATH_MAX], **nv;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/sriov_totalvfs", de->d_name);
		if (!kp_sysfs_exists(p))
			continue;
		nv = realloc(v, (*n + 1) * sizeof(*v));
		if (!nv || !(nv[*n] = strdup(de->d_name))) {
			free(nv ? nv : v);
			closedir(d);
			return -ENOMEM;
		}
		v = nv;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), cmp_str);
	*out = v;
	return 0;
}

static void read_link_state(const char *ifname, char *buf, size_t n)
{
	char p[PATH_MAX];

	buf[0] = '\0';
	if (!ifname[0])
		return;
	snprintf(p, sizeof(p), "/sys/class/net/%s/operstate", ifname);
	if (kp_sysfs_read(p, buf, n) < 0)
		buf[0] = '\0';
}

static void vf_rows(struct kp_table *t, const struct kp_sriov_pf *pf, struct vf_usage *use,
		    const struct kp_vfnl_info *info, size_t ninfo)
{
	int i;

	for (i = 0; i < pf->numvfs; i++) {
		char vf[13], p[PATH_MAX], buf[64], ifn[64] = "", why[256];
		int row, r;
		size_t k;

		if (kp_sriov_vf_bdf(pf->bdf, i, vf) < 0)
			continue;
		row = kp_table_add_row(t);
		if (row < 0)
			return;
		kp_table_set_str(t, row, V_PF, pf->bdf);
		kp_table_set_int(t, row, V_INDEX, i);
		kp_table_set_str(t, row, V_VF, vf);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/driver", vf);
		if (kp_sysfs_link_name(p, buf, sizeof(buf)) > 0)
			kp_table_set_str(t, row, V_DRIVER, buf);
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/net", vf);
		{
			DIR *d = opendir(p);
			struct dirent *de;

			while (d && (de = readdir(d)))
				if (de->d_name[0] != '.' && (!ifn[0] || strcmp(de->d_name, ifn) < 0))
					snprintf(ifn, sizeof(ifn), "%s", de->d_name);
			if (d)
				closedir(d);
		}
		if (ifn[0])
			kp_table_set_str(t, row, V_IF, ifn);
		for (k = 0; k < ninfo; k++) {
			const struct kp_vfnl_info *v = &info[k];

			if (v->index != (unsigned)i)
				continue;
			if (v->has_mac)
				kp_table_set_str(t, row, V_MAC, v->mac);
			if (v->has_vlan) {
				kp_table_set_int(t, row, V_VLAN, v->vlan);
				kp_table_set_int(t, row, V_QOS, v->qos);
				kp_table_set_str(t, row, V_PROTO, v->vlan_proto == 0x88a8 ? "802.1ad"
								 : "802.1Q");
			}
			if (v->has_rate) {
				kp_table_set_int(t, row, V_MINRATE, v->min_rate);
				kp_table_set_int(t, row, V_MAXRATE, v->max_rate);
			}
			if (v->spoofchk >= 0)
				kp_table_set_bool(t, row, V_SPOOF, v->spoofchk);
			if (v->trust >= 0)
				kp_table_set_bool(t, row, V_TRUST, v->trust);
			if (v->link_state >= 0)
				kp_table_set_str(t, row, V_STATE, kp_vfnl_state_name(v->link_state));
			if (v->query_rss >= 0)
				kp_table_set_bool(t, row, V_RSS, v->query_rss);
		}
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/iommu_group", vf);
		if (kp_sysfs_link_name(p, buf, sizeof(buf)) > 0)
			kp_table_set_int(t, row, V_GROUP, atoi(buf));
		r = use ? vf_in_use(use, vf, why, sizeof(why)) : 0;
		if (r > 0)
			kp_table_set_str(t, row, V_USE, why);
		else if (r == 0)
			kp_table_set_str(t, row, V_USE, "no");
	}
}

int cmd_list(struct opts *o, int argc, char **argv)
{
	struct kp_table *t = NULL, *vt = NULL;
	struct vf_usage *use = NULL;
	struct kp_vfnl *nl = NULL;
	char **pfs = NULL, one[13];
	size_t npfs = 0, i;
	int r, rc = 0;

	if (argc > 1)
		return kp_usage_err("list takes at most one PF");
	if (argc == 1) {
		struct kp_sriov_pf pf;

		r = resolve_pf(argv[0], one);
		if (r)
			return r;
		r = check_pf(one, &pf);
		if (r)
			return r;
		pfs = malloc(sizeof(*pfs));
		if (!pfs || !(pfs[0] = strdup(one))) {
			free(pfs);
			return KP_EXIT_FAIL;
		}
		npfs = 1;
	} else {
		r = find_pfs(&pfs, &npfs);
		if (r < 0) {
			kp_err_errno("/sys/bus/pci/devices", r, "cannot list PCI devices");
			return KP_EXIT_HOST;
		}
	}
	t = kp_table_new(pf_cols, L_NCOLS);
	if (o->verbose) {
		vt = kp_table_new(vf_cols, V_NCOLS);
		if (vf_usage_new(&use) < 0)
			use = NULL;
	}
	if (!t || (o->verbose && !vt)) {
		rc = KP_EXIT_FAIL;
		goto out;
	}
	for (i = 0; i < npfs; i++) {
		struct kp_sriov_pf pf;
		char link[32];
		int row;

		if (kp_sriov_pf_read(pfs[i], &pf) < 0)
			continue;
		row = kp_table_add_row(t);
		if (row < 0)
			break;
		kp_table_set_str(t, row, L_PF, pf.bdf);
		kp_table_set_strf(t, row, L_ID, "%04x:%04x", pf.vendor, pf.device);
		kp_table_set_str(t, row, L_IF, pf.ifname[0] ? pf.ifname : NULL);
		kp_table_set_str(t, row, L_DRIVER, pf.driver[0] ? pf.driver : NULL);
		read_link_state(pf.ifname, link, sizeof(link));
		kp_table_set_str(t, row, L_LINK, link[0] ? link : NULL);
		kp_table_set_int(t, row, L_TOTAL, pf.totalvfs);
		kp_table_set_int(t, row, L_NUM, pf.numvfs);
		kp_table_set_bool(t, row, L_AUTOPROBE, pf.autoprobe);
		kp_table_set_bool(t, row, L_VFIO, strcmp(pf.driver, "vfio-pci") == 0);
		if (o->verbose) {
			struct kp_vfnl_info *info = NULL;
			size_t ninfo = 0;

			/* one netlink request per PF, VF information only here */
			if (pf.ifname[0] && pf.numvfs > 0) {
				if (!nl && kp_vfnl_open(&nl) < 0)
					nl = NULL;
				if (nl && kp_vfnl_get(nl, pf.ifname, pf.totalvfs, &info, &ninfo) < 0)
					ninfo = 0;
			}
			vf_rows(vt, &pf, use, info, ninfo);
			free(info);
		}
	}
	if (o->json) {
		json_object *doc = kp_json_doc(TOOL), *arr = kp_table_json(t);

		json_object_object_add(doc, "command", json_object_new_string("list"));
		if (o->verbose) {
			json_object *vfs = kp_table_json(vt);
			size_t k, j;

			/* each PF carries its VFs */
			for (k = 0; k < json_object_array_length(arr); k++) {
				json_object *pfo = json_object_array_get_idx(arr, k), *mine, *pfk;

				mine = json_object_new_array();
				json_object_object_get_ex(pfo, "pf", &pfk);
				for (j = 0; j < json_object_array_length(vfs); j++) {
					json_object *vo = json_object_array_get_idx(vfs, j), *vp;

					json_object_object_get_ex(vo, "pf", &vp);
					if (strcmp(json_object_get_string(vp), json_object_get_string(pfk)))
						continue;
					json_object_array_add(mine, json_object_get(vo));
				}
				json_object_object_add(pfo, "vfs", mine);
			}
			json_object_put(vfs);
		}
		json_object_object_add(doc, "pfs", arr);
		rc = kp_json_print(doc, stdout) < 0 ? KP_EXIT_FAIL : 0;
		json_object_put(doc);
	} else if (!o->quiet) {
		rc = kp_table_print(t, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
		if (rc == 0 && vt && kp_table_nrows(vt)) {
			putchar('\n');
			rc = kp_table_print(vt, stdout, &o->out) < 0 ? KP_EXIT_FAIL : 0;
		}
	}
out:
	kp_vfnl_close(nl);
	vf_usage_free(use);
	kp_table_free(t);
	kp_table_free(vt);
	for (i = 0; i < npfs; i++)
		free(pfs[i]);
	free(pfs);
	return rc;
}
