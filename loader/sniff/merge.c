/* The sniff sources merged: a parser per connection; exchanges wait for their processes. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "sniff/merge.h"

#define MAX_CONNS   1024
#define IDLE_NS     (60ULL * 1000000000)
#define MAX_PENDING 4096 /* exchanges held for the socket events read after them */
/*
 * How long an exchange with an end of unknown process waits for it. The socket
 * source reports a write() at its exit, and the packets it sent can reach the peer,
 * be answered and be read from the wire before the writer returns (a writer
 * descheduled in between: seen in slow guests). Only an end at one of the
 * namespace's addresses waits (local.h); one there that no traced process owns
 * costs its exchanges this delay.
 */
#define PID_WAIT_NS (100ULL * 1000000)

/*
 * An exchange waiting to be printed. The processes at its ends come from socket
 * events, and those may still sit in the ring buffer when the wire completes
 * the exchange: exchanges are printed after the ring buffer was read.
 */
struct pending {
	struct pending *next;
	size_t charged;           /* bytes taken from the memory budget */
	uint64_t due_ns;          /* CLOCK_MONOTONIC: printed by then, pids known or not */
	enum sniff_source src;
	struct sniff_party p[2];
	struct http_exchange ex;
};

static void flush_pending(struct sniff_merge *s, int all);

/* Could a socket event still name this end's process? */
static int awaits_pid(const struct sniff_merge *s, const struct sniff_party *p)
{
	return p->pid < 0 && local_addr_has(&s->local, p->ep.addr);
}

static void on_exchange(void *ctx, const struct http_exchange *ex)
{
	struct conn_src *cs = ctx;
	struct conn *c = cs->conn;
	struct sniff_merge *s = cs->owner;
	struct sniff_party p[2];
	struct pending *pe;
	size_t need;
	int cl = c->client < 0 ? 0 : c->client, waits;

	for (int i = 0; i < 2; i++) {
		int e = i == 0 ? cl : 1 - cl;

		p[i].ep = c->ep[e];
		p[i].pid = c->pid[e];
		memcpy(p[i].comm, c->comm[e], sizeof(p[i].comm));
	}
	if (s->npend >= MAX_PENDING)
		flush_pending(s, 1);
	/* Waiting costs memory: over the budget, print now (pids may be missing). */
	need = sizeof(*pe) + (ex->req.body ? ex->req.body_len + 1 : 0) +
	       (ex->resp.body ? ex->resp.body_len + 1 : 0);
	/* Nothing to wait for (no socket source, or every end without a process is in
	 * another namespace, and nothing queued ahead): printed without a copy. */
	waits = s->src.sock && (awaits_pid(s, &p[0]) || awaits_pid(s, &p[1]));
	if (!s->src.sock || (!waits && !s->pend_head) || http_budget_take(&s->budget, need))
		goto print_now;
	pe = malloc(sizeof(*pe)); /* every field set below: no need to clear 5 KiB */
	if (!pe) {
		http_budget_put(&s->budget, need);
		goto print_now;
	}
	pe->next = NULL;
	pe->charged = need;
	pe->due_ns = waits ? clock_ns(CLOCK_MONOTONIC) + PID_WAIT_NS : 0;
	pe->src = cs->src;
	memcpy(pe->p, p, sizeof(p));
	pe->ex = *ex;
	/* Bodies belong to the parser: keep copies (NULL if out of memory: not printed). */
	pe->ex.req.body = ex->req.body ? strdup(ex->req.body) : NULL;
	pe->ex.resp.body = ex->resp.body ? strdup(ex->resp.body) : NULL;
	*s->pend_tail = pe;
	s->pend_tail = &pe->next;
	s->npend++;
	return;
print_now:
	flush_pending(s, 1);
	sniff_out_exchange(&s->out, cs->src, p, ex);
}

/* Prints the waiting exchanges in order: all, or those up to the first whose
 * processes are still unknown and whose wait is not over. */
