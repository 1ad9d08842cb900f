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
#define _GNU_SOURCE /* CPU_* of sched_getaffinity */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/argval.h"
#include "close_hang.h"

const char *const end_names[] = { "close", "shut-close", "shutdown", "linger0" };

struct options opt = { .addr = "127.0.0.1", .n = 1000, .write_size = 65536, .read_size = 65536,
		       .deadline_s = 10, .same = true, .cross = true };
const char *placement;
int lfd;
static int cpu_a, cpu_b;

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
	pat_init();
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
