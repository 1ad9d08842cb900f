/* Ethernet frames as user space reads them (the sniffer's packet socket): one walk
 * of the Ethernet header and its VLAN tags, the same as the datapath's (bpf/lib/eth.bpf.h). */
#ifndef NETBPF_COMMON_ETH_H
#define NETBPF_COMMON_ETH_H

#include <stddef.h>
#include <stdint.h>

/* 802.1ad outer + 802.1Q inner, as NB_MAX_VLANS of bpf/lib/consts.bpf.h. */
#define ETH_MAX_VLANS 2

/* The big-endian 16 bits at p. */
static inline uint16_t eth_get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

/*
 * The EtherType behind the Ethernet header and up to ETH_MAX_VLANS tags of the n
 * bytes at p, the offset of what follows it into *l3_off; -1 when the frame ends
 * inside them. Behind more tags the EtherType returned is still a tag's.
 */
int eth_walk(const uint8_t *p, size_t n, size_t *l3_off);

#endif /* NETBPF_COMMON_ETH_H */
