/* The exporter's HTTP side (libmicrohttpd): GET /metrics, 404 elsewhere. */
#ifndef NETBPF_EXPORTER_HTTP_H
#define NETBPF_EXPORTER_HTTP_H

#include <stdio.h>

/* Writes the response body for /metrics to f. */
typedef void (*http_metrics_fn)(FILE *f, void *ctx);

struct http_server;

/*
 * Listens on "HOST:PORT" ("127.0.0.1:9437", "[::1]:9437", ":9437" for every
 * address) and serves from a thread of libmicrohttpd's. NULL on failure, with
 * the message printed.
 */
struct http_server *http_start(const char *listen, http_metrics_fn fn, void *ctx);
void http_stop(struct http_server *s);

#endif /* NETBPF_EXPORTER_HTTP_H */
