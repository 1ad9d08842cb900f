/* Address prefixes as netbpf stores them: 16 bytes, IPv4 v4-mapped (::ffff:a.b.c.d). */
#ifndef NETBPF_ADDR_H
#define NETBPF_ADDR_H

#include <stddef.h>
#include <stdint.h>

/*
 * "ADDR[/PLEN]", IPv4 or IPv6, into addr (network order) and *plen, the prefix
 * length over all 128 bits (an IPv4 /24 gives 120). -EINVAL when malformed.
 */
int addr_parse_cidr(const char *s, uint8_t addr[16], int *plen);
/* "a.b.c.d" for a v4-mapped address, "x::y" otherwise; returns buf. */
const char *addr_format(const uint8_t addr[16], char *buf, size_t len);
/* The reverse of addr_parse_cidr: "a.b.c.d/n" for a v4-mapped prefix, "x::y/n" otherwise. */
void addr_format_cidr(const uint8_t addr[16], int plen, char *buf, size_t len);

#endif /* NETBPF_ADDR_H */
