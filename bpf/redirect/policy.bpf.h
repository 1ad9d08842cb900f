// SPDX-License-Identifier: GPL-2.0
/*
 * Auto mode of the localhost bypass (see "Auto mode" in redirect.h): the score of
 * each service, the decision of each new connection, and the vote each finished
 * connection casts. Part of sockmap.bpf.c (one BPF object), which includes it after
 * its per-socket storage and helpers: the close reads the socket's record.
 */
#ifndef REDIRECT_POLICY_BPF_H
#define REDIRECT_POLICY_BPF_H

/* Auto mode: the score of each service, and the connections that have not voted yet. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct redirect_svc_key);
	__type(value, struct redirect_svc);
} sockmap_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct redirect_key);
	__type(value, struct redirect_conn);
} sockmap_conns SEC(".maps");

/*
 * Auto mode, active (client) end, which reaches ESTABLISHED first: it follows its
 * service's score, and records the decision for the passive end under the
 * passive end's key (its own peer key), so that both ends decide alike even when
 * the score changes in between.
 */
static __always_inline __u32 decide_active(struct sockmap_sock *rs, struct redirect_stats *st)
{
	struct redirect_conn conn = {};
	struct redirect_svc *svc;
	__u32 n;

	conn.path = RD_PATH_BYPASS;
	svc = bpf_map_lookup_elem(&sockmap_services, &rs->svc);
	if (!svc) {
		struct redirect_svc fresh = {};

		/* NOEXIST: another CPU may have just created it; then use that one. */
		bpf_map_update_elem(&sockmap_services, &rs->svc, &fresh, BPF_NOEXIST);
		svc = bpf_map_lookup_elem(&sockmap_services, &rs->svc);
	}
	/* No room for the service (4096 of them): bypass, as in always mode. */
	if (svc) {
		n = __sync_fetch_and_add(&svc->conns, 1) + 1;
		if (svc->score < 0)
			conn.path = n % RD_PROBE_EVERY ? RD_PATH_TCP : RD_PATH_PROBE;
		if (conn.path == RD_PATH_TCP) {
			__sync_fetch_and_add(&svc->conns_tcp, 1);
			__sync_fetch_and_add(&st->conns_policy_tcp, 1);
		} else {
			__sync_fetch_and_add(&svc->conns_bypassed, 1);
		}
		if (conn.path == RD_PATH_PROBE) {
			__sync_fetch_and_add(&svc->probes, 1);
			__sync_fetch_and_add(&st->conns_probed, 1);
		}
	}
	bpf_map_update_elem(&sockmap_conns, &rs->peer, &conn, BPF_ANY);
	return conn.path;
}

/*
 * Finished connection, message counts of both directions: how it would have fared.
 * Sets *oneway when one direction dominated (then the vote hangs on message sizes).
 */
static __always_inline __u32 classify(const __u64 msgs[2], const __u64 bytes[2], bool sizes_known,
				      bool *oneway)
{
	int hi = msgs[1] > msgs[0];
	__u64 m_hi = msgs[hi], m_lo = msgs[!hi];

	*oneway = false;
	if (m_hi + m_lo <= RD_SHORT_MSGS && bytes[0] + bytes[1] < RD_SHORT_BYTES)
		return RD_VOTE_TCP;
	/* One-way only when one direction dominates in messages and in bytes: small
	 * requests with large replies, or writes of different sizes both ways, are not. */
	if (m_lo * RD_BALANCE >= m_hi || bytes[!hi] * RD_BALANCE >= bytes[hi])
		return RD_VOTE_BYPASS;
	*oneway = true;
	if (!sizes_known)
		return RD_VOTE_NONE;
	return bytes[hi] >= (__u64)RD_BULK_BYTES * m_hi ? RD_VOTE_BYPASS : RD_VOTE_TCP;
}

