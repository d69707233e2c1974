/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-launch: a minimal VM launcher over QEMU. Checks what the guest
 * needs against the host, assembles the QEMU command line (and the file
 * descriptors it gets), starts it, pins it and shuts it down cleanly.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "exitcodes.h"
#include "launch.h"
#include "output.h"

static const char usage_text[] =
	"Usage:\n"
	      " " TOOL " [options] --kernel FILE | --disk FILE | --cdrom ISO\n"
	      " " TOOL " --vm NAME [options]\n"
	      "\n"
	      "Start a guest under QEMU with what the host prepared for it: VFIO devices,\n"
	      "mediated devices, bridges, macvtap and tap links, hugepages, pinned CPUs.\n"
	      "\n"
	      "Boot:\n"
	      "     --kernel FILE        boot this kernel directly\n"
	      "     --initrd FILE        with this initramfs\n"
	      "     --append TEXT        kernel command line\n"
	      "     --disk FILE          a raw or qcow2 image as virtio-blk (repeatable)\n"
	      "     --cdrom ISO          a CD-ROM image\n"
	      "     --firmware uefi|bios UEFI (OVMF, a per-guest copy of its variables) or BIOS\n"
	      "     --machine TYPE       q35 (default), microvm (direct kernel boot, no PCI), pc, ...\n"
	      "     --accel kvm|tcg|auto auto (default): KVM where it can run the guest, else TCG\n"
	      "\n"
	      "Size and placement:\n"
	      " -m, --memory SIZE        guest memory (512M default; a bare number is MiB)\n"
	      " -c, --cpus N             vCPUs (default 1)\n"
	      "     --hugepages 2M|1G    back memory with preallocated hugepages\n"
	      "     --pin CPULIST        pin vCPU threads (one CPU each when the list has one per vCPU)\n"
	      "     --numa-node N        bind guest memory (and QEMU, without --pin) to host node N\n"
	      "\n"
	      "Devices:\n"
	      "     --vfio DEVICE        pass a PCI device through (its group on vfio-pci; repeatable)\n"
	      "     --mdev UUID          pass a mediated device through (repeatable)\n"
	      "     --nic SPEC           bridge=BR|macvtap=NAME|tap=NAME[,mac=M][,queues=N] (repeatable)\n"
	      "     --uuid UUID          the guest's UUID (default: the first --mdev's)\n"
	      "\n"
	      "Console and control:\n"
	      "     --console MODE       stdio (default), pty, none, socket=PATH\n"
	      "     --qmp PATH           an extra QMP socket for other tools\n"
	      "     --shutdown-timeout S on SIGTERM, how long the guest may take to power down (60)\n"
	      "     --name NAME          the guest's name (default: the VM file's, else \"guest\")\n"
	      "     --vm NAME            read /etc/kvmprep/vms/NAME.conf (key = value, the long options)\n"
	      "     --qemu PATH          the QEMU binary (default qemu-system-ARCH in PATH)\n"
	      "     --state-dir DIR      per-guest files (default /var/lib/kvmprep/vms/NAME)\n"
	      "\n"
	      " -n, --dry-run            print the QEMU command line and its fds, start nothing\n"
	      " -j, --json               JSON output (\"schema\": 1)\n"
	      " -q, --quiet              no output but errors\n"
	      "\n"
	      " -h, --help               display this help\n"
	      " -V, --version            display version\n"
	      "\n"
	      "Exit status: QEMU's own once it started (0 after a clean shutdown);\n"
	      "before: 1 failed, 2 usage error or bad VM file, 3 the host cannot (no QEMU,\n"
	      "missing file, device not ready, too few hugepages, no such link).\n"
	      "\n"
	      "For more details see kvmprep-launch(1).\n";

