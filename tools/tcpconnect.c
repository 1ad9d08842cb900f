/* tcpconnect: trace new TCP connections (outgoing and accepted), or with --latency
 * the time from SYN to established of outgoing ones. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "events.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "tcpconnect.h"
#include "tcpconnect.skel.h"

#define TRACEPOINT "sock/inet_sock_set_state"

static const char doc[] =
	"Trace new TCP connections, IPv4 and IPv6: outgoing (tcp_connect) and\n"
	"accepted (inet_csk_complete_hashdance). Attaches with fentry, else kprobe,\n"
	"else the " TRACEPOINT " tracepoint, and says which.\n"
	"Accepted connections complete in softirq: their PID/COMM is whichever\n"
	"task was interrupted.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcpconnect                # every new connection\n"
	"  tcpconnect -L             # outgoing, with SYN->established latency\n"
	"  tcpconnect -P 443 -j      # port 443 at either end, JSON lines\n"
	"  tcpconnect -m tracepoint  # force the tracepoint method\n";

static struct {
	bool latency;
} opt;

static error_t parse_arg(int key, char *arg __attribute__((unused)),
			 struct argp_state *state __attribute__((unused)))
{
	if (key != 'L')
		return ARGP_ERR_UNKNOWN;
	opt.latency = true;
	return 0;
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	const struct conn_event *e = data;
	const char *dir = e->dir == CONN_ACCEPT ? "accept" : "connect";
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];

	out_addr(e->family, e->saddr, saddr, sizeof(saddr));
	out_addr(e->family, e->daddr, daddr, sizeof(daddr));
	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_str(&jout, "dir", dir);
		out_json_ends(e->family, saddr, e->sport, daddr, e->dport);
		if (opt.latency)
			json_kv_u64(&jout, "lat_ns", e->lat_ns);
		out_json_end();
		return;
	}
	printf("%-9.3f %-7u %-16s %-7s %-2d %-39s %-5u %-39s %-5u", out_elapsed(), e->pid, e->comm, dir,
	       e->family == AF_INET ? 4 : 6, saddr, e->sport, daddr, e->dport);
	if (opt.latency)
		printf(" %.3f", e->lat_ns / 1e6);
	printf("\n");
	fflush(stdout);
}

static void configure(struct tcpconnect_bpf *skel, int m __attribute__((unused)))
{
	skel->rodata->targ_latency = opt.latency;
	skel->rodata->targ_port = env.port;
	args_apply(skel->obj, &skel->rodata->filter);
	/* --latency ends at tcp_rcv_state_process and reports no accepts. */
	if (opt.latency) {
		bpf_program__set_autoload(skel->progs.fentry_hashdance, false);
		bpf_program__set_autoload(skel->progs.kprobe_hashdance, false);
	} else {
		bpf_program__set_autoload(skel->progs.fentry_rcv_state, false);
		bpf_program__set_autoload(skel->progs.kprobe_rcv_state, false);
	}
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "latency", 'L', NULL, 0, "Outgoing connections with SYN->established latency (ms)", 0 },
		{},
	};
	static const struct argp_child children[] = {
		{ &args_port, 0, NULL, 0 }, { &args_method, 0, NULL, 0 }, { &args_task, 0, NULL, 0 },
		{ &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct tcpconnect_bpf *skel = NULL;
	char how[128];
	int m, err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	METHOD_ATTACH(tcpconnect_bpf, skel, m, M_FENTRY | M_KPROBE | M_TRACEPOINT, TRACEPOINT, configure);
	if (!skel)
		return method_none();
	if (!env.json)
		printf("%-9s %-7s %-16s %-7s %-2s %-39s %-5s %-39s %-5s%s\n", "TIME(s)", "PID", "COMM", "DIR", "IP",
		       "SADDR", "SPORT", "DADDR", "DPORT", opt.latency ? " LAT(ms)" : "");
	if (m == METHOD_TRACEPOINT)
		snprintf(how, sizeof(how), "tracepoint %s", TRACEPOINT);
	else
		snprintf(how, sizeof(how), "%s tcp_connect, %s", method_names[m],
			 opt.latency ? "tcp_rcv_state_process" : "inet_csk_complete_hashdance");
	out_ready(how);
	err = events_run(skel->obj, on_event);
	tcpconnect_bpf__destroy(skel);
	return err ? 1 : 0;
}
