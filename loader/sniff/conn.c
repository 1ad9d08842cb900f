/* Connection table of the sniffer: chained hash plus an activity-ordered list. */
#include <stdlib.h>
#include <string.h>

#include "sniff/conn.h"

static int ep_cmp(const struct endpoint *a, const struct endpoint *b)
{
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));

	return r ? r : (int)a->port - (int)b->port;
}

/* Both orders of a pair hash alike: the pair is sorted first. */
static size_t pair_hash(const struct endpoint *a, const struct endpoint *b, size_t n)
{
	const struct endpoint *e[2] = { a, b };
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	if (ep_cmp(a, b) > 0) {
		e[0] = b;
		e[1] = a;
	}
	for (int i = 0; i < 2; i++) {
		for (size_t k = 0; k < sizeof(e[i]->addr); k++)
			h = (h ^ e[i]->addr[k]) * 1099511628211ULL;
		h = (h ^ e[i]->port) * 1099511628211ULL;
	}
	return h % n;
}

int conn_table_init(struct conn_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	t->nbuckets = max * 2 + 1;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -1;
}

int conn_side(const struct conn *c, const struct endpoint *e)
{
	return ep_cmp(&c->ep[0], e) ? 1 : 0;
}

static void list_unlink(struct conn_table *t, struct conn *c)
{
	if (c->older)
		c->older->newer = c->newer;
	else
		t->oldest = c->newer;
	if (c->newer)
		c->newer->older = c->older;
	else
		t->newest = c->older;
	c->older = c->newer = NULL;
}

static void list_append(struct conn_table *t, struct conn *c)
{
	c->older = t->newest;
	c->newer = NULL;
	if (t->newest)
		t->newest->newer = c;
	else
		t->oldest = c;
	t->newest = c;
}

struct conn *conn_lookup(const struct conn_table *t, const struct endpoint *a,
			 const struct endpoint *b)
{
	struct conn *c = t->buckets[pair_hash(a, b, t->nbuckets)];

	for (; c; c = c->hnext)
		if ((!ep_cmp(&c->ep[0], a) && !ep_cmp(&c->ep[1], b)) ||
		    (!ep_cmp(&c->ep[0], b) && !ep_cmp(&c->ep[1], a)))
			return c;
	return NULL;
}

struct conn *conn_find(struct conn_table *t, const struct endpoint *a, const struct endpoint *b,
		       uint64_t now)
{
	struct conn *c = conn_lookup(t, a, b);

	if (c) {
		c->last_ns = now;
		list_unlink(t, c);
		list_append(t, c);
	}
	return c;
}

struct conn *conn_add(struct conn_table *t, const struct endpoint *a, const struct endpoint *b,
		      uint64_t now)
{
	size_t h = pair_hash(a, b, t->nbuckets);
	struct conn *c;

	if (t->count >= t->max)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (ep_cmp(a, b) > 0) {
		const struct endpoint *tmp = a;

		a = b;
		b = tmp;
	}
	c->ep[0] = *a;
	c->ep[1] = *b;
	c->client = -1;
	c->owner = -1;
	c->pid[0] = c->pid[1] = -1;
	c->last_ns = now;
	c->hnext = t->buckets[h];
	t->buckets[h] = c;
	list_append(t, c);
	t->count++;
	return c;
}

struct conn *conn_oldest(const struct conn_table *t)
{
	return t->oldest;
}

void conn_del(struct conn_table *t, struct conn *c)
{
	struct conn **pp = &t->buckets[pair_hash(&c->ep[0], &c->ep[1], t->nbuckets)];

	while (*pp && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = c->hnext;
	list_unlink(t, c);
	t->count--;
	free(c);
}

void conn_table_free(struct conn_table *t)
{
	while (t->oldest)
		conn_del(t, t->oldest);
	free(t->buckets);
	t->buckets = NULL;
}
