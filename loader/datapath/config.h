/*
 * /etc/netbpf/<iface>.conf, applied by `netbpf up IFACE --config FILE` (and so by
 * netbpf@.service at boot) and written by `netbpf deny save`. One setting a line:
 *
 *   # comment
 *   xdp-mode auto|native|skb
 *   tc auto|tcx|clsact
 *   deny CIDR [port N] [proto tcp|udp]
 *
 * Errors name the file and line; nothing is installed unless the whole file is valid.
 */
#ifndef NETBPF_DATAPATH_CONFIG_H
#define NETBPF_DATAPATH_CONFIG_H

#include "bpf/datapath/datapath.h"
#include "datapath/datapath.h"

struct config {
	int xdp_mode, tc_mode; /* -1: not set in the file */
	struct nb_deny_key rules[NB_DENY_MAX_RULES];
	int nrules;
};

/* Parses path into c; 0, or -1 with "path:line: what" printed. */
int config_load(const char *path, struct config *c);

#endif /* NETBPF_DATAPATH_CONFIG_H */
