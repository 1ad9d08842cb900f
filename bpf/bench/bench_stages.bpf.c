// SPDX-License-Identifier: GPL-2.0
/*
 * The XDP pipeline cut after each stage, and five calls that do nothing: `netbpf bench
 * datapath` measures them in the same run as the pipeline, so the cost of each stage
 * (parse_l2, parse_l3, parse_l4, match_rules with no rules; account is what the whole
 * pipeline adds to stage_match) and of the bpf2bpf
 * calls themselves can be told apart. The stages are the datapath's own.
 */
#define NB_CTX struct xdp_md
#include "lib/stages.bpf.h"
#include "lib/rules.bpf.h"

/* A real bpf2bpf call that does nothing; the barrier keeps clang from knowing its result. */
__noinline int bench_nop(struct pkt *p)
{
	int ret = 0;

	if (!p)
		return -1;
	barrier_var(ret);
	return ret;
}

static __always_inline void pkt_init(struct xdp_md *ctx, struct pkt *p)
{
	__builtin_memset(p, 0, sizeof(*p));
	p->len = ctx->data_end - ctx->data;
}

SEC("xdp")
int stage_calls(struct xdp_md *ctx)
{
	struct pkt p;
	int ret = 0;

	pkt_init(ctx, &p);
	for (int i = 0; i < 5; i++)
		ret |= bench_nop(&p);
	return ret ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int stage_l2(struct xdp_md *ctx)
{
	struct pkt p;

	pkt_init(ctx, &p);
	return parse_l2(ctx, &p) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int stage_l3(struct xdp_md *ctx)
{
	struct pkt p;

	pkt_init(ctx, &p);
	return parse_l2(ctx, &p) || parse_l3(ctx, &p) ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int stage_l4(struct xdp_md *ctx)
{
	struct pkt p;

	pkt_init(ctx, &p);
	parse_all(ctx, &p);
	return p.l3 == NB_L3_MALFORMED ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int stage_match(struct xdp_md *ctx)
{
	struct pkt p;

	pkt_init(ctx, &p);
	parse_all(ctx, &p);
	return match_rules(&p) == NB_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
