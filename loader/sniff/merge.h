/*
 * What `netbpf sniff` makes of its two sources: one parser per TCP connection fed
 * by the source that first carried its payload, so each exchange is reported once,
 * with the processes at its ends even when their socket events come later.
 */
#ifndef NETBPF_SNIFF_MERGE_H
#define NETBPF_SNIFF_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "sniff/conn.h"
#include "sniff/local.h"
#include "sniff/out.h"
#include "sniff/src.h"

struct pending;

struct sniff_merge {
	struct sniff_out out;
	struct conn_table conns;
	struct http_limits lim;
	struct http_budget budget; /* every parser's memory, and exchanges waiting to print */
	int64_t mono_to_real;     /* add to bpf_ktime_get_ns() for wall-clock time */
	struct sniff_src src;
	struct pending *pend_head, **pend_tail;
	size_t npend;
	struct local_addrs local; /* ends elsewhere: no process to wait for */
};

/* Before the sources are opened; output as sniff_out_init() takes it. */
int sniff_merge_init(struct sniff_merge *s, const struct http_limits *lim, size_t max_memory,
		     int json, uint64_t count, const char *pcap_path, int force);
/* The socket source's ring buffer callback (ctx: the struct sniff_merge). */
int sniff_merge_sock_event(void *ctx, void *data, size_t size);
/* Reads up to max_packets queued packets and every queued socket event, then prints;
 * returns how many packets and events were read. */
int sniff_merge_drain(struct sniff_merge *s, int max_packets);
/* Ends connections idle too long; now is wall-clock time. */
void sniff_merge_expire(struct sniff_merge *s, uint64_t now);
/* Ends every connection: what their parsers still hold is reported as incomplete. */
void sniff_merge_end_all(struct sniff_merge *s, uint64_t now);
void sniff_merge_close(struct sniff_merge *s);

#endif /* NETBPF_SNIFF_MERGE_H */
