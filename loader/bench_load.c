#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bench_hash.h"
#include "bench_load.h"

volatile sig_atomic_t bench_load_stop;

/* Messages are cut from a random pool at offsets that move with the message number, so a
 * message delivered twice or out of turn changes the checksum. */
#define POOL_SPAN   (4u << 20)
#define POOL_STEP   4093u
#define LAT_CAP     (1u << 22)
/* A transfer that does not progress for this long is a stall, reported as a failure. */
#define STALL_S     3
#define STR_(x)     #x
#define STR(x)      STR_(x)
#define STREAM_RBUF (256u << 10)

struct peer {
	const struct bench_load_opts *o;
	int fd;
	int cpu;
	const uint8_t *pool;
	uint8_t *buf;
	size_t buf_len;
	struct bench_hash tx, rx;
	uint64_t msgs;
	uint64_t start_ns, end_ns;
	uint64_t *lat;
	size_t n_lat, lat_alloc;
	const char *err; /* what failed, with errno in err_no */
	int err_no;
	bool corrupt_once; /* flip a received bit: proves that corruption is caught */
	uint64_t waits;    /* voluntary context switches of the thread in the test */
};

static uint64_t thread_waits(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nvcsw;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static const uint8_t *msg_at(const struct peer *p, uint64_t i)
{
	return p->pool + (i * POOL_STEP) % POOL_SPAN;
}

static int fail(struct peer *p, const char *what)
{
	p->err = what;
	p->err_no = errno;
	return -1;
}

static int write_full(struct peer *p, const uint8_t *buf, size_t n)
{
	while (n) {
		ssize_t w = send(p->fd, buf, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR && !bench_load_stop)
				continue;
			return fail(p, "send");
		}
		buf += w;
		n -= w;
	}
	return 0;
}

