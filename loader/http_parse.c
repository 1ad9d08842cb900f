/*
 * HTTP/1.x parser over a byte stream per direction (RFC 9112 message framing).
 * Every byte is looked at once; lines are buffered up to limits.max_line and
 * bodies are counted, never buffered beyond limits.max_body: memory per
 * connection stays bounded whatever arrives.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_parse.h"

#define LINE_CAP   65536 /* upper bound of limits.max_line */
#define LINE_START 256   /* line buffers grow on demand from here */
#define DIGITS_MAX 15    /* Content-Length / chunk size: more would overflow */

enum half_state {
	ST_SYNC,       /* lost: wait for a feed that starts like a message */
	ST_IDLE,       /* between messages */
	ST_FIRST,      /* request or status line */
	ST_HEADER,     /* header lines */
	ST_BODY_LEN,   /* Content-Length body */
	ST_CHUNK_SIZE, /* chunk-size line */
	ST_CHUNK_DATA,
	ST_CHUNK_END,  /* CRLF after chunk data */
	ST_TRAILER,    /* trailer lines after the last chunk */
	ST_BODY_CLOSE, /* response body delimited by the connection's end */
	ST_DEAD,       /* upgraded away from HTTP */
};

struct http_half {
	enum half_state state;
	char *line;
	uint32_t line_len, line_size;
	uint64_t line_bytes;       /* of the current line as sent, dropped ones included */
	int line_overflow;         /* bytes of this line were dropped */
	uint64_t first_ts;         /* of the current message, until it has an exchange */
	uint64_t remaining;        /* of a Content-Length body or chunk */
	struct http_exchange *ex;  /* exchange the current message belongs to */
	/* framing facts of the current message's head */
	int64_t content_length;    /* -1: none */
	int chunked;
	int status;                /* of the response being parsed */
};

static void *mem_alloc(struct http_conn *c, size_t n)
{
	void *p = calloc(1, n);

	if (p)
		c->mem += n;
	return p;
}

static void mem_free(struct http_conn *c, void *p, size_t n)
{
	if (!p)
		return;
	c->mem -= n;
	free(p);
}

int http_sniff_start(const uint8_t *d, size_t len)
{
	static const char *const methods[] = {
		"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ",
		"PATCH ", "CONNECT ", "TRACE ",
	};

	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t n = strlen(methods[i]);

		if (len >= n && !memcmp(d, methods[i], n))
			return 1;
	}
	if (len >= 7 && !memcmp(d, "HTTP/1.", 7))
		return 2;
	return 0;
}

