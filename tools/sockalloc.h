/* sockalloc: one event per socket file allocated (socket, socketpair, accept). */
#ifndef TOOLS_SOCKALLOC_H
#define TOOLS_SOCKALLOC_H

struct sock_event {
	__u32 pid;
	__u16 family;   /* AF_* */
	__u16 type;     /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 protocol; /* IPPROTO_*; 0 while accept() has not attached the sock yet */
	__u8 comm[16];
};

#endif /* TOOLS_SOCKALLOC_H */
