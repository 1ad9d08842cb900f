/* Connection table of the sniffer: chained hash plus an activity-ordered list. */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "common/clock.h"
#include "sniff/conn.h"

static int ep_cmp(const struct endpoint *a, const struct endpoint *b)
{
	int r = memcmp(a->addr, b->addr, sizeof(a->addr));

	return r ? r : (int)a->port - (int)b->port;
}

static uint64_t mix(uint64_t h)
{
	h *= 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

static uint64_t ep_hash(const struct endpoint *e, uint64_t seed)
{
	uint64_t lo, hi;

	memcpy(&lo, e->addr, sizeof(lo));
	memcpy(&hi, e->addr + sizeof(lo), sizeof(hi));
	return mix(mix(mix(seed ^ lo) ^ hi) ^ e->port);
}

/* Word by word, and symmetric: both orders of a pair hash alike without sorting
 * them (a byte-wise FNV of the sorted pair was a twentieth of the sniffer's CPU). */
static size_t pair_hash(const struct conn_table *t, const struct endpoint *a,
			const struct endpoint *b)
{
	return (ep_hash(a, t->seed) + ep_hash(b, t->seed)) & (t->nbuckets - 1);
}

int conn_table_init(struct conn_table *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
	for (t->nbuckets = 1; t->nbuckets < max * 2; t->nbuckets <<= 1)
		;
	if (getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed))
		t->seed = clock_ns(CLOCK_MONOTONIC);
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -1;
}

int conn_side(const struct conn *c, const struct endpoint *e)
{
	return endpoint_equal(&c->ep[0], e) ? 0 : 1;
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
	struct conn *c = t->buckets[pair_hash(t, a, b)];

	for (; c; c = c->hnext)
		if ((endpoint_equal(&c->ep[0], a) && endpoint_equal(&c->ep[1], b)) ||
		    (endpoint_equal(&c->ep[0], b) && endpoint_equal(&c->ep[1], a)))
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
	size_t h = pair_hash(t, a, b);
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
	struct conn **pp = &t->buckets[pair_hash(t, &c->ep[0], &c->ep[1])];

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
