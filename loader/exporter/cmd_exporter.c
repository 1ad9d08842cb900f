/* netbpf exporter: serve netbpf's counters to Prometheus until Ctrl-C or SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cmd.h"
#include "common/log.h"
#include "exporter/collect.h"
#include "exporter/http.h"

#define DEFAULT_LISTEN "127.0.0.1:9437"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf exporter [--listen HOST:PORT] [--prog-stats]\n"
		"\n"
		"Serves the counters of every interface netbpf is up on (any network\n"
		"namespace), of every cgroup's bypass and, with --prog-stats, the kernel's\n"
		"run count and time of each netbpf program, at /metrics in Prometheus's text\n"
		"format. Counters are read from the pinned maps at each scrape, so interfaces\n"
		"may go up and down while it runs. Ctrl-C or SIGTERM stops it.\n"
		"\n"
		"  --listen HOST:PORT  address to serve on (default " DEFAULT_LISTEN "; :PORT: every\n"
		"                      address; [::1]:PORT for IPv6)\n"
		"  --prog-stats        turn on the kernel's BPF run statistics (BPF_ENABLE_STATS)\n"
		"                      while the exporter runs: every BPF program then costs a\n"
		"                      little more per run\n"
		"\n"
		"Examples:\n"
		"  netbpf exporter\n"
		"  netbpf exporter --listen :9437 --prog-stats\n"
		"  curl -s http://127.0.0.1:9437/metrics | grep netbpf_packets_total\n");
}

static void serve_metrics(FILE *f, void *ctx)
{
	collect_metrics(f, ctx);
}

int do_exporter(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen",     required_argument, NULL, 'l' },
		{ "prog-stats", no_argument,       NULL, 's' },
		{ "help",       no_argument,       NULL, 'h' },
		{},
	};
	const char *listen = DEFAULT_LISTEN;
	struct collect_opts o = {};
	struct http_server *srv;
	int c, sig, stats_fd = -1;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "l:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen = optarg; break;
		case 's': o.prog_stats = true; break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind != argc) {
		pr_warn("exporter takes no arguments (see 'netbpf exporter --help')\n");
		return CMD_USAGE;
	}
	if (o.prog_stats) {
		/* The kernel counts while any such fd is open: ours closes with us. */
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			pr_warn("failed to enable BPF run statistics: %s\n", strerror(errno));
			return CMD_FAIL;
		}
	}
	/* Blocked before the server's thread starts, so only sigwait() sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	srv = http_start(listen, serve_metrics, &o);
	if (!srv) {
		if (stats_fd >= 0)
			close(stats_fd);
		return CMD_FAIL;
	}
	pr_info("exporter: serving http://%s/metrics; Ctrl-C to stop\n", listen);
	sigwait(&set, &sig);
	http_stop(srv);
	if (stats_fd >= 0)
		close(stats_fd);
	return CMD_OK;
}