/* Stored strings are printable ASCII so that any output format can carry them. */
static void copy_printable(char *dst, size_t size, const char *src, size_t n, uint32_t *flags)
{
	if (n >= size) {
		n = size - 1;
		*flags |= HTTP_F_TRUNCATED;
	}
	for (size_t i = 0; i < n; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[n] = '\0';
}

static struct http_exchange *ex_new(struct http_conn *c)
{
	return mem_alloc(c, sizeof(struct http_exchange));
}

static void ex_free(struct http_conn *c, struct http_exchange *ex)
{
	if (!ex)
		return;
	mem_free(c, ex->req.body, c->lim.max_body);
	mem_free(c, ex->resp.body, c->lim.max_body);
	mem_free(c, ex, sizeof(*ex));
}

/* Report and free ex; halves still pointing at it continue without it. */
static void ex_emit(struct http_conn *c, struct http_exchange *ex)
{
	for (int d = 0; d < 2; d++)
		if (c->half[d]->ex == ex)
			c->half[d]->ex = NULL;
	c->cb(c->ctx, ex);
	ex_free(c, ex);
}

static void queue_push(struct http_conn *c, struct http_exchange *ex)
{
	/* A full queue means the server stopped answering: make room, oldest first. */
	if (c->nqueue == HTTP_QUEUE_MAX) {
		struct http_exchange *old = c->queue[c->qhead];

		c->qhead = (c->qhead + 1) % HTTP_QUEUE_MAX;
		c->nqueue--;
		old->flags |= HTTP_F_NO_RESPONSE;
		ex_emit(c, old);
	}
	c->queue[(c->qhead + c->nqueue) % HTTP_QUEUE_MAX] = ex;
	c->nqueue++;
}

static struct http_exchange *queue_pop(struct http_conn *c)
{
	struct http_exchange *ex;

	if (!c->nqueue)
		return NULL;
	ex = c->queue[c->qhead];
	c->qhead = (c->qhead + 1) % HTTP_QUEUE_MAX;
	c->nqueue--;
	return ex;
}

static struct http_message *msg_of(struct http_half *h, enum http_dir dir)
{
	if (!h->ex)
		return NULL;
	return dir == HTTP_DIR_REQ ? &h->ex->req : &h->ex->resp;
}

static void count_bytes(struct http_half *h, enum http_dir dir, uint64_t n, int body)
{
	struct http_message *m = msg_of(h, dir);

	if (!m)
		return;
	m->bytes += n;
	if (body)
		m->body_bytes += n;
}

static void keep_body(struct http_conn *c, struct http_half *h, enum http_dir dir,
		      const uint8_t *d, size_t n)
{
	struct http_message *m = msg_of(h, dir);
	uint32_t room;

	if (!m || !c->lim.max_body)
		return;
	if (!m->body) {
		m->body = mem_alloc(c, c->lim.max_body);
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
	if (dir == HTTP_DIR_REQ || !ex) {
		h->ex = NULL;
		return;
	}
	h->ex = NULL;
	if (c->resp_pending == ex)
		c->resp_pending = NULL;
	else
		queue_pop(c);
	ex_emit(c, ex);
}

/* Framing was lost: finish what can be finished and wait for a new start. */
static void half_lost(struct http_conn *c, struct http_half *h, enum http_dir dir, uint32_t why)
{
	if (h->ex) {
		h->ex->flags |= why;
		if (dir == HTTP_DIR_RESP)
			msg_done(c, h, dir);
		else if (h->state == ST_HEADER)
			queue_push(c, h->ex); /* the request line is known: report it */
		/* else: a request in its body is queued already */
		h->ex = NULL;
	}
	h->state = c->upgraded ? ST_DEAD : ST_SYNC;
	c->resyncs++;
	h->line_len = 0;
	h->line_bytes = 0;
	h->line_overflow = 0;
}

/* Appends "Name: value\n" to the message's kept headers, redacting secrets. */
static void keep_header(struct http_conn *c, struct http_exchange *ex, struct http_message *m,
			const char *name, size_t nlen, const char *val, size_t vlen)
{
	static const char *const secrets[] = {
		"authorization", "proxy-authorization", "cookie", "set-cookie",
	};
	static const char redacted[] = "<redacted>";
	uint32_t need;

	if (!c->lim.show_secrets) {
		for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
			if (nlen == strlen(secrets[i]) && !strncasecmp(name, secrets[i], nlen)) {
				val = redacted;
				vlen = sizeof(redacted) - 1;
				break;
			}
		}
	}
	need = nlen + 2 + vlen + 1;
	if (m->hdrs_len + need + 1 > sizeof(m->hdrs)) {
		ex->flags |= HTTP_F_TRUNCATED;
		return;
	}
	copy_printable(m->hdrs + m->hdrs_len, nlen + 1, name, nlen, &ex->flags);
	m->hdrs_len += nlen;
	memcpy(m->hdrs + m->hdrs_len, ": ", 2);
	m->hdrs_len += 2;
	copy_printable(m->hdrs + m->hdrs_len, vlen + 1, val, vlen, &ex->flags);
	m->hdrs_len += vlen;
	m->hdrs[m->hdrs_len++] = '\n';
	m->hdrs[m->hdrs_len] = '\0';
}

/* Decimal or hex number of at most DIGITS_MAX digits; -1 if not one. */
static int64_t parse_number(const char *s, size_t n, int base)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int dv;

		if (s[i] >= '0' && s[i] <= '9')
			dv = s[i] - '0';
		else if (base == 16 && s[i] >= 'a' && s[i] <= 'f')
			dv = s[i] - 'a' + 10;
		else if (base == 16 && s[i] >= 'A' && s[i] <= 'F')
			dv = s[i] - 'A' + 10;
		else
			break;
		if (i == DIGITS_MAX)
			return -1;
		v = v * base + dv;
	}
	if (i == 0)
		return -1;
	/* What follows the digits: nothing, or a chunk extension. */
	for (; i < n; i++) {
		if (s[i] == ';' && base == 16)
			break;
		if (s[i] != ' ' && s[i] != '\t')
			return -1;
	}
	return v;
}

static size_t trim_len(const char *s, size_t n)
{
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return n;
}

