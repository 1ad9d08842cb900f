// SPDX-License-Identifier: GPL-2.0
/*
 * Localhost TCP bypass. The sockops program puts both ends of a new TCP
 * connection of the cgroup into a SOCKHASH and remembers, per socket, the key of
 * its peer; the sk_msg program on that SOCKHASH hands each message straight to
 * the peer's receive queue, so the bytes never cross the loopback device. In auto
 * mode (the default) only connections to services that gain from it are inserted:
 * see "Auto mode" in redirect.h.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "redirect/redirect.h"

#define AF_INET  2
#define AF_INET6 10
#define ENOMEM   12
#define EINVAL   22
#define SOL_SOCKET    1
#define SO_KEEPALIVE  9
#define SOL_TCP       6
#define TCP_KEEPIDLE  4
#define TCP_KEEPINTVL 5

const volatile struct redirect_config sockmap_cfg = {};

/* The value must be a u64: user space then reads socket cookies back. */
struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, 65536);
	__type(key, struct redirect_key);
	__type(value, __u64);
} sockmap_hash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct redirect_stats);
} sockmap_stats SEC(".maps");

enum sockmap_state {
	SOCKMAP_UNDECIDED, /* no message sent yet */
	SOCKMAP_REDIRECT,  /* the first message found the peer */
	SOCKMAP_TCP,       /* the first message did not: TCP for the connection's life */
};

/* Per socket, freed with it: the peer's key, computed once at ESTABLISHED. */
struct sockmap_sock {
	struct redirect_key peer;
	struct redirect_svc_key svc; /* auto: the service it votes for */
	__u64 msgs;                  /* messages and bytes it redirected (the vote's input) */
	__u64 bytes;
	__u32 state;
	__u8 passive;                /* the server end */
	__u8 path;                   /* auto: enum redirect_conn_path */
	__u8 pad[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sockmap_sock);
} sockmap_socks SEC(".maps");

static __always_inline struct redirect_stats *stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&sockmap_stats, &zero);
}

static __always_inline void ip4_mapped(__u32 ip6[4], __u32 ip4)
{
	ip6[0] = 0;
	ip6[1] = 0;
	ip6[2] = bpf_htonl(0xffff);
	ip6[3] = ip4;
}

static __always_inline bool is_loopback(const __u32 ip6[4])
{
	if (ip6[0] || ip6[1])
		return false;
	if (ip6[2] == bpf_htonl(0xffff))
		return (bpf_ntohl(ip6[3]) >> 24) == 127;
	return !ip6[2] && ip6[3] == bpf_htonl(1);
}

static __always_inline bool filter_pass(const struct redirect_key *k)
{
	if (sockmap_cfg.filter_port && k->local_port != sockmap_cfg.filter_port &&
	    k->remote_port != sockmap_cfg.filter_port)
		return false;
	for (int i = 0; i < 4; i++)
		if ((k->local_ip6[i] & sockmap_cfg.filter_mask6[i]) != sockmap_cfg.filter_addr6[i])
			return false;
	return true;
}

/*
 * Opt-in (--keepalive S). Bypassed bytes queued at a reader count in its sk_rmem_alloc,
 * and tcp_add_backlog() drops any segment that arrives while the reader holds its lock
 * with more than about 2 x rcvbuf + sndbuf / 2 queued: a dropped RST is never sent
 * again, and the reader would wait for its vanished peer forever. A keepalive probe
 * after S idle seconds draws a new RST. TCP sees no segment of a bypassed connection,
 * so it counts it idle: one probe and its ACK every S seconds.
 */
static __always_inline void keepalive_on(struct bpf_sock_ops *ctx, struct redirect_stats *st)
{
	int one = 1, s = sockmap_cfg.keepalive_s;

	if (bpf_setsockopt(ctx, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one)) ||
	    bpf_setsockopt(ctx, SOL_TCP, TCP_KEEPIDLE, &s, sizeof(s)) ||
	    bpf_setsockopt(ctx, SOL_TCP, TCP_KEEPINTVL, &s, sizeof(s)))
		__sync_fetch_and_add(&st->keepalive_failed, 1);
}

