/* The datapath bench: ns per packet of the XDP and tc programs with BPF_PROG_TEST_RUN,
 * against an empty XDP program (the floor) and a tail-call chain of the same stages,
 * cross-checked with BPF_ENABLE_STATS run_time_ns/run_cnt. */
#ifndef NETBPF_BENCH_DATAPATH_H
#define NETBPF_BENCH_DATAPATH_H

#include <stdbool.h>

struct bench_datapath_opts {
	int repeat;
	int rounds;
	bool json;
};

int bench_datapath(const struct bench_datapath_opts *o);

#endif /* NETBPF_BENCH_DATAPATH_H */
