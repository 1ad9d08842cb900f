#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/tcp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/datapath.h"
#include "bench/load.h"
#include "bench/report.h"
#include "bench/stats.h"
#include "bpf/datapath/datapath.h"
#include "datapath/rules.h"
#include "common/json.h"
#include "common/log.h"
#include "common/pkt.h"
#include "common/pin.h"
#include "common/signals.h"

#include "bench_pass.skel.h"
#include "bench_tailcall.skel.h"
#include "tc.skel.h"
#include "xdp.skel.h"

#define MAX_ROUNDS 100
#define PAYLOAD    64
#define TC_UNSPEC  ((__u32)-1)

enum { PROG_FLOOR, PROG_XDP, PROG_TAIL, PROG_TC, N_PROGS };
enum { PKT_TCP4, PKT_UDP6_EXT, PKT_DENY, N_PKTS };

static const char *const prog_names[N_PROGS] = {
	"xdp empty (floor)", "xdp pipeline", "xdp tail calls", "tc ingress",
};
static const char *const prog_keys[N_PROGS] = { "floor", "xdp", "xdp_tailcall", "tc_ingress" };
static const char *const pkt_names[N_PKTS] = { "TCP/IPv4", "UDP/IPv6+hbh", "TCP/IPv4 denied" };
static const char *const pkt_keys[N_PKTS] = { "tcp4", "udp6_ext", "tcp4_deny" };

/* Verdicts each program must return, so a fast but wrong program cannot win. tc only
 * counts (deny rules are XDP's), and hands every packet on. */
static const __u32 expect[N_PROGS][N_PKTS] = {
	[PROG_FLOOR] = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_XDP]   = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_TAIL]  = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_TC]    = { TC_UNSPEC, TC_UNSPEC, TC_UNSPEC },
};

struct dp {
	struct bench_pass *pass;
	struct bench_tailcall *tail;
	struct xdp *xdp;
	struct tc *tc;
	int fd[N_PROGS];
	struct pkt pkt[N_PKTS];
	double ns[N_PROGS][N_PKTS][MAX_ROUNDS];
	double stats_ns[N_PROGS][N_PKTS][MAX_ROUNDS];
};

/* TCP/IPv4 ACK with 64 bytes of payload from saddr to dport. */
static void tcp4_build(struct pkt *p, const char *saddr, __u16 dport)
{
	pkt_eth(p, ETH_P_IP);
	pkt_ip4(p, IPPROTO_TCP, saddr, NULL, 0, 0);
	pkt_tcp(p, 40000, dport, TH_ACK);
	pkt_zeros(p, PAYLOAD);
}

/* IPv6 with a hop-by-hop header before UDP: the parser must walk it. */
static void udp6_ext_build(struct pkt *p)
{
	pkt_eth(p, ETH_P_IPV6);
	pkt_ip6(p, 0 /* hop-by-hop */, "2001:db8::1", NULL);
	pkt_ip6_ext(p, IPPROTO_UDP);
	pkt_udp(p, 5353, 53);
	pkt_zeros(p, PAYLOAD);
}

/* Deny 10.9.9.0/24 to TCP port 22. */
static int deny_rule_add(struct bpf_map *map)
{
	struct nb_deny_key k = { .proto = IPPROTO_TCP, .port = htons(22) };
	int err = rule_set_prefix(&k, "10.9.9.0/24");

	return err ? err : rule_add(bpf_map__fd(map), &k);
}

