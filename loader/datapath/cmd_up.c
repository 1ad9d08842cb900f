#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "common/log.h"
#include "common/pin.h"
#include "datapath/config.h"
#include "datapath/datapath.h"
#include "datapath/rules.h"
#include "common/lock.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf up IFACE [--xdp-mode auto|native|skb] [--tc auto|tcx|clsact] [--force]\n"
		"                 [--redirect [--cgroup PATH]] [--config FILE]\n"
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
		"  --config FILE    modes and deny rules from FILE (what netbpf@IFACE.service\n"
		"                   applies at boot: /etc/netbpf/IFACE.conf; 'deny save' writes\n"
		"                   the rules part); options given here win over the file's\n"
		"\n"
		"Examples:\n"
		"  netbpf up veth0\n"
		"  netbpf up veth0 --xdp-mode skb --tc clsact\n"
		"  netbpf up lo --redirect --cgroup /sys/fs/cgroup/unified/app\n"
		"  netbpf up eth0 --config /etc/netbpf/eth0.conf\n");
}

static int parse_mode(const char *arg, const char *const *names, int n, const char *what)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return i;
	pr_warn("invalid %s '%s'\n", what, arg);
	return -1;
}

/*
 * The file is read whole before anything is attached; a rule the kernel refuses
 * takes the whole install down again, so the interface has all of the file or
 * none of it.
 */
static int up_with_config(struct up_opts *o, const char *path)
{
	static struct config c; /* 1024 rules: not on the stack */
	struct rule_maps m = { .deny = -1, .kinds = -1 };
	char dir[256], cidr[64];
	int err;

	if (config_load(path, &c))
		return -EINVAL;
	if ((int)o->xdp_mode < 0)
		o->xdp_mode = c.xdp_mode < 0 ? 0 : c.xdp_mode;
	if ((int)o->tc_mode < 0)
		o->tc_mode = c.tc_mode < 0 ? 0 : c.tc_mode;
	/* One lock over the install and its rules: no other command sees it without them. */
	if ((err = lock_take()))
		return err;
	err = datapath_up(o);
	if (err || !c.nrules)
		goto out;
	err = datapath_dir(o->ifname, dir, sizeof(dir));
	if (err)
		goto out;
	m.deny = pin_open_map(dir, PIN_DENY, sizeof(struct nb_deny_key), sizeof(struct nb_deny_val));
	err = m.deny < 0 ? m.deny : 0;
	if (!err) {
		m.kinds = pin_open_map(dir, PIN_DENY_KINDS, sizeof(__u32), sizeof(__u32));
		err = m.kinds < 0 ? m.kinds : 0;
	}
	if (err && err != -EPROTO) /* -EPROTO: pin_open_map said why */
		pr_warn("failed to open the deny maps in %s: %s\n", dir, strerror(-err));
	for (int i = 0; !err && i < c.nrules; i++) {
		err = rule_add(&m, &c.rules[i]);
		if (err) {
			rule_format_prefix(&c.rules[i], cidr, sizeof(cidr));
			pr_warn("failed to add deny rule %s from %s: %s; removing what up installed\n",
				cidr, path, strerror(-err));
		}
	}
	if (m.kinds >= 0)
		close(m.kinds);
	if (m.deny >= 0)
		close(m.deny);
	if (err)
		datapath_down(dir);
out:
	lock_release();
	return err;
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
		{ "config",   required_argument, NULL, 'C' },
		{ "help",     no_argument,       NULL, 'h' },
		{},
	};
	struct up_opts o = { .xdp_mode = -1, .tc_mode = -1 };
	const char *config = NULL;
	int c, m;

	while ((c = getopt_long(argc, argv, "x:t:frc:C:h", opts, NULL)) != -1) {
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
		case 'C': config = optarg; break;
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
	if (config)
		return cmd_status(up_with_config(&o, config));
	if ((int)o.xdp_mode < 0)
		o.xdp_mode = 0;
	if ((int)o.tc_mode < 0)
		o.tc_mode = 0;
	return cmd_status(datapath_up(&o));
}
