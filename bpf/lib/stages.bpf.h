/*
 * The datapath stages shared by the XDP and tc programs. Include after defining
 * NB_CTX as the program's context type (struct xdp_md or struct __sk_buff): the
 * same source then compiles for both, as cilium's ctx abstraction does.
 *
 * The parse stages are global __noinline functions on purpose: they stay real
 * bpf2bpf subprograms in the loaded program (visible in its BTF func_info), so
 * `netbpf trace` can attach fentry/fexit to each. Global functions cannot take
 * packet pointers, so each stage takes the context and re-derives data/data_end,
 * and offsets travel in struct pkt.
 */
#ifndef NETBPF_STAGES_BPF_H
#define NETBPF_STAGES_BPF_H

#ifndef NB_CTX
#error "define NB_CTX before including lib/stages.bpf.h"
#endif

#include "lib/parse.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NB_HOOK_MAX);
	__type(key, __u32);
	__type(value, struct nb_hook_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} netbpf_stats SEC(".maps");

/* Ethernet and up to two VLAN tags. Returns 0, or -1 when truncated. */
__noinline int parse_l2(NB_CTX *ctx, struct pkt *p)
{
	if (!p)
		return -1;
	if (eth_parse(ctx_data(ctx), ctx_data_end(ctx), p)) {
		p->l3 = NB_L3_MALFORMED;
		return -1;
	}
	return 0;
}

/* IPv4 (options, fragments) or IPv6 (extension headers). -1 when malformed. */
__noinline int parse_l3(NB_CTX *ctx, struct pkt *p)
{
	void *data = ctx_data(ctx), *end = ctx_data_end(ctx);
	int err;

	if (!p)
		return -1;
	switch (p->eth_proto) {
	case ETH_P_IP:
		err = ip4_parse(data, end, p);
		p->l3 = err ? NB_L3_MALFORMED : NB_L3_IPV4;
		return err;
	case ETH_P_IPV6:
		err = ip6_parse(data, end, p);
		p->l3 = err ? NB_L3_MALFORMED : NB_L3_IPV6;
		return err;
	default:
		p->l3 = NB_L3_NONIP;
		return 0;
	}
}

/* TCP/UDP ports, ICMP/ICMPv6. -1 when the transport header is truncated. */
__noinline int parse_l4(NB_CTX *ctx, struct pkt *p)
{
	if (!p)
		return -1;
	if (p->l3 != NB_L3_IPV4 && p->l3 != NB_L3_IPV6)
		return 0;
	return l4_parse(ctx_data(ctx), ctx_data_end(ctx), p);
}

static __always_inline void counter_add(struct nb_counter *c, __u32 bytes)
{
	c->packets++;
	c->bytes += bytes;
}

/*
 * Per-CPU counters, so no atomics. Static, not global, because it returns void
 * and 6.1's verifier accepts only scalar-returning global functions; __noinline
 * keeps it a subprogram that tracing can see.
 */
static __noinline void account(struct pkt *p, __u32 hook, __u32 verdict)
{
	struct nb_hook_stats *s = bpf_map_lookup_elem(&netbpf_stats, &hook);
	__u32 l3 = p->l3, l4 = p->l4;

	if (!s)
		return;
	/* Without the barriers clang bounds-checks one copy and indexes with another. */
	barrier_var(l3);
	barrier_var(l4);
	barrier_var(verdict);
	if (l3 < NB_L3_MAX)
		counter_add(&s->l3[l3], p->len);
	if ((l3 == NB_L3_IPV4 || l3 == NB_L3_IPV6) && l4 < NB_L4_MAX)
		counter_add(&s->l4[l4], p->len);
	if (verdict < NB_VERDICT_MAX)
		counter_add(&s->verdict[verdict], p->len);
}

/* Runs the parse stages; later stages only run on what earlier ones accepted. */
static __always_inline void parse_all(NB_CTX *ctx, struct pkt *p)
{
	if (parse_l2(ctx, p) == 0 && parse_l3(ctx, p) == 0)
		parse_l4(ctx, p);
}

#endif /* NETBPF_STAGES_BPF_H */
