/* Helpers for the sock/inet_sock_set_state tracepoint (tcpconnect, tcpstates). */
#ifndef TOOLS_INET_STATE_BPF_H
#define TOOLS_INET_STATE_BPF_H

/* The tracepoint carries both address families; 16-byte destinations. Copied with a
 * helper, not memcpy: clang turns memcpy from ctx into loads through a modified ctx
 * pointer, which the verifier refuses. */
static __always_inline void set_state_addrs(struct trace_event_raw_inet_sock_set_state *ctx,
					    __u8 *saddr, __u8 *daddr)
{
	if (ctx->family == AF_INET) {
		bpf_probe_read_kernel(saddr, 4, ctx->saddr);
		bpf_probe_read_kernel(daddr, 4, ctx->daddr);
	} else {
		bpf_probe_read_kernel(saddr, 16, ctx->saddr_v6);
		bpf_probe_read_kernel(daddr, 16, ctx->daddr_v6);
	}
}

#endif /* TOOLS_INET_STATE_BPF_H */
