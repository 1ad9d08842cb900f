// SPDX-License-Identifier: GPL-2.0
/* New TCP connections, three ways: fentry or kprobe on tcp_connect (outgoing) and
 * inet_csk_complete_hashdance (accepted), or the sock/inet_sock_set_state tracepoint.
 * With targ_latency, outgoing connections are reported once established, with the
 * time since the SYN (tcp_rcv_state_process in SYN_SENT, as tcpconnlat does). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lib/common.bpf.h"
#include "lib/inet_state.bpf.h"
#include "tcpconnect.h"

const volatile bool targ_latency = false;
const volatile __u16 targ_port = 0; /* either end; 0: every port */

/* Who connected, when: kept from the connect until the handshake ends. */
struct start {
	__u64 ts;
	__u32 pid;
	__u8 comm[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* LRU: connects that never finish age out */
	__uint(max_entries, 4096);
	__type(key, __u64);                  /* struct sock * */
	__type(value, struct start);
} starts SEC(".maps");

static __always_inline void emit_conn(void *ctx, struct conn_event *e)
{
	if (targ_port && e->sport != targ_port && e->dport != targ_port)
		return;
	emit(ctx, e, sizeof(*e));
}

static __always_inline void read_sock(struct conn_event *e, struct sock *sk)
{
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (e->family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)e->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&e->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO(&e->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

static __always_inline void remember(struct sock *sk)
{
	__u64 key = (__u64)sk;
	struct start s = { .ts = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32 };

	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&starts, &key, &s, BPF_ANY);
}

/* Fills who/when from the connect; false if the connect was not seen (or filtered). */
static __always_inline bool recall(struct conn_event *e, void *sk)
{
	__u64 key = (__u64)sk;
	struct start *s = bpf_map_lookup_elem(&starts, &key);

	if (!s)
		return false;
	e->lat_ns = bpf_ktime_get_ns() - s->ts;
	e->pid = s->pid;
	__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
	bpf_map_delete_elem(&starts, &key);
	return true;
}

static __always_inline int on_connect(void *ctx, struct sock *sk)
{
	struct conn_event e = {};

	if (task_filtered_out())
		return 0;
	if (targ_latency) {
		remember(sk);
		return 0;
	}
	read_sock(&e, sk);
	e.dir = CONN_CONNECT;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	emit_conn(ctx, &e);
	return 0;
}

/* The handshake completes in softirq: pid and comm are whichever task it interrupted
 * (on loopback, the connecting one). */
static __always_inline int on_accept(void *ctx, struct sock *child, bool own_req)
{
	struct conn_event e = {};

	if (!own_req || !child || targ_latency || task_filtered_out())
		return 0;
	read_sock(&e, child);
	e.dir = CONN_ACCEPT;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	emit_conn(ctx, &e);
	return 0;
}

static __always_inline int on_rcv_state(void *ctx, struct sock *sk)
{
	struct conn_event e = {};

	if (BPF_CORE_READ(sk, __sk_common.skc_state) != TCP_SYN_SENT || !recall(&e, sk))
		return 0;
	read_sock(&e, sk);
	e.dir = CONN_CONNECT;
	emit_conn(ctx, &e);
	return 0;
}

SEC("fentry/tcp_connect")
int BPF_PROG(fentry_tcp_connect, struct sock *sk)
{
	return on_connect(ctx, sk);
}

SEC("fentry/inet_csk_complete_hashdance")
int BPF_PROG(fentry_hashdance, struct sock *sk, struct sock *child, struct request_sock *req, bool own_req)
{
	return on_accept(ctx, child, own_req);
}

SEC("fentry/tcp_rcv_state_process")
int BPF_PROG(fentry_rcv_state, struct sock *sk)
{
	return on_rcv_state(ctx, sk);
}

SEC("kprobe/tcp_connect")
int BPF_KPROBE(kprobe_tcp_connect, struct sock *sk)
{
	return on_connect(ctx, sk);
}

SEC("kprobe/inet_csk_complete_hashdance")
int BPF_KPROBE(kprobe_hashdance, struct sock *sk, struct sock *child, struct request_sock *req, bool own_req)
{
	return on_accept(ctx, child, own_req);
}

SEC("kprobe/tcp_rcv_state_process")
int BPF_KPROBE(kprobe_rcv_state, struct sock *sk)
{
	return on_rcv_state(ctx, sk);
}

/* Tracepoint fallback. CLOSE->SYN_SENT runs in the connecting task but before the
 * source port is chosen, so the event is sent when SYN_SENT ends; SYN_RECV->ESTABLISHED
 * is an accepted connection. The tracepoint carries addresses and ports itself. */
SEC("tracepoint/sock/inet_sock_set_state")
int tp_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct conn_event e = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	if (ctx->oldstate == TCP_CLOSE && ctx->newstate == TCP_SYN_SENT) {
		if (!task_filtered_out())
			remember((struct sock *)ctx->skaddr);
		return 0;
	}
	if (ctx->oldstate == TCP_SYN_SENT) {
		if (!recall(&e, (void *)ctx->skaddr))
			return 0;
		if (!targ_latency)
			e.lat_ns = 0;
		e.dir = CONN_CONNECT;
	} else if (ctx->oldstate == TCP_SYN_RECV && ctx->newstate == TCP_ESTABLISHED) {
		if (targ_latency || task_filtered_out())
			return 0;
		e.dir = CONN_ACCEPT;
		e.pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e.comm, sizeof(e.comm));
	} else {
		return 0;
	}
	e.family = ctx->family;
	e.sport = ctx->sport;
	e.dport = ctx->dport;
	set_state_addrs(ctx, e.saddr, e.daddr);
	emit_conn(ctx, &e);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
