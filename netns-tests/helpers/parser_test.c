/*
 * parser_test: the XDP and tc programs run on crafted packets with
 * BPF_PROG_TEST_RUN; every case asserts the verdict and the exact counters.
 * Maps are not pinned, so nothing touches the live datapath.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <netinet/tcp.h>

#include "bpf/datapath/datapath.h"
#include "datapath/rules.h"
#include "common/percpu.h"
#include "common/pkt.h"
#include "common/pin.h"
#include "tc.skel.h"
#include "xdp.skel.h"

static struct xdp *xs;
static struct tc *ts;
static int failures, cases;

/* --- running and checking ------------------------------------------------------ */
static void reset_stats(void)
{
	int ncpu = libbpf_num_possible_cpus();
	struct nb_hook_stats *zero = calloc(ncpu, sizeof(*zero));

	for (__u32 h = 0; h < NB_HOOK_MAX; h++)
		bpf_map_update_elem(bpf_map__fd(xs->maps.netbpf_stats), &h, zero, 0);
	free(zero);
}

static void read_stats(int fd, __u32 hook, struct nb_hook_stats *sum)
{
	int err = percpu_sum(fd, &hook, sum, sizeof(*sum));

	if (err)
		fprintf(stderr, "parser_test: failed to read counters: %s\n", strerror(-err));
}

static int run(int prog_fd, struct pkt *p, __u32 *retval)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b, .data_size_in = p->len, .repeat = 1);
	int err = bpf_prog_test_run_opts(prog_fd, &o);

	*retval = o.retval;
	return err ? -errno : 0;
}

#define CHECK(cond, ...)                                            \
	do {                                                        \
		if (!(cond)) {                                      \
			printf("not ok - %s: ", name);              \
			printf(__VA_ARGS__);                        \
			printf("\n");                               \
			failures++;                                 \
			return;                                     \
		}                                                   \
	} while (0)

/* One packet through XDP: expect the verdict and exactly one count in l3, l4, verdict. */
static void expect_xdp(const char *name, struct pkt *p, int l3, int l4, int verdict)
{
	struct nb_hook_stats s;
	__u32 ret;
	int err;

	cases++;
	reset_stats();
	err = run(bpf_program__fd(xs->progs.xdp_main), p, &ret);
	CHECK(!err, "test run failed: %s", strerror(-err));
	CHECK(ret == (verdict == NB_DROP ? XDP_DROP : XDP_PASS), "verdict %u", ret);
	read_stats(bpf_map__fd(xs->maps.netbpf_stats), NB_HOOK_XDP, &s);
	CHECK(s.l3[l3].packets == 1 && s.l3[l3].bytes == p->len, "l3[%d] = %llu/%llu bytes", l3,
	      s.l3[l3].packets, s.l3[l3].bytes);
	for (int i = 0; i < NB_L4_MAX; i++)
		CHECK(s.l4[i].packets == (i == l4), "l4[%d] = %llu, expected l4[%d]", i, s.l4[i].packets, l4);
	CHECK(s.verdict[verdict].packets == 1, "verdict counter %d = %llu", verdict,
	      s.verdict[verdict].packets);
	printf("ok - %s\n", name);
}

static struct rule_maps rule_maps(void)
{
	return (struct rule_maps){ .deny = bpf_map__fd(xs->maps.netbpf_deny),
				   .kinds = bpf_map__fd(xs->maps.netbpf_deny_kinds) };
}

/* As `deny add` adds it: its kind, and the marker of a rule with a proto or port. */
static void add_rule(const char *cidr, __u8 proto, __u16 port)
{
	struct nb_deny_key k = { .proto = proto, .port = htons(port) };
	struct rule_maps m = rule_maps();
	int err = rule_set_prefix(&k, cidr);

	if (!err)
		err = rule_add(&m, &k);
	if (err) {
		fprintf(stderr, "parser_test: failed to add rule %s: %s\n", cidr, strerror(-err));
		exit(1);
	}
}

static void del_rule(const char *cidr, __u8 proto, __u16 port)
{
	struct nb_deny_key k = { .proto = proto, .port = htons(port) };
	struct rule_maps m = rule_maps();

	if (rule_set_prefix(&k, cidr) || rule_del(&m, &k)) {
		fprintf(stderr, "parser_test: failed to delete rule %s\n", cidr);
		exit(1);
	}
}

static void test_parsing(void)
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
static void test_truncation(void)
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

/*
 * Deny rules fail closed (issue 12): each of these passed a denied packet, or
 * counted it in the wrong class, before.
 */
static void test_fail_closed(void)
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

	/* The family is part of the key. */
	add_rule("::/0", 0, 0);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1, 80, TH_SYN);
	expect_xdp("::/0 against ipv4", &p, NB_L3_IPV4, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::1", NULL), pkt_tcp(&p, 1, 80, TH_SYN);
	expect_xdp("::/0 against ipv6", &p, NB_L3_IPV6, NB_L4_TCP, NB_DROP);
	del_rule("::/0", 0, 0);
	add_rule("0.0.0.0/0", 0, 0);
	pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_TCP, "10.0.0.1", NULL, 0, 0);
	pkt_tcp(&p, 1, 80, TH_SYN);
	expect_xdp("0.0.0.0/0 against ipv4", &p, NB_L3_IPV4, NB_L4_TCP, NB_DROP);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "fd00::1", NULL), pkt_tcp(&p, 1, 80, TH_SYN);
	expect_xdp("0.0.0.0/0 against ipv6", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);
	pkt_eth(&p, ETH_P_IPV6), pkt_ip6(&p, IPPROTO_TCP, "::ffff:10.0.0.1", NULL);
	pkt_tcp(&p, 1, 80, TH_SYN);
	expect_xdp("0.0.0.0/0 against v4-mapped ipv6", &p, NB_L3_IPV6, NB_L4_TCP, NB_PASS);
	del_rule("0.0.0.0/0", 0, 0);

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

