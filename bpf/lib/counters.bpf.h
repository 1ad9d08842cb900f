/* Per-hook counters of the datapath: l3 class, l4 class, verdict. */
#ifndef NETBPF_COUNTERS_BPF_H
#define NETBPF_COUNTERS_BPF_H

#include "lib/ctx.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NB_HOOK_MAX);
	__type(key, __u32);
	__type(value, struct nb_hook_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} netbpf_stats SEC(".maps");

static __always_inline void counter_add(struct nb_counter *c, __u32 bytes)
{
	c->packets++;
	c->bytes += bytes;
}

/*
 * Per-CPU counters, so no atomics. Static, not global, because it returns void
 * and 6.1's verifier accepts only scalar-returning global functions; __noinline
 * keeps it a real bpf2bpf subprogram: `netbpf trace` attaches to it and
 * test_datapath_subprogs checks that it stays one.
 */
static __noinline void account(struct pkt *p, __u32 hook, __u32 verdict)
{
	struct nb_hook_stats *s = bpf_map_lookup_elem(&netbpf_stats, &hook);
	__u32 l3 = p->l3, l4 = p->l4;

	if (!s)
		return;
	/* Without the barriers clang bounds-checks one copy and indexes with another. */
	barrier_var(l3);
	barrier_var(l4);
	barrier_var(verdict);
	if (l3 < NB_L3_MAX)
		counter_add(&s->l3[l3], p->len);
	if ((l3 == NB_L3_IPV4 || l3 == NB_L3_IPV6) && l4 < NB_L4_MAX)
		counter_add(&s->l4[l4], p->len);
	if (verdict < NB_VERDICT_MAX)
		counter_add(&s->verdict[verdict], p->len);
}

#endif /* NETBPF_COUNTERS_BPF_H */
