/*
 * streamcheck: many concurrent TCP connections carrying pseudo-random streams in
 * both directions, every byte verified at the receiver.
 *
 * Each stream is a pure function of (seed, offset), so a receiver checks each
 * byte as it arrives: loss, corruption, duplication and reordering are caught at
 * the first wrong offset. Each send() (or sendfile() with -F) is a "message" of
 * random size, 1 B to -m, log-uniform so small and large ones both occur; a
 * partial send finishes the message before the next. FNV-1a hashes of
 * every stream are also summed per side and printed, for a cross-process check
 * (client tx_hash == server rx_hash).
 *
 * The client sends a header first (seed, byte counts, mode); the server follows it.
 * Modes:
 *   both       both ends send at once; each shuts down writing when done and reads to EOF
 *   halfclose  the server sends only after the client's EOF (data flows half-closed)
 *   rst        the server sends after reading all; the client, after reading all,
 *              aborts with SO_LINGER 0: the server must see ECONNRESET
 *
 * Exit 0 when every stream is intact and ended as the mode says, 1 otherwise.
 */
#define _GNU_SOURCE /* accept4 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC    0x73747263u
#define MAX_CONN 4096
#define IOBUF    (1 << 20)

#ifndef IPPROTO_MPTCP
#define IPPROTO_MPTCP 262
#endif

enum mode { MODE_BOTH, MODE_HALFCLOSE, MODE_RST };
static const char *mode_names[] = { "both", "halfclose", "rst" };

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

static struct {
	const char *addr, *bind_addr, *gate;
	int port, bind_port, n, mptcp, sendfile;
	uint64_t bytes, max_msg, seed;
	enum mode mode;
	long pace_ms;
} opt = { .n = 1, .bytes = 1 << 20, .max_msg = 1 << 20, .seed = 1 };

static struct conn conns[2 * MAX_CONN];
static int nconns, failures;
static uint8_t iobuf[IOBUF], want[IOBUF];
static struct timespec t0;

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The bytes of stream seed at [off, off + len). */
static void gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t w = splitmix(seed ^ (off / 8));

	for (size_t i = 0; i < len; i++, off++) {
		if (off % 8 == 0)
			w = splitmix(seed ^ (off / 8));
		buf[i] = w >> (8 * (off % 8));
	}
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static long elapsed_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
}

__attribute__((format(printf, 2, 3)))
static void conn_fail(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "streamcheck: %s conn %d: ", c->server ? "server" : "client", (int)(c - conns));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
	c->finished = true;
	close(c->fd);
	c->fd = -1;
}

