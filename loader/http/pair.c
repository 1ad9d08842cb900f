/* HTTP/1.x exchanges: requests paired with responses in order, reported, memory bounded. */
#include <stdlib.h>
#include <string.h>

#include "http/half.h"

void *http_mem_alloc(struct http_conn *c, size_t n)
{
	void *p = calloc(1, n);

	if (p)
		c->mem += n;
	return p;
}

void http_mem_free(struct http_conn *c, void *p, size_t n)
{
	if (!p)
		return;
	c->mem -= n;
	free(p);
}

struct http_exchange *http_ex_new(struct http_conn *c)
{
	return http_mem_alloc(c, sizeof(struct http_exchange));
}

static void ex_free(struct http_conn *c, struct http_exchange *ex)
{
	if (!ex)
		return;
	http_mem_free(c, ex->req.body, c->lim.max_body);
	http_mem_free(c, ex->resp.body, c->lim.max_body);
	http_mem_free(c, ex, sizeof(*ex));
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

void http_queue_push(struct http_conn *c, struct http_exchange *ex)
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

/* HTTP/1.x answers in request order: the oldest request waiting. A response with none
 * (the capture joined mid-stream) gets an exchange of its own. */
struct http_exchange *http_ex_for_response(struct http_conn *c)
{
	struct http_exchange *ex = c->nqueue ? c->queue[c->qhead] : c->resp_pending;

	if (!ex) {
		ex = http_ex_new(c);
		if (!ex)
			return NULL;
		ex->flags |= HTTP_F_NO_REQUEST;
		c->resp_pending = ex;
	}
	return ex;
}

void http_ex_answered(struct http_conn *c, struct http_exchange *ex)
{
	if (c->resp_pending == ex)
		c->resp_pending = NULL;
	else
		queue_pop(c);
	ex_emit(c, ex);
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
