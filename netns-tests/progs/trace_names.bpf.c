// SPDX-License-Identifier: GPL-2.0
/*
 * A program whose names the kernel truncates (15 characters): `netbpf trace` must
 * find them through BTF. Both subfunctions shorten to "subfunction_lon".
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__noinline int subfunction_long_name_one(struct xdp_md *ctx)
{
	return ctx->data_end - ctx->data > 14;
}

__noinline int subfunction_long_name_two(struct xdp_md *ctx)
{
	return ctx->ingress_ifindex;
}

SEC("xdp")
int xdp_with_a_long_name(struct xdp_md *ctx)
{
	return subfunction_long_name_one(ctx) + subfunction_long_name_two(ctx) >= 0 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
