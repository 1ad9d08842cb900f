/* Cases: what each kind of packet is counted as, truncated packets, garbage, tc. */
#include <stdlib.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "parser_test.h"

void test_parsing(void)
{
	struct pkt p;

	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1234, 80, TH_SYN);
	expect_xdp("ipv4 tcp", &p, NB_L3_IPV4, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_8021Q), pkt_vlan(&p, 5, ETH_P_IP);
	pkt_ip4(&p, IPPROTO_UDP, "10.0.0.1", NULL, 0, 0), pkt_udp(&p, 1, 53);
	expect_xdp("802.1Q ipv4 udp", &p, NB_L3_IPV4, NB_L4_UDP, NB_PASS);
	pkt_eth(&p, ETH_P_8021AD), pkt_vlan(&p, 5, ETH_P_8021Q), pkt_vlan(&p, 6, ETH_P_IPV6);
	pkt_ip6(&p, IPPROTO_TCP, "fd00::1", NULL), pkt_tcp(&p, 1, 443, TH_SYN);
	expect_xdp("QinQ ipv6 tcp", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_8021AD), pkt_vlan(&p, 5, ETH_P_8021Q), pkt_vlan(&p, 6, ETH_P_8021Q);
	pkt_vlan(&p, 7, ETH_P_IP);
	expect_xdp("three VLAN tags: not parsed further", &p, NB_L3_NONIP, -1, NB_PASS);
	pkt_eth(&p, ETH_P_ARP), pkt_zeros(&p, 28);
	expect_xdp("arp", &p, NB_L3_NONIP, -1, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_ICMP, "10.0.0.1", NULL, 0, 0), pkt_icmp(&p);
	expect_xdp("ipv4 icmp", &p, NB_L3_IPV4, NB_L4_ICMP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 58, "fd00::1", NULL), pkt_icmp(&p);
	expect_xdp("ipv6 icmpv6", &p, NB_L3_IPV6, NB_L4_ICMPV6, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, 47, "10.0.0.1", NULL, 0, 0), pkt_zeros(&p, 8);
	expect_xdp("ipv4 gre: other", &p, NB_L3_IPV4, NB_L4_OTHER, NB_PASS);

	/* Options shift the transport header; a port rule proves the ports were found. */
	add_rule("10.0.0.9/32", IPPROTO_TCP, 2222);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.9", NULL, 10, 0);
	pkt_tcp(&p, 1, 2222, TH_SYN);
	expect_xdp("ipv4 40 bytes of options, port rule", &p, NB_L3_IPV4, NB_L4_TCP, NB_DROP);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.9", NULL, 10, 0);
	pkt_tcp(&p, 1, 2223, TH_SYN);
	expect_xdp("ipv4 options, other port", &p, NB_L3_IPV4, NB_L4_TCP, NB_PASS);

	/* IPv4 fragments: the first (MF set) has ports, later ones none. */
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.0.1", NULL, 0, 0x2000);
	pkt_udp(&p, 1, 53);
	expect_xdp("ipv4 first fragment", &p, NB_L3_IPV4, NB_L4_UDP, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.0.1", NULL, 0, 0x2000 | 185);
	pkt_zeros(&p, 8);
	expect_xdp("ipv4 later fragment", &p, NB_L3_IPV4, NB_L4_FRAGMENT, NB_PASS);
	/* Fail closed: a source with a port rule gets no packet whose port is hidden. */
	add_rule("10.0.0.7/32", IPPROTO_UDP, 53);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.0.7", NULL, 0, 185), pkt_zeros(&p, 8);
	expect_xdp("later udp fragment, source with a udp port rule", &p, NB_L3_IPV4, NB_L4_FRAGMENT,
		   NB_DROP);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.7", NULL, 0, 185), pkt_zeros(&p, 8);
	expect_xdp("later tcp fragment, source with a udp port rule", &p, NB_L3_IPV4, NB_L4_FRAGMENT,
		   NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.0.8", NULL, 0, 185), pkt_zeros(&p, 8);
	expect_xdp("later udp fragment, source without rules", &p, NB_L3_IPV4, NB_L4_FRAGMENT, NB_PASS);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_ICMP, "10.0.0.7", NULL, 0, 185), pkt_zeros(&p, 8);
	expect_xdp("later icmp fragment: no port to hide", &p, NB_L3_IPV4, NB_L4_FRAGMENT, NB_PASS);

	/* IPv6 extension headers. */
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 0, "fd00::1", NULL), pkt_ip6_ext(&p, 60);
	pkt_ip6_ext(&p, 43), pkt_ip6_ext(&p, IPPROTO_TCP);
	pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("ipv6 hop-by-hop, dstopts, routing", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 44, "fd00::1", NULL);
	pkt_ip6_frag(&p, IPPROTO_UDP, 0), pkt_udp(&p, 1, 53);
	expect_xdp("ipv6 first fragment", &p, NB_L3_IPV6, NB_L4_UDP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 44, "fd00::1", NULL);
	pkt_ip6_frag(&p, IPPROTO_UDP, 100), pkt_zeros(&p, 8);
	expect_xdp("ipv6 later fragment", &p, NB_L3_IPV6, NB_L4_FRAGMENT, NB_PASS);
	add_rule("fd00::66/128", IPPROTO_TCP, 22);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 0, "fd00::66", NULL), pkt_ip6_ext(&p, IPPROTO_TCP);
	pkt_tcp(&p, 1, 22, TH_SYN);
	expect_xdp("ipv6 rule after an extension header", &p, NB_L3_IPV6, NB_L4_TCP, NB_DROP);
	add_rule("fd00:1::/32", 0, 0);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 58, "fd00:1::5", NULL), pkt_icmp(&p);
	expect_xdp("ipv6 prefix rule, any proto", &p, NB_L3_IPV6, NB_L4_ICMPV6, NB_DROP);
}

