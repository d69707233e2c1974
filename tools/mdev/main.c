/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-mdev: mediated devices (vGPU and others), live and persistent,
 * interchangeable with mdevctl; NVIDIA's vendor-specific vGPU VFs.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "target.h"
#include "err.h"
#include "exitcodes.h"
#include "output.h"

enum {
	OPT_AUTO = 0x100,
	OPT_MANUAL,
	OPT_DELATTR,
	OPT_INDEX,
	OPT_TIMEOUT,
	OPT_COUNT,
	OPT_WAIT,
	OPT_OFFLINE,
	OPT_ROOT,
};

/* Which command takes which option (a bit per option). */
enum {
	O_PARENT = 1 << 0,
	O_TYPE = 1 << 1,
	O_UUID = 1 << 2,
	O_ATTR = 1 << 3,
	O_AUTO = 1 << 4,
	O_DEFINED = 1 << 5,
	O_FORCE = 1 << 6,
	O_TIMEOUT = 1 << 7,
	O_DRYRUN = 1 << 8,
	O_INDEX = 1 << 9,
	O_DELATTR = 1 << 10,
	O_COUNT = 1 << 11,
	O_WAIT = 1 << 12,
	O_OFFLINE = 1 << 13, /* --offline, --root DIR */
	O_LAST = O_OFFLINE,
};

struct cmd {
	const char *name;
	int (*func)(struct opts *o, int argc, char **argv);
	unsigned takes;
};

static const struct cmd cmds[] = {
	{ "types", cmd_types, 0 },
	{ "list", cmd_list, O_DEFINED | O_PARENT },
	{ "create", cmd_create, O_PARENT | O_TYPE | O_UUID | O_ATTR | O_TIMEOUT | O_DRYRUN | O_FORCE | O_COUNT | O_WAIT },
	{ "remove", cmd_remove, O_FORCE | O_DRYRUN | O_WAIT },
	{ "define", cmd_define, O_PARENT | O_TYPE | O_UUID | O_ATTR | O_AUTO | O_DRYRUN | O_FORCE | O_WAIT | O_OFFLINE },
	{ "undefine", cmd_undefine, O_PARENT | O_DRYRUN | O_FORCE | O_WAIT | O_OFFLINE },
	{ "modify", cmd_modify, O_PARENT | O_TYPE | O_ATTR | O_AUTO | O_INDEX | O_DELATTR | O_DRYRUN | O_FORCE | O_WAIT | O_OFFLINE },
	{ "start", cmd_start, O_PARENT | O_TYPE | O_UUID | O_ATTR | O_TIMEOUT | O_DRYRUN | O_FORCE | O_WAIT },
	{ "stop", cmd_stop, O_FORCE | O_DRYRUN | O_WAIT },
	{ "start-parent", cmd_start_parent, O_TIMEOUT | O_DRYRUN | O_WAIT },
	{ "apply", cmd_apply, O_TIMEOUT | O_DRYRUN | O_WAIT },
	{ "recover", cmd_recover, O_WAIT },
};

