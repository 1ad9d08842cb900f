/* netbpf: install, observe and remove the netbpf datapath. */
#include <getopt.h>
#include <stdio.h>
#include <bpf/libbpf.h>

#include "cmd.h"
#include "common/log.h"
#include "common/version.h"

static const struct cmd cmds[] = {
	{ "up",     do_up,     "attach XDP and tc programs to an interface" },
	{ "down",   do_down,   "remove what netbpf attached to an interface" },
	{ "status", do_status, "show what netbpf attached, where" },
	{ "stats",  do_stats,  "show packet and byte counters of an interface" },
	{ "deny",   do_deny,   "add, delete or list XDP deny rules" },
	{ "clean",  do_clean,  "remove pins left by interfaces that are gone" },
	{ "redirect", do_redirect, "localhost TCP bypass: on, off, status" },
	{ "bench",  do_bench,  "measure the bypass and the datapath cost" },
	{ "trace",  do_trace,  "fentry/fexit on the datapath programs and their subfunctions" },
	{ "sniff",  do_sniff,  "report HTTP/1.x exchanges seen on an interface" },
	{ "exporter", do_exporter, "serve netbpf's counters to Prometheus at /metrics" },
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf [-v|-q] [--json] COMMAND [ARGS]\n"
		"\n"
		"Commands (a unique prefix is enough; 'sta' is ambiguous: status, stats):\n");
	for (size_t i = 0; i < CMD_COUNT(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f,
		"\n"
		"Options:\n"
		"  -v, --verbose   show libbpf and debug messages\n"
		"  -q, --quiet     only errors\n"
		"  -j, --json      machine-readable output where a command prints data\n"
		"  -h, --help      this text; 'netbpf COMMAND --help' for a command\n"
		"  -V, --version   netbpf's and libbpf's versions\n"
		"\n"
		"Examples:\n"
		"  netbpf up veth0                 attach, auto-select XDP and tc modes\n"
		"  netbpf deny add veth0 10.0.0.0/8 port 22 proto tcp\n"
		"  netbpf stats veth0 --watch 1\n"
		"  netbpf down veth0\n");
}

static void print_version(void)
{
	if (gopt.json)
		printf("{\"netbpf\":\"%s\",\"libbpf\":\"%s\"}\n", netbpf_version,
		       libbpf_version_string());
	else
		printf("netbpf %s (libbpf %s)\n", netbpf_version, libbpf_version_string());
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet",   no_argument, NULL, 'q' },
		{ "json",    no_argument, NULL, 'j' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	int c;

	/* '+' stops at the command name: the rest belongs to the command. */
	while ((c = getopt_long(argc, argv, "+vqjhV", opts, NULL)) != -1) {
		switch (c) {
		case 'v': log_level = 2; break;
		case 'q': log_level = 0; break;
		case 'j': gopt.json = true; break;
		case 'h': usage(stdout); return CMD_OK;
		case 'V': print_version(); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	log_setup();
	return cmd_select(cmds, CMD_COUNT(cmds), "command", argc - optind, argv + optind, usage);
}