static void flush_pending(struct sniff_merge *s, int all)
{
	uint64_t now = all ? 0 : clock_ns(CLOCK_MONOTONIC);
	struct pending *pe;

	while ((pe = s->pend_head)) {
		struct conn *c = conn_lookup(&s->conns, &pe->p[0].ep, &pe->p[1].ep);

		for (int i = 0; c && i < 2; i++) {
			int e = conn_side(c, &pe->p[i].ep);

			if (pe->p[i].pid < 0 && c->pid[e] >= 0) {
				pe->p[i].pid = c->pid[e];
				memcpy(pe->p[i].comm, c->comm[e], sizeof(pe->p[i].comm));
			}
		}
		if (!all && (awaits_pid(s, &pe->p[0]) || awaits_pid(s, &pe->p[1])) &&
		    now < pe->due_ns)
			break;
		sniff_out_exchange(&s->out, pe->src, pe->p, &pe->ex);
		s->pend_head = pe->next;
		s->npend--;
		free(pe->ex.req.body);
		free(pe->ex.resp.body);
		http_budget_put(&s->budget, pe->charged);
		free(pe);
	}
	if (!s->pend_head)
		s->pend_tail = &s->pend_head;
}

/*
 * A socket event about an earlier connection between the same addresses and
 * ports (the wire read ahead and saw them reused): its exchanges may still wait
 * in the pending list for the process at that end.
 */
static void pending_learn(struct sniff_merge *s, const struct endpoint *local,
			  const struct endpoint *remote, const struct sniff_sock_event *ev)
{
	for (struct pending *pe = s->pend_head; pe; pe = pe->next) {
		for (int i = 0; i < 2; i++) {
			if (pe->p[i].pid < 0 && endpoint_equal(&pe->p[i].ep, local) &&
			    endpoint_equal(&pe->p[1 - i].ep, remote)) {
				pe->p[i].pid = ev->pid;
				memcpy(pe->p[i].comm, ev->comm, sizeof(pe->p[i].comm));
			}
		}
	}
}

static struct http_conn *parser(struct sniff_merge *s, struct conn *c, enum sniff_source src)
{
	if (!c->http_on[src]) {
		c->cbctx[src] = (struct conn_src){ .conn = c, .src = src, .owner = s };
		if (http_conn_init(&c->http[src], &s->lim, on_exchange, &c->cbctx[src]))
			return NULL;
		c->http_on[src] = 1;
	}
	return &c->http[src];
}

static void parser_finish(struct conn *c, enum sniff_source src, uint64_t now)
{
	if (!c->http_on[src])
		return;
	c->http_on[src] = 0;
	http_conn_finish(&c->http[src], now);
}

static void conn_end(struct sniff_merge *s, struct conn *c, uint64_t now)
{
	for (int src = 0; src < SRC_MAX; src++)
		parser_finish(c, src, now);
	conn_del(&s->conns, c);
}

static struct conn *conn_get(struct sniff_merge *s, const struct endpoint *a,
			     const struct endpoint *b, uint64_t now, int create)
{
	struct conn *c = conn_find(&s->conns, a, b, now);

	if (c || !create)
		return c;
	/* Full: the connection idle longest makes room (its pending requests are reported). */
	if (s->conns.count >= s->conns.max)
		conn_end(s, conn_oldest(&s->conns), now);
	return conn_add(&s->conns, a, b, now);
}

/* HTTP direction of bytes sent by c->ep[sender]; -1 while the client is unknown. */
static int direction(struct conn *c, int sender, const uint8_t *d, size_t len)
{
	if (c->client < 0) {
		int kind = http_sniff_start(d, len);

		if (!kind)
			return -1;
		c->client = kind == 1 ? sender : 1 - sender;
	}
	return sender == c->client ? HTTP_DIR_REQ : HTTP_DIR_RESP;
}

