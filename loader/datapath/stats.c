/* Counter names as `stats`, its JSON and the exporter print them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/stats.h"

const char *const nb_hook_names[NB_HOOK_MAX] = { "xdp", "tc-ingress", "tc-egress" };
const char *const nb_l3_names[NB_L3_MAX] = { "nonip", "ipv4", "ipv6", "l3-malformed" };
const char *const nb_l4_names[NB_L4_MAX] = {
	"tcp", "udp", "icmp", "icmpv6", "l4-other", "fragment", "l4-malformed",
};
const char *const nb_verdict_names[NB_VERDICT_MAX] = { "pass", "drop" };

/* Sums the per-CPU values of every hook into sum[]. */
int datapath_stats_read(int fd, struct nb_hook_stats sum[NB_HOOK_MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	struct nb_hook_stats *percpu;
	int err = 0;

	if (ncpu < 0)
		return ncpu;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	memset(sum, 0, sizeof(*sum) * NB_HOOK_MAX);
	for (__u32 h = 0; h < NB_HOOK_MAX && !err; h++) {
		if (bpf_map_lookup_elem(fd, &h, percpu)) {
			err = -errno;
			break;
		}
		/* The struct is nothing but counters: add it up as an array. */
		for (int c = 0; c < ncpu; c++) {
			struct nb_counter *dst = (void *)&sum[h], *src = (void *)&percpu[c];

			for (size_t i = 0; i < sizeof(sum[h]) / sizeof(*dst); i++) {
				dst[i].packets += src[i].packets;
				dst[i].bytes += src[i].bytes;
			}
		}
	}
	free(percpu);
	return err;
}
