// SPDX-License-Identifier: GPL-2.0
/* Smoothed RTT (tcp_sock.srtt_us >> 3: the kernel keeps it times 8) each time an
 * established TCP socket receives a segment, into log2 histograms. Three ways in:
 * fentry or kprobe on tcp_rcv_established, or the tcp:tcp_probe tracepoint, which
 * tcp_rcv_established fires first thing with the same srtt_us >> 3: the same events
 * and values, where the other tracepoints (sock:inet_sock_set_state, tcp:tcp_*)
 * carry no RTT at all. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lib/hist.bpf.h"
#include "lib/inet.bpf.h"
#include "tcprtt.h"

const volatile __u16 targ_lport = 0; /* 0: any */
const volatile __u16 targ_rport = 0;
const volatile __u8 targ_laddr[16] = {};
const volatile __u32 targ_laddr_plen = 0; /* of 128; 0: any */
const volatile __u8 targ_raddr[16] = {};
const volatile __u32 targ_raddr_plen = 0;
const volatile bool targ_by_laddr = false;
const volatile bool targ_by_raddr = false;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct rtt_key);
	__type(value, struct rtt_hist);
} hists SEC(".maps");

static struct rtt_hist zero; /* too big for the stack */

static __always_inline int record(const __u8 *laddr, const __u8 *raddr, __u16 lport, __u16 rport, __u64 srtt_us)
{
	struct rtt_key key = {};
	struct rtt_hist *h;
	__u32 slot;

	if ((targ_lport && lport != targ_lport) || (targ_rport && rport != targ_rport) ||
	    !inet_in_prefix(laddr, targ_laddr, targ_laddr_plen) || !inet_in_prefix(raddr, targ_raddr, targ_raddr_plen))
		return 0;
	if (targ_by_laddr)
		__builtin_memcpy(key.addr, laddr, sizeof(key.addr));
	else if (targ_by_raddr)
		__builtin_memcpy(key.addr, raddr, sizeof(key.addr));
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			return 0;
	}
	slot = hist_slot(srtt_us);
	if (slot >= TCPRTT_SLOTS) /* never: for the verifier */
		slot = TCPRTT_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->sum_us, srtt_us);
	__sync_fetch_and_add(&h->count, 1);
	return 0;
}

static __always_inline int on_rcv(struct sock *sk)
{
	int family = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u8 laddr[16], raddr[16];

	if (family == AF_INET) {
		inet_mapped(laddr, family, &sk->__sk_common.skc_rcv_saddr);
		inet_mapped(raddr, family, &sk->__sk_common.skc_daddr);
	} else {
		inet_mapped(laddr, family, &sk->__sk_common.skc_v6_rcv_saddr);
		inet_mapped(raddr, family, &sk->__sk_common.skc_v6_daddr);
	}
	return record(laddr, raddr, BPF_CORE_READ(sk, __sk_common.skc_num),
		      bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)),
		      BPF_CORE_READ((struct tcp_sock *)sk, srtt_us) >> 3);
}

SEC("fentry/tcp_rcv_established")
int BPF_PROG(fentry_tcp_rcv, struct sock *sk)
{
	return on_rcv(sk);
}

SEC("kprobe/tcp_rcv_established")
int BPF_KPROBE(kprobe_tcp_rcv, struct sock *sk)
{
	return on_rcv(sk);
}

/* saddr/daddr hold a struct sockaddr_in or sockaddr_in6 by family; ports are in
 * host order already. */
SEC("tracepoint/tcp/tcp_probe")
int tp_tcp_probe(struct trace_event_raw_tcp_probe *ctx)
{
	__u8 laddr[16], raddr[16];
	int family = ctx->family;

	if (family == AF_INET) {
		inet_mapped(laddr, family, ctx->saddr + offsetof(struct sockaddr_in, sin_addr));
		inet_mapped(raddr, family, ctx->daddr + offsetof(struct sockaddr_in, sin_addr));
	} else {
		inet_mapped(laddr, family, ctx->saddr + offsetof(struct sockaddr_in6, sin6_addr));
		inet_mapped(raddr, family, ctx->daddr + offsetof(struct sockaddr_in6, sin6_addr));
	}
	return record(laddr, raddr, ctx->sport, ctx->dport, ctx->srtt);
}

char LICENSE[] SEC("license") = "GPL";
