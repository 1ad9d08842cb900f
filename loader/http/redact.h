/*
 * Secrets the parser never stores: values of credential headers, and values of
 * credential parameters in request targets, URL-valued headers and kept bodies.
 * Leaf of the parser's stack: pure functions over strings.
 */
#ifndef NETBPF_HTTP_REDACT_H
#define NETBPF_HTTP_REDACT_H

#include <stddef.h>

#include "http/parse.h"

/* Is the value of header name[0..n) a secret? (r NULL: the defaults) */
int redact_header(const struct http_redact *r, const char *name, size_t n);
/* Does header name[0..n) hold a URL whose query may carry credentials (Referer, Location)? */
int redact_header_is_url(const char *name, size_t n);
/*
 * Copies in[0..n) to out (at most size bytes, no NUL) with the values of secret
 * parameters replaced by HTTP_REDACTED. query: in is a request target or URL, and
 * parameters start after its '?'; else in is form text (a=1&b=2, one per line...).
 * Returns the length written; *cut is set when out was too small for all of it.
 */
size_t redact_params(const struct http_redact *r, const char *in, size_t n, int query,
		     char *out, size_t size, int *cut);

#endif /* NETBPF_HTTP_REDACT_H */
