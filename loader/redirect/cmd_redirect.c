/* netbpf redirect on|off|status: the localhost TCP bypass (see redirect.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/argval.h"
#include "cmd.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "redirect/redirect.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf redirect on [--cgroup PATH] [--cross-netns] [--addr ADDR[/PLEN]] [--port PORT]\n"
		"                          [--apply-bytes N]\n"
		"       netbpf redirect off [--cgroup PATH|ID]\n"
		"       netbpf redirect status [--cgroup PATH|ID] [--json]\n"
		"\n"
		"Bypass the TCP/IP stack for TCP connections whose two ends are sockets of\n"
		"processes in the cgroup: sockops inserts both ends into a SOCKHASH when the\n"
		"connection is established, and an sk_msg program moves each message straight\n"
		"into the peer's receive queue. Connections opened before 'on' are left alone;\n"
		"after 'off' the bypassed ones keep their bypass until they close.\n"
		"\n"
		"  --cgroup PATH    cgroup v2 directory, or its id (digits only; 'status'\n"
		"                   shows it): the only name left of a removed cgroup\n"
		"                   (on: default the cgroup2 mount root; off, status:\n"
		"                   default every cgroup with the bypass on, also those\n"
		"                   whose cgroup was removed)\n"
		"  --cross-netns    also bypass connections between two network namespaces\n"
		"                   (containers on one host): their data then skips the veth,\n"
		"                   its XDP/tc programs, deny rules, counters and qdiscs\n"
		"  --addr CIDR      only connections whose local address is in CIDR\n"
		"  --port PORT      only connections with PORT as local or remote port\n"
		"  --apply-bytes N  one redirect verdict covers the next N bytes (suffix K, M):\n"
		"                   faster streams of small messages; msgs/bytes counters then\n"
		"                   count verdicts, and a peer's close shows one write early\n"
		"  --json           (status) machine-readable output\n"
		"\n"
		"Examples:\n"
		"  netbpf redirect on --cgroup /sys/fs/cgroup/unified/app\n"
		"  netbpf redirect on --cgroup /sys/fs/cgroup/unified/app --port 6379\n"
		"  netbpf redirect status --json\n"
		"  netbpf redirect off --cgroup /sys/fs/cgroup/unified/app\n");
}

static int status(const char *cgroup, bool json)
{
	char dir[512];
	uint64_t cgid;
	struct json j;
	int n;

	if (!json)
		return redirect_print_stats(cgroup, NULL) < 0 ? -1 : 0;
	/* A cgroup that cannot be used fails before '{': nothing on stdout. */
	if (cgroup && (n = redirect_cgroup_dir(cgroup, &cgid, dir, sizeof(dir))))
		return n;
	json_init(&j, stdout);
	json_obj_open(&j);
	json_key(&j, "redirect");
	n = redirect_print_stats(cgroup, &j);
	json_obj_close(&j);
	json_end_line(&j);
	return n < 0 ? -1 : 0;
}

static int run(const char *sub, const struct redirect_opts *o, bool json)
{
	if (!strcmp(sub, "on"))
		return redirect_on(o);
	if (!strcmp(sub, "off"))
		return redirect_off(o->cgroup);
	return status(o->cgroup, json);
}

int do_redirect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup",      required_argument, NULL, 'c' },
		{ "cross-netns", no_argument,       NULL, 'x' },
		{ "addr",        required_argument, NULL, 'a' },
		{ "port",        required_argument, NULL, 'p' },
		{ "apply-bytes", required_argument, NULL, 'b' },
		{ "json",        no_argument,       NULL, 'j' },
		{ "help",        no_argument,       NULL, 'h' },
		{},
	};
	struct redirect_opts o = {};
	unsigned long long v;
	bool json = gopt.json, filters;
	const char *sub;
	int c, n;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? -EINVAL : 0;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "c:xa:p:b:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o.cgroup = optarg; break;
		case 'x': o.cross_netns = true; break;
		case 'a': o.filter_addr = optarg; break;
		case 'p':
			if (arg_uint(optarg, "port", 1, 65535, &v))
				return -EINVAL;
			o.filter_port = v;
			break;
		case 'b':
			if (arg_size(optarg, "--apply-bytes", 1, UINT32_MAX, &v))
				return -EINVAL;
			o.apply_bytes = v;
			break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s' (see 'netbpf redirect --help')\n", argv[optind]);
		return -EINVAL;
	}
	filters = o.cross_netns || o.filter_addr || o.filter_port || o.apply_bytes;
	if (strcmp(sub, "on") && strcmp(sub, "off") && strcmp(sub, "status")) {
		pr_warn("unknown redirect command '%s': expected on, off or status\n", sub);
		return -EINVAL;
	}
	if (filters && strcmp(sub, "on")) {
		pr_warn("--cross-netns, --addr, --port and --apply-bytes only go with 'redirect on'\n");
		return -EINVAL;
	}
	if ((n = lock_take()))
		return n;
	n = run(sub, &o, json);
	lock_release();
	return n;
}
