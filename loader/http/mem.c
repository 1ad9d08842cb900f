/* Allocation of the HTTP parser, counted per connection and in the shared budget. */
#include <stdlib.h>
#include <string.h>

#include "http/mem.h"

int http_budget_take(struct http_budget *b, size_t n)
{
	if (!b)
		return 0;
	if (b->max && n > b->max - (b->used < b->max ? b->used : b->max))
		return -1;
	b->used += n;
	if (b->used > b->peak)
		b->peak = b->used;
	return 0;
}

void http_budget_put(struct http_budget *b, size_t n)
{
	if (b)
		b->used -= n;
}

static void *alloc(struct http_conn *c, size_t n, int zero)
{
	void *p;

	if (http_budget_take(c->lim.budget, n)) {
		c->lim.budget->refused++;
		return NULL;
	}
	p = zero ? calloc(1, n) : malloc(n);
	if (!p) {
		http_budget_put(c->lim.budget, n);
		return NULL;
	}
	c->mem += n;
	return p;
}

void *http_mem_alloc(struct http_conn *c, size_t n) { return alloc(c, n, 1); }
void *http_mem_alloc_uninit(struct http_conn *c, size_t n) { return alloc(c, n, 0); }

void *http_mem_realloc(struct http_conn *c, void *p, size_t old, size_t n)
{
	void *q;

	if (n > old && http_budget_take(c->lim.budget, n - old)) {
		c->lim.budget->refused++;
		return NULL;
	}
	q = realloc(p, n);
	if (!q) {
		if (n > old)
			http_budget_put(c->lim.budget, n - old);
		return NULL;
	}
	if (n < old)
		http_budget_put(c->lim.budget, old - n);
	c->mem += n - old;
	return q;
}

void http_mem_free(struct http_conn *c, void *p, size_t n)
{
	if (!p)
		return;
	c->mem -= n;
	http_budget_put(c->lim.budget, n);
	free(p);
}
