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

static __always_inline void insert(struct bpf_sock_ops *ctx, bool passive)
{
	struct redirect_stats *st = stats();
	struct redirect_key k = {};
	struct bpf_sock *sk = ctx->sk;
	struct redirect_conn *conn = NULL;
	struct sockmap_sock *rs;
	long err;

	if (!st || !sk)
		return;
	if (ctx->family == AF_INET) {
		ip4_mapped(k.local_ip6, ctx->local_ip4);
		ip4_mapped(k.remote_ip6, ctx->remote_ip4);
	} else if (ctx->family == AF_INET6) {
		/* Context fields: one 4-byte load each at a constant offset, no loop or memcpy. */
		k.local_ip6[0] = ctx->local_ip6[0];
		k.local_ip6[1] = ctx->local_ip6[1];
		k.local_ip6[2] = ctx->local_ip6[2];
		k.local_ip6[3] = ctx->local_ip6[3];
		k.remote_ip6[0] = ctx->remote_ip6[0];
		k.remote_ip6[1] = ctx->remote_ip6[1];
		k.remote_ip6[2] = ctx->remote_ip6[2];
		k.remote_ip6[3] = ctx->remote_ip6[3];
	} else {
		return;
	}
	k.local_port = ctx->local_port;
	k.remote_port = bpf_ntohl(ctx->remote_port);
	if (!filter_pass(&k)) {
		__sync_fetch_and_add(&st->filtered, 1);
		return;
	}
	/* A loopback connection cannot leave its namespace: it always keeps the cookie. */
	if (!sockmap_cfg.cross_netns || is_loopback(k.local_ip6) || is_loopback(k.remote_ip6))
		k.netns_cookie = bpf_get_netns_cookie(ctx);
	k.snd_nxt = ctx->snd_nxt;
	k.rcv_nxt = ctx->rcv_nxt;

	if (sockmap_cfg.mode == REDIRECT_MODE_AUTO && passive) {
		/* No decision recorded: the client end is not one of ours (outside the
		 * cgroup, another namespace, filtered), so there is nothing to pair with. */
		conn = bpf_map_lookup_elem(&sockmap_conns, &k);
		if (!conn) {
			__sync_fetch_and_add(&st->conns_no_peer, 1);
			return;
		}
	}
	rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!rs) {
		count_errno(st, -ENOMEM);
		return;
	}
	swap_key(&k, &rs->peer);
	rs->state = SOCKMAP_UNDECIDED;
	rs->msgs = 0;
	rs->bytes = 0;
	rs->passive = passive;
	rs->svc.netns_cookie = k.netns_cookie;
	rs->svc.port = passive ? k.local_port : k.remote_port;

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
			return;
	}

	/* NOEXIST: a colliding key must never replace another connection's socket.
	 * MPTCP subflows are refused here (EOPNOTSUPP on 6.18; refused on 6.1 too)
	 * and counted like any failure. */
	err = bpf_sock_hash_update(ctx, &sockmap_hash, &k, BPF_NOEXIST);
	if (!err) {
		__sync_fetch_and_add(&st->inserted, 1);
		if (sockmap_cfg.keepalive_s)
			keepalive_on(ctx, st);
		return;
	}
	count_errno(st, err);
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
		closed(ctx);
	return 1;
}

SEC("sk_msg")
int sockmap_verdict(struct sk_msg_md *msg)
{
	struct redirect_stats *st;
	struct bpf_sock *sk = msg->sk;
	struct sockmap_sock *rs;
	__u32 size = msg->size;

	if (!sk)
		return SK_PASS;
	rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, 0);
	if (!rs || rs->state == SOCKMAP_TCP)
		goto tcp_for_good;
	/* Atomic adds even per CPU: sk_msg runs preemptible, only pinned to the CPU. */
	st = stats();
	if (bpf_msg_redirect_hash(msg, &sockmap_hash, &rs->peer, BPF_F_INGRESS) == SK_PASS) {
		rs->state = SOCKMAP_REDIRECT;
		/* Under the sender's socket lock: plain adds. */
		rs->msgs++;
		rs->bytes += size;
		/*
		 * Opt-in (--apply-bytes): the kernel keeps this verdict for the next bytes
		 * without running the program, saving its lookups and atomics per message
		 * (+17% on 64 B-1 KiB streams in `netbpf bench`). The counters then count
		 * verdicts, and a peer that closes inside the window gives EPIPE at once.
		 */
		if (sockmap_cfg.apply_bytes)
			bpf_msg_apply_bytes(msg, sockmap_cfg.apply_bytes);
		if (st) {
			__sync_fetch_and_add(&st->msgs_redirected, 1);
			__sync_fetch_and_add(&st->bytes_redirected, size);
		}
		return SK_PASS;
	}
	if (rs->state == SOCKMAP_REDIRECT) {
		/* The peer closed and left the map: TCP reports it as it would. */
		if (st) {
			__sync_fetch_and_add(&st->msgs_peer_gone, 1);
			__sync_fetch_and_add(&st->bytes_peer_gone, size);
		}
		return SK_PASS;
	}
	/*
	 * The first message found no peer (the other end is remote, outside the
	 * cgroup, filtered, or in another namespace): these bytes go by TCP, so every
	 * later one must too, or it could overtake them in the peer's receive queue.
	 */
	rs->state = SOCKMAP_TCP;
	if (st)
		__sync_fetch_and_add(&st->conns_no_peer, 1);
tcp_for_good:
	/* Keep the PASS verdict for the next 4 GiB without running this program. */
	bpf_msg_apply_bytes(msg, ~0U);
	return SK_PASS;
}

char LICENSE[] SEC("license") = "GPL";