static __always_inline void swap_key(const struct redirect_key *k, struct redirect_key *out)
{
	out->netns_cookie = k->netns_cookie;
	__builtin_memcpy(out->local_ip6, k->remote_ip6, sizeof(k->remote_ip6));
	__builtin_memcpy(out->remote_ip6, k->local_ip6, sizeof(k->local_ip6));
	out->local_port = k->remote_port;
	out->remote_port = k->local_port;
	out->snd_nxt = k->rcv_nxt;
	out->rcv_nxt = k->snd_nxt;
	out->pad = 0;
}

static __always_inline void count_errno(struct redirect_stats *st, long err)
{
	__u32 slot = -err;

	__sync_fetch_and_add(&st->insert_failed, 1);
	if (slot >= REDIRECT_ERRNO_SLOTS)
		slot = 0;
	/* Or clang computes the address before the bounds check, where the verifier
	 * cannot tie the two together. */
	asm volatile("" : "+r"(slot));
	if (slot < REDIRECT_ERRNO_SLOTS)
		__sync_fetch_and_add(&st->insert_errno[slot], 1);
}

#include "redirect/policy.bpf.h"

/*
 * The stages of both programs are __noinline on purpose, as the datapath's are
 * (lib/stages.bpf.h): they stay real bpf2bpf subprograms in the loaded programs
 * (visible in their BTF func_info and `bpftool prog dump xlated`), so that
 * `netbpf trace redirect` can attach fentry/fexit to each and show what one
 * callback or one message went through; test_redirect_stages checks that they do.
 * The int ones are global, verified once on their own: they take only the context
 * and pointers to scalar structs on the caller's stack (which the verifier treats
 * as possibly NULL), and look up what else they need themselves. The void counter
 * stages are static: 6.1's verifier takes only scalar-returning global functions.
 */

/* Sockops stage 1: the socket's key from the context. 0, or -1 when not IPv4/IPv6. */
__noinline int rd_key(struct bpf_sock_ops *ctx, struct redirect_key *k)
{
	if (!k)
		return -1;
	if (ctx->family == AF_INET) {
		ip4_mapped(k->local_ip6, ctx->local_ip4);
		ip4_mapped(k->remote_ip6, ctx->remote_ip4);
	} else if (ctx->family == AF_INET6) {
		/* Context fields: one 4-byte load each at a constant offset, no loop or memcpy. */
		k->local_ip6[0] = ctx->local_ip6[0];
		k->local_ip6[1] = ctx->local_ip6[1];
		k->local_ip6[2] = ctx->local_ip6[2];
		k->local_ip6[3] = ctx->local_ip6[3];
		k->remote_ip6[0] = ctx->remote_ip6[0];
		k->remote_ip6[1] = ctx->remote_ip6[1];
		k->remote_ip6[2] = ctx->remote_ip6[2];
		k->remote_ip6[3] = ctx->remote_ip6[3];
	} else {
		return -1;
	}
	k->local_port = ctx->local_port;
	k->remote_port = bpf_ntohl(ctx->remote_port);
	/* A loopback connection cannot leave its namespace: it always keeps the cookie. */
	if (!sockmap_cfg.cross_netns || is_loopback(k->local_ip6) || is_loopback(k->remote_ip6))
		k->netns_cookie = bpf_get_netns_cookie(ctx);
	k->snd_nxt = ctx->snd_nxt;
	k->rcv_nxt = ctx->rcv_nxt;
	return 0;
}

/*
 * Sockops stage 2, the decision: the filters, then in auto mode the service's
 * score (active end) or the active end's recorded decision (passive end); records
 * the socket's peer key for the sk_msg program. 1: insert the socket, 0: leave it
 * to TCP (counted here, by reason).
 */
