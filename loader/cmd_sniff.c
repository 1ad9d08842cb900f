/*
 * netbpf sniff: HTTP/1.x exchanges on an interface, from the wire (socket filter
 * on an AF_PACKET socket) and/or from the sockets themselves (syscall
 * tracepoints), each exchange reported once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "http_conn.h"
#include "log.h"
#include "sniff_out.h"
#include "sniff_src.h"

#define MAX_CONNS   1024
#define IDLE_NS     (60ULL * 1000000000)
#define MAX_LINE    8192
#define POLL_MS     100
#define DRAIN_BATCH 512 /* packets per wake-up before the ring buffer gets a turn */
#define MAX_PENDING 4096 /* exchanges held for the socket events read after them */

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

/*
 * An exchange waiting to be printed. The processes at its ends come from socket
 * events, and those may still sit in the ring buffer when the wire completes
 * the exchange: exchanges are printed after the ring buffer was read.
 */
struct pending {
	struct pending *next;
	enum sniff_source src;
	struct sniff_party p[2];
	struct http_exchange ex;
};

struct sniffer {
	struct sniff_out out;
	struct conn_table conns;
	struct http_limits lim;
	int sources;              /* bit per enum sniff_source */
	int64_t mono_to_real;     /* add to bpf_ktime_get_ns() for wall-clock time */
	struct sniff_src src;
	struct pending *pend_head, **pend_tail;
	size_t npend;
};

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void flush_pending(struct sniffer *s);

static void on_exchange(void *ctx, const struct http_exchange *ex)
{
	struct conn_src *cs = ctx;
	struct conn *c = cs->conn;
	struct sniffer *s = cs->owner;
	struct sniff_party p[2];
	struct pending *pe;
	int cl = c->client < 0 ? 0 : c->client;

	for (int i = 0; i < 2; i++) {
		int e = i == 0 ? cl : 1 - cl;

		p[i].ep = c->ep[e];
		p[i].pid = c->pid[e];
		memcpy(p[i].comm, c->comm[e], sizeof(p[i].comm));
	}
	if (s->npend >= MAX_PENDING)
		flush_pending(s);
	if (!s->src.sock || !(pe = calloc(1, sizeof(*pe)))) {
		flush_pending(s);
		sniff_out_exchange(&s->out, cs->src, p, ex);
		return;
	}
	pe->src = cs->src;
	memcpy(pe->p, p, sizeof(p));
	pe->ex = *ex;
	/* Bodies belong to the parser: keep copies (NULL if out of memory: not printed). */
	pe->ex.req.body = ex->req.body ? strdup(ex->req.body) : NULL;
	pe->ex.resp.body = ex->resp.body ? strdup(ex->resp.body) : NULL;
	*s->pend_tail = pe;
	s->pend_tail = &pe->next;
	s->npend++;
}

static void flush_pending(struct sniffer *s)
{
	struct pending *pe, *next;

	for (pe = s->pend_head; pe; pe = next) {
		struct conn *c = conn_lookup(&s->conns, &pe->p[0].ep, &pe->p[1].ep);

		for (int i = 0; c && i < 2; i++) {
			int e = conn_side(c, &pe->p[i].ep);

			if (pe->p[i].pid < 0 && c->pid[e] >= 0) {
				pe->p[i].pid = c->pid[e];
				memcpy(pe->p[i].comm, c->comm[e], sizeof(pe->p[i].comm));
			}
		}
		sniff_out_exchange(&s->out, pe->src, pe->p, &pe->ex);
		next = pe->next;
		free(pe->ex.req.body);
		free(pe->ex.resp.body);
		free(pe);
	}
	s->pend_head = NULL;
	s->pend_tail = &s->pend_head;
	s->npend = 0;
}

