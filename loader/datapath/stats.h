/* The datapath's per-CPU counters, summed, and the names of their slots. */
#ifndef NETBPF_DATAPATH_STATS_H
#define NETBPF_DATAPATH_STATS_H

#include "bpf/datapath/datapath.h"

extern const char *const nb_hook_names[NB_HOOK_MAX];
extern const char *const nb_l3_names[NB_L3_MAX];
extern const char *const nb_l4_names[NB_L4_MAX];
extern const char *const nb_verdict_names[NB_VERDICT_MAX];

/* Reads the pinned stats map (fd) and sums every hook's counters over CPUs. */
int datapath_stats_read(int fd, struct nb_hook_stats sum[NB_HOOK_MAX]);

#endif /* NETBPF_DATAPATH_STATS_H */
