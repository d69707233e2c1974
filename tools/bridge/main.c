/* SPDX-License-Identifier: MIT */
/*
 * kvmprep-bridge: bridges, macvtap and tap links for guests, over netlink,
 * and the move of the host's uplink into a bridge with commit-confirm.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "err.h"
#include "exitcodes.h"
#include "lock.h"
#include "output.h"
#include "target.h"

enum {
	OPT_STP = 0x100,
	OPT_FWD,
	OPT_VLAN,
	OPT_MTU,
	OPT_MAC,
	OPT_UPLINK,
	OPT_LINK,
	OPT_MODE,
	OPT_OWNER,
	OPT_GROUP,
	OPT_BRIDGE,
	OPT_MQ,
	OPT_VNET,
	OPT_NOCONFIRM,
	OPT_CTIMEOUT,
	OPT_OFFLINE,
	OPT_ROOT,
	OPT_WAIT,
	OPT_TIMEOUT,
};

/* Which command takes which option (a bit per option). */
enum {
	O_DRYRUN = 1 << 0,
	O_FORCE = 1 << 1,
	O_PERSIST = 1 << 2,
	O_STP = 1 << 3,
	O_FWD = 1 << 4,
	O_VLAN = 1 << 5,
	O_MTU = 1 << 6,
	O_MAC = 1 << 7,
	O_UPLINK = 1 << 8,
	O_LINK = 1 << 9,
	O_MODE = 1 << 10,
	O_OWNER = 1 << 11,
	O_GROUP = 1 << 12,
	O_BRIDGE = 1 << 13,
	O_MQ = 1 << 14,
	O_VNET = 1 << 15,
	O_NOCONFIRM = 1 << 16,
	O_CTIMEOUT = 1 << 17,
	O_OFFLINE = 1 << 18, /* --offline, --root DIR: taken where cmd->offline is */
	O_WAIT = 1 << 19,    /* every command that takes the lock */
	O_TIMEOUT = 1 << 20, /* apply-persisted: the wait for the links */
	O_LAST = O_TIMEOUT,
};

struct cmd {
	const char *w1, *w2, *w3; /* "bridge", "port", "add" */
	int (*func)(struct opts *o, int argc, char **argv);
	unsigned takes;
	/* the command under --offline / --root (offline.c), NULL: not taken */
	int (*offline)(struct opts *o, int argc, char **argv);
};

static const struct cmd cmds[] = {
	{ "bridge", "add", NULL, cmd_bridge_add,
	  O_WAIT | O_DRYRUN | O_PERSIST | O_STP | O_FWD | O_VLAN | O_MTU | O_MAC | O_UPLINK | O_NOCONFIRM |
		  O_CTIMEOUT | O_OFFLINE, off_bridge_add },
	{ "bridge", "del", NULL, cmd_bridge_del, O_WAIT | O_DRYRUN | O_FORCE | O_PERSIST | O_OFFLINE, off_del },
	{ "bridge", "port", "add", cmd_port_add, O_WAIT | O_DRYRUN | O_FORCE | O_PERSIST | O_OFFLINE,
	  off_port_add },
	{ "bridge", "port", "del", cmd_port_del, O_WAIT | O_DRYRUN | O_PERSIST | O_OFFLINE, off_port_del },
	{ "macvtap", "add", NULL, cmd_macvtap_add,
	  O_WAIT | O_DRYRUN | O_PERSIST | O_LINK | O_MODE | O_MAC | O_OFFLINE, off_macvtap_add },
	{ "tap", "add", NULL, cmd_tap_add,
	  O_WAIT | O_DRYRUN | O_PERSIST | O_OWNER | O_GROUP | O_BRIDGE | O_MQ | O_VNET | O_OFFLINE, off_tap_add },
	{ "list", NULL, NULL, cmd_list, 0, NULL },
	{ "del", NULL, NULL, cmd_del, O_WAIT | O_DRYRUN | O_FORCE | O_PERSIST | O_OFFLINE, off_del },
	{ "confirm", NULL, NULL, cmd_confirm, O_WAIT, NULL },
	{ "recover", NULL, NULL, cmd_recover, O_WAIT | O_DRYRUN, NULL },
	{ "apply-persisted", NULL, NULL, cmd_apply, O_WAIT | O_DRYRUN | O_TIMEOUT, NULL },
};

