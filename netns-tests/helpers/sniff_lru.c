/*
 * sniff_lru: the LRU maps of `netbpf sniff` shrunk so that they must evict, and
 * what the programs count about it (bpf/sniff/). Run inside a network namespace
 * of the test's own (the socket part makes TCP connections on its lo).
 *
 * wire: sniff_flows of 8 entries; BPF_PROG_TEST_RUN of the socket filter on 20
 *   connections' first requests (40 flow directions), then FIN of every one.
 *   Created - deleted - still present must equal what the map evicted.
 * socket: sniff_inflight of 1 entry; a read blocked in one thread loses its entry
 *   to a write from another, and its data with it. The next read on that socket
 *   must be preceded by a gap event (IN, len 0) and counted as evicted.
 *
 * Prints "ok ..." lines; exit 1 on the first failed check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/sniff/sniff.h"
#include "common/percpu.h"
#include "sniff.skel.h"
#include "sniff_sock.skel.h"

#define FLOWS     20
#define FLOWS_MAX 8

#define CHECK(cond, ...) do {                                              \
	if (!(cond)) {                                                      \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
		fprintf(stderr, __VA_ARGS__);                               \
		fputc('\n', stderr);                                        \
		exit(1);                                                    \
	}                                                                   \
} while (0)

static uint64_t stat_sum(struct bpf_map *map, __u32 idx)
{
	uint64_t sum;

	CHECK(!percpu_sum(bpf_map__fd(map), &idx, &sum, sizeof(sum)), "lookup stat %u", idx);
	return sum;
}

static uint64_t map_count(struct bpf_map *map, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	uint64_t n = 0;

	while (!bpf_map_get_next_key(bpf_map__fd(map), prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

/*
 * A socket filter under BPF_PROG_TEST_RUN sees the data after the Ethernet header
 * the kernel pulled (eth_type_trans), where a packet socket sees the frame: a
 * dummy header goes first.
 */
struct frame {
	uint8_t dummy[ETH_HLEN];
	uint8_t eth[ETH_HLEN];
	uint8_t ip[20];
	uint8_t tcp[20];
	char payload[16];
} __attribute__((packed));

static void frame_fill(struct frame *f, int flow, int reverse, uint8_t flags, const char *payload)
{
	uint16_t plen = strlen(payload), cport = htons(40000 + flow), sport = htons(80);
	uint16_t tot = htons(sizeof(f->ip) + sizeof(f->tcp) + plen);
	uint8_t a[4] = { 10, 9, 0, 1 }, b[4] = { 10, 9, 0, 2 };

	memset(f, 0, sizeof(*f));
	f->dummy[12] = 0x08;
	f->eth[12] = 0x08; /* IPv4 */
	f->ip[0] = 0x45;
	memcpy(f->ip + 2, &tot, 2);
	f->ip[8] = 64;
	f->ip[9] = IPPROTO_TCP;
	memcpy(f->ip + 12, reverse ? b : a, 4);
	memcpy(f->ip + 16, reverse ? a : b, 4);
	memcpy(f->tcp, reverse ? &sport : &cport, 2);
	memcpy(f->tcp + 2, reverse ? &cport : &sport, 2);
	f->tcp[12] = 5 << 4;
	f->tcp[13] = flags;
	memcpy(f->payload, payload, plen);
}

static int run_filter(int prog, struct frame *f)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = f, .repeat = 1,
		    .data_size_in = offsetof(struct frame, payload) + strlen(f->payload));

	CHECK(!bpf_prog_test_run_opts(prog, &o), "test run: %s", strerror(errno));
	return o.retval;
}

static void wire(void)
{
	struct sniff *s = sniff__open();
	uint64_t added, deleted, live, passed = 0;
	struct frame f;
	int prog;

	CHECK(s, "open sniff: %s", strerror(errno));
	CHECK(!bpf_map__set_max_entries(s->maps.sniff_flows, FLOWS_MAX), "set max_entries");
	CHECK(!sniff__load(s), "load sniff");
	prog = bpf_program__fd(s->progs.sniff_wire);
	for (int i = 0; i < FLOWS; i++) {
		frame_fill(&f, i, 0, 0x18, "GET / HTTP/1.1\r\n");
		CHECK(run_filter(prog, &f) > 0, "flow %d: request start not passed", i);
	}
	added = stat_sum(s->maps.sniff_stats, SNIFF_STAT_FLOW_ADDED);
	live = map_count(s->maps.sniff_flows, sizeof(struct sniff_flow_key));
	CHECK(added == 2 * FLOWS, "created %llu, want %d", (unsigned long long)added, 2 * FLOWS);
	CHECK(live <= FLOWS_MAX, "%llu entries in a map of %d", (unsigned long long)live, FLOWS_MAX);
	/* FIN both ways: what is still there passes and is deleted; evicted ones are filtered. */
	for (int i = 0; i < FLOWS; i++) {
		for (int rev = 0; rev < 2; rev++) {
			frame_fill(&f, i, rev, 0x11, "");
			passed += run_filter(prog, &f) > 0;
		}
	}
	deleted = stat_sum(s->maps.sniff_stats, SNIFF_STAT_FLOW_DELETED);
	CHECK(deleted == live && passed == live, "deleted %llu, FINs passed %llu, live was %llu",
	      (unsigned long long)deleted, (unsigned long long)passed, (unsigned long long)live);
	CHECK(map_count(s->maps.sniff_flows, sizeof(struct sniff_flow_key)) == 0, "entries left");
	printf("ok wire: %llu flow entries created, %llu deleted, %llu evicted (map of %d)\n",
	       (unsigned long long)added, (unsigned long long)deleted,
	       (unsigned long long)(added - deleted), FLOWS_MAX);
	sniff__destroy(s);
}

