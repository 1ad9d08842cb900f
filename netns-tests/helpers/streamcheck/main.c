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
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/argval.h"
#include "streamcheck.h"

static const char *const mode_names[] = { "both", "halfclose", "rst" };

struct options opt = { .n = 1, .bytes = 1 << 20, .max_msg = 1 << 20, .seed = 1,
			.s2c_bytes = UINT64_MAX };
struct conn conns[2 * MAX_CONN];
int nconns, failures;
struct timespec t0;

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
			pfd[np].events = (c->eof ? 0 : POLLIN) | (conn_may_send(c) && !conn_gated(c) ? POLLOUT : 0);
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
		if (poll(pfd, np, opt.gate || opt.start_gate || opt.pace_ms ? 5 : 1000) < 0) {
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
				conn_recv(c);
			if (!c->finished && conn_may_send(c))
				conn_send(c);
			conn_check_done(c);
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
		"  -R BYTES       client: bytes from server to client instead (0: one-way)\n"
		"  -m MAX         largest message (default 1M); sizes are 1..MAX, log-uniform\n"
		"  -s SEED        seed (default 1)\n"
		"  -M MODE        both | halfclose | rst (default both)\n"
		"  -B ADDR        client: bind to ADDR; -P PORT: and to PORT+i for connection i\n"
		"  -g FILE        pause every sender at half its bytes until FILE exists;\n"
		"                 prints 'halfway' once all streams got there\n"
		"  -G FILE        send nothing, not even the header, until FILE exists\n"
		"  -t MS          spread each sender's bytes over at least MS milliseconds\n"
		"  -T             MPTCP sockets\n"
		"  -F             send with sendfile() from a memfd instead of send()\n"
		"Examples:\n"
		"  streamcheck pair -a 127.0.0.1 -n 200 -b 1M\n"
		"  streamcheck server -a :: -p 9000 -n 4 & streamcheck client -a ::1 -p 9000 -n 4\n");
}

int main(int argc, char **argv)
{
	uint64_t s_tx = 0, s_rx = 0, c_tx = 0, c_rx = 0;
	unsigned long long v;
	const char *role;
	int c, lfd = -1, nserv = 0, ncli = 0;

	if (argc < 2 || argv[1][0] == '-') {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	role = argv[1];
	argv++;
	argc--;
	while ((c = getopt(argc, argv, "a:p:n:b:R:m:s:M:B:P:g:G:t:TFh")) != -1) {
		switch (c) {
		case 'a': opt.addr = optarg; break;
		case 'p':
			if (arg_uint(optarg, "-p port", 0, 65535, &v))
				return 2;
			opt.port = v;
			break;
		case 'n':
			if (arg_uint(optarg, "-n connections", 1, MAX_CONN, &v))
				return 2;
			opt.n = v;
			break;
		case 'b':
			if (arg_size(optarg, "-b bytes", 1, 1ULL << 40, &v))
				return 2;
			opt.bytes = v;
			break;
		case 'R':
			if (arg_size(optarg, "-R bytes", 0, 1ULL << 40, &v))
				return 2;
			opt.s2c_bytes = v;
			break;
		case 'm':
			if (arg_size(optarg, "-m max message", 1, IOBUF, &v))
				return 2;
			opt.max_msg = v;
			break;
		case 's':
			if (arg_uint(optarg, "-s seed", 0, ~0ULL, &v))
				return 2;
			opt.seed = v;
			break;
		case 'M':
			for (opt.mode = 0; opt.mode <= MODE_RST && strcmp(optarg, mode_names[opt.mode]); opt.mode++)
				;
			if (opt.mode > MODE_RST) {
				fprintf(stderr, "streamcheck: unknown mode '%s'\n", optarg);
				return 2;
			}
			break;
		case 'B': opt.bind_addr = optarg; break;
		case 'P':
			if (arg_uint(optarg, "-P port", 1, 65535, &v))
				return 2;
			opt.bind_port = v;
			break;
		case 'g': opt.gate = optarg; break;
		case 'G': opt.start_gate = optarg; break;
		case 't':
			if (arg_uint(optarg, "-t ms", 0, 3600000, &v))
				return 2;
			opt.pace_ms = v;
			break;
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
