/* Constants of the packet parsers: uapi values vmlinux.h cannot carry, and limits. */
#ifndef NETBPF_CONSTS_BPF_H
#define NETBPF_CONSTS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define ETH_P_IP      0x0800
#define ETH_P_IPV6    0x86DD
#define ETH_P_8021Q   0x8100
#define ETH_P_8021AD  0x88A8
/* IPv6 next-header values (include/net/ipv6.h) */
#define NEXTHDR_HOP      0
#define NEXTHDR_ROUTING  43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH     51
#define NEXTHDR_ICMP     58
#define NEXTHDR_DEST     60
#define IP_MF         0x2000
#define IP_OFFSET     0x1fff
#define IP6_OFFSET    0xfff8
#define IP6_MF        0x0001
#define TC_ACT_UNSPEC (-1)

#define NB_MAX_VLANS    2 /* 802.1ad outer + 802.1Q inner */
#define NB_MAX_EXT_HDRS 8

/*
 * Deepest header offset the parsers follow. Bounds every variable offset so the
 * verifier can prove direct packet accesses (it gives up on offsets that may pass
 * 64 KiB); 2 VLAN tags + IPv6 + 8 extension headers of the largest size (2 KiB
 * each) fit within it, so the parse window never hides a transport header.
 */
#define NB_MAX_HDR_OFF 16640

#endif /* NETBPF_CONSTS_BPF_H */
