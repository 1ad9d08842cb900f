/*
 * Bottom of the parser's stack: the one place that allocates. Every byte a
 * connection holds is counted in c->mem (what http_conn_mem() reports and the
 * fuzzer bounds) and, when the limits name one, in the shared budget.
 */
#ifndef NETBPF_HTTP_MEM_H
#define NETBPF_HTTP_MEM_H

#include <stddef.h>

#include "http/parse.h"

/* Zeroed memory; NULL when out of memory or over the budget (counted there). */
void *http_mem_alloc(struct http_conn *c, size_t n);
/* The same, not cleared: for what the caller initialises itself. */
void *http_mem_alloc_uninit(struct http_conn *c, size_t n);
/* Grows or shrinks p from old to n bytes; on failure p stays valid and NULL is returned. */
void *http_mem_realloc(struct http_conn *c, void *p, size_t old, size_t n);
/* n: the size p was allocated with; p may be NULL. */
void http_mem_free(struct http_conn *c, void *p, size_t n);

#endif /* NETBPF_HTTP_MEM_H */
