/* Cases: deny rules fail closed on packets that hide or fake their headers. */
#include <stdint.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "parser_test.h"

/* The IP length field as given, not as the builder keeps it. */
static void ip_len(struct pkt *p, unsigned v)
{
	uint8_t *f = p->b + p->l3_off + (p->l3 == 4 ? 2 : 4);

	f[0] = v >> 8, f[1] = v & 0xff;
}

static void ext6_chain(struct pkt *p, const char *src, int n, uint8_t l4proto)
{
	pkt_eth(p, ETH_P_IPV6), pkt_ip6(p, IPPROTO_DSTOPTS, src, NULL);
	for (int i = 1; i < n; i++)
		pkt_ip6_ext(p, IPPROTO_DSTOPTS);
	pkt_ip6_ext(p, l4proto);
}

/* A rule for every source of one family, against an IPv4, an IPv6 and a v4-mapped IPv6 source. */
static void any_source(const char *cidr, int v4, int v6, int mapped)
{
	static const char *const srcs[] = { "10.0.0.1", "fd00::1", "::ffff:10.0.0.1" };
	static const char *const what[] = { "ipv4", "ipv6", "v4-mapped ipv6" };
	const int verdict[] = { v4, v6, mapped };
	char name[64];
	struct pkt p;

	add_rule(cidr, 0, 0);
	for (int i = 0; i < 3; i++) {
		if (i)
			pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, srcs[i], NULL);
		else
			pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, srcs[i], NULL, 0, 0);
		pkt_tcp(&p, 1, 80, TH_SYN);
		snprintf(name, sizeof(name), "%s against %s", cidr, what[i]);
		expect_xdp(name, &p, i ? NB_L3_IPV6 : NB_L3_IPV4, NB_L4_TCP, verdict[i]);
	}
	del_rule(cidr, 0, 0);
}

/*
 * Deny rules fail closed (issue 12): each of these passed a denied packet, or
 * counted it in the wrong class, before.
 */
void test_fail_closed(void)
{
	struct pkt p, a, b;

	/* Exactly 8 extension headers parse; behind a 9th the port is hidden. */
	add_rule("fd00::12/128", IPPROTO_TCP, 22);
	add_rule("fd00::14/128", 0, 0);
	ext6_chain(&p, "fd00::12", 8, IPPROTO_TCP), pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("8 extension headers, port rule", &p, NB_L3_IPV6, NB_L4_TCP, NB_DROP);
	ext6_chain(&p, "fd00::12", 8, IPPROTO_TCP), pkt_tcp(&p, 1, 23, TH_SYN);
	expect_xdp("8 extension headers, other port", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);
	ext6_chain(&p, "fd00::12", 9, IPPROTO_TCP), pkt_tcp(&p, 1, 23, TH_SYN);
	expect_xdp("9 extension headers, source with a port rule", &p, NB_L3_IPV6, NB_L4_MALFORMED,
		   NB_DROP);
	ext6_chain(&p, "fd00::13", 9, IPPROTO_TCP), pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("9 extension headers, source without rules", &p, NB_L3_IPV6, NB_L4_MALFORMED,
		   NB_PASS);
	ext6_chain(&p, "fd00::14", 9, IPPROTO_TCP), pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("9 extension headers, address rule", &p, NB_L3_IPV6, NB_L4_MALFORMED, NB_DROP);

	/* Large headers are followed: 600 bytes of destination options. */
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_DSTOPTS, "fd00::12", NULL);
	pkt_ip6_opts(&p, IPPROTO_TCP, 600), pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("600-byte destination options, port rule", &p, NB_L3_IPV6, NB_L4_TCP, NB_DROP);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_DSTOPTS, "fd00::12", NULL);
	pkt_ip6_opts(&p, IPPROTO_TCP, 600), pkt_tcp(&p, 1, 23, TH_SYN);
	expect_xdp("600-byte destination options, other port", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);

	/* A tiny first fragment: its 8 bytes of TCP carry the ports (RFC 1858). */
	add_rule("10.0.0.12/32", IPPROTO_TCP, 22);
	add_rule("10.0.0.14/32", 0, 0);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.12", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), pkt_ip4_split(&p, 8, &a, &b);
	expect_xdp("tiny first fragment, port rule", &a, NB_L3_IPV4, NB_L4_MALFORMED, NB_DROP);
	expect_xdp("its second fragment", &b, NB_L3_IPV4, NB_L4_FRAGMENT, NB_DROP);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.12", NULL, 0, 0);
	pkt_tcp(&p, 1, 23, TH_SYN), pkt_ip4_split(&p, 8, &a, &b);
	expect_xdp("tiny first fragment, other port", &a, NB_L3_IPV4, NB_L4_MALFORMED, NB_PASS);

	/* The family is part of the key; a v4-mapped IPv6 source is IPv6. */
	any_source("::/0", NB_PASS, NB_DROP, NB_DROP);
	any_source("0.0.0.0/0", NB_DROP, NB_PASS, NB_PASS);

	/* ICMP by family. */
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_ICMPV6, "10.0.0.1", NULL, 0, 0), pkt_icmp(&p);
	expect_xdp("protocol 58 over ipv4", &p, NB_L3_IPV4, NB_L4_OTHER, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_ICMP, "fd00::1", NULL), pkt_icmp(&p);
	expect_xdp("next header 1 over ipv6", &p, NB_L3_IPV6, NB_L4_OTHER, NB_PASS);

	/* Length fields, decided as the kernel does. */
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.12", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 0);
	expect_xdp("ipv4 total length 0: the frame's", &p, NB_L3_IPV4, NB_L4_TCP, NB_DROP);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 41);
	expect_xdp("ipv4 total length past the frame", &p, NB_L3_MALFORMED, -1, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.14", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 41);
	expect_xdp("ipv4 total length past the frame, address rule", &p, NB_L3_MALFORMED, -1, NB_DROP);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 28);
	expect_xdp("ipv4 total length cuts the tcp header", &p, NB_L3_IPV4, NB_L4_MALFORMED, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1, 22, TH_SYN), pkt_zeros(&p, 6), ip_len(&p, 40);
	expect_xdp("ipv4 frame padded past the datagram", &p, NB_L3_IPV4, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::1", NULL);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 21);
	expect_xdp("ipv6 payload length past the frame", &p, NB_L3_MALFORMED, -1, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::14", NULL);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 21);
	expect_xdp("ipv6 payload length past the frame, address rule", &p, NB_L3_MALFORMED, -1,
		   NB_DROP);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::1", NULL);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 19);
	expect_xdp("ipv6 payload length cuts the tcp header", &p, NB_L3_IPV6, NB_L4_MALFORMED, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_DSTOPTS, "fd00::1", NULL);
	pkt_ip6_opts(&p, IPPROTO_TCP, 16), pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 8);
	expect_xdp("ipv6 payload length cuts the extension chain", &p, NB_L3_IPV6, NB_L4_MALFORMED,
		   NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::12", NULL);
	pkt_tcp(&p, 1, 22, TH_SYN), ip_len(&p, 0);
	expect_xdp("ipv6 payload length 0: the frame's", &p, NB_L3_IPV6, NB_L4_TCP, NB_DROP);
}

