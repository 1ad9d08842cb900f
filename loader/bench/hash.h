/* Checksum of a byte stream for the benchmarks: both ends hash what they moved and the
 * bench compares, so a path that is fast because it loses, repeats or reorders data
 * cannot win. A 4-lane Fletcher sum over 64-bit words: position-sensitive (reordering
 * changes b) and cheap enough (~1 cycle per 8 bytes) not to hide the transport's cost.
 * Chunking does not matter: a partial word is carried to the next update. */
#ifndef NETBPF_BENCH_HASH_H
#define NETBPF_BENCH_HASH_H

#include <stdint.h>
#include <string.h>

struct bench_hash {
	uint64_t a[4], b[4];
	uint8_t carry[32];
	unsigned int carry_len;
	uint64_t bytes;
};

static inline void bench_hash_init(struct bench_hash *h)
{
	memset(h, 0, sizeof(*h));
}

static inline void bench_hash_block(struct bench_hash *h, const uint8_t *p)
{
	for (int i = 0; i < 4; i++) {
		uint64_t w;

		memcpy(&w, p + 8 * i, 8);
		h->a[i] += w;
		h->b[i] += h->a[i];
	}
}

static inline void bench_hash_update(struct bench_hash *h, const void *data, size_t n)
{
	const uint8_t *p = data;

	h->bytes += n;
	if (h->carry_len) {
		size_t take = 32 - h->carry_len < n ? 32 - h->carry_len : n;

		memcpy(h->carry + h->carry_len, p, take);
		h->carry_len += take;
		p += take;
		n -= take;
		if (h->carry_len < 32)
			return;
		bench_hash_block(h, h->carry);
		h->carry_len = 0;
	}
	for (; n >= 32; p += 32, n -= 32)
		bench_hash_block(h, p);
	memcpy(h->carry, p, n);
	h->carry_len = n;
}

static inline uint64_t bench_hash_final(const struct bench_hash *h)
{
	struct bench_hash t = *h;
	uint64_t r = t.bytes;

	/* zero padding is safe: the byte count is part of the result */
	if (t.carry_len) {
		memset(t.carry + t.carry_len, 0, 32 - t.carry_len);
		bench_hash_block(&t, t.carry);
	}
	for (int i = 0; i < 4; i++)
		r = (r ^ t.a[i]) * 0x9e3779b97f4a7c15ULL ^ (t.b[i] + (r >> 29));
	return r;
}

#endif /* NETBPF_BENCH_HASH_H */
