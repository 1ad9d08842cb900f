/* netbpf redirect on|off|status: the localhost TCP bypass (see redirect.h). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/argval.h"
#include "cmd.h"
#include "common/json.h"
#include "common/lock.h"
#include "common/log.h"
#include "redirect/redirect.h"
#include "bpf/redirect/redirect.h"

/* off and status start from it to see whether --mode was given */
#define REDIRECT_MODE_UNSET (-1)

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf redirect on [--cgroup PATH] [--mode auto|always] [--cross-netns]\n"
		"                          [--addr ADDR[/PLEN]] [--port PORT] [--apply-bytes N]\n"
		"                          [--keepalive S]\n"
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
		"  --mode MODE      auto (default): a new connection takes the bypass when the\n"
		"                   finished connections to its service (server port) were of\n"
		"                   a kind it speeds up: request/response, bulk; services of\n"
		"                   one-way small-message streams or short connections stay\n"
		"                   on TCP (1 in 16 connections probes);\n"
		"                   always: every connection whose peer is in the cgroup\n"
		"  --cross-netns    also bypass connections between two network namespaces\n"
		"                   (containers on one host): their data then skips the veth,\n"
		"                   its XDP/tc programs, deny rules, counters and qdiscs\n"
		"  --addr CIDR      only connections whose local address is in CIDR\n"
		"  --port PORT      only connections with PORT as local or remote port\n"
		"  --apply-bytes N  one redirect verdict covers the next N bytes (suffix K, M):\n"
		"                   faster streams of small messages; msgs/bytes counters then\n"
		"                   count verdicts, and a peer's close shows one write early\n"
		"  --keepalive S    TCP keepalive on bypassed sockets, a probe after S idle seconds\n"
		"                   (TCP counts a bypassed connection idle): a reader then learns\n"
		"                   of a peer whose RST the kernel dropped (see docs/redirect.md)\n"
		"  --json           (status) machine-readable output\n"
		"\n"
		"Examples:\n"
		"  netbpf redirect on --cgroup /sys/fs/cgroup/unified/app\n"
		"  netbpf redirect on --cgroup /sys/fs/cgroup/unified/app --port 6379\n"
		"  netbpf redirect on --cgroup /sys/fs/cgroup/unified/app --mode always\n"
		"  netbpf redirect status --json\n"
		"  netbpf redirect off --cgroup /sys/fs/cgroup/unified/app\n");
}

/* 0, or -1/-errno reported. */
static int status(const struct redirect_opts *o, bool json)
{
	char dir[512];
	uint64_t cgid;
	struct json j;
	int n;

	if (!json)
		return redirect_print_stats(o->cgroup, NULL) < 0 ? -1 : 0;
	/* A cgroup that cannot be used fails before '{': nothing on stdout. */
	if (o->cgroup && (n = redirect_cgroup_dir(o->cgroup, &cgid, dir, sizeof(dir))))
		return n;
	json_init(&j, stdout);
	json_obj_open(&j);
	json_key(&j, "redirect");
	n = redirect_print_stats(o->cgroup, &j);
	json_obj_close(&j);
	json_end_line(&j);
	return n < 0 ? -1 : 0;
}

/* The options of every redirect command; those of 'on' only are refused elsewhere. */
static int parse_opts(int argc, char **argv, struct redirect_opts *o, bool *json)
{
	static const struct option opts[] = {
		{ "cgroup",      required_argument, NULL, 'c' },
		{ "cross-netns", no_argument,       NULL, 'x' },
		{ "addr",        required_argument, NULL, 'a' },
		{ "port",        required_argument, NULL, 'p' },
		{ "apply-bytes", required_argument, NULL, 'b' },
		{ "keepalive",   required_argument, NULL, 'k' },
		{ "mode",        required_argument, NULL, 'm' },
		{ "json",        no_argument,       NULL, 'j' },
		{ "help",        no_argument,       NULL, 'h' },
		{},
	};
	unsigned long long v;
	int c;

	*json = gopt.json;
	while ((c = getopt_long(argc, argv, "c:xa:p:b:k:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->cgroup = optarg; break;
		case 'x': o->cross_netns = true; break;
		case 'a': o->filter_addr = optarg; break;
		case 'p':
			if (arg_uint(optarg, "port", 1, 65535, &v))
				return CMD_USAGE;
			o->filter_port = v;
			break;
		case 'b':
			if (arg_size(optarg, "--apply-bytes", 1, UINT32_MAX, &v))
				return CMD_USAGE;
			o->apply_bytes = v;
			break;
		case 'k':
			/* TCP_KEEPIDLE's own limit */
			if (arg_uint(optarg, "--keepalive", 1, 32767, &v))
				return CMD_USAGE;
			o->keepalive_s = v;
			break;
		case 'm':
			if (!strcmp(optarg, "auto")) {
				o->mode = REDIRECT_MODE_AUTO;
			} else if (!strcmp(optarg, "always")) {
				o->mode = REDIRECT_MODE_ALWAYS;
			} else {
				pr_warn("unknown --mode '%s': expected auto or always\n", optarg);
				return CMD_USAGE;
			}
			break;
		case 'j': *json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s' (see 'netbpf redirect --help')\n", argv[optind]);
		return CMD_USAGE;
	}
	return CMD_RUN;
}

/* off and status take no filters. */
static int parse_no_filters(int argc, char **argv, struct redirect_opts *o, bool *json)
{
	int ret = parse_opts(argc, argv, o, json);

	if (ret == CMD_RUN && (o->cross_netns || o->filter_addr || o->filter_port || o->apply_bytes ||
				o->keepalive_s || o->mode != REDIRECT_MODE_UNSET)) {
		pr_warn("--mode, --cross-netns, --addr, --port, --apply-bytes and --keepalive only go with 'redirect on'\n");
		return CMD_USAGE;
	}
	return ret;
}

/* Every redirect command runs under the lock: 'on' and 'off' change attachments and
 * pins, and 'status' then sees a whole bypass or none. */
static int locked(int (*fn)(const struct redirect_opts *o, bool json),
		  const struct redirect_opts *o, bool json)
{
	int err;

	if (lock_take())
		return CMD_FAIL;
	err = fn(o, json);
	lock_release();
	return cmd_status(err);
}

static int run_on(const struct redirect_opts *o, bool json __attribute__((unused)))
{
	return redirect_on(o);
}

static int run_off(const struct redirect_opts *o, bool json __attribute__((unused)))
{
	return redirect_off(o->cgroup);
}

static int do_redirect_on(int argc, char **argv)
{
	struct redirect_opts o = {};
	bool json;
	int ret = parse_opts(argc, argv, &o, &json);

	return ret != CMD_RUN ? ret : locked(run_on, &o, json);
}

static int do_redirect_off(int argc, char **argv)
{
	struct redirect_opts o = { .mode = REDIRECT_MODE_UNSET };
	bool json;
	int ret = parse_no_filters(argc, argv, &o, &json);

	return ret != CMD_RUN ? ret : locked(run_off, &o, json);
}

static int do_redirect_status(int argc, char **argv)
{
	struct redirect_opts o = { .mode = REDIRECT_MODE_UNSET };
	bool json;
	int ret = parse_no_filters(argc, argv, &o, &json);

	return ret != CMD_RUN ? ret : locked(status, &o, json);
}

int do_redirect(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ .name = "on",     .run = do_redirect_on },
		{ .name = "off",    .run = do_redirect_off },
		{ .name = "status", .run = do_redirect_status },
	};

	return cmd_select(cmds, CMD_COUNT(cmds), "redirect command", argc - 1, argv + 1, usage);
}