static const char usage_text[] =
	"Usage:\n"
	      " " TOOL " [options] <command> [ARGS...]\n"
	      "\n"
	      "Bridges, macvtap and tap links for guests, over netlink; the host's uplink\n"
	      "moved into a bridge with a rollback that runs unless confirmed.\n"
	      "\n"
	      "Commands:\n"
	      " bridge add NAME              create a bridge (STP off, forward delay 0 unless given)\n"
	      " bridge add NAME --uplink IF  the same, and move IF with its addresses, routes and MAC into it\n"
	      " bridge del NAME              delete a bridge\n"
	      " bridge port add BRIDGE IF    make IF a port of BRIDGE\n"
	      " bridge port del BRIDGE IF    take IF out of BRIDGE\n"
	      " macvtap add NAME --link IF   a macvtap on IF; prints /dev/tapN and the guest's MAC\n"
	      " tap add NAME                 a persistent tap with a fe: MAC\n"
	      " list                         bridges and ports, macvtaps, taps\n"
	      " del NAME                     delete a bridge, macvtap or tap\n"
	      " confirm                      keep an uplink move (stops its rollback)\n"
	      " recover                      roll back what a killed run left half done\n"
	      " apply-persisted              make the links of /etc/kvmprep/net.conf (hosts without a\n"
	      "                              network manager; kvmprep-net.service at boot)\n"
	      "\n"
	      "Options:\n"
	      "     --stp on|off            bridge add: spanning tree (default off)\n"
	      "     --forward-delay S       bridge add: forward delay in seconds (default 0)\n"
	      "     --vlan-filtering on|off bridge add: VLAN filtering\n"
	      "     --mtu N                 bridge add: MTU (default: the uplink's, else the kernel's)\n"
	      "     --mac MAC               bridge add, macvtap add: the link's MAC\n"
	      "     --uplink IF             bridge add: move the host's uplink IF into the bridge\n"
	      "     --no-confirm            no commit-confirm (kickstart, consoles)\n"
	      "     --confirm-timeout S     roll back unless confirmed within S seconds (default 60)\n"
	      "     --link IF               macvtap add: the lower link\n"
	      "     --mode MODE             macvtap add: bridge (default), vepa, private, passthru\n"
	      "     --owner USER            tap add: the user who may open it\n"
	      "     --group GROUP           tap add: the group who may open it\n"
	      "     --bridge BRIDGE         tap add: make it a port of BRIDGE\n"
	      "     --multi-queue           tap add: IFF_MULTI_QUEUE\n"
	      "     --vnet-hdr              tap add: IFF_VNET_HDR\n"
	      " -f, --force                 take a link the host uses; del a bridge carrying the host's addresses\n"
	      " -p, --persist               also in the host's network configuration (NetworkManager,\n"
	      "                             systemd-networkd or ifupdown; else /etc/kvmprep/net.conf),\n"
	      "                             so it comes back at boot\n"
	      "     --offline               with --persist: only the configuration, no link changed now\n"
	      "                             (bridge add --uplink: the move is written for the next boot)\n"
	      "     --root DIR              the same in the system mounted at DIR (kickstart:\n"
	      "                             /mnt/sysimage); implies --offline\n"
	      "     --wait SECONDS          wait that long for another run's lock (default 5)\n"
	      "     --timeout MS            apply-persisted: wait that long for the NICs its lines\n"
	      "                              need to appear (default 30000)\n"
	      " -n, --dry-run               print every netlink change in order, change nothing\n"
	      " -j, --json                  JSON output (\"schema\": 1)\n"
	      " -q, --quiet                 no output, only the exit status and errors\n"
	      "\n"
	      " -h, --help                  display this help\n"
	      " -V, --version               display version\n"
	      "\n"
	      "Exit status: 0 done or unchanged, 1 failed or refused (rolled back),\n"
	      "2 usage error, 3 the host cannot (not root, no such link).\n"
	      "\n"
	      "For more details see kvmprep-bridge(1).\n";

static unsigned opt_bit(int c)
{
	switch (c) {
	case 'n': return O_DRYRUN;
	case 'f': return O_FORCE;
	case 'p': return O_PERSIST;
	case OPT_STP: return O_STP;
	case OPT_FWD: return O_FWD;
	case OPT_VLAN: return O_VLAN;
	case OPT_MTU: return O_MTU;
	case OPT_MAC: return O_MAC;
	case OPT_UPLINK: return O_UPLINK;
	case OPT_LINK: return O_LINK;
	case OPT_MODE: return O_MODE;
	case OPT_OWNER: return O_OWNER;
	case OPT_GROUP: return O_GROUP;
	case OPT_BRIDGE: return O_BRIDGE;
	case OPT_MQ: return O_MQ;
	case OPT_VNET: return O_VNET;
	case OPT_NOCONFIRM: return O_NOCONFIRM;
	case OPT_CTIMEOUT: return O_CTIMEOUT;
	case OPT_OFFLINE: case OPT_ROOT: return O_OFFLINE;
	case OPT_WAIT: return O_WAIT;
	case OPT_TIMEOUT: return O_TIMEOUT;
	}
	return 0;
}

