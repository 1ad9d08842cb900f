// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP pipeline of xdp.bpf.c with each stage in a program of its own, chained by
 * bpf_tail_call through a PROG_ARRAY, the way pipelines were built before bpf2bpf calls:
 * `netbpf bench datapath` measures what the chain costs over the bpf2bpf pipeline. The
 * stages are the datapath's own (lib/stages.bpf.h, lib/rules.bpf.h); the parse state
 * cannot live on the stack across a tail call, so it sits in a per-CPU array.
 */
#define NB_CTX struct xdp_md
#include "lib/stages.bpf.h"
#include "lib/rules.bpf.h"
#include "lib/counters.bpf.h"

enum { TAIL_L3, TAIL_L4, TAIL_DECIDE, TAIL_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pkt);
} bench_state SEC(".maps");

static __always_inline struct pkt *state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&bench_state, &zero);
}

int tail_l3(struct xdp_md *ctx);
int tail_l4(struct xdp_md *ctx);
int tail_decide(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, TAIL_MAX);
	__type(key, __u32);
	__array(values, int(struct xdp_md *));
} bench_chain SEC(".maps") = {
	.values = {
		[TAIL_L3] = (void *)&tail_l3,
		[TAIL_L4] = (void *)&tail_l4,
		[TAIL_DECIDE] = (void *)&tail_decide,
	},
};

/* A failed tail call falls through: pass, as the pipeline does on a parse error. */
SEC("xdp")
int tail_l2(struct xdp_md *ctx)
{
	struct pkt *p = state();

	if (!p)
		return XDP_PASS;
	__builtin_memset(p, 0, sizeof(*p));
	p->len = ctx->data_end - ctx->data;
	bpf_tail_call(ctx, &bench_chain, parse_l2(ctx, p) == 0 ? TAIL_L3 : TAIL_DECIDE);
	return XDP_PASS;
}

SEC("xdp")
int tail_l3(struct xdp_md *ctx)
{
	struct pkt *p = state();

	if (!p)
		return XDP_PASS;
	bpf_tail_call(ctx, &bench_chain, parse_l3(ctx, p) == 0 ? TAIL_L4 : TAIL_DECIDE);
	return XDP_PASS;
}

SEC("xdp")
int tail_l4(struct xdp_md *ctx)
{
	struct pkt *p = state();

	if (!p)
		return XDP_PASS;
	parse_l4(ctx, p);
	bpf_tail_call(ctx, &bench_chain, TAIL_DECIDE);
	return XDP_PASS;
}

SEC("xdp")
int tail_decide(struct xdp_md *ctx)
{
	struct pkt *p = state();
	__u32 verdict;

	if (!p)
		return XDP_PASS;
	verdict = match_rules(p);
	account(p, NB_HOOK_XDP, verdict);
	return verdict == NB_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
