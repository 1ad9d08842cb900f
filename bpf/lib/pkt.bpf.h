/* Per-packet parse state and bounded packet access, for XDP and tc alike. */
#ifndef NETBPF_PKT_BPF_H
#define NETBPF_PKT_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "datapath/datapath.h"

/* uapi macros that vmlinux.h cannot carry */
#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86DD
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88A8
/* IPv6 next-header values (include/net/ipv6.h) */
#define NEXTHDR_HOP      0
#define NEXTHDR_ROUTING  43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH     51
#define NEXTHDR_ICMP     58
#define NEXTHDR_DEST     60
#define IP_OFFSET     0x1fff
#define IP6_OFFSET    0xfff8
#define TC_ACT_UNSPEC (-1)

/*
 * Deepest header offset the parsers follow. Bounds every variable offset so the
 * verifier can prove packet accesses; 2 VLAN tags + IPv6 + 8 extension headers of
 * ordinary size fit well within it.
 */
#define NB_MAX_HDR_OFF 512

/* Both struct xdp_md and struct __sk_buff expose data/data_end as u32. */
#define ctx_data(ctx)     ((void *)(long)(ctx)->data)
#define ctx_data_end(ctx) ((void *)(long)(ctx)->data_end)

#define NB_PKT_NONFIRST_FRAG 0x1

/* Parse results handed from stage to stage; scalars only (global function arg). */
struct pkt {
	__u32 len;       /* bytes on the wire (linear + fragments) */
	__u16 l3_off;    /* offset of the IP header */
	__u16 l4_off;    /* offset of the transport header */
	__u16 eth_proto; /* innermost EtherType, host order */
	__u8 l3;         /* enum nb_l3 */
	__u8 l4;         /* enum nb_l4 */
	__u8 ip_proto;   /* transport protocol after IPv6 extension headers */
	__u8 vlans;      /* VLAN tags seen (802.1Q, 802.1ad) */
	__u8 flags;      /* NB_PKT_* */
	__u8 pad;
	__u16 sport;     /* host order; 0 without ports */
	__u16 dport;
	__u8 saddr[16];  /* IPv6, or IPv4 mapped as ::ffff:a.b.c.d */
	__u8 daddr[16];
};

/* A pointer to len bytes at off, or NULL when the packet is shorter. */
static __always_inline void *pkt_ptr(void *data, void *end, __u32 off, __u32 len)
{
	void *ptr;

	if (off > NB_MAX_HDR_OFF)
		return NULL;
	ptr = data + off;
	if (ptr + len > end)
		return NULL;
	return ptr;
}

#endif /* NETBPF_PKT_BPF_H */
