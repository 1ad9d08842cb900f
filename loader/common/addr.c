#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "common/addr.h"

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

int addr_parse_cidr(const char *s, uint8_t addr[16], int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len, max;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (inet_pton(AF_INET, buf, addr + 12) == 1) {
		memcpy(addr, v4mapped, sizeof(v4mapped));
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		max = 128;
	} else {
		return -EINVAL;
	}
	len = max;
	if (slash) {
		errno = 0;
		len = strtol(slash, &end, 10);
		if (errno || *end || end == slash || len < 0 || len > max)
			return -EINVAL;
	}
	*plen = 128 - max + len;
	return 0;
}

static bool is_v4mapped(const uint8_t addr[16])
{
	return !memcmp(addr, v4mapped, sizeof(v4mapped));
}

const char *addr_format(const uint8_t addr[16], char *buf, size_t len)
{
	if (is_v4mapped(addr))
		return inet_ntop(AF_INET, addr + 12, buf, len);
	return inet_ntop(AF_INET6, addr, buf, len);
}

void addr_format_cidr(const uint8_t addr[16], int plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	/* A prefix shorter than the v4-mapped part is an IPv6 one, whatever its bits. */
	if (plen < 96)
		inet_ntop(AF_INET6, addr, a, sizeof(a));
	else
		addr_format(addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, plen >= 96 && is_v4mapped(addr) ? plen - 96 : plen);
}
