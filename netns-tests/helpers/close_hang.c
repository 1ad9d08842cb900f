/*
 * close_hang: the end of a TCP connection as a blocking reader sees it, one
 * connection at a time, each end in its own thread pinned to a CPU ("same": both on
 * one CPU, "cross": on two). The server writes SIZE bytes and ends the connection
 * (-e); the client reads with blocking calls and no timeout until EOF, checking
 * every byte. A watchdog thread gives each connection a deadline (-w): a connection
 * that passes it is a hang, reported with both sockets' TCP state and queues and
 * where each thread sleeps in the kernel, and the program exits 3.
 *
 * Made for the "hang at close" once reported for the netbpf bypass: run it inside
 * the cgroup of `netbpf redirect on` (docs/redirect.md has the findings). Besides
 * hangs it counts what a blocking reader must never see: recv() failing with EAGAIN
 * on a blocking socket without a timeout (tcp_bpf_recvmsg() returns it after a
 * wake-up that brought no data); such a call is counted and repeated. The one hang
 * found is an RST lost to a full socket backlog (-e linger0 -s 16M -P cross): the
 * dump then shows TCPBacklogDrop. A connection counts as bypassed when the client's
 * TCP_INFO shows no byte but the FIN received through TCP; keepalive= counts clients
 * with SO_KEEPALIVE set (by `redirect on --keepalive`).
 *
 * One line per placement and size. Exit: 0 every connection intact and ended as -e
 * says (EAGAINs too, unless -E), 1 otherwise, 2 usage, 3 hang.
 */
#define _GNU_SOURCE /* accept4, pthread affinity, gettid */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/argval.h"
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
static const char *const end_names[] = { "close", "shut-close", "shutdown", "linger0" };

static struct {
	const char *addr;
	int n, write_size, read_size, slow_us, deadline_s;
	enum end end;
	bool poll_reader, client_shut_first, eagain_fails;
	bool same, cross;
	uint64_t sizes[MAX_SIZES];
	int nsizes;
} opt = { .addr = "127.0.0.1", .n = 1000, .write_size = 65536, .read_size = 65536,
	  .deadline_s = 10, .same = true, .cross = true };

/* The connection under way; the watchdog reads the fds, tids and deadline. */
static struct conn {
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
} cur;
static uint64_t deadline_ns; /* 0 between connections */
static const char *placement;
static int lfd, cpu_a, cpu_b;
static uint8_t pat[PAT + MAX_CHUNK];

static uint64_t now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static const uint8_t *pat_at(uint64_t off)
{
	return pat + (off + cur.index * 7919) % PAT;
}

static const char *tcp_state_name(unsigned s)
{
	static const char *const names[TCP_STATES] = { "?", "ESTABLISHED", "SYN_SENT",
		"SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
		"LAST_ACK", "LISTEN", "CLOSING" };

	return s < TCP_STATES ? names[s] : "?";
}

static void dump_thread(const char *who, pid_t tid)
{
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/wchan", tid);
	if ((f = fopen(path, "r"))) {
		if (fgets(line, sizeof(line), f))
			fprintf(stderr, "  %s thread %d sleeps in %s\n", who, tid, line);
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/stack", tid);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof(line), f))
			fprintf(stderr, "    %s", line);
		fclose(f);
	}
}

static void dump_sock(const char *who, int fd)
{
	struct tcp_info ti = {};
	socklen_t len = sizeof(ti);
	int inq = -1, outq = -1;

	if (fd < 0) {
		fprintf(stderr, "  %s socket: closed by its thread\n", who);
		return;
	}
	getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len);
	ioctl(fd, SIOCINQ, &inq);
	ioctl(fd, SIOCOUTQ, &outq);
	fprintf(stderr, "  %s socket: %s, inq %d, outq %d, unacked %u, bytes_received %llu\n",
		who, tcp_state_name(ti.tcpi_state), inq, outq, ti.tcpi_unacked,
		(unsigned long long)ti.tcpi_bytes_received);
}

/* Segments the namespace dropped because a socket's backlog was full: a lost RST or FIN. */
static void dump_backlog_drops(void)
{
	char names[4096], values[4096], *n, *v, *sn, *sv;
	FILE *f = fopen("/proc/net/netstat", "r");

	if (!f)
		return;
	while (fgets(names, sizeof(names), f) && fgets(values, sizeof(values), f)) {
		if (strncmp(names, "TcpExt:", 7))
			continue;
		for (n = strtok_r(names, " \n", &sn), v = strtok_r(values, " \n", &sv); n && v;
		     n = strtok_r(NULL, " \n", &sn), v = strtok_r(NULL, " \n", &sv))
			if (!strcmp(n, "TCPBacklogDrop"))
				fprintf(stderr, "  TcpExt TCPBacklogDrop %s (this namespace)\n", v);
	}
	fclose(f);
}