static int header_has_token(const char *v, size_t n, const char *tok)
{
	size_t tl = strlen(tok);

	for (size_t i = 0; i + tl <= n; i++)
		if (!strncasecmp(v + i, tok, tl))
			return 1;
	return 0;
}

/* One header line (without CRLF); returns 0 or -1 on a framing error. */
static int on_header(struct http_conn *c, struct http_half *h, enum http_dir dir,
		     const char *l, size_t n)
{
	struct http_message *m = msg_of(h, dir);
	const char *colon = memchr(l, ':', n);
	const char *v;
	size_t nlen, vlen;

	if (!colon || colon == l)
		return h->line_overflow ? 0 : -1;
	nlen = colon - l;
	if (l[nlen - 1] == ' ' || l[nlen - 1] == '\t')
		return -1; /* RFC 9112 5.1: no whitespace before the colon */
	v = colon + 1;
	vlen = n - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t')) {
		v++;
		vlen--;
	}
	vlen = trim_len(v, vlen);

	if (nlen == 14 && !strncasecmp(l, "content-length", 14)) {
		int64_t cl = parse_number(v, vlen, 10);

		if (cl < 0 || (h->content_length >= 0 && h->content_length != cl))
			return -1;
		h->content_length = cl;
	} else if (nlen == 17 && !strncasecmp(l, "transfer-encoding", 17)) {
		h->chunked = header_has_token(v, vlen, "chunked");
	} else if (dir == HTTP_DIR_REQ && nlen == 4 && !strncasecmp(l, "host", 4) && h->ex) {
		copy_printable(h->ex->host, sizeof(h->ex->host), v, vlen, &h->ex->flags);
	}
	if (m)
		keep_header(c, h->ex, m, l, nlen, v, vlen);
	return 0;
}

static int is_token_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_';
}

/* "METHOD SP target SP HTTP/1.x"; an overflowing line keeps method and target prefix. */
static int on_request_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
{
	struct http_exchange *ex;
	const char *sp1 = memchr(l, ' ', n), *sp2, *target;
	size_t mlen, tlen;
	int minor = 1;

	if (!sp1 || sp1 == l || sp1 - l >= HTTP_METHOD_MAX)
		return -1;
	mlen = sp1 - l;
	for (size_t i = 0; i < mlen; i++)
		if (!is_token_char(l[i]))
			return -1;
	target = sp1 + 1;
	sp2 = memchr(target, ' ', n - mlen - 1);
	if (sp2) {
		const char *ver = sp2 + 1;
		size_t vlen = trim_len(ver, n - (ver - l));

		if (vlen != 8 || memcmp(ver, "HTTP/1.", 7) || ver[7] < '0' || ver[7] > '9')
			return -1;
		minor = ver[7] - '0';
		tlen = sp2 - target;
	} else if (h->line_overflow) {
		tlen = n - mlen - 1;
	} else {
		return -1;
	}
	if (!tlen)
		return -1;
	ex = ex_new(c);
	if (!ex)
		return -1;
	if (h->line_overflow)
		ex->flags |= HTTP_F_TRUNCATED;
	memcpy(ex->method, l, mlen);
	copy_printable(ex->path, sizeof(ex->path), target, tlen, &ex->flags);
	ex->version_minor = minor;
	h->ex = ex;
	return 0;
}

/* "HTTP/1.x SP 3DIGIT [SP reason]" */
static int on_status_line(struct http_conn *c, struct http_half *h, const char *l, size_t n)
{
	struct http_exchange *ex;
	int status;

	if (n < 12 || memcmp(l, "HTTP/1.", 7) || l[8] != ' ')
		return -1;
	for (int i = 9; i < 12; i++)
		if (l[i] < '0' || l[i] > '9')
			return -1;
	if (n > 12 && l[12] != ' ' && l[12] != '\r')
		return -1;
	status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (status < 100)
		return -1;

	ex = c->nqueue ? c->queue[c->qhead] : c->resp_pending;
	if (!ex) {
		ex = ex_new(c);
		if (!ex)
			return -1;
		ex->flags |= HTTP_F_NO_REQUEST;
		c->resp_pending = ex;
	}
	/* Interim 1xx heads count in bytes; the final head's time and headers win. */
	ex->resp.hdrs_len = 0;
	ex->resp.hdrs[0] = '\0';
	ex->status = status;
	h->status = status;
	h->ex = ex;
	return 0;
}

