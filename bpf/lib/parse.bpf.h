/* Header parsers: static inline, working on (data, data_end, struct pkt). */
#ifndef NETBPF_PARSE_BPF_H
#define NETBPF_PARSE_BPF_H

#include "lib/pkt.bpf.h"

#define NB_MAX_VLANS    2 /* 802.1ad outer + 802.1Q inner */
#define NB_MAX_EXT_HDRS 8

struct nb_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct nb_ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
};

static __always_inline int eth_parse(void *data, void *end, struct pkt *p)
{
	struct ethhdr *eth = pkt_ptr(data, end, 0, sizeof(*eth));
	struct nb_vlan_hdr *vh;
	__u32 off = sizeof(*eth);
	__be16 proto;
	int i;

	if (!eth)
		return -1;
	proto = eth->h_proto;
	for (i = 0; i < NB_MAX_VLANS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		vh = pkt_ptr(data, end, off, sizeof(*vh));
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

static __always_inline void ip4_map_addr(__u8 *dst, __be32 addr)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &addr, 4);
}

static __always_inline int ip4_parse(void *data, void *end, struct pkt *p)
{
	struct iphdr *ip = pkt_ptr(data, end, p->l3_off, sizeof(*ip));
	__u32 hlen;

	if (!ip || ip->version != 4 || ip->ihl < 5)
		return -1;
	hlen = ip->ihl * 4;
	/* Options are skipped, but must be inside the packet and the datagram. */
	if (bpf_ntohs(ip->tot_len) < hlen || !pkt_ptr(data, end, p->l3_off, hlen))
		return -1;
	ip4_map_addr(p->saddr, ip->saddr);
	ip4_map_addr(p->daddr, ip->daddr);
	p->ip_proto = ip->protocol;
	/* Only the first fragment carries the transport header. */
	if (bpf_ntohs(ip->frag_off) & IP_OFFSET)
		p->flags |= NB_PKT_NONFIRST_FRAG;
	p->l4_off = p->l3_off + hlen;
	return 0;
}

/* Walks at most NB_MAX_EXT_HDRS extension headers; longer chains are malformed. */
static __always_inline int ip6_parse(void *data, void *end, struct pkt *p)
{
	struct ipv6hdr *ip6 = pkt_ptr(data, end, p->l3_off, sizeof(*ip6));
	struct nb_ip6_ext *ext;
	struct frag_hdr *fh;
	__u32 off;
	__u8 next;
	int i;

	if (!ip6 || ip6->version != 6)
		return -1;
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	next = ip6->nexthdr;
	off = p->l3_off + sizeof(*ip6);

	for (i = 0; i < NB_MAX_EXT_HDRS; i++) {
		switch (next) {
		case NEXTHDR_HOP:
		case NEXTHDR_ROUTING:
		case NEXTHDR_DEST:
			ext = pkt_ptr(data, end, off, sizeof(*ext));
			if (!ext)
				return -1;
			next = ext->nexthdr;
			off += (ext->hdrlen + 1) * 8;
			break;
		case NEXTHDR_AUTH: /* length in 4-octet units, minus 2 */
			ext = pkt_ptr(data, end, off, sizeof(*ext));
			if (!ext)
				return -1;
			next = ext->nexthdr;
			off += (ext->hdrlen + 2) * 4;
			break;
		case NEXTHDR_FRAGMENT:
			fh = pkt_ptr(data, end, off, sizeof(*fh));
			if (!fh)
				return -1;
			next = fh->nexthdr;
			off += sizeof(*fh);
			if (bpf_ntohs(fh->frag_off) & IP6_OFFSET) {
				p->flags |= NB_PKT_NONFIRST_FRAG;
				goto done;
			}
			break;
		default:
			goto done;
		}
	}
	return -1;
done:
	/* Each extension header must be whole, not just its first two bytes. */
	if (!pkt_ptr(data, end, off, 0))
		return -1;
	p->ip_proto = next;
	p->l4_off = off;
	return 0;
}

/* Sets p->l4 and the ports; returns -1 for a truncated transport header. */
static __always_inline int l4_parse(void *data, void *end, struct pkt *p)
{
	struct tcphdr *th;
	struct udphdr *uh;

	if (p->flags & NB_PKT_NONFIRST_FRAG) {
		p->l4 = NB_L4_FRAGMENT;
		return 0;
	}
	switch (p->ip_proto) {
	case IPPROTO_TCP:
		th = pkt_ptr(data, end, p->l4_off, sizeof(*th));
		if (!th || th->doff < 5)
			goto malformed;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->l4 = NB_L4_TCP;
		return 0;
	case IPPROTO_UDP:
		uh = pkt_ptr(data, end, p->l4_off, sizeof(*uh));
		if (!uh)
			goto malformed;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		p->l4 = NB_L4_UDP;
		return 0;
	case IPPROTO_ICMP:
	case NEXTHDR_ICMP:
		/* type, code, checksum */
		if (!pkt_ptr(data, end, p->l4_off, 4))
			goto malformed;
		p->l4 = p->ip_proto == IPPROTO_ICMP ? NB_L4_ICMP : NB_L4_ICMPV6;
		return 0;
	default:
		p->l4 = NB_L4_OTHER;
		return 0;
	}
malformed:
	p->l4 = NB_L4_MALFORMED;
	return -1;
}

#endif /* NETBPF_PARSE_BPF_H */
