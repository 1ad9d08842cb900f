// SPDX-License-Identifier: GPL-2.0
/*
 * One generic fentry/fexit pair, loaded once per traced function of a BPF program
 * (bpf_program__set_attach_target with the target program's fd and the function's
 * BTF name). What differs per target is in rodata; the maps are created by the first
 * instance and reused by the others, so user space reads one set.
 */
/* For the datapath's constants and ip4_map_addr: --packets decodes as it parses. */
#include "lib/parse.bpf.h"
#include <bpf/bpf_tracing.h>

#include "trace/trace.h"

const volatile __u32 targ_func;      /* index into trace_stats and trace_frames */
const volatile __u32 targ_ret_bytes; /* size of the return type; 0: void, no value */
const volatile __u32 targ_ctx;       /* enum trace_ctx: what arg0 is */
const volatile __u32 targ_sample;    /* --packets: every Nth run of a main function per CPU */

/* Entry state of one function on one CPU. Tracing programs run with migration
 * disabled, and so does everything between a function's entry and exit, so a
 * per-CPU slot pairs them; depth tells nested runs apart. */
struct trace_frame {
	__u32 depth;
	__u32 runs; /* for 1-in-targ_sample sampling */
	__u64 ts[TRACE_MAX_DEPTH];
	__u32 ev_pending;
	struct trace_pkt_event ev;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_MAX_FUNCS);
	__type(key, __u32);
	__type(value, struct trace_func_stats);
} trace_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TRACE_MAX_FUNCS);
	__type(key, __u32);
	__type(value, struct trace_frame);
} trace_frames SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} trace_events SEC(".maps");

static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	return r | (v >> 1);
}

/*
 * Reads a header at data + off of a packet whose linear part is n bytes. The
 * packet is kernel memory to a tracing program: bpf_probe_read_kernel at a
 * computed address needs no bounds proof, unlike a copy indexed by offsets.
 */
#define hdr_read(dst, data, off, n) \
	((off) + sizeof(*(dst)) > (n) || bpf_probe_read_kernel(dst, sizeof(*(dst)), (data) + (off)))

struct trace_frag_hdr {
	__u8 nexthdr;
	__u8 reserved;
	__be16 frag_off;
};

/* One IPv6 extension header: 0 past it, 1 at the transport header, -1 no ports to read. */
static __always_inline int ip6_ext_step(void *data, __u32 n, __u32 *off, __u8 *next)
{
	struct trace_frag_hdr fh;
	__u8 ext[2];

	switch (*next) {
	case NEXTHDR_HOP:
	case NEXTHDR_ROUTING:
	case NEXTHDR_DEST:
	case NEXTHDR_AUTH:
		if (hdr_read(&ext, data, *off, n))
			return -1;
		/* AH counts 4-octet units minus 2, the others 8-octet units minus 1. */
		*off += *next == NEXTHDR_AUTH ? (ext[1] + 2) * 4 : (ext[1] + 1) * 8;
		*next = ext[0];
		return 0;
	case NEXTHDR_FRAGMENT:
		if (hdr_read(&fh, data, *off, n))
			return -1;
		*next = fh.nexthdr;
		*off += sizeof(fh) + 4; /* and the identification */
		return bpf_ntohs(fh.frag_off) & IP6_OFFSET ? -1 : 0;
	default:
		return 1;
	}
}

/* Walks extension headers as the datapath's parser does; 0 at the transport header. */
static __always_inline int ip6_skip_ext(void *data, __u32 n, __u32 *off, __u8 *next)
{
	int state = 0;

	/*
	 * Unrolled, and with no early exit so that clang can: 6.1's verifier rejects
	 * a loop whose back-edge follows a helper call.
	 */
#pragma unroll
	for (int i = 0; i < NB_MAX_EXT_HDRS; i++)
		if (!state)
			state = ip6_ext_step(data, n, off, next);
	return state == 1 ? 0 : -1;
}

