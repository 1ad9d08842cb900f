/* The localhost TCP bypass (bpf/redirect/sockmap.bpf.c), shared with loader/redirect.c. */
#ifndef NETBPF_SOCKMAP_H
#define NETBPF_SOCKMAP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/*
 * One end of a TCP connection in the SOCKHASH. Both ends compute their own key and
 * their peer's key at ESTABLISHED time, so the peer key is the same struct with
 * local and remote swapped:
 * - IPv4 is written v4-mapped, so an AF_INET socket pairs with an AF_INET6 socket
 *   that talks to ::ffff:a.b.c.d;
 * - the network namespace cookie keeps identical 4-tuples of different namespaces
 *   apart; it is 0 in the entries of --cross-netns mode (connections that are not
 *   on a loopback address), where the peer lives in a namespace we cannot name;
 * - the sequence numbers at ESTABLISHED (initial send and receive sequence + 1)
 *   tie a key to one connection: two connections with the same 4-tuple in two
 *   namespace pairs do not find each other in cross-netns mode, and a connection
 *   whose SYN carried data (TCP Fast Open) never matches, so its SYN data cannot
 *   be overtaken by redirected data.
 */
struct redirect_key {
	__u64 netns_cookie;
	__u32 local_ip6[4];  /* network order */
	__u32 remote_ip6[4];
	__u16 local_port;    /* host order */
	__u16 remote_port;
	__u32 snd_nxt;       /* own initial sequence + 1 */
	__u32 rcv_nxt;       /* peer's initial sequence + 1 */
	__u32 pad;           /* zero: keys are hashed as raw bytes */
};

/* Settings fixed at load time (the object's .rodata, pinned as "config"). */
struct redirect_config {
	__u32 filter_addr6[4]; /* local address must match under the mask */
	__u32 filter_mask6[4]; /* all zero: any address */
	__u16 filter_port;     /* local or remote port; 0: any */
	__u8 cross_netns;      /* pair connections across namespaces */
	__u8 pad;
	__u32 apply_bytes;     /* a redirect verdict covers this many bytes; 0: one message */
	__u32 keepalive_s;     /* bypassed sockets: SO_KEEPALIVE, idle and interval (s); 0: off */
};

/* insert_errno[] slots; errno values at or above it are counted in slot 0. */
#define REDIRECT_ERRNO_SLOTS 136

/*
 * Per-CPU counters (one-entry array, pinned as "stats"). A "message" is one run
 * of the sk_msg verdict: one sendmsg(), or one slice of a large sendmsg (the kernel
 * evaluates at most MAX_SKB_FRAGS pages at a time).
 */
struct redirect_stats {
	__u64 inserted;           /* sockets put into the SOCKHASH */
	__u64 insert_failed;      /* sum of insert_errno[] */
	__u64 filtered;           /* established sockets the filters left alone */
	__u64 msgs_redirected;    /* messages handed to the peer's receive queue */
	__u64 bytes_redirected;
	__u64 conns_no_peer;      /* first message found no peer: connection left to TCP */
	__u64 msgs_peer_gone;     /* redirected connection whose peer left: sent by TCP */
	__u64 bytes_peer_gone;
	__u64 insert_errno[REDIRECT_ERRNO_SLOTS];
	__u64 keepalive_failed;   /* bypassed sockets whose keepalive could not be set */
};

#endif /* NETBPF_SOCKMAP_H */