static int sockaddr_of(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *ai;
	char ps[8];

	snprintf(ps, sizeof(ps), "%d", port);
	if (getaddrinfo(addr, ps, &hints, &ai)) {
		fprintf(stderr, "streamcheck: bad address '%s'\n", addr);
		return -1;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static int sock_new(int family)
{
	int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			opt.mptcp ? IPPROTO_MPTCP : 0);
	int one = 1;

	if (fd < 0) {
		perror("streamcheck: socket");
		exit(1);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return fd;
}

static int listen_on(const char *addr, int port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;

	if (sockaddr_of(addr, port, &ss, &len))
		exit(1);
	fd = sock_new(ss.ss_family);
	if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 4096)) {
		perror("streamcheck: bind/listen");
		exit(1);
	}
	return fd;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	getsockname(fd, (struct sockaddr *)&ss, &len);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void client_open(int i)
{
	struct conn *c = &conns[nconns++];
	struct sockaddr_storage ss, bs;
	socklen_t len, blen;

	memset(c, 0, sizeof(*c));
	if (sockaddr_of(opt.addr, opt.port, &ss, &len))
		exit(1);
	c->fd = sock_new(ss.ss_family);
	if (opt.bind_addr) {
		if (sockaddr_of(opt.bind_addr, opt.bind_port ? opt.bind_port + i : 0, &bs, &blen) ||
		    bind(c->fd, (struct sockaddr *)&bs, blen)) {
			perror("streamcheck: bind");
			exit(1);
		}
	}
	if (connect(c->fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		perror("streamcheck: connect");
		exit(1);
	}
	c->h = (struct hdr){ MAGIC, opt.mode, opt.seed * 1000003 + i, opt.bytes, opt.bytes };
	c->tx = (struct stream){ .seed = c->h.seed, .total = c->h.c2s };
	c->rx = (struct stream){ .seed = ~c->h.seed, .total = c->h.s2c };
	c->rng = c->h.seed;
}

static void server_accept(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		struct conn *c = &conns[nconns++];

		memset(c, 0, sizeof(*c));
		c->fd = fd;
		c->server = true;
	}
}

/* Log-uniform in [1, max]: as many 1-9 byte messages as 100K-1M ones. */
static uint64_t msg_size(struct conn *c)
{
	double r;
	uint64_t v;

	c->rng = splitmix(c->rng);
	r = (double)(c->rng >> 11) / (double)(1ULL << 53);
	v = exp(r * log((double)opt.max_msg));
	return v < 1 ? 1 : v > opt.max_msg ? opt.max_msg : v;
}

static bool gated(const struct conn *c)
{
	if (opt.gate && c->tx.done >= c->tx.total / 2 && access(opt.gate, F_OK))
		return true;
	if (opt.pace_ms && c->tx.done * (uint64_t)opt.pace_ms > c->tx.total * (uint64_t)elapsed_ms())
		return true;
	return false;
}

static bool may_send(const struct conn *c)
{
	if (c->finished || c->shut_wr || (c->server && c->hdr_done < sizeof(c->h)))
		return false;
	if (!c->server && c->hdr_done < sizeof(c->h))
		return true;
	if (c->server && c->h.mode == MODE_HALFCLOSE && !c->eof)
		return false;
	if (c->server && c->h.mode == MODE_RST && c->rx.done < c->rx.total)
		return false;
	return true;
}

/* A memfd holding the whole stream, for sendfile(). */
static int stream_file(const struct stream *st)
{
	int fd = memfd_create("streamcheck", MFD_CLOEXEC);

	for (uint64_t off = 0; fd >= 0 && off < st->total; off += IOBUF) {
		size_t len = st->total - off < IOBUF ? st->total - off : IOBUF;

		gen(st->seed, off, iobuf, len);
		if (write(fd, iobuf, len) != (ssize_t)len) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void do_send(struct conn *c)
{
	ssize_t n;
	uint64_t len;

	if (!c->server && c->hdr_done < sizeof(c->h)) {
		n = send(c->fd, (char *)&c->h + c->hdr_done, sizeof(c->h) - c->hdr_done, MSG_NOSIGNAL);
		if (n > 0)
			c->hdr_done += n;
		else if (errno != EAGAIN && errno != ENOTCONN)
			conn_fail(c, "send of the header failed: %s", strerror(errno));
		return;
	}
	/*
	 * One message per connection per round: a bypassed socket never says EAGAIN
	 * (the kernel queues at the reader without limit), so sending until EAGAIN
	 * would queue whole streams before anything is read.
	 */
	for (bool fresh = !c->msg_left; c->tx.done < c->tx.total && !gated(c); ) {
		if (!c->msg_left) {
			if (!fresh)
				break;
			fresh = false;
			c->msg_left = msg_size(c);
			if (c->msg_left > c->tx.total - c->tx.done)
				c->msg_left = c->tx.total - c->tx.done;
		}
		len = c->msg_left;
		if (opt.sendfile && !c->file_fd && (c->file_fd = stream_file(&c->tx)) < 0) {
			conn_fail(c, "memfd: %s", strerror(errno));
			return;
		}
		gen(c->tx.seed, c->tx.done, iobuf, len);
		if (opt.sendfile) {
			off_t off = c->tx.done;

			n = sendfile(c->fd, c->file_fd, &off, len);
		} else {
			n = send(c->fd, iobuf, len, MSG_NOSIGNAL);
		}
		if (n < 0) {
			if (errno != EAGAIN)
				conn_fail(c, "send failed at stream byte %llu: %s",
					  (unsigned long long)c->tx.done, strerror(errno));
			return;
		}
		c->tx.hash = fnv(c->tx.hash, iobuf, n);
		c->tx.done += n;
		c->msg_left -= n;
	}
	if (c->tx.done == c->tx.total && c->h.mode != MODE_RST) {
		shutdown(c->fd, SHUT_WR);
		c->shut_wr = true;
	}
}

static void check_done(struct conn *c)
{
	struct linger lg = { 1, 0 };

	if (c->finished)
		return;
	if (!c->server && c->h.mode == MODE_RST && c->rx.done == c->rx.total &&
	    c->tx.done == c->tx.total) {
		/* Abort: the server has read everything (it sent only after that). */
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		goto finish;
	}
	if (!c->eof || (c->h.mode != MODE_RST && !c->shut_wr))
		return;
	if (c->rx.done != c->rx.total) {
		conn_fail(c, "%s after %llu of %llu bytes", c->rx_err ? strerror(c->rx_err) : "EOF",
			  (unsigned long long)c->rx.done, (unsigned long long)c->rx.total);
		return;
	}
	if (c->server && c->h.mode == MODE_RST && c->rx_err != ECONNRESET) {
		conn_fail(c, "expected ECONNRESET after the abort, got %s", c->rx_err ? strerror(c->rx_err) : "EOF");
		return;
	}
	if (c->h.mode != MODE_RST && c->rx_err) {
		conn_fail(c, "read failed: %s", strerror(c->rx_err));
		return;
	}
	if (c->server && c->h.mode == MODE_RST && c->tx.done != c->tx.total)
		return;
finish:
	c->finished = true;
	close(c->fd);
	c->fd = -1;
	if (c->file_fd > 0)
		close(c->file_fd);
}

static void do_recv(struct conn *c)
{
	ssize_t n;

	if (c->server && c->hdr_done < sizeof(c->h)) {
		n = recv(c->fd, (char *)&c->h + c->hdr_done, sizeof(c->h) - c->hdr_done, 0);
		if (n <= 0) {
			if (n == 0 || errno != EAGAIN)
				conn_fail(c, "no header: %s", n ? strerror(errno) : "EOF");
			return;
		}
		c->hdr_done += n;
		if (c->hdr_done < sizeof(c->h))
			return;
		if (c->h.magic != MAGIC || c->h.mode > MODE_RST) {
			conn_fail(c, "bad header (magic %#x, mode %u)", c->h.magic, c->h.mode);
			return;
		}
		c->rx = (struct stream){ .seed = c->h.seed, .total = c->h.c2s };
		c->tx = (struct stream){ .seed = ~c->h.seed, .total = c->h.s2c };
		c->rng = ~c->h.seed;
	}
	for (;;) {
		n = recv(c->fd, iobuf, sizeof(iobuf), 0);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			c->eof = true;
			c->rx_err = n ? errno : 0;
			return;
		}
		if (c->rx.done + n > c->rx.total) {
			conn_fail(c, "%llu bytes past the end of the stream",
				  (unsigned long long)(c->rx.done + n - c->rx.total));
			return;
		}
		gen(c->rx.seed, c->rx.done, want, n);
		if (memcmp(iobuf, want, n)) {
			ssize_t i = 0;

			while (iobuf[i] == want[i])
				i++;
			conn_fail(c, "data differs at stream byte %llu", (unsigned long long)(c->rx.done + i));
			return;
		}
		c->rx.hash = fnv(c->rx.hash, iobuf, n);
		c->rx.done += n;
	}
}

/* Prints one side's summary; returns the sums of its tx and rx hashes. */
static void report(bool server, uint64_t *txh, uint64_t *rxh)
{
	uint64_t tx = 0, rx = 0;
	int n = 0, resets = 0;

	*txh = *rxh = 0;
	for (int i = 0; i < nconns; i++) {
		struct conn *c = &conns[i];

		if (c->server != server)
			continue;
		n++;
		tx += c->tx.done;
		rx += c->rx.done;
		*txh += c->tx.hash;
		*rxh += c->rx.hash;
		resets += c->rx_err == ECONNRESET;
	}
	printf("%s conns=%d tx_bytes=%llu rx_bytes=%llu tx_hash=%016llx rx_hash=%016llx resets=%d\n",
	       server ? "server" : "client", n, (unsigned long long)tx, (unsigned long long)rx,
	       (unsigned long long)*txh, (unsigned long long)*rxh, resets);
}

static bool halfway(void)
{
	for (int i = 0; i < nconns; i++)
		if (conns[i].tx.done < conns[i].tx.total / 2 || conns[i].rx.done < conns[i].rx.total / 2 ||
		    (conns[i].server && conns[i].hdr_done < sizeof(conns[i].h)))
			return false;
	return true;
}

static void run(int lfd, int want_server, int want_client)
{
	static struct pollfd pfd[2 * MAX_CONN + 1];
	bool said_halfway = false;
	int servers, live;

	for (;;) {
		int np = 0;

		servers = live = 0;
		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];

			servers += c->server;
			if (c->finished)
				continue;
			live++;
			pfd[np].fd = c->fd;
			pfd[np].events = (c->eof ? 0 : POLLIN) | (may_send(c) && !gated(c) ? POLLOUT : 0);
			np++;
		}
		if (!live && servers == want_server && nconns - servers == want_client)
			return;
		if (opt.gate && !said_halfway && nconns == want_server + want_client && halfway()) {
			printf("halfway\n");
			fflush(stdout);
			said_halfway = true;
		}
		if (lfd >= 0 && servers < want_server) {
			pfd[np].fd = lfd;
			pfd[np++].events = POLLIN;
		}
		if (poll(pfd, np, opt.gate || opt.pace_ms ? 5 : 1000) < 0) {
			perror("streamcheck: poll");
			exit(1);
		}
		if (lfd >= 0 && servers < want_server)
			server_accept(lfd);
		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];

			if (c->finished)
				continue;
			if (!c->eof)
				do_recv(c);
			if (!c->finished && may_send(c))
				do_send(c);
			check_done(c);
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: streamcheck server|client|pair [options]\n"
		"  -a ADDR        server: listen address; client: address to connect to\n"
		"  -p PORT        port (pair: 0 picks one)\n"
		"  -n N           connections (default 1)\n"
		"  -b BYTES       bytes per direction per connection (default 1M)\n"
		"  -m MAX         largest message (default 1M); sizes are 1..MAX, log-uniform\n"
		"  -s SEED        seed (default 1)\n"
		"  -M MODE        both | halfclose | rst (default both)\n"
		"  -B ADDR        client: bind to ADDR; -P PORT: and to PORT+i for connection i\n"
		"  -g FILE        pause every sender at half its bytes until FILE exists;\n"
		"                 prints 'halfway' once all streams got there\n"
		"  -t MS          spread each sender's bytes over at least MS milliseconds\n"
		"  -T             MPTCP sockets\n"
		"  -F             send with sendfile() from a memfd instead of send()\n"
		"Examples:\n"
		"  streamcheck pair -a 127.0.0.1 -n 200 -b 1M\n"
		"  streamcheck server -a :: -p 9000 -n 4 & streamcheck client -a ::1 -p 9000 -n 4\n");
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	switch (*end) {
	case 'K': case 'k': v <<= 10; break;
	case 'M': case 'm': v <<= 20; break;
	case 'G': case 'g': v <<= 30; break;
	}
	return v;
}

