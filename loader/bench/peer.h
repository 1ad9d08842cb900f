/* One end of the bench load's connection: the thread that moves and checksums its bytes. */
#ifndef NETBPF_BENCH_PEER_H
#define NETBPF_BENCH_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench/hash.h"
#include "bench/load.h"

struct bench_peer {
	const struct bench_load_opts *o;
	int fd;
	int cpu;
	const uint8_t *pool;
	uint8_t *buf;
	size_t buf_len;
	struct bench_hash tx, rx;
	uint64_t msgs;
	uint64_t start_ns, end_ns;
	uint64_t *lat;
	size_t n_lat, lat_alloc;
	const char *err; /* what failed, with errno in err_no */
	int err_no;
	bool corrupt_once; /* flip a received bit: proves that corruption is caught */
	uint64_t waits;    /* voluntary context switches of the thread in the test */
};

/* The random bytes both ends cut their messages from (free() it); NULL without memory. */
uint8_t *bench_peer_pool(size_t msg_size);

/* Thread bodies, arg a struct bench_peer: each end of each test. */
void *bench_peer_rr_client(void *arg);
void *bench_peer_rr_server(void *arg);
void *bench_peer_stream_client(void *arg);
void *bench_peer_stream_server(void *arg);

#endif /* NETBPF_BENCH_PEER_H */
