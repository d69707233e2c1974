/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-sriov: SR-IOV virtual functions: create them, configure them,
 * hand them to guests.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "err.h"
#include "exitcodes.h"
#include "output.h"
#include "lock.h"
#include "target.h"

enum {
	OPT_NO_PROBE = 0x100,
	OPT_WAIT,
	OPT_OFFLINE,
	OPT_ROOT,
};

/* Which command takes which option (a bit per option). */
enum {
	O_VERBOSE = 1 << 0,
	O_FORCE = 1 << 1,
	O_PERSIST = 1 << 2,
	O_DRIVER = 1 << 3,
	O_NOPROBE = 1 << 4,
	O_TIMEOUT = 1 << 5,
	O_DRYRUN = 1 << 6,
	O_WAIT = 1 << 7,
	O_OFFLINE = 1 << 8, /* --offline, --root DIR */
	O_LAST = O_OFFLINE,
};

struct cmd {
	const char *name;
	int (*func)(struct opts *o, int argc, char **argv);
	unsigned takes;
};

static const struct cmd cmds[] = {
	{ "list", cmd_list, O_VERBOSE },
	{ "set", cmd_set, O_FORCE | O_DRIVER | O_NOPROBE | O_TIMEOUT | O_DRYRUN | O_WAIT | O_PERSIST | O_OFFLINE },
	{ "vf", cmd_vf, O_DRYRUN | O_WAIT | O_PERSIST | O_OFFLINE },
	{ "apply-persisted", cmd_apply, O_TIMEOUT | O_DRYRUN | O_WAIT },
	{ "recover", cmd_recover, O_WAIT },
};

static const char usage_text[] =
	"Usage:\n"
	      " " TOOL " [options] <command> [arguments]\n"
	      "\n"
	      "SR-IOV virtual functions: create them, configure them, hand them to guests.\n"
	      "\n"
	      "Commands:\n"
	      " list [-v] [PF]          every SR-IOV capable PF; -v adds each VF\n"
	      " set PF COUNT            make PF have COUNT VFs (through 0), rolled back on any failure\n"
	      " vf PF INDEX SETTING=VALUE...\n"
	      "                         a VF's settings, kept by the PF's driver: mac=M vlan=V\n"
	      "                         [qos=Q] [proto=802.1Q|802.1ad] rate=MIN-MAX | max=MAX\n"
	      "                         spoofchk=on|off trust=on|off state=auto|enable|disable\n"
	      "                         query_rss=on|off (one netlink request each)\n"
	      " recover                 roll back a change a killed run left half done\n"
	      " apply-persisted         make what set/vf --persist recorded (run at boot)\n"
	      "\n"
	      "PF is a PCI address (0000:03:00.0 or 03:00.0) or a network interface name.\n"
	      "\n"
	      "Options:\n"
	      " -v, --verbose           list: each VF (address, driver, interface, group, use)\n"
	      " -d, --driver DRIVER     set: bind the new VFs to DRIVER (vfio-pci: for guests)\n"
	      "                         without a host driver touching them first\n"
	      "     --no-probe          set: create the VFs without any driver\n"
	      " -f, --force             set: remove VFs even when a guest or the host uses them\n"
	      " -p, --persist           set, vf: make it again at every boot (/etc/kvmprep/sriov.conf)\n"
	      "     --offline           with --persist: only sriov.conf, nothing changed now\n"
	      "     --root DIR          with --persist: sriov.conf of the system mounted at DIR\n"
	      "                         (kickstart: /mnt/sysimage); implies --offline\n"
	      " -t, --timeout MS        set: bound for the sriov_numvfs write and for the VFs\n"
	      "                         to appear (default 30000)\n"
	      "     --wait SECONDS      wait that long for another run's lock (default 5)\n"
	      " -n, --dry-run           say what would change, change nothing\n"
	      " -j, --json              JSON output (\"schema\": 1)\n"
	      " -q, --quiet             no output, only the exit status and errors\n"
	      "\n"
	      " -h, --help              display this help\n"
	      " -V, --version           display version\n"
	      "\n"
	      "Exit status: 0 done (or unchanged), 1 failed or refused (rolled back),\n"
	      "2 usage error, 3 the host cannot (not root, no such PF, not SR-IOV capable).\n"
	      "\n"
	      "For more details see kvmprep-sriov(1).\n";

