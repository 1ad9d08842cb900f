/* The addresses of the sniffer's network namespace (see local.h). */
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "common/addr.h"
#include "sniff/local.h"

int local_addrs_load(struct local_addrs *l)
{
	struct ifaddrs *ifa, *i;

	l->n = 0;
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && l->n < LOCAL_ADDRS_MAX; i = i->ifa_next) {
		uint8_t *a = l->addr[l->n];

		if (!i->ifa_addr)
			continue;
		if (i->ifa_addr->sa_family == AF_INET)
			addr_map_v4(a, &((struct sockaddr_in *)i->ifa_addr)->sin_addr);
		else if (i->ifa_addr->sa_family == AF_INET6)
			memcpy(a, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		else
			continue;
		l->n++;
	}
	freeifaddrs(ifa);
	return 0;
}

int local_addr_has(const struct local_addrs *l, const uint8_t addr[16])
{
	if (addr_is_v4mapped(addr) && addr[12] == 127)
		return 1;
	if (!memcmp(addr, &in6addr_loopback, 16))
		return 1;
	for (unsigned int i = 0; i < l->n; i++)
		if (!memcmp(l->addr[i], addr, 16))
			return 1;
	return 0;
}