static int ep_equal(const struct endpoint *a, const struct endpoint *b)
{
	return a->port == b->port && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

/*
 * A socket event about an earlier connection between the same addresses and
 * ports (the wire read ahead and saw them reused): its exchanges may still wait
 * in the pending list for the process at that end.
 */
static void pending_learn(struct sniffer *s, const struct endpoint *local,
			  const struct endpoint *remote, const struct sniff_sock_event *ev)
{
	for (struct pending *pe = s->pend_head; pe; pe = pe->next) {
		for (int i = 0; i < 2; i++) {
			if (pe->p[i].pid < 0 && ep_equal(&pe->p[i].ep, local) &&
			    ep_equal(&pe->p[1 - i].ep, remote)) {
				pe->p[i].pid = ev->pid;
				memcpy(pe->p[i].comm, ev->comm, sizeof(pe->p[i].comm));
			}
		}
	}
}

static struct http_conn *parser(struct sniffer *s, struct conn *c, enum sniff_source src)
{
	if (!c->http_on[src]) {
		c->cbctx[src] = (struct conn_src){ .conn = c, .src = src, .owner = s };
		if (http_conn_init(&c->http[src], &s->lim, on_exchange, &c->cbctx[src]))
			return NULL;
		c->http_on[src] = 1;
	}
	return &c->http[src];
}

static void parser_finish(struct conn *c, enum sniff_source src, uint64_t now)
{
	if (!c->http_on[src])
		return;
	c->http_on[src] = 0;
	http_conn_finish(&c->http[src], now);
}

static void conn_end(struct sniffer *s, struct conn *c, uint64_t now)
{
	for (int src = 0; src < SRC_MAX; src++)
		parser_finish(c, src, now);
	conn_del(&s->conns, c);
}

static struct conn *conn_get(struct sniffer *s, const struct endpoint *a, const struct endpoint *b,
			     uint64_t now, int create)
{
	struct conn *c = conn_find(&s->conns, a, b, now);

	if (c || !create)
		return c;
	/* Full: the connection idle longest makes room (its pending requests are reported). */
	if (s->conns.count >= s->conns.max)
		conn_end(s, conn_oldest(&s->conns), now);
	return conn_add(&s->conns, a, b, now);
}

/* HTTP direction of bytes sent by c->ep[sender]; -1 while the client is unknown. */
static int direction(struct conn *c, int sender, const uint8_t *d, size_t len)
{
	if (c->client < 0) {
		int kind = http_sniff_start(d, len);

		if (!kind)
			return -1;
		c->client = kind == 1 ? sender : 1 - sender;
	}
	return sender == c->client ? HTTP_DIR_REQ : HTTP_DIR_RESP;
}

static void on_segment(struct sniffer *s, struct segment *sg, uint64_t now)
{
	struct conn *c = conn_find(&s->conns, &sg->src, &sg->dst, now);
	int i, dir;
	int32_t delta;

	/* Closed, then a request between the same addresses and ports: a new connection. */
	if (c && c->wire_closed && http_sniff_start(sg->payload, sg->len) == 1) {
		conn_end(s, c, now);
		c = NULL;
	}
	if (!c) {
		if (!sg->len || !(c = conn_get(s, &sg->src, &sg->dst, now, 1)))
			return;
		/* Socket events from before this segment are news of an earlier connection. */
		c->wire_start_ns = now;
	}
	if (c->owner == SRC_SOCKET)
		return;
	i = conn_side(c, &sg->src);
	if (sg->flags & TCP_RST) {
		c->wire_closed = 1;
		parser_finish(c, SRC_WIRE, now);
		return;
	}
	dir = direction(c, i, sg->payload, sg->len);
	if (dir < 0 || !parser(s, c, SRC_WIRE))
		return;
	if (!c->seq_known[i]) {
		c->next_seq[i] = sg->seq;
		c->seq_known[i] = 1;
	}
	delta = (int32_t)(sg->seq - c->next_seq[i]);
	if (delta > 0) {
		http_conn_gap(&c->http[SRC_WIRE], dir, delta, now);
	} else if (delta < 0) {
		/* Retransmitted bytes were parsed already. */
		size_t old = -(int64_t)delta;

		if (old >= sg->len)
			goto fin;
		sg->payload += old;
		sg->len -= old;
	}
	if (sg->len) {
		c->owner = SRC_WIRE;
		http_conn_feed(&c->http[SRC_WIRE], dir, sg->payload, sg->len, now);
	}
	c->next_seq[i] = sg->seq + (delta < 0 ? -delta : 0) + sg->len;
fin:
	if ((sg->flags & TCP_FIN) && c->http_on[SRC_WIRE]) {
		c->fin[i] = 1;
		http_conn_eof(&c->http[SRC_WIRE], dir, now);
		if (c->fin[1 - i]) {
			c->wire_closed = 1;
			parser_finish(c, SRC_WIRE, now);
		}
	}
}

static void on_packet(void *ctx, const uint8_t *pkt, size_t caplen, size_t len, uint64_t ts_ns)
{
	struct sniffer *s = ctx;
	struct segment sg;

	sniff_out_packet(&s->out, pkt, caplen, len, ts_ns);
	if (!sniff_segment_parse(pkt, caplen, &sg))
		on_segment(s, &sg, ts_ns);
}

static void read_packets(struct sniffer *s, int max)
{
	if (s->src.wire)
		sniff_src_read_packets(&s->src, max, on_packet, s);
}

static int on_sock_event(void *ctx, void *data, size_t size)
{
	struct sniffer *s = ctx;
	const struct sniff_sock_event *ev = data;
	const uint8_t *payload = (const uint8_t *)(ev + 1);
	struct endpoint local = { .port = ntohs(ev->lport) };
	struct endpoint remote = { .port = ntohs(ev->rport) };
	uint64_t now = ev->ts_ns + s->mono_to_real;
	struct conn *c;
	int li, sender, dir;

	if (size < sizeof(*ev) + ev->cap)
		return 0;
	memcpy(local.addr, ev->laddr, 16);
	memcpy(remote.addr, ev->raddr, 16);
	/*
	 * --source all: a connection belongs to the source that first carried its
	 * payload. A segment is queued on the packet socket before its sender's
	 * write() returns, so reading that queue before a connection (or a reuse of
	 * its addresses and ports) is claimed settles which came first.
	 */
	c = conn_lookup(&s->conns, &local, &remote);
	if (s->src.wire && ev->kind <= SNIFF_SOCK_IN &&
	    (!c || c->owner < 0 || c->ino[conn_side(c, &local)] != ev->ino))
		read_packets(s, INT32_MAX);
	c = conn_get(s, &local, &remote, now, ev->kind <= SNIFF_SOCK_IN);
	if (!c)
		return 0;
	if (now < c->wire_start_ns) {
		pending_learn(s, &local, &remote, ev);
		return 0;
	}
	li = conn_side(c, &local);
	if (c->ino[li] != ev->ino) {
		/* End of stream or close of a socket this connection does not know: late news
		 * of an earlier connection between the same addresses and ports. */
		if (ev->kind > SNIFF_SOCK_IN)
			return 0;
		/* Data from another socket at this end: the addresses and ports were reused. */
		if (c->ino[li]) {
			conn_end(s, c, now);
			c = conn_get(s, &local, &remote, now, 1);
			if (!c)
				return 0;
			li = conn_side(c, &local);
		}
		c->ino[li] = ev->ino;
	}
	/* The first process seen at an end: for a client, the one that sent the request. */
	if (c->pid[li] < 0) {
		c->pid[li] = ev->pid;
		memcpy(c->comm[li], ev->comm, sizeof(c->comm[li]));
	}
	if (c->owner == SRC_WIRE) {
		sniff_src_mute(&s->src, ev);
		return 0;
	}
	/* Both ends of a local connection are traced: follow the first one seen. */
	if (!c->sock_observer && ev->kind <= SNIFF_SOCK_IN)
		c->sock_observer = ev->ino;
	if (c->sock_observer != ev->ino)
		return 0;
	if (ev->kind == SNIFF_SOCK_CLOSE) {
		parser_finish(c, SRC_SOCKET, now);
		return 0;
	}
	sender = ev->kind == SNIFF_SOCK_OUT ? li : 1 - li;
	if (ev->kind == SNIFF_SOCK_EOF) {
		if (c->http_on[SRC_SOCKET] && c->client >= 0)
			http_conn_eof(&c->http[SRC_SOCKET],
				      sender == c->client ? HTTP_DIR_REQ : HTTP_DIR_RESP, now);
		return 0;
	}
	dir = direction(c, sender, payload, ev->cap);
	if (dir < 0 || !parser(s, c, SRC_SOCKET))
		return 0;
	c->owner = SRC_SOCKET;
	if (ev->cap)
		http_conn_feed(&c->http[SRC_SOCKET], dir, payload, ev->cap, now);
	if (ev->len > ev->cap)
		http_conn_gap(&c->http[SRC_SOCKET], dir, ev->len - ev->cap, now);
	return 0;
}

static int iface_type(const char *ifname)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), type = -1;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (!ioctl(fd, SIOCGIFHWADDR, &ifr))
		type = ifr.ifr_hwaddr.sa_family;
	close(fd);
	return type;
}