/* Both ends as the kernel lists them, by the client's port: ss when it exists, else /proc. */
static void dump_kernel_view(int port)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "ss -tinmoe state all '( sport = :%d or dport = :%d )' 1>&2 2>/dev/null || "
		 "grep -ih ':%04X ' /proc/net/tcp /proc/net/tcp6 1>&2", port, port, port);
	if (system(cmd) == -1)
		fprintf(stderr, "  (no shell for ss)\n");
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void *watchdog(void *arg __attribute__((unused)))
{
	for (;;) {
		uint64_t d = __atomic_load_n(&deadline_ns, __ATOMIC_ACQUIRE);
		int cfd = __atomic_load_n(&cur.cfd, __ATOMIC_RELAXED);

		if (d && now_ns() > d) {
			fprintf(stderr, "close_hang: HANG: %s connection %llu (%llu bytes, end %s) "
				"not finished after %d s; client read %llu bytes, %u EAGAIN\n",
				placement, (unsigned long long)cur.index, (unsigned long long)cur.size,
				end_names[opt.end], opt.deadline_s, (unsigned long long)cur.got,
				cur.c_eagain.n);
			dump_sock("client", cfd);
			dump_sock("server", __atomic_load_n(&cur.sfd, __ATOMIC_RELAXED));
			dump_thread("client", cur.ctid);
			dump_thread("server", cur.stid);
			dump_backlog_drops();
			dump_kernel_view(local_port(cfd));
			_exit(3);
		}
		usleep(50000);
	}
	return NULL;
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

struct tally {
	unsigned conns, bypassed, keepalive, intact, eof, resets, c_eagain_conns;
	struct eagains c_eagain, s_eagain;
	uint64_t slowest_ns;
};

static void eagains_add(struct eagains *sum, const struct eagains *e)
{
	sum->n += e->n;
	for (int i = 0; i < TCP_STATES; i++)
		sum->state[i] += e->state[i];
}

/* " (FIN_WAIT2 17, CLOSE 1)": the states the EAGAINs came in */
static const char *eagain_states(const struct eagains *e)
{
	static char buf[256];
	int n = 0;

	buf[0] = 0;
	for (int i = 0; i < TCP_STATES; i++)
		if (e->state[i] && n < (int)sizeof(buf))
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s:%u", n ? "," : " (",
				      tcp_state_name(i), e->state[i]);
	if (n && n < (int)sizeof(buf))
		snprintf(buf + n, sizeof(buf) - n, ")");
	return buf;
}

static bool ended_well(void)
{
	if (cur.corrupt || cur.s_what)
		return false;
	if (opt.end == END_LINGER0) /* unsent bytes die with the RST in plain TCP */
		return cur.c_err == 0 || cur.c_err == ECONNRESET;
	return cur.c_err == 0 && cur.got == cur.size;
}

static int run_one(const struct addrinfo *ai, uint64_t index, uint64_t size, int cpu_srv,
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

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: close_hang [options]   (run it in the cgroup of `netbpf redirect on`)\n"
		"  -n N        connections per placement and size (default 1000)\n"
		"  -s SIZES    bytes the server writes, comma-separated, K/M suffixes\n"
		"              (default 1,64K,1M)\n"
		"  -P WHERE    same | cross | both (default both): the two threads on one CPU or two\n"
		"  -e END      how the server ends after writing: close | shut-close (shutdown(SHUT_WR),\n"
		"              close) | shutdown (shutdown(SHUT_WR), read to the client's EOF, close)\n"
		"              | linger0 (SO_LINGER 0, close: RST) (default close)\n"
		"  -r READER   block | poll (poll() without timeout before each recv) (default block)\n"
		"  -c          the client shuts down writing (its FIN) before reading\n"
		"  -W BYTES    server write size (default 64K, at most 1M)\n"
		"  -R BYTES    client read size (default 64K, at most 1M)\n"
		"  -d USEC     client sleeps USEC after each read (a reader slower than the writer)\n"
		"  -w SECONDS  per-connection deadline of the watchdog (default 10)\n"
		"  -a ADDR     loopback address (default 127.0.0.1)\n"
		"  -E          an EAGAIN from a blocking recv() fails the run\n"
		"Exit: 0 ok, 1 a connection lost bytes or ended wrongly, 2 usage, 3 hang.\n"
		"Example: close_hang -n 1000 -s 1,64K,16M -P cross -e shutdown -c\n");
}

/* "1,64K,16M": sizes of at most 1 GiB. */
static int parse_sizes(char *list)
{
	unsigned long long v;
	char *tok, *save;

	opt.nsizes = 0;
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (opt.nsizes == MAX_SIZES || arg_size(tok, "size", 1, 1ull << 30, &v))
			return -1;
		opt.sizes[opt.nsizes++] = v;
	}
	return opt.nsizes ? 0 : -1;
}