static void on_segment(struct sniff_merge *s, struct segment *sg, uint64_t now)
{
	struct conn *c = conn_find(&s->conns, &sg->src, &sg->dst, now);
	int i, dir;
	int32_t delta;

	/* Closed, then a request between the same addresses and ports: a new connection. */
	if (c && c->wire_closed && http_sniff_start(sg->payload, sg->len) == 1) {
		conn_end(s, c, now);
		c = NULL;
	}
	if (!c) {
		if (!sg->len || !(c = conn_get(s, &sg->src, &sg->dst, now, 1)))
			return;
		/* Socket events from before this segment are news of an earlier connection. */
		c->wire_start_ns = now;
	}
	if (c->owner == SRC_SOCKET)
		return;
	i = conn_side(c, &sg->src);
	if (sg->flags & TCP_RST) {
		c->wire_closed = 1;
		parser_finish(c, SRC_WIRE, now);
		return;
	}
	dir = direction(c, i, sg->payload, sg->len);
	if (dir < 0 || !parser(s, c, SRC_WIRE))
		return;
	if (!c->seq_known[i]) {
		c->next_seq[i] = sg->seq;
		c->seq_known[i] = 1;
	}
	delta = (int32_t)(sg->seq - c->next_seq[i]);
	if (delta > 0) {
		http_conn_gap(&c->http[SRC_WIRE], dir, delta, now);
	} else if (delta < 0) {
		/* Retransmitted bytes were parsed already. */
		size_t old = -(int64_t)delta;

		if (old >= sg->len)
			goto fin;
		sg->payload += old;
		sg->len -= old;
	}
	if (sg->len) {
		c->owner = SRC_WIRE;
		http_conn_feed(&c->http[SRC_WIRE], dir, sg->payload, sg->len, now);
	}
	c->next_seq[i] = sg->seq + (delta < 0 ? -delta : 0) + sg->len;
fin:
	if ((sg->flags & TCP_FIN) && c->http_on[SRC_WIRE]) {
		c->fin[i] = 1;
		http_conn_eof(&c->http[SRC_WIRE], dir, now);
		if (c->fin[1 - i]) {
			c->wire_closed = 1;
			parser_finish(c, SRC_WIRE, now);
		}
	}
}

static void on_packet(void *ctx, const uint8_t *pkt, size_t caplen, size_t len, uint64_t ts_ns)
{
	struct sniff_merge *s = ctx;
	struct segment sg;

	sniff_out_packet(&s->out, pkt, caplen, len, ts_ns);
	if (!sniff_segment_parse(pkt, caplen, &sg))
		on_segment(s, &sg, ts_ns);
}

static int read_packets(struct sniff_merge *s, int max)
{
	return s->src.wire ? sniff_src_read_packets(&s->src, max, on_packet, s) : 0;
}

