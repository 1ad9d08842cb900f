/* Each end of the bench load: send, receive and checksum, timing each round trip. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include "common/clock.h"
#include "common/signals.h"
#include "bench/peer.h"

/* Messages are cut from a random pool at offsets that move with the message number, so a
 * message delivered twice or out of turn changes the checksum. */
#define POOL_SPAN   (4u << 20)
#define POOL_STEP   4093u
#define LAT_CAP     (1u << 22)

static uint64_t thread_waits(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nvcsw;
}

static const uint8_t *msg_at(const struct bench_peer *p, uint64_t i)
{
	return p->pool + (i * POOL_STEP) % POOL_SPAN;
}

static int fail(struct bench_peer *p, const char *what)
{
	p->err = what;
	p->err_no = errno;
	return -1;
}

static int write_full(struct bench_peer *p, const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t w = send(p->fd, buf, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR && !exiting)
				continue;
			return fail(p, "send");
		}
		buf += w;
		n -= w;
	}
	return 0;
}

/*
 * recv() on a socket with SO_RCVTIMEO of BENCH_STALL_S. On a socket in a sockmap, even a
 * blocking recv() fails with EAGAIN after any wake-up that brought no data, long before
 * the timeout: tcp_bpf_recvmsg() sleeps once and returns EAGAIN (6.1-6.18). The ACK of
 * our own FIN is such a wake-up (FIN_WAIT1 -> FIN_WAIT2 wakes the socket's waiters): it
 * comes alone when the peer is still busy, e.g. reading a backlog of bypassed bytes.
 * That EAGAIN is repeated here; only a wait that lasted the timeout is a stall.
 */
static ssize_t recv_wait(struct bench_peer *p, void *buf, size_t n)
{
	/* coarse: read from the vDSO page without touching the clocksource, once per recv() */
	uint64_t t0 = clock_ns(CLOCK_MONOTONIC_COARSE);

	for (;;) {
		ssize_t r = recv(p->fd, buf, n, 0);

		if (r >= 0 || exiting)
			return r;
		/* 9/10: the kernel's timer may end a wait up to a tick early */
		if (errno == EINTR || (errno == EAGAIN &&
		    clock_ns(CLOCK_MONOTONIC_COARSE) - t0 < BENCH_STALL_S * 900000000ull))
			continue;
		return r;
	}
}

/* 1: n bytes read; 0: EOF before the first byte; -1: error or EOF mid-message. */
static int read_full(struct bench_peer *p, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv_wait(p, buf + got, n - got);

		if (r < 0)
			return fail(p, "recv");
		if (r == 0) {
			if (!got)
				return 0;
			errno = EPIPE;
			return fail(p, "recv (EOF inside a message)");
		}
		got += r;
	}
	return 1;
}

/* The peer's EOF ends every test. A wait that times out although the EOF is there
 * (a non-blocking read then sees it) is a lost wake-up, told apart from a missing EOF. */
static void wait_eof(struct bench_peer *p)
{
	ssize_t r = recv_wait(p, p->buf, 1);

	if (r == 0)
		return;
	if (r > 0) {
		errno = EPROTO;
		fail(p, "recv (data after the end of the test)");
	} else if (errno == EAGAIN && (r = recv(p->fd, p->buf, 1, MSG_DONTWAIT)) == 0) {
		errno = EAGAIN;
		fail(p, "wait for the peer's EOF (it had arrived: the wait was never woken)");
	} else if (r < 0 && errno != EAGAIN) {
		fail(p, "wait for the peer's EOF (then a second read failed)");
	} else {
		errno = EAGAIN;
		fail(p, "wait for the peer's EOF");
	}
}

static void lat_record(struct bench_peer *p, uint64_t ns)
{
	if (p->n_lat == p->lat_alloc) {
		size_t n = p->lat_alloc ? p->lat_alloc * 2 : 65536;
		uint64_t *v;

		if (n > LAT_CAP || !(v = realloc(p->lat, n * sizeof(*v))))
			return; /* enough samples for p99.9; keep counting without them */
		p->lat = v;
		p->lat_alloc = n;
	}
	p->lat[p->n_lat++] = ns;
}