static int dp_load(struct dp *d)
{
	const char *what;
	int err = 0;

	what = "bench_pass";
	d->pass = bench_pass__open_and_load();
	if (!d->pass)
		goto fail;
	what = "bench_tailcall";
	d->tail = bench_tailcall__open();
	if (!d->tail)
		goto fail;
	/* The bench's objects must not share the datapath's pinned maps (rules, counters). */
	if ((err = pin_clear_paths(d->tail->obj)) || (err = bench_tailcall__load(d->tail)))
		goto fail;
	what = "xdp";
	d->xdp = xdp__open();
	if (!d->xdp)
		goto fail;
	if ((err = pin_clear_paths(d->xdp->obj)) || (err = xdp__load(d->xdp)))
		goto fail;
	what = "tc";
	d->tc = tc__open();
	if (!d->tc)
		goto fail;
	if ((err = pin_clear_paths(d->tc->obj)) || (err = tc__load(d->tc)))
		goto fail;
	what = "deny rule";
	if ((err = deny_rule_add(d->xdp->maps.netbpf_deny)) ||
	    (err = deny_rule_add(d->tail->maps.netbpf_deny)))
		goto fail;
	d->fd[PROG_FLOOR] = bpf_program__fd(d->pass->progs.bench_pass);
	d->fd[PROG_XDP] = bpf_program__fd(d->xdp->progs.xdp_main);
	d->fd[PROG_TAIL] = bpf_program__fd(d->tail->progs.tail_l2);
	d->fd[PROG_TC] = bpf_program__fd(d->tc->progs.tc_ingress);
	return 0;
fail:
	pr_warn("failed to load %s: %s\n", what, strerror(err ? -err : errno));
	return -1;
}

static void dp_destroy(struct dp *d)
{
	bench_pass__destroy(d->pass);
	bench_tailcall__destroy(d->tail);
	xdp__destroy(d->xdp);
	tc__destroy(d->tc);
}

static int prog_stats(int fd, __u64 *run_ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -1;
	*run_ns = info.run_time_ns;
	*cnt = info.run_cnt;
	return 0;
}

/* One measurement: test_run's own average, and the stats' average over the same runs. */
static int measure(struct dp *d, int prog, int pkt, int repeat, int round)
{
	struct pkt *p = &d->pkt[pkt];
	__u8 out[PKT_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = p->b, .data_size_in = p->len,
		    .data_out = out, .data_size_out = sizeof(out), .repeat = repeat);
	__u64 ns0 = 0, c0 = 0, ns1 = 0, c1 = 0;
	int stats_ok = !prog_stats(d->fd[prog], &ns0, &c0);

	if (bpf_prog_test_run_opts(d->fd[prog], &t)) {
		pr_warn("failed to run %s on %s: %s\n", prog_names[prog], pkt_names[pkt], strerror(errno));
		return -1;
	}
	if (t.retval != expect[prog][pkt]) {
		pr_warn("%s returned %d on %s, expected %d: wrong verdict\n", prog_names[prog],
			(int)t.retval, pkt_names[pkt], (int)expect[prog][pkt]);
		return -1;
	}
	d->ns[prog][pkt][round] = t.duration;
	stats_ok = stats_ok && !prog_stats(d->fd[prog], &ns1, &c1) && c1 > c0;
	d->stats_ns[prog][pkt][round] = stats_ok ? (double)(ns1 - ns0) / (c1 - c0) : NAN;
	return 0;
}

static struct stats_range range_of(const double *v, int n)
{
	double ok[MAX_ROUNDS];
	int k = 0;

	for (int i = 0; i < n; i++)
		if (!isnan(v[i]))
			ok[k++] = v[i];
	return stats_range(ok, k);
}