static int opt_bit(int c)
{
	switch (c) {
	case 'v': return O_VERBOSE;
	case 'f': return O_FORCE;
	case 'p': return O_PERSIST;
	case 'd': return O_DRIVER;
	case OPT_NO_PROBE: return O_NOPROBE;
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
	case O_VERBOSE: return "--verbose";
	case O_FORCE: return "--force";
	case O_PERSIST: return "--persist";
	case O_DRIVER: return "--driver";
	case O_NOPROBE: return "--no-probe";
	case O_TIMEOUT: return "--timeout";
	case O_DRYRUN: return "--dry-run";
	case O_WAIT: return "--wait";
	case O_OFFLINE: return "--offline/--root";
	}
	return "?";
}

static int want_json;
static const char *cmd_name;

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "driver", required_argument, NULL, 'd' },
		{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
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
	struct opts o = { .timeout_ms = DEFAULT_TIMEOUT_MS, .wait_ms = KP_LOCK_WAIT_DEFAULT_MS,
			  .persist_changed = -1 };
	unsigned given = 0, bit;
	const struct cmd *cmd = NULL;
	const char *root = NULL;
	char msg[4200];
	int offline = 0;
	size_t i;
	int c;

	kp_set_program(TOOL);
	opterr = 0;
	/* "+": options after the command's arguments are still options
	 * (set PF 4 --driver vfio-pci), but a negative COUNT is not one */
	while ((c = getopt_long(argc, argv, ":vd:fpt:njqhV", longopts, NULL)) != -1) {
		given |= (unsigned)opt_bit(c);
		switch (c) {
		case 'v': o.verbose = 1; break;
		case 'd': o.driver = optarg; break;
		case OPT_NO_PROBE: o.no_probe = 1; break;
		case 'f': o.force = 1; break;
		case 'p': o.persist = 1; break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > 600000)
				return kp_usage_err("invalid --timeout: '%s' (milliseconds, 1..600000)",
						    optarg);
			o.timeout_ms = (int)v;
			break;
		}
		case 'n': o.dry_run = 1; break;
		case OPT_OFFLINE: offline = 1; break;
		case OPT_ROOT: root = optarg; break;
		case OPT_WAIT: {
			char *end;
			double v = strtod(optarg, &end);

			if (*optarg < '0' || *optarg > '9' || *end || v < 0 || v > 3600)
				return kp_usage_err("invalid --wait: '%s' (seconds, 0..3600)", optarg);
			o.wait_ms = (int)(v * 1000 + 0.5);
			break;
		}
		case 'j': o.json = 1; want_json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
		case 'V':
			return kp_help_version(TOOL, c, o.json, argc, argv, ":vd:fpt:njqhV", longopts,
					       usage_text);
		default:
			/* "set PF -1": a negative COUNT, said as such */
			if (c == '?' && optind > 0 && optind <= argc && argv[optind - 1][0] == '-' &&
			    argv[optind - 1][1] >= '0' && argv[optind - 1][1] <= '9')
				return kp_usage_err("invalid number '%s' (COUNT and INDEX are "
						    "decimal, 0 or more)", argv[optind - 1]);
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
	if (o.json && cmd->func == cmd_apply)
		return kp_usage_err("apply-persisted has no --json (it prints each set and vf)");
	if (o.driver && o.no_probe)
		return kp_usage_err("--driver and --no-probe exclude each other");
	if ((offline || root) && !o.persist)
		return kp_usage_err("--offline and --root go with --persist");
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
