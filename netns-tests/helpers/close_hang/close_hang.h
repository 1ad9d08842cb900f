/* close_hang (see main.c): the types and state its parts share. */
#ifndef CLOSE_HANG_H
#define CLOSE_HANG_H

#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/clock.h"

#define PAT       65521u     /* stream byte at offset o is pat[(o + conn * 7919) % PAT] */
#define MAX_CHUNK (1u << 20) /* largest -W and -R */
#define MAX_SIZES 16

#define TCP_STATES 12 /* TCP_ESTABLISHED (1) .. TCP_CLOSING (11) */

/* recv() calls of one end that failed with EAGAIN, by the socket's TCP state then. */
struct eagains {
	unsigned n, state[TCP_STATES];
};

enum end { END_CLOSE, END_SHUT_CLOSE, END_SHUTDOWN, END_LINGER0 };
extern const char *const end_names[];

struct options {
	const char *addr;
	int n, write_size, read_size, slow_us, deadline_s;
	enum end end;
	bool poll_reader, client_shut_first, eagain_fails;
	bool same, cross;
	uint64_t sizes[MAX_SIZES];
	int nsizes;
};
extern struct options opt;

/* The connection under way; the watchdog reads the fds, tids and deadline. */
struct conn {
	uint64_t index, size;
	int cfd, sfd;
	pid_t ctid, stid;
	uint64_t got;        /* bytes the client read */
	int c_err, s_err;    /* errno that ended the client's reading (0: EOF), the server's */
	const char *s_what;  /* the server call that failed */
	struct eagains c_eagain, s_eagain;
	bool corrupt;
	uint64_t tcp_rx;     /* tcpi_bytes_received of the client */
	int keepalive;       /* SO_KEEPALIVE of the client (`redirect on --keepalive`) */
};
extern struct conn cur;
extern uint64_t deadline_ns; /* 0 between connections */
extern const char *placement;
extern int lfd;

struct tally {
	unsigned conns, bypassed, keepalive, intact, eof, resets, c_eagain_conns;
	struct eagains c_eagain, s_eagain;
	uint64_t slowest_ns;
};

static inline uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* dump.c: what a hang looks like from here */
const char *tcp_state_name(unsigned s);
void *watchdog(void *arg);

/* conn.c: one connection, server and client */
void pat_init(void);
int run_one(const struct addrinfo *ai, uint64_t index, uint64_t size, int cpu_srv,
	    int cpu_cli, struct tally *t);

#endif /* CLOSE_HANG_H */
