/* tcprtt: log2 histograms of TCP's smoothed RTT, optionally per local or remote
 * address, printed at the end or every interval. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>

#include "common/addr.h"
#include "common/argval.h"
#include "args.h"
#include "common/clock.h"
#include "common/hist.h"
#include "common/log.h"
#include "method.h"
#include "output.h"
#include "common/signals.h"
#include "tcprtt.h"
#include "tcprtt.skel.h"

_Static_assert(TCPRTT_SLOTS == HIST_SLOTS, "tcprtt's histograms are common/hist.h histograms");

#define TRACEPOINT "tcp/tcp_probe"
#define MAX_HISTS 1024 /* the map's max_entries */

static const char doc[] =
	"Summarize TCP's smoothed round-trip time (srtt) as log2 histograms in\n"
	"microseconds: one sample each time an established socket receives a\n"
	"segment (tcp_rcv_established). Attaches with fentry, else kprobe, else the\n"
	"tcp:tcp_probe tracepoint, and says which: tcp_probe is the one tracepoint\n"
	"with the srtt, and tcp_rcv_established fires it, so the samples are the same.\n"
	"\n"
	"EXAMPLES:\n"
	"  tcprtt                  # one histogram of everything, at Ctrl-C\n"
	"  tcprtt -i 1 -d 10       # every second for 10 s\n"
	"  tcprtt -P 443 -B -e     # to remote port 443, by remote address, + averages\n"
	"  tcprtt -a 10.0.0.0/8 -j # local addresses in 10/8, as JSON\n";

static struct {
	__u16 lport, rport;
	__u8 laddr[16], raddr[16];
	int laddr_plen, raddr_plen;
	bool by_laddr, by_raddr, extended;
	unsigned interval;
} opt;

static void parse_prefix(struct argp_state *state, const char *arg, __u8 *addr, int *plen)
{
	if (addr_parse_cidr(arg, addr, plen))
		argp_failure(state, 2, 0, "invalid address '%s' (expected ADDR or ADDR/PLEN)", arg);
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned long long v;

	switch (key) {
	case 'p':
	case 'P':
		if (arg_uint(arg, key == 'p' ? "local port" : "remote port", 1, 65535, &v))
			return EINVAL;
		*(key == 'p' ? &opt.lport : &opt.rport) = v;
		break;
	case 'a': parse_prefix(state, arg, opt.laddr, &opt.laddr_plen); break;
	case 'A': parse_prefix(state, arg, opt.raddr, &opt.raddr_plen); break;
	case 'b': opt.by_laddr = true; break;
	case 'B': opt.by_raddr = true; break;
	case 'e': opt.extended = true; break;
	case 'i':
		if (arg_uint(arg, "interval", 1, 86400, &v))
			return EINVAL;
		opt.interval = v;
		break;
	case ARGP_KEY_END:
		if (opt.by_laddr && opt.by_raddr)
			argp_failure(state, 2, 0, "-b and -B exclude each other");
		if (env.count || env.perf_buffer)
			argp_failure(state, 2, 0, "--count and --perf-buffer do not apply: tcprtt has no events");
		break;
	default: return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void configure(struct tcprtt_bpf *skel, int m __attribute__((unused)))
{
	skel->rodata->targ_lport = opt.lport;
	skel->rodata->targ_rport = opt.rport;
	memcpy((void *)skel->rodata->targ_laddr, opt.laddr, 16);
	skel->rodata->targ_laddr_plen = opt.laddr_plen;
	memcpy((void *)skel->rodata->targ_raddr, opt.raddr, 16);
	skel->rodata->targ_raddr_plen = opt.raddr_plen;
	skel->rodata->targ_by_laddr = opt.by_laddr;
	skel->rodata->targ_by_raddr = opt.by_raddr;
}

static int by_addr(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct rtt_key));
}

static void print_one(const struct rtt_key *k, const struct rtt_hist *h)
{
	const char *which = opt.by_laddr ? "laddr" : "raddr";
	char addr[INET6_ADDRSTRLEN];

	if (opt.by_laddr || opt.by_raddr)
		out_addr16(k->addr, addr, sizeof(addr));
	if (env.json) {
		json_obj_open(&jout);
		if (opt.by_laddr || opt.by_raddr)
			json_kv_str(&jout, which, addr);
		json_kv_u64(&jout, "count", h->count);
		if (opt.extended)
			json_kv_u64(&jout, "avg_us", h->count ? h->sum_us / h->count : 0);
		json_key(&jout, "hist_us");
		hist_json(&jout, h->slots);
		json_obj_close(&jout);
		return;
	}
	if (opt.by_laddr || opt.by_raddr)
		printf("%s Address = %s\n", opt.by_laddr ? "Local" : "Remote", addr);
	else
		printf("All Addresses = ****\n");
	if (opt.extended)
		printf("[AVG] %llu usecs, %llu samples\n", (unsigned long long)(h->count ? h->sum_us / h->count : 0),
		       (unsigned long long)h->count);
	hist_print(stdout, h->slots, "usecs", "");
	printf("\n");
}

