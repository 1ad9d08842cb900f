/* Peers a user trusts, run beside the bench's own load: sockperf ping-pong and throughput,
 * iperf3. Server and client are started from the calling process, so they inherit its
 * cgroup and network namespace (the bypass applies to them as to the bench's own load). */
#ifndef NETBPF_BENCH_EXTERNAL_H
#define NETBPF_BENCH_EXTERNAL_H

#include <stdbool.h>
#include <stddef.h>

struct ext_opts {
	size_t msg_size;
	double duration_s; /* rounded up to whole seconds: both tools take integers */
	int cpu_client;    /* each tool pinned like the bench's own ends (-1: not pinned) */
	int cpu_server;
	int service;       /* each message size is a service of its own, on ports of its own
			    * (--mode auto learns per server port) */
};

/* Both tools are on PATH; otherwise says which one is missing and returns false. */
bool ext_available(void);
/* sockperf takes messages of 14..65506 bytes; 64K is run as 65506. */
bool ext_sockperf_supports(size_t msg_size);
/* Full round-trip time percentiles, us. 0 on success. */
int ext_sockperf_pingpong(const struct ext_opts *o, double *p50_us, double *p99_us);
/* Messages per second the client sent. */
int ext_sockperf_throughput(const struct ext_opts *o, double *msgs);
/* Gbit/s received, iperf3 -l msg_size. */
int ext_iperf3(const struct ext_opts *o, double *gbps);

#endif /* NETBPF_BENCH_EXTERNAL_H */
