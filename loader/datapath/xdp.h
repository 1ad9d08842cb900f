/* XDP attachment through bpf_link, and what else is attached to an interface. */
#ifndef NETBPF_XDP_H
#define NETBPF_XDP_H

#include <stdbool.h>
#include <linux/types.h>

enum xdp_mode_opt { XDP_MODE_AUTO, XDP_MODE_NATIVE, XDP_MODE_SKB };

/* Returns a link fd; *flags gets the mode used (XDP_FLAGS_DRV_MODE/SKB_MODE). */
int xdp_attach(int prog_fd, int ifindex, enum xdp_mode_opt mode, __u32 *flags);
/*
 * Refuses (returns -EBUSY) when a program other than ours is attached, unless
 * force, in which case a netlink-attached one is detached first.
 */
int xdp_check_foreign(int ifindex, const char *ifname, bool force);
/* The attached program's id and mode name ("native", "skb", ...), 0 if none. */
__u32 xdp_query(int ifindex, const char **mode);

#endif /* NETBPF_XDP_H */
