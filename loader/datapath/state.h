/* What `up` installed on an interface, kept in a pinned one-entry array map. */
#ifndef NETBPF_STATE_H
#define NETBPF_STATE_H

#include <linux/types.h>
#include <net/if.h>

enum tc_mode {
	TC_MODE_TCX = 1,    /* bpf_link per direction (kernel 6.6+) */
	TC_MODE_CLSACT = 2, /* direct-action filters on a clsact qdisc */
};

/*
 * Bumped whenever struct nb_state changes: pins written by another netbpf version
 * are refused with a message instead of being misread.
 */
#define NB_STATE_VERSION 2

struct nb_state {
	__u32 version;       /* NB_STATE_VERSION */
	__u32 ifindex;
	__u32 xdp_flags;     /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 tc_mode;       /* enum tc_mode */
	__u32 tc_handle;     /* clsact: our filters' handle and priority */
	__u32 tc_prio;
	__u32 qdisc_created; /* clsact: we created the qdisc, remove it when empty */
	__u32 xdp_netlink;   /* `up --force` replaced a netlink-attached program in place:
				ours is attached by netlink too, pinned as PIN_XDP_PROG */
	__u64 netns_ino;
	__u64 up_time;       /* seconds since the epoch; 0 while `up` is still working */
	__u64 redirect_cgid; /* `up --redirect`: the cgroup (by id) `down` turns it off for */
	char ifname[IF_NAMESIZE];
};

/*
 * Creates and pins the state map in dir with *st as its value (st->version set
 * here). `up` saves it first and updates it after each step, so that pins left
 * by a killed `up` still tell `down` what to remove.
 */
int state_save(const char *dir, struct nb_state *st);
int state_update(const char *dir, const struct nb_state *st);
/* Fails (-EPROTO, message printed) on a state map of another netbpf version. */
int state_load(const char *dir, struct nb_state *st);

const char *tc_mode_name(__u32 mode);
const char *xdp_mode_name(__u32 xdp_flags);

#endif /* NETBPF_STATE_H */
