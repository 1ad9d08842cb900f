/*
 * The sniffer's own CPU per exchange, without a network: `make bench-sniff-cpu`. The
 * HTTP parser and the JSON output of `netbpf sniff --json` (loader/http/,
 * loader/sniff/out.c, as linked into netbpf) take what make bench-sniff's load sends:
 * wrk's keep-alive GET and tiny_httpd's 64-byte response, one exchange after another
 * on one connection. Lines go to stdout (/dev/null in the make rule: what the kernel
 * then costs to store them is make bench-sniff's floor-output). Prints, per round, ns
 * per exchange, and their min, median and max.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "http/parse.h"
#include "sniff/out.h"

static struct sniff_out out;
static struct sniff_party party[2];

static void on_exchange(void *ctx, const struct http_exchange *ex)
{
	(void)ctx;
	sniff_out_exchange(&out, SRC_WIRE, party, ex);
}

static void party_init(struct sniff_party *p, uint8_t last, uint16_t port)
{
	memset(p, 0, sizeof(*p));
	p->ep.addr[10] = p->ep.addr[11] = 0xff; /* v4-mapped 10.203.0.x */
	p->ep.addr[12] = 10;
	p->ep.addr[13] = 203;
	p->ep.addr[15] = last;
	p->ep.port = port;
	p->pid = -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 10.203.0.2:8080\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
				   "0000000000000000000000000000000000000000000000000000000000000000";
	int n = argc > 1 ? atoi(argv[1]) : 200000, rounds = argc > 2 ? atoi(argv[2]) : 7;
	struct http_limits lim = { .max_line = 8192 };
	uint64_t ts = clock_ns(CLOCK_REALTIME), *ns;
	struct http_conn c;

	if (n <= 0 || rounds <= 0 || !(ns = calloc(rounds, sizeof(*ns)))) {
		fprintf(stderr, "usage: %s [EXCHANGES [ROUNDS]]\n", argv[0]);
		return 2;
	}
	if (sniff_out_init(&out, 1, 0, NULL, 0) || http_conn_init(&c, &lim, on_exchange, NULL))
		return 1;
	party_init(&party[0], 1, 41234);
	party_init(&party[1], 2, 8080);
	for (int r = 0; r < rounds; r++) {
		uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

		for (int i = 0; i < n; i++) {
			ts += 12000;
			http_conn_feed(&c, HTTP_DIR_REQ, (const uint8_t *)req, sizeof(req) - 1, ts);
			http_conn_feed(&c, HTTP_DIR_RESP, (const uint8_t *)resp, sizeof(resp) - 1,
				       ts + 7000);
		}
		sniff_out_flush(&out);
		ns[r] = (clock_ns(CLOCK_MONOTONIC) - t0) / n;
		fprintf(stderr, "round %d: %llu ns per exchange\n", r + 1, (unsigned long long)ns[r]);
	}
	qsort(ns, rounds, sizeof(*ns), cmp_u64);
	fprintf(stderr, "parse + JSON, %d exchanges x %d rounds: min %llu, median %llu, max %llu ns "
		"per exchange (%llu reported)\n", n, rounds, (unsigned long long)ns[0],
		(unsigned long long)ns[rounds / 2], (unsigned long long)ns[rounds - 1],
		(unsigned long long)out.reported);
	http_conn_finish(&c, ts);
	sniff_out_close(&out);
	free(ns);
	return out.reported == (uint64_t)n * rounds ? 0 : 1;
}
