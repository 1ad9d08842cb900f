// SPDX-License-Identifier: GPL-2.0
/* A connect() policy: the LSM hook socket_connect decides (deny: -EPERM) for every
 * inet socket's connect(), TCP or UDP. Report-only fallbacks where BPF LSM cannot
 * run: fentry or kprobe on inet_stream_connect (TCP connect() calls, the same
 * arguments), or the sock:inet_sock_set_state tracepoint (CLOSE->SYN_SENT, in the
 * connecting task: one per TCP connection attempt). */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "lib/common.bpf.h"
#include "connguard.h"

#define EPERM 1

const volatile __u64 targ_cgroup_id = 0; /* 0: every process */

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__type(key, struct guard_key);
	__type(value, __u8); /* enum guard_rule */
} rules SEC(".maps");

/* A rule with the destination port wins over one for any port; among those, the
 * longest prefix. Returns -EPERM to deny (only where can_block). */
static __always_inline int decide(void *ctx, const __u8 *addr, __u16 port, bool can_block)
{
	struct guard_key key = { .prefixlen = 16 + 128, .port = bpf_htons(port) };
	struct guard_event e = {};
	__u8 *rule;

	if (targ_cgroup_id && bpf_get_current_cgroup_id() != targ_cgroup_id)
		return 0;
	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	rule = bpf_map_lookup_elem(&rules, &key);
	if (!rule) {
		key.port = 0;
		rule = bpf_map_lookup_elem(&rules, &key);
		if (!rule)
			return 0;
	}
	if (*rule == RULE_DENY)
		e.verdict = can_block ? VERDICT_DENY : VERDICT_WOULD_DENY;
	else
		e.verdict = VERDICT_AUDIT;
	e.cgroup_id = bpf_get_current_cgroup_id();
	__builtin_memcpy(e.addr, addr, sizeof(e.addr));
	e.port = port;
	e.pid = bpf_get_current_pid_tgid() >> 32;
	bpf_get_current_comm(e.comm, sizeof(e.comm));
	emit(ctx, &e, sizeof(e));
	return e.verdict == VERDICT_DENY ? -EPERM : 0;
}

/* The sockaddr is the kernel's copy of the caller's; short or non-inet ones (and
 * AF_UNSPEC, a disconnect) are left to the kernel to refuse or handle. */
static __always_inline int on_connect(void *ctx, struct socket *sock, struct sockaddr *uaddr, int len,
				      bool can_block)
{
	int family = BPF_CORE_READ(sock, sk, __sk_common.skc_family);
	__u16 sa_family = 0;
	__u8 addr[16];
	__be16 port;

	if (family != AF_INET && family != AF_INET6)
		return 0;
	bpf_probe_read_kernel(&sa_family, sizeof(sa_family), &uaddr->sa_family);
	if (sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in *in = (void *)uaddr;

		inet_mapped(addr, AF_INET, &in->sin_addr);
		bpf_probe_read_kernel(&port, sizeof(port), &in->sin_port);
	} else if (sa_family == AF_INET6 && len >= 24 /* SIN6_LEN_RFC2133 */) {
		struct sockaddr_in6 *in6 = (void *)uaddr;

		inet_mapped(addr, AF_INET6, &in6->sin6_addr);
		bpf_probe_read_kernel(&port, sizeof(port), &in6->sin6_port);
	} else {
		return 0;
	}
	return decide(ctx, addr, bpf_ntohs(port), can_block);
}

/* ret: what earlier LSMs decided; a refusal stands. */
SEC("lsm/socket_connect")
int BPF_PROG(lsm_connect, struct socket *sock, struct sockaddr *address, int addrlen, int ret)
{
	if (ret)
		return ret;
	return on_connect(ctx, sock, address, addrlen, true);
}

SEC("fentry/inet_stream_connect")
int BPF_PROG(fentry_connect, struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	on_connect(ctx, sock, uaddr, addr_len, false);
	return 0;
}

SEC("kprobe/inet_stream_connect")
int BPF_KPROBE(kprobe_connect, struct socket *sock, struct sockaddr *uaddr, int addr_len)
{
	on_connect(ctx, sock, uaddr, addr_len, false);
	return 0;
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u8 addr[16];

	if (ctx->protocol != IPPROTO_TCP || ctx->oldstate != TCP_CLOSE || ctx->newstate != TCP_SYN_SENT)
		return 0;
	/* An AF_INET6 socket holds IPv4 peers v4-mapped already. */
	inet_mapped(addr, ctx->family, ctx->family == AF_INET ? (void *)ctx->daddr : (void *)ctx->daddr_v6);
	decide(ctx, addr, ctx->dport, false);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
