/* Deny rules: an LPM trie on (family, proto, destination port, source address). */
#ifndef NETBPF_RULES_BPF_H
#define NETBPF_RULES_BPF_H

#include "lib/ctx.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, NB_DENY_MAX_RULES);
	__type(key, struct nb_deny_key);
	__type(value, struct nb_deny_val);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} netbpf_deny SEC(".maps");

/* enum nb_deny_kind -> non-zero while rules of that kind may exist (datapath.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, NB_DENY_KINDS);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} netbpf_deny_kinds SEC(".maps");

/*
 * Bit kind set when the kind has rules. Array lookups the verifier inlines (no
 * helper call), unlike the trie's: four of them cost less than one trie lookup.
 * Constant keys, one call per kind: a loop keeps its counter on the stack (the
 * key's address is taken) and the verifier walks it without a bound.
 */
static __always_inline __u32 kind_bit(__u32 kind)
{
	__u32 *v = bpf_map_lookup_elem(&netbpf_deny_kinds, &kind);

	return v && *v ? 1u << kind : 0;
}

static __always_inline __u32 kinds_used(void)
{
#ifdef NB_DENY_LOOKUP_ALL_KINDS /* bpf/bench/bench_allkinds.bpf.c */
	return (1u << NB_DENY_KINDS) - 1;
#endif /* NB_DENY_LOOKUP_ALL_KINDS */
	return kind_bit(NB_DENY_PROTO_PORT) | kind_bit(NB_DENY_PROTO) | kind_bit(NB_DENY_PORT) |
	       kind_bit(NB_DENY_ADDR);
}

/* Looks up (proto, port) for the source in key; counts and returns true on a match. */
static __always_inline bool rule_hit(struct nb_deny_key *key, __u8 proto, __u16 port,
				     const struct pkt *p)
{
	struct nb_deny_val *val;

	key->proto = proto;
	key->port = bpf_htons(port);
	val = bpf_map_lookup_elem(&netbpf_deny, key);
	if (!val)
		return false;
	__sync_fetch_and_add(&val->packets, 1);
	__sync_fetch_and_add(&val->bytes, p->len);
	return true;
}

/*
 * Fails closed. Whenever the source address was read the address rules apply,
 * however malformed the rest. A port rule applies when the port was read; when
 * it was not (a later fragment, a transport header cut short, an IPv6 header
 * chain not followed) the packet is dropped if its source has a rule with a
 * port or proto that could have matched: the marker entries (NB_DENY_HIDDEN)
 * say which sources have one.
 *
 * A global __noinline stage, like the parsers (lib/stages.bpf.h): trace attaches
 * to it. Returns NB_DROP when a rule matches, NB_PASS otherwise. Rules may leave
 * proto and port as "any" (0), so up to four combinations are looked up, most
 * specific first; within each the trie picks the longest address prefix. Only
 * the kinds that have rules are looked up (netbpf_deny_kinds), and a combination
 * whose key equals a later one's (no port or proto read) only once.
 */
__noinline int match_rules(struct pkt *p)
{
	struct nb_deny_key key = {};
	__u32 used, i;
	__u8 proto;
	__u16 port;

	if (!p || !(p->flags & NB_PKT_SADDR))
		return NB_PASS;
	used = kinds_used();
	if (!used)
		return NB_PASS;
	if (p->eth_proto == ETH_P_IP) {
		key.family = NB_DENY_IPV4;
		key.prefixlen = NB_DENY_KEY_FIXED_BITS + 32;
		__builtin_memcpy(key.addr, p->saddr + 12, 4);
	} else {
		key.family = NB_DENY_IPV6;
		key.prefixlen = NB_DENY_KEY_FIXED_BITS + 128;
		__builtin_memcpy(key.addr, p->saddr, 16);
	}
	proto = p->flags & NB_PKT_PROTO ? p->ip_proto : 0;
	port = p->flags & NB_PKT_PORTS ? p->dport : 0;
	for (i = 0; i < NB_DENY_KINDS; i++) {
		/* i is NB_DENY_KIND_OF(proto given, port given) */
		if (!(used & (1u << i)) || (!(i & 1) && !port) || (!(i & 2) && !proto))
			continue;
		if (rule_hit(&key, (i & 2) ? 0 : proto, (i & 1) ? 0 : port, p))
			return NB_DROP;
	}

	/* Hidden: no transport protocol, or TCP/UDP without ports. */
	if ((p->flags & NB_PKT_PORTS) ||
	    ((p->flags & NB_PKT_PROTO) && proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return NB_PASS;
	key.family |= NB_DENY_HIDDEN;
	/* Markers: (proto, any port) of the proto kinds, (any, any) of the port kind. */
	if ((used & (1u << NB_DENY_PORT)) && rule_hit(&key, 0, 0, p))
		return NB_DROP;
	if (!(used & (1u << NB_DENY_PROTO_PORT | 1u << NB_DENY_PROTO)))
		return NB_PASS;
	if (proto)
		return rule_hit(&key, proto, 0, p) ? NB_DROP : NB_PASS;
	/* Rules name tcp, udp or no protocol. */
	return rule_hit(&key, IPPROTO_TCP, 0, p) || rule_hit(&key, IPPROTO_UDP, 0, p) ? NB_DROP
										: NB_PASS;
}

#endif /* NETBPF_RULES_BPF_H */
