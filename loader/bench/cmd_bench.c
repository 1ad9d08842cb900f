/* netbpf bench: what the localhost bypass buys, and what the packet path costs. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/argval.h"
#include "bench/datapath.h"
#include "bench/external.h"
#include "bench/load.h"
#include "bench/redirect.h"
#include "bench/trace.h"
#include "cmd.h"
#include "common/log.h"
#include "common/priv.h"
#include "common/signals.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf bench redirect [--sizes LIST] [--duration S] [--rounds N] [--placement LIST]\n"
		"                             [--tests rr,stream] [--external] [--plot FILE.png] [--json]\n"
		"                             [--mode LIST] [--variant NAME=CMD]\n"
		"       netbpf bench datapath [--repeat N] [--rounds N] [--json]\n"
		"       netbpf bench trace [--repeat N] [--json]\n"
		"\n"
		"redirect: request/response and one-way stream tests over loopback TCP, plain and\n"
		"through the bypass (netbpf redirect), in alternating rounds of the same run, in a\n"
		"cgroup and network namespace of the bench's own, for each CPU placement of the two\n"
		"ends. Every byte moved is checksummed at both ends; a run that moved corrupted data\n"
		"makes the bench fail.\n"
		"  --sizes LIST     message sizes, K/M suffixes (default 64,1K,16K,64K,1M)\n"
		"  --duration S     seconds per test and mode (default 1)\n"
		"  --rounds N       alternating rounds (default 3)\n"
		"  --placement LIST where the two ends run (default same,cross): same (both on\n"
		"                   CPU 0), cross (client CPU 0, server CPU 1), unpinned (the\n"
		"                   scheduler's choice: rounds then mix both, so gains mean little)\n"
		"  --tests LIST     the bench's own tests: rr (request/response), stream (default both)\n"
		"  --external       also sockperf ping-pong/throughput and iperf3 in the same cgroups\n"
		"  --plot FILE.png  draw the gain against message size with gnuplot\n"
		"  --mode LIST      bypass modes to compare, each 'redirect on --mode M' on a cgroup\n"
		"                   of its own (e.g. always,auto); default one mode, 'bypass',\n"
		"                   with redirect on's defaults\n"
		"  --variant N=CMD  compare another bypass too: CMD attaches it to the cgroup in\n"
		"                   $NETBPF_BENCH_CGROUP, prints a line when ready, keeps it until SIGTERM\n"
		"\n"
		"datapath: ns per packet of the XDP and tc programs with BPF_PROG_TEST_RUN on\n"
		"representative packets, against an empty program of the same hook (the floor) in\n"
		"the same run: XDP with no, 1 and 1000 deny rules, as before the rule kinds, cut\n"
		"after each stage, and chained by tail calls; the targets of issue 18 in the summary.\n"
		"  --repeat N       runs per measurement inside the kernel (default 1000000)\n"
		"  --rounds N       measurements per program and packet (default 5)\n"
		"\n"
		"trace: ns per packet of xdp_main untraced and traced with fentry/fexit on all its\n"
		"functions (netbpf trace), BPF_PROG_TEST_RUN in alternating rounds; needs a kernel\n"
		"that allows BPF trampolines.\n"
		"  --repeat N       runs per measurement inside the kernel (default 1000000)\n"
		"\n"
		"Examples:\n"
		"  netbpf bench redirect\n"
		"  netbpf bench redirect --sizes 64,16K --duration 2 --rounds 5 --placement cross --plot gain.png\n"
		"  netbpf bench redirect --sizes 64,1M --mode always,auto --external\n"
		"  netbpf bench datapath --repeat 100000\n"
		"  netbpf bench trace --repeat 100000 --json\n");
}

static bool extra_args(int argc, char **argv)
{
	if (optind >= argc)
		return false;
	pr_warn("unexpected argument '%s' (see 'netbpf bench --help')\n", argv[optind]);
	return true;
}

static int parse_sizes(const char *arg, struct bench_redirect_opts *o)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	int ret = 0;

	o->n_sizes = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long long v;

		if (arg_size(tok, "--sizes entry", 1, 64ull << 20, &v)) {
			ret = -1;
			break;
		}
		if (o->n_sizes == BENCH_MAX_SIZES) {
			pr_warn("invalid --sizes '%s': at most %d sizes\n", arg, BENCH_MAX_SIZES);
			ret = -1;
			break;
		}
		o->sizes[o->n_sizes++] = v;
	}
	free(copy);
	return ret || !o->n_sizes ? -1 : 0;
}

static int parse_tests(const char *arg, struct bench_redirect_opts *o)
{
	o->rr = !strcmp(arg, "rr") || !strcmp(arg, "rr,stream") || !strcmp(arg, "stream,rr");
	o->stream = !strcmp(arg, "stream") || !strcmp(arg, "rr,stream") || !strcmp(arg, "stream,rr");
	if (!o->rr && !o->stream) {
		pr_warn("invalid --tests '%s': expected rr, stream or rr,stream\n", arg);
		return -1;
	}
	return 0;
}

/* A name of ours that becomes a cgroup directory and a column of the table. */
static bool mode_name_ok(const char *name, size_t len, const struct bench_redirect_opts *o)
{
	if (!len || len > 32 || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") < len)
		return false;
	for (int m = 0; m < o->n_modes; m++)
		if (strlen(o->modes[m].name) == len && !strncmp(o->modes[m].name, name, len))
			return false;
	return o->n_modes < BENCH_MAX_MODES;
}

/* --mode LIST replaces the default bypass by one mode per entry. */
static int parse_modes(char *arg, struct bench_redirect_opts *o)
{
	char *save = NULL, *tok;

	if (!strcmp(o->modes[1].name, "bypass") && !o->modes[1].holder_cmd) {
		memmove(&o->modes[1], &o->modes[2], (o->n_modes - 2) * sizeof(o->modes[0]));
		o->n_modes--;
	}
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!mode_name_ok(tok, strlen(tok), o)) {
			pr_warn("invalid --mode entry '%s': a new name in [a-z0-9_-], at most %d modes\n",
				tok, BENCH_MAX_MODES - 1);
			return -1;
		}
		/* "always" is today's bypass under its --mode name: every connection */
		o->modes[o->n_modes++] = (struct bench_mode){ .name = tok, .redirect_mode = tok,
							      .bypass_all = !strcmp(tok, "always") };
	}
	if (o->n_modes < 2) {
		pr_warn("invalid --mode '': expected a list of bypass modes\n");
		return -1;
	}
	return 0;
}