static int parse_args(int argc, char **argv)
{
	unsigned long long v;
	int c;

	while ((c = getopt(argc, argv, "n:s:P:e:r:cW:R:d:w:a:Eh")) != -1) {
		switch (c) {
		case 'n':
			if (arg_uint(optarg, "-n", 1, 1000000, &v))
				return -1;
			opt.n = v;
			break;
		case 's':
			if (parse_sizes(optarg))
				return -1;
			break;
		case 'P':
			opt.same = strcmp(optarg, "cross");
			opt.cross = strcmp(optarg, "same");
			if (!opt.same && !opt.cross)
				return -1;
			break;
		case 'e':
			for (opt.end = 0; opt.end <= END_LINGER0 && strcmp(optarg, end_names[opt.end]); opt.end++)
				;
			if (opt.end > END_LINGER0)
				return -1;
			break;
		case 'r':
			if (strcmp(optarg, "block") && strcmp(optarg, "poll"))
				return -1;
			opt.poll_reader = !strcmp(optarg, "poll");
			break;
		case 'c': opt.client_shut_first = true; break;
		case 'W':
		case 'R':
			if (arg_size(optarg, c == 'W' ? "-W" : "-R", 1, MAX_CHUNK, &v))
				return -1;
			*(c == 'W' ? &opt.write_size : &opt.read_size) = v;
			break;
		case 'd':
			if (arg_uint(optarg, "-d", 0, 1000000, &v))
				return -1;
			opt.slow_us = v;
			break;
		case 'w':
			if (arg_uint(optarg, "-w", 1, 3600, &v))
				return -1;
			opt.deadline_s = v;
			break;
		case 'a': opt.addr = optarg; break;
		case 'E': opt.eagain_fails = true; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!opt.nsizes)
		opt.sizes[opt.nsizes++] = 1, opt.sizes[opt.nsizes++] = 65536,
		opt.sizes[opt.nsizes++] = 1 << 20;
	if (optind != argc)
		return -1;
	return 0;
}

/* A listener on ADDR, port chosen by the kernel; *ai is where clients connect. */
static int listen_on(struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST, .ai_socktype = SOCK_STREAM };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char port[8];
	int fd;

	if (getaddrinfo(opt.addr, "0", &hints, ai)) {
		fprintf(stderr, "close_hang: bad address '%s'\n", opt.addr);
		return -1;
	}
	fd = socket((*ai)->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (*ai)->ai_addr, (*ai)->ai_addrlen) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len)) {
		fprintf(stderr, "close_hang: failed to listen on %s: %s\n", opt.addr, strerror(errno));
		return -1;
	}
	freeaddrinfo(*ai);
	snprintf(port, sizeof(port), "%d", ntohs(ss.ss_family == AF_INET ?
		 ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port));
	if (getaddrinfo(opt.addr, port, &hints, ai)) {
		fprintf(stderr, "close_hang: bad address '%s'\n", opt.addr);
		return -1;
	}
	return fd;
}

/* The first two CPUs this process may run on; cpu_b is -1 when there is one. */
static int pick_cpus(void)
{
	cpu_set_t set;

	cpu_a = cpu_b = -1;
	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int i = 0; i < CPU_SETSIZE && cpu_b < 0; i++) {
		if (!CPU_ISSET(i, &set))
			continue;
		if (cpu_a < 0)
			cpu_a = i;
		else
			cpu_b = i;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const where[] = { "same", "cross" };
	struct addrinfo *ai;
	pthread_t wd;
	int bad = 0;

	if (parse_args(argc, argv)) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(pat); i++)
		pat[i] = (uint8_t)((i % PAT) * 2654435761u >> 13);
	if (pick_cpus() || (lfd = listen_on(&ai)) < 0)
		return 1;
	if (pthread_create(&wd, NULL, watchdog, NULL)) {
		fprintf(stderr, "close_hang: failed to start the watchdog\n");
		return 1;
	}
	printf("reader %s, end %s%s, write %d, read %d%s\n", opt.poll_reader ? "poll" : "block",
	       end_names[opt.end], opt.client_shut_first ? ", client shuts down first" : "",
	       opt.write_size, opt.read_size, opt.slow_us ? ", slow reader" : "");
	for (int p = 0; p < 2; p++) {
		bool cross = p == 1;

		if (cross ? !opt.cross : !opt.same)
			continue;
		placement = where[p];
		if (cross && cpu_b < 0) {
			printf("placement=cross skipped: one CPU\n");
			continue;
		}
		for (int s = 0; s < opt.nsizes; s++) {
			struct tally t = {};

			for (int i = 0; i < opt.n; i++)
				if (run_one(ai, i, opt.sizes[s], cpu_a, cross ? cpu_b : cpu_a, &t))
					return 1;
			printf("placement=%s cpus=%d,%d size=%llu conns=%u bypassed=%u intact=%u "
			       "eof=%u resets=%u hangs=0 slowest_ms=%.1f keepalive=%u eagain_conns=%u "
			       "eagain_client=%u%s", placement, cpu_a, cross ? cpu_b : cpu_a,
			       (unsigned long long)opt.sizes[s], t.conns, t.bypassed, t.intact, t.eof,
			       t.resets, t.slowest_ns / 1e6, t.keepalive, t.c_eagain_conns, t.c_eagain.n,
			       eagain_states(&t.c_eagain));
			printf(" eagain_server=%u%s\n", t.s_eagain.n, eagain_states(&t.s_eagain));
			fflush(stdout);
			bad |= t.intact != t.conns ||
			       (opt.eagain_fails && (t.c_eagain.n || t.s_eagain.n));
		}
	}
	freeaddrinfo(ai);
	return bad;
}
