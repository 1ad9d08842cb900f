// SPDX-License-Identifier: GPL-2.0
/*
 * One generic fentry/fexit pair, loaded once per traced function of a BPF program
 * (bpf_program__set_attach_target with the target program's fd and the function's
 * BTF name). What differs per target is in rodata; the maps are created by the first
 * instance and reused by the others, so user space reads one set.
 */
/* --packets decodes packets with the datapath's parsers, reading kernel memory. */
#define NB_READ NB_READ_KERNEL
#include "lib/eth.bpf.h"
#include "lib/ipv4.bpf.h"
#include "lib/ipv6.bpf.h"
#include "lib/l4.bpf.h"
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
 * Addresses, protocol and ports of the packet at data (n linear bytes), decoded by
 * the datapath's own parsers: the packet is kernel memory to a tracing program.
 */
static __always_inline void pkt_decode(void *data, __u32 n, struct trace_pkt_event *ev)
{
	struct nb_cur c = { .data = data, .n = n };
	struct pkt p = { .len = ev->len };

	if (eth_parse(&c, &p))
		return;
	ev->eth_proto = p.eth_proto;
	if (p.eth_proto == ETH_P_IP) {
		if (ip4_parse(&c, &p) == 0)
			l4_parse(&c, &p);
	} else if (p.eth_proto == ETH_P_IPV6) {
		if (ip6_parse(&c, &p) == 0)
			l4_parse(&c, &p);
	}
	if (p.flags & NB_PKT_SADDR) {
		__builtin_memcpy(ev->saddr, p.saddr, sizeof(ev->saddr));
		__builtin_memcpy(ev->daddr, p.daddr, sizeof(ev->daddr));
	}
	ev->ip_proto = p.ip_proto;
	ev->sport = p.sport;
	ev->dport = p.dport;
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
	/* Which callback this is, read from the kernel's context (CO-RE: vmlinux.h types
	 * are relocated to the running kernel's layout). */
	if (targ_ctx == TRACE_CTX_SOCK_OPS) {
		__u32 op = ((struct bpf_sock_ops_kern *)ctx[0])->op;

		barrier_var(op);
		if (op < TRACE_OP_SLOTS)
			s->op[op]++;
		else
			s->op_other++;
	}
	/* Only the outermost run of a main function carries a packet event. */
	if ((targ_ctx == TRACE_CTX_XDP || targ_ctx == TRACE_CTX_SKB) && targ_sample && d == 0 && f->runs++ % targ_sample == 0) {
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
		if (v > 0)
			s->ret_pos_sum += v;
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