/* The kind's slot in netbpf_deny_kinds, as the datapath reads it. */
static void expect_kind(const char *name, __u32 kind, bool used)
{
	__u32 v = 0;
	int err;

	cases++;
	err = bpf_map_lookup_elem(bpf_map__fd(xs->maps.netbpf_deny_kinds), &kind, &v) ? -errno : 0;
	CHECK(!err, "lookup failed: %s", strerror(-err));
	CHECK(!!v == used, "kind %u is %u", kind, v);
	printf("ok - %s\n", name);
}

/* A later UDP fragment from src: its port is hidden, so only markers can drop it. */
static void udp_frag(struct pkt *p, const char *src)
{
	pkt_eth(p, ETH_P_IP), pkt_ip4(p, IPPROTO_UDP, src, NULL, 0, 185), pkt_zeros(p, 8);
}

/*
 * The datapath looks up only the kinds of rule that exist (netbpf_deny_kinds):
 * a rule of each kind matches once added, also a packet whose port is hidden,
 * and stops matching once deleted; a kind stays while another rule of it is left.
 */
static void test_rule_kinds(void)
{
	static const struct {
		const char *what;
		__u8 proto;
		__u16 port;
		int kind;
	} kinds[] = {
		{ "proto and port", IPPROTO_UDP, 53, NB_DENY_PROTO_PORT },
		{ "proto only", IPPROTO_UDP, 0, NB_DENY_PROTO },
		{ "port only", 0, 53, NB_DENY_PORT },
		{ "address only", 0, 0, NB_DENY_ADDR },
	};
	char name[96];
	struct pkt p;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const char *src = "10.0.3.1";

		snprintf(name, sizeof(name), "kind %s: unused before its first rule", kinds[i].what);
		expect_kind(name, kinds[i].kind, false);
		add_rule("10.0.3.0/24", kinds[i].proto, kinds[i].port);
		snprintf(name, sizeof(name), "kind %s: matches once added", kinds[i].what);
		pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, src, NULL, 0, 0), pkt_udp(&p, 1, 53);
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_UDP, NB_DROP);
		snprintf(name, sizeof(name), "kind %s: set by its first rule", kinds[i].what);
		expect_kind(name, kinds[i].kind, true);
		snprintf(name, sizeof(name), "kind %s: hidden port, dropped", kinds[i].what);
		udp_frag(&p, src);
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_FRAGMENT, NB_DROP);
		/* A second rule of the kind keeps it when the first goes. */
		add_rule("10.0.4.0/24", kinds[i].proto, kinds[i].port);
		del_rule("10.0.3.0/24", kinds[i].proto, kinds[i].port);
		snprintf(name, sizeof(name), "kind %s: deleted rule no longer matches", kinds[i].what);
		pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, src, NULL, 0, 0), pkt_udp(&p, 1, 53);
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_UDP, NB_PASS);
		snprintf(name, sizeof(name), "kind %s: the other rule still matches", kinds[i].what);
		pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.4.1", NULL, 0, 0), pkt_udp(&p, 1, 53);
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_UDP, NB_DROP);
		snprintf(name, sizeof(name), "kind %s: the other rule, hidden port", kinds[i].what);
		udp_frag(&p, "10.0.4.1");
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_FRAGMENT, NB_DROP);
		del_rule("10.0.4.0/24", kinds[i].proto, kinds[i].port);
		snprintf(name, sizeof(name), "kind %s: last rule deleted, passes", kinds[i].what);
		pkt_eth(&p, ETH_P_IP), pkt_ip4(&p, IPPROTO_UDP, "10.0.4.1", NULL, 0, 0), pkt_udp(&p, 1, 53);
		expect_xdp(name, &p, NB_L3_IPV4, NB_L4_UDP, NB_PASS);
		snprintf(name, sizeof(name), "kind %s: cleared with its last rule", kinds[i].what);
		expect_kind(name, kinds[i].kind, false);
	}
}

/* Random bytes behind each EtherType: exactly one l3 count per packet, no drops. */
static void test_garbage(void)
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
static void test_tc(void)
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

int main(void)
{
	xs = xdp__open();
	ts = tc__open();
	if (!xs || !ts || pin_clear_paths(xs->obj) || pin_clear_paths(ts->obj) || xdp__load(xs) ||
	    tc__load(ts)) {
		fprintf(stderr, "parser_test: failed to load programs: %s\n", strerror(errno));
		return 1;
	}
	test_rule_kinds();
	test_parsing();
	test_fail_closed();
	test_truncation();
	test_garbage();
	test_tc();
	printf("%d cases, %d failed\n", cases, failures);
	xdp__destroy(xs);
	tc__destroy(ts);
	return failures ? 1 : 0;
}