static int parse_variant(char *arg, struct bench_redirect_opts *o)
{
	char *eq = strchr(arg, '=');

	if (!eq || !eq[1] || !mode_name_ok(arg, eq - arg, o)) {
		pr_warn("invalid --variant '%s': expected NAME=CMD, NAME new and in [a-z0-9_-], "
			"at most %d modes\n", arg, BENCH_MAX_MODES - 1);
		return -1;
	}
	*eq = 0;
	o->modes[o->n_modes++] = (struct bench_mode){ .name = arg, .holder_cmd = eq + 1 };
	return 0;
}

static int parse_placements(char *arg, struct bench_redirect_opts *o)
{
	char *save = NULL, *tok;

	o->n_placements = 0;
	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int p = 0, i;

		while (p < PL_MAX && strcmp(bench_placements[p].name, tok))
			p++;
		for (i = 0; i < o->n_placements && p < PL_MAX; i++)
			if ((int)o->placements[i] == p)
				p = PL_MAX;
		if (p == PL_MAX) {
			pr_warn("invalid --placement entry '%s': expected same, cross or unpinned, once each\n",
				tok);
			return -1;
		}
		if (bench_placements[p].cpu_server >= sysconf(_SC_NPROCESSORS_ONLN)) {
			pr_warn("invalid --placement '%s': needs CPU %d, this machine has %ld\n", tok,
				bench_placements[p].cpu_server, sysconf(_SC_NPROCESSORS_ONLN));
			return -1;
		}
		o->placements[o->n_placements++] = p;
	}
	if (!o->n_placements) {
		pr_warn("invalid --placement '': expected same, cross or unpinned\n");
		return -1;
	}
	return 0;
}

