/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-iommu: IOMMU groups, vfio-pci binding and restore.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "lock.h"
#include "target.h"

enum {
	OPT_WHY = 0x100,
	OPT_TIMEOUT,
	OPT_WAIT,
	OPT_OFFLINE,
	OPT_ROOT,
};

/* Which command takes which option (a bit per option). */
enum {
	O_GROUP = 1 << 0,
	O_FORCE = 1 << 1,
	O_PERSIST = 1 << 2,
	O_WHY = 1 << 3,
	O_DRIVER = 1 << 4,
	O_CLASS = 1 << 5,
	O_ID = 1 << 6,
	O_TIMEOUT = 1 << 7,
	O_DRYRUN = 1 << 8,
	O_WAIT = 1 << 9,
	O_OFFLINE = 1 << 10, /* --offline, --root DIR */
};

struct cmd {
	const char *name;
	int (*func)(struct opts *o, int argc, char **argv);
	unsigned takes;
};

static const struct cmd cmds[] = {
	{ "groups", cmd_groups, O_WHY },
	{ "list", cmd_list, O_CLASS | O_ID },
	{ "status", cmd_status, 0 },
	{ "bind", cmd_bind, O_GROUP | O_FORCE | O_PERSIST | O_DRIVER | O_ID | O_TIMEOUT | O_DRYRUN | O_WAIT | O_OFFLINE },
	{ "unbind", cmd_unbind, O_ID | O_DRYRUN | O_WAIT },
	{ "restore", cmd_unbind, O_ID | O_DRYRUN | O_WAIT },
	{ "unpersist", cmd_unpersist, O_ID | O_DRYRUN | O_WAIT | O_OFFLINE },
	{ "apply-persisted", cmd_apply, O_TIMEOUT | O_DRYRUN | O_WAIT },
	{ "recover", cmd_recover, O_DRYRUN | O_WAIT },
};

static const char usage_text[] =
	      "Usage:\n"
	      " " TOOL " [options] <command> [DEVICE...]\n"
	      "\n"
	      "IOMMU groups and vfio-pci binding for PCI passthrough.\n"
	      "\n"
	      "Commands:\n"
	      " groups [DEVICE]         every IOMMU group, its devices and whether a guest can take it\n"
	      " groups --why [DEVICE]   why devices share a group (ACS on the PCIe path, multifunction)\n"
	      " list                    every PCI device: driver, group, reset methods, host use\n"
	      " status DEVICE           is the device ready for a guest (exit 0) or not (exit 1)\n"
	      " bind DEVICE...          bind to vfio-pci, rolled back on any failure\n"
	      " unbind DEVICE...        clear driver_override and return to the device's own driver\n"
	      " restore DEVICE...       the same as unbind\n"
	      " unpersist DEVICE...     forget a binding made with bind --persist\n"
	      " apply-persisted         bind what bind --persist recorded (run at boot)\n"
	      " recover                 roll back a change a killed run left half-done\n"
	      "\n"
	      "DEVICE is a PCI address (0000:01:00.0 or 01:00.0) or a network interface name.\n"
	      "\n"
	      "Options:\n"
	      " -i, --id VVVV:DDDD      every device with this vendor:device ID (list, bind, unbind)\n"
	      " -c, --class CLASS       list only net, storage, display, multimedia, bridge, usb, ...\n"
	      " -g, --group             bind: take the device's whole IOMMU group\n"
	      " -d, --driver DRIVER     bind: the driver to bind to (default vfio-pci)\n"
	      " -f, --force             bind: take devices the host is using\n"
	      " -p, --persist           bind: bind again at every boot\n"
	      "     --offline           bind --persist, unpersist: only the boot configuration,\n"
	      "                         nothing bound now\n"
	      "     --root DIR          the same into the system mounted at DIR (kickstart:\n"
	      "                         /mnt/sysimage); implies --offline\n"
	      "     --why               groups: explain the groups from the PCIe path\n"
	      " -t, --timeout MS        bind: how long to wait for /dev/vfio/N (default 5000)\n"
	      "     --wait SECONDS      wait that long for another run's lock (default 5)\n"
	      " -n, --dry-run           say what would change, change nothing\n"
	      " -j, --json              JSON output (\"schema\": 1)\n"
	      " -q, --quiet             no output, only the exit status and errors\n"
	      "\n"
	      " -h, --help              display this help\n"
	      " -V, --version           display version\n"
	      "\n"
	      "Exit status: 0 done (status: ready), 1 failed or refused (status: not ready),\n"
	      "2 usage error, 3 the host cannot (not root, no IOMMU, no such device or driver);\n"
	      "128+N: interrupted by signal N (SIGTERM 143, SIGINT 130, SIGHUP 129), rolled back.\n"
	      "\n"
	      "For more details see kvmprep-iommu(1).\n";

/* --help and --version win over the rest of the line; --json anywhere on
 * it makes them one document */
