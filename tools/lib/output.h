/* What every tool prints: the ready line on stderr, events as text or JSON lines. */
#ifndef TOOLS_OUTPUT_H
#define TOOLS_OUTPUT_H

#include <stddef.h>
#include <linux/types.h>

#include "common/json.h"

extern struct json jout; /* stdout, one object per line */

/* "<tool>: tracing via <how> (<event buffer>); Ctrl-C to stop" once attached: tests
 * wait for it. Tools without events (histograms only) leave the buffer out. */
void out_ready(const char *how);
/* Text form of a 4- or 16-byte address by family (AF_INET, AF_INET6). */
const char *out_addr(int family, const void *addr, char *buf, size_t len);
/* The same for the 16-byte form of addr.h (IPv4 v4-mapped), without a prefix length. */
const char *out_addr16(const __u8 *addr, char *buf, size_t len);
/* A JSON event line: {"time":..,"pid":..,"comm":.. then the tool's fields, then end. */
void out_json_begin(__u32 pid, const __u8 *comm);
void out_json_end(void);
/* "ip":4|6,"saddr","sport","daddr","dport" of a connection (addresses from out_addr). */
void out_json_ends(int family, const char *saddr, __u16 sport, const char *daddr, __u16 dport);
/* Seconds since the tool started, for the TIME column. */
double out_elapsed(void);

#endif /* TOOLS_OUTPUT_H */
