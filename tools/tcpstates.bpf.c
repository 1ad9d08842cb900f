// SPDX-License-Identifier: GPL-2.0
/* TCP state changes from the sock/inet_sock_set_state tracepoint, with the time each
 * socket spent in the state it leaves. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

#include "lib/common.bpf.h"
#include "lib/inet_state.bpf.h"
#include "tcpstates.h"

const volatile __u16 targ_port = 0;   /* either end; 0: every port */
const volatile __u16 targ_family = 0; /* AF_INET or AF_INET6; 0: both */

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* LRU: sockets that vanish unseen age out */
	__uint(max_entries, 10240);
	__type(key, __u64);                  /* struct sock * */
	__type(value, __u64);                /* when it entered its current state */
} entered SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int tp_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 sk = (__u64)ctx->skaddr, now = bpf_ktime_get_ns(), *ts;
	struct state_event e = {};

	if (ctx->protocol != IPPROTO_TCP || (targ_family && ctx->family != targ_family))
		return 0;
	if (targ_port && ctx->sport != targ_port && ctx->dport != targ_port)
		return 0;
	ts = bpf_map_lookup_elem(&entered, &sk);
	e.prev_ns = ts ? now - *ts : 0;
	e.skaddr = sk;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	e.family = ctx->family;
	e.sport = ctx->sport;
	e.dport = ctx->dport;
	e.oldstate = ctx->oldstate;
	e.newstate = ctx->newstate;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	set_state_addrs(ctx, e.saddr, e.daddr);
	emit(ctx, &e, sizeof(e));
	if (ctx->newstate == TCP_CLOSE)
		bpf_map_delete_elem(&entered, &sk);
	else
		bpf_map_update_elem(&entered, &sk, &now, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
