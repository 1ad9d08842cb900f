/* fentry/fexit tracing of BPF programs (bpf/trace/trace.bpf.c, loader/trace_*.c). */
#ifndef NETBPF_TRACE_H
#define NETBPF_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TRACE_MAX_FUNCS 256 /* traced functions per session: index into the maps */
#define TRACE_MAX_DEPTH 4  /* nested runs of one function on one CPU that get a latency */
#define TRACE_LAT_SLOTS 64 /* log2 ns buckets: [2^i, 2^(i+1)), 0 in slot 0 */
#define TRACE_RET_MIN   (-1) /* return values -1..14 get a slot each (TC_ACT_UNSPEC is -1) */
#define TRACE_RET_SLOTS 16
#define TRACE_OP_SLOTS  32 /* sockops: BPF_SOCK_OPS_* values 0..31 get a slot each */

/* What arg0 of a traced function is, from the target's BTF prototype. */
enum trace_ctx {
	TRACE_CTX_NONE,
	TRACE_CTX_XDP, /* struct xdp_md *: struct xdp_buff * to a tracing program */
	TRACE_CTX_SKB, /* struct __sk_buff *: struct sk_buff * */
	TRACE_CTX_SOCK_OPS, /* struct bpf_sock_ops *: struct bpf_sock_ops_kern *, whose op is counted */
};

/* Value of the per-CPU array trace_stats, one entry per traced function. */
struct trace_func_stats {
	__u64 calls;      /* fentry runs */
	__u64 returns;    /* fexit runs paired with an fentry of the same run */
	__u64 lat_sum_ns; /* entry to exit, of paired runs */
	__u64 lat[TRACE_LAT_SLOTS];
	__u64 ret[TRACE_RET_SLOTS]; /* slot r - TRACE_RET_MIN */
	__u64 ret_other;            /* return values outside the slots */
	__u64 ret_pos_sum;          /* sum of the positive return values (a socket filter's bytes kept) */
	__u64 op[TRACE_OP_SLOTS];   /* TRACE_CTX_SOCK_OPS: calls per BPF_SOCK_OPS_* op */
	__u64 op_other;
	__u64 events_lost;          /* --packets: ring buffer full */
};

/* One sampled packet (--packets): decoded at the main function's entry, sent at its exit. */
struct trace_pkt_event {
	__u64 lat_ns;
	__u32 func;     /* index of the main function */
	__s32 ret;      /* verdict */
	__u32 len;      /* bytes of the packet */
	__u32 ifindex;
	__u16 eth_proto; /* host order; 0: no Ethernet header could be read */
	__u8 ip_proto;
	__u8 pad;
	__u16 sport;    /* host order */
	__u16 dport;
	__u8 saddr[16]; /* IPv6, or IPv4 mapped as ::ffff:a.b.c.d */
	__u8 daddr[16];
};

#endif /* NETBPF_TRACE_H */
