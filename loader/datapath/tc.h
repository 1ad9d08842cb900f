/* tc attachment: TCX links where the kernel has them (6.6+), clsact otherwise. */
#ifndef NETBPF_TC_H
#define NETBPF_TC_H

#include <stdbool.h>
#include <linux/types.h>

#include "datapath/state.h"

enum tc_mode_opt { TC_OPT_AUTO, TC_OPT_TCX, TC_OPT_CLSACT };

/* Returns a TCX link fd, or -errno (-EINVAL: kernel without TCX). */
int tcx_attach(int prog_fd, int ifindex, bool ingress);
/* Direct-action filters for both directions; fills st's tc fields. */
int clsact_attach(int ifindex, int ingress_fd, int egress_fd, struct nb_state *st);
/*
 * Removes our filters if they still run the programs pinned for them, and the
 * clsact qdisc if we created it and nothing else is left on it.
 */
int clsact_detach(const struct nb_state *st, __u32 ingress_id, __u32 egress_id);
/* Number of tc filters under parent (netlink dump, libmnl), or -errno. */
int tc_filter_count(int ifindex, __u32 parent);

#endif /* NETBPF_TC_H */