int sniff_merge_sock_event(void *ctx, void *data, size_t size)
{
	struct sniff_merge *s = ctx;
	const struct sniff_sock_event *ev = data;
	const uint8_t *payload = (const uint8_t *)(ev + 1);
	struct endpoint local = { .port = ntohs(ev->lport) };
	struct endpoint remote = { .port = ntohs(ev->rport) };
	uint64_t now = ev->ts_ns + s->mono_to_real;
	struct conn *c;
	int li, sender, dir;

	if (size < sizeof(*ev) + ev->cap)
		return 0;
	memcpy(local.addr, ev->laddr, 16);
	memcpy(remote.addr, ev->raddr, 16);
	/*
	 * --source all: a connection belongs to the source that first carried its
	 * payload. A segment is queued on the packet socket before its sender's
	 * write() returns, so reading that queue before a connection (or a reuse of
	 * its addresses and ports) is claimed settles which came first.
	 */
	c = conn_lookup(&s->conns, &local, &remote);
	if (s->src.wire && ev->kind <= SNIFF_SOCK_IN &&
	    (!c || c->owner < 0 || c->ino[conn_side(c, &local)] != ev->ino))
		read_packets(s, INT32_MAX);
	c = conn_get(s, &local, &remote, now, ev->kind <= SNIFF_SOCK_IN);
	if (!c)
		return 0;
	if (now < c->wire_start_ns) {
		pending_learn(s, &local, &remote, ev);
		return 0;
	}
	li = conn_side(c, &local);
	if (c->ino[li] != ev->ino) {
		/* End of stream or close of a socket this connection does not know: late news
		 * of an earlier connection between the same addresses and ports. */
		if (ev->kind > SNIFF_SOCK_IN)
			return 0;
		/* Data from another socket at this end: the addresses and ports were reused. */
		if (c->ino[li]) {
			conn_end(s, c, now);
			c = conn_get(s, &local, &remote, now, 1);
			if (!c)
				return 0;
			li = conn_side(c, &local);
		}
		c->ino[li] = ev->ino;
	}
	/* The first process seen at an end: for a client, the one that sent the request. */
	if (c->pid[li] < 0) {
		c->pid[li] = ev->pid;
		memcpy(c->comm[li], ev->comm, sizeof(c->comm[li]));
	}
	if (c->owner == SRC_WIRE) {
		sniff_src_mute(&s->src, ev);
		return 0;
	}
	/* Both ends of a local connection are traced: follow the first one seen. */
	if (!c->sock_observer && ev->kind <= SNIFF_SOCK_IN)
		c->sock_observer = ev->ino;
	if (c->sock_observer != ev->ino)
		return 0;
	if (ev->kind == SNIFF_SOCK_CLOSE) {
		parser_finish(c, SRC_SOCKET, now);
		return 0;
	}
	sender = ev->kind == SNIFF_SOCK_OUT ? li : 1 - li;
	if (ev->kind == SNIFF_SOCK_EOF) {
		if (c->http_on[SRC_SOCKET] && c->client >= 0)
			http_conn_eof(&c->http[SRC_SOCKET],
				      sender == c->client ? HTTP_DIR_REQ : HTTP_DIR_RESP, now);
		return 0;
	}
	dir = direction(c, sender, payload, ev->cap);
	if (dir < 0 || !parser(s, c, SRC_SOCKET))
		return 0;
	c->owner = SRC_SOCKET;
	if (ev->cap)
		http_conn_feed(&c->http[SRC_SOCKET], dir, payload, ev->cap, now);
	if (!ev->len)
		http_conn_gap(&c->http[SRC_SOCKET], dir, HTTP_GAP_UNKNOWN, now);
	else if (ev->len > ev->cap)
		http_conn_gap(&c->http[SRC_SOCKET], dir, ev->len - ev->cap, now);
	return 0;
}

int sniff_merge_init(struct sniff_merge *s, const struct http_limits *lim, size_t max_memory,
		     int json, uint64_t count, const char *pcap_path, int force)
{
	int err;

	s->pend_tail = &s->pend_head;
	sniff_src_init(&s->src);
	s->lim = *lim;
	s->budget.max = max_memory;
	s->lim.budget = &s->budget;
	if (conn_table_init(&s->conns, MAX_CONNS) ||
	    sniff_out_init(&s->out, json, count, pcap_path, force))
		return -1;
	err = local_addrs_load(&s->local);
	if (err)
		pr_warn("failed to list the namespace's addresses (%s): only loopback ends wait "
			"for their process\n", strerror(-err));
	return 0;
}

int sniff_merge_drain(struct sniff_merge *s, int max_packets)
{
	int n = read_packets(s, max_packets), ev;

	if (s->src.rb) {
		ev = ring_buffer__consume(s->src.rb);
		if (ev > 0)
			n += ev;
	}
	flush_pending(s, 0);
	return n;
}

void sniff_merge_expire(struct sniff_merge *s, uint64_t now)
{
	while (conn_oldest(&s->conns) && conn_oldest(&s->conns)->last_ns + IDLE_NS < now)
		conn_end(s, conn_oldest(&s->conns), now);
}

void sniff_merge_end_all(struct sniff_merge *s, uint64_t now)
{
	while (conn_oldest(&s->conns))
		conn_end(s, conn_oldest(&s->conns), now);
	flush_pending(s, 1);
}

void sniff_merge_close(struct sniff_merge *s)
{
	flush_pending(s, 1);
	if (s->conns.buckets)
		conn_table_free(&s->conns);
	sniff_out_close(&s->out);
	sniff_src_close(&s->src);
}
