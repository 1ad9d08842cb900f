/* TPACKET_V3 receive ring of the wire source (see ring.h). */
#include <errno.h>
#include <linux/if_packet.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "sniff/ring.h"

/*
 * A block holds the largest packet the wire source reads whole (256 KiB, as the
 * socket queue's reads did). A block is handed over when full or after RETIRE_MS:
 * output is that much later, and while the sniffer waits for a CPU a trickle of
 * packets still fills one block each RETIRE_MS, so the default 32 blocks (8 MiB)
 * last 128 ms even then, and much longer under a flood of full blocks. Every block
 * the kernel filled stays in the sniffer's resident memory: the ring is sized from
 * --max-memory, not fixed (256 blocks made a flood 64 MiB larger).
 */
#define BLOCK_SIZE (256 * 1024)
#define MIN_BLOCKS 16
#define MAX_BLOCKS 256
#define RETIRE_MS  4

static struct tpacket_block_desc *block(const struct sniff_ring *r, unsigned int i)
{
	return (struct tpacket_block_desc *)(r->map + (size_t)i * r->block_size);
}

size_t sniff_ring_size(size_t bytes)
{
	size_t blocks = bytes / BLOCK_SIZE;

	blocks = blocks < MIN_BLOCKS ? MIN_BLOCKS : blocks > MAX_BLOCKS ? MAX_BLOCKS : blocks;
	return blocks * BLOCK_SIZE;
}

int sniff_ring_open(struct sniff_ring *r, int fd, size_t bytes)
{
	unsigned int blocks = sniff_ring_size(bytes) / BLOCK_SIZE;
	int version = TPACKET_V3;
	struct tpacket_req3 req = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = blocks,
		.tp_frame_size = 2048, /* V3 packs packets; the kernel only checks it divides */
		.tp_frame_nr = (size_t)BLOCK_SIZE * blocks / 2048,
		.tp_retire_blk_tov = RETIRE_MS,
	};
	void *map;

	memset(r, 0, sizeof(*r));
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		return -errno;
	map = mmap(NULL, (size_t)BLOCK_SIZE * blocks, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	r->map = map;
	r->block_size = BLOCK_SIZE;
	r->blocks = blocks;
	return 0;
}

int sniff_ring_read(struct sniff_ring *r, int max, sniff_ring_fn fn, void *ctx)
{
	int n = 0;

	while (n < max) {
		struct tpacket_block_desc *b = block(r, r->cur);
		struct tpacket3_hdr *h;

		/* Acquire: the packets are written before the status says so. */
		if (!(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
			break;
		h = (struct tpacket3_hdr *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
		for (uint32_t i = 0; i < b->hdr.bh1.num_pkts; i++) {
			fn(ctx, (uint8_t *)h + h->tp_mac, h->tp_snaplen, h->tp_len,
			   h->tp_sec * 1000000000ULL + h->tp_nsec);
			h = (struct tpacket3_hdr *)((uint8_t *)h + h->tp_next_offset);
		}
		n += b->hdr.bh1.num_pkts;
		/* The kernel zeroes it only when it opens the block again: until then
		 * sniff_ring_filling() would take the old count for new packets. */
		b->hdr.bh1.num_pkts = 0;
		/* Release: done with its packets before the kernel may fill it again. */
		__atomic_store_n(&b->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		r->cur = (r->cur + 1) % r->blocks;
	}
	return n;
}

int sniff_ring_filling(const struct sniff_ring *r)
{
	const struct tpacket_block_desc *b = block(r, r->cur);

	return !(__atomic_load_n(&b->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) &&
	       __atomic_load_n(&b->hdr.bh1.num_pkts, __ATOMIC_RELAXED) > 0;
}

void sniff_ring_close(struct sniff_ring *r)
{
	if (r->map)
		munmap(r->map, r->block_size * r->blocks);
	memset(r, 0, sizeof(*r));
}
