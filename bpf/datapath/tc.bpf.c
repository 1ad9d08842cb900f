// SPDX-License-Identifier: GPL-2.0
/* tc entries, ingress and egress: parse and count per direction. */
#define NB_CTX struct __sk_buff
#include "lib/stages.bpf.h"
#include "lib/counters.bpf.h"

/* Enough linear data for Ethernet, two VLAN tags, IPv6 with options, and ports. */
#define NB_PULL_LEN 256

/*
 * Counting only: TC_ACT_UNSPEC is TCX_NEXT under TCX and "continue with the next
 * filter" under clsact, so programs attached after ours still decide the packet.
 */
static __always_inline int tc_count(struct __sk_buff *skb, __u32 hook)
{
	struct pkt p = {};
	__u32 want = skb->len < NB_PULL_LEN ? skb->len : NB_PULL_LEN;

	p.len = skb->len;
	parse_all(skb, &p);
	/*
	 * Headers may sit in paged data (veth from XDP, some drivers). Pull, and parse
	 * again, only then: a pull on every packet whose payload is paged (most TCP
	 * data) would copy the head of every cloned skb (egress with a packet socket).
	 */
	if ((p.l3 == NB_L3_MALFORMED || p.l4 == NB_L4_MALFORMED) &&
	    skb->data_end - skb->data < want && !bpf_skb_pull_data(skb, want)) {
		__builtin_memset(&p, 0, sizeof(p));
		p.len = skb->len;
		parse_all(skb, &p);
	}
	account(&p, hook, NB_PASS);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int tc_ingress(struct __sk_buff *skb)
{
	return tc_count(skb, NB_HOOK_TC_INGRESS);
}

SEC("tc")
int tc_egress(struct __sk_buff *skb)
{
	return tc_count(skb, NB_HOOK_TC_EGRESS);
}

char LICENSE[] SEC("license") = "GPL";