/* Addresses, protocol and ports of the packet at data (n linear bytes). */
static __always_inline void pkt_decode(void *data, __u32 n, struct trace_pkt_event *ev)
{
	__u32 off = sizeof(struct ethhdr);
	struct ipv6hdr ip6;
	struct ethhdr eth;
	struct iphdr ip;
	__be16 hdr[2];
	__u16 proto;
	__u8 next;

	if (hdr_read(&eth, data, 0, n))
		return;
	proto = bpf_ntohs(eth.h_proto);
#pragma unroll
	for (int i = 0; i < NB_MAX_VLANS && (proto == ETH_P_8021Q || proto == ETH_P_8021AD); i++) {
		if (hdr_read(&hdr, data, off, n))
			return;
		proto = bpf_ntohs(hdr[1]);
		off += sizeof(hdr);
	}
	ev->eth_proto = proto;
	if (proto == ETH_P_IP) {
		if (hdr_read(&ip, data, off, n))
			return;
		ip4_map_addr(ev->saddr, ip.saddr);
		ip4_map_addr(ev->daddr, ip.daddr);
		ev->ip_proto = next = ip.protocol;
		if (bpf_ntohs(ip.frag_off) & IP_OFFSET)
			return;
		off += ip.ihl * 4;
	} else if (proto == ETH_P_IPV6) {
		if (hdr_read(&ip6, data, off, n))
			return;
		__builtin_memcpy(ev->saddr, &ip6.saddr, sizeof(ev->saddr));
		__builtin_memcpy(ev->daddr, &ip6.daddr, sizeof(ev->daddr));
		next = ip6.nexthdr;
		off += sizeof(ip6);
		if (ip6_skip_ext(data, n, &off, &next))
			return;
		ev->ip_proto = next;
	} else {
		return;
	}
	if ((next == IPPROTO_TCP || next == IPPROTO_UDP) && !hdr_read(&hdr, data, off, n)) {
		ev->sport = bpf_ntohs(hdr[0]);
		ev->dport = bpf_ntohs(hdr[1]);
	}
}

/* The packet as the main function sees it at entry: its context is arg0. */
static __always_inline void snap_packet(__u64 *ctx, struct trace_pkt_event *ev)
{
	if (targ_ctx == TRACE_CTX_XDP) {
		struct xdp_buff *xdp = (void *)ctx[0];

		ev->len = xdp->data_end - xdp->data;
		ev->ifindex = xdp->rxq->dev->ifindex;
		pkt_decode(xdp->data, ev->len, ev);
	} else {
		struct sk_buff *skb = (void *)ctx[0];

		ev->len = skb->len;
		ev->ifindex = skb->dev->ifindex;
		pkt_decode(skb->data, skb->len - skb->data_len, ev); /* linear part only */
	}
}

SEC("fentry")
int trace_entry(__u64 *ctx)
{
	__u32 key = targ_func, d;
	struct trace_func_stats *s = bpf_map_lookup_elem(&trace_stats, &key);
	struct trace_frame *f = bpf_map_lookup_elem(&trace_frames, &key);

	if (!s || !f)
		return 0;
	s->calls++;
	d = f->depth++;
	/* Only the outermost run of a main function carries a packet event. */
	if (targ_ctx != TRACE_CTX_NONE && targ_sample && d == 0 && f->runs++ % targ_sample == 0) {
		__builtin_memset(&f->ev, 0, sizeof(f->ev));
		f->ev.func = key;
		snap_packet(ctx, &f->ev);
		f->ev_pending = 1;
	}
	/* Last, so the time spent above is not the function's. */
	if (d < TRACE_MAX_DEPTH)
		f->ts[d] = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit")
int trace_exit(__u64 *ctx)
{
	__u64 now = bpf_ktime_get_ns(), ret = 0, lat = 0;
	__u32 key = targ_func, d, slot;
	struct trace_func_stats *s = bpf_map_lookup_elem(&trace_stats, &key);
	struct trace_frame *f = bpf_map_lookup_elem(&trace_frames, &key);
	__u64 idx;
	__s64 v;

	if (!s || !f)
		return 0;
	/* A run that entered before trace_entry was attached: no pair, not counted. */
	if (!f->depth)
		return 0;
	d = --f->depth;
	s->returns++;
	if (d < TRACE_MAX_DEPTH) {
		lat = now - f->ts[d];
		s->lat_sum_ns += lat;
		slot = log2_u64(lat);
		/* clang knows slot < 64 and drops the mask; the verifier needs it. */
		barrier_var(slot);
		s->lat[slot & (TRACE_LAT_SLOTS - 1)]++;
	}
	if (targ_ret_bytes) {
		bpf_get_func_ret(ctx, &ret);
		/* An int in a 64-bit register: its upper half is not part of the value. */
		v = targ_ret_bytes <= 4 ? (__s64)(__s32)ret : (__s64)ret;
		/* One unsigned compare bounds the index both ways, as the verifier needs. */
		idx = v - TRACE_RET_MIN;
		barrier_var(idx);
		if (idx < TRACE_RET_SLOTS)
			s->ret[idx]++;
		else
			s->ret_other++;
	}
	if (d == 0 && f->ev_pending) {
		f->ev_pending = 0;
		f->ev.ret = ret;
		f->ev.lat_ns = lat;
		if (bpf_ringbuf_output(&trace_events, &f->ev, sizeof(f->ev), 0))
			s->events_lost++;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
