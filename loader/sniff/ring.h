/*
 * The wire source's TPACKET_V3 receive ring (as libpcap and tcpdump read packets):
 * the kernel copies each packet the filter keeps into blocks of a ring mapped in
 * this process and wakes it once per block, not once per packet, and no syscall
 * is needed to read them.
 */
#ifndef NETBPF_SNIFF_RING_H
#define NETBPF_SNIFF_RING_H

#include <stddef.h>
#include <stdint.h>

struct sniff_ring {
	uint8_t *map;      /* NULL: no ring */
	size_t block_size;
	unsigned int blocks;
	unsigned int cur;  /* next block to read */
};

/* caplen bytes of a packet of len bytes, at ts_ns (wall clock). */
typedef void (*sniff_ring_fn)(void *ctx, const uint8_t *pkt, size_t caplen, size_t len,
			      uint64_t ts_ns);

/* The ring's size for about bytes: whole blocks, 4 to 64 MiB. */
size_t sniff_ring_size(size_t bytes);
/* Sets up a ring of sniff_ring_size(bytes) on packet socket fd (before it is bound);
 * 0 or -errno. */
int sniff_ring_open(struct sniff_ring *r, int fd, size_t bytes);
/* Reads the blocks the kernel handed over, until at least max packets; returns how many. */
int sniff_ring_read(struct sniff_ring *r, int max, sniff_ring_fn fn, void *ctx);
/* Does the block being filled hold packets? They are readable once it is retired. */
int sniff_ring_filling(const struct sniff_ring *r);
void sniff_ring_close(struct sniff_ring *r);

#endif /* NETBPF_SNIFF_RING_H */
