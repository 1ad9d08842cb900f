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
#include "lib/l4.bpf.h"

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

/* What sniff_parse hands on: scalars only, as a global function's argument must be. */
struct sniff_seg {
	struct sniff_flow_key key;
	__u32 payload_off; /* TCP payload, inside the IP datagram */
	__u32 payload_len;
	__u8 flags;        /* TCP flags */
	__u8 pad[3];
};

/*
 * The filter's stages are global __noinline functions on purpose, as the datapath's
 * are (lib/stages.bpf.h): they stay real bpf2bpf subprograms in the loaded program,
 * in its BTF func_info, so that `netbpf trace sniff` shows each one's calls and
 * latency. Per packet seen: sniff_parse once; for a TCP segment of a wanted port,
 * sniff_http_start once and sniff_flow_update once. Global functions are verified on
 * their own, for any argument: each checks its pointers.
 */

/*
 * Ethernet (VLAN tags), IPv4 or IPv6, TCP: the datapath's parsers over
 * bpf_skb_load_bytes. Fills s; 0 for a TCP segment that can start a stream
 * (no fragment), -1 for anything else.
 */
__noinline int sniff_parse(struct __sk_buff *skb, struct sniff_seg *s)
{
	struct nb_cur c = { .skb = skb };
	struct pkt p = { .len = skb->len };
	struct tcphdr thb, *th;

	if (!s)
		return -1;
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
	/* The whole header in one read (l4_parse would read the ports, then again). */
	th = l4_ptr(&c, &p, sizeof(thb), &thb);
	if (!th || th->doff < 5)
		return -1;
	__builtin_memcpy(s->key.saddr, p.saddr, 16);
	__builtin_memcpy(s->key.daddr, p.daddr, 16);
	s->key.sport = th->source;
	s->key.dport = th->dest;
	s->payload_off = p.l4_off + th->doff * 4;
	s->payload_len = p.l3_end > s->payload_off ? p.l3_end - s->payload_off : 0;
	s->flags = ((__u8 *)th)[13];
	return 0;
}

/* 1 when the len payload bytes at off start an HTTP request or status line. */
__noinline int sniff_http_start(struct __sk_buff *skb, __u32 off, __u32 len)
{
	char start[HTTP_START_LEN];

	if (len < HTTP_START_LEN || bpf_skb_load_bytes(skb, off, start, sizeof(start)))
		return 0;
	return http_start(start);
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

/*
 * The flow table: a message start adds both directions; other segments pass only
 * on a known direction, and only with payload, FIN or RST. 1 to keep the segment.
 */
__noinline int sniff_flow_update(struct sniff_seg *s, int start)
{
	struct sniff_flow_key key, rev = {};

	if (!s)
		return 0;
	/* On the stack: 6.1's map helpers refuse a key in an argument's memory
	 * ("R2 type=mem expected=fp, pkt, pkt_meta, map_key, map_value"). */
	__builtin_memcpy(&key, &s->key, sizeof(key));
	flow_reverse(&key, &rev);
	if (start) {
		/* Lookups first: an LRU update takes a free node before it finds the key
		 * there already, and a keep-alive connection starts a message per request. */
		if (!bpf_map_lookup_elem(&sniff_flows, &key))
			flow_add(&key);
		if (!bpf_map_lookup_elem(&sniff_flows, &rev))
			flow_add(&rev);
	} else if (!bpf_map_lookup_elem(&sniff_flows, &key)) {
		return 0;
	} else if (!s->payload_len && !(s->flags & (TCP_FIN | TCP_RST))) {
		return 0; /* pure ACKs tell user space nothing */
	}
	/* A direction ends with its FIN; deleting it leaves only live flows in the map,
	 * so that user space can tell evictions from entries still there. */
	if (s->flags & (TCP_FIN | TCP_RST))
		flow_del(&key);
	if (s->flags & TCP_RST)
		flow_del(&rev);
	return 1;
}

SEC("socket")
int sniff_wire(struct __sk_buff *skb)
{
	struct sniff_seg s = {};
	int start;

	stat_inc(SNIFF_STAT_WIRE_SEEN);
	if (targ_skip_outgoing && skb->pkt_type == PACKET_OUTGOING)
		return 0;
	if (sniff_parse(skb, &s))
		return 0;
	if (!port_wanted(bpf_ntohs(s.key.sport), bpf_ntohs(s.key.dport)))
		return 0;
	start = sniff_http_start(skb, s.payload_off, s.payload_len);
	if (!sniff_flow_update(&s, start))
		return 0;
	stat_inc(SNIFF_STAT_WIRE_PASSED);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