static int help_or_version(int c, int json, int argc, char **argv,
			   const struct option *longopts)
{
	int k;

	while ((k = getopt_long(argc, argv, ":i:c:gd:fpt:njqhV", longopts, NULL)) != -1)
		json |= k == 'j';
	if (json)
		return kp_json_text(TOOL, c == 'h' ? "help" : "version",
				    c == 'h' ? usage_text : KP_VERSION) < 0 ? KP_EXIT_FAIL : KP_EXIT_OK;
	if (c == 'h')
		fputs(usage_text, stdout);
	else
		printf("%s %s\n", TOOL, KP_VERSION);
	return KP_EXIT_OK;
}

static int opt_bit(int c)
{
	switch (c) {
	case 'g': return O_GROUP;
	case 'f': return O_FORCE;
	case 'p': return O_PERSIST;
	case OPT_WHY: return O_WHY;
	case 'd': return O_DRIVER;
	case 'c': return O_CLASS;
	case 'i': return O_ID;
	case 't': return O_TIMEOUT;
	case 'n': return O_DRYRUN;
	case OPT_WAIT: return O_WAIT;
	case OPT_OFFLINE: return O_OFFLINE;
	case OPT_ROOT: return O_OFFLINE;
	}
	return 0;
}

static const char *opt_name(unsigned bit)
{
	switch (bit) {
	case O_GROUP: return "--group";
	case O_FORCE: return "--force";
	case O_PERSIST: return "--persist";
	case O_WHY: return "--why";
	case O_DRIVER: return "--driver";
	case O_CLASS: return "--class";
	case O_ID: return "--id";
	case O_TIMEOUT: return "--timeout";
	case O_DRYRUN: return "--dry-run";
	case O_WAIT: return "--wait";
	case O_OFFLINE: return "--offline/--root";
	}
	return "?";
}

/* what main() needs to know after the command: a failed command under
 * --json still prints one document (kp_json_error) */
static int want_json;
static const char *cmd_name;

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "class", required_argument, NULL, 'c' },
		{ "group", no_argument, NULL, 'g' },
		{ "driver", required_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ "why", no_argument, NULL, OPT_WHY },
		{ "timeout", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .driver = "vfio-pci", .timeout_ms = DEFAULT_TIMEOUT_MS,
			  .wait_ms = KP_LOCK_WAIT_DEFAULT_MS };
	unsigned given = 0, bit;
	const struct cmd *cmd = NULL;
	const char *root = NULL;
	char msg[4200];
	int offline = 0;
	size_t i;
	int c;

	kp_set_program(TOOL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:c:gd:fpt:njqhV", longopts, NULL)) != -1) {
		given |= (unsigned)opt_bit(c);
		switch (c) {
		case 'i': o.id = optarg; break;
		case 'c': o.class = optarg; break;
		case 'g': o.group = 1; break;
		case 'd': o.driver = optarg; break;
		case 'f': o.force = 1; break;
		case 'p': o.persist = 1; break;
		case OPT_WHY: o.why = 1; break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg == '\0' || *end || v < 0 || v > 600000)
				return kp_usage_err("invalid --timeout: '%s' (milliseconds, 0..600000)",
						    optarg);
			o.timeout_ms = (int)v;
			break;
		}
		case OPT_WAIT: {
			char *end;
			double v = strtod(optarg, &end);

			/* "!(v <= 3600)" also refuses a NaN */
			if (*optarg == '\0' || *end || !(v >= 0) || !(v <= 3600))
				return kp_usage_err("invalid --wait: '%s' (seconds, 0..3600)", optarg);
			o.wait_ms = (int)(v * 1000 + 0.5);
			break;
		}
		case OPT_OFFLINE: offline = 1; break;
		case OPT_ROOT: root = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'j': o.json = 1; want_json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
		case 'V':
			return help_or_version(c, o.json, argc, argv, longopts);
		default:
			return kp_bad_option(c, argv, optind, optopt);
			return KP_EXIT_USAGE;
		}
	}
	if (optind >= argc)
		return kp_usage_err("no command given");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[optind], cmds[i].name) == 0)
			cmd = &cmds[i];
	if (!cmd)
		return kp_usage_err("unknown command '%s'", argv[optind]);
	cmd_name = cmd->name;
	for (bit = 1; bit <= O_OFFLINE; bit <<= 1)
		if ((given & bit) && !(cmd->takes & bit))
			return kp_usage_err("%s does not take %s", cmd->name, opt_name(bit));
	if (o.json && o.quiet)
		return kp_usage_err("--json and --quiet exclude each other");
	if (kp_target_setup(root, offline, msg, sizeof(msg)))
		return kp_usage_err("%s", msg);
	kp_set_quiet(o.quiet);
	kp_out_init(&o.out, o.json, o.quiet);
	optind++;
	return cmd->func(&o, argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (rc != KP_EXIT_OK && want_json)
		kp_json_error(TOOL, cmd_name, rc);
	return kp_out_close(rc);
}