static void print_summary(struct sniffer *s)
{
	pr_info("netbpf sniff: %llu exchanges reported\n", (unsigned long long)s->out.reported);
	sniff_src_summary(&s->src);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf sniff IFACE [--json] [--pcap FILE] [--port N]... [--source wire|socket|all]\n"
		"                    [--show-secrets] [--max-body N] [--count N] [--duration S]\n"
		"\n"
		"Reports HTTP/1.x exchanges seen on IFACE until Ctrl-C, --count or --duration.\n"
		"\n"
		"  -j, --json          one JSON object per exchange (schema in README.md)\n"
		"  -w, --pcap FILE     also write the wire packets that matched, for tshark/tcpdump\n"
		"  -p, --port N        only TCP port N (either end); repeat for more, up to %d\n"
		"  -s, --source SRC    wire: packets on IFACE; socket: processes' reads and writes on\n"
		"                      connections routed over IFACE (sees the localhost bypass);\n"
		"                      all (default): both, each exchange reported once\n"
		"      --show-secrets  do not redact Authorization, Proxy-Authorization, Cookie,\n"
		"                      Set-Cookie values\n"
		"  -b, --max-body N    keep up to N bytes of each body in the output (max %d)\n"
		"  -c, --count N       stop after N exchanges\n"
		"  -d, --duration S    stop after S seconds\n"
		"\n"
		"Examples:\n"
		"  netbpf sniff eth1 --port 80 --port 8080\n"
		"  netbpf sniff lo --json --source socket --count 10\n"
		"  netbpf sniff veth0 --pcap http.pcap --duration 30\n",
		SNIFF_MAX_PORTS, HTTP_BODY_CAP);
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *v, const char *what)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *v > max) {
		pr_warn("invalid %s '%s' (0..%llu)\n", what, s, max);
		return -1;
	}
	return 0;
}

