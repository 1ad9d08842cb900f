/*
 * HTTP/1.x stream parser: both directions of one TCP connection in, one
 * request/response exchange out per callback. Pure C, no globals, no libbpf:
 * the fuzz target and the golden test link this folder alone. Memory per
 * connection is bounded by struct http_limits whatever the input (see
 * http_conn_mem()), and all connections together by an optional shared budget.
 *
 * Inside, a one-way stack (each layer calls only those below it):
 *   parse.c  framing (Content-Length, chunked, close) and this API
 *   head.c   lines, start lines and header fields (head.h)
 *   store.c  exchanges: allocation, request/response queue, reporting (store.h)
 *   redact.c secrets in headers, query strings and form bodies (redact.h)
 *   mem.c    every allocation, counted per connection and in the budget (mem.h)
 */
#ifndef NETBPF_HTTP_PARSE_H
#define NETBPF_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_METHOD_MAX 16
#define HTTP_HOST_MAX   128
#define HTTP_PATH_MAX   512
#define HTTP_HDRS_MAX   2048 /* kept header text per message ("name: value\n"...) */
#define HTTP_QUEUE_MAX  16   /* pipelined requests waiting for their response */
#define HTTP_BODY_CAP   65536 /* hard cap of --max-body */
#define HTTP_REDACTED   "<redacted>"

/* Memory shared by many connections (and their users: the sniffer's pending list). */
struct http_budget {
	size_t max;        /* bytes; 0: no limit */
	size_t used, peak;
	uint64_t refused;  /* parser allocations refused: what they would hold was not kept */
};

/* What is hidden: the defaults (redact.c) plus these, unless show_secrets. */
struct http_redact {
	int show_secrets;
	const char *const *headers; /* more header names whose values are secret */
	size_t nheaders;
	const char *const *params;  /* more query/form parameter names */
	size_t nparams;
};

struct http_limits {
	uint32_t max_line;     /* longest header line kept; longer ones are skipped */
	uint32_t max_body;     /* body bytes kept per message for output (0: none) */
	const struct http_redact *redact; /* NULL: the defaults */
	struct http_budget *budget;       /* NULL: none (per-connection bounds only) */
};

/* Why an exchange is incomplete or approximate (bit flags). */
enum http_flags {
	HTTP_F_NO_RESPONSE = 1 << 0, /* connection ended or timed out first */
	HTTP_F_NO_REQUEST  = 1 << 1, /* response to a request not seen (joined mid-stream) */
	HTTP_F_GAP         = 1 << 2, /* bytes missing: sizes are lower bounds */
	HTTP_F_TRUNCATED   = 1 << 3, /* a line, path or header list was cut to its limit */
	HTTP_F_MALFORMED   = 1 << 4, /* parse error; the stream resynchronised after it */
	HTTP_F_AMBIGUOUS   = 1 << 5, /* Content-Length with Transfer-Encoding, or two
				      * different Content-Lengths: peers may disagree */
	HTTP_F_FOLDED      = 1 << 6, /* obsolete line folding (RFC 9112 5.2) was unfolded */
	HTTP_F_NO_MEMORY   = 1 << 7, /* the memory budget refused a body or line buffer */
};
#define HTTP_F_COUNT 8

/* Names of the flags as output uses them, index: bit number. */
extern const char *const http_flag_names[HTTP_F_COUNT];

struct http_message {
	uint64_t ts_ns;     /* first byte */
	uint64_t bytes;     /* head + body as sent (interim 1xx responses included) */
	uint64_t body_bytes;
	uint32_t hdrs_len;
	char hdrs[HTTP_HDRS_MAX]; /* "Name: value\n" lines, secrets redacted */
	uint32_t body_len;  /* kept body bytes (<= limits.max_body) */
	char *body;         /* printable ASCII, NULL when max_body is 0 */
};

struct http_exchange { /* a new field: initialised in store_ex_new */
	char method[HTTP_METHOD_MAX]; /* "" with HTTP_F_NO_REQUEST */
	char host[HTTP_HOST_MAX];
	char path[HTTP_PATH_MAX];     /* secret query parameters redacted */
	int version_minor;            /* of the request: HTTP/1.<n> */
	int status;                   /* 0 with HTTP_F_NO_RESPONSE */
	uint32_t flags;
	struct http_message req;
	struct http_message resp;
};

typedef void (*http_exchange_cb)(void *ctx, const struct http_exchange *ex);

enum http_dir { HTTP_DIR_REQ = 0, HTTP_DIR_RESP = 1 }; /* client->server, server->client */

/* Opaque parsing state of one direction. */
struct http_half;

struct http_conn {
	struct http_limits lim;
	http_exchange_cb cb;
	void *ctx;
	int upgraded;             /* 101 or CONNECT 2xx: no longer HTTP */
	uint32_t nqueue, qhead;   /* ring of requests awaiting their response */
	struct http_exchange *queue[HTTP_QUEUE_MAX];
	struct http_exchange *resp_pending; /* response being parsed without request */
	struct http_exchange *cur[2];       /* exchange of each direction's current message */
	struct http_half *half[2];
	size_t mem;               /* bytes allocated for this connection now */
	uint64_t resyncs;         /* times framing was lost (malformed input, gaps) */
};

/* Strings in stored strings are printable ASCII: safe to print or escape as JSON. */
int http_conn_init(struct http_conn *c, const struct http_limits *lim,
		   http_exchange_cb cb, void *ctx);
/* Bytes in stream order for one direction. */
void http_conn_feed(struct http_conn *c, enum http_dir dir, const uint8_t *data,
		    size_t len, uint64_t ts_ns);
/* len bytes of this direction were lost (capture cut or sequence hole);
 * HTTP_GAP_UNKNOWN: an unknown number (a lost event). */
#define HTTP_GAP_UNKNOWN UINT64_MAX
void http_conn_gap(struct http_conn *c, enum http_dir dir, uint64_t len, uint64_t ts_ns);
/* The sender of dir closed its side (FIN, read of 0, close()). */
void http_conn_eof(struct http_conn *c, enum http_dir dir, uint64_t ts_ns);
/* Report whatever is still pending (as incomplete) and free everything. */
void http_conn_finish(struct http_conn *c, uint64_t ts_ns);
/* Bytes held by the connection now; bounded by the limits. */
size_t http_conn_mem(const struct http_conn *c);

/* Does data start like an HTTP/1.x request line (1) or status line (2)? 0 if not. */
int http_sniff_start(const uint8_t *data, size_t len);

/* Takes n bytes from b (0), or -1 when they do not fit; b may be NULL (no limit). */
int http_budget_take(struct http_budget *b, size_t n);
void http_budget_put(struct http_budget *b, size_t n);

#endif /* NETBPF_HTTP_PARSE_H */
