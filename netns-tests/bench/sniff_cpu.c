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

#include "bench/stats.h"
#include "common/addr.h"
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
	const uint8_t v4[4] = { 10, 203, 0, last };

	memset(p, 0, sizeof(*p));
	addr_map_v4(p->ep.addr, v4);
	p->ep.port = port;
	p->pid = -1;
}

int main(int argc, char **argv)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: 10.203.0.2:8080\r\n\r\n";
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n"
				   "0000000000000000000000000000000000000000000000000000000000000000";
	int n = argc > 1 ? atoi(argv[1]) : 200000, rounds = argc > 2 ? atoi(argv[2]) : 7;
	struct http_limits lim = { .max_line = 8192 };
	uint64_t ts = clock_ns(CLOCK_REALTIME);
	struct stats_range st;
	double *ns;
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
		ns[r] = (double)(clock_ns(CLOCK_MONOTONIC) - t0) / n;
		fprintf(stderr, "round %d: %.0f ns per exchange\n", r + 1, ns[r]);
	}
	st = stats_range(ns, rounds);
	fprintf(stderr, "parse + JSON, %d exchanges x %d rounds: min %.0f, median %.0f, max %.0f ns "
		"per exchange (%llu reported)\n", n, rounds, st.min, st.median, st.max,
		(unsigned long long)out.reported);
	http_conn_finish(&c, ts);
	sniff_out_close(&out);
	free(ns);
	return out.reported == (uint64_t)n * rounds ? 0 : 1;
}
