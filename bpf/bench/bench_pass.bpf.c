// SPDX-License-Identifier: GPL-2.0
/* The floors of `netbpf bench datapath`: an XDP and a tc program that do nothing, measured
 * in the same run as the real ones, so their cost over the harness's own is visible. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* What tc_ingress returns: the next program decides. */
SEC("tc")
int bench_pass_tc(struct __sk_buff *skb)
{
	return -1; /* TC_ACT_UNSPEC */
}

char LICENSE[] SEC("license") = "GPL";
