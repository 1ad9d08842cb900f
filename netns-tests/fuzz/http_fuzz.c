/*
 * libFuzzer target for the HTTP parser (loader/http/parse.h).
 *
 * Input: records separated by NUL bytes, each "<op><payload>":
 *   '>' payload is client->server bytes     '<' server->client bytes
 *   'g' / 'G' gap of strtoul(payload) bytes  'e' / 'E' end of client / server side
 *   'u' / 'U' gap of unknown size (an evicted socket event)
 * Anything else is fed whole to the client side. Every input is parsed twice,
 * once per record and once byte by byte: where no record was malformed or lost,
 * both runs must report the same exchanges, field by field (method, target,
 * host, status, flags, sizes, kept headers): reassembly does not depend on how
 * the stream was cut. Memory held must stay under the documented bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

#define MAX_REPORTS 64

/* The fields an exchange is reported with, compared one by one between the runs. */
struct report {
	char method[HTTP_METHOD_MAX], host[HTTP_HOST_MAX], path[HTTP_PATH_MAX];
	int status;
	uint32_t flags;
	uint64_t req_bytes, req_body, resp_bytes, resp_body;
	char req_hdrs[HTTP_HDRS_MAX], resp_hdrs[HTTP_HDRS_MAX];
};

struct run {
	unsigned n;
	uint64_t resyncs;
	struct report r[MAX_REPORTS];
};

static void on_exchange(void *ctx, const struct http_exchange *ex)
{
	struct run *r = ctx;
	struct report *rep;

	if (strlen(ex->path) >= sizeof(ex->path) || strlen(ex->host) >= sizeof(ex->host))
		abort();
	if (ex->req.hdrs_len >= HTTP_HDRS_MAX || ex->resp.hdrs_len >= HTTP_HDRS_MAX)
		abort();
	if (r->n < MAX_REPORTS) {
		rep = &r->r[r->n];
		memcpy(rep->method, ex->method, sizeof(rep->method));
		memcpy(rep->host, ex->host, sizeof(rep->host));
		memcpy(rep->path, ex->path, sizeof(rep->path));
		memcpy(rep->req_hdrs, ex->req.hdrs, sizeof(rep->req_hdrs));
		memcpy(rep->resp_hdrs, ex->resp.hdrs, sizeof(rep->resp_hdrs));
		rep->status = ex->status;
		rep->flags = ex->flags;
		rep->req_bytes = ex->req.bytes;
		rep->req_body = ex->req.body_bytes;
		rep->resp_bytes = ex->resp.bytes;
		rep->resp_body = ex->resp.body_bytes;
	}
	r->n++;
}

/* Name of the first field where a and b differ, NULL if none. */
static const char *report_diff(const struct report *a, const struct report *b)
{
	if (strcmp(a->method, b->method))
		return "method";
	if (strcmp(a->path, b->path))
		return "path";
	if (strcmp(a->host, b->host))
		return "host";
	if (a->status != b->status)
		return "status";
	if (a->flags != b->flags)
		return "flags";
	if (a->req_bytes != b->req_bytes || a->req_body != b->req_body)
		return "request sizes";
	if (a->resp_bytes != b->resp_bytes || a->resp_body != b->resp_body)
		return "response sizes";
	if (strcmp(a->req_hdrs, b->req_hdrs))
		return "request headers";
	if (strcmp(a->resp_hdrs, b->resp_hdrs))
		return "response headers";
	return NULL;
}

static const struct http_limits lim = { .max_line = 1024, .max_body = 64 };

static size_t mem_bound(void)
{
	/* Two halves with full line buffers, a full queue, one orphan response in progress. */
	return 2 * (256 + lim.max_line) +
	       (HTTP_QUEUE_MAX + 2) * (sizeof(struct http_exchange) + 2 * lim.max_body);
}

static void check_mem(const struct http_conn *c)
{
	if (http_conn_mem(c) > mem_bound()) {
		fprintf(stderr, "memory %zu over bound %zu\n", http_conn_mem(c), mem_bound());
		abort();
	}
}

/* budget: NULL, or a shared budget (tight: refusals happen, and must not leak or crash). */
static void run_records(const uint8_t *data, size_t size, int bytewise, struct run *r,
			struct http_budget *budget)
{
	struct http_limits l = lim;

	struct http_conn c;
	size_t i = 0, ts = 1;

	memset(r, 0, sizeof(*r));
	l.budget = budget;
	if (http_conn_init(&c, &l, on_exchange, r))
		return;
	while (i < size) {
		const uint8_t *end = memchr(data + i, 0, size - i);
		size_t rec = end ? (size_t)(end - data) - i : size - i;
		const uint8_t *p = data + i + 1;
		size_t n = rec ? rec - 1 : 0;
		char num[24];

		switch (rec ? data[i] : 0) {
		case '>':
		case '<': {
			enum http_dir dir = data[i] == '>' ? HTTP_DIR_REQ : HTTP_DIR_RESP;

			if (!bytewise) {
				http_conn_feed(&c, dir, p, n, ts);
				break;
			}
			for (size_t k = 0; k < n; k++) {
				http_conn_feed(&c, dir, p + k, 1, ts);
				check_mem(&c);
			}
			break;
		}
		case 'g':
		case 'G':
			snprintf(num, sizeof(num), "%.*s", (int)(n < 20 ? n : 20), (const char *)p);
			http_conn_gap(&c, data[i] == 'g' ? HTTP_DIR_REQ : HTTP_DIR_RESP,
				      strtoull(num, NULL, 10), ts);
			break;
		case 'u':
		case 'U':
			http_conn_gap(&c, data[i] == 'u' ? HTTP_DIR_REQ : HTTP_DIR_RESP,
				      HTTP_GAP_UNKNOWN, ts);
			break;
		case 'e':
		case 'E':
			http_conn_eof(&c, data[i] == 'e' ? HTTP_DIR_REQ : HTTP_DIR_RESP, ts);
			break;
		default:
			http_conn_feed(&c, HTTP_DIR_REQ, data + i, rec, ts);
		}
		check_mem(&c);
		i += rec + 1;
		ts++;
	}
	r->resyncs = c.resyncs;
	http_conn_finish(&c, ts);
	if (http_conn_mem(&c)) {
		fprintf(stderr, "%zu bytes left after finish\n", http_conn_mem(&c));
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run whole, bytes;
	unsigned n;

	/* Room for a few exchanges, not for a full queue with bodies. */
	struct http_budget tight = { .max = 4 * sizeof(struct http_exchange) };

	run_records(data, size, 0, &whole, &tight);
	if (tight.used) {
		fprintf(stderr, "budget: %zu bytes still used after finish\n", tight.used);
		abort();
	}
	run_records(data, size, 0, &whole, NULL);
	run_records(data, size, 1, &bytes, NULL);
	/* Resynchronising happens at feed starts only: there the runs may differ. */
	if (whole.resyncs || bytes.resyncs)
		return 0;
	if (whole.n != bytes.n) {
		fprintf(stderr, "record-wise and byte-wise parsing differ: %u vs %u exchanges\n",
			whole.n, bytes.n);
		abort();
	}
	n = whole.n < MAX_REPORTS ? whole.n : MAX_REPORTS;
	for (unsigned i = 0; i < n; i++) {
		const char *field = report_diff(&whole.r[i], &bytes.r[i]);

		if (field) {
			fprintf(stderr, "exchange %u (%s %s): %s differ between record-wise and "
				"byte-wise parsing\n", i, whole.r[i].method, whole.r[i].path, field);
			abort();
		}
	}
	return 0;
}
