/* Counters and deny rules of the XDP/tc datapath, shared by BPF and the loader. */
#ifndef NETBPF_DATAPATH_MAPS_H
#define NETBPF_DATAPATH_MAPS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Where a packet was counted. */
enum nb_hook {
	NB_HOOK_XDP,
	NB_HOOK_TC_INGRESS,
	NB_HOOK_TC_EGRESS,
	NB_HOOK_MAX,
};

/* Network layer as parsed (after any VLAN tags). */
enum nb_l3 {
	NB_L3_NONIP,     /* ARP, LLDP, ... */
	NB_L3_IPV4,
	NB_L3_IPV6,
	NB_L3_MALFORMED, /* truncated or inconsistent L2/L3 header, or a datagram
			  * longer than the frame (its length field) */
	NB_L3_MAX,
};

/* Transport layer; only for NB_L3_IPV4/IPV6 packets. */
enum nb_l4 {
	NB_L4_TCP,
	NB_L4_UDP,
	NB_L4_ICMP,
	NB_L4_ICMPV6,
	NB_L4_OTHER,     /* a protocol netbpf does not parse (GRE, SCTP, ICMPv6
			  * over IPv4, ICMP over IPv6, ...) */
	NB_L4_FRAGMENT,  /* non-first fragment: no L4 header to read */
	NB_L4_MALFORMED, /* transport header not readable: truncated (also by the
			  * datagram's length), or behind a truncated IPv6 extension
			  * chain or one of more than 8 headers */
	NB_L4_MAX,
};

enum nb_verdict {
	NB_PASS, /* XDP_PASS or TC_ACT_OK */
	NB_DROP, /* XDP_DROP or TC_ACT_SHOT */
	NB_VERDICT_MAX,
};

struct nb_counter {
	__u64 packets;
	__u64 bytes;
};

/* Value of the per-CPU stats array; one entry per enum nb_hook. */
struct nb_hook_stats {
	struct nb_counter l3[NB_L3_MAX];
	struct nb_counter l4[NB_L4_MAX];
	struct nb_counter verdict[NB_VERDICT_MAX];
};

/*
 * Deny rule key for the LPM trie, matched against the packet's source address
 * and destination port. The family is part of the key, so 0.0.0.0/0 is every
 * IPv4 source and ::/0 every IPv6 source; an IPv4 address sits in addr[0..3].
 * proto/port 0 mean "any": the datapath looks up the four combinations, so
 * prefixlen always covers family, proto and port (32 bits) plus the prefix of
 * the address, whose host bits are zero.
 *
 * A rule with a proto or port also implies a marker entry: the same family and
 * prefix with NB_DENY_HIDDEN set in family, the rule's proto and port 0. User
 * space keeps it while such a rule exists; the datapath looks it up only for a
 * packet whose port it cannot read (a fragment, a truncated transport header, an
 * IPv6 header chain it cannot follow) and drops the packet when it exists.
 */
struct nb_deny_key {
	__u32 prefixlen;
	__u8 family;  /* NB_DENY_IPV4 or NB_DENY_IPV6, | NB_DENY_HIDDEN for a marker */
	__u8 proto;   /* IPPROTO_TCP, IPPROTO_UDP or 0 */
	__be16 port;  /* destination port or 0 */
	__u8 addr[16];
	/*
	 * Beyond any prefix, so never compared. The trie stores the value right after
	 * the key's data: with 4 or 12 bytes here the value's __u64 counters are 8-byte
	 * aligned; without, their atomic adds split-lock (~1.4 us instead of ~0.17 us
	 * per denied packet, measured by `netbpf bench datapath`). 12, not 4: the key
	 * before the family was 28 bytes, so a trie pinned by an older netbpf differs
	 * in key size and pin_open_map refuses it instead of misreading its rules.
	 */
	__u8 pad2[12];
};

#define NB_DENY_IPV4   4
#define NB_DENY_IPV6   6
#define NB_DENY_HIDDEN 0x80

#define NB_DENY_KEY_FIXED_BITS 32

struct nb_deny_val {
	__u64 packets; /* dropped by this rule */
	__u64 bytes;
};

/* Trie entries: room for 1024 rules with a proto or port, each with a marker of its own. */
#define NB_DENY_MAX_RULES 2048

/*
 * The kinds of rule, by which of proto and port they give: the index of the
 * pinned array netbpf_deny_kinds, whose value is non-zero while a rule of that
 * kind may exist. The datapath skips the trie lookups of a kind with no rules,
 * so with no rule at all a packet costs no lookup. Never fail open: user space
 * sets a kind before it inserts a rule of it (and again after, see rules.c) and
 * clears it only once no rule of it is left.
 */
enum nb_deny_kind {
	NB_DENY_PROTO_PORT, /* proto and port given */
	NB_DENY_PROTO,      /* proto, any port */
	NB_DENY_PORT,       /* port, any proto */
	NB_DENY_ADDR,       /* address only */
	NB_DENY_KINDS,
};

/* The lookup order of match_rules: bit 1 = any proto, bit 0 = any port. */
#define NB_DENY_KIND_OF(proto, port) (((proto) ? 0 : 2) | ((port) ? 0 : 1))

#endif /* NETBPF_DATAPATH_MAPS_H */
