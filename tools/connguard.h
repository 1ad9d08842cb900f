/* connguard: a connect() policy (deny or audit by address prefix and port) and one
 * event per decision. */
#ifndef TOOLS_CONNGUARD_H
#define TOOLS_CONNGUARD_H

enum guard_rule { RULE_DENY = 1, RULE_AUDIT = 2 };
enum guard_verdict {
	VERDICT_DENY = 1,       /* connect() failed with EPERM */
	VERDICT_AUDIT = 2,      /* allowed, reported */
	VERDICT_WOULD_DENY = 3, /* a deny rule matched, but a report-only hook cannot block */
};

/* LPM trie key: the port (0: any) then the address in addr.h's 16-byte form, so
 * prefixlen = 16 + the address prefix over 128 bits. */
struct guard_key {
	__u32 prefixlen;
	__be16 port;
	__u8 addr[16];
};

struct guard_event {
	__u64 cgroup_id;
	__u8 addr[16];  /* destination, 16-byte form */
	__u32 pid;
	__u16 port;     /* destination, host order */
	__u8 verdict;   /* enum guard_verdict */
	__u8 comm[16];
};

#endif /* TOOLS_CONNGUARD_H */
