/* Test packets for BPF_PROG_TEST_RUN (the benches, parser_test): a cursor that appends
 * headers in wire order. Lengths (IPv4 tot_len and checksum, IPv6 payload_len, UDP len)
 * follow every append, so a packet is consistent at each step; cutting len afterwards
 * makes a truncated one. */
#ifndef NETBPF_PKT_H
#define NETBPF_PKT_H

#include <stddef.h>
#include <stdint.h>

#define PKT_MAX 1600

struct pkt {
	uint8_t b[PKT_MAX];
	size_t len;
	size_t l3_off, l4_off; /* 0: none yet */
	uint8_t l3, l4;        /* 4 or 6; IPPROTO_UDP where the UDP length follows */
};

/* Starts the packet: Ethernet 02:00:00:00:00:01 -> 02:00:00:00:00:02, EtherType proto. */
void pkt_eth(struct pkt *p, uint16_t proto);
/* An 802.1Q/802.1ad tag's TCI and the next EtherType (after pkt_eth with the tag's). */
void pkt_vlan(struct pkt *p, uint16_t vid, uint16_t next);
/* IPv4 with opt_words 4-byte NOP options and frag_off (flags and offset, host order);
 * dst NULL: 192.0.2.2 (2001:db8::2 for IPv6). */
void pkt_ip4(struct pkt *p, uint8_t proto, const char *src, const char *dst, int opt_words,
	     uint16_t frag_off);
void pkt_ip6(struct pkt *p, uint8_t next, const char *src, const char *dst);
/* An 8-byte hop-by-hop, routing or destination options header (PadN). */
void pkt_ip6_ext(struct pkt *p, uint8_t next);
/* The same of len bytes (a multiple of 8, up to 2048), options the kernel accepts. */
void pkt_ip6_opts(struct pkt *p, uint8_t next, size_t len);
/* An IPv6 fragment header; off8: the offset in 8-byte units. */
void pkt_ip6_frag(struct pkt *p, uint8_t next, uint16_t off8);
/* TCP with doff 5 and flags (TH_SYN, TH_ACK ... of netinet/tcp.h). */
void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags);
void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport);
/* ICMP or ICMPv6 echo request header (8 bytes). */
void pkt_icmp(struct pkt *p);
/* n zero bytes: payload, or the bytes of a header the parser does not read. */
void pkt_zeros(struct pkt *p, size_t n);
/* Cuts the packet to len bytes, its length fields following: a datagram that ends there. */
void pkt_cut(struct pkt *p, size_t len);
/* The TCP or UDP checksum, once the packet is complete (for packets sent on a link). */
void pkt_l4_csum(struct pkt *p);
/* A complete IPv4 packet as two fragments, the first with `first` bytes of payload
 * (a multiple of 8), as a router splits it. */
void pkt_ip4_split(const struct pkt *full, size_t first, struct pkt *a, struct pkt *b);

#endif /* NETBPF_PKT_H */