/* The empty line that ends a head: choose how the body is delimited. */
static void on_head_end(struct http_conn *c, struct http_half *h, enum http_dir dir)
{
	struct http_exchange *ex = h->ex;

	if (dir == HTTP_DIR_REQ) {
		if (ex)
			queue_push(c, ex);
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
	size_t n = trim_len(l, h->line_len);
	int64_t sz;

	switch (h->state) {
	case ST_FIRST:
		h->content_length = -1;
		h->chunked = 0;
		if (dir == HTTP_DIR_REQ ? on_request_line(c, h, l, n) : on_status_line(c, h, l, n))
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
		return on_header(c, h, dir, l, n);
	case ST_CHUNK_SIZE:
		sz = parse_number(l, n, 16);
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

/* Buffers line bytes up to max_line; returns bytes consumed, *done once LF is seen. */
static size_t take_line(struct http_conn *c, struct http_half *h, const uint8_t *d, size_t len,
			int *done)
{
	const uint8_t *lf = memchr(d, '\n', len);
	size_t n = lf ? (size_t)(lf - d) + 1 : len;
	size_t keep = lf ? n - 1 : n;

	*done = lf != NULL;
	h->line_bytes += n;
	if (keep > c->lim.max_line - h->line_len) {
		keep = c->lim.max_line - h->line_len;
		h->line_overflow = 1;
	}
	if (h->line_len + keep > h->line_size) {
		uint32_t size = h->line_size;
		char *p;

		while (size < h->line_len + keep)
			size *= 2;
		if (size > c->lim.max_line)
			size = c->lim.max_line;
		p = realloc(h->line, size);
		if (!p) {
			keep = h->line_size - h->line_len;
			h->line_overflow = 1;
		} else {
			c->mem += size - h->line_size;
			h->line = p;
			h->line_size = size;
		}
	}
	memcpy(h->line + h->line_len, d, keep);
	h->line_len += keep;
	return n;
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
		n = take_line(c, h, d, len, &done);
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
			msg_of(h, dir)->ts_ns = h->first_ts;
			count_bytes(h, dir, h->line_bytes, 0);
		}
		h->line_len = 0;
		h->line_bytes = 0;
		h->line_overflow = 0;
	}
}

void http_conn_gap(struct http_conn *c, enum http_dir dir, uint64_t len, uint64_t ts_ns)
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

void http_conn_eof(struct http_conn *c, enum http_dir dir, uint64_t ts_ns)
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

static void half_free(struct http_conn *c, struct http_half *h)
{
	if (!h)
		return;
	mem_free(c, h->line, h->line_size);
	mem_free(c, h, sizeof(*h));
}

void http_conn_finish(struct http_conn *c, uint64_t ts_ns)
{
	struct http_exchange *ex;

	if (!c->half[0] || !c->half[1])
		goto out;
	/* The response in progress first: it answers the oldest queued request. */
	http_conn_eof(c, HTTP_DIR_RESP, ts_ns);
	http_conn_eof(c, HTTP_DIR_REQ, ts_ns);
	if (c->resp_pending) {
		ex = c->resp_pending;
		c->resp_pending = NULL;
		ex_emit(c, ex);
	}
	while ((ex = queue_pop(c))) {
		if (!ex->status)
			ex->flags |= HTTP_F_NO_RESPONSE;
		ex_emit(c, ex);
	}
out:
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
	if (c->lim.max_line < LINE_START)
		c->lim.max_line = LINE_START;
	if (c->lim.max_line > LINE_CAP)
		c->lim.max_line = LINE_CAP;
	if (c->lim.max_body > HTTP_BODY_CAP)
		c->lim.max_body = HTTP_BODY_CAP;
	if (c->lim.max_body == 1)
		c->lim.max_body = 2; /* room for one byte and the NUL */
	c->cb = cb;
	c->ctx = ctx;
	for (int d = 0; d < 2; d++) {
		struct http_half *h = mem_alloc(c, sizeof(*h));

		if (!h)
			goto err;
		c->half[d] = h;
		h->line = mem_alloc(c, LINE_START);
		if (!h->line)
			goto err;
		h->line_size = LINE_START;
		/* Start in sync: the sniffer hands over connections at a message start. */
		h->state = ST_IDLE;
	}
	return 0;
err:
	http_conn_finish(c, 0);
	return -1;
}
