/*
 * Lines and heads of the parser (above store.c): the state of one direction,
 * line buffering within max_line, request and status lines, header fields with
 * the framing facts they carry. parse.c frames messages with these.
 */
#ifndef NETBPF_HTTP_HEAD_H
#define NETBPF_HTTP_HEAD_H

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

/* The header field an obs-fold continuation line would continue. */
enum hdr_kind { HDR_NONE, HDR_PLAIN, HDR_URL, HDR_SECRET, HDR_FRAMING };

struct http_half {
	enum half_state state;
	char *line;
	uint32_t line_len, line_size;
	uint64_t line_bytes;       /* of the current line as sent, dropped ones included */
	int line_overflow;         /* bytes of this line were dropped */
	uint64_t first_ts;         /* of the current message, until it has an exchange */
	uint64_t remaining;        /* of a Content-Length body or chunk */
	/* framing facts of the current message's head */
	int64_t content_length;    /* -1: none */
	int te;                    /* Transfer-Encoding present */
	int chunked;               /* its final coding is chunked */
	int status;                /* of the response being parsed */
	int dropped;               /* the budget refused this message's exchange: it is framed
				    * but not kept (a response: it holds a refused request's place) */
	enum hdr_kind last_hdr;
	int last_kept;             /* the last header is the last line of the kept text */
};

/* A new message starts on h: forget the previous head's facts. */
void head_begin(struct http_half *h);
/* Buffers line bytes up to max_line; returns bytes consumed, *done once LF is seen. */
size_t head_take_line(struct http_conn *c, struct http_half *h, enum http_dir dir,
		      const uint8_t *d, size_t len, int *done);
/* Parsers of one line (without CRLF); 0, or -1 on a framing error. The start lines
 * set c->cur[dir] to the exchange the message belongs to. */
int head_request_line(struct http_conn *c, struct http_half *h, const char *l, size_t n);
int head_status_line(struct http_conn *c, struct http_half *h, const char *l, size_t n);
int head_field(struct http_conn *c, struct http_half *h, enum http_dir dir,
	       const char *l, size_t n);
/* Length of s without trailing spaces, tabs and CR. */
size_t head_trim_len(const char *s, size_t n);
/* Decimal or hex number, then nothing or (hex) a chunk extension; -1 if not one. */
int64_t head_number(const char *s, size_t n, int base);

#endif /* NETBPF_HTTP_HEAD_H */
