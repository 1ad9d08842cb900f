/*
 * netbpf sniff: HTTP/1.x exchanges on an interface, from the wire (socket filter
 * on an AF_PACKET socket) and/or from the sockets themselves (syscall
 * tracepoints), each exchange reported once.
 */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
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

#include "common/argval.h"
#include "common/clock.h"
#include "cmd.h"
#include "common/json.h"
#include "common/log.h"
#include "common/priv.h"
#include "common/signals.h"
#include "sniff/merge.h"

#define MAX_LINE    8192
#define POLL_MS     100
#define DRAIN_BATCH 512 /* packets per wake-up before the ring buffer gets a turn */
/*
 * Output under load goes out every FLUSH_NS (at once when the sources are idle):
 * a write per 1 ms batch into a file on ext4 zeroed the rest of a page cache folio
 * each time, an eighth of the wire sniffer's CPU.
 */
#define FLUSH_NS    (20 * 1000000ULL)
/*
 * After reading something, wait this long before looking again: under load the
 * sources then fill for a while and are read in batches, instead of waking the
 * sniffer for each packet or event (a wake-up per packet cost more than half of
 * wrk's request rate in make bench-sniff). Output is that much later.
 */
#define BATCH_NS    1000000
#define MAX_REDACT  16  /* --redact-header / --redact-param values, each */
#define MAX_MEMORY_MIB 32 /* --max-memory default */


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

static void print_summary_json(struct sniff_merge *s, const struct sniff_src_stats *st)
{
	struct json j;

	json_init(&j, stderr);
	json_obj_open(&j);
	json_key(&j, "summary");
	json_obj_open(&j);
	json_kv_u64(&j, "exchanges", s->out.reported);
	json_key(&j, "memory");
	json_obj_open(&j);
	json_kv_u64(&j, "max_bytes", s->budget.max);
	json_kv_u64(&j, "peak_bytes", s->budget.peak);
	json_kv_u64(&j, "refused", s->budget.refused);
	json_obj_close(&j);
	json_key(&j, "wire");
	if (st->wire) {
		json_obj_open(&j);
		json_kv_u64(&j, "seen", st->wire_seen);
		json_kv_u64(&j, "passed", st->wire_passed);
		json_kv_u64(&j, "dropped", st->wire_dropped);
		json_kv_u64(&j, "flows_evicted", st->flows_evicted);
		json_obj_close(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "socket");
	if (st->sock) {
		json_obj_open(&j);
		json_kv_u64(&j, "events", st->sock_events);
		json_kv_u64(&j, "lost", st->sock_lost);
		json_kv_u64(&j, "evicted", st->sock_evicted);
		json_obj_close(&j);
	} else {
		json_null(&j);
	}
	json_obj_close(&j);
	json_obj_close(&j);
	json_end_line(&j);
}

/* On stderr, so that stdout holds exchanges only; with --json the figures follow
 * as one JSON object line too. */
static void print_summary(struct sniff_merge *s, int json)
{
	struct sniff_src_stats st;

	sniff_src_stats(&s->src, &st);
	pr_info("netbpf sniff: %llu exchanges reported\n", (unsigned long long)s->out.reported);
	pr_info("  memory: peak %llu of %llu bytes, %llu allocations refused (not kept)\n",
		(unsigned long long)s->budget.peak, (unsigned long long)s->budget.max,
		(unsigned long long)s->budget.refused);
	if (st.wire)
		pr_info("  wire: %llu packets seen, %llu passed the filter, %llu dropped by the kernel, "
			"%llu flows evicted\n", (unsigned long long)st.wire_seen,
			(unsigned long long)st.wire_passed, (unsigned long long)st.wire_dropped,
			(unsigned long long)st.flows_evicted);
	if (st.sock)
		pr_info("  socket: %llu events, %llu lost, %llu calls evicted\n",
			(unsigned long long)st.sock_events, (unsigned long long)st.sock_lost,
			(unsigned long long)st.sock_evicted);
	if (json)
		print_summary_json(s, &st);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: netbpf sniff IFACE [--json] [--pcap FILE [--force]] [--port N]...\n"
		"                    [--source wire|socket|all] [--show-secrets] [--redact-header NAME]...\n"
		"                    [--redact-param NAME]... [--max-body N] [--max-memory SIZE]\n"
		"                    [--count N] [--duration S]\n"
		"\n"
		"Reports HTTP/1.x exchanges seen on IFACE until Ctrl-C, --count or --duration.\n"
		"\n"
		"  -j, --json          one JSON object per exchange (schema in docs/sniff.md)\n"
		"  -w, --pcap FILE     also write the wire packets that matched, for tshark/tcpdump.\n"
		"                      A pcap is a raw capture: it holds every secret the other\n"
		"                      outputs redact. Created mode 0600, never through a symlink.\n"
		"      --force         replace FILE if it exists (refused otherwise)\n"
		"  -p, --port N        only TCP port N (either end); repeat for more, up to %d\n"
		"  -s, --source SRC    wire: packets on IFACE; socket: processes' reads and writes on\n"
		"                      connections routed over IFACE (sees the localhost bypass);\n"
		"                      all (default): both, each exchange reported once\n"
		"      --show-secrets  do not redact: by default the values of Authorization,\n"
		"                      Proxy-Authorization, Cookie, Set-Cookie, X-Api-Key,\n"
		"                      X-Auth-Token headers and of credential parameters (access_token,\n"
		"                      token, api_key, password, secret, sig, ...) in paths, URL\n"
		"                      headers and bodies are shown as " HTTP_REDACTED "\n"
		"      --redact-header NAME  redact this header's value too (up to %d)\n"
		"      --redact-param NAME   redact this query/form parameter's value too (up to %d)\n"
		"  -b, --max-body N    keep up to N bytes of each body in the output (max %d)\n"
		"      --max-memory SIZE  memory for parsing and waiting exchanges, all connections\n"
		"                      together (K/M suffix; default %dM); beyond it bodies and long\n"
		"                      lines are not kept (flag no_memory), counted in the summary;\n"
		"                      --source wire maps a packet ring of a quarter of it more\n"
		"                      (4-64 MiB)\n"
		"  -c, --count N       stop after N exchanges\n"
		"  -d, --duration S    stop after S seconds\n"
		"\n"
		"Examples:\n"
		"  netbpf sniff eth1 --port 80 --port 8080\n"
		"  netbpf sniff lo --json --source socket --count 10\n"
		"  netbpf sniff veth0 --pcap http.pcap --duration 30\n"
		"  netbpf sniff eth0 --redact-header X-Session --redact-param sid\n",
		SNIFF_MAX_PORTS, MAX_REDACT, MAX_REDACT, HTTP_BODY_CAP, MAX_MEMORY_MIB);
}

