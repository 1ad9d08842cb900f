// SPDX-License-Identifier: GPL-2.0
/*
 * Wire source of `netbpf sniff`: a socket filter on an AF_PACKET socket that lets
 * through only TCP segments carrying HTTP/1.x: segments that start a request or
 * a status line, and the payload, FIN and RST segments of connections already
 * seen doing so. Everything else stays in the kernel.
 *
 * Socket filters get no direct packet access: every read is bpf_skb_load_bytes.
 */
#define NB_READ NB_READ_SKB
#include "lib/eth.bpf.h"
#include "lib/ipv4.bpf.h"
#include "lib/ipv6.bpf.h"

#include "sniff/sniff.bpf.h"

#define PACKET_OUTGOING 4
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

/*
 * Fills key's addresses from the datapath's parsers; returns the TCP header offset,
 * or -1 if the packet is not TCP or is a fragment (no usable stream start).
 */
static __always_inline int ip_parse(struct __sk_buff *skb, struct sniff_flow_key *key,
				    __u32 *ip_end)
{
	struct nb_cur c = { .skb = skb };
	struct pkt p = { .len = skb->len };

	if (eth_parse(&c, &p))
		return -1;
	if (p.eth_proto == ETH_P_IP) {
		if (ip4_parse(&c, &p))
			return -1;
	} else if (p.eth_proto == ETH_P_IPV6) {
		if (ip6_parse(&c, &p))
			return -1;
	} else {
		return -1;
	}
	if (!(p.flags & NB_PKT_PROTO) || p.ip_proto != IPPROTO_TCP || (p.flags & NB_PKT_FRAG))
		return -1;
	__builtin_memcpy(key->saddr, p.saddr, 16);
	__builtin_memcpy(key->daddr, p.daddr, 16);
	*ip_end = p.l3_end;
	return p.l4_off;
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
	__u8 flags;
	int off;

	stat_inc(SNIFF_STAT_WIRE_SEEN);
	if (targ_skip_outgoing && skb->pkt_type == PACKET_OUTGOING)
		return 0;
	off = ip_parse(skb, &key, &ip_end);
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
