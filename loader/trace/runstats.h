/*
 * The fallback of `netbpf trace` where the kernel refuses trampolines: the kernel's
 * own per-program figures from BPF_ENABLE_STATS (run count and run time of the main
 * programs; subfunctions have none).
 */
#ifndef NETBPF_TRACE_RUNSTATS_H
#define NETBPF_TRACE_RUNSTATS_H

#include <linux/types.h>

#include "trace/funcs.h"

struct runstats {
	int enable_fd; /* the kernel counts only while this fd is open */
	__u64 cnt0[TRACE_MAX_PROGS];
	__u64 ns0[TRACE_MAX_PROGS];
};

struct runstats_delta {
	__u64 runs;
	__u64 run_time_ns;
};

/* Turns stats on and takes the starting point of every program of set. */
int runstats_start(struct runstats *r, const struct trace_set *set);
/* Runs and run time of program i since runstats_start. */
int runstats_read(const struct runstats *r, const struct trace_set *set, int i,
		  struct runstats_delta *d);
void runstats_stop(struct runstats *r);

#endif /* NETBPF_TRACE_RUNSTATS_H */
