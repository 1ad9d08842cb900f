/* Deny rules: an LPM trie on (proto, destination port, source address). */
#ifndef NETBPF_RULES_BPF_H
#define NETBPF_RULES_BPF_H

#include "lib/pkt.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, NB_DENY_MAX_RULES);
	__type(key, struct nb_deny_key);
	__type(value, struct nb_deny_val);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} netbpf_deny SEC(".maps");

/*
 * Returns NB_DROP when a rule matches, NB_PASS otherwise. Rules may leave proto
 * and port as "any" (0), so the four combinations are looked up, most specific
 * first; within each the trie picks the longest address prefix.
 */
__noinline int match_rules(struct pkt *p)
{
	struct nb_deny_key key = {};
	struct nb_deny_val *val;
	int i;

	if (!p || (p->l3 != NB_L3_IPV4 && p->l3 != NB_L3_IPV6))
		return NB_PASS;
	key.prefixlen = NB_DENY_KEY_FIXED_BITS + 128;
	__builtin_memcpy(key.addr, p->saddr, sizeof(key.addr));
	for (i = 0; i < 4; i++) {
		key.proto = (i & 2) ? 0 : p->ip_proto;
		key.port = (i & 1) ? 0 : bpf_htons(p->dport);
		val = bpf_map_lookup_elem(&netbpf_deny, &key);
		if (val) {
			__sync_fetch_and_add(&val->packets, 1);
			__sync_fetch_and_add(&val->bytes, p->len);
			return NB_DROP;
		}
	}
	return NB_PASS;
}

#endif /* NETBPF_RULES_BPF_H */
