/* The bench load: a loopback connection, a thread per end, the verdict on the bytes moved. */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/load.h"
#include "bench/peer.h"
#include "common/signals.h"

#define STALL_S     BENCH_STALL_S
#define STR_(x)     #x
#define STR(x)      STR_(x)
#define STREAM_RBUF (256u << 10)

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
static int connect_pair(int port, int *cfd, int *sfd, char *err, size_t err_len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons(port) };
	socklen_t alen = sizeof(a);
	int lfd, c = -1, s = -1, one = 1;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* SO_REUSEADDR: the last round's connection on this port may be in TIME_WAIT */
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (void *)&a, sizeof(a)) || listen(lfd, 1) ||
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

static void verify(const struct bench_peer *c, const struct bench_peer *s,
		   struct bench_load_result *r)
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

/* tx packets of lo in our network namespace, from /proc/self/net/dev (0 if unreadable). */
static uint64_t lo_tx_packets(void)
{
	unsigned long long v = 0;
	char line[512];
	FILE *f = fopen("/proc/self/net/dev", "r");

	while (f && fgets(line, sizeof(line), f)) {
		/* "lo: rx_bytes rx_packets 6 more rx fields tx_bytes tx_packets ..." */
		if (sscanf(line, " lo: %*u %*u %*u %*u %*u %*u %*u %*u %*u %llu", &v) == 1)
			break;
	}
	if (f)
		fclose(f);
	return v;
}

int bench_load_run(const struct bench_load_opts *o, struct bench_load_result *r)
{
	struct bench_peer c = { .o = o, .cpu = o->cpu_client }, s = { .o = o, .cpu = o->cpu_server };
	bool rr = o->test == BENCH_RR;
	pthread_t tc, ts;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	/* for tests of the bench itself: the stream test then must fail */
	s.corrupt_once = getenv("NETBPF_BENCH_INJECT_CORRUPTION") != NULL;
	bench_hash_init(&c.tx), bench_hash_init(&c.rx);
	bench_hash_init(&s.tx), bench_hash_init(&s.rx);
	c.pool = s.pool = bench_peer_pool(o->msg_size);
	c.buf_len = o->msg_size;
	s.buf_len = rr ? o->msg_size : (o->msg_size > STREAM_RBUF ? o->msg_size : STREAM_RBUF);
	c.buf = malloc(c.buf_len);
	s.buf = malloc(s.buf_len);
	if (!c.pool || !c.buf || !s.buf) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		goto out;
	}
	r->lo_packets = lo_tx_packets();
	if (connect_pair(o->port, &c.fd, &s.fd, r->error, sizeof(r->error)))
		goto out;
	if (pthread_create(&ts, NULL, rr ? bench_peer_rr_server : bench_peer_stream_server, &s)) {
		snprintf(r->error, sizeof(r->error), "failed to start a thread");
		goto out_close;
	}
	if (pthread_create(&tc, NULL, rr ? bench_peer_rr_client : bench_peer_stream_client, &c)) {
		snprintf(r->error, sizeof(r->error), "failed to start a thread");
		shutdown(c.fd, SHUT_RDWR);
		pthread_join(ts, NULL);
		goto out_close;
	}
	pthread_join(tc, NULL);
	pthread_join(ts, NULL);
	r->lo_packets = lo_tx_packets() - r->lo_packets;

	r->msgs = rr ? c.msgs : s.rx.bytes / o->msg_size;
	r->bytes = rr ? c.tx.bytes + c.rx.bytes : s.rx.bytes;
	r->elapsed_s = ((rr ? c.end_ns : s.end_ns) - c.start_ns) / 1e9;
	r->rx_waits = s.waits;
	r->lat_ns = c.lat;
	r->n_lat = c.n_lat;
	c.lat = NULL;
	if (c.err || s.err) {
		int n = 0;

		for (struct bench_peer *e = &c; e; e = e == &c ? &s : NULL) {
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
	if (exiting) {
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
