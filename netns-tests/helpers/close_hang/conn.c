/* One connection of close_hang: the server writes and ends it as -e says, the client
 * reads to the end checking every byte, each in its own thread pinned to a CPU. */
#define _GNU_SOURCE /* accept4, pthread affinity, gettid */
#include <errno.h>
#include <linux/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "close_hang.h"

struct conn cur;
uint64_t deadline_ns;
static uint8_t pat[PAT + MAX_CHUNK];

void pat_init(void)
{
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)((i % PAT) * 2654435761u >> 13);
}

static const uint8_t *pat_at(uint64_t off)
{
	return pat + (off + cur.index * 7919) % PAT;
}

/* A blocking recv, after poll() with -r poll; EAGAIN (impossible on a blocking socket
 * without timeout) is counted with the socket's TCP state and the call repeated, so a
 * hang behind it still shows. */
static ssize_t recv_blocking(int fd, void *buf, size_t len, struct eagains *e)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct tcp_info ti = {};
		socklen_t tl = sizeof(ti);
		ssize_t r;

		if (opt.poll_reader && poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		r = recv(fd, buf, len, 0);
		if (r >= 0 || errno != EAGAIN)
			return r;
		e->n++;
		if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) && ti.tcpi_state < TCP_STATES)
			e->state[ti.tcpi_state]++;
	}
}

static void server_fail(const char *what)
{
	cur.s_err = errno;
	cur.s_what = what;
}

static void *server(void *arg __attribute__((unused)))
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint64_t off = 0;
	uint8_t buf[256];
	int fd;

	cur.stid = gettid();
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0) {
		server_fail("accept");
		return NULL;
	}
	__atomic_store_n(&cur.sfd, fd, __ATOMIC_RELAXED);
	/* The client must be past connect(), or an RST could end its connect() instead. */
	while (__atomic_load_n(&cur.cfd, __ATOMIC_ACQUIRE) < 0 &&
	       !__atomic_load_n(&cur.c_err, __ATOMIC_ACQUIRE))
		sched_yield();
	while (off < cur.size) {
		size_t n = cur.size - off < (uint64_t)opt.write_size ? cur.size - off : (size_t)opt.write_size;
		ssize_t w = send(fd, pat_at(off), n, MSG_NOSIGNAL);

		if (w < 0) {
			server_fail("send");
			break;
		}
		off += w;
	}
	switch (opt.end) {
	case END_LINGER0:
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			server_fail("setsockopt SO_LINGER");
		break;
	case END_SHUT_CLOSE:
		shutdown(fd, SHUT_WR);
		break;
	case END_SHUTDOWN: /* then wait for the client's EOF, as the bench's ends do */
		shutdown(fd, SHUT_WR);
		for (ssize_t r; (r = recv_blocking(fd, buf, sizeof(buf), &cur.s_eagain)) != 0;) {
			if (r < 0) {
				server_fail("recv (waiting for the client's EOF)");
				break;
			}
		}
		break;
	case END_CLOSE:
		break;
	}
	__atomic_store_n(&cur.sfd, -1, __ATOMIC_RELAXED);
	close(fd);
	return NULL;
}

static void *client(void *arg)
{
	const struct addrinfo *ai = arg;
	struct tcp_info ti = {};
	socklen_t tl = sizeof(ti);
	static uint8_t buf[MAX_CHUNK];
	int fd;

	cur.ctid = gettid();
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		__atomic_store_n(&cur.c_err, errno, __ATOMIC_RELEASE);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	__atomic_store_n(&cur.cfd, fd, __ATOMIC_RELEASE);
	if (opt.client_shut_first)
		shutdown(fd, SHUT_WR);
	for (;;) {
		ssize_t r = recv_blocking(fd, buf, opt.read_size, &cur.c_eagain);

		if (r <= 0) {
			cur.c_err = r ? errno : 0;
			break;
		}
		if (cur.got + r > cur.size || memcmp(buf, pat_at(cur.got), r))
			cur.corrupt = true;
		cur.got += r;
		if (opt.slow_us)
			usleep(opt.slow_us);
	}
	if (!getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl))
		cur.tcp_rx = ti.tcpi_bytes_received;
	tl = sizeof(cur.keepalive);
	getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &cur.keepalive, &tl);
	__atomic_store_n(&cur.cfd, -1, __ATOMIC_RELAXED);
	close(fd);
	return NULL;
}

static int spawn(pthread_t *t, void *(*fn)(void *), void *arg, int cpu)
{
	pthread_attr_t attr;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(set), &set);
	err = pthread_create(t, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	if (err)
		fprintf(stderr, "close_hang: failed to start a thread: %s\n", strerror(err));
	return err;
}

static void eagains_add(struct eagains *sum, const struct eagains *e)
{
	sum->n += e->n;
	for (int i = 0; i < TCP_STATES; i++)
		sum->state[i] += e->state[i];
}

static bool ended_well(void)
{
	if (cur.corrupt || cur.s_what)
		return false;
	if (opt.end == END_LINGER0) /* unsent bytes die with the RST in plain TCP */
		return cur.c_err == 0 || cur.c_err == ECONNRESET;
	return cur.c_err == 0 && cur.got == cur.size;
}

int run_one(const struct addrinfo *ai, uint64_t index, uint64_t size, int cpu_srv,
	    int cpu_cli, struct tally *t)
{
	pthread_t ts, tc;
	uint64_t t0 = now_ns(), dt;

	memset(&cur, 0, sizeof(cur));
	cur.index = index;
	cur.size = size;
	cur.cfd = cur.sfd = -1;
	__atomic_store_n(&deadline_ns, t0 + opt.deadline_s * 1000000000ull, __ATOMIC_RELEASE);
	if (spawn(&ts, server, NULL, cpu_srv))
		return -1;
	if (spawn(&tc, client, (void *)ai, cpu_cli)) {
		pthread_cancel(ts);
		return -1;
	}
	pthread_join(tc, NULL);
	pthread_join(ts, NULL);
	__atomic_store_n(&deadline_ns, 0, __ATOMIC_RELEASE);
	dt = now_ns() - t0;
	t->conns++;
	/* bytes read that TCP did not receive (its bytes_received counts the FIN too) */
	t->bypassed += cur.got && cur.tcp_rx == (cur.c_err == 0);
	t->keepalive += cur.keepalive != 0;
	t->eof += cur.c_err == 0;
	t->resets += cur.c_err == ECONNRESET;
	eagains_add(&t->c_eagain, &cur.c_eagain);
	eagains_add(&t->s_eagain, &cur.s_eagain);
	t->c_eagain_conns += cur.c_eagain.n > 0;
	if (dt > t->slowest_ns)
		t->slowest_ns = dt;
	if (!ended_well()) {
		fprintf(stderr, "close_hang: %s connection %llu (%llu bytes): client read %llu%s, "
			"then %s%s%s%s\n", placement, (unsigned long long)index,
			(unsigned long long)size, (unsigned long long)cur.got,
			cur.corrupt ? " (wrong bytes)" : "",
			cur.c_err ? strerror(cur.c_err) : "EOF",
			cur.s_what ? "; server " : "", cur.s_what ? cur.s_what : "",
			cur.s_what ? strerror(cur.s_err) : "");
		return 0;
	}
	t->intact++;
	return 0;
}