static const char usage_text[] =
	"Usage:\n"
	      " " TOOL " [options] <command> [ARG...]\n"
	      "\n"
	      "Mediated devices (vGPUs and others), live and persistent, interchangeable\n"
	      "with mdevctl; NVIDIA's vendor-specific vGPU VFs (vGPU 17+, Ada/Hopper).\n"
	      "\n"
	      "Commands:\n"
	      " types [PARENT]          every parent and its types: name, API, instances left\n"
	      " list                    active devices (--defined: definitions), holders\n"
	      " create -p P -t T        create a device (--uuid U, --attr K=V... in order);\n"
	      "                         several in one call: --uuid U... or --count N\n"
	      " remove UUID|VF...       remove them; refused while a process holds one\n"
	      " define -p P -t T        a persistent definition in /etc/mdevctl.d/P/UUID\n"
	      " define UUID             define an active device as it is\n"
	      " undefine UUID           remove the definition\n"
	      " modify UUID             change a definition: --type, --auto/--manual,\n"
	      "                         --attr K=V [--index N], --delattr [--index N]\n"
	      " start UUID              create a defined device (or: start -p P -t T)\n"
	      " stop UUID               remove an active device (as remove)\n"
	      " start-parent PARENT     start PARENT's --auto definitions (the udev rule)\n"
	      " apply                   start every --auto definition and vgpu.conf entry (boot)\n"
	      " recover                 roll back what a killed kvmprep call left half done\n"
	      "\n"
	      "PARENT is a parent device as /sys/class/mdev_bus names it (0000:01:00.0,\n"
	      "matrix); for NVIDIA's vendor-specific vGPU the parent is the VF's address\n"
	      "and the type its vGPU type id (types lists each VF's creatable types).\n"
	      "\n"
	      "Options:\n"
	      " -p, --parent PARENT     the parent device\n"
	      " -t, --type TYPE         the mdev type (nvidia-222, i915-GVTg_V5_4, ...)\n"
	      " -u, --uuid UUID         the device's UUID (default: a new random one)\n"
	      "     --count N           create: N devices (new random UUIDs), all or none\n"
	      " -a, --attr KEY=VALUE    a vendor attribute, written in the order given\n"
	      "     --index N           modify: where --attr goes, which --delattr removes\n"
	      "     --delattr           modify: remove an attribute (default: the last)\n"
	      "     --auto, --manual    define/modify: start at boot when the parent appears, or not\n"
	      "     --offline           define/undefine/modify: the definition only, no callout\n"
	      "     --root DIR          the same in the system mounted at DIR (kickstart:\n"
	      "                         /mnt/sysimage); implies --offline\n"
	      " -d, --defined           list: the definitions, not the active devices\n"
	      " -f, --force             remove/stop a device a process holds; go on when a\n"
	      "                         callout script refuses\n"
	      "     --timeout MS        how long to wait for a device and its /dev/vfio node\n"
	      "                         (default 5000)\n"
	      "     --wait SECONDS      wait that long for another run's lock (default 5)\n"
	      " -n, --dry-run           say what would change, change nothing\n"
	      " -j, --json              JSON output (\"schema\": 1)\n"
	      " -q, --quiet             no output, only the exit status and errors\n"
	      "\n"
	      " -h, --help              display this help\n"
	      " -V, --version           display version\n"
	      "\n"
	      "Exit status: 0 done or unchanged, 1 failed (rolled back), 2 usage error or a\n"
	      "bad definition file, 3 the host cannot (not root, no such parent or type).\n"
	      "\n"
	      "For more details see kvmprep-mdev(1).\n";

static int opt_bit(int c)
{
	switch (c) {
	case 'p': return O_PARENT;
	case 't': return O_TYPE;
	case 'u': return O_UUID;
	case 'a': return O_ATTR;
	case OPT_AUTO: case OPT_MANUAL: return O_AUTO;
	case OPT_OFFLINE: case OPT_ROOT: return O_OFFLINE;
	case 'd': return O_DEFINED;
	case 'f': return O_FORCE;
	case OPT_TIMEOUT: return O_TIMEOUT;
	case 'n': return O_DRYRUN;
	case OPT_INDEX: return O_INDEX;
	case OPT_DELATTR: return O_DELATTR;
	case OPT_COUNT: return O_COUNT;
	case OPT_WAIT: return O_WAIT;
	}
	return 0;
}

static const char *opt_name(unsigned bit)
{
	switch (bit) {
	case O_PARENT: return "--parent";
	case O_TYPE: return "--type";
	case O_UUID: return "--uuid";
	case O_ATTR: return "--attr";
	case O_AUTO: return "--auto/--manual";
	case O_OFFLINE: return "--offline/--root";
	case O_DEFINED: return "--defined";
	case O_FORCE: return "--force";
	case O_TIMEOUT: return "--timeout";
	case O_DRYRUN: return "--dry-run";
	case O_INDEX: return "--index";
	case O_DELATTR: return "--delattr";
	case O_COUNT: return "--count";
	case O_WAIT: return "--wait";
	}
	return "?";
}

