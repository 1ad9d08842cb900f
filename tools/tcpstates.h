/* tcpstates: one event per TCP state change. */
#ifndef TOOLS_TCPSTATES_H
#define TOOLS_TCPSTATES_H

struct state_event {
	__u8 saddr[16]; /* 4 bytes used for AF_INET */
	__u8 daddr[16];
	__u64 skaddr;   /* identifies the socket across its changes */
	__u64 prev_ns;  /* time spent in oldstate; 0 if the socket was not seen entering it */
	__u32 pid;      /* task running when it changed (often softirq: any task) */
	__u16 family;
	__u16 sport;    /* host byte order */
	__u16 dport;
	__u8 oldstate;
	__u8 newstate;
	__u8 comm[16];
};

#endif /* TOOLS_TCPSTATES_H */
