/* Load generator of the redirect bench: a request/response test (one message each way per
 * transaction) and a one-way stream test over one loopback TCP connection, client and
 * server in two threads, every byte moved checksummed at both ends. */
#ifndef NETBPF_BENCH_LOAD_H
#define NETBPF_BENCH_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bench_test { BENCH_RR, BENCH_STREAM };

/* A transfer that does not progress for this long (s) is a stall, reported as a failure. */
#define BENCH_STALL_S 3

struct bench_load_opts {
	enum bench_test test;
	size_t msg_size;
	double duration_s;
	int cpu_client; /* -1: let the scheduler place it */
	int cpu_server;
	int port;       /* the server's port: a service of its own per test and size, as
			 * --mode auto learns per server port (0: any free port) */
};

#define BENCH_RR_PORT     20100
#define BENCH_STREAM_PORT 20200

struct bench_load_result {
	uint64_t msgs;      /* rr: transactions; stream: messages delivered */
	uint64_t bytes;     /* payload bytes delivered (both directions for rr) */
	double elapsed_s;   /* rr: client loop; stream: first write to the server's EOF */
	uint64_t *lat_ns;   /* rr: round-trip time of each transaction (up to a cap) */
	size_t n_lat;
	uint64_t rx_waits;  /* stream: times the receiver slept waiting for data */
	uint64_t lo_packets; /* packets lo sent during the run: a bypassed connection sends only
			      * its handshake and teardown (the netns is the bench's own) */
	bool verified;      /* byte counts and checksums equal at both ends */
	bool stalled;       /* an end saw no progress for the stall timeout */
	char error[512];    /* set when the run failed (stall, connection error) */
};

/* common/signals.h's exiting, set by Ctrl-C: the running test ends early (and is
 * reported as failed). */

/* Runs one test on a fresh connection; sockets are created by the calling thread, so they
 * belong to its cgroup and network namespace. 0 on success (r->verified tells whether the
 * data was intact), -1 with r->error set otherwise. */
int bench_load_run(const struct bench_load_opts *o, struct bench_load_result *r);
void bench_load_free(struct bench_load_result *r);

#endif /* NETBPF_BENCH_LOAD_H */
