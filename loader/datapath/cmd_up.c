#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "datapath/datapath.h"
#include "common/log.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf up IFACE [--xdp-mode auto|native|skb] [--tc auto|tcx|clsact] [--force]\n"
		"                 [--redirect [--cgroup PATH]]\n"
		"\n"
		"Attaches the XDP program (parse, deny rules, count) and tc ingress/egress\n"
		"programs (count) to IFACE and pins them under /sys/fs/bpf/netbpf/, so they\n"
		"stay after netbpf exits. Running it again on an interface that is up changes\n"
		"nothing and says so; 'netbpf down' first to change modes.\n"
		"\n"
		"  --xdp-mode MODE  native (driver), skb (generic) or auto: native, else skb\n"
		"  --tc MODE        tcx (links, kernel 6.6+), clsact (filters) or auto: tcx, else clsact\n"
		"  --force          replace an XDP program that netbpf did not attach\n"
		"  --redirect       also turn on the localhost TCP bypass ('netbpf redirect on');\n"
		"                   'netbpf down IFACE' turns it off again\n"
		"  --cgroup PATH    cgroup v2 directory for --redirect (default: the cgroup2 root)\n"
		"\n"
		"Examples:\n"
		"  netbpf up veth0\n"
		"  netbpf up veth0 --xdp-mode skb --tc clsact\n"
		"  netbpf up lo --redirect --cgroup /sys/fs/cgroup/unified/app\n");
}

static int parse_mode(const char *arg, const char *const *names, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	pr_warn("invalid %s '%s'\n", what, arg);
	return -1;
}

int do_up(int argc, char **argv)
{
	static const char *const xdp_modes[] = { "auto", "native", "skb" };
	static const char *const tc_modes[] = { "auto", "tcx", "clsact" };
	static const struct option opts[] = {
		{ "xdp-mode", required_argument, NULL, 'x' },
		{ "tc",       required_argument, NULL, 't' },
		{ "force",    no_argument,       NULL, 'f' },
		{ "redirect", no_argument,       NULL, 'r' },
		{ "cgroup",   required_argument, NULL, 'c' },
		{ "help",     no_argument,       NULL, 'h' },
		{},
	};
	struct up_opts o = {};
	int c, m;

	while ((c = getopt_long(argc, argv, "x:t:frc:h", opts, NULL)) != -1) {
		switch (c) {
		case 'x':
			if ((m = parse_mode(optarg, xdp_modes, 3, "--xdp-mode")) < 0)
				return CMD_USAGE;
			o.xdp_mode = m;
			break;
		case 't':
			if ((m = parse_mode(optarg, tc_modes, 3, "--tc mode")) < 0)
				return CMD_USAGE;
			o.tc_mode = m;
			break;
		case 'f': o.force = true; break;
		case 'r': o.redirect = true; break;
		case 'c': o.cgroup = optarg; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("up needs exactly one interface (see 'netbpf up --help')\n");
		return CMD_USAGE;
	}
	if (o.cgroup && !o.redirect) {
		pr_warn("--cgroup goes with --redirect\n");
		return CMD_USAGE;
	}
	o.ifname = argv[optind];
	return cmd_status(datapath_up(&o));
}
