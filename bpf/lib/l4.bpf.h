/* Transport headers: TCP and UDP ports, ICMP and ICMPv6. */
#ifndef NETBPF_L4_BPF_H
#define NETBPF_L4_BPF_H

#include "lib/ctx.bpf.h"

/* len bytes of the transport header, inside the datagram and the packet, or NULL. */
static __always_inline void *l4_ptr(const struct nb_cur *c, const struct pkt *p, __u32 len, void *buf)
{
	if (p->l4_off + len > p->l3_end)
		return NULL;
	return cur_ptr(c, p->l4_off, len, buf);
}

/* TCP and UDP headers both start with the source and destination ports. */
static __always_inline void l4_set_ports(struct pkt *p, const __be16 *ports)
{
	p->sport = bpf_ntohs(ports[0]);
	p->dport = bpf_ntohs(ports[1]);
	p->flags |= NB_PKT_PORTS;
}

/*
 * Sets p->l4 and, for TCP and UDP, the ports; returns -1 when the transport header
 * is not readable. The ports are read as soon as their 4 bytes are there, so a
 * port rule sees them even when the rest of the header is cut off (a tiny first
 * fragment: RFC 1858). Ports first, then the whole header: the other order has
 * 6.12's verifier refine the offset's bounds into a contradiction ("REG
 * INVARIANTS VIOLATION") on the path that re-reads the ports.
 */
static __always_inline int l4_parse(const struct nb_cur *c, struct pkt *p)
{
	struct tcphdr thb, *th;
	struct udphdr uhb;
	__be16 portsb[2], *ports;
	__u8 icmpb[4];

	if (!(p->flags & NB_PKT_PROTO))
		goto malformed;
	if (p->flags & NB_PKT_NONFIRST_FRAG) {
		p->l4 = NB_L4_FRAGMENT;
		return 0;
	}
	switch (p->ip_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		ports = l4_ptr(c, p, sizeof(portsb), portsb);
		if (!ports)
			goto malformed;
		l4_set_ports(p, ports);
		if (p->ip_proto == IPPROTO_UDP) {
			if (!l4_ptr(c, p, sizeof(uhb), &uhb))
				goto malformed;
			p->l4 = NB_L4_UDP;
			return 0;
		}
		th = l4_ptr(c, p, sizeof(thb), &thb);
		if (!th || th->doff < 5)
			goto malformed;
		p->l4 = NB_L4_TCP;
		return 0;
	case IPPROTO_ICMP:
	case NEXTHDR_ICMP:
		/* By family: protocol 58 over IPv4 and 1 over IPv6 are nothing netbpf parses. */
		if (p->eth_proto != (p->ip_proto == IPPROTO_ICMP ? ETH_P_IP : ETH_P_IPV6)) {
			p->l4 = NB_L4_OTHER;
			return 0;
		}
		/* type, code, checksum */
		if (!l4_ptr(c, p, sizeof(icmpb), icmpb))
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

#endif /* NETBPF_L4_BPF_H */
