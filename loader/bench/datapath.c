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

#include "bench_allkinds.skel.h"
#include "bench_pass.skel.h"
#include "bench_stages.skel.h"
#include "bench_tailcall.skel.h"
#include "tc.skel.h"
#include "xdp.skel.h"

#define MAX_ROUNDS 100
#define PAYLOAD    64
#define TC_UNSPEC  ((__u32)-1)

enum {
	PROG_FLOOR, PROG_XDP0, PROG_XDP, PROG_XDP1K, PROG_XDP1K4, PROG_OLD0, PROG_OLD, PROG_OLD1K,
	PROG_TAIL, PROG_S_CALLS, PROG_S_L2, PROG_S_L3, PROG_S_L4, PROG_S_MATCH, PROG_TC_FLOOR,
	PROG_TC, N_PROGS
};
enum rule_set { RULES_NONE, RULES_ONE, RULES_1K, RULES_1K_KINDS };

/*
 * The XDP pipelines, each loaded with maps of its own and the rules of its set;
 * "before" is bench_allkinds, which looks up every kind of rule.
 */
static const struct {
	int prog;
	bool before;
	enum rule_set rules;
} pipes[] = {
	{ PROG_XDP0, false, RULES_NONE },   { PROG_XDP, false, RULES_ONE },
	{ PROG_XDP1K, false, RULES_1K },    { PROG_XDP1K4, false, RULES_1K_KINDS },
	{ PROG_OLD0, true, RULES_NONE },    { PROG_OLD, true, RULES_ONE },
	{ PROG_OLD1K, true, RULES_1K },
};
#define N_PIPES (sizeof(pipes) / sizeof(pipes[0]))
enum { PKT_TCP4, PKT_UDP6_EXT, PKT_DENY, N_PKTS };

#define N_RULES 1000

static const char *const prog_names[N_PROGS] = {
	"xdp empty (floor)", "xdp, no rules", "xdp, 1 rule", "xdp, 1000 rules",
	"xdp, 1000 4 kinds", "before, no rules", "before, 1 rule", "before, 1000",
	"xdp tail calls", "5 empty calls", "parse_l2", "+ parse_l3", "+ parse_l4",
	"+ match (0 rules)", "tc empty (floor)", "tc ingress",
};
static const char *const prog_keys[N_PROGS] = {
	"floor", "xdp_norules", "xdp", "xdp_1000", "xdp_1000_kinds", "allkinds_norules",
	"allkinds", "allkinds_1000", "xdp_tailcall", "calls", "stage_l2", "stage_l3", "stage_l4",
	"stage_match", "tc_floor", "tc_ingress",
};
/* The floor each program is measured against: the empty program of its hook. */
static int floor_of(int prog)
{
	return prog >= PROG_TC_FLOOR ? PROG_TC_FLOOR : PROG_FLOOR;
}
static const char *const pkt_names[N_PKTS] = { "TCP/IPv4", "UDP/IPv6+hbh", "TCP/IPv4 denied" };
static const char *const pkt_keys[N_PKTS] = { "tcp4", "udp6_ext", "tcp4_deny" };

/* Verdicts each program must return, so a fast but wrong program cannot win. tc only
 * counts (deny rules are XDP's), and hands every packet on. */
static const __u32 expect[N_PROGS][N_PKTS] = {
	[PROG_FLOOR]    = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_XDP0]     = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_XDP]      = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_XDP1K]    = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_XDP1K4]   = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_OLD0]     = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_OLD]      = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_OLD1K]    = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_TAIL]     = { XDP_PASS, XDP_PASS, XDP_DROP },
	[PROG_S_CALLS]  = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_S_L2]     = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_S_L3]     = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_S_L4]     = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_S_MATCH]  = { XDP_PASS, XDP_PASS, XDP_PASS },
	[PROG_TC_FLOOR] = { TC_UNSPEC, TC_UNSPEC, TC_UNSPEC },
	[PROG_TC]       = { TC_UNSPEC, TC_UNSPEC, TC_UNSPEC },
};