static int want_json;
static const char *cmd_name;

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "parent", required_argument, NULL, 'p' },
		{ "type", required_argument, NULL, 't' },
		{ "uuid", required_argument, NULL, 'u' },
		{ "attr", required_argument, NULL, 'a' },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "delattr", no_argument, NULL, OPT_DELATTR },
		{ "auto", no_argument, NULL, OPT_AUTO },
		{ "manual", no_argument, NULL, OPT_MANUAL },
		{ "defined", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	static struct opts o;
	unsigned given = 0, bit;
	const struct cmd *cmd = NULL;
	const char *root = NULL;
	char msg[4200];
	int offline = 0;
	size_t i;
	int c;

	o.index = -1;
	o.autostart = -1;
	o.timeout_ms = DEFAULT_TIMEOUT_MS;
	kp_set_program(TOOL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:t:u:a:dfnjqhV", longopts, NULL)) != -1) {
		given |= (unsigned)opt_bit(c);
		switch (c) {
		case 'p': o.parent = optarg; break;
		case 't': o.type = optarg; break;
		case 'u':
			if (o.nuuids == sizeof(o.uuids) / sizeof(o.uuids[0]))
				return kp_usage_err("more than %zu --uuid", o.nuuids);
			o.uuids[o.nuuids++] = optarg;
			o.uuid = o.uuids[0];
			break;
		case OPT_COUNT: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (!*optarg || *end || v < 1 || v > 256)
				return kp_usage_err("invalid --count: '%s' (1..256)", optarg);
			o.count = (int)v;
			break;
		}
		case 'a': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg)
				return kp_usage_err("invalid --attr: '%s' (KEY=VALUE)", optarg);
			if (o.nattrs == MAX_ATTRS)
				return kp_usage_err("more than %d --attr", MAX_ATTRS);
			*eq = '\0';
			if (strchr(optarg, '/') || !strcmp(optarg, ".") || !strcmp(optarg, "..")) {
				*eq = '=';
				return kp_usage_err("invalid --attr: '%s' (KEY is an attribute name)",
						    optarg);
			}
			o.attr_key[o.nattrs] = optarg;
			o.attr_val[o.nattrs++] = eq + 1;
			break;
		}
		case OPT_INDEX: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (!*optarg || *end || v < 0 || v > 1000000)
				return kp_usage_err("invalid --index: '%s' (0, 1, ...)", optarg);
			o.index = (int)v;
			break;
		}
		case OPT_DELATTR: o.delattr = 1; break;
		case OPT_AUTO:
		case OPT_MANUAL:
			if (o.autostart >= 0 && o.autostart != (c == OPT_AUTO))
				return kp_usage_err("--auto and --manual exclude each other");
			o.autostart = c == OPT_AUTO;
			break;
		case 'd': o.defined = 1; break;
		case 'f': o.force = 1; break;
		case OPT_TIMEOUT: {
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
			lock_wait_ms = (int)(v * 1000 + 0.5);
			break;
		}
		case 'n': o.dry_run = 1; break;
		case OPT_OFFLINE: offline = 1; break;
		case OPT_ROOT: root = optarg; break;
		case 'j': o.json = 1; want_json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
		case 'V':
			return kp_help_version(TOOL, c, o.json, argc, argv, ":p:t:u:a:dfnjqhV", longopts,
					       usage_text);
		default:
			return kp_bad_option(c, argv, optind, optopt);
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
	for (bit = 1; bit <= O_LAST; bit <<= 1)
		if ((given & bit) && !(cmd->takes & bit))
			return kp_usage_err("%s does not take %s", cmd->name, opt_name(bit));
	if (o.json && o.quiet)
		return kp_usage_err("--json and --quiet exclude each other");
	if (o.nuuids > 1 && cmd->func != cmd_create)
		return kp_usage_err("%s takes one --uuid", cmd->name);
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
