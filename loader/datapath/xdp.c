#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "common/log.h"
#include "datapath/xdp.h"

static int link_xdp(int prog_fd, int ifindex, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);

	return fd < 0 ? -errno : fd;
}

int xdp_attach(int prog_fd, int ifindex, enum xdp_mode_opt mode, __u32 *flags)
{
	int fd;

	if (mode != XDP_MODE_SKB) {
		fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_DRV_MODE);
		if (fd >= 0) {
			*flags = XDP_FLAGS_DRV_MODE;
			return fd;
		}
		if (mode == XDP_MODE_NATIVE) {
			pr_warn("failed to attach XDP in native mode: %s%s\n", strerror(-fd),
				fd == -EOPNOTSUPP ? " (driver lacks native XDP: try --xdp-mode skb)" : "");
			return fd;
		}
		pr_debug("native XDP refused (%s), using skb mode\n", strerror(-fd));
	}
	fd = link_xdp(prog_fd, ifindex, XDP_FLAGS_SKB_MODE);
	if (fd < 0) {
		pr_warn("failed to attach XDP in skb mode: %s\n", strerror(-fd));
		return fd;
	}
	*flags = XDP_FLAGS_SKB_MODE;
	return fd;
}

__u32 xdp_query(int ifindex, const char **mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*mode = "none";
	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	switch (q.attach_mode) {
	case XDP_ATTACHED_DRV: *mode = "native"; break;
	case XDP_ATTACHED_SKB: *mode = "skb"; break;
	case XDP_ATTACHED_HW: *mode = "hw"; break;
	case XDP_ATTACHED_MULTI: *mode = "multi"; break;
	}
	return q.prog_id;
}

int xdp_check_foreign(int ifindex, const char *ifname, bool force, int *old_fd, __u32 *old_flags)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	*old_fd = -1;
	if (bpf_xdp_query(ifindex, 0, &q))
		return -errno;
	if (!q.prog_id)
		return 0;
	if (!force) {
		pr_warn("%s already has an XDP program (id %u) that netbpf did not attach; "
			"use --force to replace it\n", ifname, q.prog_id);
		return -EBUSY;
	}
	*old_fd = bpf_prog_get_fd_by_id(q.prog_id);
	if (*old_fd < 0) {
		pr_warn("failed to open XDP program %u of %s: %s\n", q.prog_id, ifname, strerror(errno));
		return -errno;
	}
	*old_flags = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
		     q.attach_mode == XDP_ATTACHED_HW ? XDP_FLAGS_HW_MODE : XDP_FLAGS_DRV_MODE;
	return 0;
}

int xdp_replace(int ifindex, __u32 mode_flags, int old_fd, int new_fd)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = old_fd);

	/* The kernel swaps only if old_fd's program is still the one attached. */
	return bpf_xdp_attach(ifindex, new_fd, mode_flags | XDP_FLAGS_REPLACE, &opts);
}