int do_sniff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json",         no_argument,       NULL, 'j' },
		{ "pcap",         required_argument, NULL, 'w' },
		{ "port",         required_argument, NULL, 'p' },
		{ "source",       required_argument, NULL, 's' },
		{ "show-secrets", no_argument,       NULL, 'S' },
		{ "redact-header", required_argument, NULL, 'H' },
		{ "redact-param", required_argument, NULL, 'P' },
		{ "max-memory",   required_argument, NULL, 'M' },
		{ "force",        no_argument,       NULL, 'F' },
		{ "max-body",     required_argument, NULL, 'b' },
		{ "count",        required_argument, NULL, 'c' },
		{ "duration",     required_argument, NULL, 'd' },
		{ "help",         no_argument,       NULL, 'h' },
		{},
	};
	struct sniff_merge s = {};
	int sources = 1 << SRC_WIRE | 1 << SRC_SOCKET;
	const char *pcap_path = NULL;
	uint16_t ports[SNIFF_MAX_PORTS];
	unsigned long long v, count = 0;
	double duration = 0;
	int nports = 0, json = gopt.json, ret = CMD_FAIL, ifindex, type, loopback, force = 0;
	uint32_t max_body = 0;
	unsigned long long max_memory = MAX_MEMORY_MIB << 20;
	const char *redact_headers[MAX_REDACT], *redact_params[MAX_REDACT];
	struct http_redact redact = { .headers = redact_headers, .params = redact_params };
	struct http_limits lim;
	const struct timespec batch = { .tv_nsec = BATCH_NS };
	uint64_t start, deadline = 0, now, flushed = 0;
	int c, n;

	while ((c = getopt_long(argc, argv, "jw:p:s:b:c:d:h", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'w': pcap_path = optarg; break;
		case 'S': redact.show_secrets = 1; break;
		case 'F': force = 1; break;
		case 'H':
		case 'P': {
			size_t *n = c == 'H' ? &redact.nheaders : &redact.nparams;

			if (*n == MAX_REDACT) {
				pr_warn("too many --redact-%s values (at most %d)\n",
					c == 'H' ? "header" : "param", MAX_REDACT);
				return CMD_USAGE;
			}
			(c == 'H' ? redact_headers : redact_params)[(*n)++] = optarg;
			break;
		}
		case 'M':
			if (arg_size(optarg, "--max-memory", 1 << 20, 1ULL << 40, &max_memory))
				return CMD_USAGE;
			break;
		case 'p':
			if (nports == SNIFF_MAX_PORTS) {
				pr_warn("too many --port values (at most %d)\n", SNIFF_MAX_PORTS);
				return CMD_USAGE;
			}
			if (arg_uint(optarg, "port", 1, 65535, &v))
				return CMD_USAGE;
			ports[nports++] = v;
			break;
		case 's':
			if (!strcmp(optarg, "wire")) {
				sources = 1 << SRC_WIRE;
			} else if (!strcmp(optarg, "socket")) {
				sources = 1 << SRC_SOCKET;
			} else if (!strcmp(optarg, "all")) {
				sources = 1 << SRC_WIRE | 1 << SRC_SOCKET;
			} else {
				pr_warn("invalid source '%s' (wire, socket or all)\n", optarg);
				return CMD_USAGE;
			}
			break;
		case 'b':
			if (arg_uint(optarg, "--max-body", 0, HTTP_BODY_CAP, &v))
				return CMD_USAGE;
			max_body = v ? v + 1 : 0; /* + the parser's terminating NUL */
			break;
		case 'c':
			if (arg_uint(optarg, "--count", 0, ~0ULL, &count))
				return CMD_USAGE;
			break;
		case 'd':
			if (arg_seconds(optarg, "--duration", 0.001, 1e9, &duration))
				return CMD_USAGE;
			break;
		case 'h': usage(stdout); return CMD_OK;
		default: usage(stderr); return CMD_USAGE;
		}
	}
	if (optind != argc - 1) {
		pr_warn("sniff needs exactly one interface (see 'netbpf sniff --help')\n");
		return CMD_USAGE;
	}
	if (priv_check())
		return CMD_FAIL;
	ifindex = if_nametoindex(argv[optind]);
	if (!ifindex) {
		pr_warn("failed to find interface '%s': %s\n", argv[optind], strerror(errno));
		return CMD_FAIL;
	}
	type = iface_type(argv[optind]);
	if (type != ARPHRD_ETHER && type != ARPHRD_LOOPBACK) {
		pr_warn("failed to sniff '%s': only Ethernet and loopback interfaces are supported\n",
			argv[optind]);
		return CMD_FAIL;
	}
	loopback = type == ARPHRD_LOOPBACK;
	if (pcap_path && !(sources & (1 << SRC_WIRE))) {
		pr_warn("--pcap writes wire packets: it needs --source wire or all\n");
		return CMD_USAGE;
	}

	if (force && !pcap_path) {
		pr_warn("--force replaces the --pcap file: it needs --pcap\n");
		return CMD_USAGE;
	}

	/*
	 * Exchanges wait in the pending list while a whole ring buffer is read: thousands
	 * under load, freed together. glibc would hand that memory back to the kernel each
	 * time and fault it in again (a tenth of the sniffer's CPU); what the budget
	 * allows may stay in the heap.
	 */
	mallopt(M_TRIM_THRESHOLD, max_memory > INT32_MAX ? INT32_MAX : (int)max_memory);
	lim = (struct http_limits){ .max_line = MAX_LINE, .max_body = max_body, .redact = &redact };
	if (sniff_merge_init(&s, &lim, max_memory, json, count, pcap_path, force))
		goto out;
	if ((sources & (1 << SRC_WIRE)) &&
	    sniff_src_open_wire(&s.src, ifindex, loopback, ports, nports,
				sources & (1 << SRC_SOCKET) ? 0 : max_memory / 4))
		goto out;
	if ((sources & (1 << SRC_SOCKET)) &&
	    sniff_src_open_socket(&s.src, ifindex, ports, nports, sniff_merge_sock_event, &s)) {
		if (!(sources & (1 << SRC_WIRE)))
			goto out;
		pr_warn("continuing with the wire source only\n");
		sniff_src_close_socket(&s.src);
	}
	s.mono_to_real = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	signals_catch();
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

		if (poll(pfd, 2, POLL_MS) < 0 && errno != EINTR) {
			pr_warn("failed to poll: %s\n", strerror(errno));
			goto out;
		}
		n = sniff_merge_drain(&s, DRAIN_BATCH);
		now = clock_ns(CLOCK_MONOTONIC);
		if (n <= 0 || now - flushed >= FLUSH_NS) {
			sniff_out_flush(&s.out);
			flushed = now;
		}
		sniff_merge_expire(&s, clock_ns(CLOCK_REALTIME));
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
		/* A full batch: more is waiting, read on. Interrupted by a signal: the loop
		 * checks exiting. */
		if (n > 0 && n < DRAIN_BATCH)
			nanosleep(&batch, NULL);
	}
	/* Flush: what is queued in the kernel, then what connections still hold. */
	sniff_src_settle(&s.src);
	sniff_merge_drain(&s, INT32_MAX);
	sniff_merge_end_all(&s, clock_ns(CLOCK_REALTIME));
	print_summary(&s, json);
	ret = CMD_OK;
out:
	sniff_merge_close(&s);
	return ret;
}
