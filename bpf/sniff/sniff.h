/* HTTP sniffing: the wire filter and the socket-side capture, shared with the loader. */
#ifndef NETBPF_SNIFF_H
#define NETBPF_SNIFF_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define SNIFF_MAX_PORTS 16    /* --port values */
#define SNIFF_MAX_FLOWS 16384 /* wire: directions of connections known to be HTTP */
#define SNIFF_MAX_FDS   65536 /* socket: (process, fd) pairs classified */

/* Wire: one direction of a TCP connection; IPv4 addresses v4-mapped (::ffff:a.b.c.d). */
struct sniff_flow_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
};

/* Per-CPU counters of both programs, index enum sniff_stat. */
enum sniff_stat {
	SNIFF_STAT_WIRE_SEEN,   /* packets the socket filter looked at */
	SNIFF_STAT_WIRE_PASSED, /* of them, handed to user space */
	SNIFF_STAT_SOCK_EVENTS, /* socket events written to the ring buffer */
	SNIFF_STAT_SOCK_LOST,   /* socket events lost: ring buffer full */
	/* LRU evictions lose data silently unless counted: */
	SNIFF_STAT_FLOW_ADDED,   /* sniff_flows entries created... */
	SNIFF_STAT_FLOW_DELETED, /* ...and deleted (FIN, RST): the rest still there or evicted */
	SNIFF_STAT_SOCK_EVICTED, /* reads/writes whose sniff_inflight entry was evicted */
	SNIFF_STAT_MAX,
};

/* Socket source: (process, fd) pairs classified, with the socket they resolved to. */
struct sniff_fd_key {
	__u32 pid;
	__u32 fd;
};

struct sniff_fd_val {
	__u64 file;     /* struct file the fd pointed at when classified */
	__u64 ino;      /* socket's inode number: unlike addresses, never soon reused */
	__u8 wanted;    /* connected TCP socket of the right namespace, interface, port;
			 * user space clears it for connections the wire reports */
	__u8 http;      /* seen starting an HTTP message: later data follows it */
	__be16 lport;
	__be16 rport;
	__u8 pad[2];
	__u8 laddr[16];
	__u8 raddr[16];
	/* Reads/writes (index enum sniff_sock_kind) in flight: one more than expected at an
	 * exit means an entry of sniff_inflight was evicted, and its data lost. */
	__s32 busy[2];
};

/* Socket source: one syscall's buffer is cut into events of at most this many bytes... */
#define SNIFF_SOCK_CAP    16384
/* ...and at most this many events; beyond, one event with cap 0 reports the gap. */
#define SNIFF_SOCK_CHUNKS 4

enum sniff_sock_kind {
	SNIFF_SOCK_OUT,   /* the process sent data[] (write, sendto) */
	SNIFF_SOCK_IN,    /* the process received data[] (read, recvfrom) */
	SNIFF_SOCK_EOF,   /* a read returned 0: the peer closed its side */
	SNIFF_SOCK_CLOSE, /* the process closed the socket */
};

/* Ring buffer record: this header, then cap bytes of data. An OUT or IN record with
 * len 0 stands for data lost in between, of unknown size (an evicted sniff_inflight
 * entry). */
struct sniff_sock_event {
	__u64 ts_ns;      /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 ino;        /* socket inode ("socket:[ino]"): tells sockets apart */
	__u32 pid;        /* thread group id */
	__u32 fd;
	__u32 len;        /* bytes this event stands for */
	__u32 cap;        /* of them, bytes in data[] */
	__u8 kind;        /* enum sniff_sock_kind */
	__u8 pad[3];
	__be16 lport;
	__be16 rport;
	__u8 laddr[16];   /* v4-mapped for IPv4 */
	__u8 raddr[16];
	char comm[16];
};

#endif /* NETBPF_SNIFF_H */
