/*
 * HTTP/1.x message framing over a byte stream per direction (RFC 9112 section 6):
 * where heads and bodies end (Content-Length, chunked, close-delimited), and
 * resynchronisation after errors and gaps. Every byte is looked at once; lines
 * are buffered up to limits.max_line and bodies are counted, never buffered
 * beyond limits.max_body: memory per connection stays bounded whatever arrives.
 * Top of the parser's stack: the public API of parse.h is here.
 */
#include <string.h>

#include "http/head.h"
#include "http/mem.h"
#include "http/store.h"

static void count_bytes(struct http_conn *c, enum http_dir dir, uint64_t n, int body)
{
	struct http_message *m = store_msg(c, dir);

	if (!m)
		return;
	m->bytes += n;
	if (body)
		m->body_bytes += n;
}

static void keep_body(struct http_conn *c, enum http_dir dir, const uint8_t *d, size_t n)
{
	struct http_message *m = store_msg(c, dir);
	uint32_t room;

	if (!m || !c->lim.max_body)
		return;
	if (!m->body) {
		m->body = http_mem_alloc(c, c->lim.max_body);
		if (!m->body) {
			c->cur[dir]->flags |= HTTP_F_NO_MEMORY;
			return;
		}
	}
	/* One byte stays free for the terminating NUL. Cutting here is what --max-body
	 * asks for, not a truncation to report: body_bytes has the full size. */
	room = c->lim.max_body - 1 - m->body_len;
	if (n > room)
		n = room;
	for (size_t i = 0; i < n; i++) {
		char ch = d[i];

		m->body[m->body_len++] = (ch >= 0x20 && ch < 0x7f) || ch == '\n' ||
					 ch == '\r' || ch == '\t' ? ch : '.';
	}
}

/* The current message of this half ended normally. */
static void msg_done(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	struct http_exchange *ex = c->cur[dir];

	h->state = c->upgraded ? ST_DEAD : ST_IDLE;
	c->cur[dir] = NULL;
	/* A request is reported with its response, not when it ends. */
	if (dir == HTTP_DIR_RESP && (ex || h->dropped))
		store_answered(c, ex);
	h->dropped = 0;
}

/* Framing was lost: finish what can be finished and wait for a new start. */
static void half_lost(struct http_conn *c, struct http_half *h, enum http_dir dir, uint32_t why)
{
	struct http_exchange *ex = c->cur[dir];

	if (ex || h->dropped) {
		if (ex)
			ex->flags |= why;
		if (dir == HTTP_DIR_RESP)
			msg_done(c, h, dir);
		else if (h->state == ST_HEADER)
			store_queue_push(c, ex); /* the request line is known: report it */
		/* else: a request in its body is queued already */
		c->cur[dir] = NULL;
		h->dropped = 0;
	}
	h->state = c->upgraded ? ST_DEAD : ST_SYNC;
	c->resyncs++;
	h->line_len = 0;
	h->line_bytes = 0;
	h->line_overflow = 0;
}

/*
 * The empty line that ends a head: choose how the body is delimited (RFC 9112 6.3).
 * Transfer-Encoding wins over Content-Length (flagged: a peer that reads the other
 * one sees different messages); chunked only as the final coding; -1 for a request
 * whose length cannot be known.
 */
static int on_head_end(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	struct http_exchange *ex = c->cur[dir];

	if (h->te && h->content_length >= 0 && ex)
		ex->flags |= HTTP_F_AMBIGUOUS;
	if (dir == HTTP_DIR_REQ) {
		if (h->te && !h->chunked)
			return -1;
		if (ex || h->dropped)
			store_queue_push(c, ex);
	} else {
		int st = h->status;
		int no_body = (st >= 100 && st < 200) || st == 204 || st == 304 ||
			      (ex && !strcmp(ex->method, "HEAD"));

		if (st >= 100 && st < 200 && st != 101) {
			/* Interim response (100 Continue): the final one follows, for the
			 * same exchange (the status line finds it again). */
			h->state = ST_IDLE;
			c->cur[dir] = NULL;
			return 0;
		}
		if (st == 101 || (ex && !strcmp(ex->method, "CONNECT") && st >= 200 && st < 300)) {
			c->upgraded = 1;
			http_conn_eof(c, HTTP_DIR_REQ, 0);
			msg_done(c, h, dir);
			return 0;
		}
		if (no_body) {
			msg_done(c, h, dir);
			return 0;
		}
		if (h->te && !h->chunked) {
			h->state = ST_BODY_CLOSE;
			return 0;
		}
	}
	if (h->chunked) {
		h->state = ST_CHUNK_SIZE;
	} else if (h->content_length > 0) {
		h->remaining = h->content_length;
		h->state = ST_BODY_LEN;
	} else if (h->content_length == 0 || dir == HTTP_DIR_REQ) {
		msg_done(c, h, dir);
	} else {
		h->state = ST_BODY_CLOSE;
	}
	return 0;
}

