/*
 * Connections the sniffer follows: one entry per TCP connection whatever source
 * saw it, found by its two endpoints in either order, bounded in number with the
 * least recently active evicted first.
 */
#ifndef NETBPF_SNIFF_CONN_H
#define NETBPF_SNIFF_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "http/parse.h"

enum sniff_source { SRC_WIRE, SRC_SOCKET, SRC_MAX };

struct endpoint {
	uint8_t addr[16]; /* IPv4 v4-mapped */
	uint16_t port;    /* host byte order */
};

static inline int endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	return a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

struct conn;

/* Callback context of one parser: which connection, which source. */
struct conn_src {
	struct conn *conn;
	enum sniff_source src;
	void *owner;
};

struct conn {
	struct endpoint ep[2];         /* ep[0] sorts before ep[1] */
	int client;                    /* index in ep[] of the client; -1 until known */
	int32_t pid[2];                /* process owning ep[i]'s socket; -1 unknown */
	char comm[2][16];
	struct http_conn http[SRC_MAX];
	uint8_t http_on[SRC_MAX];      /* http[src] initialised and not finished */
	struct conn_src cbctx[SRC_MAX];
	uint32_t next_seq[2];          /* wire: next TCP sequence number sent by ep[i] */
	uint8_t seq_known[2];
	uint8_t fin[2];                /* wire: ep[i] sent FIN */
	uint8_t wire_closed;           /* wire: FIN both ways, or RST */
	uint64_t wire_start_ns;        /* wire: first segment, if the wire saw the connection first */
	uint64_t ino[2];               /* socket source: socket inode of ep[i] */
	uint64_t sock_observer;        /* inode of the socket whose events feed http[SRC_SOCKET] */
	int owner;                     /* enum sniff_source that first carried payload; -1 */
	uint64_t last_ns;
	struct conn *hnext, *older, *newer;
};

struct conn_table {
	struct conn **buckets;
	size_t nbuckets, count, max; /* nbuckets: a power of two */
	uint64_t seed;               /* random: addresses cannot be picked to share a chain */
	struct conn *oldest, *newest;
};

int conn_table_init(struct conn_table *t, size_t max);
/* Index in c->ep[] of e (which must be one of its endpoints). */
int conn_side(const struct conn *c, const struct endpoint *e);
/* The connection between a and b, or NULL. */
struct conn *conn_lookup(const struct conn_table *t, const struct endpoint *a,
			 const struct endpoint *b);
/* The same, and now marks it active. */
struct conn *conn_find(struct conn_table *t, const struct endpoint *a, const struct endpoint *b,
		       uint64_t now);
/* A new connection; NULL when the table is full (evict with conn_oldest first). */
struct conn *conn_add(struct conn_table *t, const struct endpoint *a, const struct endpoint *b,
		      uint64_t now);
struct conn *conn_oldest(const struct conn_table *t);
/* Unlinks and frees c; its parsers must be finished. */
void conn_del(struct conn_table *t, struct conn *c);
void conn_table_free(struct conn_table *t);

#endif /* NETBPF_SNIFF_CONN_H */
