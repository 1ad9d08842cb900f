/* Ethernet and up to NB_MAX_VLANS VLAN tags (802.1Q, 802.1ad). */
#ifndef NETBPF_ETH_BPF_H
#define NETBPF_ETH_BPF_H

#include "lib/ctx.bpf.h"

struct nb_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* Sets eth_proto (the innermost EtherType), vlans and l3_off; -1 when truncated. */
static __always_inline int eth_parse(const struct nb_cur *c, struct pkt *p)
{
	struct ethhdr ethb, *eth = cur_ptr(c, 0, sizeof(ethb), &ethb);
	struct nb_vlan_hdr vhb, *vh;
	__u32 off = sizeof(*eth);
	__be16 proto;

	if (!eth)
		return -1;
	proto = eth->h_proto;
	/* Unrolled: 6.1's verifier rejects a loop whose back-edge follows a helper call. */
#pragma unroll
	for (int i = 0; i < NB_MAX_VLANS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = cur_ptr(c, off, sizeof(vhb), &vhb);
		if (!vh)
			return -1;
		proto = vh->proto;
		off += sizeof(*vh);
		p->vlans++;
	}
	p->eth_proto = bpf_ntohs(proto);
	p->l3_off = off;
	return 0;
}

#endif /* NETBPF_ETH_BPF_H */
