/*
 * The addresses of the sniffer's network namespace: a connection end elsewhere has
 * no process the socket source could report, so nothing waits for one.
 */
#ifndef NETBPF_SNIFF_LOCAL_H
#define NETBPF_SNIFF_LOCAL_H

#include <stdint.h>

#define LOCAL_ADDRS_MAX 256

struct local_addrs {
	unsigned int n;
	uint8_t addr[LOCAL_ADDRS_MAX][16]; /* IPv4 v4-mapped */
};

/* Reads the namespace's interface addresses (getifaddrs); 0 or -errno. */
int local_addrs_load(struct local_addrs *l);
/* Loopback (127.0.0.0/8, ::1) or one of the loaded addresses. An address added
 * after the load counts as remote: its exchanges do not wait for a process. */
int local_addr_has(const struct local_addrs *l, const uint8_t addr[16]);

#endif /* NETBPF_SNIFF_LOCAL_H */
