/*
 * Inside the HTTP parser: the state of one direction and the calls between its
 * three files (http_parse.c framing, http_line.c lines and heads, http_pair.c
 * exchanges). Users of the parser include http_parse.h only.
 */
#ifndef NETBPF_HTTP_HALF_H
#define NETBPF_HTTP_HALF_H

#include <stddef.h>
#include <stdint.h>

#include "http/parse.h"

#define HTTP_LINE_CAP   65536 /* upper bound of limits.max_line */
#define HTTP_LINE_START 256   /* line buffers grow on demand from here */

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

static inline struct http_message *http_msg_of(struct http_half *h, enum http_dir dir)
{
	if (!h->ex)
		return NULL;
	return dir == HTTP_DIR_REQ ? &h->ex->req : &h->ex->resp;
}

/* http_line.c */

/* Buffers line bytes up to max_line; returns bytes consumed, *done once LF is seen. */
size_t http_take_line(struct http_conn *c, struct http_half *h, const uint8_t *d, size_t len,
		      int *done);
/* Parsers of one line (without CRLF); 0, or -1 on a framing error. */
int http_on_request_line(struct http_conn *c, struct http_half *h, const char *l, size_t n);
int http_on_status_line(struct http_conn *c, struct http_half *h, const char *l, size_t n);
int http_on_header(struct http_conn *c, struct http_half *h, enum http_dir dir,
		   const char *l, size_t n);
/* Length of s without trailing spaces, tabs and CR. */
size_t http_trim_len(const char *s, size_t n);
/* Decimal or hex number, then nothing or a chunk extension; -1 if not one. */
int64_t http_parse_number(const char *s, size_t n, int base);

/* http_pair.c */

/* calloc() counted in c->mem, the figure that http_conn_mem() bounds. */
void *http_mem_alloc(struct http_conn *c, size_t n);
void http_mem_free(struct http_conn *c, void *p, size_t n);
struct http_exchange *http_ex_new(struct http_conn *c);
/* A request's head is known: it waits for its response. */
void http_queue_push(struct http_conn *c, struct http_exchange *ex);
/* The exchange a status line starting now answers; NULL when out of memory. */
struct http_exchange *http_ex_for_response(struct http_conn *c);
/* The response of ex ended: ex leaves the queue and is reported. */
void http_ex_answered(struct http_conn *c, struct http_exchange *ex);

#endif /* NETBPF_HTTP_HALF_H */
