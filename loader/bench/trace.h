/* netbpf bench trace: what tracing costs per packet, untraced vs traced xdp_main. */
#ifndef NETBPF_TRACE_BENCH_H
#define NETBPF_TRACE_BENCH_H

#include <stdbool.h>

/* BPF_PROG_TEST_RUN of a private (unattached, unpinned) xdp_main, repeat runs per
 * measurement, in rounds of one untraced and one traced measurement (fentry/fexit on
 * all its functions); medians over the rounds. */
int trace_bench(int repeat, bool json);

#endif /* NETBPF_TRACE_BENCH_H */
