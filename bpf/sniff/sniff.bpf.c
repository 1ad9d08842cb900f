// SPDX-License-Identifier: GPL-2.0
/*
 * Wire source of `netbpf sniff`: a socket filter on an AF_PACKET socket that lets
 * through only TCP segments carrying HTTP/1.x: segments that start a request or
 * a status line, and the payload, FIN and RST segments of connections already
 * seen doing so. Everything else stays in the kernel.
 *
 * Socket filters get no direct packet access: every read is bpf_skb_load_bytes.
 */
#include "vmlinux.h"
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "sniff/sniff.bpf.h"

#define ETH_HLEN        14
#define ETH_P_IP        0x0800
#define ETH_P_IPV6      0x86DD
#define ETH_P_8021Q     0x8100
#define ETH_P_8021AD    0x88A8
#define PACKET_OUTGOING 4
#define IP_MF_OFFSET    0x3fff
#define TCP_FIN         0x01
#define TCP_RST         0x04

/* On lo every packet is seen twice, leaving and arriving: keep one copy. */
const volatile bool targ_skip_outgoing = false;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, SNIFF_MAX_FLOWS);
	__type(key, struct sniff_flow_key);
	__type(value, __u8);
} sniff_flows SEC(".maps");

/* Fills key's addresses; returns the TCP header offset, or -1 if not TCP. */
static __always_inline int ip_parse(struct __sk_buff *skb, __u32 off, __u16 proto,
				    struct sniff_flow_key *key, __u32 *ip_end)
{
	if (proto == ETH_P_IP) {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
			return -1;
		/* Fragments other than a whole datagram carry no usable TCP stream start. */
		if (ip.protocol != IPPROTO_TCP || (bpf_ntohs(ip.frag_off) & IP_MF_OFFSET))
			return -1;
		__builtin_memset(key->saddr, 0, 10);
		__builtin_memset(key->daddr, 0, 10);
		key->saddr[10] = key->saddr[11] = 0xff;
		key->daddr[10] = key->daddr[11] = 0xff;
		__builtin_memcpy(&key->saddr[12], &ip.saddr, 4);
		__builtin_memcpy(&key->daddr[12], &ip.daddr, 4);
		*ip_end = off + bpf_ntohs(ip.tot_len);
		return off + ip.ihl * 4;
	}
	if (proto == ETH_P_IPV6) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return -1;
		/* Extension headers are not walked: HTTP over TCP does not use them. */
		if (ip6.nexthdr != IPPROTO_TCP)
			return -1;
		__builtin_memcpy(key->saddr, &ip6.saddr, 16);
		__builtin_memcpy(key->daddr, &ip6.daddr, 16);
		*ip_end = off + sizeof(ip6) + bpf_ntohs(ip6.payload_len);
		return off + sizeof(ip6);
	}
	return -1;
}

/* Entries created and deleted are counted: user space derives evictions from them. */
static __always_inline void flow_add(const struct sniff_flow_key *k)
{
	__u8 one = 1;

	if (!bpf_map_update_elem(&sniff_flows, k, &one, BPF_NOEXIST))
		stat_inc(SNIFF_STAT_FLOW_ADDED);
}

static __always_inline void flow_del(const struct sniff_flow_key *k)
{
	if (!bpf_map_delete_elem(&sniff_flows, k))
		stat_inc(SNIFF_STAT_FLOW_DELETED);
}

static __always_inline void flow_reverse(const struct sniff_flow_key *k, struct sniff_flow_key *r)
{
	__builtin_memcpy(r->saddr, k->daddr, 16);
	__builtin_memcpy(r->daddr, k->saddr, 16);
	r->sport = k->dport;
	r->dport = k->sport;
}

SEC("socket")
int sniff_wire(struct __sk_buff *skb)
{
	struct sniff_flow_key key = {}, rev = {};
	struct tcphdr tcp;
	char start[HTTP_START_LEN];
	__u32 ip_end = 0, payload;
	__u16 proto;
	__u8 flags;
	int off;

	stat_inc(SNIFF_STAT_WIRE_SEEN);
	if (targ_skip_outgoing && skb->pkt_type == PACKET_OUTGOING)
		return 0;
	if (bpf_skb_load_bytes(skb, 12, &proto, sizeof(proto)))
		return 0;
	proto = bpf_ntohs(proto);
	off = ETH_HLEN;
	/* Tags the NIC did not strip (QinQ: two). */
	for (int i = 0; i < 2; i++) {
		if (proto != ETH_P_8021Q && proto != ETH_P_8021AD)
			break;
		if (bpf_skb_load_bytes(skb, off + 2, &proto, sizeof(proto)))
			return 0;
		proto = bpf_ntohs(proto);
		off += 4;
	}
	off = ip_parse(skb, off, proto, &key, &ip_end);
	if (off < 0 || bpf_skb_load_bytes(skb, off, &tcp, sizeof(tcp)))
		return 0;
	key.sport = tcp.source;
	key.dport = tcp.dest;
	if (!port_wanted(bpf_ntohs(tcp.source), bpf_ntohs(tcp.dest)))
		return 0;
	off += tcp.doff * 4;
	payload = ip_end > (__u32)off ? ip_end - off : 0;
	flags = ((__u8 *)&tcp)[13];

	flow_reverse(&key, &rev);
	if (payload >= HTTP_START_LEN && !bpf_skb_load_bytes(skb, off, start, sizeof(start)) &&
	    http_start(start)) {
		flow_add(&key);
		flow_add(&rev);
	} else if (!bpf_map_lookup_elem(&sniff_flows, &key)) {
		return 0;
	} else if (!payload && !(flags & (TCP_FIN | TCP_RST))) {
		return 0; /* pure ACKs tell user space nothing */
	}
	/* A direction ends with its FIN; deleting it leaves only live flows in the map,
	 * so that user space can tell evictions from entries still there. */
	if (flags & (TCP_FIN | TCP_RST))
		flow_del(&key);
	if (flags & TCP_RST)
		flow_del(&rev);
	stat_inc(SNIFF_STAT_WIRE_PASSED);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