struct reader {
	int fd;
	char buf[64];
	ssize_t n;
};

static void *blocked_read(void *arg)
{
	struct reader *r = arg;

	r->n = read(r->fd, r->buf, sizeof(r->buf));
	return NULL;
}

struct events {
	int n, gap_at, data_at; /* order of the client's IN events: gap, then data */
	int client_fd;
};

static int on_event(void *ctx, void *data, size_t size __attribute__((unused)))
{
	struct events *e = ctx;
	const struct sniff_sock_event *ev = data;

	if (ev->fd != (__u32)e->client_fd || ev->kind != SNIFF_SOCK_IN || (int)ev->pid != getpid())
		return 0;
	e->n++;
	if (!ev->len && !ev->cap && !e->gap_at)
		e->gap_at = e->n;
	else if (ev->cap && !memcmp(data + sizeof(*ev), "second", 6))
		e->data_at = e->n;
	return 0;
}

/* Returns once the inflight map holds an entry of fd (a read blocked in it). */
static void wait_inflight(struct sniff_sock *s, int fd)
{
	int mfd = bpf_map__fd(s->maps.sniff_inflight);

	for (int tries = 0; tries < 5000; tries++) {
		__u64 key, next, *prev = NULL;

		while (!bpf_map_get_next_key(mfd, prev, &next)) {
			struct { __u64 buf; struct sniff_fd_key key; __u8 kind; } v;

			key = next;
			prev = &key;
			if (!bpf_map_lookup_elem(mfd, &key, &v) && v.key.fd == (__u32)fd)
				return;
		}
		usleep(1000);
	}
	CHECK(0, "the blocked read never showed in sniff_inflight");
}

static void sock(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	struct events e = {};
	struct reader r = {};
	struct ring_buffer *rb;
	struct sniff_sock *s;
	pthread_t t;
	struct stat st;
	int l, c, a;

	CHECK(!stat("/proc/self/ns/net", &st), "stat netns");
	s = sniff_sock__open();
	CHECK(s, "open sniff_sock: %s", strerror(errno));
	CHECK(!bpf_map__set_max_entries(s->maps.sniff_inflight, 1), "set max_entries");
	s->rodata->targ_netns = st.st_ino;
	CHECK(!sniff_sock__load(s), "load sniff_sock");
	CHECK(!sniff_sock__attach(s), "attach sniff_sock: %s", strerror(errno));

	l = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(l >= 0 && !bind(l, (void *)&sa, sizeof(sa)) && !listen(l, 1), "listen");
	CHECK(!getsockname(l, (void *)&sa, &sl), "getsockname");
	c = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(c >= 0 && !connect(c, (void *)&sa, sizeof(sa)), "connect");
	a = accept(l, NULL, NULL);
	CHECK(a >= 0, "accept");
	e.client_fd = c;
	rb = ring_buffer__new(bpf_map__fd(s->maps.sniff_events), on_event, &e, NULL);
	CHECK(rb, "ring buffer");

	/* The request marks the client's socket as HTTP: from now on its data is copied. */
	CHECK(write(c, "GET / HTTP/1.1\r\n\r\n", 18) == 18, "write request");
	r.fd = c;
	CHECK(!pthread_create(&t, NULL, blocked_read, &r), "thread");
	wait_inflight(s, c);
	/* A write of this thread takes the only entry: the blocked read's is evicted. */
	CHECK(write(c, "x", 1) == 1, "write");
	CHECK(write(a, "first", 5) == 5, "server write");
	pthread_join(t, NULL);
	CHECK(r.n == 5, "first read got %zd", r.n);
	CHECK(write(a, "second", 6) == 6, "server write");
	CHECK(read(c, r.buf, sizeof(r.buf)) == 6, "second read");
	ring_buffer__consume(rb);

	CHECK(stat_sum(s->maps.sniff_stats, SNIFF_STAT_SOCK_EVICTED) == 1, "evicted calls: %llu",
	      (unsigned long long)stat_sum(s->maps.sniff_stats, SNIFF_STAT_SOCK_EVICTED));
	CHECK(e.gap_at && e.data_at == e.gap_at + 1, "client IN events: gap at %d, \"second\" at %d",
	      e.gap_at, e.data_at);
	printf("ok socket: 1 read evicted from sniff_inflight, reported as a gap before the next read's data\n");
	ring_buffer__free(rb);
	close(a);
	close(c);
	close(l);
	sniff_sock__destroy(s);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "wire") && strcmp(argv[1], "socket"))) {
		fprintf(stderr, "usage: sniff_lru wire|socket\n");
		return 2;
	}
	if (!strcmp(argv[1], "wire"))
		wire();
	else
		sock();
	return 0;
}