__noinline int rd_policy(struct bpf_sock_ops *ctx, struct redirect_key *k, int passive)
{
	struct redirect_stats *st = stats();
	struct bpf_sock *sk = ctx->sk;
	struct redirect_conn *conn = NULL;
	struct sockmap_sock *rs;

	if (!st || !sk || !k)
		return 0;
	if (!filter_pass(k)) {
		__sync_fetch_and_add(&st->filtered, 1);
		return 0;
	}
	if (sockmap_cfg.mode == REDIRECT_MODE_AUTO && passive) {
		/* On the stack: 6.1's verifier takes no argument memory as a map key. */
		struct redirect_key key = *k;

		/* No decision recorded: the client end is not one of ours (outside the
		 * cgroup, another namespace, filtered), so there is nothing to pair with. */
		conn = bpf_map_lookup_elem(&sockmap_conns, &key);
		if (!conn) {
			__sync_fetch_and_add(&st->conns_no_peer, 1);
			return 0;
		}
	}
	rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!rs) {
		count_errno(st, -ENOMEM);
		return 0;
	}
	swap_key(k, &rs->peer);
	rs->state = SOCKMAP_UNDECIDED;
	rs->msgs = 0;
	rs->bytes = 0;
	rs->passive = passive;
	rs->svc.netns_cookie = k->netns_cookie;
	rs->svc.port = passive ? k->local_port : k->remote_port;

	if (sockmap_cfg.mode == REDIRECT_MODE_AUTO) {
		if (passive) {
			/* Found above (the verifier does not carry that over). */
			rs->path = conn ? conn->path : RD_PATH_TCP;
		} else {
			rs->path = decide_active(rs, st);
		}
		/* The close (TCP_CLOSE) is where the connection votes: the passive end
		 * always (on TCP it has both directions' counters), the active end when
		 * bypassed (it knows its own messages only). */
		if (passive || rs->path != RD_PATH_TCP)
			bpf_sock_ops_cb_flags_set(ctx, ctx->bpf_sock_ops_cb_flags | BPF_SOCK_OPS_STATE_CB_FLAG);
		if (rs->path == RD_PATH_TCP)
			return 0;
	}
	return 1;
}

/*
 * Sockops stage 3: the socket into the SOCKHASH under its key. 0 or -errno.
 * NOEXIST: a colliding key must never replace another connection's socket.
 * MPTCP subflows are refused here (EOPNOTSUPP on 6.18; refused on 6.1 too)
 * and counted like any failure.
 */
__noinline int rd_sockhash_insert(struct bpf_sock_ops *ctx, struct redirect_key *k)
{
	struct redirect_stats *st;
	struct redirect_key key;
	long err;

	if (!k)
		return -EINVAL;
	/* On the stack: 6.1's verifier takes no argument memory as a map key. */
	key = *k;
	err = bpf_sock_hash_update(ctx, &sockmap_hash, &key, BPF_NOEXIST);
	if (!err && sockmap_cfg.keepalive_s && (st = stats()))
		keepalive_on(ctx, st);
	return err;
}

/* Sockops stage 4: the counters of an insert (0) or its failure (-errno). */
static __noinline void rd_count_insert(long err)
{
	struct redirect_stats *st = stats();

	if (!st)
		return;
	if (!err)
		__sync_fetch_and_add(&st->inserted, 1);
	else
		count_errno(st, err);
}

/* Auto mode, an end reaches TCP_CLOSE: its vote (policy.bpf.h). Returns 0. */
__noinline int rd_closed(struct bpf_sock_ops *ctx)
{
	closed(ctx);
	return 0;
}

static __always_inline void insert(struct bpf_sock_ops *ctx, bool passive)
{
	struct redirect_key k = {};

	if (rd_key(ctx, &k) || !rd_policy(ctx, &k, passive))
		return;
	rd_count_insert(rd_sockhash_insert(ctx, &k));
}

/*
 * Only at ESTABLISHED: before it the tuple is incomplete, after it the peer may
 * already have sent bytes through TCP that redirected bytes would overtake.
 */
