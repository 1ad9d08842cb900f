/* What `up` installed on an interface, kept in a pinned one-entry array map. */
#ifndef NETBPF_STATE_H
#define NETBPF_STATE_H

#include <linux/types.h>
#include <net/if.h>

enum tc_mode {
	TC_MODE_TCX = 1,    /* bpf_link per direction (kernel 6.6+) */
	TC_MODE_CLSACT = 2, /* direct-action filters on a clsact qdisc */
};

struct nb_state {
	__u32 ifindex;
	__u32 xdp_flags;     /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 tc_mode;       /* enum tc_mode */
	__u32 tc_handle;     /* clsact: our filters' handle and priority */
	__u32 tc_prio;
	__u32 qdisc_created; /* clsact: we created the qdisc, remove it when empty */
	__u64 netns_ino;
	__u64 up_time;       /* seconds since the epoch */
	char ifname[IF_NAMESIZE];
	char redirect_cgroup[128]; /* `up --redirect`: the cgroup `down` turns it off for */
};

/* Creates and pins the state map in dir with *st as its value. */
int state_save(const char *dir, const struct nb_state *st);
int state_load(const char *dir, struct nb_state *st);

const char *tc_mode_name(__u32 mode);
const char *xdp_mode_name(__u32 xdp_flags);

#endif /* NETBPF_STATE_H */
