/* HTTP/1.x exchanges: requests paired with responses in order, redacted, reported. */
#include <string.h>

#include "http/mem.h"
#include "http/redact.h"
#include "http/store.h"

const char *const http_flag_names[HTTP_F_COUNT] = {
	"no_response", "no_request", "gap", "truncated", "malformed", "ambiguous", "folded",
	"no_memory",
};

static void msg_init(struct http_message *m)
{
	m->ts_ns = m->bytes = m->body_bytes = 0;
	m->hdrs_len = m->body_len = 0;
	m->hdrs[0] = '\0';
	m->body = NULL;
}

/*
 * The text fields are NUL-terminated as they are written: only their first byte is
 * cleared (calloc cleared all 5 KiB, a twentieth of the sniffer's CPU). A field
 * added to the struct is added here.
 */
struct http_exchange *store_ex_new(struct http_conn *c)
{
	struct http_exchange *ex = http_mem_alloc_uninit(c, sizeof(*ex));

	if (!ex)
		return NULL;
	memset(ex->method, 0, sizeof(ex->method)); /* head_request_line copies no NUL */
	ex->host[0] = ex->path[0] = '\0';
	ex->version_minor = ex->status = 0;
	ex->flags = 0;
	msg_init(&ex->req);
	msg_init(&ex->resp);
	return ex;
}

static void ex_free(struct http_conn *c, struct http_exchange *ex)
{
	http_mem_free(c, ex->req.body, c->lim.max_body);
	http_mem_free(c, ex->resp.body, c->lim.max_body);
	http_mem_free(c, ex, sizeof(*ex));
}

/* Credentials in a form body (password=...) are hidden like those in the target.
 * Rewritten through the stack, not the budget: reporting must not need memory. */
static void redact_body(struct http_conn *c, struct http_message *m)
{
	char tmp[HTTP_BODY_CAP];
	int cut;

	if (!m->body || !m->body_len)
		return;
	m->body_len = redact_params(c->lim.redact, m->body, m->body_len, 0, tmp,
				    c->lim.max_body - 1, &cut);
	memcpy(m->body, tmp, m->body_len);
	m->body[m->body_len] = '\0';
}

/* Report and free ex; directions still parsing into it continue without it. */
static void ex_emit(struct http_conn *c, struct http_exchange *ex)
{
	for (int d = 0; d < 2; d++)
		if (c->cur[d] == ex)
			c->cur[d] = NULL;
	redact_body(c, &ex->req);
	redact_body(c, &ex->resp);
	c->cb(c->ctx, ex);
	ex_free(c, ex);
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

void store_queue_push(struct http_conn *c, struct http_exchange *ex)
{
	/* A full queue means the server stopped answering: make room, oldest first. */
	if (c->nqueue == HTTP_QUEUE_MAX) {
		struct http_exchange *old = queue_pop(c);

		if (old) {
			old->flags |= HTTP_F_NO_RESPONSE;
			ex_emit(c, old);
		}
	}
	c->queue[(c->qhead + c->nqueue) % HTTP_QUEUE_MAX] = ex;
	c->nqueue++;
}

/* HTTP/1.x answers in request order: the oldest request waiting. A response with none
 * (the capture joined mid-stream) gets an exchange of its own. */
struct http_exchange *store_ex_for_response(struct http_conn *c, int *held)
{
	struct http_exchange *ex;

	*held = 0;
	if (c->nqueue) {
		ex = c->queue[c->qhead];
		*held = !ex;
		return ex;
	}
	ex = c->resp_pending;
	if (!ex) {
		ex = store_ex_new(c);
		if (!ex)
			return NULL;
		ex->flags |= HTTP_F_NO_REQUEST;
		c->resp_pending = ex;
	}
	return ex;
}

void store_answered(struct http_conn *c, struct http_exchange *ex)
{
	if (ex && c->resp_pending == ex)
		c->resp_pending = NULL;
	else if (c->nqueue && c->queue[c->qhead] == ex)
		queue_pop(c); /* else a full queue pushed ex's place out already */
	if (ex)
		ex_emit(c, ex);
}

void store_flush(struct http_conn *c)
{
	struct http_exchange *ex = c->resp_pending;

	c->resp_pending = NULL;
	if (ex)
		ex_emit(c, ex);
	while (c->nqueue) {
		ex = queue_pop(c);
		if (!ex)
			continue; /* the place of a refused request */
		if (ex->status < 200) /* none, or only interim ones (100 Continue) */
			ex->flags |= HTTP_F_NO_RESPONSE;
		ex_emit(c, ex);
	}
}
