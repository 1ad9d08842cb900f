/* tcpconnect: one event per new TCP connection, outgoing or accepted. */
#ifndef TOOLS_TCPCONNECT_H
#define TOOLS_TCPCONNECT_H

enum conn_dir { CONN_CONNECT, CONN_ACCEPT };

struct conn_event {
	__u8 saddr[16]; /* 4 bytes used for AF_INET */
	__u8 daddr[16];
	__u64 lat_ns;   /* SYN sent to established (--latency), else 0 */
	__u32 pid;
	__u16 family;
	__u16 sport;    /* host byte order */
	__u16 dport;
	__u8 dir;       /* enum conn_dir */
	__u8 comm[16];
};

#endif /* TOOLS_TCPCONNECT_H */