static const char *opt_name(unsigned bit)
{
	switch (bit) {
	case O_DRYRUN: return "--dry-run";
	case O_FORCE: return "--force";
	case O_PERSIST: return "--persist";
	case O_STP: return "--stp";
	case O_FWD: return "--forward-delay";
	case O_VLAN: return "--vlan-filtering";
	case O_MTU: return "--mtu";
	case O_MAC: return "--mac";
	case O_UPLINK: return "--uplink";
	case O_LINK: return "--link";
	case O_MODE: return "--mode";
	case O_OWNER: return "--owner";
	case O_GROUP: return "--group";
	case O_BRIDGE: return "--bridge";
	case O_MQ: return "--multi-queue";
	case O_VNET: return "--vnet-hdr";
	case O_NOCONFIRM: return "--no-confirm";
	case O_CTIMEOUT: return "--confirm-timeout";
	case O_OFFLINE: return "--offline/--root";
	case O_WAIT: return "--wait";
	case O_TIMEOUT: return "--timeout";
	}
	return "?";
}

static int on_off(const char *opt, const char *v, int *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "1") || !strcmp(v, "yes"))
		*out = 1;
	else if (!strcmp(v, "off") || !strcmp(v, "0") || !strcmp(v, "no"))
		*out = 0;
	else
		return kp_usage_err("invalid %s: '%s' (on or off)", opt, v);
	return 0;
}

static int number(const char *opt, const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	if (*v == '\0' || *v == '-' || *v == '+')
		return kp_usage_err("invalid %s: '%s' (a number, %ld..%ld)", opt, v, lo, hi);
	n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi)
		return kp_usage_err("invalid %s: '%s' (a number, %ld..%ld)", opt, v, lo, hi);
	*out = n;
	return 0;
}

static int want_json;
static char cmd_name[32];

