// SPDX-License-Identifier: GPL-2.0
/* Programs of "someone else" for tests: attached with ip/tc, never by netbpf. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int foreign_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int foreign_tc(struct __sk_buff *skb)
{
	return -1; /* TC_ACT_UNSPEC: let the next filter decide */
}

char LICENSE[] SEC("license") = "GPL";
