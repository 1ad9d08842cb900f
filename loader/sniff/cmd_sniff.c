/*
 * netbpf sniff: HTTP/1.x exchanges on an interface, from the wire (socket filter
 * on an AF_PACKET socket) and/or from the sockets themselves (syscall
 * tracepoints), each exchange reported once.
 */
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

#include "common/argval.h"
#include "common/clock.h"
#include "cmd.h"
#include "common/log.h"
#include "common/priv.h"
#include "sniff/merge.h"

#define MAX_LINE    8192
#define POLL_MS     100
#define DRAIN_BATCH 512 /* packets per wake-up before the ring buffer gets a turn */

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
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

static void print_summary(struct sniff_merge *s)
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
		"  -j, --json          one JSON object per exchange (schema in docs/sniff.md)\n"
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
	struct sniff_merge s = {};
	int sources = 1 << SRC_WIRE | 1 << SRC_SOCKET;
	const char *pcap_path = NULL;
	uint16_t ports[SNIFF_MAX_PORTS];
	unsigned long long v, count = 0;
	double duration = 0;
	int nports = 0, json = gopt.json, secrets = 0, ret = 1, ifindex, type, loopback;
	uint32_t max_body = 0;
	struct http_limits lim;
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t start, deadline = 0;
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
			if (arg_uint(optarg, "port", 1, 65535, &v))
				return 1;
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
				return 1;
			}
			break;
		case 'b':
			if (arg_uint(optarg, "--max-body", 0, HTTP_BODY_CAP, &v))
				return 1;
			max_body = v ? v + 1 : 0; /* + the parser's terminating NUL */
			break;
		case 'c':
			if (arg_uint(optarg, "--count", 0, ~0ULL, &count))
				return 1;
			break;
		case 'd':
			if (arg_seconds(optarg, "--duration", 0.001, 1e9, &duration))
				return 1;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind != argc - 1) {
		pr_warn("sniff needs exactly one interface (see 'netbpf sniff --help')\n");
		return 1;
	}
	if (priv_check())
		return 1;
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
	if (pcap_path && !(sources & (1 << SRC_WIRE))) {
		pr_warn("--pcap writes wire packets: it needs --source wire or all\n");
		return 1;
	}

	lim = (struct http_limits){ .max_line = MAX_LINE, .max_body = max_body,
				    .show_secrets = secrets };
	if (sniff_merge_init(&s, &lim, json, count, pcap_path))
		goto out;
	if ((sources & (1 << SRC_WIRE)) &&
	    sniff_src_open_wire(&s.src, ifindex, loopback, ports, nports))
		goto out;
	if ((sources & (1 << SRC_SOCKET)) &&
	    sniff_src_open_socket(&s.src, ifindex, ports, nports, sniff_merge_sock_event, &s)) {
		if (!(sources & (1 << SRC_WIRE)))
			goto out;
		pr_warn("continuing with the wire source only\n");
		sniff_src_close_socket(&s.src);
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

		if (poll(pfd, 2, POLL_MS) < 0 && errno != EINTR) {
			pr_warn("failed to poll: %s\n", strerror(errno));
			goto out;
		}
		sniff_merge_drain(&s, DRAIN_BATCH);
		sniff_out_flush(&s.out);
		sniff_merge_expire(&s, clock_ns(CLOCK_REALTIME));
		if (deadline && clock_ns(CLOCK_MONOTONIC) >= deadline)
			break;
	}
	/* Flush: what is queued in the kernel, then what connections still hold. */
	sniff_merge_drain(&s, INT32_MAX);
	sniff_merge_end_all(&s, clock_ns(CLOCK_REALTIME));
	print_summary(&s);
	ret = 0;
out:
	sniff_merge_close(&s);
	return ret;
}
