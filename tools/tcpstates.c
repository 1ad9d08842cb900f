/* tcpstates: trace TCP state changes with the time spent in the previous state. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "events.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "tcpstates.h"
#include "tcpstates.skel.h"

#define TRACEPOINT "sock/inet_sock_set_state"

static const char doc[] =
	"Trace TCP state changes (" TRACEPOINT " tracepoint)\n"
	"with the time each socket spent in the state it leaves. Most changes\n"
	"happen in softirq: PID/COMM are whichever task happened to run.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcpstates            # every change\n"
	"  tcpstates -6 -P 443  # IPv6, port 443 at either end\n"
	"  tcpstates -j -c 20   # 20 changes as JSON lines\n";

static const char *const states[] = {
	[1] = "ESTABLISHED", [2] = "SYN_SENT", [3] = "SYN_RECV", [4] = "FIN_WAIT1",
	[5] = "FIN_WAIT2", [6] = "TIME_WAIT", [7] = "CLOSE", [8] = "CLOSE_WAIT",
	[9] = "LAST_ACK", [10] = "LISTEN", [11] = "CLOSING", [12] = "NEW_SYN_RECV",
};

static struct {
	__u16 family;
} opt;

static error_t parse_arg(int key, char *arg __attribute__((unused)),
			 struct argp_state *state __attribute__((unused)))
{
	switch (key) {
	case '4': opt.family = AF_INET; break;
	case '6': opt.family = AF_INET6; break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *state_name(unsigned s)
{
	return s < sizeof(states) / sizeof(states[0]) && states[s] ? states[s] : "UNKNOWN";
}

static void on_event(const void *data, size_t size __attribute__((unused)))
{
	const struct state_event *e = data;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];

	out_addr(e->family, e->saddr, saddr, sizeof(saddr));
	out_addr(e->family, e->daddr, daddr, sizeof(daddr));
	if (env.json) {
		out_json_begin(e->pid, e->comm);
		json_kv_u64(&jout, "skaddr", e->skaddr);
		out_json_ends(e->family, saddr, e->sport, daddr, e->dport);
		json_kv_str(&jout, "oldstate", state_name(e->oldstate));
		json_kv_str(&jout, "newstate", state_name(e->newstate));
		json_kv_u64(&jout, "prev_ns", e->prev_ns);
		out_json_end();
		return;
	}
	printf("%-9.3f %-16llx %-7u %-16s %-2d %-39s %-5u %-39s %-5u %-11s -> %-11s %.3f\n", out_elapsed(),
	       (unsigned long long)e->skaddr, e->pid, e->comm, e->family == AF_INET ? 4 : 6, saddr, e->sport,
	       daddr, e->dport, state_name(e->oldstate), state_name(e->newstate), e->prev_ns / 1e6);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "ipv4", '4', NULL, 0, "Only IPv4", 0 },
		{ "ipv6", '6', NULL, 0, "Only IPv6", 0 },
		{},
	};
	static const struct argp_child children[] = {
		{ &args_port, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {},
	};
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct tcpstates_bpf *skel = NULL;
	int err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	if (!method_available(METHOD_TRACEPOINT, TRACEPOINT))
		return method_none();
	skel = tcpstates_bpf__open();
	if (!skel) {
		pr_warn("tcpstates: failed to open BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->targ_port = env.port;
	skel->rodata->targ_family = opt.family;
	args_apply(skel->obj, &skel->rodata->filter);
	err = tcpstates_bpf__load(skel);
	if (!err)
		err = tcpstates_bpf__attach(skel);
	if (err) {
		method_failed(METHOD_TRACEPOINT, "load or attach", err);
		err = method_none();
		goto cleanup;
	}
	if (!env.json)
		printf("%-9s %-16s %-7s %-16s %-2s %-39s %-5s %-39s %-5s %-11s -> %-11s %s\n", "TIME(s)", "SKADDR",
		       "PID", "COMM", "IP", "SADDR", "SPORT", "DADDR", "DPORT", "OLDSTATE", "NEWSTATE", "MS");
	out_ready("tracepoint " TRACEPOINT);
	err = events_run(skel->obj, on_event) ? 1 : 0;
cleanup:
	tcpstates_bpf__destroy(skel);
	return err;
}
