/* Sources of `netbpf sniff`: BPF objects, the packet socket, the ring buffer. */
#define _GNU_SOURCE /* recvmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "common/clock.h"
#include "common/eth.h"
#include "common/log.h"
#include "common/percpu.h"
#include "sniff.skel.h"
#include "sniff_sock.skel.h"
#include "sniff/src.h"

#define PKT_BUF (256 * 1024)
/* Packets per recvmmsg: one syscall for a batch instead of one per packet. */
#define RECV_BATCH 32
#define RCVBUF  (128 << 20)
#define TRACEFS "/sys/kernel/tracing"

void sniff_src_init(struct sniff_src *src)
{
	memset(src, 0, sizeof(*src));
	src->pkt_fd = -1;
}

static void set_ports(volatile __u32 *nports, volatile __u16 *ports, const uint16_t *want, int n)
{
	*nports = n;
	for (int i = 0; i < n; i++)
		ports[i] = want[i];
}

int sniff_src_open_wire(struct sniff_src *s, int ifindex, int loopback, const uint16_t *ports,
			int nports, size_t ring_bytes)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	int one = 1, rcvbuf = RCVBUF, prog, err;

	s->wire = sniff__open();
	if (!s->wire) {
		pr_warn("failed to open the wire filter: %s\n", strerror(errno));
		return -1;
	}
	set_ports(&s->wire->rodata->targ_nports, s->wire->rodata->targ_ports, ports, nports);
	s->wire->rodata->targ_skip_outgoing = loopback;
	err = sniff__load(s->wire);
	if (err) {
		pr_warn("failed to load the wire filter: %s\n", strerror(-err));
		return -1;
	}
	prog = bpf_program__fd(s->wire->progs.sniff_wire);
	/* Protocol 0 receives nothing until bound with ETH_P_ALL, after the filter is on. */
	s->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (s->pkt_fd < 0) {
		pr_warn("failed to open a packet socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(s->pkt_fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog))) {
		pr_warn("failed to attach the wire filter: %s\n", strerror(errno));
		return -1;
	}
	if (ring_bytes) {
		err = sniff_ring_open(&s->ring, s->pkt_fd, ring_bytes);
		if (err) {
			pr_warn("failed to set up the packet ring: %s\n", strerror(-err));
			return -1;
		}
	} else {
		setsockopt(s->pkt_fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
		/* Room for a second or so of a busy link while the sniffer waits for a CPU;
		 * the memory is only used when the queue builds up. FORCE needs CAP_NET_ADMIN. */
		if (setsockopt(s->pkt_fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
			setsockopt(s->pkt_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	}
	sll.sll_protocol = htons(ETH_P_ALL);
	if (bind(s->pkt_fd, (struct sockaddr *)&sll, sizeof(sll))) {
		pr_warn("failed to bind the packet socket to ifindex %d: %s\n", ifindex,
			strerror(errno));
		return -1;
	}
	if (ring_bytes)
		return 0;
	/* Only the pages packets are written to become resident. */
	s->pkt = malloc((size_t)RECV_BATCH * PKT_BUF);
	return s->pkt ? 0 : -1;
}

/*
 * Syscall tracepoints are found through tracefs. `ip netns exec` remounts /sys
 * in a mount namespace of its own, without tracefs: mount it there.
 */
static void ensure_tracefs(void)
{
	if (!access(TRACEFS "/events", F_OK) || access(TRACEFS, F_OK))
		return;
	if (mount("tracefs", TRACEFS, "tracefs", 0, NULL))
		pr_debug("failed to mount tracefs at " TRACEFS ": %s\n", strerror(errno));
	else
		pr_debug("mounted tracefs at " TRACEFS "\n");
}

int sniff_src_open_socket(struct sniff_src *s, int ifindex, const uint16_t *ports, int nports,
			  ring_buffer_sample_fn fn, void *ctx)
{
	struct stat st;
	int err;

	ensure_tracefs();
	if (stat("/proc/self/ns/net", &st)) {
		pr_warn("failed to read the network namespace: %s\n", strerror(errno));
		return -1;
	}
	s->sock = sniff_sock__open();
	if (!s->sock) {
		pr_warn("failed to open the socket source: %s\n", strerror(errno));
		return -1;
	}
	set_ports(&s->sock->rodata->targ_nports, s->sock->rodata->targ_ports, ports, nports);
	s->sock->rodata->targ_netns = st.st_ino;
	s->sock->rodata->targ_ifindex = ifindex;
	s->sock->rodata->targ_self = getpid();
	err = sniff_sock__load(s->sock);
	if (!err)
		err = sniff_sock__attach(s->sock);
	if (err) {
		pr_warn("failed to start the socket source: %s%s\n", strerror(-err),
			err == -ENOENT ? " (hint: syscall tracepoints need tracefs at " TRACEFS ")"
				       : "");
		return -1;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->sock->maps.sniff_events), fn, ctx, NULL);
	if (!s->rb) {
		pr_warn("failed to open the socket source's ring buffer: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

void sniff_src_close_socket(struct sniff_src *s)
{
	ring_buffer__free(s->rb);
	sniff_sock__destroy(s->sock);
	s->rb = NULL;
	s->sock = NULL;
}

int sniff_src_read_packets(struct sniff_src *s, int max, sniff_packet_fn fn, void *ctx)
{
	char cbuf[RECV_BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov[RECV_BATCH];
	struct mmsghdr msg[RECV_BATCH];
	int total = 0;

	if (s->ring.map)
		return sniff_ring_read(&s->ring, max, fn, ctx);
	while (total < max) {
		int want = max - total < RECV_BATCH ? max - total : RECV_BATCH, got;

		for (int i = 0; i < want; i++) {
			iov[i] = (struct iovec){ .iov_base = s->pkt + (size_t)i * PKT_BUF,
						 .iov_len = PKT_BUF };
			msg[i].msg_hdr = (struct msghdr){
				.msg_iov = &iov[i], .msg_iovlen = 1,
				.msg_control = cbuf[i], .msg_controllen = sizeof(cbuf[i]),
			};
		}
		got = recvmmsg(s->pkt_fd, msg, want, MSG_DONTWAIT | MSG_TRUNC, NULL);
		if (got <= 0)
			break;
		for (int i = 0; i < got; i++) {
			size_t len = msg[i].msg_len; /* MSG_TRUNC: the packet's length */
			struct timespec ts = {};
			struct cmsghdr *cm;

			for (cm = CMSG_FIRSTHDR(&msg[i].msg_hdr); cm; cm = CMSG_NXTHDR(&msg[i].msg_hdr, cm))
				if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_TIMESTAMPNS)
					memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
			fn(ctx, iov[i].iov_base, len > PKT_BUF ? PKT_BUF : len, len,
			   ts.tv_sec ? ts.tv_sec * 1000000000ULL + ts.tv_nsec : clock_ns(CLOCK_REALTIME));
		}
		total += got;
		if (got < want)
			break; /* the queue is empty */
	}
	return total;
}

void sniff_src_settle(struct sniff_src *s)
{
	struct pollfd pfd = { .fd = s->pkt_fd, .events = POLLIN };

	/* The kernel hands a block over RETIRE_MS after it was opened: a few polls. */
	for (int i = 0; i < 10 && s->ring.map && sniff_ring_filling(&s->ring); i++)
		poll(&pfd, 1, 10);
}

int sniff_segment_parse(const uint8_t *p, size_t n, struct segment *sg)
{
	size_t off, end;
	int proto = eth_walk(p, n, &off);

	if (proto < 0)
		return -1;
	memset(sg, 0, sizeof(*sg));
	if (proto == ETH_P_IP) {
		const uint8_t *ip = p + off;

		if (n < off + 20 || ip[9] != IPPROTO_TCP || (eth_get16(ip + 6) & 0x3fff))
			return -1;
		sg->src.addr[10] = sg->src.addr[11] = 0xff;
		sg->dst.addr[10] = sg->dst.addr[11] = 0xff;
		memcpy(sg->src.addr + 12, ip + 12, 4);
		memcpy(sg->dst.addr + 12, ip + 16, 4);
		end = off + eth_get16(ip + 2);
		off += (ip[0] & 0xf) * 4;
	} else if (proto == ETH_P_IPV6) {
		const uint8_t *ip = p + off;

		if (n < off + 40 || ip[6] != IPPROTO_TCP)
			return -1;
		memcpy(sg->src.addr, ip + 8, 16);
		memcpy(sg->dst.addr, ip + 24, 16);
		end = off + 40 + eth_get16(ip + 4);
		off += 40;
	} else {
		return -1;
	}
	if (end > n)
		end = n; /* the capture was cut: what is missing shows as a sequence gap */
	if (off + 20 > end)
		return -1;
	sg->src.port = eth_get16(p + off);
	sg->dst.port = eth_get16(p + off + 2);
	sg->seq = (uint32_t)eth_get16(p + off + 4) << 16 | eth_get16(p + off + 6);
	sg->flags = p[off + 13];
	off += (p[off + 12] >> 4) * 4;
	if (off > end)
		return -1;
	sg->payload = p + off;
	sg->len = end - off;
	return 0;
}

void sniff_src_mute(struct sniff_src *s, const struct sniff_sock_event *ev)
{
	struct sniff_fd_key key = { .pid = ev->pid, .fd = ev->fd };
	struct sniff_fd_val v;
	int fd = bpf_map__fd(s->sock->maps.sniff_fds);

	if (bpf_map_lookup_elem(fd, &key, &v) || v.ino != ev->ino)
		return;
	v.wanted = 0;
	bpf_map_update_elem(fd, &key, &v, BPF_EXIST);
}

/* 0 when unreadable: the summary is best effort. */
static uint64_t stat_sum(struct bpf_map *map, enum sniff_stat idx)
{
	__u32 key = idx;
	__u64 sum;

	percpu_sum(bpf_map__fd(map), &key, &sum, sizeof(sum));
	return sum;
}

/* Entries now in a map; at most its max_entries lookups. */
static uint64_t map_entries(struct bpf_map *map)
{
	struct sniff_flow_key key, next;
	void *prev = NULL;
	uint64_t n = 0;

	while (!bpf_map_get_next_key(bpf_map__fd(map), prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

void sniff_src_stats(struct sniff_src *s, struct sniff_src_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (s->wire) {
		struct bpf_map *stats = s->wire->maps.sniff_stats;
		struct tpacket_stats ps = {};
		socklen_t sl = sizeof(ps);
		uint64_t added, deleted, live;

		st->wire = 1;
		getsockopt(s->pkt_fd, SOL_PACKET, PACKET_STATISTICS, &ps, &sl);
		st->wire_seen = stat_sum(stats, SNIFF_STAT_WIRE_SEEN);
		st->wire_passed = stat_sum(stats, SNIFF_STAT_WIRE_PASSED);
		st->wire_dropped = ps.tp_drops;
		/* What was created and is neither deleted nor still there was evicted. */
		added = stat_sum(stats, SNIFF_STAT_FLOW_ADDED);
		deleted = stat_sum(stats, SNIFF_STAT_FLOW_DELETED);
		live = map_entries(s->wire->maps.sniff_flows);
		st->flows_evicted = added > deleted + live ? added - deleted - live : 0;
	}
	if (s->sock) {
		struct bpf_map *stats = s->sock->maps.sniff_stats;

		st->sock = 1;
		st->sock_events = stat_sum(stats, SNIFF_STAT_SOCK_EVENTS);
		st->sock_lost = stat_sum(stats, SNIFF_STAT_SOCK_LOST);
		st->sock_evicted = stat_sum(stats, SNIFF_STAT_SOCK_EVICTED);
	}
}

void sniff_src_close(struct sniff_src *s)
{
	sniff_src_close_socket(s);
	sniff_ring_close(&s->ring);
	if (s->pkt_fd >= 0)
		close(s->pkt_fd);
	sniff__destroy(s->wire);
	free(s->pkt);
	sniff_src_init(s);
}