static const struct option longopts[] = {
	{ "vm", required_argument, NULL, 0 },
	{ "name", required_argument, NULL, 0 },
	{ "qemu", required_argument, NULL, 0 },
	{ "kernel", required_argument, NULL, 0 },
	{ "initrd", required_argument, NULL, 0 },
	{ "append", required_argument, NULL, 0 },
	{ "disk", required_argument, NULL, 0 },
	{ "cdrom", required_argument, NULL, 0 },
	{ "firmware", required_argument, NULL, 0 },
	{ "machine", required_argument, NULL, 0 },
	{ "accel", required_argument, NULL, 0 },
	{ "memory", required_argument, NULL, 'm' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "hugepages", required_argument, NULL, 0 },
	{ "pin", required_argument, NULL, 0 },
	{ "numa-node", required_argument, NULL, 0 },
	{ "vfio", required_argument, NULL, 0 },
	{ "mdev", required_argument, NULL, 0 },
	{ "nic", required_argument, NULL, 0 },
	{ "uuid", required_argument, NULL, 0 },
	{ "console", required_argument, NULL, 0 },
	{ "qmp", required_argument, NULL, 0 },
	{ "shutdown-timeout", required_argument, NULL, 0 },
	{ "state-dir", required_argument, NULL, 0 },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int want_json;

static int run(int argc, char **argv)
{
	struct l_opts o;
	struct l_plan p;
	const char *vm = NULL;
	int c, idx, rc, i;

	memset(&o, 0, sizeof(o));
	o.numa_node = -1;
	o.shutdown_timeout = -1;
	kp_set_program(TOOL);
	opterr = 0;

	/* --vm first: the file's values come first, the command line's
	 * options override its scalars and add to its lists */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--vm") && i + 1 < argc)
			vm = argv[i + 1];
		else if (!strncmp(argv[i], "--vm=", 5))
			vm = argv[i] + 5;
		else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			want_json = 1;
	}
	if (vm) {
		for (i = 1; i < argc; i++)
			if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
				optind = 1;
				rc = kp_help_version(TOOL, 'h', want_json, argc, argv,
						     ":m:c:njqhV", longopts, usage_text);
				goto out;
			}
		o.vm = strdup(vm);
		rc = l_vmfile_read(&o, vm);
		if (rc)
			goto out;
	}
	while ((c = getopt_long(argc, argv, ":m:c:njqhV", longopts, &idx)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 0: key = longopts[idx].name; break;
		case 'm': key = "memory"; break;
		case 'c': key = "cpus"; break;
		case 'n': o.dry_run = 1; continue;
		case 'j': o.json = 1; want_json = 1; continue;
		case 'q': o.quiet = 1; continue;
		case 'h':
		case 'V':
			rc = kp_help_version(TOOL, c, o.json, argc, argv, ":m:c:njqhV", longopts,
					     usage_text);
			goto out;
		default:
			rc = kp_bad_option(c, argv, optind, optopt);
			goto out;
		}
		if (!strcmp(key, "vm"))
			continue;
		/* "--console socket PATH": the path as the next word */
		if (!strcmp(key, "console") && !strcmp(optarg, "socket") && optind < argc) {
			char *v;

			if (asprintf(&v, "socket=%s", argv[optind++]) < 0) {
				rc = KP_EXIT_FAIL;
				goto out;
			}
			rc = l_opt_apply(&o, key, v, NULL);
			free(v);
		} else {
			rc = l_opt_apply(&o, key, optarg, NULL);
		}
		if (rc)
			goto out;
	}
	if (optind < argc) {
		rc = kp_usage_err("unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (o.json && o.quiet) {
		rc = kp_usage_err("--json and --quiet exclude each other");
		goto out;
	}
	kp_set_quiet(o.quiet);
	rc = l_plan_build(&o, &p);
	if (rc) {
		l_plan_free(&p);
		goto out;
	}
	if (o.dry_run) {
		if (o.json) {
			json_object *doc = l_plan_json(&o, &p);

			kp_json_print(doc, stdout);
			json_object_put(doc);
		} else if (!o.quiet) {
			l_plan_print(&o, &p);
		}
		l_plan_free(&p);
		goto out;
	}
	if (!o.quiet && !o.json) {
		size_t k;

		fprintf(stderr, "%s: %s: accel %s: %s\n", TOOL, o.name,
			p.accel == L_ACCEL_KVM ? "kvm" : "tcg", p.accel_reason);
		for (k = 0; k < p.nwarnings; k++)
			kp_warn(o.name, "%s", p.warnings[k]);
	}
	rc = l_run(&o, &p);
	l_plan_free(&p);
out:
	l_opts_free(&o);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (rc != KP_EXIT_OK && want_json)
		kp_json_error(TOOL, "launch", rc);
	return kp_out_close(rc);
}
