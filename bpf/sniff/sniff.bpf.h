/*
 * What the two programs of `netbpf sniff` share: the --port filter, the
 * per-CPU counters and HTTP/1.x recognition. Each object that includes this
 * gets its own copy of the settings and the map.
 */
#ifndef NETBPF_LIB_SNIFF_BPF_H
#define NETBPF_LIB_SNIFF_BPF_H

#include "sniff/sniff.h"

const volatile __u32 targ_nports = 0;                  /* 0: any port */
const volatile __u16 targ_ports[SNIFF_MAX_PORTS] = {}; /* host byte order */

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SNIFF_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} sniff_stats SEC(".maps");

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&sniff_stats, &idx);

	if (v)
		(*v)++;
}

/* Either port (host byte order) is one of --port's, or there is no --port. */
static __always_inline bool port_wanted(__u16 a, __u16 b)
{
	if (!targ_nports)
		return true;
	for (int i = 0; i < SNIFF_MAX_PORTS; i++) {
		if (i >= targ_nports)
			break;
		if (targ_ports[i] == a || targ_ports[i] == b)
			return true;
	}
	return false;
}

#define HTTP_START_LEN 8 /* bytes http_start() looks at */

/* Do p[0..8) start a request line of a standard method, or a status line? */
static __always_inline bool http_start(const char *p)
{
	switch (p[0]) {
	case 'G': return p[1] == 'E' && p[2] == 'T' && p[3] == ' ';
	case 'P': return (p[1] == 'O' && p[2] == 'S' && p[3] == 'T' && p[4] == ' ') ||
			 (p[1] == 'U' && p[2] == 'T' && p[3] == ' ') ||
			 (p[1] == 'A' && p[2] == 'T' && p[3] == 'C' && p[4] == 'H' && p[5] == ' ');
	case 'H': return (p[1] == 'E' && p[2] == 'A' && p[3] == 'D' && p[4] == ' ') ||
			 (p[1] == 'T' && p[2] == 'T' && p[3] == 'P' && p[4] == '/' && p[5] == '1' &&
			  p[6] == '.');
	case 'D': return p[1] == 'E' && p[2] == 'L' && p[3] == 'E' && p[4] == 'T' && p[5] == 'E' &&
			 p[6] == ' ';
	case 'O': return p[1] == 'P' && p[2] == 'T' && p[3] == 'I' && p[4] == 'O' && p[5] == 'N' &&
			 p[6] == 'S' && p[7] == ' ';
	case 'C': return p[1] == 'O' && p[2] == 'N' && p[3] == 'N' && p[4] == 'E' && p[5] == 'C' &&
			 p[6] == 'T' && p[7] == ' ';
	case 'T': return p[1] == 'R' && p[2] == 'A' && p[3] == 'C' && p[4] == 'E' && p[5] == ' ';
	}
	return false;
}

#endif /* NETBPF_LIB_SNIFF_BPF_H */
