/* streamcheck (see main.c): the types and state its modules share. */
#ifndef STREAMCHECK_H
#define STREAMCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MAGIC    0x73747263u
#define MAX_CONN 4096
#define IOBUF    (1 << 20)

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

enum mode { MODE_BOTH, MODE_HALFCLOSE, MODE_RST };

struct hdr {
	uint32_t magic;
	uint32_t mode;
	uint64_t seed;
	uint64_t c2s;
	uint64_t s2c;
};

struct stream {
	uint64_t seed, total, done, hash;
};

struct conn {
	int fd;
	bool server;
	struct hdr h;
	size_t hdr_done;       /* client: bytes of header sent; server: received */
	struct stream tx, rx;
	uint64_t msg_left;     /* rest of the current message */
	uint64_t rng;
	bool shut_wr, eof, finished;
	int rx_err;            /* errno that ended reading, 0 for EOF */
	int file_fd;           /* -F: the whole tx stream in a memfd, sent with sendfile() */
};

struct options {
	const char *addr, *bind_addr, *gate, *start_gate;
	int port, bind_port, n, mptcp, sendfile;
	uint64_t bytes, max_msg, seed;
	uint64_t s2c_bytes;    /* -R: server to client; UINT64_MAX: as -b */
	enum mode mode;
	long pace_ms;
};

/* main.c: the command line, the connections, how many failed, when the run began. */
extern struct options opt;
extern struct conn conns[2 * MAX_CONN];
extern int nconns, failures;
extern struct timespec t0;

/* stream.c: each stream is a pure function of (seed, offset). */
uint64_t splitmix(uint64_t x);
/* The bytes of stream seed at [off, off + len). */
void stream_gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t len);
/* FNV-1a of len bytes, continuing from h. */
uint64_t stream_hash(uint64_t h, const uint8_t *p, size_t len);

/* sock.c: sockets; a failure to set one up ends the process (exit 1). */
int listen_on(const char *addr, int port);
int local_port(int fd);
/* Opens client connection i (a new conns[] entry). */
void client_open(int i);
/* Accepts one connection on lfd into a new conns[] entry. */
void server_accept(int lfd);

/* conn.c: one connection's send and receive sides, one step each per poll. */
__attribute__((format(printf, 2, 3)))
void conn_fail(struct conn *c, const char *fmt, ...);
bool conn_gated(const struct conn *c);
bool conn_may_send(const struct conn *c);
void conn_send(struct conn *c);
void conn_recv(struct conn *c);
/* Marks c finished once both directions ended as the mode says. */
void conn_check_done(struct conn *c);

#endif /* STREAMCHECK_H */
