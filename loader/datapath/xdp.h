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
 * force: then *old_fd is that program and *old_flags its mode, for xdp_replace().
 * *old_fd is -1 when nothing is attached.
 */
int xdp_check_foreign(int ifindex, const char *ifname, bool force, int *old_fd, __u32 *old_flags);
/*
 * Atomically replaces old_fd's program (netlink-attached, in mode_flags' mode) by
 * new_fd's, or detaches it when new_fd is -1; fails, changing nothing, when
 * old_fd's program is no longer the one attached. 0 or -errno.
 */
int xdp_replace(int ifindex, __u32 mode_flags, int old_fd, int new_fd);
/* The attached program's id and mode name ("native", "skb", ...), 0 if none. */
__u32 xdp_query(int ifindex, const char **mode);

#endif /* NETBPF_XDP_H */
