/* One clock reading helper for the loader's modules. */
#ifndef NETBPF_CLOCK_H
#define NETBPF_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* NETBPF_CLOCK_H */