struct dp {
	struct bench_pass *pass;
	struct bench_tailcall *tail;
	struct bench_stages *stages;
	void *pipe[N_PIPES]; /* struct xdp or struct bench_allkinds */
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

static struct bpf_object *pipe_obj(struct dp *d, size_t i)
{
	if (!d->pipe[i])
		return NULL;
	return pipes[i].before ? ((struct bench_allkinds *)d->pipe[i])->obj
			       : ((struct xdp *)d->pipe[i])->obj;
}

static int rule_add_to(struct bpf_object *obj, const char *cidr, __u8 proto, __u16 port)
{
	struct rule_maps m = {
		.deny = bpf_map__fd(bpf_object__find_map_by_name(obj, "netbpf_deny")),
		.kinds = bpf_map__fd(bpf_object__find_map_by_name(obj, "netbpf_deny_kinds")),
	};
	struct nb_deny_key k = { .proto = proto, .port = htons(port) };
	int err = rule_set_prefix(&k, cidr);

	return err ? err : rule_add(&m, &k);
}

/*
 * N_RULES - 1 rules that match none of the bench's packets, half IPv4 and half
 * IPv6 prefixes of several lengths: all of the deny rule's kind (tcp and port), or
 * spread over the four kinds, which makes every packet look up all four.
 */
static int other_rules_add(struct bpf_object *obj, bool all_kinds)
{
	char cidr[64];
	int err = 0;

	for (int i = 1; i < N_RULES && !err; i++) {
		int kind = all_kinds ? i % NB_DENY_KINDS : NB_DENY_PROTO_PORT;
		__u8 proto = kind == NB_DENY_PROTO_PORT || kind == NB_DENY_PROTO ? IPPROTO_TCP : 0;
		__u16 port = kind == NB_DENY_PROTO_PORT || kind == NB_DENY_PORT ? 1000 + i : 0;

		if (i % 2)
			snprintf(cidr, sizeof(cidr), "172.%d.%d.0/%d", 16 + i % 16, i / 16, 24 + i % 9);
		else
			snprintf(cidr, sizeof(cidr), "2001:db8:%x:%x::/%d", 0x100 + i % 64, i, 64 + i % 65);
		err = rule_add_to(obj, cidr, proto, port);
	}
	return err;
}

/* Deny 10.9.9.0/24 to TCP port 22. */
static int deny_rule_add(struct bpf_object *obj)
{
	return rule_add_to(obj, "10.9.9.0/24", IPPROTO_TCP, 22);
}

static int pipe_load(struct dp *d, size_t i)
{
	struct bpf_object *obj;
	int err;

	d->pipe[i] = pipes[i].before ? (void *)bench_allkinds__open() : (void *)xdp__open();
	obj = pipe_obj(d, i);
	if (!obj)
		return -errno;
	if ((err = pin_clear_paths(obj)) || (err = bpf_object__load(obj)))
		return err;
	if (pipes[i].rules != RULES_NONE && (err = deny_rule_add(obj)))
		return err;
	if (pipes[i].rules >= RULES_1K && (err = other_rules_add(obj, pipes[i].rules == RULES_1K_KINDS)))
		return err;
	d->fd[pipes[i].prog] = bpf_program__fd(bpf_object__find_program_by_name(obj, "xdp_main"));
	return 0;
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
	what = "bench_stages";
	d->stages = bench_stages__open();
	if (!d->stages)
		goto fail;
	if ((err = pin_clear_paths(d->stages->obj)) || (err = bench_stages__load(d->stages)))
		goto fail;
	what = "xdp pipelines with their rules";
	for (size_t i = 0; i < N_PIPES; i++)
		if ((err = pipe_load(d, i)))
			goto fail;
	what = "tc";
	d->tc = tc__open();
	if (!d->tc)
		goto fail;
	if ((err = pin_clear_paths(d->tc->obj)) || (err = tc__load(d->tc)))
		goto fail;
	what = "deny rule";
	if ((err = deny_rule_add(d->tail->obj)))
		goto fail;
	d->fd[PROG_FLOOR] = bpf_program__fd(d->pass->progs.bench_pass);
	d->fd[PROG_S_CALLS] = bpf_program__fd(d->stages->progs.stage_calls);
	d->fd[PROG_S_L2] = bpf_program__fd(d->stages->progs.stage_l2);
	d->fd[PROG_S_L3] = bpf_program__fd(d->stages->progs.stage_l3);
	d->fd[PROG_S_L4] = bpf_program__fd(d->stages->progs.stage_l4);
	d->fd[PROG_S_MATCH] = bpf_program__fd(d->stages->progs.stage_match);
	d->fd[PROG_TAIL] = bpf_program__fd(d->tail->progs.tail_l2);
	d->fd[PROG_TC_FLOOR] = bpf_program__fd(d->pass->progs.bench_pass_tc);
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
	bench_stages__destroy(d->stages);
	for (size_t i = 0; i < N_PIPES; i++) {
		if (pipes[i].before)
			bench_allkinds__destroy(d->pipe[i]);
		else
			xdp__destroy(d->pipe[i]);
	}
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

static double median_of(struct dp *d, const struct bench_datapath_opts *o, int prog, int pkt)
{
	return range_of(d->ns[prog][pkt], o->rounds).median;
}

/* ns/packet over that of the empty program of the same hook and packet, round by round. */
static struct stats_range ratio_range(struct dp *d, const struct bench_datapath_opts *o, int prog,
				      int pkt)
{
	double r[MAX_ROUNDS];

	for (int i = 0; i < o->rounds; i++)
		r[i] = d->ns[prog][pkt][i] / d->ns[floor_of(prog)][pkt][i];
	return range_of(r, o->rounds);
}

static double ratio_of(struct dp *d, const struct bench_datapath_opts *o, int prog, int pkt)
{
	return ratio_range(d, o, prog, pkt).median;
}

/* The targets of issue 18, each with the figures it is judged on. */
static void report_targets(struct dp *d, const struct bench_datapath_opts *o)
{
	static const int xdps[] = { PROG_XDP0, PROG_XDP, PROG_XDP1K, PROG_XDP1K4, PROG_OLD0, PROG_OLD,
				    PROG_OLD1K };
	double worst;

	printf("\ntargets (median of the per-round ratios, min-max):\n");
	for (size_t i = 0; i < sizeof(xdps) / sizeof(xdps[0]); i++) {
		worst = 0;
		printf("  %-18s <= 1.50x xdp floor:", prog_names[xdps[i]]);
		for (int k = 0; k < N_PKTS; k++) {
			struct stats_range r = ratio_range(d, o, xdps[i], k);

			worst = r.median > worst ? r.median : worst;
			printf(" %s %.2fx (%.2f-%.2f)", pkt_keys[k], r.median, r.min, r.max);
		}
		printf("  %s\n", worst <= 1.5 ? "met" : "MISSED");
	}
	for (size_t i = 0; i < sizeof(xdps) / sizeof(xdps[0]); i++) {
		if (expect[xdps[i]][PKT_DENY] != XDP_DROP)
			continue;
		double den = median_of(d, o, xdps[i], PKT_DENY), pass = median_of(d, o, xdps[i], PKT_TCP4);

		printf("  %-18s denied <= passed: %.0f vs %.0f ns  %s\n", prog_names[xdps[i]], den, pass,
		       den <= pass ? "met" : "MISSED");
	}
	worst = 0;
	printf("  %-18s <= 1.30x tc floor:", prog_names[PROG_TC]);
	for (int k = 0; k < N_PKTS; k++) {
		struct stats_range r = ratio_range(d, o, PROG_TC, k);

		worst = r.median > worst ? r.median : worst;
		printf(" %s %.2fx (%.2f-%.2f)", pkt_keys[k], r.median, r.min, r.max);
	}
	printf("  %s\n", worst <= 1.3 ? "met" : "MISSED");
}

static void report_table(struct dp *d, const struct bench_datapath_opts *o, const double la[2])
{
	printf("netbpf bench datapath: %s\n", bench_machine());
	printf("load average %.2f at start, %.2f at end; BPF_PROG_TEST_RUN repeat %d, %d rounds; "
	       "ns/packet median (min-max); x floor = over the empty program of the same hook, "
	       "median of the rounds' ratios; "
	       "stats = BPF_ENABLE_STATS run_time_ns/run_cnt\n\n",
	       la[0], la[1], o->repeat, o->rounds);
	printf("%-16s %-18s %8s %-15s %8s %9s\n", "packet", "program", "ns/pkt", "(min-max)",
	       "x floor", "stats ns");
	for (int k = 0; k < N_PKTS; k++) {
		for (int p = 0; p < N_PROGS; p++) {
			struct stats_range r = range_of(d->ns[p][k], o->rounds);
			struct stats_range s = range_of(d->stats_ns[p][k], o->rounds);
			char mm[32];

			snprintf(mm, sizeof(mm), "(%.0f-%.0f)", r.min, r.max);
			printf("%-16s %-18s %8.0f %-15s %7.2fx %9.1f\n", pkt_names[k], prog_names[p],
			       r.median, mm, ratio_of(d, o, p, k), s.median);
		}
	}
	printf("\ntail-call chain vs bpf2bpf pipeline (same stages, 1 rule), ns/packet:");
	for (int k = 0; k < N_PKTS; k++) {
		double a = median_of(d, o, PROG_XDP, k), b = median_of(d, o, PROG_TAIL, k);

		printf("%s %s %+.0f (%.2fx)", k ? "," : "", pkt_names[k], b - a, b / a);
	}
	printf("\n");
	/* Each stage's cost is what cutting the pipeline after it adds to the cut before. */
	printf("stage costs, ns/packet (pipeline with no rules cut after each stage):\n");
	for (int k = 0; k < N_PKTS; k++) {
		double fl = median_of(d, o, PROG_FLOOR, k);
		double cut[] = { fl, median_of(d, o, PROG_S_L2, k), median_of(d, o, PROG_S_L3, k),
				 median_of(d, o, PROG_S_L4, k), median_of(d, o, PROG_S_MATCH, k),
				 median_of(d, o, PROG_XDP0, k) };

		printf("  %-16s 5 empty calls %+.0f; parse_l2 %+.0f, parse_l3 %+.0f, parse_l4 %+.0f, "
		       "match_rules %+.0f, account %+.0f\n", pkt_names[k],
		       median_of(d, o, PROG_S_CALLS, k) - fl, cut[1] - cut[0], cut[2] - cut[1],
		       cut[3] - cut[2], cut[4] - cut[3], cut[5] - cut[4]);
	}
	report_targets(d, o);
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
			json_kv_str(&j, "floor", prog_keys[floor_of(p)]);
			json_kv_double(&j, "floor_ratio", ratio_of(d, o, p, k));
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
