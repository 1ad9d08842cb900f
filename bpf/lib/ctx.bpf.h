/*
 * What the parsers read from and write to. They read through a cursor, struct
 * nb_cur, whose kind each object chooses once by defining NB_READ before
 * including any lib/ header:
 *   NB_READ_DIRECT  XDP and tc: direct packet access between data and data_end
 *   NB_READ_SKB     socket filters: no direct access, bpf_skb_load_bytes
 *   NB_READ_KERNEL  tracing programs: the packet is kernel memory, bpf_probe_read_kernel
 * and they write their results into struct pkt.
 */
#ifndef NETBPF_CTX_BPF_H
#define NETBPF_CTX_BPF_H

#include "lib/consts.bpf.h"
#include "datapath/datapath.h" /* enum nb_l3, nb_l4: the classes a parse ends in */

#define NB_READ_DIRECT 1
#define NB_READ_SKB    2
#define NB_READ_KERNEL 3

#ifndef NB_READ
#error "define NB_READ (NB_READ_DIRECT, NB_READ_SKB or NB_READ_KERNEL) before including lib/"
#endif /* NB_READ */

struct nb_cur {
#if NB_READ == NB_READ_DIRECT
	void *data;
	void *end;
#elif NB_READ == NB_READ_SKB
	struct __sk_buff *skb;
#elif NB_READ == NB_READ_KERNEL
	void *data;
	__u32 n; /* readable bytes at data: the linear part */
#else
#error "unknown NB_READ"
#endif /* NB_READ */
};

/*
 * A pointer to len bytes at off, or NULL when the packet is shorter. With direct
 * access it points into the packet and buf is not touched; otherwise the bytes are
 * copied into buf (len bytes), so callers always pass a buffer of the header's type.
 */
static __always_inline void *cur_ptr(const struct nb_cur *c, __u32 off, __u32 len, void *buf)
{
#if NB_READ == NB_READ_DIRECT
	void *ptr;

	if (off > NB_MAX_HDR_OFF)
		return NULL;
	ptr = c->data + off;
	if (ptr + len > c->end)
		return NULL;
	return ptr;
#else
	void *ret = buf;

#if NB_READ == NB_READ_SKB
	if (bpf_skb_load_bytes(c->skb, off, buf, len))
		ret = NULL;
#else
	/* A computed kernel address needs no bounds proof, unlike an offset into a copy. */
	if (off + len > c->n || bpf_probe_read_kernel(buf, len, c->data + off))
		ret = NULL;
#endif /* NB_READ */
	/*
	 * Opaque, so that callers test the pointer itself: clang would test the
	 * helper's return instead and keep a select of buf or NULL, which 6.1's
	 * verifier cannot tie back to that test ("invalid mem access 'scalar'").
	 */
	barrier_var(ret);
	return ret;
#endif /* NB_READ */
}

/* Are the len bytes at off inside the packet? */
static __always_inline bool cur_has(const struct nb_cur *c, __u32 off, __u32 len)
{
#if NB_READ == NB_READ_DIRECT
	return off <= NB_MAX_HDR_OFF && c->data + off + len <= c->end;
#elif NB_READ == NB_READ_SKB
	return off + len <= c->skb->len;
#else
	return off + len <= c->n;
#endif /* NB_READ */
}

#define NB_PKT_NONFIRST_FRAG 0x01 /* a fragment at a non-zero offset: no transport header */
#define NB_PKT_FRAG          0x02 /* any fragment, the first one included */
#define NB_PKT_SADDR         0x04 /* saddr/daddr were read: the address rules apply */
#define NB_PKT_PROTO         0x08 /* ip_proto is the transport protocol (IPv6: chain followed) */
#define NB_PKT_PORTS         0x10 /* sport/dport were read */

/*
 * Parse results handed from stage to stage; scalars only (global function arg).
 * Every caller zeroes it before the first stage (the parsers only set what they
 * find); 8-byte aligned, so that zeroing it takes 7 stores instead of 14.
 */
struct __attribute__((aligned(8))) pkt {
	__u32 len;       /* bytes of the frame (linear + fragments): set by the caller */
	__u16 l3_off;    /* offset of the IP header */
	__u16 l4_off;    /* offset of the transport header */
	__u16 eth_proto; /* innermost EtherType, host order */
	__u8 l3;         /* enum nb_l3 */
	__u8 l4;         /* enum nb_l4 */
	__u8 ip_proto;   /* transport protocol after IPv6 extension headers */
	__u8 vlans;      /* VLAN tags seen (802.1Q, 802.1ad) */
	__u8 flags;      /* NB_PKT_* */
	__u8 pad;
	__u16 sport;     /* host order; 0 without NB_PKT_PORTS */
	__u16 dport;
	__u32 l3_end;    /* end of the IP datagram, by its length field: headers end before */
	__u8 saddr[16];  /* IPv6, or IPv4 mapped as ::ffff:a.b.c.d */
	__u8 daddr[16];
};

/* Bytes of the frame from the IP header on: what a length field may claim at most. */
static __always_inline __u32 pkt_l3_len(const struct pkt *p)
{
	return p->len > p->l3_off ? p->len - p->l3_off : 0;
}

#endif /* NETBPF_CTX_BPF_H */
