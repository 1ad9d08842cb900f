/* IPv6 and its extension headers: hop-by-hop, routing, fragment, destination options, AH. */
#ifndef NETBPF_IPV6_BPF_H
#define NETBPF_IPV6_BPF_H

#include "lib/ctx.bpf.h"

struct nb_ip6_ext {
	__u8 nexthdr;
	__u8 hdrlen;
};

enum { IP6_EXT_MORE, IP6_EXT_DONE, IP6_EXT_BAD };

static __always_inline bool ip6_is_ext(__u8 next)
{
	return next == NEXTHDR_HOP || next == NEXTHDR_ROUTING || next == NEXTHDR_DEST ||
	       next == NEXTHDR_AUTH || next == NEXTHDR_FRAGMENT;
}

/* One step of the chain at *off: past an extension header, or done at the transport. */
static __always_inline int ip6_ext_step(const struct nb_cur *c, struct pkt *p, __u32 *off,
					__u8 *next)
{
	struct nb_ip6_ext extb, *ext;
	struct frag_hdr fhb, *fh;

	switch (*next) {
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_DEST:
	case NEXTHDR_AUTH:
		ext = cur_ptr(c, *off, sizeof(extb), &extb);
		if (!ext)
			return IP6_EXT_BAD;
		/* AH counts 4-octet units minus 2, the others 8-octet units minus 1. */
		*off += *next == NEXTHDR_AUTH ? (ext->hdrlen + 2) * 4 : (ext->hdrlen + 1) * 8;
		*next = ext->nexthdr;
		return IP6_EXT_MORE;
	case NEXTHDR_FRAGMENT:
		fh = cur_ptr(c, *off, sizeof(fhb), &fhb);
		if (!fh)
			return IP6_EXT_BAD;
		*next = fh->nexthdr;
		*off += sizeof(*fh);
		p->flags |= NB_PKT_FRAG;
		if (bpf_ntohs(fh->frag_off) & IP6_OFFSET) {
			p->flags |= NB_PKT_NONFIRST_FRAG;
			return IP6_EXT_DONE;
		}
		return IP6_EXT_MORE;
	default:
		return IP6_EXT_DONE;
	}
}

/*
 * Sets the addresses and l3_end; -1 when the fixed header or the payload length
 * is malformed. The extension chain (NB_MAX_EXT_HDRS headers, exactly that many
 * may precede the transport header) ends in ip_proto and l4_off with
 * NB_PKT_PROTO, or, truncated or longer, leaves the transport unknown: the packet
 * is still IPv6 and its transport l4-malformed.
 */
static __always_inline int ip6_parse(const struct nb_cur *c, struct pkt *p)
{
	struct ipv6hdr ip6b, *ip6 = cur_ptr(c, p->l3_off, sizeof(ip6b), &ip6b);
	int state = IP6_EXT_MORE;
	__u32 off, plen;
	__u8 next;

	if (!ip6 || ip6->version != 6)
		return -1;
	__builtin_memcpy(p->saddr, &ip6->saddr, 16);
	__builtin_memcpy(p->daddr, &ip6->daddr, 16);
	p->flags |= NB_PKT_SADDR;
	/*
	 * Payload length 0 is a jumbogram (RFC 2675) or a BIG TCP frame: as the kernel
	 * (ipv6_payload_len, the jumbo option) the payload is the rest of the frame. A
	 * payload longer than the frame is truncated: the kernel drops it.
	 */
	plen = bpf_ntohs(ip6->payload_len);
	if (pkt_l3_len(p) < sizeof(*ip6))
		return -1;
	if (!plen)
		plen = pkt_l3_len(p) - sizeof(*ip6);
	if (plen > pkt_l3_len(p) - sizeof(*ip6))
		return -1;
	next = ip6->nexthdr;
	off = p->l3_off + sizeof(*ip6);
	p->l3_end = off + plen;
	/*
	 * Unrolled, and with no early exit so that clang can: 6.1's verifier rejects
	 * a loop whose back-edge follows a helper call. One step more than headers:
	 * the last one finds the transport.
	 */
#pragma unroll
	for (int i = 0; i < NB_MAX_EXT_HDRS + 1; i++)
		if (state == IP6_EXT_MORE)
			state = ip6_ext_step(c, p, &off, &next);
	/* Each extension header must be whole, inside the datagram and the packet. */
	if (state != IP6_EXT_DONE || off > p->l3_end || !cur_has(c, off, 0))
		return 0;
	/* A later fragment's next header may be an extension header, not the transport. */
	if (ip6_is_ext(next))
		return 0;
	p->ip_proto = next;
	p->l4_off = off;
	p->flags |= NB_PKT_PROTO;
	return 0;
}

#endif /* NETBPF_IPV6_BPF_H */
