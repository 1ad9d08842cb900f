/* The streams: pseudo-random bytes that are a pure function of (seed, offset). */
#include "streamcheck.h"

uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void stream_gen(uint64_t seed, uint64_t off, uint8_t *buf, size_t len)
{
	uint64_t w = splitmix(seed ^ (off / 8));

	for (size_t i = 0; i < len; i++, off++) {
		if (off % 8 == 0)
			w = splitmix(seed ^ (off / 8));
		buf[i] = w >> (8 * (off % 8));
	}
}

uint64_t stream_hash(uint64_t h, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}
