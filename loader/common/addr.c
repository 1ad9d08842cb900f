#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "common/addr.h"

static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

int addr_parse_prefix(const char *s, int *family, uint8_t addr[16], int *plen)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len, max;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
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
	/* Host bits cleared: 10.1.2.3/8 is 10.0.0.0/8. */
	for (long bit = len; bit < max; bit++)
		addr[bit / 8] &= ~(0x80 >> (bit % 8));
	*plen = len;
	return 0;
}

int addr_parse_cidr(const char *s, uint8_t addr[16], int *plen)
{
	int family, err = addr_parse_prefix(s, &family, addr, plen);

	if (err || family == AF_INET6)
		return err;
	addr_map_v4(addr, addr);
	*plen += 96;
	return 0;
}

void addr_map_v4(uint8_t addr[16], const void *v4)
{
	memmove(addr + 12, v4, 4);
	memcpy(addr, v4mapped, sizeof(v4mapped));
}

bool addr_is_v4mapped(const uint8_t addr[16])
{
	return !memcmp(addr, v4mapped, sizeof(v4mapped));
}

const char *addr_format(const uint8_t addr[16], char *buf, size_t len)
{
	if (addr_is_v4mapped(addr))
		return inet_ntop(AF_INET, addr + 12, buf, len);
	return inet_ntop(AF_INET6, addr, buf, len);
}

void addr_format_prefix(int family, const uint8_t *addr, int plen, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, plen);
}

void addr_format_cidr(const uint8_t addr[16], int plen, char *buf, size_t len)
{
	/* A prefix shorter than the v4-mapped part is an IPv6 one, whatever its bits. */
	if (plen >= 96 && addr_is_v4mapped(addr))
		addr_format_prefix(AF_INET, addr + 12, plen - 96, buf, len);
	else
		addr_format_prefix(AF_INET6, addr, plen, buf, len);
}
