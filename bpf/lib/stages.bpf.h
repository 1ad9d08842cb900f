/*
 * The parse stages of the XDP and tc programs. Include after defining NB_CTX as
 * the program's context type (struct xdp_md or struct __sk_buff): the same source
 * then compiles for both, as cilium's ctx abstraction does.
 *
 * The stages are global __noinline functions on purpose: they stay real bpf2bpf
 * subprograms in the loaded program (visible in its BTF func_info), so `netbpf
 * trace` can attach fentry/fexit to each, and test_datapath_subprogs checks that
 * they do. Global functions cannot take packet pointers, so each stage takes the
 * context and re-derives its cursor, and offsets travel in struct pkt.
 */
#ifndef NETBPF_STAGES_BPF_H
#define NETBPF_STAGES_BPF_H

#ifndef NB_CTX
#error "define NB_CTX before including lib/stages.bpf.h"
#endif
#define NB_READ NB_READ_DIRECT

#include "lib/eth.bpf.h"
#include "lib/ipv4.bpf.h"
#include "lib/ipv6.bpf.h"
#include "lib/l4.bpf.h"

/* Both struct xdp_md and struct __sk_buff expose data/data_end as u32. */
static __always_inline struct nb_cur ctx_cur(NB_CTX *ctx)
{
	return (struct nb_cur){ .data = (void *)(long)ctx->data, .end = (void *)(long)ctx->data_end };
}

/* Ethernet and up to two VLAN tags. Returns 0, or -1 when truncated. */
__noinline int parse_l2(NB_CTX *ctx, struct pkt *p)
{
	struct nb_cur c = ctx_cur(ctx);

	if (!p)
		return -1;
	if (eth_parse(&c, p)) {
		p->l3 = NB_L3_MALFORMED;
		return -1;
	}
	return 0;
}

/* IPv4 (options, fragments) or IPv6 (extension headers). -1 when malformed. */
__noinline int parse_l3(NB_CTX *ctx, struct pkt *p)
{
	struct nb_cur c = ctx_cur(ctx);
	int err;

	if (!p)
		return -1;
	switch (p->eth_proto) {
	case ETH_P_IP:
		err = ip4_parse(&c, p);
		p->l3 = err ? NB_L3_MALFORMED : NB_L3_IPV4;
		return err;
	case ETH_P_IPV6:
		err = ip6_parse(&c, p);
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
	struct nb_cur c = ctx_cur(ctx);

	if (!p)
		return -1;
	if (p->l3 != NB_L3_IPV4 && p->l3 != NB_L3_IPV6)
		return 0;
	return l4_parse(&c, p);
}

/* Runs the parse stages; later stages only run on what earlier ones accepted. */
static __always_inline void parse_all(NB_CTX *ctx, struct pkt *p)
{
	if (parse_l2(ctx, p) == 0 && parse_l3(ctx, p) == 0)
		parse_l4(ctx, p);
}

#endif /* NETBPF_STAGES_BPF_H */