/* 1: n bytes read; 0: EOF before the first byte; -1: error or EOF mid-message. */
static int read_full(struct peer *p, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(p->fd, buf + got, n - got, 0);

		if (r < 0) {
			if (errno == EINTR && !bench_load_stop)
				continue;
			return fail(p, "recv");
		}
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
static void wait_eof(struct peer *p)
{
	ssize_t r = recv(p->fd, p->buf, 1, 0);

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

static void lat_record(struct peer *p, uint64_t ns)
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

static void pin(struct peer *p)
{
	cpu_set_t set;

	if (p->cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(p->cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Pins the client, starts its clock; returns when the test ends. */
static uint64_t client_start(struct peer *p)
{
	pin(p);
	p->start_ns = now_ns();
	return p->start_ns + (uint64_t)(p->o->duration_s * 1e9);
}

/* Our EOF, then the server's: it closes after reading ours, when everything has been read. */
static void client_finish(struct peer *p)
{
	shutdown(p->fd, SHUT_WR);
	if (!p->err)
		wait_eof(p);
}

static void *rr_client(void *arg)
{
	struct peer *p = arg;
	size_t n = p->o->msg_size;
	uint64_t deadline = client_start(p);

	for (uint64_t t0 = p->start_ns; t0 < deadline && !bench_load_stop; p->msgs++) {
		const uint8_t *m = msg_at(p, p->msgs);
		uint64_t t1;

		if (write_full(p, m, n) || read_full(p, p->buf, n) != 1)
			break;
		t1 = now_ns();
		lat_record(p, t1 - t0);
		bench_hash_update(&p->tx, m, n);
		bench_hash_update(&p->rx, p->buf, n);
		t0 = t1;
	}
	p->end_ns = now_ns();
	client_finish(p);
	return NULL;
}

static void *rr_server(void *arg)
{
	struct peer *p = arg;
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

static void *stream_client(void *arg)
{
	struct peer *p = arg;
	size_t n = p->o->msg_size;
	uint64_t deadline = client_start(p);

	while (!bench_load_stop && now_ns() < deadline) {
		const uint8_t *m = msg_at(p, p->msgs);

		if (write_full(p, m, n))
			break;
		bench_hash_update(&p->tx, m, n);
		p->msgs++;
	}
	client_finish(p);
	p->end_ns = now_ns();
	return NULL;
}

static void *stream_server(void *arg)
{
	struct peer *p = arg;

	pin(p);
	p->waits = thread_waits();
	for (;;) {
		ssize_t r = recv(p->fd, p->buf, p->buf_len, 0);

		if (r < 0) {
			if (errno == EINTR && !bench_load_stop)
				continue;
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
	p->end_ns = now_ns();
	p->waits = thread_waits() - p->waits;
	shutdown(p->fd, SHUT_WR);
	return NULL;
}

static int set_sockopts(int fd)
{
	struct timeval tv = { .tv_sec = STALL_S };
	int one = 1;

	/* like sockperf: every write is a message, not left for Nagle to merge */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		return -1;
	return 0;
}

/* A connected pair over 127.0.0.1, created by this thread (its cgroup, its netns). */
static int connect_pair(int *cfd, int *sfd, char *err, size_t err_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int lfd, c = -1, s = -1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (void *)&a, sizeof(a)) || listen(lfd, 1) ||
	    getsockname(lfd, (void *)&a, &alen))
		goto fail;
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (void *)&a, sizeof(a)))
		goto fail;
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0 || set_sockopts(c) || set_sockopts(s))
		goto fail;
	close(lfd);
	*cfd = c;
	*sfd = s;
	return 0;
fail:
	snprintf(err, err_len, "failed to set up a loopback connection: %s", strerror(errno));
	if (c >= 0)
		close(c);
	if (s >= 0)
		close(s);
	if (lfd >= 0)
		close(lfd);
	return -1;
}

/* For a failed run: where each end's TCP state machine stands and what sits in its queues
 * (a stall with an empty send queue and FIN_WAIT2 on the other side is a lost FIN). */
static void tcp_states(int cfd, int sfd, char *buf, size_t len)
{
	static const char *const names[] = { "?", "ESTABLISHED", "SYN_SENT", "SYN_RECV",
		"FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
		"LISTEN", "CLOSING" };
	int n = 0;

	for (int i = 0; i < 2; i++) {
		struct tcp_info ti = {};
		socklen_t tl = sizeof(ti);
		int inq = -1, outq = -1, fd = i ? sfd : cfd;

		getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl);
		ioctl(fd, SIOCINQ, &inq);
		ioctl(fd, SIOCOUTQ, &outq);
		n += snprintf(buf + n, n < (int)len ? len - n : 0, "%s%s %s inq %d outq %d unacked %u",
			      i ? ", " : " [", i ? "server" : "client",
			      ti.tcpi_state < sizeof(names) / sizeof(names[0]) ? names[ti.tcpi_state] : "?",
			      inq, outq, ti.tcpi_unacked);
	}
	if (n < (int)len)
		snprintf(buf + n, len - n, "]");
}

static uint8_t *make_pool(size_t msg_size)
{
	size_t len = POOL_SPAN + msg_size;
	uint64_t x = 0x2545f4914f6cdd1dULL ^ (uint64_t)now_ns();
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

static void verify(const struct peer *c, const struct peer *s, struct bench_load_result *r)
{
	bool rr = c->o->test == BENCH_RR;

	r->verified = c->tx.bytes == s->rx.bytes &&
		      bench_hash_final(&c->tx) == bench_hash_final(&s->rx);
	if (rr)
		r->verified = r->verified && s->tx.bytes == c->rx.bytes &&
			      bench_hash_final(&s->tx) == bench_hash_final(&c->rx);
	if (!r->verified)
		snprintf(r->error, sizeof(r->error),
			 "data corrupted: client sent %llu bytes, server got %llu%s",
			 (unsigned long long)c->tx.bytes, (unsigned long long)s->rx.bytes,
			 c->tx.bytes == s->rx.bytes ? " (same count, different checksum)" : "");
}

int bench_load_run(const struct bench_load_opts *o, struct bench_load_result *r)
{
	struct peer c = { .o = o, .cpu = o->cpu_client }, s = { .o = o, .cpu = o->cpu_server };
	bool rr = o->test == BENCH_RR;
	pthread_t tc, ts;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	/* for tests of the bench itself: the stream test then must fail */
	s.corrupt_once = getenv("NETBPF_BENCH_INJECT_CORRUPTION") != NULL;
	bench_hash_init(&c.tx), bench_hash_init(&c.rx);
	bench_hash_init(&s.tx), bench_hash_init(&s.rx);
	c.pool = s.pool = make_pool(o->msg_size);
	c.buf_len = o->msg_size;
	s.buf_len = rr ? o->msg_size : (o->msg_size > STREAM_RBUF ? o->msg_size : STREAM_RBUF);
	c.buf = malloc(c.buf_len);
	s.buf = malloc(s.buf_len);
	if (!c.pool || !c.buf || !s.buf) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		goto out;
	}
	if (connect_pair(&c.fd, &s.fd, r->error, sizeof(r->error)))
		goto out;
	if (pthread_create(&ts, NULL, rr ? rr_server : stream_server, &s)) {
		snprintf(r->error, sizeof(r->error), "failed to start a thread");
		goto out_close;
	}
	if (pthread_create(&tc, NULL, rr ? rr_client : stream_client, &c)) {
		snprintf(r->error, sizeof(r->error), "failed to start a thread");
		shutdown(c.fd, SHUT_RDWR);
		pthread_join(ts, NULL);
		goto out_close;
	}
	pthread_join(tc, NULL);
	pthread_join(ts, NULL);

	r->msgs = rr ? c.msgs : s.rx.bytes / o->msg_size;
	r->bytes = rr ? c.tx.bytes + c.rx.bytes : s.rx.bytes;
	r->elapsed_s = ((rr ? c.end_ns : s.end_ns) - c.start_ns) / 1e9;
	r->rx_waits = s.waits;
	r->lat_ns = c.lat;
	r->n_lat = c.n_lat;
	c.lat = NULL;
	if (c.err || s.err) {
		int n = 0;

		for (struct peer *e = &c; e; e = e == &c ? &s : NULL) {
			if (!e->err)
				continue;
			r->stalled |= e->err_no == EAGAIN;
			n += snprintf(r->error + n, sizeof(r->error) - n, "%s%s %s failed: %s%s",
				      n ? "; " : "", e == &c ? "client" : "server", e->err,
				      strerror(e->err_no), e->err_no == EAGAIN ?
				      " (no progress for " STR(STALL_S) " s: stalled)" : "");
			if (n >= (int)sizeof(r->error))
				break;
		}
		tcp_states(c.fd, s.fd, r->error + strlen(r->error), sizeof(r->error) - strlen(r->error));
		goto out_close;
	}
	if (bench_load_stop) {
		snprintf(r->error, sizeof(r->error), "interrupted");
		goto out_close;
	}
	verify(&c, &s, r);
	ret = 0;
out_close:
	close(c.fd);
	close(s.fd);
out:
	free(c.lat);
	free((void *)c.pool);
	free(c.buf);
	free(s.buf);
	return ret;
}

void bench_load_free(struct bench_load_result *r)
{
	free(r->lat_ns);
	r->lat_ns = NULL;
}
