/* Counter names as `stats`, its JSON and the exporter print them. */
#include "common/percpu.h"
#include "datapath/stats.h"

const char *const nb_hook_names[NB_HOOK_MAX] = { "xdp", "tc-ingress", "tc-egress" };
const char *const nb_l3_names[NB_L3_MAX] = { "nonip", "ipv4", "ipv6", "l3-malformed" };
const char *const nb_l4_names[NB_L4_MAX] = {
	"tcp", "udp", "icmp", "icmpv6", "l4-other", "fragment", "l4-malformed",
};
const char *const nb_verdict_names[NB_VERDICT_MAX] = { "pass", "drop" };

int datapath_stats_read(int fd, struct nb_hook_stats sum[NB_HOOK_MAX])
{
	int err = 0;

	for (__u32 h = 0; h < NB_HOOK_MAX && !err; h++)
		err = percpu_sum(fd, &h, &sum[h], sizeof(sum[h]));
	return err;
}
