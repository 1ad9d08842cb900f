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

/* Which connections take the bypass (`redirect on --mode`). */
enum redirect_mode {
	REDIRECT_MODE_AUTO,   /* per service, as its finished connections voted (the default) */
	REDIRECT_MODE_ALWAYS, /* every connection whose peer is in the map */
};

/* Settings fixed at load time (the object's .rodata, pinned as "config"). */
struct redirect_config {
	__u32 filter_addr6[4]; /* local address must match under the mask */
	__u32 filter_mask6[4]; /* all zero: any address */
	__u16 filter_port;     /* local or remote port; 0: any */
	__u8 cross_netns;      /* pair connections across namespaces */
	__u8 mode;             /* enum redirect_mode */
	__u32 apply_bytes;     /* a redirect verdict covers this many bytes; 0: one message */
	__u32 keepalive_s;     /* bypassed sockets: SO_KEEPALIVE, idle and interval (s); 0: off */
};

/*
 * Auto mode. The bypass loses to loopback TCP on one-way streams of messages
 * smaller than 64 KiB (every sendmsg() becomes one queued sk_msg and one wake-up of
 * the reader, where TCP coalesces) and on short connections (the insert and the
 * teardown cost more than the few messages save); it wins on request/response at
 * every size and on one-way streams of large messages. A connection can only be
 * put on the bypass at ESTABLISHED, before its first byte, and not taken off it
 * (sockmap removal frees unread redirected bytes; an SK_PASS verdict keeps the
 * sk_msg copy and measured no faster), so the decision is made per service (the
 * server's port in its namespace) from the connections to it that have finished:
 * each votes when both its ends have closed (weighted by the bytes it moved), and
 * a new connection follows the service's score. While a service is left to TCP, every RD_PROBE_EVERY-th new
 * connection is bypassed anyway so that a change of behaviour is seen.
 */
#define RD_BULK_BYTES  (32u << 10) /* one-way messages this large on average gain (64 KiB writes
					* are seen as 1-2 verdicts each: the threshold sits below) */
#define RD_SHORT_BYTES (64u << 10) /* ... when it also moved less than this */
#define RD_BALANCE     4           /* one-way: one direction >= 4x the other's messages and bytes */
#define RD_SHORT_MSGS  4           /* a connection with at most this many messages is short... */
#define RD_SCORE_MAX   3           /* the score saturates at +-3 */
#define RD_HEAVY_BYTES (1u << 20)  /* a connection that moved this much votes +-3, others +-1 */
#define RD_PROBE_EVERY 16

enum redirect_vote {
	RD_VOTE_NONE,   /* one-way on TCP, whose segments do not tell message sizes, and no
			 * bypassed one-way connection of the service seen yet */
	RD_VOTE_BYPASS, /* request/response, or one-way bulk */
	RD_VOTE_TCP,    /* one-way stream of small messages, or short */
};

/* A service: connections whose passive (server) end has this port in this namespace. */
struct redirect_svc_key {
	__u64 netns_cookie; /* 0 for connections bypassed across namespaces (--cross-netns) */
	__u16 port;         /* host order */
	__u16 pad[3];       /* zero: keys are hashed as raw bytes */
};

/* Per service (hash "services"); updated with atomic adds from any CPU. */
struct redirect_svc {
	__s32 score;          /* sum of weighted votes, within +-RD_SCORE_MAX; < 0: new connections stay on TCP */
	__u32 conns;          /* connections established to it since `on` */
	__u64 conns_bypassed; /* of which bypassed (probes included) */
	__u64 conns_tcp;      /* of which left to TCP by the score */
	__u64 probes;
	__u64 votes[3];       /* by enum redirect_vote */
	/* the last connection that voted: client to server [0] and back [1] */
	__u64 last_msgs[2];   /* sendmsg verdicts (bypassed) or data segments (TCP) */
	__u64 last_bytes[2];
	__u32 last_vote;      /* enum redirect_vote */
	/* the vote of the last one-way connection that was bypassed (message sizes
	 * seen), which one-way connections on TCP repeat; RD_VOTE_NONE: none yet */
	__u32 oneway_vote;
};

enum redirect_conn_path {
	RD_PATH_BYPASS, /* both ends inserted */
	RD_PATH_PROBE,  /* inserted although the service is on TCP */
	RD_PATH_TCP,    /* left to TCP by the service's score */
};

/*
 * Per connection, from the active end's ESTABLISHED until it has voted (LRU hash
 * "conns", keyed by the passive end's struct redirect_key): the active end's
 * decision, which the passive end follows, and each end's sent messages once closed.
 */
struct redirect_conn {
	__u64 msgs[2];  /* client to server [0], server to client [1] */
	__u64 bytes[2];
	__u32 path;     /* enum redirect_conn_path */
	__u32 closed;   /* ends closed so far */
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
	__u64 conns_no_peer;      /* no peer (first message; auto: passive end at ESTABLISHED): TCP */
	__u64 msgs_peer_gone;     /* redirected connection whose peer left: sent by TCP */
	__u64 bytes_peer_gone;
	__u64 conns_policy_tcp;   /* auto: connections left to TCP by their service's score */
	__u64 conns_probed;       /* auto: bypassed as probes of a service on TCP */
	__u64 insert_errno[REDIRECT_ERRNO_SLOTS];
	__u64 keepalive_failed;   /* bypassed sockets whose keepalive could not be set */
};

#endif /* NETBPF_SOCKMAP_H */
