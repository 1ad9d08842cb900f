// SPDX-License-Identifier: GPL-2.0
/* XDP entry: parse, apply deny rules, count. */
#define NB_CTX struct xdp_md
#include "lib/stages.bpf.h"
#include "lib/rules.bpf.h"
#include "lib/counters.bpf.h"

SEC("xdp")
int xdp_main(struct xdp_md *ctx)
{
	struct pkt p = {};
	__u32 verdict;

	p.len = ctx->data_end - ctx->data;
	parse_all(ctx, &p);
	verdict = match_rules(&p);
	account(&p, NB_HOOK_XDP, verdict);
	return verdict == NB_DROP ? XDP_DROP : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
