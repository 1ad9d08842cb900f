#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "common/pkt.h"

static void set16(uint8_t *at, uint16_t v)
{
	at[0] = v >> 8, at[1] = v & 0xff;
}

static uint32_t csum_add(uint32_t sum, const uint8_t *d, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += d[i] << 8 | d[i + 1];
	if (len & 1)
		sum += d[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint16_t ip4_csum(const uint8_t *h, size_t len)
{
	return csum_fold(csum_add(0, h, len));
}

/* The lengths and the IPv4 checksum for what the packet holds now. */
static void fix_lengths(struct pkt *p)
{
	uint8_t *ip = p->b + p->l3_off;

	if (p->l3 == 4) {
		size_t hlen = (ip[0] & 0xf) * 4;

		set16(ip + 2, p->len - p->l3_off);
		set16(ip + 10, 0);
		set16(ip + 10, ip4_csum(ip, hlen));
	} else if (p->l3 == 6) {
		set16(ip + 4, p->len - p->l3_off - 40);
	}
	if (p->l4 == IPPROTO_UDP && p->len >= p->l4_off + 8)
		set16(p->b + p->l4_off + 4, p->len - p->l4_off);
}

static void put(struct pkt *p, const void *d, size_t n)
{
	if (p->len + n > sizeof(p->b))
		n = sizeof(p->b) - p->len;
	memcpy(p->b + p->len, d, n);
	p->len += n;
	if (p->l3)
		fix_lengths(p);
}

static void put16(struct pkt *p, uint16_t v)
{
	uint16_t x = htons(v);

	put(p, &x, 2);
}

void pkt_zeros(struct pkt *p, size_t n)
{
	static const uint8_t zero[PKT_MAX];

	put(p, zero, n);
}

void pkt_eth(struct pkt *p, uint16_t proto)
{
	static const uint8_t macs[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

	memset(p, 0, sizeof(*p));
	put(p, macs, sizeof(macs));
	put16(p, proto);
}

void pkt_vlan(struct pkt *p, uint16_t vid, uint16_t next)
{
	put16(p, vid);
	put16(p, next);
}

void pkt_ip4(struct pkt *p, uint8_t proto, const char *src, const char *dst, int opt_words,
	     uint16_t frag_off)
{
	uint8_t h[60] = {};

	h[0] = 0x40 | (5 + opt_words);
	set16(h + 6, frag_off);
	h[8] = 64, h[9] = proto;
	inet_pton(AF_INET, src, h + 12);
	inet_pton(AF_INET, dst ? dst : "192.0.2.2", h + 16);
	memset(h + 20, 1, opt_words * 4); /* NOP options */
	p->l3_off = p->len;
	p->l3 = 4;
	put(p, h, 20 + opt_words * 4);
}

void pkt_ip6(struct pkt *p, uint8_t next, const char *src, const char *dst)
{
	uint8_t h[40] = { 0x60 };

	h[6] = next, h[7] = 64;
	inet_pton(AF_INET6, src, h + 8);
	inet_pton(AF_INET6, dst ? dst : "2001:db8::2", h + 24);
	p->l3_off = p->len;
	p->l3 = 6;
	put(p, h, sizeof(h));
}

void pkt_ip6_ext(struct pkt *p, uint8_t next)
{
	pkt_ip6_opts(p, next, 8);
}

/*
 * PadN up to 7 bytes, option 0x1e beyond (RFC 3692's experiment, "skip if unknown"):
 * the kernel drops a header padded with more than 7 bytes in a row.
 */
void pkt_ip6_opts(struct pkt *p, uint8_t next, size_t len)
{
	size_t left = len - 2;

	put(p, (uint8_t[]){ next, len / 8 - 1 }, 2);
	while (left) {
		size_t n = left > 257 ? 257 : left;

		if (left - n == 1) /* leave no single byte: an option is 2 bytes at least */
			n--;
		put(p, (uint8_t[]){ n <= 7 ? 1 /* PadN */ : 0x1e, n - 2 }, 2);
		pkt_zeros(p, n - 2);
		left -= n;
	}
}

void pkt_ip6_frag(struct pkt *p, uint8_t next, uint16_t off8)
{
	uint8_t h[8] = { next };

	set16(h + 2, off8 << 3);
	put(p, h, sizeof(h));
}

void pkt_tcp(struct pkt *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	uint8_t h[20] = {};

	set16(h, sport);
	set16(h + 2, dport);
	h[12] = 5 << 4, h[13] = flags;
	p->l4_off = p->len;
	p->l4 = IPPROTO_TCP;
	put(p, h, sizeof(h));
}

void pkt_udp(struct pkt *p, uint16_t sport, uint16_t dport)
{
	uint8_t h[8] = {};

	set16(h, sport);
	set16(h + 2, dport);
	p->l4_off = p->len;
	p->l4 = IPPROTO_UDP;
	put(p, h, sizeof(h));
}

void pkt_icmp(struct pkt *p)
{
	const uint8_t h[8] = { 8 }; /* echo request (ICMPv6's is 128: the parsers read neither) */

	p->l4_off = p->len;
	p->l4 = 0;
	put(p, h, sizeof(h));
}

void pkt_l4_csum(struct pkt *p)
{
	uint8_t *ip = p->b + p->l3_off, *l4 = p->b + p->l4_off;
	size_t len = p->len - p->l4_off, at = p->l4 == IPPROTO_TCP ? 16 : 6;
	uint32_t sum;

	if (p->l4 != IPPROTO_TCP && p->l4 != IPPROTO_UDP)
		return;
	set16(l4 + at, 0);
	sum = p->l3 == 4 ? csum_add(0, ip + 12, 8) : csum_add(0, ip + 8, 32);
	sum = csum_add(sum + p->l4 + len, l4, len);
	set16(l4 + at, csum_fold(sum));
}

void pkt_ip4_split(const struct pkt *full, size_t first, struct pkt *a, struct pkt *b)
{
	size_t hend = full->l3_off + (full->b[full->l3_off] & 0xf) * 4;

	*a = *full;
	a->len = hend + first;
	a->l4 = 0; /* no UDP length to follow: it is the whole datagram's */
	set16(a->b + a->l3_off + 6, 0x2000); /* MF */
	fix_lengths(a);
	*b = *full;
	memmove(b->b + hend, full->b + hend + first, full->len - hend - first);
	b->len = full->len - first;
	b->l4 = 0;
	set16(b->b + b->l3_off + 6, first / 8);
	fix_lengths(b);
}

void pkt_cut(struct pkt *p, size_t len)
{
	p->len = len;
	if (p->l3 && len >= p->l3_off + (p->l3 == 4 ? 20 : 40))
		fix_lengths(p);
}