/* A complete line (LF stripped) in a line-oriented state; -1 on framing error. */
static int on_line(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	const char *l = h->line;
	size_t n = head_trim_len(l, h->line_len);
	int64_t sz;

	switch (h->state) {
	case ST_FIRST:
		head_begin(h);
		if (dir == HTTP_DIR_REQ ? head_request_line(c, h, l, n) : head_status_line(c, h, l, n))
			return -1;
		h->state = ST_HEADER;
		return 0;
	case ST_HEADER:
		if (h->line_overflow && c->cur[dir])
			c->cur[dir]->flags |= HTTP_F_TRUNCATED;
		if (n == 0 && !h->line_overflow)
			return on_head_end(c, h, dir);
		return head_field(c, h, dir, l, n);
	case ST_CHUNK_SIZE:
		sz = head_number(l, n, 16);
		if (sz < 0)
			return -1;
		if (sz == 0) {
			h->state = ST_TRAILER;
		} else {
			h->remaining = sz;
			h->state = ST_CHUNK_DATA;
		}
		return 0;
	case ST_CHUNK_END:
		if (n != 0)
			return -1;
		h->state = ST_CHUNK_SIZE;
		return 0;
	case ST_TRAILER:
		if (n == 0 && !h->line_overflow)
			msg_done(c, h, dir);
		return 0;
	default:
		return -1;
	}
}

void http_conn_feed(struct http_conn *c, enum http_dir dir, const uint8_t *d, size_t len,
		    uint64_t ts_ns)
{
	struct http_half *h = c->half[dir];

	if (h->state == ST_SYNC) {
		/* Resynchronise only where a send or segment starts a message. */
		int kind = http_sniff_start(d, len);

		if (kind != (dir == HTTP_DIR_REQ ? 1 : 2))
			return;
		h->state = ST_IDLE;
	}
	while (len) {
		int done, first, body;
		size_t n;

		switch (h->state) {
		case ST_DEAD:
		case ST_SYNC:
			return;
		case ST_IDLE:
			/* RFC 9112 2.2: ignore empty lines before a request line. */
			if (*d == '\r' || *d == '\n') {
				d++;
				len--;
				continue;
			}
			h->state = ST_FIRST;
			c->cur[dir] = NULL;
			h->status = 0;
			/* Kept until the first line names the exchange it belongs to. */
			h->first_ts = ts_ns;
			continue;
		case ST_BODY_LEN:
		case ST_CHUNK_DATA:
			n = len < h->remaining ? len : h->remaining;
			count_bytes(c, dir, n, 1);
			keep_body(c, dir, d, n);
			h->remaining -= n;
			d += n;
			len -= n;
			if (!h->remaining) {
				if (h->state == ST_BODY_LEN)
					msg_done(c, h, dir);
				else
					h->state = ST_CHUNK_END;
			}
			continue;
		case ST_BODY_CLOSE:
			count_bytes(c, dir, len, 1);
			keep_body(c, dir, d, len);
			return;
		default:
			break;
		}
		/* Line states. A first line has no exchange to count into until parsed. */
		first = h->state == ST_FIRST;
		body = !first && h->state != ST_HEADER;
		n = head_take_line(c, h, dir, d, len, &done);
		if (!first)
			count_bytes(c, dir, n, body);
		d += n;
		len -= n;
		if (!done)
			continue;
		if (on_line(c, h, dir)) {
			half_lost(c, h, dir, HTTP_F_MALFORMED);
			return;
		}
		if (first) {
			if (c->cur[dir])
				store_msg(c, dir)->ts_ns = h->first_ts;
			count_bytes(c, dir, h->line_bytes, 0);
		}
		h->line_len = 0;
		h->line_bytes = 0;
		h->line_overflow = 0;
	}
}

