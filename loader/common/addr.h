/* Address prefixes: per family, or in 16 bytes with IPv4 v4-mapped (::ffff:a.b.c.d). */
#ifndef NETBPF_ADDR_H
#define NETBPF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * "ADDR[/PLEN]", IPv4 or IPv6: *family AF_INET or AF_INET6, addr its 4 or 16
 * bytes (network order, the rest zeroed) with the host bits cleared, *plen the
 * prefix length within the family. -EINVAL when malformed.
 */
int addr_parse_prefix(const char *s, int *family, uint8_t addr[16], int *plen);
/* The same in 16 bytes, IPv4 v4-mapped, *plen over all 128 bits (an IPv4 /24 gives 120). */
int addr_parse_cidr(const char *s, uint8_t addr[16], int *plen);
/* addr = ::ffff:v4 (v4: 4 bytes, network order; may overlap addr). */
void addr_map_v4(uint8_t addr[16], const void *v4);
bool addr_is_v4mapped(const uint8_t addr[16]);
/* "a.b.c.d" for a v4-mapped address, "x::y" otherwise; returns buf. */
const char *addr_format(const uint8_t addr[16], char *buf, size_t len);
/* The reverse of each parser: "a.b.c.d/n" (addr: 4 bytes) or "x::y/n" (16) ... */
void addr_format_prefix(int family, const uint8_t *addr, int plen, char *buf, size_t len);
/* ... and "a.b.c.d/n" for a v4-mapped prefix, "x::y/n" otherwise. */
void addr_format_cidr(const uint8_t addr[16], int plen, char *buf, size_t len);

#endif /* NETBPF_ADDR_H */