static int do_bench_redirect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes",    required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rounds",   required_argument, NULL, 'r' },
		{ "placement", required_argument, NULL, 'p' },
		{ "tests",    required_argument, NULL, 't' },
		{ "external", no_argument,       NULL, 'e' },
		{ "plot",     required_argument, NULL, 'P' },
		{ "json",     no_argument,       NULL, 'j' },
		{ "mode",     required_argument, NULL, 'm' },
		{ "variant",  required_argument, NULL, 'V' },
		{ "help",     no_argument,       NULL, 'h' },
		{},
	};
	struct bench_redirect_opts o = {
		.duration_s = 1, .rounds = 3, .json = gopt.json, .n_modes = 2, .rr = true, .stream = true,
		/* always: with a server port per test and size, auto would follow what the first
		 * placement taught it (a small-message stream: TCP) in the second */
		.modes = { { .name = "plain" },
			   { .name = "bypass", .redirect_mode = "always", .bypass_all = true } },
		.placements = { PL_SAME, PL_CROSS }, .n_placements = 2,
	};
	unsigned long long rounds;
	int c;

	parse_sizes("64,1K,16K,64K,1M", &o);
	while ((c = getopt_long(argc, argv, "s:d:r:p:t:P:m:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_sizes(optarg, &o))
				return CMD_USAGE;
			break;
		case 'd':
			if (arg_seconds(optarg, "--duration", 0.05, 600, &o.duration_s))
				return CMD_USAGE;
			break;
		case 'r':
			if (arg_uint(optarg, "--rounds", 1, BENCH_MAX_ROUNDS, &rounds))
				return CMD_USAGE;
			o.rounds = rounds;
			break;
		case 'p':
			if (parse_placements(optarg, &o))
				return CMD_USAGE;
			break;
		case 't':
			if (parse_tests(optarg, &o))
				return CMD_USAGE;
			break;
		case 'e': o.external = true; break;
		case 'P': o.plot = optarg; break;
		case 'j': o.json = true; break;
		case 'm':
			if (parse_modes(optarg, &o))
				return CMD_USAGE;
			break;
		case 'V':
			if (parse_variant(optarg, &o))
				return CMD_USAGE;
			break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (extra_args(argc, argv))
		return CMD_USAGE;
	if ((o.external && !ext_available()) || priv_check())
		return CMD_FAIL;
	signals_catch();
	return cmd_status(bench_redirect(&o));
}

static int do_bench_datapath(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "json",   no_argument,       NULL, 'j' },
		{ "help",   no_argument,       NULL, 'h' },
		{},
	};
	struct bench_datapath_opts o = { .repeat = 1000000, .rounds = 5, .json = gopt.json };
	unsigned long long v;
	int c;

	while ((c = getopt_long(argc, argv, "n:r:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (arg_uint(optarg, "--repeat", 1, 100000000, &v))
				return CMD_USAGE;
			o.repeat = v;
			break;
		case 'r':
			if (arg_uint(optarg, "--rounds", 1, 100, &v))
				return CMD_USAGE;
			o.rounds = v;
			break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (extra_args(argc, argv))
		return CMD_USAGE;
	if (priv_check())
		return CMD_FAIL;
	return cmd_status(bench_datapath(&o));
}

static int do_bench_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "repeat", required_argument, NULL, 'n' },
		{ "json",   no_argument,       NULL, 'j' },
		{ "help",   no_argument,       NULL, 'h' },
		{},
	};
	unsigned long long repeat = 1000000;
	bool json = gopt.json;
	int c;

	while ((c = getopt_long(argc, argv, "n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (arg_uint(optarg, "--repeat", 1, UINT32_MAX, &repeat))
				return CMD_USAGE;
			break;
		case 'j': json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (extra_args(argc, argv))
		return CMD_USAGE;
	if (priv_check())
		return CMD_FAIL;
	return cmd_status(trace_bench(repeat, json));
}

int do_bench(int argc, char **argv)
{
	static const struct cmd cmds[] = {
		{ .name = "redirect", .run = do_bench_redirect },
		{ .name = "datapath", .run = do_bench_datapath },
		{ .name = "trace",    .run = do_bench_trace },
	};

	return cmd_select(cmds, CMD_COUNT(cmds), "bench", argc - 1, argv + 1, usage);
}