/*
 * Every truncation of a full packet, its length fields saying where it ends (a
 * datagram longer than its frame is l3-malformed): never a crash, always the
 * right class.
 */
void test_truncation(void)
{
	char name[64];
	struct pkt full, p;

	pkt_eth(&full, ETH_P_8021Q), pkt_vlan(&full, 5, ETH_P_IP);
	pkt_ip4(&full, IPPROTO_TCP, "10.0.0.1", NULL, 1, 0);
	pkt_tcp(&full, 1, 80, TH_SYN);
	for (size_t len = 14; len < full.len; len++) {
		p = full;
		pkt_cut(&p, len);
		snprintf(name, sizeof(name), "vlan ipv4+opt tcp cut at %zu", len);
		if (len < 18 + 24) /* before the end of the IPv4 header with its option */
			expect_xdp(name, &p, NB_L3_MALFORMED, -1, NB_PASS);
		else
			expect_xdp(name, &p, NB_L3_IPV4, NB_L4_MALFORMED, NB_PASS);
	}
	pkt_eth(&full, ETH_P_IPV6), pkt_ip6(&full, 0, "fd00::1", NULL);
	pkt_ip6_ext(&full, IPPROTO_UDP), pkt_udp(&full, 1, 53);
	for (size_t len = 14; len < full.len; len++) {
		p = full;
		pkt_cut(&p, len);
		snprintf(name, sizeof(name), "ipv6 ext udp cut at %zu", len);
		/* The IPv6 header whole, the extension chain or UDP not: the transport is unknown. */
		if (len < 14 + 40)
			expect_xdp(name, &p, NB_L3_MALFORMED, -1, NB_PASS);
		else
			expect_xdp(name, &p, NB_L3_IPV6, NB_L4_MALFORMED, NB_PASS);
	}
}

/* Random bytes behind each EtherType: exactly one l3 count per packet, no drops. */
void test_garbage(void)
{
	static const unsigned protos[] = { ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q, ETH_P_8021AD, 0x1234 };
	const char *name = "garbage";
	struct nb_hook_stats s;
	__u64 l3 = 0, runs = 0;
	struct pkt p;
	__u32 ret;

	cases++;
	srand(42);
	reset_stats();
	for (int i = 0; i < 5000; i++) {
		pkt_eth(&p, protos[i % 5]);
		size_t n = rand() % 200;
		for (size_t j = 0; j < n; j++)
			p.b[p.len++] = rand();
		CHECK(!run(bpf_program__fd(xs->progs.xdp_main), &p, &ret), "run %d failed", i);
		CHECK(ret == XDP_PASS, "run %d: verdict %u", i, ret);
		runs++;
	}
	read_stats(bpf_map__fd(xs->maps.netbpf_stats), NB_HOOK_XDP, &s);
	for (int i = 0; i < NB_L3_MAX; i++)
		l3 += s.l3[i].packets;
	CHECK(l3 == runs && s.verdict[NB_PASS].packets == runs, "%llu l3 counts for %llu runs", l3, runs);
	printf("ok - %s (%llu packets)\n", name, runs);
}

/* The tc programs share the stages: same classes, counted under their own hook. */
void test_tc(void)
{
	const char *name = "tc ingress and egress";
	struct nb_hook_stats in, eg;
	struct pkt p;
	__u32 ret;
	int fd = bpf_map__fd(ts->maps.netbpf_stats);

	cases++;
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, 0, "fd00::1", NULL), pkt_ip6_ext(&p, IPPROTO_UDP);
	pkt_udp(&p, 1, 53);
	pkt_zeros(&p, 20);
	CHECK(!run(bpf_program__fd(ts->progs.tc_ingress), &p, &ret), "ingress run failed");
	CHECK((int)ret == -1, "ingress returned %d, expected TC_ACT_UNSPEC", (int)ret);
	CHECK(!run(bpf_program__fd(ts->progs.tc_egress), &p, &ret), "egress run failed");
	CHECK(!run(bpf_program__fd(ts->progs.tc_egress), &p, &ret), "egress run failed");
	read_stats(fd, NB_HOOK_TC_INGRESS, &in);
	read_stats(fd, NB_HOOK_TC_EGRESS, &eg);
	CHECK(in.l4[NB_L4_UDP].packets == 1 && in.l4[NB_L4_UDP].bytes == p.len, "ingress udp %llu",
	      in.l4[NB_L4_UDP].packets);
	CHECK(eg.l4[NB_L4_UDP].packets == 2 && eg.l3[NB_L3_IPV6].packets == 2, "egress udp %llu",
	      eg.l4[NB_L4_UDP].packets);
	printf("ok - %s\n", name);
}

