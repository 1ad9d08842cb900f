/* netbpf bench: what the localhost bypass buys, and what the packet path costs. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/argval.h"
#include "bench/datapath.h"
#include "bench/external.h"
#include "bench/load.h"
#include "bench/redirect.h"
#include "cmd.h"
#include "common/log.h"
#include "common/priv.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf bench redirect [--sizes LIST] [--duration S] [--rounds N] [--pin]\n"
		"                             [--tests rr,stream] [--external] [--plot FILE.png] [--json]\n"
		"                             [--variant NAME=CMD]\n"
		"       netbpf bench datapath [--repeat N] [--rounds N] [--json]\n"
		"\n"
		"redirect: request/response and one-way stream tests over loopback TCP, plain and\n"
		"through the bypass (netbpf redirect), in alternating rounds of the same run, in a\n"
		"cgroup and network namespace of the bench's own. Every byte moved is checksummed at\n"
		"both ends; a run that moved corrupted data makes the bench fail.\n"
		"  --sizes LIST     message sizes, K/M suffixes (default 64,1K,16K,64K,1M)\n"
		"  --duration S     seconds per test and mode (default 1)\n"
		"  --rounds N       alternating rounds (default 3)\n"
		"  --pin            client on CPU 0, server on CPU 1\n"
		"  --tests LIST     the bench's own tests: rr (request/response), stream (default both)\n"
		"  --external       also sockperf ping-pong/throughput and iperf3 in the same cgroups\n"
		"  --plot FILE.png  draw the gain against message size with gnuplot\n"
		"  --variant N=CMD  compare another bypass too: CMD attaches it to the cgroup in\n"
		"                   $NETBPF_BENCH_CGROUP, prints a line when ready, keeps it until SIGTERM\n"
		"\n"
		"datapath: ns per packet of the XDP and tc programs with BPF_PROG_TEST_RUN on\n"
		"representative packets, against an empty XDP program (the floor) in the same run,\n"
		"and the bpf2bpf pipeline against the same stages chained by tail calls.\n"
		"  --repeat N       runs per measurement inside the kernel (default 1000000)\n"
		"  --rounds N       measurements per program and packet (default 5)\n"
		"\n"
		"Examples:\n"
		"  netbpf bench redirect\n"
		"  netbpf bench redirect --sizes 64,16K --duration 2 --rounds 5 --pin --plot gain.png\n"
		"  netbpf bench datapath --repeat 100000\n");
}

static void on_signal(int sig)
{
	bench_load_stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: blocked calls end */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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

static int parse_variant(char *arg, struct bench_redirect_opts *o)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg || !eq[1] || o->n_modes == BENCH_MAX_MODES ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_-") != (size_t)(eq - arg)) {
		pr_warn("invalid --variant '%s': expected NAME=CMD, NAME in [a-z0-9_-]\n", arg);
		return -1;
	}
	*eq = 0;
	for (int m = 0; m < o->n_modes; m++) {
		if (!strcmp(o->modes[m].name, arg)) {
			pr_warn("invalid --variant: mode '%s' exists already\n", arg);
			return -1;
		}
	}
	o->modes[o->n_modes++] = (struct bench_mode){ .name = arg, .holder_cmd = eq + 1 };
	return 0;
}

static int do_bench_redirect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes",    required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "rounds",   required_argument, NULL, 'r' },
		{ "pin",      no_argument,       NULL, 'p' },
		{ "tests",    required_argument, NULL, 't' },
		{ "external", no_argument,       NULL, 'e' },
		{ "plot",     required_argument, NULL, 'P' },
		{ "json",     no_argument,       NULL, 'j' },
		{ "variant",  required_argument, NULL, 'V' },
		{ "help",     no_argument,       NULL, 'h' },
		{},
	};
	struct bench_redirect_opts o = {
		.duration_s = 1, .rounds = 3, .json = gopt.json, .n_modes = 2, .rr = true, .stream = true,
		.modes = { { .name = "plain" }, { .name = "bypass" } },
	};
	unsigned long long rounds;
	int c;

	parse_sizes("64,1K,16K,64K,1M", &o);
	while ((c = getopt_long(argc, argv, "s:d:r:pt:P:jh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (parse_sizes(optarg, &o))
				return 2;
			break;
		case 'd':
			if (arg_seconds(optarg, "--duration", 0.05, 600, &o.duration_s))
				return 2;
			break;
		case 'r':
			if (arg_uint(optarg, "--rounds", 1, BENCH_MAX_ROUNDS, &rounds))
				return 2;
			o.rounds = rounds;
			break;
		case 'p': o.pin = true; break;
		case 't':
			if (parse_tests(optarg, &o))
				return 2;
			break;
		case 'e': o.external = true; break;
		case 'P': o.plot = optarg; break;
		case 'j': o.json = true; break;
		case 'V':
			if (parse_variant(optarg, &o))
				return 2;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (extra_args(argc, argv) || (o.external && !ext_available()))
		return 2;
	if (priv_check())
		return 1;
	catch_signals();
	return bench_redirect(&o);
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
				return 2;
			o.repeat = v;
			break;
		case 'r':
			if (arg_uint(optarg, "--rounds", 1, 100, &v))
				return 2;
			o.rounds = v;
			break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (extra_args(argc, argv))
		return 2;
	if (priv_check())
		return 1;
	return bench_datapath(&o);
}

int do_bench(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	/* the subcommand's getopt starts at its own name */
	if (!strcmp(argv[1], "redirect"))
		return do_bench_redirect(argc - 1, argv + 1);
	if (!strcmp(argv[1], "datapath"))
		return do_bench_datapath(argc - 1, argv + 1);
	pr_warn("unknown bench '%s': expected redirect or datapath\n", argv[1]);
	return 2;
}
