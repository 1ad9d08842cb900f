/* What the exporter reads from netbpf's pins on every scrape. */
#ifndef NETBPF_COLLECT_H
#define NETBPF_COLLECT_H

#include <stdbool.h>
#include <stdio.h>

struct collect_opts {
	bool prog_stats; /* the kernel's run time and count of each program (BPF_ENABLE_STATS on) */
};

/*
 * Writes every metric family in the text exposition format to f: datapath
 * counters of every interface netbpf is up on (any network namespace), the
 * bypass counters of every cgroup, and optionally program run statistics.
 * What cannot be read counts in netbpf_scrape_errors; returns that count.
 */
int collect_metrics(FILE *f, const struct collect_opts *o);

#endif /* NETBPF_COLLECT_H */
