/* The datapath bench's programs: what each is, the verdicts it must return, loading
 * them with their rules, and the packets they run on. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/datapath_progs.h"
#include "bpf/datapath/datapath.h"
#include "datapath/rules.h"
#include "common/log.h"
#include "common/pin.h"

#include "bench_allkinds.skel.h"
#include "bench_pass.skel.h"
#include "bench_stages.skel.h"
#include "bench_tailcall.skel.h"
#include "tc.skel.h"
#include "xdp.skel.h"

#define PAYLOAD 64
#define N_RULES 1000

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
_Static_assert(sizeof(pipes) / sizeof(pipes[0]) == N_PIPES, "one pipe per slot");

const char *const prog_names[N_PROGS] = {
	"xdp empty (floor)", "xdp, no rules", "xdp, 1 rule", "xdp, 1000 rules",
	"xdp, 1000 4 kinds", "before, no rules", "before, 1 rule", "before, 1000",
	"xdp tail calls", "5 empty calls", "parse_l2", "+ parse_l3", "+ parse_l4",
	"+ match (0 rules)", "tc empty (floor)", "tc ingress",
};
const char *const prog_keys[N_PROGS] = {
	"floor", "xdp_norules", "xdp", "xdp_1000", "xdp_1000_kinds", "allkinds_norules",
	"allkinds", "allkinds_1000", "xdp_tailcall", "calls", "stage_l2", "stage_l3", "stage_l4",
	"stage_match", "tc_floor", "tc_ingress",
};
const char *const pkt_names[N_PKTS] = { "TCP/IPv4", "UDP/IPv6+hbh", "TCP/IPv4 denied" };
const char *const pkt_keys[N_PKTS] = { "tcp4", "udp6_ext", "tcp4_deny" };

/* tc only counts (deny rules are XDP's), and hands every packet on. */
const __u32 expect[N_PROGS][N_PKTS] = {
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

int dp_load(struct dp *d)
{
	const char *what;
	int err = 0;

	tcp4_build(&d->pkt[PKT_TCP4], "192.0.2.1", 80);
	udp6_ext_build(&d->pkt[PKT_UDP6_EXT]);
	tcp4_build(&d->pkt[PKT_DENY], "10.9.9.9", 22);
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

void dp_destroy(struct dp *d)
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

