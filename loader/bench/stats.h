/* Statistics of the benchmarks: percentiles of latency samples, and medians with their
 * min-max over rounds. */
#ifndef NETBPF_BENCH_STATS_H
#define NETBPF_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v in place and returns its p-th percentile (0 < p <= 100), 0 for no samples. */
uint64_t stats_percentile(uint64_t *v, size_t n, double p);
/* Percentile of an array already sorted by stats_percentile. */
uint64_t stats_percentile_sorted(const uint64_t *v, size_t n, double p);

struct stats_range {
	double median, min, max;
};
/* Median, min and max of n values (the array is left untouched). */
struct stats_range stats_range(const double *v, size_t n);

#endif /* NETBPF_BENCH_STATS_H */