SEC("sockops")
int sockmap_insert(struct bpf_sock_ops *ctx)
{
	if (ctx->op == BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB)
		insert(ctx, false);
	else if (ctx->op == BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		insert(ctx, true);
	else if (sockmap_cfg.mode == REDIRECT_MODE_AUTO && ctx->op == BPF_SOCK_OPS_STATE_CB &&
		 ctx->args[1] == BPF_TCP_CLOSE)
		rd_closed(ctx);
	return 1;
}

/* What one message went through: rd_peer_lookup's and rd_msg_policy's results. */
enum rd_msg_outcome {
	RD_MSG_REDIRECTED, /* handed to the peer's receive queue */
	RD_MSG_MISS,       /* the peer is not in the SOCKHASH */
	RD_MSG_PEER_GONE,  /* ... and it was there before: sent by TCP */
	RD_MSG_NO_PEER,    /* ... and never was: TCP for the connection's life */
	RD_MSG_TCP,        /* TCP for good (no record, or decided so before) */
};

/*
 * sk_msg stage 1: the socket's record and, through it, its peer in the SOCKHASH;
 * on a hit the message is redirected and the record counts it (under the sender's
 * socket lock: plain adds). Returns enum rd_msg_outcome.
 */
__noinline int rd_peer_lookup(struct sk_msg_md *msg)
{
	struct bpf_sock *sk = msg->sk;
	struct sockmap_sock *rs;

	if (!sk)
		return RD_MSG_TCP;
	rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, 0);
	if (!rs || rs->state == SOCKMAP_TCP)
		return RD_MSG_TCP;
	if (bpf_msg_redirect_hash(msg, &sockmap_hash, &rs->peer, BPF_F_INGRESS) != SK_PASS)
		return RD_MSG_MISS;
	rs->state = SOCKMAP_REDIRECT;
	rs->msgs++;
	rs->bytes += msg->size;
	return RD_MSG_REDIRECTED;
}

/*
 * sk_msg stage 2, the decision after the lookup: how long the verdict holds, and
 * for a miss whether the peer is gone or the connection is TCP's for good.
 * Returns the final enum rd_msg_outcome.
 */
__noinline int rd_msg_policy(struct sk_msg_md *msg, int outcome)
{
	struct bpf_sock *sk = msg->sk;
	struct sockmap_sock *rs;

	if (outcome == RD_MSG_REDIRECTED) {
		/*
		 * Opt-in (--apply-bytes): the kernel keeps this verdict for the next bytes
		 * without running the program, saving its lookups and atomics per message
		 * (+17% on 64 B-1 KiB streams in `netbpf bench`). The counters then count
		 * verdicts, and a peer that closes inside the window gives EPIPE at once.
		 */
		if (sockmap_cfg.apply_bytes)
			bpf_msg_apply_bytes(msg, sockmap_cfg.apply_bytes);
		return outcome;
	}
	if (outcome == RD_MSG_MISS && sk && (rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, 0))) {
		/* The peer closed and left the map: TCP reports it as it would. */
		if (rs->state == SOCKMAP_REDIRECT)
			return RD_MSG_PEER_GONE;
		/*
		 * The first message found no peer (the other end is remote, outside the
		 * cgroup, filtered, or in another namespace): these bytes go by TCP, so every
		 * later one must too, or it could overtake them in the peer's receive queue.
		 */
		rs->state = SOCKMAP_TCP;
		outcome = RD_MSG_NO_PEER;
	}
	/* Keep the PASS verdict for the next 4 GiB without running this program. */
	bpf_msg_apply_bytes(msg, ~0U);
	return outcome;
}

/* sk_msg stage 3: the counters of one message. Atomic adds even per CPU: sk_msg
 * runs preemptible, only pinned to the CPU. */
static __noinline void rd_count_msg(int outcome, __u32 size)
{
	struct redirect_stats *st = stats();

	if (!st)
		return;
	if (outcome == RD_MSG_REDIRECTED) {
		__sync_fetch_and_add(&st->msgs_redirected, 1);
		__sync_fetch_and_add(&st->bytes_redirected, size);
	} else if (outcome == RD_MSG_PEER_GONE) {
		__sync_fetch_and_add(&st->msgs_peer_gone, 1);
		__sync_fetch_and_add(&st->bytes_peer_gone, size);
	} else if (outcome == RD_MSG_NO_PEER) {
		__sync_fetch_and_add(&st->conns_no_peer, 1);
	}
}

/* Every message passes: a redirect too is SK_PASS, with the target set by the lookup. */
SEC("sk_msg")
int sockmap_verdict(struct sk_msg_md *msg)
{
	__u32 size = msg->size;
	int outcome = rd_msg_policy(msg, rd_peer_lookup(msg));

	if (outcome != RD_MSG_TCP)
		rd_count_msg(outcome, size);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