int do_sniff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",         no_argument,       NULL, 'j' },
		{ "pcap",         required_argument, NULL, 'w' },
		{ "port",         required_argument, NULL, 'p' },
		{ "source",       required_argument, NULL, 's' },
		{ "show-secrets", no_argument,       NULL, 'S' },
		{ "max-body",     required_argument, NULL, 'b' },
		{ "count",        required_argument, NULL, 'c' },
		{ "duration",     required_argument, NULL, 'd' },
		{ "help",         no_argument,       NULL, 'h' },
		{},
	};
	struct sniffer s = { .sources = 1 << SRC_WIRE | 1 << SRC_SOCKET };
	const char *pcap_path = NULL;
	uint16_t ports[SNIFF_MAX_PORTS];
	unsigned long long v, count = 0;
	double duration = 0;
	int nports = 0, json = gopt.json, secrets = 0, ret = 1, ifindex, type, loopback;
	uint32_t max_body = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start, deadline = 0;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "jw:p:s:b:c:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'w': pcap_path = optarg; break;
		case 'S': secrets = 1; break;
		case 'p':
			if (nports == SNIFF_MAX_PORTS) {
				pr_warn("too many --port values (at most %d)\n", SNIFF_MAX_PORTS);
				return 1;
			}
			if (parse_uint(optarg, 65535, &v, "port") || !v) {
				if (!v)
					pr_warn("invalid port '%s' (1..65535)\n", optarg);
				return 1;
			}
			ports[nports++] = v;
			break;
		case 's':
			if (!strcmp(optarg, "wire")) {
				s.sources = 1 << SRC_WIRE;
			} else if (!strcmp(optarg, "socket")) {
				s.sources = 1 << SRC_SOCKET;
			} else if (!strcmp(optarg, "all")) {
				s.sources = 1 << SRC_WIRE | 1 << SRC_SOCKET;
			} else {
				pr_warn("invalid source '%s' (wire, socket or all)\n", optarg);
				return 1;
			}
			break;
		case 'b':
			if (parse_uint(optarg, HTTP_BODY_CAP, &v, "--max-body"))
				return 1;
			max_body = v ? v + 1 : 0; /* + the parser's terminating NUL */
			break;
		case 'c':
			if (parse_uint(optarg, ~0ULL, &count, "--count"))
				return 1;
			break;
		case 'd':
			duration = strtod(optarg, &end);
			if (end == optarg || *end || duration <= 0) {
				pr_warn("invalid --duration '%s' (seconds > 0)\n", optarg);
				return 1;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1) {
		pr_warn("sniff needs exactly one interface (see 'netbpf sniff --help')\n");
		return 1;
	}
	ifindex = if_nametoindex(argv[optind]);
	if (!ifindex) {
		pr_warn("failed to find interface '%s': %s\n", argv[optind], strerror(errno));
		return 1;
	}
	type = iface_type(argv[optind]);
	if (type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
		pr_warn("failed to sniff '%s': only Ethernet and loopback interfaces are supported\n",
			argv[optind]);
		return 1;
	}
	loopback = type == ARPHRD_LOOPBACK;
	if (pcap_path && !(s.sources & (1 << SRC_WIRE))) {
		pr_warn("--pcap writes wire packets: it needs --source wire or all\n");
		return 1;
	}

	s.pend_tail = &s.pend_head;
	sniff_src_init(&s.src);
	s.lim = (struct http_limits){ .max_line = MAX_LINE, .max_body = max_body,
				      .show_secrets = secrets };
	if (conn_table_init(&s.conns, MAX_CONNS) ||
	    sniff_out_init(&s.out, json, count, pcap_path))
		goto out;
	if ((s.sources & (1 << SRC_WIRE)) &&
	    sniff_src_open_wire(&s.src, ifindex, loopback, ports, nports))
		goto out;
	if ((s.sources & (1 << SRC_SOCKET)) &&
	    sniff_src_open_socket(&s.src, ifindex, ports, nports, on_sock_event, &s)) {
		if (!(s.sources & (1 << SRC_WIRE)))
			goto out;
		pr_warn("continuing with the wire source only\n");
		sniff_src_close_socket(&s.src);
		s.sources = 1 << SRC_WIRE;
	}
	s.mono_to_real = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	start = clock_ns(CLOCK_MONOTONIC);
	if (duration)
		deadline = start + (uint64_t)(duration * 1e9);
	/* Tests wait for this line: everything sent from now on is seen. */
	pr_info("sniffing %s, sources:%s%s; Ctrl-C to stop\n", argv[optind],
		s.src.wire ? " wire" : "", s.src.sock ? " socket" : "");
	while (!exiting && !s.out.done) {
		struct pollfd pfd[2] = {
			{ .fd = s.src.pkt_fd, .events = POLLIN },
			{ .fd = s.src.rb ? ring_buffer__epoll_fd(s.src.rb) : -1, .events = POLLIN },
		};
		uint64_t now;

		if (poll(pfd, 2, POLL_MS) < 0 && errno != EINTR) {
			pr_warn("failed to poll: %s\n", strerror(errno));
			goto out;
		}
		read_packets(&s, DRAIN_BATCH);
		if (s.src.rb)
			ring_buffer__consume(s.src.rb);
		flush_pending(&s);
		sniff_out_flush(&s.out);
		now = clock_ns(CLOCK_REALTIME);
		while (conn_oldest(&s.conns) && conn_oldest(&s.conns)->last_ns + IDLE_NS < now)
			conn_end(&s, conn_oldest(&s.conns), now);
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/* Flush: what is queued in the kernel, then what connections still hold. */
	read_packets(&s, INT32_MAX);
	if (s.src.rb)
		ring_buffer__consume(s.src.rb);
	flush_pending(&s);
	while (conn_oldest(&s.conns))
		conn_end(&s, conn_oldest(&s.conns), clock_ns(CLOCK_REALTIME));
	flush_pending(&s);
	print_summary(&s);
	ret = 0;
out:
	flush_pending(&s);
	if (s.conns.buckets)
		conn_table_free(&s.conns);
	sniff_out_close(&s.out);
	sniff_src_close(&s.src);
	return ret;
}
