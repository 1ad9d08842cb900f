/* Names for what traced functions return and see: verdicts, sockops ops, return slots. */
#include <stdio.h>

#include "trace/values.h"

/* XDP_PASS, TC_ACT_SHOT, ... for a main function's return value; NULL otherwise. */
const char *trace_ret_name(const struct trace_func *f, long v)
{
	static const char *const xdp[] = {
		"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX", "XDP_REDIRECT",
	};
	/* TCX's TCX_NEXT/PASS/DROP/REDIRECT share these values. */
	static const char *const tc[] = {
		"TC_ACT_UNSPEC", "TC_ACT_OK", "TC_ACT_RECLASSIFY", "TC_ACT_SHOT", "TC_ACT_PIPE",
		"TC_ACT_STOLEN", "TC_ACT_QUEUED", "TC_ACT_REPEAT", "TC_ACT_REDIRECT", "TC_ACT_TRAP",
	};

	static const char *const sk[] = { "SK_DROP", "SK_PASS" };

	if (!f->main)
		return NULL;
	switch (f->prog->type) {
	case BPF_PROG_TYPE_SK_MSG:
		return v >= 0 && v < (long)(sizeof(sk) / sizeof(sk[0])) ? sk[v] : NULL;
	case BPF_PROG_TYPE_XDP:
		return v >= 0 && v < (long)(sizeof(xdp) / sizeof(xdp[0])) ? xdp[v] : NULL;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return v >= -1 && v < (long)(sizeof(tc) / sizeof(tc[0])) - 1 ? tc[v + 1] : NULL;
	default:
		return NULL;
	}
}

/* A socket filter's return value is the number of bytes kept: 0 drops the packet. */
bool trace_ret_is_length(const struct trace_func *f)
{
	return f->main && f->prog->type == BPF_PROG_TYPE_SOCKET_FILTER;
}

/* BPF_SOCK_OPS_* names by value (enum in linux/bpf.h; later kernels add more). */
static const char *sock_op_name(int op)
{
	static const char *const names[] = {
		"BPF_SOCK_OPS_VOID", "BPF_SOCK_OPS_TIMEOUT_INIT", "BPF_SOCK_OPS_RWND_INIT",
		"BPF_SOCK_OPS_TCP_CONNECT_CB", "BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB",
		"BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB", "BPF_SOCK_OPS_NEEDS_ECN", "BPF_SOCK_OPS_BASE_RTT",
		"BPF_SOCK_OPS_RTO_CB", "BPF_SOCK_OPS_RETRANS_CB", "BPF_SOCK_OPS_STATE_CB",
		"BPF_SOCK_OPS_TCP_LISTEN_CB", "BPF_SOCK_OPS_RTT_CB", "BPF_SOCK_OPS_PARSE_HDR_OPT_CB",
		"BPF_SOCK_OPS_HDR_OPT_LEN_CB", "BPF_SOCK_OPS_WRITE_HDR_OPT_CB",
	};

	return op >= 0 && op < (int)(sizeof(names) / sizeof(names[0])) ? names[op] : NULL;
}

void trace_op_key(int op, char *buf, size_t len)
{
	const char *name = sock_op_name(op);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "op_%d", op);
}

/* Runs counted as returns, of which those that returned 0 (dropped). */
__u64 trace_ret_total(const struct trace_func_stats *s)
{
	__u64 n = s->ret_other;

	for (int r = 0; r < TRACE_RET_SLOTS; r++)
		n += s->ret[r];
	return n;
}


void trace_ret_key(const struct trace_func *f, int slot, char *buf, size_t len)
{
	long v = slot + TRACE_RET_MIN;
	const char *name = trace_ret_name(f, v);

	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%ld", v);
}