static __always_inline void vote(const struct redirect_svc_key *key, const __u64 msgs[2],
				 const __u64 bytes[2], bool sizes_known)
{
	struct redirect_svc *svc = bpf_map_lookup_elem(&sockmap_services, key);
	/* A connection that moved much outweighs small ones (a control connection
	 * next to a bulk one, as iperf3 opens). */
	__s32 weight = bytes[0] + bytes[1] >= RD_HEAVY_BYTES ? RD_SCORE_MAX : 1;
	__s32 score;
	bool oneway;
	__u32 v;

	if (!svc)
		return;
	v = classify(msgs, bytes, sizes_known, &oneway);
	/* One-way on TCP: like the last one-way connection whose sizes were seen. */
	if (oneway && sizes_known)
		svc->oneway_vote = v;
	else if (oneway && svc->oneway_vote == RD_VOTE_BYPASS)
		v = RD_VOTE_BYPASS;
	else if (oneway && svc->oneway_vote == RD_VOTE_TCP)
		v = RD_VOTE_TCP;
	score = svc->score;
	/* Constant offsets: a computed index into votes[] would be unbounded. */
	if (v == RD_VOTE_BYPASS) {
		__sync_fetch_and_add(&svc->votes[RD_VOTE_BYPASS], 1);
		score += weight;
	} else if (v == RD_VOTE_TCP) {
		__sync_fetch_and_add(&svc->votes[RD_VOTE_TCP], 1);
		score -= weight;
	} else {
		__sync_fetch_and_add(&svc->votes[RD_VOTE_NONE], 1);
	}
	/* Read, then write: two connections voting at once may lose one vote. */
	svc->score = score > RD_SCORE_MAX ? RD_SCORE_MAX : score < -RD_SCORE_MAX ? -RD_SCORE_MAX : score;
	svc->last_msgs[0] = msgs[0];
	svc->last_msgs[1] = msgs[1];
	svc->last_bytes[0] = bytes[0];
	svc->last_bytes[1] = bytes[1];
	svc->last_vote = v;
}

/* Auto mode, an end reaches TCP_CLOSE: its counts go to the connection's record,
 * and the second end to close casts the connection's vote. */
static __always_inline void closed(struct bpf_sock_ops *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	struct redirect_key ck;
	struct redirect_conn *conn;
	struct sockmap_sock *rs;
	__u64 msgs[2], bytes[2];

	if (!sk)
		return;
	rs = bpf_sk_storage_get(&sockmap_socks, sk, 0, 0);
	if (!rs)
		return;
	if (rs->passive)
		swap_key(&rs->peer, &ck);
	else
		ck = rs->peer;
	if (rs->path == RD_PATH_TCP) {
		/* Only the passive end gets here: TCP's own counters, both directions,
		 * in segments (which TCP may have merged: sizes unknown). */
		msgs[0] = ctx->data_segs_in;
		msgs[1] = ctx->data_segs_out;
		bytes[0] = ctx->bytes_received;
		bytes[1] = ctx->bytes_acked;
		vote(&rs->svc, msgs, bytes, false);
		bpf_map_delete_elem(&sockmap_conns, &ck);
		return;
	}
	if (rs->state == SOCKMAP_TCP) {
		/* Never paired (the server end is not one of ours): the bypass only cost.
		 * Counted as an empty connection, which votes tcp. */
		msgs[0] = msgs[1] = bytes[0] = bytes[1] = 0;
		vote(&rs->svc, msgs, bytes, true);
		bpf_map_delete_elem(&sockmap_conns, &ck);
		return;
	}
	conn = bpf_map_lookup_elem(&sockmap_conns, &ck);
	if (!conn)
		return;
	if (rs->passive) {
		conn->msgs[1] = rs->msgs;
		conn->bytes[1] = rs->bytes;
	} else {
		conn->msgs[0] = rs->msgs;
		conn->bytes[0] = rs->bytes;
	}
	if (__sync_fetch_and_add(&conn->closed, 1) != 1)
		return;
	msgs[0] = conn->msgs[0];
	msgs[1] = conn->msgs[1];
	bytes[0] = conn->bytes[0];
	bytes[1] = conn->bytes[1];
	vote(&rs->svc, msgs, bytes, true);
	bpf_map_delete_elem(&sockmap_conns, &ck);
}

#endif /* REDIRECT_POLICY_BPF_H */
