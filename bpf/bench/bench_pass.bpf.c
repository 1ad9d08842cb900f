// SPDX-License-Identifier: GPL-2.0
/* The floor of `netbpf bench datapath`: an XDP program that does nothing, measured in the
 * same run as the real ones, so their cost over the harness's own is visible. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
