/* Cases: rule kinds (netbpf_deny_kinds) follow the rules added and deleted. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <bpf/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "parser_test.h"

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
void test_rule_kinds(void)
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

