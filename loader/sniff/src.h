/*
 * The two sources of `netbpf sniff`: the wire (bpf/sniff/sniff.bpf.c on an AF_PACKET
 * socket) and the sockets (bpf/sniff/sniff_sock.bpf.c on syscall tracepoints, events
 * in a ring buffer). Loading, reading, counters; what the bytes mean is decided
 * by sniff_merge.c.
 */
#ifndef NETBPF_SNIFF_SRC_H
#define NETBPF_SNIFF_SRC_H

#include <stddef.h>
#include <stdint.h>
#include <bpf/libbpf.h>

#include "sniff/conn.h"
#include "sniff/ring.h"
#include "bpf/sniff/sniff.h"

struct sniff;      /* skeletons */
struct sniff_sock;

struct sniff_src {
	struct sniff *wire;      /* NULL without the wire source */
	int pkt_fd;
	struct sniff_ring ring;  /* map NULL: packets read from the socket's queue into pkt */
	uint8_t *pkt;
	struct sniff_sock *sock; /* NULL without the socket source */
	struct ring_buffer *rb;
};

/* A TCP segment decoded from an Ethernet frame. */
struct segment {
	struct endpoint src, dst;
	uint32_t seq;
	uint8_t flags;
	const uint8_t *payload;
	size_t len;
};

#define TCP_FIN 0x01
#define TCP_RST 0x04

/* caplen bytes of a packet of len bytes, received at ts_ns (wall clock). */
typedef void (*sniff_packet_fn)(void *ctx, const uint8_t *pkt, size_t caplen, size_t len,
				uint64_t ts_ns);

void sniff_src_init(struct sniff_src *src);
/*
 * ring_bytes: read through a TPACKET_V3 ring of about that size (batched, but a
 * packet is readable only once its block is handed over, up to a few ms later);
 * 0: through the socket's queue, where every packet is readable as soon as it is
 * queued.
 */
int sniff_src_open_wire(struct sniff_src *src, int ifindex, int loopback, const uint16_t *ports,
			int nports, size_t ring_bytes);
/* Events go to fn (struct sniff_sock_event followed by its data). */
int sniff_src_open_socket(struct sniff_src *src, int ifindex, const uint16_t *ports, int nports,
			  ring_buffer_sample_fn fn, void *ctx);
void sniff_src_close_socket(struct sniff_src *src);
/* Reads at most max queued packets without waiting; returns how many. */
int sniff_src_read_packets(struct sniff_src *src, int max, sniff_packet_fn fn, void *ctx);
/* At the end: waits (100 ms at most) for the ring's block being filled to be handed over. */
void sniff_src_settle(struct sniff_src *src);
/* Ethernet (VLAN tags allowed) / IPv4 or IPv6 / TCP; -1 for anything else. */
int sniff_segment_parse(const uint8_t *p, size_t n, struct segment *sg);
/* The socket source stops copying data of the socket that sent ev. */
void sniff_src_mute(struct sniff_src *src, const struct sniff_sock_event *ev);
/* What the sources saw and lost. */
struct sniff_src_stats {
	int wire, sock;          /* which sources ran */
	uint64_t wire_seen;      /* packets the filter looked at */
	uint64_t wire_passed;    /* ...and let through */
	uint64_t wire_dropped;   /* by the kernel: packet socket queue full */
	uint64_t flows_evicted;  /* sniff_flows LRU evictions: later segments show as gaps */
	uint64_t sock_events;    /* written to the ring buffer */
	uint64_t sock_lost;      /* ring buffer full */
	uint64_t sock_evicted;   /* reads/writes lost to sniff_inflight LRU evictions (gaps) */
};

void sniff_src_stats(struct sniff_src *src, struct sniff_src_stats *st);
void sniff_src_close(struct sniff_src *src);

#endif /* NETBPF_SNIFF_SRC_H */