/* Histograms are never cleared in the map (a sample landing between a read and a
 * delete would be lost): each print shows what came since the previous one. */
static struct rtt_key keys[MAX_HISTS], prev_keys[MAX_HISTS];
static struct rtt_hist totals[MAX_HISTS], vals[MAX_HISTS], prev_vals[MAX_HISTS];
static int nprev;

static void subtract_prev(const struct rtt_key *k, struct rtt_hist *h)
{
	const struct rtt_key *p = bsearch(k, prev_keys, nprev, sizeof(*k), by_addr);
	const struct rtt_hist *ph;

	if (!p)
		return;
	ph = &prev_vals[p - prev_keys];
	h->sum_us -= ph->sum_us;
	h->count -= ph->count;
	for (int i = 0; i < TCPRTT_SLOTS; i++)
		h->slots[i] -= ph->slots[i];
}

static int print_hists(struct tcprtt_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.hists), n = 0;
	struct rtt_key *prev = NULL;

	while (n < MAX_HISTS && !bpf_map_get_next_key(fd, prev, &keys[n]))
		prev = &keys[n++];
	qsort(keys, n, sizeof(keys[0]), by_addr);
	for (int i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(fd, &keys[i], &totals[i])) {
			pr_warn("tcprtt: failed to read histogram: %s\n", strerror(errno));
			return -1;
		}
	}
	memcpy(vals, totals, n * sizeof(vals[0]));
	for (int i = 0; i < n; i++)
		subtract_prev(&keys[i], &vals[i]);
	memcpy(prev_vals, totals, n * sizeof(totals[0]));
	memcpy(prev_keys, keys, n * sizeof(keys[0]));
	nprev = n;
	if (env.json) {
		json_obj_open(&jout);
		json_kv_double(&jout, "time", out_elapsed());
		json_key(&jout, "hists");
		json_arr_open(&jout);
	} else {
		printf("%.3f s:\n", out_elapsed());
	}
	for (int i = 0; i < n; i++)
		if (vals[i].count)
			print_one(&keys[i], &vals[i]);
	if (env.json) {
		json_arr_close(&jout);
		out_json_end();
	}
	fflush(stdout);
	return 0;
}

static int run(struct tcprtt_bpf *skel)
{
	__u64 now = clock_ns(CLOCK_MONOTONIC), sec = 1000000000ULL;
	__u64 end = env.duration ? now + env.duration * sec : 0, next = now + opt.interval * sec;

	signals_catch();
	while (!exiting) {
		usleep(50000); /* a signal cuts it short */
		now = clock_ns(CLOCK_MONOTONIC);
		if (end && now >= end)
			break;
		if (opt.interval && now >= next) {
			if (print_hists(skel))
				return -1;
			next += opt.interval * sec;
		}
	}
	return print_hists(skel);
}

int main(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "lport", 'p', "PORT", 0, "Only sockets with local port PORT", 0 },
		{ "rport", 'P', "PORT", 0, "Only sockets with remote port PORT", 0 },
		{ "laddr", 'a', "ADDR[/PLEN]", 0, "Only sockets whose local address is in this prefix", 0 },
		{ "raddr", 'A', "ADDR[/PLEN]", 0, "Only sockets whose remote address is in this prefix", 0 },
		{ "byladdr", 'b', NULL, 0, "One histogram per local address", 0 },
		{ "byraddr", 'B', NULL, 0, "One histogram per remote address", 0 },
		{ "extended", 'e', NULL, 0, "Also the average RTT and the number of samples", 0 },
		{ "interval", 'i', "SECS", 0, "Print (and restart) the histograms every SECS seconds", 0 },
		{},
	};
	static const struct argp_child children[] = { { &args_method, 0, NULL, 0 }, { &args_common, 0, NULL, 0 }, {} };
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	struct tcprtt_bpf *skel = NULL;
	char how[64];
	int m, err;

	err = args_parse(&argp, argc, argv);
	if (err)
		return err;
	METHOD_ATTACH(tcprtt_bpf, skel, m, M_FENTRY | M_KPROBE | M_TRACEPOINT, TRACEPOINT, configure);
	if (!skel)
		return method_none();
	if (m == METHOD_TRACEPOINT)
		snprintf(how, sizeof(how), "tracepoint %s", TRACEPOINT);
	else
		snprintf(how, sizeof(how), "%s tcp_rcv_established", method_names[m]);
	out_ready(how);
	err = run(skel);
	tcprtt_bpf__destroy(skel);
	return err ? 1 : 0;
}
