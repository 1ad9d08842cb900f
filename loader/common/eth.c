#include <linux/if_ether.h>

#include "common/eth.h"

int eth_walk(const uint8_t *p, size_t n, size_t *l3_off)
{
	size_t off = ETH_HLEN;
	int proto;

	if (n < ETH_HLEN)
		return -1;
	proto = eth_get16(p + 12);
	for (int i = 0; i < ETH_MAX_VLANS && (proto == ETH_P_8021Q || proto == ETH_P_8021AD); i++) {
		if (n < off + 4)
			return -1;
		proto = eth_get16(p + off + 2);
		off += 4;
	}
	*l3_off = off;
	return proto;
}