static void pin(struct bench_peer *p)
{
	cpu_set_t set;

	if (p->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Pins the client, starts its clock; returns when the test ends. */
static uint64_t client_start(struct bench_peer *p)
{
	pin(p);
	p->start_ns = clock_ns(CLOCK_MONOTONIC);
	return p->start_ns + (uint64_t)(p->o->duration_s * 1e9);
}

/* Our EOF, then the server's: it closes after reading ours, when everything has been read. */
static void client_finish(struct bench_peer *p)
{
	shutdown(p->fd, SHUT_WR);
	if (!p->err)
		wait_eof(p);
}

void *bench_peer_rr_client(void *arg)
{
	struct bench_peer *p = arg;
	size_t n = p->o->msg_size;
	uint64_t deadline = client_start(p);

	for (uint64_t t0 = p->start_ns; t0 < deadline && !exiting; p->msgs++) {
		const uint8_t *m = msg_at(p, p->msgs);
		uint64_t t1;

		if (write_full(p, m, n) || read_full(p, p->buf, n) != 1)
			break;
		t1 = clock_ns(CLOCK_MONOTONIC);
		lat_record(p, t1 - t0);
		bench_hash_update(&p->tx, m, n);
		bench_hash_update(&p->rx, p->buf, n);
		t0 = t1;
	}
	p->end_ns = clock_ns(CLOCK_MONOTONIC);
	client_finish(p);
	return NULL;
}

void *bench_peer_rr_server(void *arg)
{
	struct bench_peer *p = arg;
	size_t n = p->o->msg_size;
	int r;

	pin(p);
	/* hashing after the reply keeps it off the round trip being measured */
	while ((r = read_full(p, p->buf, n)) == 1) {
		const uint8_t *m = msg_at(p, p->msgs++);

		if (write_full(p, m, n))
			break;
		bench_hash_update(&p->rx, p->buf, n);
		bench_hash_update(&p->tx, m, n);
	}
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

void *bench_peer_stream_client(void *arg)
{
	struct bench_peer *p = arg;
	size_t n = p->o->msg_size;
	uint64_t deadline = client_start(p);

	while (!exiting && clock_ns(CLOCK_MONOTONIC) < deadline) {
		const uint8_t *m = msg_at(p, p->msgs);

		if (write_full(p, m, n))
			break;
		bench_hash_update(&p->tx, m, n);
		p->msgs++;
	}
	client_finish(p);
	p->end_ns = clock_ns(CLOCK_MONOTONIC);
	return NULL;
}

void *bench_peer_stream_server(void *arg)
{
	struct bench_peer *p = arg;

	pin(p);
	p->waits = thread_waits();
	for (;;) {
		ssize_t r = recv_wait(p, p->buf, p->buf_len);

		if (r < 0) {
			fail(p, "recv");
			break;
		}
		if (r == 0)
			break;
		if (p->corrupt_once) {
			p->buf[r - 1] ^= 1;
			p->corrupt_once = false;
		}
		bench_hash_update(&p->rx, p->buf, r);
	}
	p->end_ns = clock_ns(CLOCK_MONOTONIC);
	p->waits = thread_waits() - p->waits;
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

uint8_t *bench_peer_pool(size_t msg_size)
{
	size_t len = POOL_SPAN + msg_size;
	uint64_t x = 0x2545f4914f6cdd1dULL ^ (uint64_t)clock_ns(CLOCK_MONOTONIC);
	uint8_t *pool = malloc(len + 8);

	if (!pool)
		return NULL;
	for (size_t i = 0; i < len; i += 8) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		uint64_t v = x * 0x2545f4914f6cdd1dULL;
		memcpy(pool + i, &v, 8);
	}
	return pool;
}
