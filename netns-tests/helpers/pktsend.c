/*
 * pktsend: puts crafted frames on an interface through an AF_PACKET socket, for
 * tests of what a deny rule lets through. The packets are loader/common/pkt's,
 * the builder of parser_test's BPF_PROG_TEST_RUN cases, with checksums added.
 *
 *   pktsend IFACE DST_MAC SRC DST PORT CASE
 *
 * CASE (SRC and DST are IPv4 or IPv6 addresses; TCP and UDP go to PORT):
 *   udp        one UDP datagram
 *   frag       one UDP datagram in two IPv4 fragments
 *   tinyfrag   a TCP SYN in two IPv4 fragments, the first with 8 bytes of TCP
 *   ext8 ext9  UDP behind 8 or 9 IPv6 destination options headers
 *   dstopt600  UDP behind one 600-byte IPv6 destination options header
 */
#include <errno.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/pkt.h"

static int sock, ifindex;
static uint8_t dst_mac[6];

static void send_pkt(struct pkt *p)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };

	memcpy(p->b, dst_mac, 6);
	memcpy(sll.sll_addr, dst_mac, 6);
	if (sendto(sock, p->b, p->len, 0, (struct sockaddr *)&sll, sizeof(sll)) != (ssize_t)p->len) {
		fprintf(stderr, "pktsend: failed to send a frame: %s\n", strerror(errno));
		exit(1);
	}
}

static void ip(struct pkt *p, int v6, uint8_t proto, const char *src, const char *dst)
{
	if (v6)
		pkt_eth(p, ETH_P_IPV6), pkt_ip6(p, proto, src, dst);
	else
		pkt_eth(p, ETH_P_IP), pkt_ip4(p, proto, src, dst, 0, 0);
}

int main(int argc, char **argv)
{
	struct pkt p, a, b;
	const char *src, *dst, *cs;
	unsigned port;
	int v6, n = 0;

	if (argc != 7 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dst_mac[0], &dst_mac[1],
				&dst_mac[2], &dst_mac[3], &dst_mac[4], &dst_mac[5]) != 6) {
		fprintf(stderr, "usage: pktsend IFACE DST_MAC SRC DST PORT CASE\n");
		return 2;
	}
	src = argv[3], dst = argv[4], cs = argv[6];
	v6 = strchr(src, ':') != NULL;
	port = atoi(argv[5]);
	ifindex = if_nametoindex(argv[1]);
	sock = socket(AF_PACKET, SOCK_RAW, 0);
	if (!ifindex || sock < 0) {
		fprintf(stderr, "pktsend: failed to open %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (!strcmp(cs, "udp") || !strcmp(cs, "frag")) {
		ip(&p, v6, IPPROTO_UDP, src, dst), pkt_udp(&p, 40000, port), pkt_zeros(&p, 32);
		pkt_l4_csum(&p);
		if (!strcmp(cs, "udp")) {
			send_pkt(&p);
		} else {
			pkt_ip4_split(&p, 16, &a, &b);
			send_pkt(&a), send_pkt(&b);
		}
	} else if (!strcmp(cs, "tinyfrag")) {
		ip(&p, v6, IPPROTO_TCP, src, dst), pkt_tcp(&p, 40000, port, TH_SYN), pkt_l4_csum(&p);
		pkt_ip4_split(&p, 8, &a, &b);
		send_pkt(&a), send_pkt(&b);
	} else if (sscanf(cs, "ext%d", &n) == 1 && n > 0 && n < 20) {
		pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_DSTOPTS, src, dst);
		for (int i = 1; i < n; i++)
			pkt_ip6_ext(&p, IPPROTO_DSTOPTS);
		pkt_ip6_ext(&p, IPPROTO_UDP), pkt_udp(&p, 40000, port), pkt_zeros(&p, 32);
		pkt_l4_csum(&p), send_pkt(&p);
	} else if (!strcmp(cs, "dstopt600")) {
		pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_DSTOPTS, src, dst);
		pkt_ip6_opts(&p, IPPROTO_UDP, 600), pkt_udp(&p, 40000, port), pkt_zeros(&p, 32);
		pkt_l4_csum(&p), send_pkt(&p);
	} else {
		fprintf(stderr, "pktsend: unknown case '%s'\n", cs);
		return 2;
	}
	close(sock);
	return 0;
}
