/*
 * Exchange store of the parser (above mem.c and redact.c): exchanges are made
 * here, wait here for their response in request order (HTTP/1.x answers in
 * order), and leave here, redacted, through the user's callback.
 */
#ifndef NETBPF_HTTP_STORE_H
#define NETBPF_HTTP_STORE_H

#include "http/parse.h"

/* The message of dir in the exchange dir's bytes belong to now; NULL if none. */
static inline struct http_message *store_msg(struct http_conn *c, enum http_dir dir)
{
	struct http_exchange *ex = c->cur[dir];

	if (!ex)
		return NULL;
	return dir == HTTP_DIR_REQ ? &ex->req : &ex->resp;
}

struct http_exchange *store_ex_new(struct http_conn *c);
/* A request's head is known: it waits for its response. NULL holds the place of a
 * request the memory budget refused, so that later responses still pair right. */
void store_queue_push(struct http_conn *c, struct http_exchange *ex);
/* The exchange a status line starting now answers. NULL when it is not kept: *held
 * is then set if it took the place of a refused request (store_answered(c, NULL)
 * frees that place), clear if the budget refused a response without request. */
struct http_exchange *store_ex_for_response(struct http_conn *c, int *held);
/* The response of ex ended: ex (or the place held) leaves the queue; ex is reported. */
void store_answered(struct http_conn *c, struct http_exchange *ex);
/* The connection ended: the response without request, then every queued request. */
void store_flush(struct http_conn *c);

#endif /* NETBPF_HTTP_STORE_H */
