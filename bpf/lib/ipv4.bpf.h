/* IPv4 with options and fragments. */
#ifndef NETBPF_IPV4_BPF_H
#define NETBPF_IPV4_BPF_H

#include "lib/ctx.bpf.h"

/*
 * IPv4 addresses in struct pkt are v4-mapped (::ffff:a.b.c.d), as user space shows
 * them. The first 8 bytes are zero already (struct pkt is zeroed), and the rest is
 * 4-byte aligned there: two stores instead of a dozen byte stores.
 */
static __always_inline void ip4_map_addr(__u8 *dst, __be32 addr)
{
	*(__be32 *)(dst + 8) = bpf_htonl(0xffff);
	*(__be32 *)(dst + 12) = addr;
}

/*
 * Sets the addresses (as soon as the fixed header is read, so that the address
 * rules apply even to a malformed datagram), ip_proto, l4_off and l3_end; -1
 * when the header or the datagram is malformed.
 */
static __always_inline int ip4_parse(const struct nb_cur *c, struct pkt *p)
{
	struct iphdr ipb, *ip = cur_ptr(c, p->l3_off, sizeof(ipb), &ipb);
	__u32 hlen, tot;

	if (!ip || ip->version != 4)
		return -1;
	ip4_map_addr(p->saddr, ip->saddr);
	ip4_map_addr(p->daddr, ip->daddr);
	p->flags |= NB_PKT_SADDR;
	hlen = ip->ihl * 4;
	/*
	 * Total length 0 is a TSO or BIG TCP frame (tc egress on a host with BIG TCP):
	 * the kernel (iph_totlen) and tshark take the frame's length. A datagram
	 * longer than the frame is truncated: the kernel drops it.
	 */
	tot = bpf_ntohs(ip->tot_len);
	if (!tot)
		tot = pkt_l3_len(p);
	if (hlen < sizeof(*ip) || tot < hlen || tot > pkt_l3_len(p))
		return -1;
	/* Options are skipped, but must be inside the packet. */
	if (!cur_has(c, p->l3_off, hlen))
		return -1;
	p->ip_proto = ip->protocol;
	p->flags |= NB_PKT_PROTO;
	/* Only the first fragment carries the transport header. */
	if (bpf_ntohs(ip->frag_off) & IP_OFFSET)
		p->flags |= NB_PKT_NONFIRST_FRAG;
	if (bpf_ntohs(ip->frag_off) & (IP_MF | IP_OFFSET))
		p->flags |= NB_PKT_FRAG;
	p->l4_off = p->l3_off + hlen;
	p->l3_end = p->l3_off + tot;
	return 0;
}

#endif /* NETBPF_IPV4_BPF_H */