void http_conn_gap(struct http_conn *c, enum http_dir dir, uint64_t len,
		   uint64_t ts_ns __attribute__((unused)))
{
	struct http_half *h = c->half[dir];
	int unknown = len == HTTP_GAP_UNKNOWN;

	if (c->cur[dir])
		c->cur[dir]->flags |= HTTP_F_GAP;
	switch (h->state) {
	case ST_SYNC:
	case ST_DEAD:
	case ST_IDLE:
		if (h->state == ST_IDLE) {
			h->state = ST_SYNC;
			c->resyncs++;
		}
		return;
	case ST_BODY_CLOSE:
		if (!unknown)
			count_bytes(c, dir, len, 1);
		return;
	case ST_BODY_LEN:
	case ST_CHUNK_DATA:
		if (unknown) {
			half_lost(c, h, dir, HTTP_F_GAP);
			return;
		}
		if (len < h->remaining) {
			count_bytes(c, dir, len, 1);
			h->remaining -= len;
			return;
		}
		count_bytes(c, dir, h->remaining, 1);
		if (h->state == ST_CHUNK_DATA) {
			half_lost(c, h, dir, HTTP_F_GAP);
			return;
		}
		/* What lies beyond the body is unknown: report it, then resynchronise. */
		msg_done(c, h, dir);
		if (h->state != ST_DEAD) {
			h->state = ST_SYNC;
			c->resyncs++;
		}
		return;
	default:
		if (!unknown)
			count_bytes(c, dir, len, 0);
		half_lost(c, h, dir, HTTP_F_GAP);
	}
}

void http_conn_eof(struct http_conn *c, enum http_dir dir, uint64_t ts_ns __attribute__((unused)))
{
	struct http_half *h = c->half[dir];

	/* Anything but a close-delimited body was cut short. */
	if ((c->cur[dir] || h->dropped) && h->state != ST_BODY_CLOSE)
		half_lost(c, h, dir, HTTP_F_GAP);
	else if (c->cur[dir] || h->dropped)
		msg_done(c, h, dir);
	c->cur[dir] = NULL;
	h->state = ST_DEAD;
}

static void half_free(struct http_conn *c, struct http_half *h)
{
	if (!h)
		return;
	http_mem_free(c, h->line, h->line_size);
	http_mem_free(c, h, sizeof(*h));
}

void http_conn_finish(struct http_conn *c, uint64_t ts_ns)
{
	if (c->half[0] && c->half[1]) {
		/* The response in progress first: it answers the oldest queued request. */
		http_conn_eof(c, HTTP_DIR_RESP, ts_ns);
		http_conn_eof(c, HTTP_DIR_REQ, ts_ns);
		store_flush(c);
	}
	half_free(c, c->half[0]);
	half_free(c, c->half[1]);
	c->half[0] = c->half[1] = NULL;
}

size_t http_conn_mem(const struct http_conn *c)
{
	return c->mem;
}

int http_conn_init(struct http_conn *c, const struct http_limits *lim,
		   http_exchange_cb cb, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->lim = *lim;
	if (c->lim.max_line < HTTP_LINE_START)
		c->lim.max_line = HTTP_LINE_START;
	if (c->lim.max_line > HTTP_LINE_CAP)
		c->lim.max_line = HTTP_LINE_CAP;
	if (c->lim.max_body > HTTP_BODY_CAP)
		c->lim.max_body = HTTP_BODY_CAP;
	if (c->lim.max_body == 1)
		c->lim.max_body = 2; /* room for one byte and the NUL */
	c->cb = cb;
	c->ctx = ctx;
	for (int d = 0; d < 2; d++) {
		struct http_half *h = http_mem_alloc(c, sizeof(*h));

		if (!h)
			goto err;
		c->half[d] = h;
		h->line = http_mem_alloc(c, HTTP_LINE_START);
		if (!h->line)
			goto err;
		h->line_size = HTTP_LINE_START;
		/* Start in sync: the sniffer hands over connections at a message start. */
		h->state = ST_IDLE;
	}
	return 0;
err:
	http_conn_finish(c, 0);
	return -1;
}
