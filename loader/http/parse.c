/*
 * HTTP/1.x message framing over a byte stream per direction (RFC 9112 section 6):
 * where heads and bodies end (Content-Length, chunked, close-delimited), and
 * resynchronisation after errors and gaps. Every byte is looked at once; lines
 * are buffered up to limits.max_line and bodies are counted, never buffered
 * beyond limits.max_body: memory per connection stays bounded whatever arrives.
 */
#include <string.h>

#include "http/half.h"

static void count_bytes(struct http_half *h, enum http_dir dir, uint64_t n, int body)
{
	struct http_message *m = http_msg_of(h, dir);

	if (!m)
		return;
	m->bytes += n;
	if (body)
		m->body_bytes += n;
}

static void keep_body(struct http_conn *c, struct http_half *h, enum http_dir dir,
		      const uint8_t *d, size_t n)
{
	struct http_message *m = http_msg_of(h, dir);
	uint32_t room;

	if (!m || !c->lim.max_body)
		return;
	if (!m->body) {
		m->body = http_mem_alloc(c, c->lim.max_body);
		if (!m->body)
			return;
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
	struct http_exchange *ex = h->ex;

	h->state = c->upgraded ? ST_DEAD : ST_IDLE;
	h->ex = NULL;
	/* A request is reported with its response, not when it ends. */
	if (dir == HTTP_DIR_RESP && ex)
		http_ex_answered(c, ex);
}

/* Framing was lost: finish what can be finished and wait for a new start. */
static void half_lost(struct http_conn *c, struct http_half *h, enum http_dir dir, uint32_t why)
{
	if (h->ex) {
		h->ex->flags |= why;
		if (dir == HTTP_DIR_RESP)
			msg_done(c, h, dir);
		else if (h->state == ST_HEADER)
			http_queue_push(c, h->ex); /* the request line is known: report it */
		/* else: a request in its body is queued already */
		h->ex = NULL;
	}
	h->state = c->upgraded ? ST_DEAD : ST_SYNC;
	c->resyncs++;
	h->line_len = 0;
	h->line_bytes = 0;
	h->line_overflow = 0;
}

/* The empty line that ends a head: choose how the body is delimited. */
static void on_head_end(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	struct http_exchange *ex = h->ex;

	if (dir == HTTP_DIR_REQ) {
		if (ex)
			http_queue_push(c, ex);
	} else {
		int st = h->status;
		int no_body = (st >= 100 && st < 200) || st == 204 || st == 304 ||
			      (ex && !strcmp(ex->method, "HEAD"));

		if (st >= 100 && st < 200 && st != 101) {
			/* Interim response (100 Continue): the final one follows. */
			h->state = ST_IDLE;
			return;
		}
		if (st == 101 || (ex && !strcmp(ex->method, "CONNECT") && st >= 200 && st < 300)) {
			c->upgraded = 1;
			http_conn_eof(c, HTTP_DIR_REQ, 0);
			msg_done(c, h, dir);
			return;
		}
		if (no_body) {
			msg_done(c, h, dir);
			return;
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
}

/* A complete line (LF stripped) in a line-oriented state; -1 on framing error. */
static int on_line(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	const char *l = h->line;
	size_t n = http_trim_len(l, h->line_len);
	int64_t sz;

	switch (h->state) {
	case ST_FIRST:
		h->content_length = -1;
		h->chunked = 0;
		if (dir == HTTP_DIR_REQ ? http_on_request_line(c, h, l, n) : http_on_status_line(c, h, l, n))
			return -1;
		h->state = ST_HEADER;
		return 0;
	case ST_HEADER:
		if (h->line_overflow && h->ex)
			h->ex->flags |= HTTP_F_TRUNCATED;
		if (n == 0 && !h->line_overflow) {
			on_head_end(c, h, dir);
			return 0;
		}
		return http_on_header(c, h, dir, l, n);
	case ST_CHUNK_SIZE:
		sz = http_parse_number(l, n, 16);
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
			h->ex = NULL;
			h->status = 0;
			/* Kept until the first line names the exchange it belongs to. */
			h->first_ts = ts_ns;
			continue;
		case ST_BODY_LEN:
		case ST_CHUNK_DATA:
			n = len < h->remaining ? len : h->remaining;
			count_bytes(h, dir, n, 1);
			keep_body(c, h, dir, d, n);
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
			count_bytes(h, dir, len, 1);
			keep_body(c, h, dir, d, len);
			return;
		default:
			break;
		}
		/* Line states. A first line has no exchange to count into until parsed. */
		first = h->state == ST_FIRST;
		body = !first && h->state != ST_HEADER;
		n = http_take_line(c, h, d, len, &done);
		if (!first)
			count_bytes(h, dir, n, body);
		d += n;
		len -= n;
		if (!done)
			continue;
		if (on_line(c, h, dir)) {
			half_lost(c, h, dir, HTTP_F_MALFORMED);
			return;
		}
		if (first) {
			http_msg_of(h, dir)->ts_ns = h->first_ts;
			count_bytes(h, dir, h->line_bytes, 0);
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

	if (h->ex)
		h->ex->flags |= HTTP_F_GAP;
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
		count_bytes(h, dir, len, 1);
		return;
	case ST_BODY_LEN:
	case ST_CHUNK_DATA:
		if (len < h->remaining) {
			count_bytes(h, dir, len, 1);
			h->remaining -= len;
			return;
		}
		count_bytes(h, dir, h->remaining, 1);
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
		count_bytes(h, dir, len, 0);
		half_lost(c, h, dir, HTTP_F_GAP);
	}
}

void http_conn_eof(struct http_conn *c, enum http_dir dir, uint64_t ts_ns __attribute__((unused)))
{
	struct http_half *h = c->half[dir];

	/* Anything but a close-delimited body was cut short. */
	if (h->ex && h->state != ST_BODY_CLOSE)
		half_lost(c, h, dir, HTTP_F_GAP);
	else if (h->ex)
		msg_done(c, h, dir);
	h->ex = NULL;
	h->state = ST_DEAD;
}