static void report_table(struct dp *d, const struct bench_datapath_opts *o, const double la[2])
{
	printf("netbpf bench datapath: %s\n", bench_machine());
	printf("load average %.2f at start, %.2f at end; BPF_PROG_TEST_RUN repeat %d, %d rounds; "
	       "ns/packet median (min-max); stats = BPF_ENABLE_STATS run_time_ns/run_cnt\n\n",
	       la[0], la[1], o->repeat, o->rounds);
	printf("%-16s %-18s %8s %-15s %9s %9s\n", "packet", "program", "ns/pkt", "(min-max)",
	       "over floor", "stats ns");
	for (int k = 0; k < N_PKTS; k++) {
		double floor = range_of(d->ns[PROG_FLOOR][k], o->rounds).median;

		for (int p = 0; p < N_PROGS; p++) {
			struct stats_range r = range_of(d->ns[p][k], o->rounds);
			struct stats_range s = range_of(d->stats_ns[p][k], o->rounds);
			char mm[32];

			snprintf(mm, sizeof(mm), "(%.0f-%.0f)", r.min, r.max);
			printf("%-16s %-18s %8.0f %-15s %9s%.0f %9.1f\n", pkt_names[k], prog_names[p],
			       r.median, mm, p == PROG_FLOOR ? "" : "+", p == PROG_FLOOR ? 0 : r.median - floor,
			       s.median);
		}
	}
	printf("\ntail-call chain vs bpf2bpf pipeline (same stages), ns/packet:");
	for (int k = 0; k < N_PKTS; k++) {
		double a = range_of(d->ns[PROG_XDP][k], o->rounds).median;
		double b = range_of(d->ns[PROG_TAIL][k], o->rounds).median;

		printf("%s %s %+.0f (%.2fx)", k ? "," : "", pkt_names[k], b - a, b / a);
	}
	printf("\n");
}

static void report_json(struct dp *d, const struct bench_datapath_opts *o, const double la[2])
{
	struct json j;

	bench_json_head(&j, "datapath", la[0], la[1]);
	json_kv_u64(&j, "repeat", o->repeat);
	json_kv_u64(&j, "rounds", o->rounds);
	json_key(&j, "results");
	json_arr_open(&j);
	for (int k = 0; k < N_PKTS; k++) {
		for (int p = 0; p < N_PROGS; p++) {
			struct stats_range r = range_of(d->ns[p][k], o->rounds);

			json_obj_open(&j);
			json_kv_str(&j, "packet", pkt_keys[k]);
			json_kv_str(&j, "program", prog_keys[p]);
			json_kv_i64(&j, "verdict", (int)expect[p][k]);
			json_kv_double(&j, "ns_median", r.median);
			json_kv_double(&j, "ns_min", r.min);
			json_kv_double(&j, "ns_max", r.max);
			json_kv_double(&j, "stats_ns_median", range_of(d->stats_ns[p][k], o->rounds).median);
			json_obj_close(&j);
		}
	}
	json_arr_close(&j);
	json_obj_close(&j);
	json_end_line(&j);
}

int bench_datapath(const struct bench_datapath_opts *o)
{
	struct dp *d = calloc(1, sizeof(*d));
	double la[2] = { NAN, NAN };
	int stats_fd = -1, ret = 1;

	if (!d)
		return 1;
	tcp4_build(&d->pkt[PKT_TCP4], "192.0.2.1", 80);
	udp6_ext_build(&d->pkt[PKT_UDP6_EXT]);
	tcp4_build(&d->pkt[PKT_DENY], "10.9.9.9", 22);
	getloadavg(&la[0], 1);
	if (dp_load(d))
		goto out;
	/* kernel-side timing stays on only while this fd is open */
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0)
		pr_info("bench: BPF_ENABLE_STATS unavailable (%s): no cross-check\n", strerror(errno));
	for (int r = 0; r < o->rounds && !exiting; r++) {
		for (int k = 0; k < N_PKTS; k++) {
			/* rotate the order so drift in the machine's load favours no program */
			for (int i = 0; i < N_PROGS; i++)
				if (measure(d, (i + r) % N_PROGS, k, o->repeat, r))
					goto out;
		}
		pr_info("bench: round %d/%d done\n", r + 1, o->rounds);
	}
	getloadavg(&la[1], 1);
	if (o->json)
		report_json(d, o, la);
	else
		report_table(d, o, la);
	ret = 0;
out:
	if (stats_fd >= 0)
		close(stats_fd);
	dp_destroy(d);
	free(d);
	return ret;
}