int main(int argc, char **argv)
{
	uint64_t s_tx = 0, s_rx = 0, c_tx = 0, c_rx = 0;
	const char *role;
	int c, lfd = -1, nserv = 0, ncli = 0;

	if (argc < 2 || argv[1][0] == '-') {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	role = argv[1];
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "a:p:n:b:m:s:M:B:P:g:t:TFh")) != -1) {
		switch (c) {
		case 'a': opt.addr = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'n': opt.n = atoi(optarg); break;
		case 'b': opt.bytes = parse_size(optarg); break;
		case 'm': opt.max_msg = parse_size(optarg); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'M':
			for (opt.mode = 0; opt.mode <= MODE_RST && strcmp(optarg, mode_names[opt.mode]); opt.mode++)
				;
			if (opt.mode > MODE_RST) {
				fprintf(stderr, "streamcheck: unknown mode '%s'\n", optarg);
				return 2;
			}
			break;
		case 'B': opt.bind_addr = optarg; break;
		case 'P': opt.bind_port = atoi(optarg); break;
		case 'g': opt.gate = optarg; break;
		case 't': opt.pace_ms = atol(optarg); break;
		case 'T': opt.mptcp = 1; break;
		case 'F': opt.sendfile = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!opt.addr || opt.n < 1 || opt.n > MAX_CONN || !opt.max_msg || opt.max_msg > IOBUF) {
		fprintf(stderr, "streamcheck: need -a ADDR, 1 <= -n <= %d, 1 <= -m <= %d\n", MAX_CONN, IOBUF);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!strcmp(role, "server") || !strcmp(role, "pair")) {
		lfd = listen_on(opt.addr, opt.port);
		opt.port = local_port(lfd);
		nserv = opt.n;
		/* For scripts: connect only after this line. */
		printf("listening on port %d\n", opt.port);
		fflush(stdout);
	}
	if (!strcmp(role, "client") || !strcmp(role, "pair")) {
		for (int i = 0; i < opt.n; i++)
			client_open(i);
		ncli = opt.n;
	}
	if (!nserv && !ncli) {
		usage(stderr);
		return 2;
	}
	run(lfd, nserv, ncli);
	if (nserv)
		report(true, &s_tx, &s_rx);
	if (ncli)
		report(false, &c_tx, &c_rx);
	if (nserv && ncli && !failures && (s_tx != c_rx || s_rx != c_tx)) {
		fprintf(stderr, "streamcheck: hashes of sent and received streams differ\n");
		failures++;
	}
	if (failures)
		fprintf(stderr, "streamcheck: %d connection(s) failed\n", failures);
	return failures ? 1 : 0;
}