static int run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stp", required_argument, NULL, OPT_STP },
		{ "forward-delay", required_argument, NULL, OPT_FWD },
		{ "vlan-filtering", required_argument, NULL, OPT_VLAN },
		{ "mtu", required_argument, NULL, OPT_MTU },
		{ "mac", required_argument, NULL, OPT_MAC },
		{ "uplink", required_argument, NULL, OPT_UPLINK },
		{ "link", required_argument, NULL, OPT_LINK },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "group", required_argument, NULL, OPT_GROUP },
		{ "bridge", required_argument, NULL, OPT_BRIDGE },
		{ "multi-queue", no_argument, NULL, OPT_MQ },
		{ "vnet-hdr", no_argument, NULL, OPT_VNET },
		{ "no-confirm", no_argument, NULL, OPT_NOCONFIRM },
		{ "confirm-timeout", required_argument, NULL, OPT_CTIMEOUT },
		{ "offline", no_argument, NULL, OPT_OFFLINE },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ "wait", required_argument, NULL, OPT_WAIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "force", no_argument, NULL, 'f' },
		{ "persist", no_argument, NULL, 'p' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.stp = -1,
		.vlan_filtering = -1,
		.forward_delay = -1,
		.confirm_timeout = DEFAULT_CONFIRM_TIMEOUT,
		.wait_ms = KP_LOCK_WAIT_DEFAULT_MS,
		.link_timeout_ms = DEFAULT_LINK_TIMEOUT_MS,
	};
	unsigned given = 0, bit;
	const struct cmd *cmd = NULL;
	const char *root = NULL;
	char msg[4200];
	int offline = 0;
	long v;
	int c, words = 0;

	kp_set_program(TOOL);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":fpnjqhV", longopts, NULL)) != -1) {
		given |= opt_bit(c);
		switch (c) {
		case OPT_STP:
			if (on_off("--stp", optarg, &o.stp))
				return KP_EXIT_USAGE;
			break;
		case OPT_VLAN:
			if (on_off("--vlan-filtering", optarg, &o.vlan_filtering))
				return KP_EXIT_USAGE;
			break;
		case OPT_FWD:
			/* the kernel's range: 2..30 s with STP, any without; 0..30 here */
			if (number("--forward-delay", optarg, 0, 30, &v))
				return KP_EXIT_USAGE;
			o.forward_delay = v * 100;
			break;
		case OPT_MTU:
			if (number("--mtu", optarg, 68, 65535, &o.mtu))
				return KP_EXIT_USAGE;
			break;
		case OPT_CTIMEOUT:
			if (number("--confirm-timeout", optarg, 1, 3600, &v))
				return KP_EXIT_USAGE;
			o.confirm_timeout = (int)v;
			break;
		case OPT_WAIT: {
			char *end;
			double d = strtod(optarg, &end);

			/* as kvmprep-iommu's; "!(d <= 3600)" also refuses a NaN */
			if (*optarg == '\0' || *end || !(d >= 0) || !(d <= 3600))
				return kp_usage_err("invalid --wait: '%s' (seconds, 0..3600)", optarg);
			o.wait_ms = (int)(d * 1000 + 0.5);
			break;
		}
		case OPT_TIMEOUT:
			if (number("--timeout", optarg, 0, 600000, &v))
				return KP_EXIT_USAGE;
			o.link_timeout_ms = (int)v;
			break;
		case OPT_MAC: o.mac = optarg; break;
		case OPT_UPLINK: o.uplink = optarg; break;
		case OPT_LINK: o.link = optarg; break;
		case OPT_MODE: o.mode = optarg; break;
		case OPT_OWNER: o.owner = optarg; break;
		case OPT_GROUP: o.group = optarg; break;
		case OPT_BRIDGE: o.bridge = optarg; break;
		case OPT_MQ: o.multi_queue = 1; break;
		case OPT_VNET: o.vnet_hdr = 1; break;
		case OPT_NOCONFIRM: o.no_confirm = 1; break;
		case OPT_OFFLINE: offline = 1; break;
		case OPT_ROOT: root = optarg; break;
		case 'f': o.force = 1; break;
		case 'p': o.persist = 1; break;
		case 'n': o.dry_run = 1; break;
		case 'j': o.json = 1; want_json = 1; break;
		case 'q': o.quiet = 1; break;
		case 'h':
		case 'V':
			return kp_help_version(TOOL, c, o.json, argc, argv, ":fpnjqhV", longopts,
					       usage_text);
		default:
			return kp_bad_option(c, argv, optind, optopt);
		}
	}
	if (optind >= argc)
		return kp_usage_err("no command given");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cmd *k = &cmds[i];
		int n = 1;

		if (strcmp(argv[optind], k->w1))
			continue;
		if (k->w2) {
			if (optind + 1 >= argc || strcmp(argv[optind + 1], k->w2))
				continue;
			n = 2;
		}
		if (k->w3) {
			if (optind + 2 >= argc || strcmp(argv[optind + 2], k->w3))
				continue;
			n = 3;
		}
		cmd = k;
		words = n;
		break;
	}
	if (!cmd) {
		if (!strcmp(argv[optind], "bridge") || !strcmp(argv[optind], "macvtap") ||
		    !strcmp(argv[optind], "tap"))
			return kp_usage_err("%s: unknown or missing subcommand%s%s%s", argv[optind],
					    optind + 1 < argc ? " '" : "",
					    optind + 1 < argc ? argv[optind + 1] : "",
					    optind + 1 < argc ? "'" : "");
		return kp_usage_err("unknown command '%s'", argv[optind]);
	}
	snprintf(cmd_name, sizeof(cmd_name), "%s%s%s%s%s", cmd->w1, cmd->w2 ? " " : "",
		 cmd->w2 ? cmd->w2 : "", cmd->w3 ? " " : "", cmd->w3 ? cmd->w3 : "");
	for (bit = 1; bit <= O_LAST; bit <<= 1)
		if ((given & bit) && !(cmd->takes & bit))
			return kp_usage_err("%s does not take %s", cmd_name, opt_name(bit));
	if (o.json && o.quiet)
		return kp_usage_err("--json and --quiet exclude each other");
	if (kp_target_setup(root, offline, msg, sizeof(msg)))
		return kp_usage_err("%s", msg);
	kp_set_quiet(o.quiet);
	kp_out_init(&o.out, o.json, o.quiet);
	optind += words;
	if (kp_offline())
		return cmd->offline(&o, argc - optind, argv + optind);
	return cmd->func(&o, argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
	int rc = run(argc, argv);

	if (rc != KP_EXIT_OK && want_json)
		kp_json_error(TOOL, cmd_name[0] ? cmd_name : NULL, rc);
	return kp_out_close(rc);
}
